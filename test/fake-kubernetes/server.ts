/**
 * A Kubernetes API server on loopback that answers the cluster-wide LISTs a live audit makes,
 * with real `limit`/`continue` pagination and the Status objects the real server sends. For CLI
 * end-to-end tests (the CLI runs in a child process, out of nock's reach) and the benchmark.
 *
 * It also serves single namespaced objects (`.../namespaces/{ns}/{plural}/{name}`): GET,
 * server-side apply (PATCH, `application/apply-patch+yaml`) and DELETE with preconditions, so a
 * reconcile can be tested end to end. Writes show in later LISTs. The apply is a simplified model
 * of the real one, enough for what hardenctl writes:
 *
 * - An apply sets the object's spec to the applied one and merges the applied labels and
 *   annotations into the live ones (the real merge also drops keys the applier set before and
 *   left out now). Nothing is defaulted (no `policyTypes` filled in). A no-op apply keeps the
 *   resourceVersion. Cluster-scoped objects (a Namespace's labels) can be applied too.
 * - Conflicts are per top-level spec field: another manager's `managedFields` entry (operation
 *   Update or Apply, not on a subresource) whose `fieldsV1` is absent or has `f:spec` owns the
 *   whole spec; applying a spec field whose value differs from the live one is a conflict with
 *   each such manager, unless `force=true`, which takes the spec away from them. Labels and
 *   annotations never conflict.
 * - Namespaces need not exist; a resourceVersion in the applied object is a precondition.
 *
 * PolicyReports (`wgpolicyk8s.io/v1alpha2`, namespaced) are served too, as if their CRD were
 * installed (`policyReportCrd: false` pretends it is not: every policyreports URL answers 404 like
 * an API server that does not serve the group). Their content is top-level (`scope`, `summary`,
 * `results`), not a spec: an apply replaces all of it. LISTs honour `fieldSelector` on
 * `metadata.name` and `metadata.namespace`.
 *
 * And watches on every list path (`?watch=1&resourceVersion=RV`, cluster-wide), for
 * `reconcile --watch`: the response stays open and streams `{"type":…,"object":…}` lines for
 * the changes made with `mutate`/`remove` (and by applies and deletes), replaying those after RV
 * first; without RV (or `0`) it starts with an ADDED per object, like the real server. BOOKMARKs
 * only when asked for (`allowWatchBookmarks=true`) and sent with `bookmark()`. `endWatches()`
 * ends the open streams (as the server does after `timeoutSeconds`), optionally with an ERROR
 * event of code 410; after `compact()` a watch from an older resourceVersion is answered
 * HTTP 410 Gone. Lists carry the current resourceVersion.
 */
import {randomUUID} from 'node:crypto'
import {writeFileSync} from 'node:fs'
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'

import {parse, stringify} from 'yaml'

import {KUBERNETES_LISTS, type KubernetesList} from '../../src/sources/kubernetes-api/list.js'

export interface FakeRequest {
  method: string
  path: string
  query: Record<string, string>
  authorization?: string
  /** Writes only (PATCH, DELETE): the body, parsed as JSON (or YAML) when it parses, else the text. */
  body?: unknown
}

export interface FakeKubernetesApi {
  /** `http://127.0.0.1:<port>` */
  url: string
  requests: FakeRequest[]
  /** Requests per list plural; watches under `<plural>:watch`; requests for single objects under their path. */
  requestsByPlural(): Record<string, number>
  /** The PATCH and DELETE requests in `requests`. */
  writes(): FakeRequest[]
  /** What the server holds now, each with apiVersion and kind; only those of `kind` when given. */
  objects(kind?: string): Json[]
  /**
   * Creates or replaces an object (apiVersion and kind as in a manifest; matched by namespace
   * and name) with the next resourceVersion, and tells the watches: ADDED or MODIFIED. Returns
   * that resourceVersion.
   */
  mutate(object: object): string
  /** Deletes an object and tells the watches (DELETED); false when there was none. */
  remove(kind: string, namespace: string | undefined, name: string): boolean
  /** A BOOKMARK at the current resourceVersion to every open watch that allowed bookmarks. */
  bookmark(): void
  /** Ends every open watch; with `gone`, after an ERROR event with code 410 (its resourceVersion is too old). */
  endWatches(how?: 'close' | 'gone'): void
  /** Forgets the change history: a watch from an older resourceVersion is answered HTTP 410 Gone. */
  compact(): void
  /** Settles once the `nth` watch of `plural` since the start (1 = the first) is open and streaming. */
  watchStarted(plural: string, nth?: number): Promise<void>
  close(): Promise<void>
}

/** Writes (PATCH, DELETE) to objects in `namespace` answer `status` the first `times` times (always without `times`). */
export interface FailWrites {
  namespace: string
  status: number
  times?: number
}

