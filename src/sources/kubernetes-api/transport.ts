/**
 * One HTTP exchange with the API server over node's http/https, with client-node's agent and
 * headers: what node-fetch cannot say. A connection closed in the middle of a body is reported
 * as that at once (node-fetch waits for its timeout when the server sent a Content-Length); a
 * body larger than the limit is refused as soon as it is (Content-Length, or counting); no answer
 * within the time given is a timeout that says whether any of the answer arrived. Answers are
 * asked for gzipped (as kubectl does); the limit counts the bytes after decompression, so a
 * compressed bomb is cut off like an endless body.
 */
import {request as httpRequest, type IncomingMessage, type RequestOptions, STATUS_CODES} from 'node:http'
import {request as httpsRequest} from 'node:https'
import type {Readable} from 'node:stream'
import {createGunzip} from 'node:zlib'

/** A failed exchange: `reason` is one line for the user; only `retryable` ones are asked again. */
export class TransportError extends Error {
  constructor(
    readonly reason: string,
    readonly retryable: boolean,
    readonly timedOut = false,
  ) {
    super(reason)
    this.name = 'TransportError'
  }
}

export interface Exchange {
  method: string
  url: string
  headers: Record<string, string>
  body?: string
  agent?: RequestOptions['agent']
}

export interface ExchangeLimits {
  /** The whole exchange, the body included. */
  timeoutMs: number
  /** Said in a timeout's reason instead of `N ms` (the run's deadline cut this one short). */
  timeoutReason?: string
  maxBodyBytes: number
}

export interface Received {
  status: number
  statusText: string
  headers: IncomingMessage['headers']
  text: string
}

export function exchange(request: Exchange, limits: ExchangeLimits): Promise<Received> {
  return new Promise((resolve, reject) => {
    const url = new URL(request.url)
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest
    let settled = false
    let response: IncomingMessage | undefined
    let received = 0
    const fail = (error: TransportError): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      outgoing.destroy()
      response?.destroy()
      reject(error)
    }
    const timer = setTimeout(() => {
      const within = limits.timeoutReason ?? `within ${limits.timeoutMs} ms`
      const what = response === undefined ? `no answer ${within}` : `the answer did not finish ${within} (${received} bytes of the body read)`
      fail(new TransportError(what, true, true))
    }, limits.timeoutMs)

    const outgoing = send(url, {method: request.method, headers: request.headers, agent: request.agent}, (incoming) => {
      response = incoming
      const length = Number(incoming.headers['content-length'])
      if (Number.isFinite(length) && length > limits.maxBodyBytes) {
        fail(new TransportError(`the answer is ${describeBytes(length)}, more than the ${describeBytes(limits.maxBodyBytes)} limit (HARDENCTL_MAX_RESPONSE_MB)`, false))
        return
      }
      const chunks: Buffer[] = []
      let body: Readable = incoming
      if (/^\s*gzip\s*$/i.test(String(incoming.headers['content-encoding'] ?? ''))) {
        const gunzip = createGunzip()
        gunzip.on('error', () => fail(new TransportError('the answer is not valid gzip', true)))
        body = incoming.pipe(gunzip)
      }
      body.on('data', (chunk: Buffer) => {
        received += chunk.length
        if (received > limits.maxBodyBytes) {
          fail(new TransportError(`the answer grew past the ${describeBytes(limits.maxBodyBytes)} limit (HARDENCTL_MAX_RESPONSE_MB) and was cut off`, false))
          return
        }
        chunks.push(chunk)
      })
      body.on('end', () => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        const status = incoming.statusCode ?? 0
        resolve({status, statusText: incoming.statusMessage || STATUS_CODES[status] || '', headers: incoming.headers, text: Buffer.concat(chunks).toString('utf8')})
      })
      // 'aborted' and 'close' before 'end': the server (or something between) closed the connection mid-body.
      const cut = (): void => {
        const expected = Number.isFinite(length) ? ` of ${length}` : ''
        fail(new TransportError(`the connection closed in the middle of the answer (after ${received}${expected} bytes of the body)`, true))
      }
      incoming.on('aborted', cut)
      incoming.on('error', cut)
      incoming.on('close', () => {
        if (!incoming.complete) cut()
      })
    })
    outgoing.on('error', (error) => fail(new TransportError(describeNetworkError(error), true)))
    outgoing.end(request.body)
  })
}

/** `64 MiB`, `1.5 GiB`, `912 bytes`. */
export function describeBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`
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
 * One line for a failed request: a network error (the system error's code), a TLS failure.
 * Every one of them is retried: a restarting API server refuses connections and a load balancer
 * in front of it may present the wrong certificate for a moment.
 */
export function describeNetworkError(error: unknown): string {
  const record = (error ?? {}) as {code?: unknown; errno?: unknown; message?: unknown}
  const message = typeof record.message === 'string' ? record.message : String(error)
  // node-fetch says "request to <url> failed, reason: <system message>"; keep the reason.
  const reason = message.replace(/^request to \S+ failed, reason: /, '').split('\n')[0] ?? ''
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
