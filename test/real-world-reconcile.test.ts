/**
 * Real-world reconcile batches (test/real-world-reconcile/, see its README): the COS Lite model `clite`
 * and the model `foo` that consumes clite's alertmanager offer (batch 1, the directory itself), and
 * the Sunbeam OpenStack control plane `openstack` (batch 2, sunbeam/), from real `juju status` dumps,
 * with the ingress of every planned NetworkPolicy written from the charms' source and relation data
 * before the planner was first run on them (each batch's expected.json).
 *
 * Each variant runs `hardenctl reconcile --dry-run --from DIR --format json` through the built CLI
 * and compares, per planned policy and peer, the ports admitted with what the charms need (`need`,
 * which the plan must cover) and the most a correct plan may admit (`allow`). A peer the plan admits
 * that is neither expected nor tolerated by the variant is a difference too. Differences listed in
 * the variant's `knownWrong` (planner errors found after the run, each with its reason) are printed
 * and do not fail the test; any other difference does.
 */
import {cp, mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {networkPolicyActions, type NetworkPolicyObject, type ReconcilePlan} from '../src/plan/types.js'
import {REPO_ROOT, runCli} from './helpers/cli.js'

const BATCH = join(REPO_ROOT, 'test/real-world-reconcile')
/** Each batch: a directory with estate/, charms/ and expected.json, and its test title. */
const BATCHES = [
  {dir: BATCH, tmp: '', title: 'real-world reconcile batch: clite (COS Lite) and foo (consumes clite.alertmanager)'},
  {dir: join(BATCH, 'sunbeam'), tmp: 'sunbeam', title: 'real-world reconcile batch 2: openstack (Sunbeam control plane)'},
  {dir: join(BATCH, 'doctor'), tmp: 'doctor', title: 'real-world reconcile batch 3: doctor (Juju 3.6, interfaces in status)'},
]
const APP_LABEL = 'app.kubernetes.io/name'
const NAMESPACE_LABEL = 'kubernetes.io/metadata.name'

type Ports = 'any' | string[]

interface ExpectedRule {
  from: string
  need: Ports
  allow: Ports
  relation: string
  why: string
  evidence: string
}

interface ExpectedPolicy {
  defaultDeny?: boolean
  rules?: ExpectedRule[]
}

interface Tolerated {
  from: string
  allow: Ports
}

/** A difference between the plan and expected.json. */
interface Difference {
  namespace: string
  policy: string
  /** The peer, or '' for a difference about the policy itself or the plan's lists. */
  from: string
  kind: 'missing-policy' | 'extra-policy' | 'not-default-deny' | 'missing' | 'narrower' | 'wider' | 'extra' | 'closes' | 'keptOpen' | 'untouched'
  detail: string
}

interface KnownWrong {
  namespace: string
  policy: string
  from: string
  kind: Difference['kind']
  reason: string
}

interface Variant {
  description: string
  inputs: ('estate' | 'charms')[]
  tolerated: Record<string, Tolerated[] | string>
  knownWrong: KnownWrong[]
}

interface Expected {
  policies: Record<string, Record<string, ExpectedPolicy>>
  closes: {from: string; to: string; ports: string}[]
  untouched: string[]
  keptOpen: {namespace: string; application: string; sources: string[]; ports: string[]}[]
  variants: Record<string, Variant>
}

/** `NAMESPACE/APP`, `NAMESPACE/*`, `*\/APP`, `ipBlock:CIDR`, else the peer as JSON. */
function peerName(peer: Record<string, unknown>, policyNamespace: string): string {
  const ipBlock = peer.ipBlock as {cidr: string; except?: string[]} | undefined
  if (ipBlock) return `ipBlock:${ipBlock.cidr}${ipBlock.except?.length ? ` except ${ipBlock.except.join(',')}` : ''}`
  const namespaceSelector = peer.namespaceSelector as {matchLabels?: Record<string, string>; matchExpressions?: unknown[]} | undefined
  const podSelector = peer.podSelector as {matchLabels?: Record<string, string>; matchExpressions?: unknown[]} | undefined
  let namespace: string | undefined = policyNamespace
  if (namespaceSelector) {
    const labels = Object.entries(namespaceSelector.matchLabels ?? {})
    if (labels.length === 0 && !namespaceSelector.matchExpressions?.length) namespace = '*'
    else if (labels.length === 1 && labels[0]![0] === NAMESPACE_LABEL && !namespaceSelector.matchExpressions?.length) namespace = labels[0]![1]
    else namespace = undefined
  }
  let pods: string | undefined = '*'
  if (podSelector) {
    const labels = Object.entries(podSelector.matchLabels ?? {})
    if (labels.length === 0 && !podSelector.matchExpressions?.length) pods = '*'
    else if (labels.length === 1 && labels[0]![0] === APP_LABEL && !podSelector.matchExpressions?.length) pods = labels[0]![1]
    else pods = undefined
  }
  return namespace !== undefined && pods !== undefined ? `${namespace}/${pods}` : JSON.stringify(peer)
}

/** Each peer a policy admits, with the union of its ports (`any` when one of its rules names none). */
function admitted(policy: NetworkPolicyObject): Map<string, Ports> {
  const peers = new Map<string, Ports>()
  for (const rule of policy.spec.ingress ?? []) {
    const ports: Ports = rule.ports === undefined || rule.ports.length === 0 ? 'any' : rule.ports.map((port) => `${port.port}/${port.protocol ?? 'TCP'}`)
    for (const peer of rule.from ?? [{}]) {
      const name = rule.from === undefined ? 'anywhere' : peerName(peer as Record<string, unknown>, policy.metadata.namespace!)
      const known = peers.get(name)
      if (known === 'any' || ports === 'any') peers.set(name, 'any')
      else peers.set(name, [...new Set([...(known ?? []), ...ports])].sort())
    }
  }
  return peers
}

const show = (ports: Ports) => (ports === 'any' ? 'every port' : ports.length === 0 ? 'nothing' : ports.join(', '))
const covers = (actual: Ports, wanted: Ports) => actual === 'any' || (wanted !== 'any' && wanted.every((port) => actual.includes(port)))

function compare(plan: ReconcilePlan, expected: Expected, variant: Variant): Difference[] {
  const differences: Difference[] = []
  const planned = new Map<string, NetworkPolicyObject>()
  for (const action of networkPolicyActions(plan)) planned.set(`${action.object.metadata.namespace}/${action.object.metadata.name}`, action.object)

  for (const [namespace, policies] of Object.entries(expected.policies)) {
    for (const key of planned.keys()) {
      const [ns, name] = key.split('/') as [string, string]
      if (ns === namespace && !(name in policies)) differences.push({namespace, policy: name, from: '', kind: 'extra-policy', detail: 'planned, not expected'})
    }
    for (const [name, want] of Object.entries(policies)) {
      const policy = planned.get(`${namespace}/${name}`)
      if (!policy) {
        differences.push({namespace, policy: name, from: '', kind: 'missing-policy', detail: 'expected, not planned'})
        continue
      }
      if (want.defaultDeny) {
        const spec = policy.spec as {podSelector: object; policyTypes?: string[]; ingress?: unknown[]}
        if (JSON.stringify(spec.podSelector) !== '{}' || JSON.stringify(spec.policyTypes) !== '["Ingress"]' || (spec.ingress ?? []).length > 0) {
          differences.push({namespace, policy: name, from: '', kind: 'not-default-deny', detail: JSON.stringify(spec)})
        }
        continue
      }
      const actual = admitted(policy)
      const tolerated = variant.tolerated[`${namespace}/${name}`]
      const toleratedList = Array.isArray(tolerated) ? tolerated : []
      for (const rule of want.rules ?? []) {
        const got = actual.get(rule.from)
        const required = rule.need !== 'any' && rule.need.length === 0 ? undefined : rule.need
        if (got === undefined) {
          if (required) differences.push({namespace, policy: name, from: rule.from, kind: 'missing', detail: `needs ${show(required)} (${rule.why})`})
          continue
        }
        if (required && !covers(got, required)) {
          const lacking = required === 'any' ? 'every port' : required.filter((port) => got === 'any' || !got.includes(port)).join(', ')
          differences.push({namespace, policy: name, from: rule.from, kind: 'narrower', detail: `admits ${show(got)}; lacks ${lacking} (${rule.why})`})
        }
        if (!covers(rule.allow, got)) differences.push({namespace, policy: name, from: rule.from, kind: 'wider', detail: `admits ${show(got)}; at most ${show(rule.allow)}`})
      }
      for (const [from, got] of actual) {
        if ((want.rules ?? []).some((rule) => rule.from === from)) continue
        const allowed = toleratedList.find((entry) => entry.from === from)
        if (!allowed) differences.push({namespace, policy: name, from, kind: 'extra', detail: `admits ${show(got)}; no charm connects`})
        else if (!covers(allowed.allow, got)) differences.push({namespace, policy: name, from, kind: 'wider', detail: `admits ${show(got)}; tolerated up to ${show(allowed.allow)}`})
      }
    }
  }
  const planNamespaces = new Set([...planned.keys()].map((key) => key.split('/')[0]!))
  for (const namespace of planNamespaces) {
    if (!(namespace in expected.policies)) differences.push({namespace, policy: '', from: '', kind: 'extra-policy', detail: 'a namespace not expected to be planned'})
  }

  const closes = plan.closes.map((path) => `${path.from} → ${path.to} ${path.ports}`).sort()
  const wantCloses = expected.closes.map((path) => `${path.from} → ${path.to} ${path.ports}`).sort()
  for (const path of closes.filter((entry) => !wantCloses.includes(entry))) differences.push({namespace: '', policy: '', from: path, kind: 'closes', detail: 'closed, not expected'})
  for (const path of wantCloses.filter((entry) => !closes.includes(entry))) differences.push({namespace: '', policy: '', from: path, kind: 'closes', detail: 'expected closed, not listed'})

  const kept = plan.keptOpen.map((entry) => `${entry.namespace}/${entry.application} from ${[...entry.sources].sort().join(',')} on ${[...entry.ports].sort().join(',')}`).sort()
  const wantKept = expected.keptOpen.map((entry) => `${entry.namespace}/${entry.application} from ${[...entry.sources].sort().join(',')} on ${[...entry.ports].sort().join(',')}`).sort()
  for (const entry of kept.filter((k) => !wantKept.includes(k))) differences.push({namespace: '', policy: '', from: entry, kind: 'keptOpen', detail: 'kept open, not expected'})
  for (const entry of wantKept.filter((k) => !kept.includes(k))) differences.push({namespace: '', policy: '', from: entry, kind: 'keptOpen', detail: 'expected kept open, not listed'})

  const untouched = plan.untouched.map((entry) => entry.namespace).sort()
  for (const namespace of untouched.filter((ns) => !expected.untouched.includes(ns))) differences.push({namespace, policy: '', from: '', kind: 'untouched', detail: 'left untouched, not expected'})
  return differences
}

const isKnown = (difference: Difference, known: KnownWrong) =>
  known.namespace === difference.namespace && known.policy === difference.policy && known.from === difference.from && known.kind === difference.kind

const describeDifference = (d: Difference) => `${d.kind}: ${[d.namespace, d.policy].filter(Boolean).join('/')}${d.from ? ` ← ${d.from}` : ''}: ${d.detail}`

let root: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hardenctl-real-world-reconcile-'))
})
afterAll(async () => {
  await rm(root, {recursive: true, force: true})
})

