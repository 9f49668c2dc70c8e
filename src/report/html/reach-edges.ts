/**
 * Reachability on the graph: for the pods of each namespace drawn, who reaches whom (and from
 * outside the cluster) before and after, as edges marked closed, opened or unchanged; and the
 * list of every pair that changes, cross-namespace ones too.
 */
import {diffMatrices} from '../../netpol/diff.js'
import {type Matrix, matrixCell} from '../../netpol/matrix.js'
import {formatPorts, intersectPorts, isEmptyPorts, type PortSet, subtractPorts} from '../../netpol/ports.js'
import {OUTSIDE_ID, type PodClass} from '../../netpol/types.js'
import type {EstateGraphs} from './estate-graph.js'
import type {ReachChange, ReachState} from './types.js'

export function addReachEdges(graphs: EstateGraphs, classes: readonly PodClass[], before: Matrix, after: Matrix): void {
  const byNamespace = new Map<string, PodClass[]>()
  for (const podClass of classes) byNamespace.set(podClass.namespace, [...(byNamespace.get(podClass.namespace) ?? []), podClass])
  for (const [namespace, members] of byNamespace) {
    const graph = graphs.graphOfNamespace(namespace)
    if (!graph) continue
    const add = (fromNode: string, toNode: string, state: ReachState, ports: PortSet, kept: PortSet | undefined) => {
      if (isEmptyPorts(ports)) return
      const keeps = kept && !isEmptyPorts(kept) ? formatPorts(kept) : undefined
      const changed = formatPorts(ports)
      // "all but 80/TCP" already says what stays.
      const label = keeps && changed !== `all but ${keeps}` ? `${changed}; keeps ${keeps}` : changed
      graph.edges.push({from: fromNode, to: toNode, kind: 'reach', state, label, ...(keeps ? {keeps} : {})})
    }
    const pair = (fromId: string, fromNode: string, to: PodClass) => {
      const was = matrixCell(before, fromId, to.id)
      const is = matrixCell(after, fromId, to.id)
      const toNode = graphs.nodeOfClass(to)
      // One edge per change, naming what stays reachable, so a pair is one line, not three.
      const closed = subtractPorts(was, is)
      const opened = subtractPorts(is, was)
      const kept = intersectPorts(was, is)
      if (!isEmptyPorts(closed)) add(fromNode, toNode, 'closed', closed, kept)
      if (!isEmptyPorts(opened)) add(fromNode, toNode, 'opened', opened, isEmptyPorts(closed) ? kept : undefined)
      if (isEmptyPorts(closed) && isEmptyPorts(opened)) add(fromNode, toNode, 'unchanged', kept, undefined)
    }
    let outside = false
    for (const to of members) {
      for (const from of members) if (from.id !== to.id) pair(from.id, graphs.nodeOfClass(from), to)
      const before = graph.edges.length
      pair(OUTSIDE_ID, OUTSIDE_ID, to)
      outside ||= graph.edges.length > before
    }
    if (outside) graph.nodes.push({id: OUTSIDE_ID, kind: 'outside', label: 'outside the cluster', details: ['the Internet at large'], marks: []})
  }
}

export function reachChanges(before: Matrix, after: Matrix): ReachChange[] {
  const diff = diffMatrices(before, after)
  return [
    ...diff.closed.map((change) => ({from: change.from, to: change.to, ports: formatPorts(change.ports), state: 'closed' as const})),
    ...diff.opened.map((change) => ({from: change.from, to: change.to, ports: formatPorts(change.ports), state: 'opened' as const})),
  ]
}
