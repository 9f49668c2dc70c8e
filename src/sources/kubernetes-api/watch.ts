/**
 * Follows cluster-wide changes with the Kubernetes watch API, for `reconcile --watch`: per kind a
 * LIST (`?limit=1`) for a resourceVersion to start from, then
 * `?watch=1&resourceVersion=RV&allowWatchBookmarks=true`, read as newline-delimited JSON events.
 * A stream that ends is watched again from the last resourceVersion seen (events and bookmarks
 * both advance it). 410 Gone, as the answer or as an ERROR event, means the history since then is
 * gone: listed again, and the caller told that changes may have been missed. Any other failure is
 * reported once per reason and retried with backoff, until the signal aborts.
 *
 * Not client-node's `Watch`: it can only be aborted once the server has answered (a hung connect
 * would hold up SIGTERM), drops the Status of a refused watch, and has no read timeout. The HTTP
 * is that of http.ts: node-fetch with client-node's auth, and only reasons in messages.
 */
import {setTimeout as sleep} from 'node:timers/promises'

import type {KubeConfig} from '@kubernetes/client-node'
import fetch, {Headers, type RequestInit} from 'node-fetch'

import {IncompleteError} from '../../errors.js'
import {authorised, connect, parseBody, type Connection, type ConnectionOptions, describeStatus, isRecord, type Json, unauthorized, withRetries} from './http.js'
import {KUBERNETES_LISTS, type KubernetesList} from './list.js'
import {describeRequestError} from './retry.js'

export type ChangeType = 'added' | 'changed' | 'deleted'

export interface Change {
  kind: string
  type: ChangeType
  name: string
  /** Namespaced kinds only. */
  namespace?: string
}

export interface WatchOptions extends ConnectionOptions {
  /** Stops every watch; `stopped` settles once they are closed. */
  signal: AbortSignal
  onChange: (change: Change) => void
  /** The watch of `plural` had to start over from a fresh list: changes since it last saw one may have been missed. */
  onResync?: (plural: string) => void
  /** Listing or watching failed (retried meanwhile); once per reason until events arrive again. */
  onProblem?: (message: string) => void
  /** Default: Namespaces and Services. */
  kinds?: readonly KubernetesList[]
  /** Report only changes in these namespaces (and to these Namespace objects). */
  namespaces?: string[]
  /** Asked of the server: end each watch after this long, to be watched again. Default 300. */
  timeoutSeconds?: number
  /** Between fruitless attempts: doubling from `baseMs` up to `maxMs`. Default 1 s to 60 s. */
  backoff?: {baseMs: number; maxMs: number}
  /** Requests per plural (lists) and `<plural>:watch`, counted as sent. */
  requests?: Record<string, number>
}

export interface Watcher {
  /** Settles once every kind has a resourceVersion to watch from, or could not get one. */
  ready: Promise<void>
  /** Settles once the signal has aborted and every request is closed. */
  stopped: Promise<void>
}

export const WATCHED_KINDS: readonly KubernetesList[] = KUBERNETES_LISTS.filter((spec) => spec.kind === 'Namespace' || spec.kind === 'Service')

const TYPES: Record<string, ChangeType> = {ADDED: 'added', MODIFIED: 'changed', DELETED: 'deleted'}
const DEFAULT_TIMEOUT_SECONDS = 300
/** Past the server's own timeoutSeconds with nothing read, the connection is taken for dead. */
const IDLE_GRACE_MS = 60_000
/** An event is one object; a line this long is not one. */
const MAX_LINE = 16 << 20
/** A refusal is a Status of a few hundred bytes; more is not read (an endless body must not grow memory). */
const MAX_REFUSAL_BYTES = 1 << 20

interface Session extends Connection {
  signal: AbortSignal
  options: WatchOptions
  timeoutSeconds: number
  backoff: {baseMs: number; maxMs: number}
  namespaces?: Set<string>
  requests: Record<string, number>
}

export function watchChanges(config: KubeConfig, options: WatchOptions): Watcher {
  const session: Session = {
    // One attempt per list: the watch loop retries with its own backoff, and a stop is not held up by retry waits.
    ...connect(config, {...options, retry: options.retry ?? {attempts: 1}}),
    signal: options.signal,
    options,
    timeoutSeconds: options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    backoff: options.backoff ?? {baseMs: 1000, maxMs: 60_000},
    namespaces: options.namespaces ? new Set(options.namespaces) : undefined,
    requests: options.requests ?? {},
  }
  const readies: Promise<void>[] = []
  const follows = (options.kinds ?? WATCHED_KINDS).map((kind) => {
    let ready = (): void => {}
    readies.push(new Promise((resolve) => (ready = resolve)))
    return follow(kind, session, () => ready()).finally(() => ready())
  })
  return {ready: Promise.all(readies).then(() => undefined), stopped: Promise.all(follows).then(() => undefined)}
}