export interface FakeKubernetesOptions {
  /** Plurals answering 403 Forbidden. */
  forbidden?: string[]
  /** false: the PolicyReport CRD is not installed (policyreports URLs answer 404). Default: installed. */
  policyReportCrd?: boolean
  /**
   * The Gateway API CRDs: `v1` (the default) serves its kinds at gateway.networking.k8s.io/v1;
   * false: not installed (its lists and its group's discovery answer 404); `v1beta1`: an older
   * install, whose discovery lists the kinds at v1beta1 only, so the v1 lists answer 404.
   */
  gatewayApi?: 'v1' | 'v1beta1' | false
  /** Require `Authorization: Bearer <token>`; anything else gets 401. */
  token?: string
  /** Faults for writes, by namespace; the first entry matching a namespace with tries left answers. */
  failWrites?: FailWrites[]
}

const RESOURCE_VERSION = '4242'
/** Items serialised per write, so a 24k-pod list without `limit` is never one huge string. */
const WRITE_BATCH = 200

type Json = Record<string, unknown>

interface Served {
  spec: KubernetesList
  /** As the API sends them in a list: without kind and apiVersion. */
  items: Json[]
}

/** The Policy Report API's namespaced reports (wg-policy-prototypes, v1alpha2), a CRD on a real cluster. */
export const POLICY_REPORT_LIST: KubernetesList = {
  kind: 'PolicyReport',
  plural: 'policyreports',
  apiVersion: 'wgpolicyk8s.io/v1alpha2',
  path: '/apis/wgpolicyk8s.io/v1alpha2/policyreports',
  namespaced: true,
  optional: false,
}

/** Kinds whose content is every top-level field but apiVersion, kind and metadata (no spec). */
const TOP_LEVEL_CONTENT = new Set(['PolicyReport'])

