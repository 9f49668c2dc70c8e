/**
 * `hardenctl reconcile -n NS` in a fix, done to a copy of the inputs: the plan reconcile makes for
 * the copy (the same planner as `reconcile --dry-run --from`), its NetworkPolicy writes and
 * namespace labels for NS added to the copy as a live run would write them. A run refuses a plan
 * that closes a path in use the policy did not ask to close, or leaves the namespace as it is:
 * either is a problem, since the fix then does nothing.
 */
import {runReconcile} from '../../src/reconcile/run-reconcile.js'
import {networkPolicyActions} from '../../src/plan/types.js'
import type {InputCopy, KubeObject} from './input-copy.js'

export interface ReconcileOperation {
  verb: 'reconcile'
  namespace: string
}

/** `hardenctl reconcile -n NS` (the only form fixes print), or undefined. */
export function reconcileOperation(words: readonly string[]): ReconcileOperation | undefined {
  if (words[0] !== 'hardenctl' || words[1] !== 'reconcile' || words.length !== 4 || words[2] !== '-n') return undefined
  return {verb: 'reconcile', namespace: words[3]!}
}

export async function applyReconcile(copy: InputCopy, operation: ReconcileOperation, context: {policyFile?: string | undefined; now: Date}): Promise<string | undefined> {
  await copy.save()
  const {plan} = await runReconcile({from: copy.paths, dryRun: true, forceConflicts: false, now: context.now, ...(context.policyFile ? {policyFile: context.policyFile} : {})})
  const {namespace} = operation
  const untouched = plan.untouched.find((entry) => entry.namespace === namespace)
  if (untouched) return `reconcile leaves ${namespace} as it is: ${untouched.reason}`
  const inNamespace = (path: string) => path.startsWith(`${namespace}/`)
  const refused = plan.closes.filter((closed) => !closed.asked && (inNamespace(closed.to) || inNamespace(closed.from)))
  if (refused.length > 0) return `reconcile refuses the plan: it closes ${refused.map((closed) => `${closed.from} → ${closed.to} ${closed.ports} (${closed.usedBy})`).join('; ')}`
  const writes = networkPolicyActions(plan).filter((action) => action.object.metadata.namespace === namespace)
  for (const action of writes) {
    const existing = copy.objects.filter(({object}) => object.kind === 'NetworkPolicy' && object.metadata.name === action.object.metadata.name && object.metadata.namespace === namespace)
    if (action.op === 'delete') for (const target of existing) target.remove()
    else if (action.op === 'update') for (const target of existing) target.replace(action.object as unknown as KubeObject)
    else if (action.op === 'create') await copy.add([action.object as unknown as KubeObject])
  }
  for (const labels of plan.namespaceLabels.filter((entry) => entry.namespace === namespace && entry.op === 'update')) {
    for (const target of copy.objects.filter(({object}) => object.kind === 'Namespace' && object.metadata.name === namespace)) {
      target.replace({...target.object, metadata: {...target.object.metadata, labels: {...target.object.metadata.labels, ...labels.labels}}})
    }
  }
  return undefined
}
