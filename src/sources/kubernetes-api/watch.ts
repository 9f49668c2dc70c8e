/**
 * `reconcile --watch`'s view of the cluster, kept the way client-go's informers keep theirs: per
 * kind one paged cluster-wide LIST (list.ts: the same pages, limits and namespace filter as a
 * one-shot run), then `?watch=1&resourceVersion=RV&allowWatchBookmarks=true` from the list's
 * resourceVersion, read as newline-delimited JSON events whose ADDED, MODIFIED and DELETED objects
 * are applied to an in-memory store of that kind. A pass reads the stores (`snapshot`) instead of
 * listing, so a pass after one change costs no request at all on the Kubernetes side.
 *
 * A stream that ends is watched again from the last resourceVersion seen (events and bookmarks
 * both advance it). 410 Gone, as the answer or as an ERROR event, means the history since then is
 * gone: the kind is listed again. Every `resyncMs` each kind is listed again anyway, a safety net
 * for anything a watch missed. A list that replaces a store is compared with it, and what differs
 * is reported like events are. Changes to the reported kinds (Namespaces and Services unless told
 * otherwise) go to `onChange`; the others only update their store. Any failure is reported once
 * per reason and retried with backoff, until the signal aborts; while a kind's list or watch is
 * failing its store may be behind the cluster, and `snapshot` says so instead of answering.
 *
 * Objects are stored as a list prints them (kind and apiVersion set, managedFields dropped),
 * redacted (src/sources/redact.ts) and frozen: every pass's inventory shares them, so nothing
 * downstream can change what the next pass reads.
 *
 * Not client-node's `Watch`: it can only be aborted once the server has answered (a hung connect
 * would hold up SIGTERM), drops the Status of a refused watch, and has no read timeout. The HTTP
 * is that of http.ts: node-fetch with client-node's auth, and only reasons in messages. A watch
 * stream has no size limit as a whole (it is endless by design); each event is bounded instead.
 */
import {setMaxListeners} from 'node:events'
import {setTimeout as sleep} from 'node:timers/promises'

import type {KubeConfig} from '@kubernetes/client-node'
import fetch, {Headers, type RequestInit} from 'node-fetch'

import {IncompleteError} from '../../errors.js'
import {redactDocuments} from '../redact.js'
import type {SourceDocument} from '../source-document.js'
import {authorised, type ConnectionOptions, describeStatus, isRecord, type Json, parseBody, unauthorized} from './http.js'
import {
  asKubectlPrints,
  documentPath,
  keep,
  KUBERNETES_LISTS,
  type KubernetesCollection,
  type KubernetesList,
  listDocument,
  listKind,
  type ListSession,
  listSession,
} from './list.js'
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
  /** A change to one of the `reported` kinds, from an event or found by a list that replaced the store. */
  onChange: (change: Change) => void
  /** Listing or watching failed (retried meanwhile); once per reason until it works again. */
  onProblem?: (message: string) => void
  /** Kinds kept. Default: every kind a live run lists (KUBERNETES_LISTS). */
  kinds?: readonly KubernetesList[]
  /** Kinds (`Service`) whose changes go to `onChange`. Default: REPORTED_KINDS. */
  reported?: readonly string[]
  /** Keep only objects in these namespaces (and only these Namespace objects); cluster-scoped kinds are kept whole. */
  namespaces?: string[]
  /** Asked of the server: end each watch after this long, to be watched again. Default 300. */
  timeoutSeconds?: number
  /** Every kind is listed again this often, whatever its watch saw. Default DEFAULT_RESYNC_MS. */
  resyncMs?: number
  /** Objects per LIST page. Default that of a one-shot run (500). */
  pageSize?: number
  /** Between fruitless attempts: doubling from `baseMs` up to `maxMs`. Default 1 s to 60 s. */
  backoff?: {baseMs: number; maxMs: number}
  /** Requests per plural (lists) and `<plural>:watch`, counted as sent. */
  requests?: Record<string, number>
}