export async function startFakeKubernetesApi(objects: object[], options: FakeKubernetesOptions = {}): Promise<FakeKubernetesApi> {
  const gatewayApi = options.gatewayApi ?? 'v1'
  const installed = gatewayApi === 'v1' ? KUBERNETES_LISTS : KUBERNETES_LISTS.filter((spec) => !spec.apiVersion.startsWith('gateway.networking.k8s.io/'))
  const lists = options.policyReportCrd === false ? installed : [...installed, POLICY_REPORT_LIST]
  const discovery = gatewayApiDiscovery(gatewayApi)
  const byPath = new Map<string, Served>(lists.map((spec) => [spec.path, {spec, items: []}]))
  for (const object of objects as Json[]) {
    const spec = lists.find((s) => s.kind === object.kind && s.apiVersion === object.apiVersion)
    if (!spec) throw new Error(`fake Kubernetes API: cannot serve ${String(object.apiVersion)} ${String(object.kind)}`)
    const {apiVersion: _apiVersion, kind: _kind, ...item} = object
    byPath.get(spec.path)?.items.push(item)
  }
  const forbidden = new Set(options.forbidden ?? [])
  const requests: FakeRequest[] = []
  const watches = new Watches()
  const store = new ObjectStore([...byPath.values()], options.failWrites ?? [], forbidden, (spec, type, item) => watches.publish(spec, type, item))

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://fake')
    const authorization = request.headers.authorization
    const record: FakeRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      ...(authorization === undefined ? {} : {authorization}),
    }
    requests.push(record)
    handle(request, response, url, record).catch((error: unknown) => {
      response.destroy(error instanceof Error ? error : new Error(String(error)))
    })
  })

  async function handle(request: IncomingMessage, response: ServerResponse, url: URL, record: FakeRequest): Promise<void> {
    if (options.token !== undefined && request.headers.authorization !== `Bearer ${options.token}`) {
      return sendStatus(response, 401, 'Unauthorized', 'Unauthorized')
    }
    const route = store.route(url.pathname)
    if (route) return store.handle(route, request, response, url, record)
    const discovered = discovery.get(url.pathname)
    if (discovered && request.method === 'GET') return sendJson(response, 200, discovered)
    const served = byPath.get(url.pathname)
    if (!served) return sendStatus(response, 404, 'NotFound', 'the server could not find the requested resource', {})
    if (request.method !== 'GET') {
      return sendStatus(response, 405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`)
    }
    const {spec} = served
    const group = spec.apiVersion.includes('/') ? spec.apiVersion.slice(0, spec.apiVersion.indexOf('/')) : ''
    const watch = isWatch(url)
    if (forbidden.has(spec.plural)) {
      const resource = group ? `${spec.plural}.${group}` : spec.plural
      const message =
        `${resource} is forbidden: User "system:serviceaccount:x:y" cannot ${watch ? 'watch' : 'list'} resource "${spec.plural}" ` +
        `in API group "${group}" at the cluster scope`
      return sendStatus(response, 403, 'Forbidden', message, group ? {group, kind: spec.plural} : {kind: spec.plural})
    }
    if (watch) return watches.serve(served, url, response)

    const start = decodeContinue(url.searchParams.get('continue'))
    if (start === undefined) return sendStatus(response, 400, 'BadRequest', 'continue key is not valid: malformed token')
    const selected = selectFields(served.items, url.searchParams.get('fieldSelector'))
    if (selected === undefined) {
      const message = `"${url.searchParams.get('fieldSelector') ?? ''}" is not a known field selector: only "metadata.name", "metadata.namespace"`
      return sendStatus(response, 400, 'BadRequest', message)
    }
    const limit = Number(url.searchParams.get('limit') ?? '0')
    const end = limit > 0 ? Math.min(start + limit, selected.length) : selected.length
    const metadata: Json = {resourceVersion: String(store.currentResourceVersion())}
    if (end < selected.length) {
      metadata.continue = encodeContinue(end, store.currentResourceVersion())
      metadata.remainingItemCount = selected.length - end
    }
    response.writeHead(200, {'Content-Type': 'application/json'})
    const head = {kind: `${spec.kind}List`, apiVersion: spec.apiVersion, metadata}
    await write(response, `${JSON.stringify(head).slice(0, -1)},"items":[`)
    for (let i = start; i < end; i += WRITE_BATCH) {
      const batch = selected.slice(i, Math.min(i + WRITE_BATCH, end)).map((item) => JSON.stringify(item))
      await write(response, (i === start ? '' : ',') + batch.join(','))
    }
    response.end(']}')
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const {port} = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    requestsByPlural() {
      const counts: Record<string, number> = {}
      for (const request of requests) {
        const plural = byPath.get(request.path)?.spec.plural
        // Watches count apart, so the list counts stay what a one-shot run makes.
        const key = plural === undefined ? request.path : isWatch(request.query) ? `${plural}:watch` : plural
        counts[key] = (counts[key] ?? 0) + 1
      }
      return counts
    },
    writes() {
      return requests.filter((request) => request.method === 'PATCH' || request.method === 'DELETE')
    },
    objects(kind?: string) {
      return store.objects(kind)
    },
    mutate(object: object) {
      return store.put(object as Json)
    },
    remove(kind: string, namespace: string | undefined, name: string) {
      return store.remove(kind, namespace, name)
    },
    bookmark() {
      watches.bookmark(store.currentResourceVersion())
    },
    endWatches(how: 'close' | 'gone' = 'close') {
      watches.end(how)
    },
    compact() {
      watches.compact(store.currentResourceVersion())
    },
    watchStarted(plural: string, nth = 1) {
      return watches.started(plural, nth)
    },
    close() {
      return new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      })
    },
  }
}

/**
 * Writes a kubeconfig with one cluster, user and context per server; returns its path. Every
 * cluster skips TLS verification: client-node refuses an `http://` server otherwise.
 */
export function writeKubeconfig(dir: string, servers: {context: string; url: string; token?: string}[], current?: string): string {
  const config: Json = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: servers.map(({context, url}) => ({name: context, cluster: {server: url, 'insecure-skip-tls-verify': true}})),
    users: servers.map(({context, token}) => ({name: context, user: token === undefined ? {} : {token}})),
    contexts: servers.map(({context}) => ({name: context, context: {cluster: context, user: context}})),
  }
  const currentContext = current ?? servers[0]?.context
  if (currentContext !== undefined) config['current-context'] = currentContext
  const file = join(dir, 'kubeconfig')
  writeFileSync(file, stringify(config))
  return file
}

function sendStatus(
  response: ServerResponse,
  code: number,
  reason: string,
  message: string,
  details?: Json,
  headers: Record<string, string> = {},
): void {
  const status: Json = {kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason}
  if (details) status.details = details
  status.code = code
  response.writeHead(code, {'Content-Type': 'application/json', ...headers})
  response.end(JSON.stringify(status))
}

function sendJson(response: ServerResponse, code: number, body: Json): void {
  response.writeHead(code, {'Content-Type': 'application/json'})
  response.end(JSON.stringify(body))
}

/**
 * The items a `fieldSelector` of `metadata.name=X` / `metadata.namespace=X` terms (comma-separated,
 * `=`, `==` or `!=`) keeps; undefined for a field the fake does not know.
 */
function selectFields(items: Json[], selector: string | null): Json[] | undefined {
  if (selector === null || selector === '') return items
  const terms: {field: string; value: string; negated: boolean}[] = []
  for (const term of selector.split(',')) {
    const match = /^([^!=]+)(==|=|!=)(.*)$/.exec(term.trim())
    if (!match || !['metadata.name', 'metadata.namespace'].includes(match[1]!)) return undefined
    terms.push({field: match[1]!.slice('metadata.'.length), value: match[3]!, negated: match[2] === '!='})
  }
  return items.filter((item) => {
    const metadata = asRecord(item.metadata)
    return terms.every(({field, value, negated}) => (String(metadata[field] ?? '') === value) !== negated)
  })
}

/** Opaque to clients, like the real one (base64 JSON naming where the next page starts). */
function encodeContinue(start: number, resourceVersion: number): string {
  return Buffer.from(JSON.stringify({v: 'meta.k8s.io/v1', rv: resourceVersion, start})).toString('base64')
}

function decodeContinue(token: string | null): number | undefined {
  if (token === null || token === '') return 0
  try {
    const start: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8')).start
    return typeof start === 'number' && Number.isInteger(start) && start >= 0 ? start : undefined
  } catch {
    return undefined
  }
}

function write(response: ServerResponse, chunk: string): Promise<void> {
  if (response.write(chunk)) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      response.off('close', onClose)
      resolve()
    }
    const onClose = () => {
      response.off('drain', onDrain)
      reject(new Error('client went away'))
    }
    response.once('drain', onDrain)
    response.once('close', onClose)
  })
}

