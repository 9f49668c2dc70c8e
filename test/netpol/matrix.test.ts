/**
 * The matrix: grouped entries, diffs, and agreement with `explain` on generated clusters (two
 * independent evaluations of the same semantics).
 */
import {describe, expect, it} from 'vitest'

import type {KubePod} from '../../src/inventory/kubernetes.js'
import {diffMatrices} from '../../src/netpol/diff.js'
import {EVERY_POD, EVERYONE, type MatrixEntry, matrixEntries} from '../../src/netpol/entries.js'
import {explain} from '../../src/netpol/explain.js'
import {type Matrix, matrixCell, reachabilityMatrix} from '../../src/netpol/matrix.js'
import {ALL_PORTS, containsPort, formatPorts, NO_PORTS, type PortSet, portsEqual, type Protocol} from '../../src/netpol/ports.js'
import type {LabelSelector, NetworkPolicyObject, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec} from '../../src/plan/types.js'
import {DEFAULT_DENY_INGRESS, namespace, pod, policy, world} from './world.js'

function entry(entries: MatrixEntry[], from: string, to: string): string | undefined {
  const found = entries.find((e) => e.from === from && e.to === to)
  return found && `${formatPorts(found.ports)}${found.except ? ` except ${found.except.join(',')}` : ''}`
}

describe('matrixEntries', () => {
  const pods = [pod('shop', 'web'), pod('shop', 'db'), pod('blog', 'wordpress'), pod('blog', 'mysql'), pod('ops', 'prometheus')]
  const shopPolicies = [
    policy('shop', 'deny', DEFAULT_DENY_INGRESS),
    policy('shop', 'db', {
      podSelector: {matchLabels: {'app.kubernetes.io/name': 'db'}},
      ingress: [
        {from: [{podSelector: {matchLabels: {'app.kubernetes.io/name': 'web'}}}], ports: [{port: 5432}]},
        {from: [{namespaceSelector: {matchLabels: {'kubernetes.io/metadata.name': 'ops'}}}], ports: [{port: 9187}]},
      ],
    }),
    policy('shop', 'web', {podSelector: {matchLabels: {'app.kubernetes.io/name': 'web'}}, ingress: [{from: [{ipBlock: {cidr: '0.0.0.0/0'}}], ports: [{port: 443}]}]}),
  ]

  it('groups sources: everyone, a namespace, a class, outside', () => {
    const w = world({pods, policies: shopPolicies})
    const entries = matrixEntries(w.matrix)
    expect(entry(entries, EVERYONE, 'blog/mysql')).toBe('all ports')
    expect(entry(entries, 'shop/web', 'shop/db')).toBe('5432/TCP')
    expect(entry(entries, 'ops/prometheus', 'shop/db')).toBe('9187/TCP')
    expect(entries.filter((e) => e.to === 'shop/db')).toHaveLength(2)
    expect(entries.filter((e) => e.to === 'shop/web')).toEqual([{from: 'outside', to: 'shop/web', ports: expect.anything()}])
    expect(entry(entries, EVERY_POD, 'outside')).toBe('all ports')
  })

  it('says "everyone except" when most namespaces share an answer', () => {
    const w = world({
      pods: [...pods, pod('lab', 'x')],
      policies: [
        policy('blog', 'deny-egress', {podSelector: {}, policyTypes: ['Egress'], egress: [{ports: [{port: 53, protocol: 'UDP'}]}]}),
        policy('shop', 'deny', DEFAULT_DENY_INGRESS),
      ],
    })
    const entries = matrixEntries(w.matrix)
    expect(entry(entries, EVERYONE, 'ops/prometheus')).toBe('all ports except blog/*')
    expect(entry(entries, 'blog/*', 'ops/prometheus')).toBe('53/UDP')
    expect(entry(entries, 'outside', 'ops/prometheus')).toBeUndefined()
    expect(entry(entries, EVERY_POD, 'outside')).toBe('all ports except blog/*')
    expect(entries.filter((e) => e.to === 'shop/db')).toEqual([])
  })

  it('a `podSelector: {}` peer is the policy\'s own namespace, printed as NS/*, even when the snapshot holds no other namespace', () => {
    const sameNamespace = policy('solo', 'api', {podSelector: {matchLabels: {'app.kubernetes.io/name': 'api'}}, ingress: [{from: [{podSelector: {}}], ports: [{port: 8080}]}]})
    const w = world({pods: [pod('solo', 'api'), pod('solo', 'worker')], policies: [policy('solo', 'deny', DEFAULT_DENY_INGRESS), sameNamespace]})
    expect(matrixEntries(w.matrix).filter((e) => e.to === 'solo/api').map((e) => [e.from, formatPorts(e.ports)])).toEqual([['solo/*', '8080/TCP']])
    // A pod of any namespace, `namespaceSelector: {}`: that is every pod of every namespace.
    const anyNamespace = policy('solo', 'api', {podSelector: {matchLabels: {'app.kubernetes.io/name': 'api'}}, ingress: [{from: [{namespaceSelector: {}}], ports: [{port: 8080}]}]})
    const v = world({pods: [pod('solo', 'api'), pod('solo', 'worker')], policies: [policy('solo', 'deny', DEFAULT_DENY_INGRESS), anyNamespace]})
    expect(matrixEntries(v.matrix).filter((e) => e.to === 'solo/api').map((e) => [e.from, formatPorts(e.ports)])).toEqual([[EVERY_POD, '8080/TCP']])
  })

  it('namespaces a label selector happens to match are listed, not called every namespace', () => {
    const teams = [namespace('shop', {team: 'retail'}), namespace('blog', {team: 'retail'}), namespace('ops')]
    const byTeam = policy('ops', 'prometheus', {podSelector: {}, ingress: [{from: [{namespaceSelector: {matchLabels: {team: 'retail'}}}], ports: [{port: 9090}]}]})
    const w = world({namespaces: teams, pods: [pod('shop', 'web'), pod('blog', 'wordpress'), pod('ops', 'prometheus')], policies: [byTeam]})
    expect(matrixEntries(w.matrix).filter((e) => e.to === 'ops/prometheus').map((e) => [e.from, formatPorts(e.ports)])).toEqual([
      ['blog/wordpress', '9090/TCP'],
      ['shop/web', '9090/TCP'],
    ])
  })

  it('with namespaces: only those destinations, and what their pods reach outside', () => {
    const w = world({pods, policies: shopPolicies})
    const entries = matrixEntries(w.matrix, {namespaces: ['shop']})
    expect([...new Set(entries.map((e) => e.to))]).toEqual(['shop/db', 'shop/web', 'outside'])
    expect(entries.filter((e) => e.to === 'outside').map((e) => e.from)).toEqual(['shop/*'])
  })

  it('lists exactly the cells of the matrix, whatever the grouping', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const {matrix} = generated(seed)
      expect(expand(matrix, matrixEntries(matrix)), `seed ${seed}`).toEqual(allCells(matrix))
    }
  })
})

