/**
 * Carries out a ReconcilePlan against the cluster. Creates and updates are server-side applies
 * owned by the `hardenctl` field manager; deletes are conditional on the resourceVersion and uid
 * the plan saw, so an object changed since (someone removed our label) is left alone.
 *
 * Per namespace the phases run strictly in PHASE_ORDER (allow, default-deny, prune): when any
 * action of a phase fails or conflicts, the namespace's later phases are skipped, so a namespace
 * is never denied before its allows are in and nothing is pruned that might still be needed.
 * Namespaces are independent and run a few at a time.
 *
 * hardenctl only ever writes objects labelled `app.kubernetes.io/managed-by: hardenctl`; an
 * action on anything else is refused before a request is sent.
 */
import type {KubeConfig} from '@kubernetes/client-node'

import {IncompleteError} from '../errors.js'
import {
  FIELD_MANAGER,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  type NetworkPolicyObject,
  PHASE_ORDER,
  type NetworkPolicyAction,
  networkPolicyActions,
  type ReconcilePlan,
} from '../plan/types.js'
import {type Answer, connect, describeStatus, isRecord, type Json, unauthorized} from '../sources/kubernetes-api/http.js'
import type {RetryPolicy} from '../sources/kubernetes-api/retry.js'
import {applyNamespaceLabels, type LabelResult} from './namespace-labels.js'
import {describeConflict, sendWrite, type WriteSession} from './request.js'

export type RetryOptions = Partial<RetryPolicy>

export interface ApplyOptions {
  /** Server-side dry run: every write carries `dryRun=All`, so the API server validates and nothing persists. */
  dryRun: boolean
  /** Server-side apply `force=true`: take over fields another manager owns. Otherwise conflicts are reported. */
  forceConflicts: boolean
  retry?: RetryOptions
  /** Per request, reading the answer included. */
  timeoutMs?: number
  onProgress?: (message: string) => void
  /** Namespaces applied at the same time (phases inside a namespace are always in order). */
  concurrency?: number
  /** Names the credentials in a 401 message; discoverKubernetes's description. Defaults to the context name. */
  description?: string
}

export type ActionStatus = 'applied' | 'unchanged' | 'conflict' | 'failed' | 'skipped'

export interface ActionResult {
  action: NetworkPolicyAction
  status: ActionStatus
  message?: string
}

export interface ApplyResult {
  /** One per plan action, in the plan's order. */
  results: ActionResult[]
  /** HTTP write requests sent (PATCH and DELETE), retries included. */
  writes: number
  /** Pod Security Admission labels, applied after the namespace's NetworkPolicies. */
  labelResults: LabelResult[]
  /** Actions that did not get done: status `failed` or `conflict` (actions skipped because of them not counted). */
  failed: number
}

const DEFAULT_CONCURRENCY = 4
const NETWORK_POLICY_API = 'networking.k8s.io/v1'
const PLURAL = 'networkpolicies'

export async function applyPlan(config: KubeConfig, plan: ReconcilePlan, options: ApplyOptions): Promise<ApplyResult> {
  const session: WriteSession = {...connect(config, options), writes: 0, onProgress: options.onProgress}

  const actions = networkPolicyActions(plan)
  const results: (ActionResult | undefined)[] = actions.map(() => undefined)
  const byNamespace = new Map<string, number[]>()
  actions.forEach((action, index) => {
    const namespace = action.object.metadata.namespace
    const indices = byNamespace.get(namespace) ?? []
    indices.push(index)
    byNamespace.set(namespace, indices)
  })

  const concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY))
  await eachLimited([...byNamespace], concurrency, session, async ([namespace, indices]) => {
    await applyNamespace(session, options, namespace, indices, actions, results)
  })

  const done = results.map((result, index): ActionResult => result ?? {action: actions[index] as NetworkPolicyAction, status: 'skipped'})
  const blocked = new Set(done.filter((r) => r.status !== 'applied' && r.status !== 'unchanged').map((r) => r.action.object.metadata.namespace))
  const labelResults = await applyNamespaceLabels(session, options, plan.namespaceLabels ?? [], blocked)
  const trouble = (status: ActionStatus) => status === 'failed' || status === 'conflict'
  return {
    results: done,
    labelResults,
    writes: session.writes,
    failed: done.filter((r) => trouble(r.status)).length + labelResults.filter((r) => trouble(r.status)).length,
  }
}