type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED'

function isWatch(query: URL | Record<string, string>): boolean {
  const value = query instanceof URL ? query.searchParams.get('watch') : query.watch
  return value === '1' || value === 'true'
}

interface Change {
  resourceVersion: number
  plural: string
  type: ChangeType
  /** With apiVersion and kind, as a watch event carries it. */
  object: Json
}

interface OpenWatch {
  plural: string
  response: ServerResponse
  bookmarks: boolean
  apiVersion: string
  kind: string
}

/** The open watch streams and the change history they replay from. */
class Watches {
  private readonly history: Change[] = []
  /** A watch from a resourceVersion before this one is answered 410 Gone. */
  private oldest = 0
  private readonly open = new Set<OpenWatch>()
  private readonly opened = new Map<string, number>()
  private readonly waiting: {plural: string; nth: number; resolve: () => void}[] = []

  serve(served: Served, url: URL, response: ServerResponse): void {
    const {spec} = served
    const from = url.searchParams.get('resourceVersion')
    const start = from === null || from === '' || from === '0' ? undefined : Number(from)
    if (start !== undefined && (!Number.isInteger(start) || start < 0)) {
      return sendStatus(response, 400, 'BadRequest', `resourceVersion: Invalid value: "${from}": must be an integer`)
    }
    if (start !== undefined && start < this.oldest) {
      return sendStatus(response, 410, 'Expired', `too old resource version: ${start} (${this.oldest})`)
    }
    response.writeHead(200, {'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked'})
    response.flushHeaders()
    const watch: OpenWatch = {
      plural: spec.plural,
      response,
      bookmarks: url.searchParams.get('allowWatchBookmarks') === 'true',
      apiVersion: spec.apiVersion,
      kind: spec.kind,
    }
    if (start === undefined) {
      for (const item of served.items) send(watch, 'ADDED', withType(spec, structuredClone(item)))
    } else {
      for (const change of this.history) if (change.plural === spec.plural && change.resourceVersion > start) send(watch, change.type, change.object)
    }
    this.open.add(watch)
    response.once('close', () => this.open.delete(watch))
    const count = (this.opened.get(spec.plural) ?? 0) + 1
    this.opened.set(spec.plural, count)
    for (const waiter of this.waiting.filter((w) => w.plural === spec.plural && w.nth <= count)) {
      this.waiting.splice(this.waiting.indexOf(waiter), 1)
      waiter.resolve()
    }
  }

  publish(spec: KubernetesList, type: ChangeType, item: Json): void {
    const object = withType(spec, structuredClone(item))
    const change: Change = {resourceVersion: Number(asRecord(item.metadata).resourceVersion), plural: spec.plural, type, object}
    this.history.push(change)
    for (const watch of this.open) if (watch.plural === spec.plural) send(watch, type, object)
  }

  bookmark(current: number): void {
    for (const watch of this.open) {
      if (watch.bookmarks) send(watch, 'BOOKMARK', {apiVersion: watch.apiVersion, kind: watch.kind, metadata: {resourceVersion: String(current)}})
    }
  }

  end(how: 'close' | 'gone'): void {
    for (const watch of [...this.open]) {
      if (how === 'gone') {
        const status = {kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'too old resource version', reason: 'Expired', code: 410}
        send(watch, 'ERROR', status)
      }
      this.open.delete(watch)
      watch.response.end()
    }
  }

  compact(current: number): void {
    this.oldest = current
    this.history.splice(0)
  }

  started(plural: string, nth: number): Promise<void> {
    if ((this.opened.get(plural) ?? 0) >= nth) return Promise.resolve()
    return new Promise((resolve) => this.waiting.push({plural, nth, resolve}))
  }
}

function send(watch: OpenWatch, type: string, object: Json): void {
  // A watch is a trickle of small events: no backpressure to wait for.
  watch.response.write(`${JSON.stringify({type, object})}\n`)
}

/** A single namespaced object's URL: `{group version}/namespaces/{namespace}/{plural}/{name}`. */
interface ObjectRoute {
  served: Served
  namespace: string
  name: string
}