export interface ClusterWatch {
  /** Settles once every kind has been listed, or could not be. */
  ready: Promise<void>
  /** Settles once the signal has aborted and every request is closed. */
  stopped: Promise<void>
  /**
   * The cluster as the stores hold it now, as `collectKubernetes` would have listed it (a kind
   * the credentials may not list is its Status and a warning); `requests` are those made since the
   * last snapshot. Throws an IncompleteError when a kind has no current view: never listed, or
   * its list or watch failing.
   */
  snapshot(): KubernetesCollection
}

/** Changes that start a reconcile pass: what the plan is made from besides Juju (pods change too often and change no policy). */
export const REPORTED_KINDS: readonly string[] = [
  'Namespace',
  'Service',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'APIService',
  // What routes to a model's Services: a route added is cut until a pass admits whoever carries it.
  'Ingress',
  'Gateway',
  'HTTPRoute',
  'GRPCRoute',
  // What scrapes it: a monitor added is cut until a pass admits Prometheus.
  'ServiceMonitor',
  'PodMonitor',
]
/** An hour: a whole-cluster LIST is the expensive request, and the watches keep the stores current meanwhile. */
export const DEFAULT_RESYNC_MS = 3_600_000

const TYPES: Record<string, ChangeType> = {ADDED: 'added', MODIFIED: 'changed', DELETED: 'deleted'}
const DEFAULT_TIMEOUT_SECONDS = 300
/** Past the server's own timeoutSeconds with nothing read, the connection is taken for dead. */
const IDLE_GRACE_MS = 60_000
/** An event is one object; a line this long is not one. */
const MAX_LINE = 16 << 20
/** A refusal is a Status of a few hundred bytes; more is not read (an endless body must not grow memory). */
const MAX_REFUSAL_BYTES = 1 << 20
/** setTimeout's limit; a later resync is looked at again then. */
const MAX_TIMER_MS = 2 ** 31 - 1

/** One kind's objects, by `namespace/name` (or name). */
class KindStore {
  objects: Map<string, Json> | undefined
  /** The kind may not be listed (403) or is not served (404): its Status and warning stand for it. */
  refusal: {document: Json; warning: string} | undefined
  /** Why the store may be behind the cluster: its list or watch is failing. */
  failing: string | undefined
  /** An optional kind the cluster does not serve (listed as none): nothing to watch until a resync lists it again. */
  notServed = false
  /** When the kind was last listed (or refused), for the resync. */
  listedAt = 0
  /** False once an object was added after the list: items are sorted again before they are read. */
  private sorted = true

  constructor(readonly spec: KubernetesList) {}

  /** Replaces every object with a list's; returns what was there before. */
  replace(items: Json[]): Map<string, Json> | undefined {
    const before = this.objects
    this.objects = new Map(items.map((item) => [keyOf(item), item]))
    this.refusal = undefined
    this.sorted = false
    return before
  }

  put(object: Json): Json | undefined {
    const objects = (this.objects ??= new Map())
    const key = keyOf(object)
    const before = objects.get(key)
    if (before === undefined) this.sorted = false
    objects.set(key, object)
    return before
  }

  delete(object: Json): void {
    this.objects?.delete(keyOf(object))
  }

