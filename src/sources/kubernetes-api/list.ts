/**
 * Reads the cluster over its API: one paginated cluster-wide LIST per kind, turned into exactly
 * what `kubectl get <plural> -A -o json` prints, at `kubernetes/<plural>.json` in the snapshot
 * layout (README "Input layout"). A kind the credentials may not list becomes the `kind: Status`
 * the server answered with, which the reader turns into a gap ("could not inspect").
 *
 * The HTTP (http.ts) is plain node-fetch with client-node's auth, not the generated typed APIs:
 * those turn objects into model classes with Date fields, which is not the `kubectl -o json` shape
 * a snapshot must hold, and cost memory at tens of thousands of pods.
 */
import type {KubeConfig} from '@kubernetes/client-node'

import {IncompleteError} from '../../errors.js'
import {gatewayOfProxyPod} from '../../inventory/gateway-api.js'
import {isIngressControllerPod} from '../../inventory/kubernetes.js'
import {isPrometheusOperatorPod} from '../../inventory/prometheus-operator.js'
import {KUBERNETES_LISTS, type KubernetesList} from '../../inventory/kubernetes-kinds.js'
import type {SourceDocument} from '../source-document.js'
import {
  type Answer,
  connect,
  type Connection,
  type ConnectionOptions,
  describeStatus,
  isRecord,
  type Json,
  unauthorized,
  withRetries,
} from './http.js'

export {KUBERNETES_LISTS, type KubernetesList} from '../../inventory/kubernetes-kinds.js'

export interface KubernetesCollection {
  documents: SourceDocument[]
  /** HTTP requests per plural, retries and restarted lists included. */
  requests: Record<string, number>
  /** Kinds that could not be inspected; each also has a `kind: Status` document. */
  warnings: string[]
}

export interface ListProgress {
  /** The plural listed (`pods`), as in `requests`. */
  kind: string
  /** Pages received so far for this kind. */
  page: number
  /** Objects received so far for this kind, before the namespace filter. */
  items: number
}

export interface CollectOptions extends ConnectionOptions {
  /** Keep only objects in these namespaces (and only these Namespace objects); cluster-scoped kinds are kept whole. */
  namespaces?: string[]
  pageSize?: number
  onProgress?: (event: ListProgress) => void
}

const DEFAULT_PAGE_SIZE = 500
/** A continue token expires after a few minutes (410 Gone); lists restarted from the first page. */
const MAX_RESTARTS = 2

export interface ListSession extends Connection {
  pageSize: number
  namespaces?: Set<string>
  onProgress?: (event: ListProgress) => void
  /** Requests per plural, counted as sent. */
  requests: Record<string, number>
}

export function listSession(config: KubeConfig, options: CollectOptions = {}, requests: Record<string, number> = {}): ListSession {
  return {
    ...connect(config, options),
    pageSize: Math.max(1, Math.floor(options.pageSize ?? DEFAULT_PAGE_SIZE)),
    namespaces: options.namespaces ? new Set(options.namespaces) : undefined,
    onProgress: options.onProgress,
    requests,
  }
}

export async function collectKubernetes(config: KubeConfig, options: CollectOptions = {}): Promise<KubernetesCollection> {
  const session = listSession(config, options)
  const collection: KubernetesCollection = {documents: [], requests: session.requests, warnings: []}
  // One kind at a time: the API server's fairness limits favour a steady client, and only one
  // kind's pages are in memory besides what is already collected.
  for (const spec of KUBERNETES_LISTS) {
    session.requests[spec.plural] = 0
    const listing = await listKind(spec, session)
    if (listing.listed) {
      collection.documents.push(listDocument(spec, listing.items))
    } else {
      collection.warnings.push(listing.warning)
      collection.documents.push({path: documentPath(spec), data: listing.refusal})
    }
  }
  return collection
}

/** Where a kind's objects go in the snapshot layout: `kubernetes/<plural>.json`. */
export function documentPath(spec: KubernetesList): string {
  return `kubernetes/${spec.plural}.json`
}

/** A kind's objects as `kubectl get <plural> -A -o json` prints them. */
export function listDocument(spec: KubernetesList, items: Json[]): SourceDocument {
  return {path: documentPath(spec), data: {apiVersion: 'v1', kind: 'List', metadata: {resourceVersion: ''}, items}}
}

/**
 * A kind's objects (namespace filter applied, as kubectl prints them) and the resourceVersion of
 * the list, to watch from; or, for a kind the credentials may not list (403) or the server does
 * not serve (404), the Status it answered, completed, and a warning. Anything else throws.
 * An optional kind (the Gateway API) whose group the cluster does not serve at all is listed as
 * none, `notServed`: there is nothing to watch until a later list finds its CRDs.
 */
export type Listing =
  | {listed: true; items: Json[]; resourceVersion: string | undefined; notServed?: true}
  | {listed: false; refusal: Json; warning: string}

