/**
 * What the rules ask of the cluster's NetworkPolicies, answered by the reachability engine's own
 * semantics (src/netpol/policies.ts), so the audit and `netpol`/`reconcile` never disagree. The
 * policies are indexed by namespace once per inventory, not scanned per pod.
 */
import type {KubeNetworkPolicy, KubernetesView, KubeService} from '../../inventory/kubernetes.js'
import {podLabelsFor} from '../../inventory/pod-labels.js'
import {isWorldCidr} from '../../policy/cidr.js'
import {effectiveTypes, indexPolicies, isolatingPolicies, peerShape, type PolicyIndex, portSpec, type Rule, rulesOf, selectsAll} from '../../netpol/policies.js'
import {isAllPorts} from '../../netpol/ports.js'

const indexes = new WeakMap<KubernetesView, PolicyIndex>()

function policyIndex(view: KubernetesView): PolicyIndex {
  let index = indexes.get(view)
  if (!index) indexes.set(view, (index = indexPolicies({policies: view.networkPolicies, namespaces: [...view.namespaces.values()]})))
  return index
}

/** The NetworkPolicies of one namespace, from the index. */
export function namespacePolicies(view: KubernetesView, namespace: string): KubeNetworkPolicy[] {
  return (policyIndex(view).byNamespace.get(namespace) ?? []).map((indexed) => indexed.policy as KubeNetworkPolicy)
}

/** `podSelector: {}`, isolating ingress, and no ingress rules (`ingress` absent or `[]`). */
export function isDefaultDenyIngress(policy: KubeNetworkPolicy): boolean {
  return selectsAll(policy.spec.podSelector) && effectiveTypes(policy).ingress && rulesOf(policy, 'ingress').length === 0
}

/** `podSelector: {}` isolating ingress, with rules none of which admits everyone: the namespace's pods admit only what it lists. */
export function isolatesEveryPod(policy: KubeNetworkPolicy): boolean {
  if (!selectsAll(policy.spec.podSelector) || !effectiveTypes(policy).ingress) return false
  const rules = rulesOf(policy, 'ingress')
  return rules.length > 0 && !rules.some(admitsEveryone)
}

/** `podSelector: {}` isolating ingress with a rule that admits everyone: every pod of the namespace is open, whatever else is there. */
export function opensEveryPod(policy: KubeNetworkPolicy): boolean {
  return selectsAll(policy.spec.podSelector) && effectiveTypes(policy).ingress && rulesOf(policy, 'ingress').some(admitsEveryone)
}

/**
 * A rule that admits everyone on every port: no peers, or a peer whose ipBlock is 0.0.0.0/0 or
 * ::/0 without exceptions.
 */
function admitsEveryone(rule: Rule): boolean {
  if (!isAllPorts(portSpec(rule.ports).set)) return false
  if (rule.peers === undefined) return true
  return rule.peers.some((peer) => peerShape(peer) === 'ipBlock' && isWorldCidr(peer.ipBlock!.cidr) && (peer.ipBlock!.except ?? []).length === 0)
}

export interface IngressIsolation {
  /** Ingress policies that select the pod. */
  selecting: string[]
  /** Those among them with a rule that admits everyone. */
  allowAll: string[]
  /** ipBlock CIDRs any selecting policy admits (sources outside the cluster). */
  ipBlocks: string[]
  /** Selected by at least one ingress policy and none admits everyone. */
  restricted: boolean
}

/**
 * The ingress policies that keep every source outside the cluster from the pod: it is isolated
 * and none of them has a rule open to all sources (no `from`) or to an ipBlock (ports not judged:
 * any such rule counts as a way in). Empty when something outside may reach it.
 */
export function closedToOutsideBy(view: KubernetesView, namespace: string, labels: Record<string, string> | undefined): string[] {
  const selecting = isolatingPolicies(policyIndex(view), {namespace, labels: labels ?? {}}, 'ingress')
  const wayIn = selecting.some((indexed) => rulesOf(indexed.policy, 'ingress').some((rule) => rule.peers === undefined || rule.peers.some((peer) => peerShape(peer) === 'ipBlock')))
  return wayIn ? [] : selecting.map((indexed) => indexed.policy.metadata.name)
}

/** closedToOutsideBy for the pods a Service selects (none without a selector or a namespace). */
export function serviceClosedToOutsideBy(view: KubernetesView, service: KubeService): string[] {
  const namespace = service.metadata.namespace
  if (!namespace || !service.spec.selector) return []
  return closedToOutsideBy(view, namespace, podLabelsFor(view, namespace, service.spec.selector))
}

/** "NetworkPolicy X keeps its pods closed to everything outside the cluster today, …", for closedToOutsideBy's answer. */
export function keepsPodsClosed(closedBy: readonly string[]): string {
  return `NetworkPolicy ${closedBy.join(', ')} keep${closedBy.length === 1 ? 's' : ''} its pods closed to everything outside the cluster today, until a policy admits it`
}

export function ingressIsolation(view: KubernetesView, namespace: string, labels: Record<string, string> | undefined): IngressIsolation {
  const selecting = isolatingPolicies(policyIndex(view), {namespace, labels: labels ?? {}}, 'ingress')
  const allowAll = selecting.filter((indexed) => rulesOf(indexed.policy, 'ingress').some(admitsEveryone))
  const ipBlocks = selecting.flatMap((indexed) =>
    rulesOf(indexed.policy, 'ingress').flatMap((rule) => (rule.peers ?? []).flatMap((peer) => (peerShape(peer) === 'ipBlock' ? [peer.ipBlock!.cidr] : []))),
  )
  return {
    selecting: selecting.map((indexed) => indexed.policy.metadata.name),
    allowAll: allowAll.map((indexed) => indexed.policy.metadata.name),
    ipBlocks: [...new Set(ipBlocks)],
    restricted: selecting.length > 0 && allowAll.length === 0,
  }
}
