/**
 * The reachability matrix: for every pair of pod classes (and "outside"), the ports on which
 * FROM can open a connection to TO. Kept factored rather than as 8000² cells: per class, what its
 * egress admits and what its ingress admits, by destination or source class, namespace, "every
 * pod" and "everyone". A cell is the intersection of the two, computed on demand (`matrixCell`).
 *
 * Building costs one pass over each namespace's policies: a peer is matched against the
 * namespaces and classes once per policy, not once per selected pod.
 */
import {selectorMatches} from './selector.js'
import {ipBlockAdmitsOutside, ipBlockContains} from './ip-block.js'
import {
  type Direction,
  indexPolicies,
  NO_PORT_SPEC,
  peerShape,
  type PolicyIndex,
  type PortSpec,
  portSpec,
  resolveSpec,
  rulesOf,
  selectsAll,
  unionSpecs,
  validSelector,
} from './policies.js'
import {ALL_PORTS, intersectPorts, NO_PORTS, type PortSet, portsKey} from './ports.js'
import {OUTSIDE_ID, type PeerLike, type PodClass, type PolicyInput, type SelectorLike} from './types.js'

/** What one class's policies admit in one direction. Absent from the matrix: not isolated. */
export interface Admission {
  /** `namespace/name` of the policies that isolate the class in this direction. */
  isolatedBy: string[]
  /** Rules without peers: every pod, node and outside address. */
  any: PortSpec
  /** Peers that select every pod of every namespace. */
  anyPod: PortSpec
  /** ipBlocks that admit the Internet at large (see ip-block.ts). */
  outside: PortSpec
  byNamespace: Map<string, PortSpec>
  byClass: Map<string, PortSpec>
  /** Host-network classes whose node addresses an ipBlock holds, by id (selectors never name them). */
  byNode: Map<string, PortSpec>
  /** Namespaces with an entry in byClass, so a namespace without one is uniform. */
  classNamespaces: Set<string>
}

export interface Matrix {
  classes: PodClass[]
  byId: Map<string, PodClass>
  /** By class id, only for classes isolated for ingress. Ingress ports are already resolved. */
  ingress: Map<string, Admission>
  /** By class id, only for classes isolated for egress. Named ports resolve per destination. */
  egress: Map<string, Admission>
  index: PolicyIndex
}

/** What a peer selects, over the given classes. */
interface PeerTargets {
  any: boolean
  anyPod: boolean
  outside: boolean
  namespaces: string[]
  classes: PodClass[]
  nodes: PodClass[]
}

export function reachabilityMatrix(input: PolicyInput, classes: readonly PodClass[]): Matrix {
  const index = indexPolicies(input)
  const byNamespace = indexClasses(classes)
  const onHost = classes.filter((podClass) => podClass.hostNetwork && (podClass.nodeAddresses ?? []).length > 0)
  const matrix: Matrix = {classes: [...classes], byId: new Map(classes.map((c) => [c.id, c])), ingress: new Map(), egress: new Map(), index}

  for (const [namespace, policies] of index.byNamespace) {
    const local = byNamespace.get(namespace)
    for (const indexed of policies) {
      const selector = indexed.policy.spec.podSelector
      if (!validSelector(selector)) continue
      const selected = selectClasses(local, selector)
      if (selected.length === 0) continue
      for (const direction of ['ingress', 'egress'] as const) {
        if (!indexed[direction]) continue
        const rules = rulesOf(indexed.policy, direction).map((rule) => ({
          targets: rule.peers === undefined ? [EVERYONE] : rule.peers.map((peer) => peerTargets(peer, namespace, byNamespace, index, onHost)),
          spec: portSpec(rule.ports),
        }))
        for (const podClass of selected) {
          const admission = admissionFor(matrix[direction], podClass.id)
          admission.isolatedBy.push(indexed.id)
          for (const rule of rules) {
            // Ingress rules speak of this class's ports: resolve names now, once.
            const spec = direction === 'ingress' ? {set: resolveSpec(rule.spec, podClass), names: []} : rule.spec
            for (const targets of rule.targets) addTargets(admission, targets, spec)
          }
        }
      }
    }
  }
  return matrix
}

