/**
 * The matrix as a list people (and `--format json`) can read: for each destination, who reaches
 * it on which ports, with sources grouped where they share the answer (a whole namespace, every
 * pod, everyone) instead of one line per pair.
 */
import {admissionKey, cellOf, type Matrix} from './matrix.js'
import {ALL_PORTS, isEmptyPorts, NO_PORTS, type PortSet, portsEqual, portsKey} from './ports.js'
import {OUTSIDE_ID, type PodClass} from './types.js'

/** Source patterns of an entry besides class ids. */
export const EVERYONE = '*'
export const EVERY_POD = '*/*'

export interface MatrixEntry {
  /**
   * A class id, `outside`, `NS/*` (every pod of NS), EVERY_POD (every pod of every namespace) or
   * EVERYONE (every pod and outside).
   */
  from: string
  /** A class id or `outside`. */
  to: string
  ports: PortSet
  /** With an EVERYONE or EVERY_POD source: the namespaces (`NS/*`) it leaves to their own entries. */
  except?: string[]
}

export interface EntryOptions {
  /** Only destinations in these namespaces, and what their pods reach outside the cluster. */
  namespaces?: readonly string[]
}

type Reach = {uniform: PortSet} | {classes: [string, PortSet][]}

/**
 * Who reaches one destination, by source namespace: `own` holds the namespaces with an answer of
 * their own, in namespace order; `shared`, when some namespaces are left out of `own`, is the one
 * answer they all get (`count` of them, the first being `first`). At 8,000 classes in 200
 * namespaces, most destinations name a handful of namespaces, so this keeps a destination's cost
 * to what its policies name instead of every namespace.
 */
interface Reaches {
  own: Map<string, Reach>
  shared?: {reach: {uniform: PortSet}; count: number; first: string}
  /** How many namespaces the two cover together. */
  total: number
}

/** A pod of a namespace the snapshot does not hold (no namespace is named with a space), with no labels or policies. */
const STRANGER: PodClass = {id: ' another namespace/pod', namespace: ' another namespace', name: 'pod', labels: {}, pods: [], hostNetwork: false, ports: []}

export function matrixEntries(matrix: Matrix, options: EntryOptions = {}): MatrixEntry[] {
  const byNamespace = groupByNamespace(matrix.classes)
  const order = [...byNamespace.keys()]
  const position = new Map(order.map((namespace, index) => [namespace, index]))
  const scope = options.namespaces ? new Set(options.namespaces) : undefined
  const scoped = order.filter((namespace) => !scope || scope.has(namespace))
  // Namespaces whose classes all have the same egress (a namespace-wide policy, or none) and none on
  // the host network: towards a destination that names no class of theirs, they are all alike.
  const uniformEgress = new Set(
    [...byNamespace]
      .filter(([, classes]) => {
        if (classes.some((c) => c.hostNetwork)) return false
        const first = admissionKey(matrix.egress.get(classes[0]!.id))
        return classes.every((c) => admissionKey(matrix.egress.get(c.id)) === first)
      })
      .map(([namespace]) => namespace),
  )
  // Of those, the namespaces not isolated for egress: towards a destination whose ingress names
  // neither them nor their classes, they all get what its ingress grants any pod.
  const openEgress = order.filter((namespace) => uniformEgress.has(namespace) && !matrix.egress.has(byNamespace.get(namespace)![0]!.id))
  const open = new Set(openEgress)
  const closed = order.filter((namespace) => !open.has(namespace))

  const entries: MatrixEntry[] = []
  for (const namespace of scoped) {
    for (const to of byNamespace.get(namespace)!) {
      const admission = matrix.ingress.get(to.id)
      const named = new Set([...(admission?.classNamespaces ?? []), ...(admission?.byNamespace.keys() ?? [])].filter((source) => open.has(source)))
      const own = new Map<string, Reach>()
      const sources = named.size === 0 ? closed : [...closed, ...named].sort((a, b) => position.get(a)! - position.get(b)!)
      for (const source of sources) {
        const classes = byNamespace.get(source)!
        const uniform = uniformEgress.has(source) && !admission?.classNamespaces.has(source)
        own.set(source, uniform ? {uniform: cellOf(matrix, classes[0], to)} : reachOf(matrix, classes, to))
      }
      const first = openEgress.find((source) => !named.has(source))
      const reaches: Reaches = {own, total: order.length}
      if (first !== undefined) reaches.shared = {reach: {uniform: cellOf(matrix, byNamespace.get(first)![0], to)}, count: open.size - named.size, first}
      entries.push(...summarize(to.id, reaches, position, byNamespace, cellOf(matrix, undefined, to), cellOf(matrix, STRANGER, to), true))
    }
  }

  const reachOutside = new Map<string, Reach>()
  for (const namespace of scoped) reachOutside.set(namespace, reachOf(matrix, byNamespace.get(namespace)!, undefined))
  // A pod of another namespace has no policy of its own: it reaches outside on every port.
  const everyNamespace = !scope || scoped.length === byNamespace.size
  entries.push(...summarize(OUTSIDE_ID, {own: reachOutside, total: reachOutside.size}, position, byNamespace, undefined, ALL_PORTS, everyNamespace))
  return entries
}

