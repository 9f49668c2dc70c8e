/**
 * Plans and NetworkPolicies for the applier's tests, and a nock stand-in for the API server's
 * write endpoints that records every request (method, path, query, headers, body) in order.
 */
import nock from 'nock'

import {
  type ActionOp,
  type ActionPhase,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  MODEL_LABEL,
  type NetworkPolicyObject,
  type NetworkPolicySpec,
  type PlanAction,
  type ReconcilePlan,
} from '../../src/plan/types.js'

export type Json = Record<string, unknown>

export const MANAGED = {[MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [MODEL_LABEL]: 'shop'}

export function policy(
  namespace: string,
  name: string,
  options: {labels?: Record<string, string>; spec?: NetworkPolicySpec; resourceVersion?: string; uid?: string} = {},
): NetworkPolicyObject {
  const object: NetworkPolicyObject = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {name, namespace, labels: options.labels ?? {...MANAGED}},
    spec: options.spec ?? {
      podSelector: {matchLabels: {'app.kubernetes.io/name': name}},
      policyTypes: ['Ingress'],
      ingress: [{from: [{podSelector: {matchLabels: {'app.kubernetes.io/name': 'web'}}}], ports: [{protocol: 'TCP', port: 8080}]}],
    },
  }
  if (options.resourceVersion !== undefined) object.metadata.resourceVersion = options.resourceVersion
  if (options.uid !== undefined) object.metadata.uid = options.uid
  return object
}

/** A default-deny policy: selects every pod, allows nothing. */
export function denyAll(namespace: string, options: {labels?: Record<string, string>; resourceVersion?: string; uid?: string} = {}) {
  return policy(namespace, 'hardenctl-default-deny', {...options, spec: {podSelector: {}, policyTypes: ['Ingress']}})
}

/** A live copy of `object`, as a plan holds it for a delete or as `current`. */
export function live(object: NetworkPolicyObject, resourceVersion = '7001', uid = `uid-${object.metadata.name}`): NetworkPolicyObject {
  return {...object, metadata: {...object.metadata, resourceVersion, uid}}
}

export function action(op: ActionOp, phase: ActionPhase, object: NetworkPolicyObject, current?: NetworkPolicyObject): PlanAction {
  return current === undefined ? {op, phase, object} : {op, phase, object, current}
}

export function plan(actions: PlanAction[]): ReconcilePlan {
  return {apiVersion: 'hardenctl.io/v1', kind: 'ReconcilePlan', actions, refused: [], untouched: [], namespaceLabels: [], keptOpen: [], closes: [], notes: []}
}

/** A request as a nock reply function sees it, in the terms tests assert on. */
export interface SeenRequest {
  method: string
  path: string
  query: Record<string, string>
  contentType: string | undefined
  authorization: string | undefined
  /** Parsed JSON; nock hands over a JSON body already parsed and an apply-patch+yaml one as text. */
  body: unknown
}

export function seenRequest(context: nock.ReplyFnContext, server: string, uri: string, body: nock.Body): SeenRequest {
  const url = new URL(uri, server)
  return {
    method: context.req.method ?? '',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    contentType: context.req.headers['content-type'],
    authorization: context.req.headers.authorization,
    body: typeof body === 'string' && body !== '' ? (JSON.parse(body) as unknown) : body,
  }
}

export interface Recorded extends SeenRequest {
  /** `shop/allow-web`, from the path. */
  object: string
}

export type Responder = (request: Recorded, count: number) => readonly [number, unknown?, Record<string, string>?]

/** Small delays so retry tests run in milliseconds. */
export const FAST_RETRY = {attempts: 3, baseDelayMs: 1, maxDelayMs: 5}

/**
 * Answers every PATCH and DELETE under `server` with `respond` (default: 200 with the body sent
 * back, or a delete Success Status) and records them in order. `count` is how many requests for
 * the same method and object came before, so a responder can fail the first tries only.
 */
export function fakeWrites(server: string, respond: Responder = ok): Recorded[] {
  const recorded: Recorded[] = []
  const handler = function (this: nock.ReplyFnContext, uri: string, body: nock.Body): nock.ReplyFnResult {
    const seen = seenRequest(this, server, uri, body)
    const match = /\/namespaces\/([^/]+)\/networkpolicies\/([^/]+)$/.exec(seen.path)
    const request: Recorded = {...seen, object: match ? `${decodeURIComponent(match[1] ?? '')}/${decodeURIComponent(match[2] ?? '')}` : seen.path}
    const count = recorded.filter((r) => r.method === request.method && r.object === request.object).length
    recorded.push(request)
    return respond(request, count) as nock.ReplyFnResult
  }
  nock(server).persist().patch(/.*/).query(true).reply(handler).delete(/.*/).query(true).reply(handler)
  return recorded
}

export function ok(request: Recorded): readonly [number, unknown] {
  if (request.method === 'DELETE') {
    const name = request.object.split('/')[1]
    const details = {name, group: 'networking.k8s.io', kind: 'networkpolicies'}
    return [200, {kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details}]
  }
  return [200, request.body]
}

export function status(code: number, reason: string, message: string, details?: Json): Json {
  const body: Json = {kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason}
  if (details) body.details = details
  body.code = code
  return body
}

/** A server-side apply field conflict, as the API server sends it. */
export function fieldConflict(manager: string, fields: string[]): Json {
  const list = fields.length === 1 ? `: ${fields[0]}` : `:\n${fields.map((f) => `- ${f}`).join('\n')}`
  const who = `conflict with "${manager}" using networking.k8s.io/v1`
  const message = `Apply failed with ${fields.length} conflict${fields.length === 1 ? '' : 's'}: ${who}${list}`
  return status(409, 'Conflict', message, {causes: fields.map((field) => ({reason: 'FieldManagerConflict', message: who, field}))})
}

/** nock 14 only fails a request with an Error instance. */
export function systemError(code: string, message: string): Error {
  return Object.assign(new Error(message), {code})
}