describe('diffMatrices', () => {
  const pods = [pod('shop', 'web'), pod('shop', 'db'), pod('ops', 'prometheus')]
  const allowDb = policy('shop', 'db', {
    podSelector: {matchLabels: {'app.kubernetes.io/name': 'db'}},
    ingress: [{from: [{podSelector: {matchLabels: {'app.kubernetes.io/name': 'web'}}}], ports: [{port: 5432}]}],
  })

  it('a default deny closes what no rule allows, and opens nothing', () => {
    const before = world({pods})
    const after = world({pods, policies: [policy('shop', 'deny', DEFAULT_DENY_INGRESS), allowDb]})
    const diff = diffMatrices(before.matrix, after.matrix)
    expect(diff.opened).toEqual([])
    const closed = Object.fromEntries(diff.closed.map((c) => [`${c.from} → ${c.to}`, formatPorts(c.ports)]))
    expect(closed).toEqual({
      'ops/prometheus → shop/db': 'all ports',
      'ops/prometheus → shop/web': 'all ports',
      'outside → shop/db': 'all ports',
      'outside → shop/web': 'all ports',
      'shop/db → shop/db': 'all ports',
      'shop/db → shop/web': 'all ports',
      'shop/web → shop/db': 'all but 5432/TCP',
      'shop/web → shop/web': 'all ports',
    })
  })

  it('an added rule opens exactly its ports', () => {
    const before = world({pods, policies: [policy('shop', 'deny', DEFAULT_DENY_INGRESS)]})
    const after = world({pods, policies: [policy('shop', 'deny', DEFAULT_DENY_INGRESS), allowDb]})
    expect(diffMatrices(before.matrix, after.matrix)).toEqual({opened: [{from: 'shop/web', to: 'shop/db', ports: expect.anything()}], closed: []})
    expect(formatPorts(diffMatrices(before.matrix, after.matrix).opened[0]!.ports)).toBe('5432/TCP')
    expect(diffMatrices(after.matrix, after.matrix)).toEqual({opened: [], closed: []})
  })

  it('agrees with a cell-by-cell comparison on generated clusters', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const before = generated(seed)
      const after = generated(seed, seed + 1000)
      const diff = diffMatrices(before.matrix, after.matrix)
      const expected: string[] = []
      for (const [key, was] of allCells(before.matrix)) {
        const is = allCells(after.matrix).get(key)!
        if (!portsEqual(was, is)) expected.push(key)
      }
      const got = [...new Set([...diff.opened, ...diff.closed].map((c) => `${c.from} → ${c.to}`))].sort()
      expect(got, `seed ${seed}`).toEqual(expected.sort())
    }
  })
})