function reachOf(matrix: Matrix, classes: readonly PodClass[], to: PodClass | undefined): Reach {
  const cells: [string, PortSet][] = classes.map((from) => [from.id, cellOf(matrix, from, to)])
  const first = cells[0]![1]
  return cells.every(([, ports]) => portsEqual(ports, first)) ? {uniform: first} : {classes: cells}
}

function summarize(
  to: string,
  reaches: Reaches,
  position: ReadonlyMap<string, number>,
  byNamespace: Map<string, PodClass[]>,
  fromOutside: PortSet | undefined,
  fromStranger: PortSet,
  everyNamespace: boolean,
): MatrixEntry[] {
  const entries: MatrixEntry[] = []
  let outsideDone = fromOutside === undefined || isEmptyPorts(fromOutside)

  // "Every pod of every namespace" only when a pod of any namespace gets that answer, not just
  // the namespaces this snapshot happens to hold (a `podSelector: {}` peer is one namespace).
  const shared = everyNamespace ? mostCommon(reaches, position) : undefined
  const common = shared && portsEqual(shared.ports, fromStranger) ? shared : undefined
  // The namespaces in `shared` print nothing of their own when they get the common answer, or,
  // without one, nothing at all; else each is listed like any other.
  const sharedSilent = reaches.shared === undefined || (common ? portsKey(reaches.shared.reach.uniform) === common.key : isEmptyPorts(reaches.shared.reach.uniform))
  let listed: [string, Reach][] = sharedSilent ? [...reaches.own] : [...position.keys()].map((namespace) => [namespace, reaches.own.get(namespace) ?? reaches.shared!.reach])
  if (common) {
    listed = listed.filter(([, value]) => !('uniform' in value && portsKey(value.uniform) === common.key))
    const withOutside = fromOutside !== undefined && portsEqual(fromOutside, common.ports)
    const except = listed.length > 0 ? {except: listed.map(([namespace]) => `${namespace}/*`)} : {}
    entries.push({from: withOutside ? EVERYONE : EVERY_POD, to, ports: common.ports, ...except})
    if (withOutside) outsideDone = true
  }
  for (const [namespace, value] of listed) {
    if ('uniform' in value) {
      if (isEmptyPorts(value.uniform)) continue
      const classes = byNamespace.get(namespace)!
      entries.push({from: classes.length === 1 ? classes[0]!.id : `${namespace}/*`, to, ports: value.uniform})
    } else {
      for (const [from, ports] of value.classes) if (!isEmptyPorts(ports)) entries.push({from, to, ports})
    }
  }
  if (!outsideDone) entries.push({from: OUTSIDE_ID, to, ports: fromOutside ?? NO_PORTS})
  return entries
}

/**
 * The non-empty answer most namespaces share in full, when at least two (or all) do; on a tie,
 * the answer of the first namespace in namespace order.
 */
function mostCommon(reaches: Reaches, position: ReadonlyMap<string, number>): {key: string; ports: PortSet} | undefined {
  const counts = new Map<string, {ports: PortSet; count: number}>()
  const add = (value: Reach, count: number) => {
    if (!('uniform' in value) || isEmptyPorts(value.uniform)) return
    const key = portsKey(value.uniform)
    const entry = counts.get(key)
    if (entry) entry.count += count
    else counts.set(key, {ports: value.uniform, count})
  }
  let shared = reaches.shared
  for (const [namespace, value] of reaches.own) {
    if (shared && position.get(shared.first)! < position.get(namespace)!) {
      add(shared.reach, shared.count)
      shared = undefined
    }
    add(value, 1)
  }
  if (shared) add(shared.reach, shared.count)
  let best: {key: string; ports: PortSet; count: number} | undefined
  for (const [key, entry] of counts) if (!best || entry.count > best.count) best = {key, ...entry}
  if (!best || (best.count < 2 && best.count < reaches.total)) return undefined
  return best
}

function groupByNamespace(classes: readonly PodClass[]): Map<string, PodClass[]> {
  const map = new Map<string, PodClass[]>()
  for (const podClass of classes) {
    const list = map.get(podClass.namespace)
    if (list) list.push(podClass)
    else map.set(podClass.namespace, [podClass])
  }
  return map
}