export async function listKind(spec: KubernetesList, session: ListSession): Promise<Listing> {
  for (let restarts = 0; ; restarts++) {
    const result = await listPages(spec, session)
    if (result.ok) return {listed: true, items: result.items, resourceVersion: result.resourceVersion}

    const {status} = result.answer
    if (status === 410) {
      if (restarts < MAX_RESTARTS) continue
      const why = `the list kept changing while paging (${describeStatus(result.answer)}), restarted ${restarts} times`
      throw failed(session, spec, why)
    }
    if (status === 401) throw unauthorized(session)
    if (status === 404 && spec.optional) {
      const elsewhere = await servedAtOtherVersion(spec, session)
      if (elsewhere === undefined) return {listed: true, items: [], resourceVersion: undefined, notServed: true}
      const why = `the API server serves them as ${elsewhere}, not ${spec.apiVersion}, which hardenctl reads: upgrade the CRDs`
      return {listed: false, refusal: refusal(spec, result.answer), warning: `could not inspect ${spec.plural}: ${why}`}
    }
    if (status === 403 || status === 404) {
      const why = status === 403 ? 'forbidden' : `not found (the API server does not serve ${spec.apiVersion})`
      return {listed: false, refusal: refusal(spec, result.answer), warning: `could not inspect ${spec.plural}: ${why}`}
    }
    throw failed(session, spec, describeStatus(result.answer))
  }
}

/**
 * For an optional kind not served at the version hardenctl reads: the other version of its group
 * that serves it (an older Gateway API install serving HTTPRoutes as v1beta1 only), or undefined
 * when none does, so the cluster has none. Asked through API discovery: the group, then each of
 * its other versions' resources.
 */
async function servedAtOtherVersion(spec: KubernetesList, session: ListSession): Promise<string | undefined> {
  const group = spec.apiVersion.slice(0, spec.apiVersion.indexOf('/'))
  const discovered = await discover(spec, session, `/apis/${group}`)
  if (discovered === undefined) return undefined
  const versions = Array.isArray(discovered.versions) ? discovered.versions : []
  for (const version of versions) {
    const groupVersion = isRecord(version) ? version.groupVersion : undefined
    if (typeof groupVersion !== 'string' || groupVersion === spec.apiVersion) continue
    const resources = (await discover(spec, session, `/apis/${groupVersion}`))?.resources
    if (Array.isArray(resources) && resources.some((resource) => isRecord(resource) && resource.name === spec.plural)) return groupVersion
  }
  return undefined
}

/** A discovery document, or undefined when the server does not serve that path (404). */
async function discover(spec: KubernetesList, session: ListSession, path: string): Promise<Json | undefined> {
  const count = (): void => {
    session.requests[spec.plural] = (session.requests[spec.plural] ?? 0) + 1
  }
  const sent = await withRetries(session, {method: 'GET', path}, {count})
  if (!sent.answered) throw failed(session, spec, sent.reason)
  const {answer} = sent
  if (answer.status === 404) return undefined
  if (answer.status === 401) throw unauthorized(session)
  if (answer.status < 200 || answer.status >= 300) throw failed(session, spec, `API discovery at ${path}: ${describeStatus(answer)}`)
  if (!isRecord(answer.body)) throw failed(session, spec, `API discovery at ${path}: expected a JSON object, got ${answer.contentType || 'something else'}`)
  return answer.body
}

type Listed = {ok: true; items: Json[]; resourceVersion: string | undefined} | {ok: false; answer: Answer}

async function listPages(spec: KubernetesList, session: ListSession): Promise<Listed> {
  const items: Json[] = []
  let resourceVersion: string | undefined
  let token: string | undefined
  let page = 0
  let listed = 0
  do {
    const answer = await getPage(spec, session, token)
    if ('status' in answer) return {ok: false, answer}
    const received = answer.page.items ?? []
    if (!Array.isArray(received)) {
      throw failed(session, spec, `expected a list with items, got ${String(answer.page.kind ?? 'another object')}`)
    }
    for (const item of received) {
      if (isRecord(item) && keep(item, spec, session.namespaces)) items.push(asKubectlPrints(item, spec))
    }
    const metadata = answer.page.metadata
    // Every page of a list is read at the first one's resourceVersion.
    if (page === 0 && isRecord(metadata) && typeof metadata.resourceVersion === 'string' && metadata.resourceVersion !== '') {
      resourceVersion = metadata.resourceVersion
    }
    page++
    listed += received.length
    session.onProgress?.({kind: spec.plural, page, items: listed})
    const next = isRecord(metadata) ? metadata.continue : undefined
    token = typeof next === 'string' && next !== '' ? next : undefined
  } while (token !== undefined)
  return {ok: true, items, resourceVersion}
}

/**
 * Whether the namespace filter keeps `item`. Ingress controllers' pods and Gateways' proxies are
 * kept from every namespace: a plan admits Ingress and route backends from where they run, and on
 * the host network only a controller's pods say so (`reconcile -n` would otherwise cut it off).
 * So are the Gateways, and the routes from other namespaces to a kept one; and Prometheus
 * Operator's Prometheus pods, and the monitors elsewhere that select a kept namespace. A Juju unit's pod
 * is not one (a Juju application named `traefik` serves its relations, not Ingress objects), and
 * stays out, so `audit -n` judges no other model's pods.
 */