describe('the matrix agrees with explain', () => {
  it('on every pair and port of generated clusters', () => {
    const queries: [number | string, Protocol][] = [
      [53, 'UDP'], [53, 'TCP'], [80, 'TCP'], [443, 'TCP'], [5432, 'TCP'], [8050, 'TCP'], [8100, 'TCP'], [8101, 'TCP'], [9000, 'TCP'], [9000, 'SCTP'], [5000, 'UDP'],
    ]
    let allowed = 0
    let denied = 0
    for (let seed = 1; seed <= 60; seed++) {
      const {matrix, classes, input} = generated(seed)
      const endpoints = [...classes.map((c) => ({id: c.id, endpoint: c})), {id: 'outside', endpoint: {outside: true as const}}]
      for (const from of endpoints) {
        for (const to of endpoints) {
          if (from.id === 'outside' && to.id === 'outside') continue
          const cell = matrixCell(matrix, from.id, to.id)
          for (const [port, protocol] of queries) {
            const verdict = explain(input, from.endpoint, to.endpoint, {port, protocol})
            expect(containsPort(cell, verdict.port, protocol), `seed ${seed}: ${from.id} → ${to.id} ${port}/${protocol}: ${verdict.explanation.join(' | ')}`).toBe(verdict.allowed)
            if (verdict.allowed) allowed++
            else denied++
          }
        }
      }
    }
    // The generator must exercise both answers.
    expect(allowed).toBeGreaterThan(1000)
    expect(denied).toBeGreaterThan(1000)
  })
})

// ------------------------------------------------------------------ generated clusters

function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