/** One kind, watched until the signal aborts. Never rejects. */
async function follow(kind: KubernetesList, session: Session, ready: () => void): Promise<void> {
  const problems = new Reporter(session)
  try {
    let from = await startingPoint(kind, session, problems)
    ready()
    // Attempts in a row that got no event: a watch ended or refused straight away is tried
    // again at once the first time (servers end idle watches), after that with backoff.
    let fruitless = 0
    while (!session.signal.aborted) {
      if (from === undefined) {
        from = await startingPoint(kind, session, problems)
        if (from === undefined) {
          await pause(session, ++fruitless)
          continue
        }
        session.options.onResync?.(kind.plural)
      }
      const outcome = await watchOnce(kind, from, session, problems)
      from = outcome.resourceVersion
      fruitless = outcome.received ? 0 : fruitless + 1
      if (outcome.received) problems.clear()
      if (fruitless > 1) await pause(session, fruitless - 1)
    }
  } catch (error) {
    // A bug, not the cluster: say so and stop watching this kind; the interval passes go on.
    problems.report(`watching ${kind.plural} stopped: ${error instanceof Error ? error.message : String(error)}`)
  }
}

/** The current resourceVersion of `kind`, from a one-item LIST; undefined (reported) when there is none. */
async function startingPoint(kind: KubernetesList, session: Session, problems: Reporter): Promise<string | undefined> {
  if (session.signal.aborted) return undefined
  const count = (): void => {
    session.requests[kind.plural] = (session.requests[kind.plural] ?? 0) + 1
  }
  let sent
  try {
    sent = await withRetries(session, {method: 'GET', path: `${kind.path}?limit=1`}, {count, beforeAttempt: () => stopIfAborted(session)})
  } catch (error) {
    if (session.signal.aborted) return undefined
    if (error instanceof IncompleteError) return problems.report(error.message)
    throw error
  }
  const why = `Kubernetes API ${session.shown}: cannot list ${kind.plural} to watch them from`
  if (!sent.answered) return problems.report(`${why}: ${sent.reason}`)
  const {answer} = sent
  if (answer.status === 401) return problems.report(unauthorized(session).message)
  if (answer.status < 200 || answer.status >= 300) return problems.report(`${why}: ${describeStatus(answer)}`)
  const metadata = isRecord(answer.body) && isRecord(answer.body.metadata) ? answer.body.metadata : {}
  const resourceVersion = metadata.resourceVersion
  if (typeof resourceVersion !== 'string' || resourceVersion === '') return problems.report(`${why}: the list has no resourceVersion`)
  return resourceVersion
}

interface Outcome {
  /** Where to watch from next; undefined: the history is gone, list again. */
  resourceVersion: string | undefined
  /** Whether any event or bookmark arrived. */
  received: boolean
}

