/**
 * The HTTP exchange with the Kubernetes API server, shared by the live source (list.ts) and
 * apply (src/apply): node's http with client-node's auth (transport.ts), one request at a time
 * with a timeout, a size limit and a tolerant JSON body, asked again on throttling, server errors,
 * timeouts and network errors with the policy of retry.ts, all within the run's deadline. Only
 * reasons are described, never requests: those carry credentials.
 */
import {setTimeout as sleep} from 'node:timers/promises'

import type {KubeConfig} from '@kubernetes/client-node'
import {Headers, type RequestInit} from 'node-fetch'

import {IncompleteError} from '../../errors.js'
import {Deadline, noDeadline} from '../deadline.js'
import {isRetryableStatus, parseRetryAfter, type RetryPolicy, retryDelay, retryPolicy} from './retry.js'
import {exchange, TransportError} from './transport.js'

export type Json = Record<string, unknown>

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The API server and the credentials to reach it with. */
export interface Connection {
  config: KubeConfig
  /** Server URL as configured, without a trailing slash. */
  server: string
  /** The same without any user info, for messages. */
  shown: string
  description: string
  retry: RetryPolicy
  timeoutMs: number
  maxBodyBytes: number
  deadline: Deadline
}

export interface ConnectionOptions {
  retry?: Partial<RetryPolicy>
  /** Per request, reading the body included. */
  timeoutMs?: number
  /** Names the credentials in a 401 message; discoverKubernetes's description. Defaults to the context name. */
  description?: string
  /** Largest answer read, per request. */
  maxBodyBytes?: number
  /** Every attempt and wait ends by then. */
  deadline?: Deadline
}

const DEFAULT_TIMEOUT_MS = 30_000
/**
 * A page is at most 500 objects (`limit=500`): a few MiB of pods. 64 MiB leaves room for a
 * server that ignores `limit` on a mid-sized cluster, and stops an endless body in well under a
 * second on loopback. HARDENCTL_MAX_RESPONSE_MB overrides it (src/cli/live.ts).
 */
export const DEFAULT_MAX_BODY_BYTES = 64 << 20
/** A server asking to be called back later than this is not waited for (the run would only sit idle). */
const MAX_RETRY_AFTER_MS = 60_000
/**
 * Attempts of one request that may end in a timeout: a server that did not answer in 30 s twice
 * is not going to, and 5 × 30 s would hold the run for minutes.
 */
const MAX_TIMEOUTS = 2

export function connect(config: KubeConfig, options: ConnectionOptions = {}): Connection {
  const cluster = config.getCurrentCluster()
  if (!cluster) throw new IncompleteError('Kubernetes API: the kubeconfig names no cluster for its current context')
  const context = config.getCurrentContext()
  return {
    config,
    server: cluster.server.replace(/\/+$/, ''),
    shown: withoutCredentials(cluster.server),
    description: options.description ?? (context === 'inClusterContext' ? 'in-cluster service account' : `context ${context}`),
    retry: retryPolicy(options.retry),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    deadline: options.deadline ?? noDeadline(),
  }
}

export interface ApiRequest {
  method: string
  /** Relative to the server URL, query included. */
  path: string
  body?: string
  contentType?: string
}

/** What the server answered. */
export interface Answer {
  status: number
  statusText: string
  /** The body as JSON, undefined when it is not. */
  body: unknown
}

export interface Reply extends Answer {
  retryAfter: string | null
  contentType: string
}

/** The server's answer, or why there is none after every attempt (throttled, 5xx, timeouts, network). */
export type Sent = {answered: true; answer: Reply} | {answered: false; reason: string}

export interface RetryHooks {
  /** Before each attempt, before credentials are asked for; may throw to stop. */
  beforeAttempt?: () => void
  /** Once per request sent. */
  count: () => void
  /** Before waiting to make attempt `next` of `attempts`. */
  onRetry?: (reason: string, next: number, attempts: number) => void
}

/**
 * Sends `request` until the server answers with anything but 429 or 5xx, the attempts run out
 * (or two of them timed out), the failure is one asking again cannot mend (an answer over the size limit), the server asks to
 * be called back too late (`Retry-After`), or the deadline leaves no time for another attempt.
 */
