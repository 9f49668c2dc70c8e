/**
 * The shapes the reachability engine reads. They are structural, so both a live
 * `KubeNetworkPolicy` (validated at the edge) and a planned `NetworkPolicyObject` (src/plan) fit:
 * the two have the same JSON shape.
 */

export interface SelectorLike {
  matchLabels?: Record<string, string>
  matchExpressions?: {key: string; operator: string; values?: string[]}[]
}

export interface PeerLike {
  podSelector?: SelectorLike
  namespaceSelector?: SelectorLike
  ipBlock?: {cidr: string; except?: string[]}
}

export interface PortLike {
  protocol?: string
  port?: number | string
  endPort?: number
}

export interface NetworkPolicyLike {
  metadata: {name: string; namespace?: string}
  spec: {
    podSelector: SelectorLike
    policyTypes?: string[]
    ingress?: {from?: PeerLike[]; ports?: PortLike[]}[]
    egress?: {to?: PeerLike[]; ports?: PortLike[]}[]
  }
}

export interface NamespaceLike {
  metadata: {name: string; labels?: Record<string, string>}
}

/** What `explain` and `reachabilityMatrix` evaluate policies against. */
export interface PolicyInput {
  policies: readonly NetworkPolicyLike[]
  namespaces: readonly NamespaceLike[]
}

export interface ContainerPortLike {
  name?: string
  port: number
  protocol: string
}

/**
 * Pods of one namespace that no policy can tell apart: same labels (minus per-pod bookkeeping
 * labels, see classes.ts), same hostNetwork, same container ports.
 */
export interface PodClass {
  /** `namespace/name`. */
  id: string
  namespace: string
  /** The `app.kubernetes.io/name` label, else the owning workload's name, else the first pod's name (`@first-pod` added on a clash). */
  name: string
  labels: Record<string, string>
  pods: string[]
  /** NetworkPolicy cannot protect these pods: their traffic is the node's (DOMAIN rule 8). */
  hostNetwork: boolean
  /**
   * A host-network class's pod addresses, which are its nodes': an ipBlock holding every one of
   * them admits its traffic (as Calico does; Cilium only with policy-cidr-match-mode: nodes).
   */
  nodeAddresses?: string[]
  /** The pods are a known ingress controller's (not a Juju unit named like one): they connect to Ingress backends. */
  ingressController?: true
  ports: ContainerPortLike[]
}

/** The cluster-external side of a connection; `ip` picks one address, else "the Internet at large". */
export interface Outside {
  outside: true
  ip?: string
}

export type Endpoint = PodClass | Outside

export const OUTSIDE_ID = 'outside'

export function isOutside(endpoint: Endpoint): endpoint is Outside {
  return 'outside' in endpoint
}

export function endpointId(endpoint: Endpoint): string {
  return isOutside(endpoint) ? (endpoint.ip ?? OUTSIDE_ID) : endpoint.id
}