const EVERYONE: PeerTargets = {any: true, anyPod: false, outside: false, namespaces: [], classes: [], nodes: []}

/**
 * A namespace's classes, also by label, so that a selector with matchLabels is matched against
 * the classes carrying its first label only (8,400 policies of one application each, over 40
 * classes a namespace, in the reconcile plan).
 */
interface LocalClasses {
  all: PodClass[]
  byLabel: Map<string, Map<string, PodClass[]>>
}

function indexClasses(classes: readonly PodClass[]): Map<string, LocalClasses> {
  const byNamespace = new Map<string, LocalClasses>()
  for (const podClass of classes) {
    let local = byNamespace.get(podClass.namespace)
    if (!local) byNamespace.set(podClass.namespace, (local = {all: [], byLabel: new Map()}))
    local.all.push(podClass)
    for (const [key, value] of Object.entries(podClass.labels)) {
      let values = local.byLabel.get(key)
      if (!values) local.byLabel.set(key, (values = new Map()))
      const withValue = values.get(value)
      if (withValue) withValue.push(podClass)
      else values.set(value, [podClass])
    }
  }
  return byNamespace
}

/** The classes of a namespace the selector selects, in class order. */
function selectClasses(local: LocalClasses | undefined, selector: SelectorLike | undefined): PodClass[] {
  if (!local) return []
  let candidates = local.all
  for (const key in selector?.matchLabels) {
    candidates = local.byLabel.get(key)?.get(selector.matchLabels[key]!) ?? []
    break
  }
  return candidates.filter((podClass) => selectorMatches(selector, podClass.labels))
}

function peerTargets(peer: PeerLike, policyNamespace: string, byNamespace: Map<string, LocalClasses>, index: PolicyIndex, onHost: readonly PodClass[]): PeerTargets {
  const targets: PeerTargets = {any: false, anyPod: false, outside: false, namespaces: [], classes: [], nodes: []}
  const shape = peerShape(peer)
  if (shape === 'invalid') return targets
  if (shape === 'ipBlock') {
    targets.outside = ipBlockAdmitsOutside(peer.ipBlock!)
    targets.nodes = onHost.filter((podClass) => podClass.nodeAddresses!.every((ip) => ipBlockContains(peer.ipBlock!, ip)))
    return targets
  }
  const allPods = selectsAll(peer.podSelector)
  if (peer.namespaceSelector && selectsAll(peer.namespaceSelector) && allPods) {
    targets.anyPod = true
    return targets
  }
  const namespaces = peer.namespaceSelector
    ? [...byNamespace.keys()].filter((namespace) => selectorMatches(peer.namespaceSelector, index.namespaceLabels(namespace)))
    : [policyNamespace]
  if (allPods) {
    targets.namespaces = namespaces
    return targets
  }
  for (const namespace of namespaces) {
    for (const podClass of selectClasses(byNamespace.get(namespace), peer.podSelector)) targets.classes.push(podClass)
  }
  return targets
}

function admissionFor(map: Map<string, Admission>, id: string): Admission {
  let admission = map.get(id)
  if (!admission) {
    admission = {
      isolatedBy: [],
      any: NO_PORT_SPEC,
      anyPod: NO_PORT_SPEC,
      outside: NO_PORT_SPEC,
      byNamespace: new Map(),
      byClass: new Map(),
      byNode: new Map(),
      classNamespaces: new Set(),
    }
    map.set(id, admission)
  }
  return admission
}