/** A small cluster from `seed`; `policySeed` varies only the policies. */
function generated(seed: number, policySeed = seed) {
  const podRandom = random(seed)
  const pick = <T>(r: () => number, items: readonly T[]): T => items[Math.floor(r() * items.length)]!
  const namespaces = [namespace('a', {team: 'red'}), namespace('b', {team: 'blue'}), namespace('c', {team: 'red'})]
  const pods: KubePod[] = []
  for (const ns of ['a', 'b', 'c']) {
    for (const app of ['web', 'db', 'api']) {
      if (podRandom() < 0.25) continue
      const labels: Record<string, string> = podRandom() < 0.5 ? {tier: pick(podRandom, ['front', 'back'])} : {}
      const ports = app === 'web' ? [{name: 'http', containerPort: 8080}] : app === 'db' ? [{name: 'pg', containerPort: 5432}, {name: 'http', containerPort: 9000}] : []
      pods.push(pod(ns, app, labels, {ports, hostNetwork: podRandom() < 0.05}))
    }
  }

  const r = random(policySeed * 7919)
  const selector = (): LabelSelector =>
    pick<LabelSelector>(r, [
      {},
      {matchLabels: {'app.kubernetes.io/name': pick(r, ['web', 'db', 'api'])}},
      {matchLabels: {tier: pick(r, ['front', 'back'])}},
      {matchExpressions: [{key: 'tier', operator: pick(r, ['In', 'NotIn'] as const), values: [pick(r, ['front', 'back'])]}]},
      {matchExpressions: [{key: 'tier', operator: pick(r, ['Exists', 'DoesNotExist'] as const)}]},
    ])
  const peer = (): NetworkPolicyPeer =>
    pick<NetworkPolicyPeer>(r, [
      {podSelector: selector()},
      {namespaceSelector: pick<LabelSelector>(r, [{}, {matchLabels: {team: 'red'}}, {matchLabels: {'kubernetes.io/metadata.name': pick(r, ['a', 'b', 'c'])}}])},
      {namespaceSelector: {matchLabels: {team: pick(r, ['red', 'blue'])}}, podSelector: selector()},
      {ipBlock: pick(r, [{cidr: '0.0.0.0/0'}, {cidr: '0.0.0.0/0', except: ['10.0.0.0/8']}, {cidr: '203.0.113.0/24'}])},
    ])
  const port = (): NetworkPolicyPort =>
    pick<NetworkPolicyPort>(r, [
      {port: 80},
      {port: 5432},
      {protocol: 'UDP' as const, port: 53},
      {protocol: 'TCP' as const, port: 53},
      {port: 8000, endPort: 8100},
      {port: 'http'},
      {port: 'pg'},
      {protocol: 'SCTP' as const},
      {protocol: 'UDP' as const},
    ])
  const rules = <K extends 'from' | 'to'>(key: K) =>
    Array.from({length: Math.floor(r() * 3)}, () => ({
      ...(r() < 0.75 ? {[key]: Array.from({length: 1 + Math.floor(r() * 2)}, peer)} : {}),
      ...(r() < 0.7 ? {ports: Array.from({length: 1 + Math.floor(r() * 2)}, port)} : {}),
    }))
  const policies: NetworkPolicyObject[] = []
  const count = Math.floor(r() * 5)
  for (let i = 0; i < count; i++) {
    const spec: NetworkPolicySpec = {podSelector: selector()}
    const types = pick(r, [undefined, ['Ingress'], ['Egress'], ['Ingress', 'Egress']] as const)
    if (types) spec.policyTypes = [...types]
    if (r() < 0.7) spec.ingress = rules('from')
    if (r() < 0.5) spec.egress = rules('to')
    policies.push(policy(pick(r, ['a', 'b', 'c']), `p${i}`, spec))
  }
  const w = world({namespaces, pods, policies})
  // Same classes on both sides of a diff: build the matrix from the pods' classes with these policies.
  return {...w, matrix: reachabilityMatrix(w.input, w.classes)}
}

function allCells(matrix: Matrix): Map<string, PortSet> {
  const ids = [...matrix.classes.map((c) => c.id), 'outside']
  const cells = new Map<string, PortSet>()
  for (const from of ids) for (const to of ids) if (!(from === 'outside' && to === 'outside')) cells.set(`${from} → ${to}`, matrixCell(matrix, from, to))
  return cells
}

/** The cells the entries describe, every other pair reaching nothing. */
function expand(matrix: Matrix, entries: MatrixEntry[]): Map<string, PortSet> {
  const ids = [...matrix.classes.map((c) => c.id), 'outside']
  const cells = new Map<string, PortSet>()
  for (const from of ids) for (const to of ids) if (!(from === 'outside' && to === 'outside')) cells.set(`${from} → ${to}`, NO_PORTS)
  for (const e of entries) {
    const excepted = new Set((e.except ?? []).map((pattern) => pattern.slice(0, -2)))
    const sources = ids.filter((id) => {
      if (id === 'outside') return e.from === 'outside' || e.from === EVERYONE
      const ns = id.split('/')[0]!
      if (e.from === EVERY_POD || e.from === EVERYONE) return !excepted.has(ns)
      return e.from === id || e.from === `${ns}/*`
    })
    for (const from of sources) {
      const key = `${from} → ${e.to}`
      expect(cells.get(key), `${key} listed twice`).toBe(NO_PORTS)
      cells.set(key, e.ports)
    }
  }
  // Compare by value.
  return new Map([...cells].map(([key, ports]) => [key, portsEqual(ports, ALL_PORTS) ? ALL_PORTS : ports]))
}