  /** In the order a list gives them: by namespace, then name. */
  items(): Json[] {
    if (!this.objects) return []
    if (!this.sorted) {
      this.objects = new Map([...this.objects].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      this.sorted = true
    }
    return [...this.objects.values()]
  }
}

interface Session extends ListSession {
  /**
   * Lists run one at a time, whichever kind asks (the first lists, resyncs that fall together):
   * as in a one-shot run, the API server's fairness limits favour a steady client, and only one
   * list's pages are in memory at once.
   */
  oneAtATime: <T>(task: () => Promise<T>) => Promise<T>
  signal: AbortSignal
  options: WatchOptions
  timeoutSeconds: number
  resyncMs: number
  backoff: {baseMs: number; maxMs: number}
  reported: Set<string>
}

export function watchCluster(config: KubeConfig, options: WatchOptions): ClusterWatch {
  const requests = options.requests ?? {}
  const kinds = options.kinds ?? KUBERNETES_LISTS
  // Each kind listens for the stop while it watches or waits: more listeners than Node's default warns at.
  const stop = new AbortController()
  setMaxListeners(4 * kinds.length + 10, stop.signal)
  if (options.signal.aborted) stop.abort()
  else options.signal.addEventListener('abort', () => stop.abort(), {once: true})
  const session: Session = {
    // One attempt per request: the watch loop retries with its own backoff, and a stop is not held up by retry waits.
    ...listSession(config, {...options, retry: options.retry ?? {attempts: 1}}, requests),
    oneAtATime: serially(),
    signal: stop.signal,
    options,
    timeoutSeconds: options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    resyncMs: options.resyncMs ?? DEFAULT_RESYNC_MS,
    backoff: options.backoff ?? {baseMs: 1000, maxMs: 60_000},
    reported: new Set(options.reported ?? REPORTED_KINDS),
  }
  const stores = kinds.map((spec) => new KindStore(spec))
  const readies: Promise<void>[] = []
  const follows = stores.map((store) => {
    let ready = (): void => {}
    readies.push(new Promise((resolve) => (ready = resolve)))
    return follow(store, session, () => ready()).finally(() => ready())
  })
  let counted: Record<string, number> = {}
  return {
    ready: Promise.all(readies).then(() => undefined),
    stopped: Promise.all(follows).then(() => undefined),
    snapshot() {
      const documents: SourceDocument[] = []
      const warnings: string[] = []
      for (const store of stores) {
        const {spec} = store
        if (store.refusal) {
          documents.push({path: documentPath(spec), data: store.refusal.document})
          warnings.push(store.refusal.warning)
          continue
        }
        if (store.failing !== undefined) throw new IncompleteError(store.failing)
        if (!store.objects) throw new IncompleteError(`Kubernetes API ${session.shown}: ${spec.plural} not listed yet`)
        // Frozen and shared by every pass: the reader validates each once and sets its kind,
        // apiVersion and source reference on a copy of the top level.
        documents.push(listDocument(spec, store.items()))
      }
      const since: Record<string, number> = {}
      for (const [key, count] of Object.entries(requests)) if (count !== (counted[key] ?? 0)) since[key] = count - (counted[key] ?? 0)
      counted = {...requests}
      return {documents, warnings, requests: since}
    },
  }
}

/** Runs the tasks given to it one after another, in the order given. */
function serially(): <T>(task: () => Promise<T>) => Promise<T> {
  let last: Promise<unknown> = Promise.resolve()
  return <T>(task: () => Promise<T>): Promise<T> => {
    const run = last.then(task, task)
    last = run.catch(() => undefined)
    return run
  }
}

/** One kind, listed and watched until the signal aborts. Never rejects. */
async function follow(store: KindStore, session: Session, ready: () => void): Promise<void> {
  const problems = new Reporter(session, store)
  try {
    let from = await relist(store, session, problems)
    ready()
    // Attempts in a row that got no event: a watch ended or refused straight away is tried
    // again at once the first time (servers end idle watches), after that with backoff.
    let fruitless = 0
    while (!session.signal.aborted) {
      if (from === undefined) {
        // Not listed: a refusal (or a kind not served) is asked again at the next resync, a failure after a backoff.
        if (store.refusal || store.notServed) await pauseUntil(session, store.listedAt + session.resyncMs)
        else await pause(session, ++fruitless)
        from = await relist(store, session, problems)
        if (from !== undefined) fruitless = 0
        continue
      }
      const outcome = await watchOnce(store, from, session, problems)
      if (outcome.resync || outcome.resourceVersion === undefined) {
        // Due for a resync, or the history since `from` is gone.
        from = await relist(store, session, problems)
        if (from !== undefined) fruitless = 0
        continue
      }
      from = outcome.resourceVersion
      fruitless = outcome.received ? 0 : fruitless + 1
      if (fruitless > 1) await pause(session, fruitless - 1)
    }
  } catch (error) {
    // A bug, not the cluster: say so and stop watching this kind; passes say it is not current.
    problems.report(`watching ${store.spec.plural} stopped: ${error instanceof Error ? error.message : String(error)}`)
  }
}

/**
 * Lists the kind into its store and returns the resourceVersion to watch from; undefined when it
 * is refused (the store holds the refusal) or failed (reported).
 */
async function relist(store: KindStore, session: Session, problems: Reporter): Promise<string | undefined> {
  if (session.signal.aborted) return undefined
  const {spec} = store
  let listing
  try {
    listing = await session.oneAtATime(async () => (session.signal.aborted ? undefined : listKind(spec, session)))
  } catch (error) {
    if (session.signal.aborted) return undefined
    if (error instanceof IncompleteError) return problems.report(error.message)
    throw error
  }
  if (session.signal.aborted || listing === undefined) return undefined
  store.listedAt = Date.now()
  if (!listing.listed) {
    store.refusal = {document: listing.refusal, warning: listing.warning}
    store.objects = undefined
    problems.clear()
    return undefined
  }
  store.notServed = listing.notServed === true
  if (listing.notServed) {
    const before = store.replace([])
    problems.clear()
    if (before && session.reported.has(spec.kind)) tellDifferences(spec, before, store.objects!, session)
    return undefined
  }
  if (listing.resourceVersion === undefined) {
    return problems.report(`Kubernetes API ${session.shown}: cannot watch ${spec.plural}: the list has no resourceVersion to watch from`)
  }
  const before = store.replace(prepare(spec, listing.items))
  problems.clear()
  if (before && session.reported.has(spec.kind)) tellDifferences(spec, before, store.objects!, session)
  return listing.resourceVersion
}

interface Outcome {
  /** Where to watch from next; undefined: the history is gone, list again. */
  resourceVersion: string | undefined
  /** Whether any event or bookmark arrived. */
  received: boolean
  /** The kind is due to be listed again. */
  resync?: boolean
}

async function watchOnce(store: KindStore, from: string, session: Session, problems: Reporter): Promise<Outcome> {
  const {spec} = store
  const resyncIn = store.listedAt + session.resyncMs - Date.now()
  if (resyncIn <= 0) return {resourceVersion: from, received: false, resync: true}
  const query = `watch=1&resourceVersion=${encodeURIComponent(from)}&allowWatchBookmarks=true&timeoutSeconds=${session.timeoutSeconds}`
  const why = `Kubernetes API ${session.shown}: cannot watch ${spec.plural}`
  const controller = new AbortController()
  const abort = (): void => controller.abort()
  session.signal.addEventListener('abort', abort, {once: true})
  let idle = false
  const timer = setTimeout(() => {
    idle = true
    controller.abort()
  }, session.timeoutSeconds * 1000 + IDLE_GRACE_MS)
  let resync = false
  const resyncTimer = setTimeout(() => {
    // A resync later than a timer can wait for is looked at again when this one ends the watch.
    resync = resyncIn <= MAX_TIMER_MS
    controller.abort()
  }, Math.min(resyncIn, MAX_TIMER_MS))
  let resourceVersion: string | undefined = from
  let received = false
  try {
    stopIfAborted(session)
    const init = await authorised(session)
    const headers = new Headers(init.headers)
    headers.set('Accept', 'application/json')
    session.requests[`${spec.plural}:watch`] = (session.requests[`${spec.plural}:watch`] ?? 0) + 1
    const response = await fetch(`${session.server}${spec.path}?${query}`, {
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
    // Watching from where the store is: it is current again.
    problems.clear()
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
        if (type !== undefined) apply(store, type, event.object, session)
      }
      if (buffered.length > MAX_LINE) {
        problems.report(`${why}: an event longer than ${MAX_LINE} bytes`)
        return {resourceVersion, received}
      }
    }
    return {resourceVersion, received}
  } catch (error) {
    // Stopped, due for a resync, or the connection went quiet for longer than the server's own timeout: watched again.
    if (session.signal.aborted || idle || resync) return {resourceVersion, received, resync}
    if (error instanceof IncompleteError) problems.report(error.message)
    else problems.report(`${why}: ${describeRequestError(error, session.timeoutSeconds * 1000 + IDLE_GRACE_MS)}`)
    return {resourceVersion, received}
  } finally {
    clearTimeout(timer)
    clearTimeout(resyncTimer)
    session.signal.removeEventListener('abort', abort)
    controller.abort()
  }
}

/** An event's object into the store, and to `onChange` for a reported kind; outside the namespaces asked for, neither. */
function apply(store: KindStore, type: ChangeType, object: Json, session: Session): void {
  const {spec} = store
  if (!keep(object, spec, session.namespaces)) return
  const [prepared] = prepare(spec, [object])
  if (type === 'deleted') store.delete(prepared!)
  else store.put(prepared!)
  if (session.reported.has(spec.kind)) tell(spec, type, prepared!, session)
}

/** What a re-list found that the store did not have, no longer has, or had at another resourceVersion. */
function tellDifferences(spec: KubernetesList, before: Map<string, Json>, after: Map<string, Json>, session: Session): void {
  for (const [key, object] of after) {
    const old = before.get(key)
    if (old === undefined) tell(spec, 'added', object, session)
    else if (resourceVersionOf(old) !== resourceVersionOf(object)) tell(spec, 'changed', object, session)
  }
  for (const [key, object] of before) if (!after.has(key)) tell(spec, 'deleted', object, session)
}

function tell(spec: KubernetesList, type: ChangeType, object: Json, session: Session): void {
  const metadata = isRecord(object.metadata) ? object.metadata : {}
  const name = typeof metadata.name === 'string' ? metadata.name : ''
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : undefined
  session.options.onChange({kind: spec.kind, type, name, ...(spec.namespaced && namespace !== undefined ? {namespace} : {})})
}

/**
 * As a list prints them, redacted, without null fields, frozen. Kubernetes decodes `null` as an
 * absent field (src/sources/kubernetes/reader.ts drops them too, but in place, which a frozen
 * object does not allow).
 */
function prepare(spec: KubernetesList, objects: Json[]): Json[] {
  const items = objects.map((object) => asKubectlPrints(object, spec))
  redactDocuments([{path: documentPath(spec), data: {items}}])
  for (const item of items) freezeWithoutNulls(item)
  return items
}

function freezeWithoutNulls(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return
  if (Array.isArray(value)) {
    for (const item of value) freezeWithoutNulls(item)
  } else {
    const record = value as Record<string, unknown>
    for (const key of Object.keys(record)) {
      if (record[key] === null) delete record[key]
      else freezeWithoutNulls(record[key])
    }
  }
  Object.freeze(value)
}

function keyOf(object: Json): string {
  const metadata = isRecord(object.metadata) ? object.metadata : {}
  const name = typeof metadata.name === 'string' ? metadata.name : ''
  return typeof metadata.namespace === 'string' && metadata.namespace !== '' ? `${metadata.namespace}/${name}` : name
}

function resourceVersionOf(object: Json): unknown {
  return isRecord(object.metadata) ? object.metadata.resourceVersion : undefined
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

async function pauseUntil(session: Session, at: number): Promise<void> {
  const delay = Math.min(Math.max(0, at - Date.now()), MAX_TIMER_MS)
  await sleep(delay, undefined, {signal: session.signal}).catch(() => undefined)
}

/**
 * Says each problem once until it changes or the kind works again, so an outage is not a line per
 * retry; meanwhile the store is marked as possibly behind.
 */
class Reporter {
  private last: string | undefined
  constructor(
    private readonly session: Session,
    private readonly store: KindStore,
  ) {}

  report(message: string): undefined {
    if (message !== this.last && !this.session.signal.aborted) this.session.options.onProblem?.(message)
    this.last = message
    this.store.failing = message
    return undefined
  }

  clear(): void {
    this.last = undefined
    this.store.failing = undefined
  }
}