/** Reasons the real API server gives with these codes, for faults injected with `failWrites`. */
const FAULT_REASONS: Record<number, [string, string]> = {
  400: ['BadRequest', 'bad request'],
  401: ['Unauthorized', 'Unauthorized'],
  403: ['Forbidden', 'forbidden'],
  404: ['NotFound', 'not found'],
  409: ['Conflict', 'conflict'],
  422: ['Invalid', 'invalid'],
  429: ['TooManyRequests', 'Too many requests, please try again later.'],
  500: ['InternalError', 'Internal error occurred: etcdserver: request timed out'],
  503: ['ServiceUnavailable', 'the server is currently unable to handle the request'],
  504: ['Timeout', 'the server was unable to return a response in the time allotted'],
}

interface Conflict {
  manager: string
  field: string
}

/** The GET, apply and DELETE of single objects, against the same items the LISTs serve. */
class ObjectStore {
  /** resourceVersions handed out by writes continue from the lists' resourceVersion. */
  private resourceVersion = Number(RESOURCE_VERSION)
  private readonly faults: {namespace: string; status: number; left: number}[]

  constructor(
    private readonly served: Served[],
    failWrites: FailWrites[],
    private readonly forbidden: Set<string>,
    private readonly changed: (spec: KubernetesList, type: ChangeType, item: Json) => void,
  ) {
    this.faults = failWrites.map((f) => ({namespace: f.namespace, status: f.status, left: f.times ?? Number.POSITIVE_INFINITY}))
  }

  currentResourceVersion(): number {
    return this.resourceVersion
  }

  /** `mutate`: creates or replaces the object, with the next resourceVersion. */
  put(object: Json): string {
    const served = this.served.find((s) => s.spec.kind === object.kind && (object.apiVersion === undefined || s.spec.apiVersion === object.apiVersion))
    if (!served) throw new Error(`fake Kubernetes API: cannot serve ${String(object.apiVersion)} ${String(object.kind)}`)
    const {apiVersion: _apiVersion, kind: _kind, ...item} = structuredClone(object)
    const metadata = asRecord(item.metadata)
    item.metadata = metadata
    if (typeof metadata.name !== 'string') throw new Error('fake Kubernetes API: mutate needs metadata.name')
    const index = this.find(served, served.spec.namespaced ? metadata.namespace : undefined, metadata.name)
    const existing = asRecord(served.items[index]?.metadata)
    metadata.uid ??= existing.uid ?? randomUUID()
    metadata.creationTimestamp ??= existing.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z')
    metadata.resourceVersion = this.nextResourceVersion(false)
    if (index >= 0) served.items[index] = item
    else served.items.push(item)
    this.changed(served.spec, index >= 0 ? 'MODIFIED' : 'ADDED', item)
    return metadata.resourceVersion as string
  }

  /** `remove`: deletes the object; false when there was none. */
  remove(kind: string, namespace: string | undefined, name: string): boolean {
    const served = this.served.find((s) => s.spec.kind === kind)
    if (!served) throw new Error(`fake Kubernetes API: cannot serve ${kind}`)
    const index = this.find(served, namespace, name)
    const [item] = index >= 0 ? served.items.splice(index, 1) : []
    if (!item) return false
    this.deleted(served.spec, item)
    return true
  }

  private find(served: Served, namespace: unknown, name: unknown): number {
    return served.items.findIndex((item) => {
      const metadata = asRecord(item.metadata)
      return metadata.name === name && (!served.spec.namespaced || metadata.namespace === namespace)
    })
  }

  /** A deletion is a change too: the DELETED event carries the last state at a new resourceVersion. */
  private deleted(spec: KubernetesList, item: Json): void {
    const metadata = {...asRecord(item.metadata), resourceVersion: this.nextResourceVersion(false)}
    this.changed(spec, 'DELETED', {...item, metadata})
  }

  route(pathname: string): ObjectRoute | undefined {
    const match = /^(.*)\/namespaces\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(pathname)
    if (!match) {
      // A cluster-scoped object: /api/v1/namespaces/NAME, /apis/rbac.../clusterroles/NAME.
      const cluster = /^(.*)\/([^/]+)$/.exec(pathname)
      const served = cluster ? this.served.find((s) => !s.spec.namespaced && s.spec.path === cluster[1]) : undefined
      return served && cluster ? {served, namespace: '', name: decodeURIComponent(cluster[2]!)} : undefined
    }
    const [, prefix, namespace = '', plural, name = ''] = match
    const served = this.served.find((s) => s.spec.namespaced && s.spec.path === `${prefix}/${plural}`)
    if (!served) return undefined
    return {served, namespace: decodeURIComponent(namespace), name: decodeURIComponent(name)}
  }

  objects(kind?: string): Json[] {
    return this.served
      .filter((s) => kind === undefined || s.spec.kind === kind)
      .flatMap((s) => s.items.map((item) => withType(s.spec, structuredClone(item))))
  }

