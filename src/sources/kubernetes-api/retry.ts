/**
 * When and how long to wait before asking the Kubernetes API again, and how to say in one line
 * why a request failed. Only reasons are described, never requests: those carry credentials.
 */
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

const NETWORK_REASONS: Record<string, string> = {
  ECONNRESET: 'connection reset',
  ECONNREFUSED: 'connection refused',
  ECONNABORTED: 'connection aborted',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed',
  EAI_AGAIN: 'DNS lookup failed',
}

/**
 * One line for a failed request: a timeout, a network error (node-fetch's FetchError carries the
 * system error's code), a TLS failure. Every one of them is retried: a restarting API server
 * refuses connections and a load balancer in front of it may present the wrong certificate for a
 * moment.
 */
export function describeRequestError(error: unknown, timeoutMs: number): string {
  const record = (error ?? {}) as {name?: unknown; code?: unknown; errno?: unknown; message?: unknown; type?: unknown}
  const message = typeof record.message === 'string' ? record.message : String(error)
  // node-fetch says "request to <url> failed, reason: <system message>"; keep the reason.
  const reason = message.replace(/^request to \S+ failed, reason: /, '').split('\n')[0] ?? ''
  if (record.name === 'AbortError' || record.type === 'aborted') return `timed out after ${timeoutMs} ms`
  const code = typeof record.code === 'string' ? record.code : typeof record.errno === 'string' ? record.errno : ''
  if (/socket hang up/i.test(reason)) return 'connection closed (socket hang up)'
  if (code === 'ENOTFOUND') return `host not found (${reason.replace(/^getaddrinfo ENOTFOUND /, '')})`
  const known = NETWORK_REASONS[code]
  if (known) return known
  if (isTlsError(code, reason)) return `certificate verify failed: ${reason}`
  return reason || 'request failed'
}

function isTlsError(code: string, reason: string): boolean {
  return (
    /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS|ERR_SSL|EPROTO/.test(code) ||
    /certificate|self[- ]signed|SSL routines|TLS/i.test(reason)
  )
}
