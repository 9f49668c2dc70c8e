/**
 * One write to the Kubernetes API (a server-side apply PATCH or a DELETE), asked again on
 * throttling, server errors, timeouts and network errors with the live source's retry policy
 * (src/sources/kubernetes-api/retry.ts). Every request sent is counted. Only reasons are
 * described, never requests: those carry credentials.
 */
import {setTimeout as sleep} from 'node:timers/promises'

import type {KubeConfig} from '@kubernetes/client-node'
import fetch, {Headers, type RequestInit} from 'node-fetch'

import {IncompleteError} from '../errors.js'
import {
  describeRequestError,
  isRetryableStatus,
  parseRetryAfter,
  type RetryPolicy,
  retryDelay,
} from '../sources/kubernetes-api/retry.js'

export interface WriteSession {
  config: KubeConfig
  /** Server URL as configured, without a trailing slash. */
  server: string
  /** The same without any user info, for messages. */
  shown: string
  description: string
  retry: RetryPolicy
  timeoutMs: number
  /** HTTP write requests sent so far, retries included. */
  writes: number
  /** Set once the run must stop (credentials rejected): no further request is sent. */
  halted?: IncompleteError
  onProgress?: (message: string) => void
}

export interface WriteRequest {
  method: 'PATCH' | 'DELETE'
  /** Relative to the server URL, query included. */
  path: string
  body: string
  contentType: string
  /** `shop/allow-web`, for progress messages. */
  what: string
}

/** What the server answered. */
export interface WriteAnswer {
  status: number
  statusText: string
  body: unknown
}

/** The server's answer, or why there is none after every attempt (throttled, 5xx, timeouts, network). */
export type Sent = {answered: true; answer: WriteAnswer} | {answered: false; reason: string}

type Json = Record<string, unknown>

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export async function sendWrite(session: WriteSession, request: WriteRequest): Promise<Sent> {
  const url = `${session.server}${request.path}`
  const {attempts} = session.retry
  let reason = ''
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (session.halted) throw session.halted
    const init = await authorised(session)
    let retryAfterMs: number | undefined
    session.writes++
    try {
      const answer = await fetchOnce(url, init, request, session.timeoutMs)
      if (!isRetryableStatus(answer.status)) return {answered: true, answer}
      reason = describeStatus(answer)
      retryAfterMs = parseRetryAfter(answer.retryAfter)
    } catch (error) {
      if (error instanceof IncompleteError) throw error
      reason = describeRequestError(error, session.timeoutMs)
    }
    if (attempt < attempts) {
      session.onProgress?.(`${request.method} ${request.what}: ${reason}; retrying (attempt ${attempt + 1} of ${attempts})`)
      await sleep(retryDelay(session.retry, attempt, retryAfterMs))
    }
  }
  return {answered: false, reason: `${reason} after ${attempts} attempt${attempts === 1 ? '' : 's'}`}
}

/** Asked before every request: exec and token-file credentials refresh themselves there. */
async function authorised(session: WriteSession): Promise<RequestInit> {
  try {
    return await session.config.applyToFetchOptions({})
  } catch (error) {
    const message = ((error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '').trim()
    throw new IncompleteError(`Kubernetes API ${session.shown}: cannot use the credentials of ${session.description}: ${message}`)
  }
}

interface Answer extends WriteAnswer {
  retryAfter: string | null
}

async function fetchOnce(url: string, init: RequestInit, request: WriteRequest, timeoutMs: number): Promise<Answer> {
  const headers = new Headers(init.headers)
  headers.set('Accept', 'application/json')
  headers.set('Content-Type', request.contentType)
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
    const text = await response.text()
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      body = undefined
    }
    return {status: response.status, statusText: response.statusText, body, retryAfter: response.headers.get('retry-after')}
  } finally {
    clearTimeout(timer)
  }
}

/** `HTTP 503 Service Unavailable: <the Status message>`. */
export function describeStatus(answer: WriteAnswer): string {
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