  async handle(route: ObjectRoute, request: IncomingMessage, response: ServerResponse, url: URL, record: FakeRequest): Promise<void> {
    const method = request.method ?? 'GET'
    const {spec} = route.served
    if (method === 'PATCH' || method === 'DELETE') {
      const text = await readBody(request)
      if (text !== '') record.body = parseBody(text)
    }
    if (!['GET', 'PATCH', 'DELETE'].includes(method)) {
      return sendStatus(response, 405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource')
    }
    const verb = method === 'GET' ? 'get' : method === 'PATCH' ? 'patch' : 'delete'
    if (this.forbidden.has(spec.plural)) {
      const message =
        `${resourceName(spec)} "${route.name}" is forbidden: User "system:serviceaccount:x:y" cannot ${verb} resource ` +
        `"${spec.plural}" in API group "${group(spec)}" in the namespace "${route.namespace}"`
      return sendStatus(response, 403, 'Forbidden', message, details(spec, route.name))
    }
    if (method !== 'GET') {
      const fault = this.faults.find((f) => f.namespace === route.namespace && f.left > 0)
      if (fault) {
        fault.left--
        const [reason, message] = FAULT_REASONS[fault.status] ?? ['InternalError', `injected fault ${fault.status}`]
        const headers: Record<string, string> = fault.status === 429 ? {'Retry-After': '1'} : {}
        return sendStatus(response, fault.status, reason, message, details(spec, route.name), headers)
      }
    }
    const index = this.indexOf(route)
    if (method === 'GET') {
      const item = route.served.items[index]
      if (!item) return this.notFound(response, route)
      return sendJson(response, 200, withType(spec, structuredClone(item)))
    }
    const dryRun = url.searchParams.get('dryRun')
    if (dryRun !== null && dryRun !== 'All') {
      return sendStatus(response, 400, 'BadRequest', `Invalid value: "${dryRun}": supported values: "All"`)
    }
    if (method === 'DELETE') return this.delete(route, index, record.body, dryRun === 'All', response)
    return this.apply(route, index, request, url, record.body, dryRun === 'All', response)
  }

  private indexOf(route: ObjectRoute): number {
    return route.served.items.findIndex((item) => {
      const metadata = asRecord(item.metadata)
      return (metadata.namespace ?? '') === route.namespace && metadata.name === route.name
    })
  }

  private notFound(response: ServerResponse, route: ObjectRoute): void {
    const {spec} = route.served
    sendStatus(response, 404, 'NotFound', `${resourceName(spec)} "${route.name}" not found`, details(spec, route.name))
  }

  private nextResourceVersion(dryRun: boolean): string {
    if (dryRun) return String(this.resourceVersion + 1)
    this.resourceVersion++
    return String(this.resourceVersion)
  }

  private delete(route: ObjectRoute, index: number, body: unknown, dryRun: boolean, response: ServerResponse): void {
    const {spec} = route.served
    const item = route.served.items[index]
    if (!item) return this.notFound(response, route)
    const metadata = asRecord(item.metadata)
    const preconditions = asRecord(asRecord(body).preconditions)
    const conflict = (message: string) => sendStatus(response, 409, 'Conflict', message, details(spec, route.name))
    if (typeof preconditions.uid === 'string' && preconditions.uid !== metadata.uid) {
      return conflict(`Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${String(metadata.uid ?? '')}`)
    }
    if (typeof preconditions.resourceVersion === 'string' && preconditions.resourceVersion !== metadata.resourceVersion) {
      return conflict(
        `Operation cannot be fulfilled on ${resourceName(spec)} "${route.name}": the ResourceVersion in the precondition ` +
          `(${preconditions.resourceVersion}) does not match the ResourceVersion in record (${String(metadata.resourceVersion ?? '')}). ` +
          'The object might have been modified',
      )
    }
    if (!dryRun) {
      route.served.items.splice(index, 1)
      this.deleted(spec, item)
    }
    const group = spec.apiVersion.includes('/') ? {group: spec.apiVersion.slice(0, spec.apiVersion.indexOf('/'))} : {}
    sendJson(response, 200, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: {name: route.name, ...group, kind: spec.plural, uid: metadata.uid},
    })
  }