async function watchOnce(kind: KubernetesList, from: string, session: Session, problems: Reporter): Promise<Outcome> {
  const query = `watch=1&resourceVersion=${encodeURIComponent(from)}&allowWatchBookmarks=true&timeoutSeconds=${session.timeoutSeconds}`
  const why = `Kubernetes API ${session.shown}: cannot watch ${kind.plural}`
  const controller = new AbortController()
  const abort = (): void => controller.abort()
  session.signal.addEventListener('abort', abort, {once: true})
  let idle = false
  const timer = setTimeout(() => {
    idle = true
    controller.abort()
  }, session.timeoutSeconds * 1000 + IDLE_GRACE_MS)
  let resourceVersion: string | undefined = from
  let received = false
  try {
    stopIfAborted(session)
    const init = await authorised(session)
    const headers = new Headers(init.headers)
    headers.set('Accept', 'application/json')
    session.requests[`${kind.plural}:watch`] = (session.requests[`${kind.plural}:watch`] ?? 0) + 1
    const response = await fetch(`${session.server}${kind.path}?${query}`, {
      agent: init.agent,
      headers,
      signal: controller.signal as RequestInit['signal'],
    })
    // node-fetch emits its abort on the body, which throws with nobody listening (after an early return).
    response.body.on('error', () => undefined)
    if (response.status !== 200) {
      const body = parseBody(await boundedText(response.body, MAX_REFUSAL_BYTES))
      if (response.status === 410) return {resourceVersion: undefined, received}
      if (response.status === 401) problems.report(unauthorized(session).message)
      else problems.report(`${why}: ${describeStatus({status: response.status, statusText: response.statusText, body})}`)
      return {resourceVersion, received}
    }
    const decoder = new TextDecoder()
    let buffered = ''
    for await (const chunk of response.body) {
      timer.refresh()
      buffered += decoder.decode(chunk as Buffer, {stream: true})
      for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
        const line = buffered.slice(0, newline)
        buffered = buffered.slice(newline + 1)
        const event = parseEvent(line)
        if (!event) continue
        if (event.type === 'ERROR') {
          if (event.object.code === 410) return {resourceVersion: undefined, received}
          problems.report(`${why}: ${describeError(event.object)}`)
          return {resourceVersion, received}
        }
        const metadata = isRecord(event.object.metadata) ? event.object.metadata : {}
        if (typeof metadata.resourceVersion === 'string' && metadata.resourceVersion !== '') resourceVersion = metadata.resourceVersion
        const type = TYPES[event.type]
        if (type === undefined && event.type !== 'BOOKMARK') continue
        received = true
        if (type !== undefined) tell(kind, type, metadata, session)
      }
      if (buffered.length > MAX_LINE) {
        problems.report(`${why}: an event longer than ${MAX_LINE} bytes`)
        return {resourceVersion, received}
      }
    }
    return {resourceVersion, received}
  } catch (error) {
    // Stopped, or the connection went quiet for longer than the server's own timeout: watched again.
    if (session.signal.aborted || idle) return {resourceVersion, received}
    if (error instanceof IncompleteError) problems.report(error.message)
    else problems.report(`${why}: ${describeRequestError(error, session.timeoutSeconds * 1000 + IDLE_GRACE_MS)}`)
    return {resourceVersion, received}
  } finally {
    clearTimeout(timer)
    session.signal.removeEventListener('abort', abort)
    controller.abort()
  }
}

/** The body as text, at most `max` bytes of it. */
async function boundedText(body: NodeJS.ReadableStream, max: number): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string)
    chunks.push(buffer.subarray(0, max - size))
    size += buffer.length
    if (size >= max) break
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** Passes a change on, unless it is outside the namespaces asked for. */
function tell(kind: KubernetesList, type: ChangeType, metadata: Json, session: Session): void {
  const name = typeof metadata.name === 'string' ? metadata.name : ''
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : undefined
  if (session.namespaces && !session.namespaces.has(kind.namespaced ? (namespace ?? '') : name)) return
  session.options.onChange({kind: kind.kind, type, name, ...(kind.namespaced && namespace !== undefined ? {namespace} : {})})
}

/** A line that is not an event (a line cut short by a dropped connection) is skipped. */
function parseEvent(line: string): {type: string; object: Json} | undefined {
  if (line.trim() === '') return undefined
  try {
    const event: unknown = JSON.parse(line)
    if (isRecord(event) && typeof event.type === 'string' && isRecord(event.object)) return {type: event.type, object: event.object}
  } catch {
    // fall through
  }
  return undefined
}

/** An ERROR event's Status: `Expired (410): too old resource version`. */
function describeError(status: Json): string {
  const reason = typeof status.reason === 'string' && status.reason !== '' ? status.reason : 'error'
  const code = typeof status.code === 'number' ? ` (${status.code})` : ''
  const message = typeof status.message === 'string' ? status.message.split('\n')[0] : ''
  return `${reason}${code}${message ? `: ${message}` : ''}`
}

function stopIfAborted(session: Session): void {
  if (session.signal.aborted) throw new IncompleteError('stopped')
}

async function pause(session: Session, attempt: number): Promise<void> {
  const delay = Math.min(session.backoff.baseMs * 2 ** (attempt - 1), session.backoff.maxMs)
  await sleep(delay, undefined, {signal: session.signal}).catch(() => undefined)
}

/** Says each problem once until it changes or the watch works again, so an outage is not a line per retry. */
class Reporter {
  private last: string | undefined
  constructor(private readonly session: Session) {}

  report(message: string): undefined {
    if (message !== this.last && !this.session.signal.aborted) this.session.options.onProblem?.(message)
    this.last = message
    return undefined
  }

  clear(): void {
    this.last = undefined
  }
}
