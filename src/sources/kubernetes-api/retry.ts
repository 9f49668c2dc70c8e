/**
 * When and how long to wait before asking the Kubernetes API again, and how to say in one line
 * why a request failed. Only reasons are described, never requests: those carry credentials.
 */
import {describeNetworkError} from './transport.js'

export interface RetryPolicy {
  /** Requests per page, the first one included. */
  attempts: number
  baseDelayMs: number
  maxDelayMs: number
}

export const DEFAULT_RETRY: RetryPolicy = {attempts: 5, baseDelayMs: 500, maxDelayMs: 10_000}

export function retryPolicy(options: Partial<RetryPolicy> = {}): RetryPolicy {
  return {
    attempts: Math.max(1, Math.floor(options.attempts ?? DEFAULT_RETRY.attempts)),
    baseDelayMs: Math.max(0, options.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs),
    maxDelayMs: Math.max(0, options.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs),
  }
}

/**
 * Wait before attempt `failed + 1`: what the server asked for (`Retry-After`) if it asked, else
 * exponential backoff with jitter, so many clients throttled together do not return together.
 * Both are capped at `maxDelayMs`.
 */
export function retryDelay(policy: RetryPolicy, failed: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxDelayMs)
  const exponential = Math.min(policy.baseDelayMs * 2 ** (failed - 1), policy.maxDelayMs)
  return Math.round(exponential / 2 + (Math.random() * exponential) / 2)
}

/** `Retry-After` is either seconds or an HTTP date. */
export function parseRetryAfter(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined
  const value = header.trim()
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** Throttled or a server-side failure: worth asking again. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500
}

/**
 * One line for a failed request of node-fetch (the watch): a timeout (an abort), else what
 * describeNetworkError makes of it.
 */
export function describeRequestError(error: unknown, timeoutMs: number): string {
  const record = (error ?? {}) as {name?: unknown; type?: unknown}
  if (record.name === 'AbortError' || record.type === 'aborted') return `timed out after ${timeoutMs} ms`
  return describeNetworkError(error)
}