for (const batch of BATCHES) {
  describe(batch.title, () => {
    let expected: Expected
    beforeAll(async () => {
      expected = JSON.parse(await readFile(join(batch.dir, 'expected.json'), 'utf8')) as Expected
    })

    for (const name of ['status-only', 'with-charm-metadata']) {
      it(`${name}: the planned ingress matches what the charms do`, async () => {
        const variant = expected.variants[name]!
        const dir = join(root, batch.tmp, name)
        await cp(join(batch.dir, 'estate'), dir, {recursive: true})
        if (variant.inputs.includes('charms')) await cp(join(batch.dir, 'charms'), join(dir, 'charms'), {recursive: true})

        const result = await runCli(['reconcile', '--dry-run', '--from', dir, '--format', 'json'])
        expect(result.code, result.stderr).toBe(0)
        const plan = JSON.parse(result.stdout) as ReconcilePlan

        const differences = compare(plan, expected, variant)
        const known = differences.filter((difference) => variant.knownWrong.some((entry) => isKnown(difference, entry)))
        const unknown = differences.filter((difference) => !known.includes(difference))
        if (known.length > 0) {
          console.warn(
            `${name}: ${known.length} known planner difference(s), not failed on:\n` +
              known.map((d) => `  ${describeDifference(d)}\n    why wrong: ${variant.knownWrong.find((entry) => isKnown(d, entry))!.reason}`).join('\n'),
          )
        }
        const stale = variant.knownWrong.filter((entry) => !differences.some((difference) => isKnown(difference, entry)))
        if (stale.length > 0) console.warn(`${name}: knownWrong entries that no longer occur (the planner may have been fixed; update expected.json):\n${stale.map((entry) => `  ${entry.kind} ${entry.namespace}/${entry.policy} ← ${entry.from}`).join('\n')}`)
        expect(unknown.map(describeDifference)).toEqual([])
      }, 60_000)
    }
  })
}