export function keep(item: Json, spec: KubernetesList, namespaces: Set<string> | undefined): boolean {
  if (!namespaces) return true
  const metadata = isRecord(item.metadata) ? item.metadata : {}
  if (spec.kind === 'Namespace') return namespaces.has(metadata.name as string)
  if (spec.kind === 'Pod' && (isIngressControllerPod({metadata, spec: item.spec}) || isGatewayProxy(metadata) || isPrometheusOperatorPod(metadata))) return true
  if ((spec.kind === 'ServiceMonitor' || spec.kind === 'PodMonitor') && monitorsInto(item, namespaces)) return true
  // What routes to a kept namespace: every Gateway (a route names its parent in any namespace), and
  // a route elsewhere whose backend is in a kept namespace.
  if (spec.kind === 'Gateway') return true
  if ((spec.kind === 'HTTPRoute' || spec.kind === 'GRPCRoute') && routesInto(item, namespaces)) return true
  // Cluster-scoped RBAC decides what the kept namespaces' service accounts may do.
  return !spec.namespaced || namespaces.has(metadata.namespace as string)
}

function routesInto(route: Json, namespaces: Set<string>): boolean {
  const metadata = isRecord(route.metadata) ? route.metadata : {}
  const rules = isRecord(route.spec) && Array.isArray(route.spec.rules) ? route.spec.rules : []
  return rules.some(
    (rule) =>
      isRecord(rule) &&
      Array.isArray(rule.backendRefs) &&
      rule.backendRefs.some((ref) => isRecord(ref) && namespaces.has(typeof ref.namespace === 'string' ? ref.namespace : (metadata.namespace as string))),
  )
}

/** A ServiceMonitor or PodMonitor elsewhere whose namespaceSelector takes in a kept namespace. */
function monitorsInto(monitor: Json, namespaces: Set<string>): boolean {
  const selector = isRecord(monitor.spec) && isRecord(monitor.spec.namespaceSelector) ? monitor.spec.namespaceSelector : {}
  return selector.any === true || (Array.isArray(selector.matchNames) && selector.matchNames.some((name) => typeof name === 'string' && namespaces.has(name)))
}

function isGatewayProxy(metadata: Json): boolean {
  return typeof metadata.namespace === 'string' && gatewayOfProxyPod(metadata.namespace, isRecord(metadata.labels) ? metadata.labels : undefined) !== undefined
}

/** LIST items carry no kind or apiVersion; kubectl adds them first. managedFields is big and unused. */
export function asKubectlPrints(item: Json, spec: KubernetesList): Json {
  const object: Json = {apiVersion: spec.apiVersion, kind: spec.kind, ...item}
  object.apiVersion = spec.apiVersion
  object.kind = spec.kind
  if (isRecord(item.metadata) && 'managedFields' in item.metadata) {
    const {managedFields: _dropped, ...metadata} = item.metadata
    object.metadata = metadata
  }
  return object
}

/** One page, asked again on throttling, server errors, timeouts and network errors; or what the server said instead. */
async function getPage(spec: KubernetesList, session: ListSession, token: string | undefined): Promise<{page: Json} | Answer> {
  const query = `limit=${session.pageSize}${token === undefined ? '' : `&continue=${encodeURIComponent(token)}`}`
  const count = (): void => {
    session.requests[spec.plural] = (session.requests[spec.plural] ?? 0) + 1
  }
  const sent = await withRetries(session, {method: 'GET', path: `${spec.path}?${query}`}, {count})
  if (!sent.answered) throw failed(session, spec, sent.reason)
  const {answer} = sent
  if (answer.status < 200 || answer.status >= 300) return answer
  if (!isRecord(answer.body)) throw failed(session, spec, `expected a JSON list, got ${answer.contentType || 'something else'}`)
  return {page: answer.body}
}

/**
 * The failure Status as the server returned it, completed so the reader can tell what it stands
 * for: `details.kind` names the plural (the server leaves it out on a 404).
 */
function refusal(spec: KubernetesList, answer: Answer): Json {
  const body: Json = isRecord(answer.body) && answer.body.kind === 'Status' ? {...answer.body} : {}
  const reason = answer.status === 403 ? 'Forbidden' : 'NotFound'
  const defaults: Json = {
    apiVersion: 'v1',
    kind: 'Status',
    metadata: {},
    status: 'Failure',
    message: describeStatus(answer),
    reason,
    code: answer.status,
  }
  for (const [key, value] of Object.entries(defaults)) if (body[key] === undefined || body[key] === '') body[key] = value
  const details = isRecord(body.details) ? body.details : {}
  if (typeof details.kind !== 'string' || details.kind === '') body.details = {...details, kind: spec.plural}
  return body
}

function failed(session: ListSession, spec: KubernetesList, reason: string): IncompleteError {
  return new IncompleteError(`Kubernetes API ${session.shown}: cannot list ${spec.plural}: ${reason}`)
}
