/**
 * The NetworkPolicies a cluster would have after a reconcile plan is applied: the live ones,
 * with the plan's creates and updates in place and its deletes gone. Lets `netpol matrix --plan`,
 * `netpol diff` and reconcile's "Closes:" list judge planned policies with the same engine as
 * live ones.
 */
import type {KubernetesView} from '../inventory/kubernetes.js'
import {networkPolicyActions, type ReconcilePlan} from '../plan/types.js'
import {podClasses} from './classes.js'
import {diffMatrices, type MatrixDiff} from './diff.js'
import {policyInput} from './load.js'
import {type Matrix, reachabilityMatrix} from './matrix.js'
import type {NetworkPolicyLike, PodClass, PolicyInput} from './types.js'

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

/** The cluster's policies now and after the plan, over pod classes that tell apart whatever either selects on. */
export interface PlanReachability {
  before: PolicyInput
  after: PolicyInput
  classes: PodClass[]
}

export function planReachability(view: Pick<KubernetesView, 'networkPolicies' | 'namespaces' | 'pods'>, plan: ReconcilePlan): PlanReachability {
  const before = policyInput(view)
  const after = {...before, policies: policiesAfterPlan(before.policies, plan)}
  const classes = podClasses(view, {policies: [...after.policies, ...before.policies]})
  return {before, after, classes}
}

export function planMatrices(reach: PlanReachability): {before: Matrix; after: Matrix} {
  return {before: reachabilityMatrix(reach.before, reach.classes), after: reachabilityMatrix(reach.after, reach.classes)}
}

/** What the plan opens and closes, every pair (`netpol diff`); reconcile's "Closes:" asks `comparePair` for the used pairs only. */
export function planDiff(reach: PlanReachability): MatrixDiff {
  const {before, after} = planMatrices(reach)
  return diffMatrices(before, after)
}
