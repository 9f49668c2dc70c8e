/**
 * The HTTP exchange with the Kubernetes API server, shared by the live source (list.ts) and
 * apply (src/apply): plain node-fetch with client-node's auth, one request at a time with a
 * timeout and a tolerant JSON body, asked again on throttling, server errors, timeouts and
 * network errors with the policy of retry.ts. Only reasons are described, never requests: those
 * carry credentials.
 */
import {setTimeout as sleep} from 'node:timers/promises'

import type {KubeConfig} from '@kubernetes/client-node'
import fetch, {Headers, type RequestInit} from 'node-fetch'

import {IncompleteError} from '../../errors.js'
import {describeRequestError, isRetryableStatus, parseRetryAfter, type RetryPolicy, retryDelay, retryPolicy} from './retry.js'

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
}

export interface ConnectionOptions {
  retry?: Partial<RetryPolicy>
  /** Per request, reading the body included. */
  timeoutMs?: number
  /** Names the credentials in a 401 message; discoverKubernetes's description. Defaults to the context name. */
  description?: string
}

const DEFAULT_TIMEOUT_MS = 30_000

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

/** Sends `request` until the server answers with anything but 429 or 5xx, or the attempts run out. */
export async function withRetries(connection: Connection, request: ApiRequest, hooks: RetryHooks): Promise<Sent> {
  const url = `${connection.server}${request.path}`
  const {attempts} = connection.retry
  let reason = ''
  for (let attempt = 1; attempt <= attempts; attempt++) {
    hooks.beforeAttempt?.()
    const init = await authorised(connection)
    let retryAfterMs: number | undefined
    hooks.count()
    try {
      const answer = await fetchOnce(url, init, request, connection.timeoutMs)
      if (!isRetryableStatus(answer.status)) return {answered: true, answer}
      reason = describeStatus(answer)
      retryAfterMs = parseRetryAfter(answer.retryAfter)
    } catch (error) {
      reason = describeRequestError(error, connection.timeoutMs)
    }
    if (attempt < attempts) {
      hooks.onRetry?.(reason, attempt + 1, attempts)
      await sleep(retryDelay(connection.retry, attempt, retryAfterMs))
    }
  }
  return {answered: false, reason: `${reason} after ${attempts} attempt${attempts === 1 ? '' : 's'}`}
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

async function fetchOnce(url: string, init: RequestInit, request: ApiRequest, timeoutMs: number): Promise<Reply> {
  const headers = new Headers(init.headers)
  headers.set('Accept', 'application/json')
  if (request.contentType !== undefined) headers.set('Content-Type', request.contentType)
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), timeoutMs)
  try {
    const response = await fetch(url, {
      agent: init.agent,
      headers,
      method: request.method,
      body: request.body,
      signal: controller.signal as RequestInit['signal'],
    })
    const body = parseBody(await response.text())
    return {
      status: response.status,
      statusText: response.statusText,
      body,
      retryAfter: response.headers.get('retry-after'),
      contentType: response.headers.get('content-type') ?? '',
    }
  } finally {
    clearTimeout(timer)
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