export async function withRetries(connection: Connection, request: ApiRequest, hooks: RetryHooks): Promise<Sent> {
  const url = `${connection.server}${request.path}`
  const {attempts} = connection.retry
  const {deadline} = connection
  const tried = (n: number): string => `${n} attempt${n === 1 ? '' : 's'}`
  let reason = ''
  let timeouts = 0
  for (let attempt = 1; attempt <= attempts; attempt++) {
    hooks.beforeAttempt?.()
    const init = await authorised(connection)
    let retryAfterMs: number | undefined
    let byDeadline = false
    hooks.count()
    // An attempt whose timeout is what is left of the deadline ends with it: its timer may fire a
    // millisecond before the wall clock says the deadline passed, and must still read as the deadline.
    const endsWithDeadline = deadline.remainingMs() < connection.timeoutMs
    try {
      const answer = await sendOnce(url, init, request, connection)
      if (!isRetryableStatus(answer.status)) return {answered: true, answer}
      reason = describeStatus(answer)
      retryAfterMs = parseRetryAfter(answer.retryAfter)
    } catch (error) {
      if (!(error instanceof TransportError)) throw error
      if (!error.retryable) return {answered: false, reason: `${request.method} ${pathOnly(request.path)}: ${error.reason}`}
      reason = error.reason
      byDeadline = error.timedOut && (endsWithDeadline || deadline.passed())
      if (error.timedOut) timeouts++
    }
    if (byDeadline) return {answered: false, reason: `${reason} (${tried(attempt)})`}
    if (attempt === attempts || timeouts === MAX_TIMEOUTS) return {answered: false, reason: `${reason} after ${tried(attempt)}`}
    if (retryAfterMs !== undefined && retryAfterMs > MAX_RETRY_AFTER_MS) {
      const asked = Math.round(retryAfterMs / 1000)
      return {answered: false, reason: `${reason}; the server asked to be asked again in ${asked} s (Retry-After), later than hardenctl waits (${MAX_RETRY_AFTER_MS / 1000} s)`}
    }
    const delay = retryDelay(connection.retry, attempt, retryAfterMs)
    if (delay >= deadline.remainingMs()) return {answered: false, reason: `${reason}; no time left for another attempt before ${deadline.describe()} (${tried(attempt)})`}
    hooks.onRetry?.(reason, attempt + 1, attempts)
    await sleep(delay)
  }
  return {answered: false, reason: `${reason} after ${tried(attempts)}`}
}

/** `/api/v1/pods` of `/api/v1/pods?limit=500&continue=...`, for messages. */
function pathOnly(path: string): string {
  return path.split('?')[0] ?? path
}

/** Asked before every request: exec and token-file credentials refresh themselves there. */
export async function authorised(connection: Connection): Promise<RequestInit> {
  try {
    return await connection.config.applyToFetchOptions({})
  } catch (error) {
    const message = ((error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '').trim()
    throw new IncompleteError(`Kubernetes API ${connection.shown}: cannot use the credentials of ${connection.description}: ${message}`)
  }
}

async function sendOnce(url: string, init: RequestInit, request: ApiRequest, connection: Connection): Promise<Reply> {
  const headers: Record<string, string> = {}
  new Headers(init.headers).forEach((value, name) => (headers[name] = value))
  headers.accept = 'application/json'
  headers['accept-encoding'] = 'gzip'
  if (request.contentType !== undefined) headers['content-type'] = request.contentType
  // Node frames no body of a DELETE unless told its length.
  if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body))
  const {deadline} = connection
  const timeoutMs = deadline.bound(connection.timeoutMs)
  const received = await exchange(
    {method: request.method, url, headers, body: request.body, agent: init.agent as never},
    {
      timeoutMs,
      timeoutReason: timeoutMs < connection.timeoutMs ? `before ${deadline.describe()}` : undefined,
      maxBodyBytes: connection.maxBodyBytes,
    },
  )
  const header = (name: string): string | null => {
    const value = received.headers[name]
    return Array.isArray(value) ? (value[0] ?? null) : (value ?? null)
  }
  return {
    status: received.status,
    statusText: received.statusText,
    body: parseBody(received.text),
    retryAfter: header('retry-after'),
    contentType: header('content-type') ?? '',
  }
}

/** A 401 stops the run: every later request would be refused the same way. */
export function unauthorized(connection: Connection): IncompleteError {
  return new IncompleteError(`Kubernetes API ${connection.shown}: unauthorized: the credentials of ${connection.description} were rejected`)
}

/** `HTTP 503 Service Unavailable: <the Status message>`. */
export function describeStatus(answer: Answer): string {
  const head = `HTTP ${answer.status}${answer.statusText ? ` ${answer.statusText}` : ''}`
  const message = isRecord(answer.body) && typeof answer.body.message === 'string' ? answer.body.message.split('\n')[0] : ''
  return message ? `${head}: ${message}` : head
}

export function withoutCredentials(server: string): string {
  try {
    const url = new URL(server)
    if (!url.username && !url.password) return server.replace(/\/+$/, '')
    url.username = ''
    url.password = ''
    return url.toString().replace(/\/+$/, '')
  } catch {
    return server
  }
}

/** The API server answers JSON, except when a proxy in front of it does not: then no body. */
export function parseBody(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