  private apply(
    route: ObjectRoute,
    index: number,
    request: IncomingMessage,
    url: URL,
    body: unknown,
    dryRun: boolean,
    response: ServerResponse,
  ): void {
    const {spec} = route.served
    const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase()
    if (contentType !== 'application/apply-patch+yaml') {
      const message = 'the body of the request was in an unknown format - accepted media types include: application/apply-patch+yaml'
      return sendStatus(response, 415, 'UnsupportedMediaType', message)
    }
    const manager = url.searchParams.get('fieldManager')
    if (!manager) {
      const message = 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'
      return sendStatus(response, 400, 'BadRequest', message)
    }
    const force = url.searchParams.get('force') === 'true'
    if (!isJson(body)) return sendStatus(response, 400, 'BadRequest', 'error decoding YAML: the body is not an object')
    if (body.apiVersion !== spec.apiVersion || body.kind !== spec.kind) {
      return sendStatus(response, 400, 'BadRequest', `the body is not a ${spec.apiVersion} ${spec.kind}`)
    }
    const applied = asRecord(body.metadata)
    if (applied.name !== route.name) {
      const message = `the name of the object (${String(applied.name)}) does not match the name on the URL (${route.name})`
      return sendStatus(response, 400, 'BadRequest', message)
    }
    if (applied.namespace !== undefined && applied.namespace !== route.namespace) {
      const message = 'the namespace of the provided object does not match the namespace sent on the request'
      return sendStatus(response, 400, 'BadRequest', message)
    }
    const existing = route.served.items[index]
    const live = asRecord(existing?.metadata)
    if (applied.resourceVersion !== undefined && applied.resourceVersion !== live.resourceVersion) {
      const message =
        `Operation cannot be fulfilled on ${resourceName(spec)} "${route.name}": the object has been modified; ` +
        'please apply your changes to the latest version and try again'
      return sendStatus(response, 409, 'Conflict', message, details(spec, route.name))
    }

    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z')
    const fieldsV1 = fieldsOf(body, TOP_LEVEL_CONTENT.has(spec.kind))
    const entry: Json = {manager, operation: 'Apply', apiVersion: spec.apiVersion, time: now, fieldsType: 'FieldsV1', fieldsV1}
    let result: Json
    let code: number
    if (!existing) {
      const metadata: Json = {name: route.name, namespace: route.namespace, uid: randomUUID()}
      metadata.resourceVersion = this.nextResourceVersion(dryRun)
      metadata.generation = 1
      metadata.creationTimestamp = now
      if (applied.labels !== undefined) metadata.labels = structuredClone(applied.labels)
      if (applied.annotations !== undefined) metadata.annotations = structuredClone(applied.annotations)
      metadata.managedFields = [entry]
      result = {metadata}
      if (TOP_LEVEL_CONTENT.has(spec.kind)) Object.assign(result, structuredClone(contentOf(body)))
      else if (body.spec !== undefined) result.spec = structuredClone(body.spec)
      code = 201
    } else {
      const managedFields = Array.isArray(live.managedFields) ? live.managedFields.filter(isJson) : []
      const conflicts = force ? [] : conflictsOf(managedFields, manager, asRecord(body.spec), asRecord(existing.spec))
      if (conflicts.length > 0) {
        const message =
          `Apply failed with ${conflicts.length} conflict${conflicts.length === 1 ? '' : 's'}: ` +
          conflicts.map((c) => `conflict with "${c.manager}": ${c.field}`).join('; ')
        const causes = conflicts.map((c) => ({reason: 'FieldManagerConflict', message: `conflict with "${c.manager}"`, field: c.field}))
        return sendStatus(response, 409, 'Conflict', message, {causes})
      }
      result = structuredClone(existing)
      const metadata = asRecord(result.metadata)
      result.metadata = metadata
      // Labels and annotations merge: keys other managers set stay (as with real server-side apply).
      for (const key of ['labels', 'annotations']) {
        if (applied[key] !== undefined) metadata[key] = {...asRecord(metadata[key]), ...structuredClone(asRecord(applied[key]))}
      }
      if (TOP_LEVEL_CONTENT.has(spec.kind)) {
        for (const key of Object.keys(contentOf(result))) delete result[key]
        Object.assign(result, structuredClone(contentOf(body)))
      } else if (body.spec !== undefined) result.spec = structuredClone(body.spec)
      else if (route.served.spec.namespaced) delete result.spec
      const specChanged = TOP_LEVEL_CONTENT.has(spec.kind)
        ? canonical(contentOf(result)) !== canonical(contentOf(existing))
        : canonical(result.spec) !== canonical(existing.spec)
      const changed = specChanged || canonical([metadata.labels, metadata.annotations]) !== canonical([live.labels, live.annotations])
      const ours = (f: Json) => f.manager === manager && f.operation === 'Apply'
      const others = managedFields.flatMap((f) => (ours(f) ? [] : force ? withoutSpec(f, manager) : [f]))
      const previous = managedFields.find(ours)
      const ownsChanged = previous === undefined || canonical(previous.fieldsV1) !== canonical(entry.fieldsV1)
      const taken = canonical(others) !== canonical(managedFields.filter((f) => !ours(f)))
      // A no-op apply (same fields, same owners) writes nothing: same resourceVersion and managedFields.
      if (changed || ownsChanged || taken) {
        metadata.managedFields = [...others, entry]
        metadata.resourceVersion = this.nextResourceVersion(dryRun)
        if (specChanged && typeof metadata.generation === 'number') metadata.generation++
      }
      code = 200
    }
    if (!dryRun) {
      if (existing) route.served.items[index] = result
      else route.served.items.push(result)
      if (!existing || asRecord(result.metadata).resourceVersion !== live.resourceVersion) this.changed(spec, existing ? 'MODIFIED' : 'ADDED', result)
    }
    sendJson(response, code, withType(spec, structuredClone(result)))
  }
}

