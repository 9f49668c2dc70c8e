/**
 * Pod Security Admission labels on namespaces hardenctl manages: server-side apply of a Namespace
 * that carries only those labels, so hardenctl owns those label keys and nothing else of an object
 * it did not create. Never creates or deletes a namespace; a namespace whose NetworkPolicies did
 * not all land is left for the next run.
 */
import {FIELD_MANAGER, type NamespaceLabelsAction, PSA_LABEL_PREFIX} from '../plan/types.js'
import {describeStatus, unauthorized} from '../sources/kubernetes-api/http.js'
import type {ActionStatus, ApplyOptions} from './apply.js'
import {describeConflict, sendWrite, type WriteSession} from './request.js'

export interface LabelResult {
  action: NamespaceLabelsAction
  status: ActionStatus
  message?: string
}

export async function applyNamespaceLabels(
  session: WriteSession,
  options: ApplyOptions,
  actions: readonly NamespaceLabelsAction[],
  blocked: ReadonlySet<string>,
): Promise<LabelResult[]> {
  const results: LabelResult[] = []
  for (const action of actions) {
    if (action.op === 'unchanged') results.push({action, status: 'unchanged'})
    else if (blocked.has(action.namespace)) results.push({action, status: 'skipped', message: `not labelled: the NetworkPolicies of ${action.namespace} did not all apply`})
    else results.push(await applyLabels(session, options, action))
    const last = results[results.length - 1]!
    if (last.status !== 'unchanged') session.onProgress?.(`label namespace ${action.namespace}: ${last.status}${last.message ? `: ${last.message}` : ''}`)
  }
  return results
}

async function applyLabels(session: WriteSession, options: ApplyOptions, action: NamespaceLabelsAction): Promise<LabelResult> {
  const foreign = Object.keys(action.labels).filter((key) => !key.startsWith(PSA_LABEL_PREFIX))
  if (foreign.length > 0) return {action, status: 'failed', message: `refusing to set ${foreign.join(', ')}: hardenctl only sets ${PSA_LABEL_PREFIX}* on namespaces`}
  let query = `fieldManager=${encodeURIComponent(FIELD_MANAGER)}`
  if (options.forceConflicts) query += '&force=true'
  if (options.dryRun) query += '&dryRun=All'
  const sent = await sendWrite(session, {
    method: 'PATCH',
    path: `/api/v1/namespaces/${encodeURIComponent(action.namespace)}?${query}`,
    body: JSON.stringify({apiVersion: 'v1', kind: 'Namespace', metadata: {name: action.namespace, labels: action.labels}}),
    contentType: 'application/apply-patch+yaml',
    what: `namespace ${action.namespace}`,
  })
  if (!sent.answered) return {action, status: 'failed', message: sent.reason}
  const {answer} = sent
  if (answer.status >= 200 && answer.status < 300) {
    return options.dryRun ? {action, status: 'applied', message: 'dry run: accepted by the API server, nothing persisted'} : {action, status: 'applied'}
  }
  if (answer.status === 409) return {action, status: 'conflict', message: describeConflict(answer)}
  if (answer.status === 401) throw unauthorized(session)
  if (answer.status === 403) return {action, status: 'failed', message: 'forbidden: the service account may not patch namespaces'}
  return {action, status: 'failed', message: describeStatus(answer)}
}