/**
 * Runs `work` over `items`, at most `limit` at a time. A thrown error (credentials rejected)
 * halts the session so no new request starts, waits for the work in flight, then is rethrown.
 */
async function eachLimited<T>(items: T[], limit: number, session: WriteSession, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  let failure: {error: unknown} | undefined
  const worker = async (): Promise<void> => {
    while (next < items.length && !failure) {
      const item = items[next++] as T
      try {
        await work(item)
      } catch (error) {
        failure ??= {error}
        if (error instanceof IncompleteError) session.halted ??= error
      }
    }
  }
  await Promise.all(Array.from({length: Math.min(limit, items.length)}, () => worker()))
  if (failure) throw failure.error
}

async function applyNamespace(
  session: WriteSession,
  options: ApplyOptions,
  namespace: string,
  indices: number[],
  actions: NetworkPolicyAction[],
  results: (ActionResult | undefined)[],
): Promise<void> {
  let blocked: string | undefined
  for (const phase of PHASE_ORDER) {
    const inPhase = indices.filter((index) => actions[index]?.phase === phase)
    for (const index of inPhase) {
      const action = actions[index] as NetworkPolicyAction
      let result: ActionResult
      if (action.op === 'unchanged') result = {action, status: 'unchanged'}
      else if (blocked !== undefined) result = {action, status: 'skipped', message: blocked}
      else result = await applyAction(session, options, action)
      results[index] = result
      if (result.status !== 'unchanged') report(session, result)
    }
    const trouble = inPhase.flatMap((index) => {
      const result = results[index]
      if (result?.status !== 'failed' && result?.status !== 'conflict') return []
      return [`${result.action.object.metadata.name}: ${result.status}`]
    })
    if (trouble.length > 0 && blocked === undefined) {
      blocked = `not applied: the ${phase} phase in namespace ${namespace} did not complete (${trouble.join(', ')})`
    }
  }
  // Actions of a phase PHASE_ORDER does not know cannot be ordered safely: never sent.
  for (const index of indices) {
    const action = actions[index] as NetworkPolicyAction
    if (results[index] === undefined) {
      results[index] = {action, status: 'failed', message: `unknown phase ${JSON.stringify(action.phase)}; not applied`}
    }
  }
}

function report(session: WriteSession, result: ActionResult): void {
  const {op, object} = result.action
  const message = result.message === undefined ? '' : `: ${result.message}`
  session.onProgress?.(`${op} ${object.metadata.namespace}/${object.metadata.name}: ${result.status}${message}`)
}

async function applyAction(session: WriteSession, options: ApplyOptions, action: NetworkPolicyAction): Promise<ActionResult> {
  const refusal = refuse(action)
  if (refusal !== undefined) return {action, status: 'failed', message: refusal}
  return action.op === 'delete' ? deleteObject(session, options, action) : applyObject(session, options, action)
}

/** Why the action must not be sent at all, if it must not. */
function refuse(action: NetworkPolicyAction): string | undefined {
  const {object, current, op} = action
  const verb = op === 'delete' ? 'delete' : 'apply'
  const metadata = isRecord(object.metadata) ? object.metadata : undefined
  const name = metadata?.name
  const namespace = metadata?.namespace
  if (typeof name !== 'string' || name === '' || typeof namespace !== 'string' || namespace === '') {
    return `refusing to ${verb} an object without a name and namespace`
  }
  if (object.apiVersion !== NETWORK_POLICY_API || object.kind !== 'NetworkPolicy') {
    const what = `${String(object.apiVersion)} ${String(object.kind)}`
    return `refusing to ${verb} ${what}: hardenctl only writes ${NETWORK_POLICY_API} NetworkPolicy`
  }
  const planned = op === 'delete' ? 'its planned copy lacks' : 'it lacks'
  if (!managed(object)) return `refusing to ${verb} ${namespace}/${name}: ${planned} label ${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`
  if (op === 'update' && current !== undefined && !managed(current)) {
    return `refusing to apply ${namespace}/${name}: the live object lacks label ${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`
  }
  if (op === 'delete' && object.metadata.resourceVersion === undefined && object.metadata.uid === undefined) {
    return `refusing to delete ${namespace}/${name}: the planned copy has no resourceVersion or uid to make the delete conditional on`
  }
  return undefined
}