function addTargets(admission: Admission, targets: PeerTargets, spec: PortSpec): void {
  if (targets.any) admission.any = unionSpecs(admission.any, spec)
  if (targets.anyPod) admission.anyPod = unionSpecs(admission.anyPod, spec)
  if (targets.outside) admission.outside = unionSpecs(admission.outside, spec)
  for (const namespace of targets.namespaces) {
    admission.byNamespace.set(namespace, unionSpecs(admission.byNamespace.get(namespace) ?? NO_PORT_SPEC, spec))
  }
  for (const podClass of targets.classes) {
    admission.byClass.set(podClass.id, unionSpecs(admission.byClass.get(podClass.id) ?? NO_PORT_SPEC, spec))
    admission.classNamespaces.add(podClass.namespace)
  }
  for (const podClass of targets.nodes) admission.byNode.set(podClass.id, unionSpecs(admission.byNode.get(podClass.id) ?? NO_PORT_SPEC, spec))
}

/** The ports FROM may use to reach TO; either may be `outside`. Unknown ids reach nothing. */
export function matrixCell(matrix: Matrix, fromId: string, toId: string): PortSet {
  if (fromId === OUTSIDE_ID && toId === OUTSIDE_ID) return NO_PORTS
  const from = fromId === OUTSIDE_ID ? undefined : matrix.byId.get(fromId)
  const to = toId === OUTSIDE_ID ? undefined : matrix.byId.get(toId)
  if ((fromId !== OUTSIDE_ID && !from) || (toId !== OUTSIDE_ID && !to)) return NO_PORTS
  return cellOf(matrix, from, to)
}

/** `undefined` is outside. */
export function cellOf(matrix: Matrix, from: PodClass | undefined, to: PodClass | undefined): PortSet {
  const egress = egressPorts(matrix, from, to)
  if (egress === NO_PORTS) return NO_PORTS
  return intersectPorts(egress, ingressPorts(matrix, from, to))
}

/** FROM's egress: not enforced outside the cluster or on the host network; open when not isolated. */
export function egressPorts(matrix: Matrix, from: PodClass | undefined, to: PodClass | undefined): PortSet {
  if (!from || from.hostNetwork) return ALL_PORTS
  const admission = matrix.egress.get(from.id)
  if (!admission) return ALL_PORTS
  return resolveSpec(admitted(admission, to), to)
}

/** TO's ingress, likewise. */
export function ingressPorts(matrix: Matrix, from: PodClass | undefined, to: PodClass | undefined): PortSet {
  if (!to || to.hostNetwork) return ALL_PORTS
  const admission = matrix.ingress.get(to.id)
  if (!admission) return ALL_PORTS
  return admitted(admission, from).set
}

/**
 * What an admission grants one peer; `undefined` is outside. A hostNetwork peer is node traffic:
 * rules without peers, and ipBlocks holding its nodes' addresses.
 */
function admitted(admission: Admission, peer: PodClass | undefined): PortSpec {
  if (!peer) return unionSpecs(admission.any, admission.outside)
  if (peer.hostNetwork) return unionSpecs(admission.any, admission.byNode.get(peer.id) ?? NO_PORT_SPEC)
  let spec = unionSpecs(admission.any, admission.anyPod)
  const namespace = admission.byNamespace.get(peer.namespace)
  if (namespace) spec = unionSpecs(spec, namespace)
  const own = admission.byClass.get(peer.id)
  if (own) spec = unionSpecs(spec, own)
  return spec
}

/** Whether a class is isolated in a direction, and by which policies. */
export function isolation(matrix: Matrix, id: string, direction: Direction): string[] {
  return matrix[direction].get(id)?.isolatedBy ?? []
}

/** A canonical text of an admission, equal for admissions that grant the same. */
export function admissionKey(admission: Admission | undefined): string {
  if (!admission) return 'open'
  const spec = (value: PortSpec) => `${portsKey(value.set)}+${value.names.map((named) => `${named.name}/${named.protocol}`).sort().join(',')}`
  const map = (value: Map<string, PortSpec>) => [...value].map(([key, item]) => `${key}=${spec(item)}`).sort().join(';')
  return [spec(admission.any), spec(admission.anyPod), spec(admission.outside), map(admission.byNamespace), map(admission.byClass), map(admission.byNode)].join('|')
}
