/**
 * Desired state + what the cluster has → the actions of a reconcile. Only NetworkPolicies that
 * carry hardenctl's managed-by label are ever updated or deleted; a desired name taken by someone
 * else's policy leaves that namespace alone. An object equal to the desired one is `unchanged`,
 * so a second run plans no writes.
 */

import type {KubeNetworkPolicy} from '../inventory/kubernetes.js'
import type {Inventory} from '../inventory/types.js'
import type {Policy} from '../policy/schema.js'
import {type JujuPlanContext, planJuju} from './juju/plan.js'
import {type DesiredState, desiredNetworkPolicies} from './network-policies.js'
import {sameData} from './same-data.js'
import {
  type ActionPhase,
  isManaged,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  type NetworkPolicyObject,
  PHASE_ORDER,
  type NetworkPolicyAction,
  REASON_ANNOTATION,
  type ReconcilePlan,
} from './types.js'

const DEFAULT_DENY = 'hardenctl-default-deny'

/**
 * The whole plan for an inventory: desired NetworkPolicies against the policies and namespaces
 * it holds and, with a Juju context, the Juju calls that fix the access, command and exposure
 * findings.
 */
export function planForInventory(inventory: Inventory, policy: Policy, juju?: JujuPlanContext): ReconcilePlan {
  const view = inventory.kubernetes
  const plan = planReconcile(desiredNetworkPolicies(inventory, policy), view.networkPolicies, view.namespaces)
  if (juju) {
    const jujuPlan = planJuju(inventory, policy, juju)
    plan.actions.push(...jujuPlan.actions)
    plan.refused.push(...jujuPlan.refused)
    plan.notes.push(...jujuPlan.notes)
    plan.closes.push(...jujuPlan.closes)
  }
  return plan
}

export function planReconcile(
  desired: DesiredState,
  live: KubeNetworkPolicy[],
  namespaces: ReadonlyMap<string, {metadata: {labels?: Record<string, string> | undefined}}> = new Map(),
): ReconcilePlan {
  const plan: ReconcilePlan = {
    apiVersion: 'hardenctl.io/v1',
    kind: 'ReconcilePlan',
    actions: [],
    refused: [],
    untouched: [...desired.untouched],
    namespaceLabels: [],
    keptOpen: [],
    closes: [],
    notes: [...desired.notes],
  }
  const liveByNamespace = new Map<string, KubeNetworkPolicy[]>()
  for (const policy of live) {
    const namespace = policy.metadata.namespace ?? ''
    liveByNamespace.set(namespace, [...(liveByNamespace.get(namespace) ?? []), policy])
  }

  for (const namespace of desired.namespaces) {
    const existing = new Map((liveByNamespace.get(namespace.namespace) ?? []).map((policy) => [policy.metadata.name, policy]))
    const foreign = namespace.policies.filter((policy) => {
      const current = existing.get(policy.metadata.name)
      return current !== undefined && !isManaged(current)
    })
    if (foreign.length > 0) {
      plan.untouched.push({
        namespace: namespace.namespace,
        why: 'foreign-policy',
        reason: `NetworkPolicy ${foreign.map((policy) => policy.metadata.name).join(', ')} exists and is not hardenctl's (no ${MANAGED_BY_LABEL}: ${MANAGED_BY_VALUE}); rename or delete it`,
      })
      continue
    }
    const actions: NetworkPolicyAction[] = []
    const wanted = new Set(namespace.policies.map((policy) => policy.metadata.name))
    for (const object of namespace.policies) {
      const phase: ActionPhase = object.metadata.name === DEFAULT_DENY ? 'default-deny' : 'allow'
      const current = existing.get(object.metadata.name)
      if (!current) actions.push({op: 'create', phase, object})
      else if (sameContent(object, current)) actions.push({op: 'unchanged', phase, object})
      else actions.push({op: 'update', phase, object, current: asObject(current)})
    }
    for (const [name, current] of existing) {
      if (!wanted.has(name) && isManaged(current)) actions.push({op: 'delete', phase: 'prune', object: asObject(current)})
    }
    actions.sort((a, b) => PHASE_ORDER.indexOf(a.phase) - PHASE_ORDER.indexOf(b.phase) || a.object.metadata.name.localeCompare(b.object.metadata.name))
    plan.actions.push(...actions)
    if (namespace.psaLabels) {
      const labels = namespaces.get(namespace.namespace)?.metadata.labels ?? {}
      const current = Object.fromEntries(Object.keys(namespace.psaLabels).map((key) => [key, labels[key]]))
      const same = Object.entries(namespace.psaLabels).every(([key, value]) => labels[key] === value)
      plan.namespaceLabels.push({op: same ? 'unchanged' : 'update', namespace: namespace.namespace, labels: namespace.psaLabels, current})
    }
    plan.keptOpen.push(...desired.keptOpen.filter((kept) => kept.namespace === namespace.namespace))
  }
  return plan
}

/** What hardenctl owns: its labels, its reason annotation and the spec. */
function sameContent(desired: NetworkPolicyObject, current: KubeNetworkPolicy): boolean {
  const labels = current.metadata.labels ?? {}
  const labelsMatch = Object.entries(desired.metadata.labels ?? {}).every(([key, value]) => labels[key] === value)
  const reasonMatches = current.metadata.annotations?.[REASON_ANNOTATION] === desired.metadata.annotations?.[REASON_ANNOTATION]
  return labelsMatch && reasonMatches && sameData(desired.spec, current.spec)
}

/** A live policy in the plan's shape: what hardenctl would write or delete, without read-only fields. */
function asObject(policy: KubeNetworkPolicy): NetworkPolicyObject {
  const metadata: NetworkPolicyObject['metadata'] = {name: policy.metadata.name, namespace: policy.metadata.namespace ?? ''}
  if (policy.metadata.labels) metadata.labels = {...policy.metadata.labels}
  if (policy.metadata.annotations) metadata.annotations = {...policy.metadata.annotations}
  if (typeof policy.metadata.resourceVersion === 'string') metadata.resourceVersion = policy.metadata.resourceVersion
  if (typeof policy.metadata.uid === 'string') metadata.uid = policy.metadata.uid
  return {apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata, spec: policy.spec as NetworkPolicyObject['spec']}
}
