/**
 * The NetworkPolicies a cluster would have after a reconcile plan is applied: the live ones,
 * with the plan's creates and updates in place and its deletes gone. Lets `netpol matrix --plan`
 * and `netpol diff` judge planned policies with the same engine as live ones.
 */
import {networkPolicyActions, type ReconcilePlan} from '../plan/types.js'
import type {NetworkPolicyLike} from './types.js'

export function policiesAfterPlan(live: readonly NetworkPolicyLike[], plan: ReconcilePlan): NetworkPolicyLike[] {
  const key = (policy: NetworkPolicyLike) => `${policy.metadata.namespace ?? 'default'}/${policy.metadata.name}`
  const after = new Map(live.map((policy) => [key(policy), policy]))
  for (const action of networkPolicyActions(plan)) {
    const id = key(action.object)
    if (action.op === 'delete') after.delete(id)
    else if (action.op === 'create' || action.op === 'update') after.set(id, action.object)
  }
  return [...after.values()]
}
