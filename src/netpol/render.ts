/** Text and JSON output of `netpol matrix`, `netpol explain` and `netpol diff`. */
import {groupBy} from '../inventory/group-by.js'
import type {MatrixDiff} from './diff.js'
import {EVERY_POD, EVERYONE, type MatrixEntry} from './entries.js'
import type {Verdict} from './explain.js'
import {isolation, type Matrix} from './matrix.js'
import {formatPorts, portsToJson} from './ports.js'
import {OUTSIDE_ID, type PodClass} from './types.js'

export const SOURCE_LEGEND = `Sources: ${EVERYONE} everyone (every pod and outside), ${EVERY_POD} every pod of every namespace, NS/* every pod of NS, outside an address beyond the cluster; "except NS/*": those namespaces have lines of their own.`

export function renderMatrixTable(matrix: Matrix, entries: readonly MatrixEntry[], namespaces: readonly string[]): string {
  const shown = new Set(namespaces)
  const classes = matrix.classes.filter((podClass) => shown.has(podClass.namespace))
  const policies = namespaces.reduce((sum, namespace) => sum + (matrix.index.byNamespace.get(namespace)?.length ?? 0), 0)
  const lines = [
    `Reachability under NetworkPolicy: ${count(classes.length, 'pod class', 'pod classes')} in ${count(namespaces.length, 'namespace')}, ${count(policies, 'NetworkPolicy', 'NetworkPolicies')}.`,
    SOURCE_LEGEND,
  ]
  const byDestination = groupBy(entries, (entry) => entry.to)
  const byNamespace = groupBy(classes, (podClass) => podClass.namespace)

  for (const namespace of namespaces) {
    const local = byNamespace.get(namespace) ?? []
    lines.push('', namespaceHeader(matrix, namespace, local))
    for (const podClass of local) {
      const reaching = byDestination.get(podClass.id) ?? []
      if (reaching.length === 0) lines.push(`  (nothing) → ${podClass.id}`)
      for (const entry of reaching) lines.push(`  ${formatEntry(entry)}`)
    }
  }
  const outward = byDestination.get(OUTSIDE_ID) ?? []
  lines.push('', 'outside the cluster')
  if (outward.length === 0) lines.push(`  (nothing) → ${OUTSIDE_ID}`)
  for (const entry of outward) lines.push(`  ${formatEntry(entry)}`)
  return `${lines.join('\n')}\n`
}

function namespaceHeader(matrix: Matrix, namespace: string, classes: readonly PodClass[]): string {
  const policies = matrix.index.byNamespace.get(namespace) ?? []
  const isolated = (direction: 'ingress' | 'egress') => {
    const names = classes.filter((podClass) => isolation(matrix, podClass.id, direction).length > 0).map((podClass) => podClass.name)
    return names.length === 0 ? 'none' : names.length === classes.length ? 'all' : someOf(names, 10)
  }
  const parts =
    policies.length === 0
      ? ['no NetworkPolicy, nothing isolated']
      : [
          `${count(policies.length, 'NetworkPolicy', 'NetworkPolicies')} (${someOf(policies.map((p) => p.policy.metadata.name))})`,
          `isolated for ingress: ${isolated('ingress')}`,
          `for egress: ${isolated('egress')}`,
        ]
  const hostNetwork = classes.filter((podClass) => podClass.hostNetwork).map((podClass) => podClass.name)
  if (hostNetwork.length > 0) parts.push(`on the host network, beyond NetworkPolicy: ${hostNetwork.join(', ')}`)
  return `${namespace}: ${parts.join('; ')}`
}

export function formatEntry(entry: MatrixEntry): string {
  const from = entry.except ? `${entry.from} except ${entry.except.join(', ')}` : entry.from
  return `${from} → ${entry.to}: ${formatPorts(entry.ports)}`
}

export function renderMatrixJson(matrix: Matrix, entries: readonly MatrixEntry[], namespaces: readonly string[], warnings: readonly string[]): string {
  const shown = new Set(namespaces)
  const classes = matrix.classes
    .filter((podClass) => shown.has(podClass.namespace))
    .map((podClass) => ({
      id: podClass.id,
      namespace: podClass.namespace,
      name: podClass.name,
      pods: podClass.pods,
      hostNetwork: podClass.hostNetwork,
      ports: podClass.ports,
      ingressIsolatedBy: isolation(matrix, podClass.id, 'ingress'),
      egressIsolatedBy: isolation(matrix, podClass.id, 'egress'),
    }))
  const document = {
    apiVersion: 'hardenctl.io/v1',
    kind: 'ReachabilityMatrix',
    namespaces,
    classes,
    entries: entries.map((entry) => ({from: entry.from, to: entry.to, ports: portsToJson(entry.ports), ...(entry.except ? {except: entry.except} : {})})),
    warnings,
  }
  return `${JSON.stringify(document, null, 2)}\n`
}

export function renderVerdictText(verdict: Verdict): string {
  return `${verdict.explanation.join('\n')}\n`
}

export function renderVerdictJson(verdict: Verdict): string {
  return `${JSON.stringify({apiVersion: 'hardenctl.io/v1', kind: 'ReachabilityVerdict', ...verdict}, null, 2)}\n`
}


/** A header line stays one line: the first few names, then how many more. */
function someOf(names: readonly string[], shown = 6): string {
  return names.length <= shown ? names.join(', ') : `${names.slice(0, shown).join(', ')} and ${names.length - shown} more`
}

function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`
}

/** `netpol diff`: the pairs a plan opens and closes, grouped, sorted by destination. */
export function renderDiffText(diff: MatrixDiff): string {
  const lines = [`${count(diff.opened.length, 'pair')} opened, ${count(diff.closed.length, 'pair')} closed.`]
  for (const [title, changes] of [['Opened', diff.opened], ['Closed', diff.closed]] as const) {
    if (changes.length === 0) continue
    lines.push('', `${title}:`)
    for (const change of [...changes].sort((a, b) => a.to.localeCompare(b.to) || a.from.localeCompare(b.from))) {
      lines.push(`  ${change.from} → ${change.to}: ${formatPorts(change.ports)}`)
    }
  }
  return `${lines.join('\n')}\n`
}

export function renderDiffJson(diff: MatrixDiff): string {
  const json = (changes: MatrixDiff['opened']) => changes.map((change) => ({from: change.from, to: change.to, ports: portsToJson(change.ports)}))
  return `${JSON.stringify({opened: json(diff.opened), closed: json(diff.closed)}, null, 2)}\n`
}