function managed(object: NetworkPolicyObject): boolean {
  return object.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE
}

function objectPath(object: NetworkPolicyObject): string {
  const {namespace, name} = object.metadata
  return `/apis/${NETWORK_POLICY_API}/namespaces/${encodeURIComponent(namespace)}/${PLURAL}/${encodeURIComponent(name)}`
}

function shortName(object: NetworkPolicyObject): string {
  return `${object.metadata.namespace}/${object.metadata.name}`
}

/** Server-set metadata is left out: a resourceVersion in an applied configuration is a precondition. */
const SERVER_METADATA = ['resourceVersion', 'uid', 'creationTimestamp', 'generation', 'managedFields', 'selfLink', 'deletionTimestamp']

/** What is applied: the object as planned, without server-set fields. */
export function appliedConfiguration(object: NetworkPolicyObject): Json {
  const {status: _status, ...rest} = object as unknown as Json
  const metadata: Json = {...(object.metadata as unknown as Json)}
  for (const key of SERVER_METADATA) delete metadata[key]
  return {...rest, metadata}
}

async function applyObject(session: WriteSession, options: ApplyOptions, action: NetworkPolicyAction): Promise<ActionResult> {
  const {object} = action
  let query = `fieldManager=${encodeURIComponent(FIELD_MANAGER)}`
  if (options.forceConflicts) query += '&force=true'
  if (options.dryRun) query += '&dryRun=All'
  const sent = await sendWrite(session, {
    method: 'PATCH',
    path: `${objectPath(object)}?${query}`,
    body: JSON.stringify(appliedConfiguration(object)),
    contentType: 'application/apply-patch+yaml',
    what: shortName(object),
  })
  if (!sent.answered) return {action, status: 'failed', message: sent.reason}
  const {answer} = sent
  if (answer.status >= 200 && answer.status < 300) return applied(action, options)
  if (answer.status === 409) return {action, status: 'conflict', message: describeConflict(answer)}
  return {action, status: 'failed', message: describeRefusal(session, answer, 'patch', object)}
}

async function deleteObject(session: WriteSession, options: ApplyOptions, action: NetworkPolicyAction): Promise<ActionResult> {
  const {object} = action
  const preconditions: Json = {}
  if (object.metadata.resourceVersion !== undefined) preconditions.resourceVersion = object.metadata.resourceVersion
  if (object.metadata.uid !== undefined) preconditions.uid = object.metadata.uid
  const sent = await sendWrite(session, {
    method: 'DELETE',
    path: `${objectPath(object)}${options.dryRun ? '?dryRun=All' : ''}`,
    body: JSON.stringify({apiVersion: 'v1', kind: 'DeleteOptions', preconditions}),
    contentType: 'application/json',
    what: shortName(object),
  })
  if (!sent.answered) return {action, status: 'failed', message: sent.reason}
  const {answer} = sent
  if (answer.status >= 200 && answer.status < 300) return applied(action, options)
  // Gone already (by someone else, or by an earlier attempt whose answer was lost): done.
  if (answer.status === 404) return {action, status: 'applied', message: 'already gone'}
  if (answer.status === 409) return {action, status: 'conflict', message: 'changed since planned; not deleted'}
  return {action, status: 'failed', message: describeRefusal(session, answer, 'delete', object)}
}

function applied(action: NetworkPolicyAction, options: ApplyOptions): ActionResult {
  if (!options.dryRun) return {action, status: 'applied'}
  return {action, status: 'applied', message: 'dry run: accepted by the API server, nothing persisted'}
}

/** 401 stops the run; the rest fail this action with one line. */
function describeRefusal(session: WriteSession, answer: Answer, verb: 'patch' | 'delete', object: NetworkPolicyObject): string {
  if (answer.status === 401) throw unauthorized(session)
  if (answer.status === 403) return `forbidden: the service account may not ${verb} ${PLURAL} in ${object.metadata.namespace}`
  return describeStatus(answer)
}