/**
 * Other managers owning the spec (an Update or Apply entry, not on a subresource, whose fieldsV1
 * is absent or has `f:spec`), crossed with the applied top-level spec fields whose value differs.
 */
function conflictsOf(managedFields: Json[], manager: string, applied: Json, live: Json): Conflict[] {
  const owners = managedFields.filter(
    (f) =>
      typeof f.manager === 'string' &&
      f.manager !== manager &&
      (f.operation === 'Update' || f.operation === 'Apply') &&
      (f.subresource === undefined || f.subresource === '') &&
      (!isJson(f.fieldsV1) || 'f:spec' in f.fieldsV1),
  )
  const differing = Object.keys(applied).filter((key) => canonical(applied[key]) !== canonical(live[key]))
  const managers = [...new Set(owners.map((f) => f.manager as string))]
  return managers.flatMap((owner) => differing.map((key) => ({manager: owner, field: `.spec.${key}`})))
}

/** A forced apply takes the spec: other managers keep only what else they owned. */
function withoutSpec(entry: Json, manager: string): Json[] {
  if (entry.manager === manager || (entry.subresource !== undefined && entry.subresource !== '')) return [entry]
  if (entry.operation !== 'Update' && entry.operation !== 'Apply') return [entry]
  if (!isJson(entry.fieldsV1)) return []
  const {'f:spec': _taken, ...rest} = entry.fieldsV1
  return Object.keys(rest).length === 0 ? [] : [{...entry, fieldsV1: rest}]
}

/** The fields an applied object sets, as FieldsV1 (maps as `f:<key>`, anything else a leaf). */
function fieldsOf(body: Json, topLevel = false): Json {
  const leaves = (value: unknown): Json =>
    isJson(value) ? Object.fromEntries(Object.entries(value).map(([key, v]) => [`f:${key}`, leaves(v)])) : {}
  const metadata = asRecord(body.metadata)
  const fields: Json = {}
  const owned: Json = {}
  for (const key of ['labels', 'annotations']) if (isJson(metadata[key])) owned[`f:${key}`] = leaves(metadata[key])
  if (Object.keys(owned).length > 0) fields['f:metadata'] = owned
  if (topLevel) for (const [key, value] of Object.entries(contentOf(body))) fields[`f:${key}`] = leaves(value)
  else if (isJson(body.spec)) fields['f:spec'] = leaves(body.spec)
  return fields
}

/** A top-level-content object's content: every field but apiVersion, kind and metadata. */
function contentOf(object: Json): Json {
  const {apiVersion: _apiVersion, kind: _kind, metadata: _metadata, ...content} = object
  return content
}

function withType(spec: KubernetesList, item: Json): Json {
  return {apiVersion: spec.apiVersion, kind: spec.kind, ...item}
}

function group(spec: KubernetesList): string {
  return spec.apiVersion.includes('/') ? spec.apiVersion.slice(0, spec.apiVersion.indexOf('/')) : ''
}

function resourceName(spec: KubernetesList): string {
  const g = group(spec)
  return g ? `${spec.plural}.${g}` : spec.plural
}

function details(spec: KubernetesList, name: string): Json {
  const g = group(spec)
  return g ? {name, group: g, kind: spec.plural} : {name, kind: spec.plural}
}

function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function asRecord(value: unknown): Json {
  return isJson(value) ? value : {}
}

/** JSON with sorted keys, to compare values regardless of key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isJson(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v,
  ) ?? 'undefined'
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    try {
      return parse(text) as unknown
    } catch {
      return text
    }
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })
}

/**
 * What API discovery answers for the Gateway API's group (an APIGroup) and, for an older install,
 * its version (an APIResourceList), as the API server shapes them.
 */
function gatewayApiDiscovery(installed: 'v1' | 'v1beta1' | false): Map<string, Json> {
  const group = 'gateway.networking.k8s.io'
  if (installed === false) return new Map()
  const groupVersion = `${group}/${installed}`
  const version = {groupVersion, version: installed}
  const resources = KUBERNETES_LISTS.filter((spec) => spec.apiVersion.startsWith(`${group}/`) && (installed === 'v1' || spec.kind !== 'GRPCRoute')).map((spec) => ({
    name: spec.plural,
    singularName: spec.kind.toLowerCase(),
    namespaced: spec.namespaced,
    kind: spec.kind,
    verbs: ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'],
  }))
  return new Map<string, Json>([
    [`/apis/${group}`, {kind: 'APIGroup', apiVersion: 'v1', name: group, versions: [version], preferredVersion: version}],
    [`/apis/${groupVersion}`, {kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources}],
  ])
}
