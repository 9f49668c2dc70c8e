/**
 * NetworkPolicy semantics shared by `explain` and the matrix (DOMAIN "NetworkPolicy semantics"):
 * which policies isolate a pod, which peers select a source or destination, and which ports a
 * rule admits. Constructs the API server would reject (see validate.ts) match nothing: such a
 * policy cannot be in force.
 */
import {isEmptySelector, selectorMatches} from './selector.js'
import {ipBlockAdmitsOutside, ipBlockContains} from './ip-block.js'
import {ALL_PORTS, allOf, NO_PORTS, type PortSet, parseProtocol, portRange, type Protocol, unionPorts} from './ports.js'
import type {ContainerPortLike, NetworkPolicyLike, PeerLike, PolicyInput, PortLike, SelectorLike} from './types.js'

export type Direction = 'ingress' | 'egress'

/** The label the API server puts on every namespace (DOMAIN rule 9); added when a dump lacks it. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name'

export interface Rule {
  /** `undefined`: the rule names no peers and so matches every source (ingress) or destination (egress). */
  peers: readonly PeerLike[] | undefined
  ports: readonly PortLike[] | undefined
}

export interface IndexedPolicy {
  /** `namespace/name`. */
  id: string
  namespace: string
  policy: NetworkPolicyLike
  ingress: boolean
  egress: boolean
}

/**
 * policyTypes, defaulted as the API server does (DOMAIN rule 3): when omitted or empty, Ingress
 * always and Egress only when the policy has egress rules (`egress: []` is none).
 */
export function effectiveTypes(policy: NetworkPolicyLike): {ingress: boolean; egress: boolean} {
  const types = policy.spec.policyTypes
  if (types && types.length > 0) return {ingress: types.includes('Ingress'), egress: types.includes('Egress')}
  return {ingress: true, egress: (policy.spec.egress ?? []).length > 0}
}

/** A policy's rules in one direction; `from`/`to` missing or empty means every peer (rule 4). */
export function rulesOf(policy: NetworkPolicyLike, direction: Direction): Rule[] {
  if (direction === 'ingress') {
    return (policy.spec.ingress ?? []).map((rule) => ({peers: nonEmpty(rule.from), ports: rule.ports}))
  }
  return (policy.spec.egress ?? []).map((rule) => ({peers: nonEmpty(rule.to), ports: rule.ports}))
}

function nonEmpty<T>(list: readonly T[] | undefined): readonly T[] | undefined {
  return list && list.length > 0 ? list : undefined
}

export interface PolicyIndex {
  byNamespace: Map<string, IndexedPolicy[]>
  namespaceLabels(namespace: string): Record<string, string>
}

export function indexPolicies(input: PolicyInput): PolicyIndex {
  const byNamespace = new Map<string, IndexedPolicy[]>()
  for (const policy of input.policies) {
    const namespace = policy.metadata.namespace ?? 'default'
    const indexed: IndexedPolicy = {id: `${namespace}/${policy.metadata.name}`, namespace, policy, ...effectiveTypes(policy)}
    const list = byNamespace.get(namespace)
    if (list) list.push(indexed)
    else byNamespace.set(namespace, [indexed])
  }
  const labels = new Map<string, Record<string, string>>()
  for (const namespace of input.namespaces) {
    labels.set(namespace.metadata.name, {...namespace.metadata.labels, [NAMESPACE_NAME_LABEL]: namespace.metadata.name})
  }
  return {
    byNamespace,
    namespaceLabels: (namespace) => labels.get(namespace) ?? {[NAMESPACE_NAME_LABEL]: namespace},
  }
}

/** Policies of the pod's namespace that select it and have the direction among their types (rule 1). */
export function isolatingPolicies(index: PolicyIndex, pod: {namespace: string; labels: Record<string, string>}, direction: Direction): IndexedPolicy[] {
  return (index.byNamespace.get(pod.namespace) ?? []).filter(
    (indexed) => indexed[direction] && validSelector(indexed.policy.spec.podSelector) && selectorMatches(indexed.policy.spec.podSelector, pod.labels),
  )
}

/** The other end of a connection, as a peer sees it. */
export type PeerSubject =
  | {kind: 'pod'; namespace: string; labels: Record<string, string>}
  /**
   * A hostNetwork pod: its traffic carries the node's address, which pod and namespace selectors
   * never select; an ipBlock holding every one of `ips` (its nodes') does.
   */
  | {kind: 'node'; ips?: readonly string[]}
  /** A cluster-external address; without `ip`, the Internet at large. */
  | {kind: 'outside'; ip?: string}

export type PeerShape = 'ipBlock' | 'selectors' | 'invalid'

