/**
 * What changes between two matrices of the same pods (before and after a reconcile plan, say):
 * the ports each pair gains and loses. Only pairs whose egress or ingress admission changed are
 * compared, so a change in one namespace costs that namespace's classes times all classes.
 */
import {admissionKey, type Matrix, matrixCell} from './matrix.js'
import {isEmptyPorts, type PortSet, subtractPorts} from './ports.js'
import {OUTSIDE_ID, type PodClass} from './types.js'

export interface MatrixChange {
  from: string
  to: string
  /** The ports opened (or closed) between the two. */
  ports: PortSet
}

export interface MatrixDiff {
  opened: MatrixChange[]
  closed: MatrixChange[]
}

/** Classes present in only one matrix count as reaching nothing in the other. */
export function diffMatrices(before: Matrix, after: Matrix): MatrixDiff {
  const ids = [...new Set([...before.byId.keys(), ...after.byId.keys()])].sort()
  const changedClass = (id: string) => classKey(before.byId.get(id)) !== classKey(after.byId.get(id))
  const changedFrom = new Set(ids.filter((id) => changedClass(id) || admissionKey(before.egress.get(id)) !== admissionKey(after.egress.get(id))))
  const changedTo = new Set(ids.filter((id) => changedClass(id) || admissionKey(before.ingress.get(id)) !== admissionKey(after.ingress.get(id))))

  const diff: MatrixDiff = {opened: [], closed: []}
  const compare = (from: string, to: string) => {
    const {opened, closed} = comparePair(before, after, from, to)
    if (!isEmptyPorts(opened)) diff.opened.push({from, to, ports: opened})
    if (!isEmptyPorts(closed)) diff.closed.push({from, to, ports: closed})
  }
  const endpoints = [...ids, OUTSIDE_ID]
  for (const from of changedFrom) for (const to of endpoints) compare(from, to)
  for (const to of changedTo) for (const from of endpoints) if (!changedFrom.has(from)) compare(from, to)
  const order = (a: MatrixChange, b: MatrixChange) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to)
  diff.opened.sort(order)
  diff.closed.sort(order)
  return diff
}

/** One pair of the diff: what FROM → TO gains and loses. Asking only the pairs of interest stays linear on a large estate. */
export function comparePair(before: Matrix, after: Matrix, from: string, to: string): {opened: PortSet; closed: PortSet} {
  const was = matrixCell(before, from, to)
  const is = matrixCell(after, from, to)
  return {opened: subtractPorts(is, was), closed: subtractPorts(was, is)}
}

function classKey(podClass: PodClass | undefined): string {
  return podClass ? JSON.stringify([podClass.hostNetwork, podClass.ports]) : 'absent'
}
