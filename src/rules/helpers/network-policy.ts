/**
 * NetworkPolicy semantics (DOMAIN.md): allow-only and additive; a pod is isolated for ingress
 * only when some policy whose policyTypes include Ingress (or omit policyTypes) selects it; the
 * union of all rules applies, so one allow-all rule opens the pod to everything.
 */
import type {KubeNetworkPolicy, KubernetesView} from '../../inventory/kubernetes.js'
import {isWorldCidr} from '../../policy/cidr.js'
import {isEmptySelector, selectorMatches} from '../../netpol/selector.js'

type IngressRule = NonNullable<KubeNetworkPolicy['spec']['ingress']>[number]

export function appliesToIngress(policy: KubeNetworkPolicy): boolean {
  const types = policy.spec.policyTypes
  return types === undefined || types.length === 0 || types.includes('Ingress')
}

/** `podSelector: {}`, Ingress in policyTypes, and no ingress rules (`ingress` absent or `[]`). */
export function isDefaultDenyIngress(policy: KubeNetworkPolicy): boolean {
  return isEmptySelector(policy.spec.podSelector) && appliesToIngress(policy) && (policy.spec.ingress ?? []).length === 0
}

/**
 * A rule that admits everyone: no `from` (or `from: []`) and no `ports`, or a peer whose ipBlock is
 * 0.0.0.0/0 / ::/0 without exceptions and no port restriction.
 */
export function isAllowAllRule(rule: IngressRule): boolean {
  const noPorts = (rule.ports ?? []).length === 0
  if (!noPorts) return false
  const from = rule.from ?? []
  if (from.length === 0) return true
  return from.some((peer) => peer.ipBlock !== undefined && isWorldCidr(peer.ipBlock.cidr) && (peer.ipBlock.except ?? []).length === 0)
}

export function ingressPoliciesSelecting(view: KubernetesView, namespace: string, labels: Record<string, string> | undefined): KubeNetworkPolicy[] {
  return view.networkPolicies.filter(
    (np) => np.metadata.namespace === namespace && appliesToIngress(np) && selectorMatches(np.spec.podSelector, labels ?? {}),
  )
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

export function ingressIsolation(view: KubernetesView, namespace: string, labels: Record<string, string> | undefined): IngressIsolation {
  const selecting = ingressPoliciesSelecting(view, namespace, labels)
  const allowAll = selecting.filter((np) => (np.spec.ingress ?? []).some(isAllowAllRule))
  const ipBlocks = selecting.flatMap((np) =>
    (np.spec.ingress ?? []).flatMap((rule) => (rule.from ?? []).flatMap((peer) => (peer.ipBlock ? [peer.ipBlock.cidr] : []))),
  )
  return {
    selecting: selecting.map((np) => np.metadata.name),
    allowAll: allowAll.map((np) => np.metadata.name),
    ipBlocks: [...new Set(ipBlocks)],
    restricted: selecting.length > 0 && allowAll.length === 0,
  }
}