/** A peer is an ipBlock or selectors, never both and never neither (rule 6). */
export function peerShape(peer: PeerLike): PeerShape {
  const selectors = peer.podSelector !== undefined || peer.namespaceSelector !== undefined
  if (peer.ipBlock !== undefined) return selectors ? 'invalid' : 'ipBlock'
  if (!selectors || !validSelector(peer.podSelector) || !validSelector(peer.namespaceSelector)) return 'invalid'
  return 'selectors'
}

/**
 * Whether one peer of a rule in `policyNamespace` selects the subject. Within a peer,
 * namespaceSelector AND podSelector; a podSelector alone stays in the policy's namespace; an
 * empty namespaceSelector is every namespace (rules 2 and 5).
 */
export function peerMatches(peer: PeerLike, policyNamespace: string, subject: PeerSubject, index: PolicyIndex): boolean {
  const shape = peerShape(peer)
  if (shape === 'invalid') return false
  if (shape === 'ipBlock') {
    if (subject.kind === 'node') return (subject.ips ?? []).length > 0 && subject.ips!.every((ip) => ipBlockContains(peer.ipBlock!, ip))
    if (subject.kind !== 'outside') return false
    return subject.ip === undefined ? ipBlockAdmitsOutside(peer.ipBlock!) : ipBlockContains(peer.ipBlock!, subject.ip)
  }
  if (subject.kind !== 'pod') return false
  const namespaceOk = peer.namespaceSelector
    ? selectorMatches(peer.namespaceSelector, index.namespaceLabels(subject.namespace))
    : subject.namespace === policyNamespace
  return namespaceOk && selectorMatches(peer.podSelector, subject.labels)
}

/** `{}` or absent: selects everything. */
export function selectsAll(selector: SelectorLike | undefined): boolean {
  return isEmptySelector(selector)
}

const OPERATORS = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist'])

/** A selector the API accepts: known operators; In/NotIn with values; Exists/DoesNotExist without. */
export function validSelector(selector: SelectorLike | undefined): boolean {
  return (selector?.matchExpressions ?? []).every((expression) => {
    if (!OPERATORS.has(expression.operator)) return false
    const values = expression.values ?? []
    return expression.operator === 'In' || expression.operator === 'NotIn' ? values.length > 0 : values.length === 0
  })
}

export interface NamedPort {
  name: string
  protocol: Protocol
}

/** A rule's ports before named ports are resolved against the destination. */
export interface PortSpec {
  set: PortSet
  names: readonly NamedPort[]
}

export const ALL_PORT_SPEC: PortSpec = {set: ALL_PORTS, names: []}
export const NO_PORT_SPEC: PortSpec = {set: NO_PORTS, names: []}

/**
 * `ports` missing or empty: every port of every protocol. Each entry: protocol default TCP
 * (rule 7); no `port`: all ports of the protocol; `endPort`: a range, with numeric ports only.
 */
export function portSpec(ports: readonly PortLike[] | undefined): PortSpec {
  if (!ports || ports.length === 0) return ALL_PORT_SPEC
  let set = NO_PORTS
  const names: NamedPort[] = []
  for (const entry of ports) {
    const port = parsePortEntry(entry)
    if (!port) continue
    if ('name' in port) names.push(port)
    else set = unionPorts(set, port.set)
  }
  return {set, names}
}

type ParsedPort = {set: PortSet} | NamedPort

function parsePortEntry(entry: PortLike): ParsedPort | undefined {
  const protocol = parseProtocol(entry.protocol)
  if (!protocol) return undefined
  if (entry.port === undefined) return entry.endPort === undefined ? {set: allOf(protocol)} : undefined
  const number = typeof entry.port === 'number' ? entry.port : /^\d+$/.test(entry.port) ? Number(entry.port) : undefined
  if (number === undefined) return entry.endPort === undefined ? {name: entry.port as string, protocol} : undefined
  if (entry.endPort !== undefined && entry.endPort < number) return undefined
  return {set: portRange(protocol, number, entry.endPort ?? number)}
}

export function unionSpecs(a: PortSpec, b: PortSpec): PortSpec {
  if (a === NO_PORT_SPEC) return b
  if (b === NO_PORT_SPEC) return a
  const names = b.names.length === 0 ? a.names : a.names.length === 0 ? b.names : dedupeNames([...a.names, ...b.names])
  return {set: unionPorts(a.set, b.set), names}
}

function dedupeNames(names: NamedPort[]): NamedPort[] {
  const seen = new Map(names.map((named) => [`${named.name}/${named.protocol}`, named]))
  return [...seen.values()]
}

/** Named ports resolve against the destination pod's container ports; outside, never (rule 7). */
export function resolveSpec(spec: PortSpec, destination: {ports: readonly ContainerPortLike[]} | undefined): PortSet {
  if (spec.names.length === 0 || !destination) return spec.set
  let set = spec.set
  for (const named of spec.names) {
    for (const port of destination.ports) {
      if (port.name === named.name && port.protocol === named.protocol) set = unionPorts(set, portRange(named.protocol, port.port))
    }
  }
  return set
}
