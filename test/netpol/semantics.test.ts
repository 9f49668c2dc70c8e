/** DOMAIN.md "NetworkPolicy semantics", rules 1-10, each on a small hand-built cluster. */
import {describe, expect, it} from 'vitest'

import {DEFAULT_DENY_EGRESS, DEFAULT_DENY_INGRESS, namespace, pod, policy, world} from './world.js'

const DB_PORTS = {ports: [{name: 'pg', containerPort: 5432}]}

describe('rule 1: allow-only, additive; a connection needs egress AND ingress', () => {
  const pods = [pod('shop', 'web'), pod('shop', 'db', {}, DB_PORTS), pod('shop', 'cache'), pod('shop', 'batch')]
  const allowWeb = policy('shop', 'allow-web', {
    podSelector: {matchLabels: {'app.kubernetes.io/name': 'db'}},
    ingress: [{from: [{podSelector: {matchLabels: {'app.kubernetes.io/name': 'web'}}}], ports: [{protocol: 'TCP', port: 5432}]}],
  })

  it('without policies everything is allowed', () => {
    const w = world({pods})
    expect(w.allowed('shop/web', 'shop/db', 5432)).toBe(true)
    expect(w.verdict('shop/web', 'shop/db', 5432).ingress.status).toBe('not-isolated')
  })

  it('a policy isolates only the pods it selects; the others stay open', () => {
    const w = world({pods, policies: [allowWeb]})
    expect(w.allowed('shop/web', 'shop/db', 5432)).toBe(true)
    expect(w.allowed('shop/web', 'shop/db', 5433)).toBe(false)
    expect(w.allowed('shop/cache', 'shop/db', 5432)).toBe(false)
    expect(w.allowed('shop/cache', 'shop/web', 80)).toBe(true)
    expect(w.verdict('shop/web', 'shop/db', 5432).ingress).toMatchObject({status: 'allowed', isolatedBy: ['shop/allow-web'], allowedBy: [{policy: 'shop/allow-web', rule: 0, peer: 0, port: 0}]})
  })

  it('the rules of all policies selecting a pod add up', () => {
    const allowCache = policy('shop', 'allow-cache', {
      podSelector: {matchLabels: {'app.kubernetes.io/name': 'db'}},
      ingress: [{from: [{podSelector: {matchLabels: {'app.kubernetes.io/name': 'cache'}}}]}],
    })
    const w = world({pods, policies: [allowWeb, allowCache, policy('shop', 'default-deny', DEFAULT_DENY_INGRESS)]})
    expect(w.allowed('shop/web', 'shop/db', 5432)).toBe(true)
    expect(w.allowed('shop/cache', 'shop/db', 9999)).toBe(true)
    expect(w.allowed('shop/batch', 'shop/db', 5432)).toBe(false)
    expect(w.verdict('shop/batch', 'shop/db', 5432).ingress.isolatedBy).toEqual(['shop/allow-web', 'shop/allow-cache', 'shop/default-deny'])
  })

  it('the destination admitting is not enough when the source egress is isolated', () => {
    const dnsOnly = policy('shop', 'web-egress', {
      podSelector: {matchLabels: {'app.kubernetes.io/name': 'web'}},
      policyTypes: ['Egress'],
      egress: [{ports: [{protocol: 'UDP', port: 53}, {protocol: 'TCP', port: 53}]}],
    })
    const w = world({pods, policies: [allowWeb, dnsOnly]})
    const verdict = w.verdict('shop/web', 'shop/db', 5432)
    expect(verdict.allowed).toBe(false)
    expect(verdict.ingress.status).toBe('allowed')
    expect(verdict.egress.status).toBe('denied')
    expect(verdict.egress.reason).toContain('shop/web is isolated for egress by shop/web-egress')
    expect(verdict.egress.nearMisses[0]).toContain('admits shop/db but only on 53/TCP, 53/UDP')
  })

  it('the source egress admitting is not enough when the destination ingress denies', () => {
    const toDb = policy('shop', 'web-egress', {
      podSelector: {matchLabels: {'app.kubernetes.io/name': 'web'}},
      egress: [{to: [{podSelector: {matchLabels: {'app.kubernetes.io/name': 'db'}}}]}],
    })
    const w = world({pods, policies: [toDb, policy('shop', 'default-deny', DEFAULT_DENY_INGRESS)]})
    const verdict = w.verdict('shop/web', 'shop/db', 5432)
    expect(verdict.allowed).toBe(false)
    expect(verdict.egress.status).toBe('allowed')
    expect(verdict.ingress.reason).toBe(
      'shop/db is isolated for ingress by shop/default-deny (no ingress rules: default deny) and no ingress rule admits shop/web on 5432/TCP',
    )
  })

  it('both sides admitting: allowed', () => {
    const toDb = policy('shop', 'web-egress', {
      podSelector: {matchLabels: {'app.kubernetes.io/name': 'web'}},
      policyTypes: ['Egress'],
      egress: [{to: [{podSelector: {matchLabels: {'app.kubernetes.io/name': 'db'}}}], ports: [{port: 5432}]}],
    })
    const w = world({pods, policies: [toDb, allowWeb, policy('shop', 'deny-egress', DEFAULT_DENY_EGRESS)]})
    expect(w.allowed('shop/web', 'shop/db', 5432)).toBe(true)
    expect(w.allowed('shop/web', 'shop/cache', 5432)).toBe(false)
    expect(w.allowed('shop/web', 'outside', 443)).toBe(false)
  })
})

describe('rule 2: empty selectors', () => {
  const pods = [pod('a', 'server'), pod('a', 'client'), pod('b', 'client'), pod('b', 'other')]

  it('podSelector {} selects every pod of the policy namespace, and only of it', () => {
    const w = world({pods, policies: [policy('a', 'deny', DEFAULT_DENY_INGRESS)]})
    expect(w.allowed('b/client', 'a/server', 80)).toBe(false)
    expect(w.allowed('b/client', 'a/client', 80)).toBe(false)
    expect(w.allowed('a/client', 'b/other', 80)).toBe(true)
  })

  it('an empty namespaceSelector in a peer is every namespace, but no outside address', () => {
    const w = world({pods, policies: [policy('a', 'from-cluster', {podSelector: {}, ingress: [{from: [{namespaceSelector: {}}]}]})]})
    expect(w.allowed('b/other', 'a/server', 80)).toBe(true)
    expect(w.allowed('a/client', 'a/server', 80)).toBe(true)
    expect(w.allowed('outside', 'a/server', 80)).toBe(false)
    expect(w.allowed('203.0.113.9', 'a/server', 80)).toBe(false)
  })

  it('an empty namespaceSelector with a podSelector: those pods, in every namespace', () => {
    const w = world({
      pods,
      policies: [
        policy('a', 'clients', {podSelector: {}, ingress: [{from: [{namespaceSelector: {}, podSelector: {matchLabels: {'app.kubernetes.io/name': 'client'}}}]}]}),
      ],
    })
    expect(w.allowed('b/client', 'a/server', 80)).toBe(true)
    expect(w.allowed('b/other', 'a/server', 80)).toBe(false)
  })

  it('matchExpressions: In, NotIn (also when the label is missing), Exists, DoesNotExist', () => {
    const labelled = [
      pod('x', 'server'),
      pod('x', 'blue', {tier: 'front', canary: 'yes'}),
      pod('x', 'green', {tier: 'back'}),
      pod('x', 'plain'),
    ]
    const only = (expression: {key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[]}) =>
      world({
        pods: labelled,
        policies: [
          policy('x', 'p', {
            podSelector: {matchLabels: {'app.kubernetes.io/name': 'server'}},
            ingress: [{from: [{podSelector: {matchExpressions: [expression]}}]}],
          }),
        ],
      })
    const admitted = (w: ReturnType<typeof only>) => ['x/blue', 'x/green', 'x/plain'].filter((from) => w.allowed(from, 'x/server', 80))
    expect(admitted(only({key: 'tier', operator: 'In', values: ['front', 'middle']}))).toEqual(['x/blue'])
    expect(admitted(only({key: 'tier', operator: 'NotIn', values: ['front']}))).toEqual(['x/green', 'x/plain'])
    expect(admitted(only({key: 'canary', operator: 'Exists'}))).toEqual(['x/blue'])
    expect(admitted(only({key: 'canary', operator: 'DoesNotExist'}))).toEqual(['x/green', 'x/plain'])
  })
})

describe('rule 3: policyTypes defaulting', () => {
  const pods = [pod('n', 'app'), pod('n', 'peer')]
  const toPeer = {to: [{podSelector: {matchLabels: {'app.kubernetes.io/name': 'peer'}}}]}

  it('omitted, with egress rules: Ingress AND Egress, so the policy also denies all ingress', () => {
    const w = world({pods, policies: [policy('n', 'egress-only', {podSelector: {matchLabels: {'app.kubernetes.io/name': 'app'}}, egress: [toPeer]})]})
    expect(w.allowed('n/peer', 'n/app', 80)).toBe(false)
    expect(w.verdict('n/peer', 'n/app', 80).ingress.reason).toContain('(no ingress rules: default deny)')
    expect(w.allowed('n/app', 'n/peer', 80)).toBe(true)
    expect(w.allowed('n/app', 'outside', 443)).toBe(false)
  })

  it('omitted, without egress rules (or egress: []): Ingress only', () => {
    for (const spec of [{podSelector: {}}, {podSelector: {}, egress: []}, {podSelector: {}, policyTypes: []}]) {
      const w = world({pods, policies: [policy('n', 'p', spec as never)]})
      expect(w.allowed('n/app', 'outside', 443)).toBe(true)
      expect(w.verdict('n/app', 'outside', 443).egress.status).toBe('not-isolated')
      expect(w.allowed('n/peer', 'n/app', 80)).toBe(false)
    }
  })

  it('Egress only: a default deny for egress that leaves ingress alone, and ingress rules are ignored', () => {
    const w = world({pods, policies: [policy('n', 'p', {podSelector: {}, policyTypes: ['Egress'], ingress: [{}]})]})
    expect(w.allowed('n/app', 'n/peer', 80)).toBe(false)
    expect(w.allowed('outside', 'n/app', 80)).toBe(true)
    expect(w.verdict('outside', 'n/app', 80).ingress.status).toBe('not-isolated')
  })

  it('a policy with no rules at all still isolates (default deny)', () => {
    const w = world({pods, policies: [policy('n', 'deny', DEFAULT_DENY_INGRESS)]})
    expect(w.allowed('n/app', 'n/peer', 80)).toBe(false)
  })
})

describe('rule 4: ingress: [] allows nothing, [{}] everything', () => {
  const pods = [pod('n', 'app'), pod('m', 'far')]

  it('ingress: [] admits nothing', () => {
    const w = world({pods, policies: [policy('n', 'p', {podSelector: {}, ingress: []})]})
    expect(w.allowed('n/app', 'n/app', 80)).toBe(false)
    expect(w.allowed('outside', 'n/app', 80)).toBe(false)
  })

  it('ingress: [{}] admits every source on every port, outside included', () => {
    const w = world({pods, policies: [policy('n', 'deny', DEFAULT_DENY_INGRESS), policy('n', 'p', {podSelector: {}, ingress: [{}]})]})
    expect(w.allowed('m/far', 'n/app', 12345)).toBe(true)
    expect(w.allowed('m/far', 'n/app', 53, 'UDP')).toBe(true)
    expect(w.allowed('outside', 'n/app', 80)).toBe(true)
    expect(w.allowed('198.51.100.1', 'n/app', 80)).toBe(true)
    expect(w.verdict('m/far', 'n/app', 80).ingress.allowedBy).toEqual([{policy: 'n/p', rule: 0}])
  })

  it('egress: [{}] reaches everything, outside included', () => {
    const w = world({pods, policies: [policy('n', 'p', {podSelector: {}, policyTypes: ['Egress'], egress: [{}]})]})
    expect(w.allowed('n/app', 'outside', 443)).toBe(true)
    expect(w.allowed('n/app', 'm/far', 80)).toBe(true)
  })
})

describe('rule 5: namespaceSelector + podSelector in one peer is AND, as two peers OR', () => {
  const pods = [pod('db', 'postgres'), pod('team-a', 'client'), pod('team-a', 'intruder'), pod('team-b', 'client'), pod('db', 'client')]
  const namespaces = [namespace('db'), namespace('team-a', {team: 'a'}), namespace('team-b', {team: 'b'})]
  const clientSelector = {matchLabels: {'app.kubernetes.io/name': 'client'}}

  it('one peer: only client pods in team-a namespaces', () => {
    const w = world({
      namespaces,
      pods,
      policies: [policy('db', 'p', {podSelector: {}, ingress: [{from: [{namespaceSelector: {matchLabels: {team: 'a'}}, podSelector: clientSelector}]}]})],
    })
    expect(w.allowed('team-a/client', 'db/postgres', 5432)).toBe(true)
    expect(w.allowed('team-a/intruder', 'db/postgres', 5432)).toBe(false)
    expect(w.allowed('team-b/client', 'db/postgres', 5432)).toBe(false)
    expect(w.allowed('db/client', 'db/postgres', 5432)).toBe(false)
  })

  it('two peers (the over-permissive generator bug): every pod of team-a, or client pods of the policy namespace', () => {
    const w = world({
      namespaces,
      pods,
      policies: [policy('db', 'p', {podSelector: {}, ingress: [{from: [{namespaceSelector: {matchLabels: {team: 'a'}}}, {podSelector: clientSelector}]}]})],
    })
    expect(w.allowed('team-a/client', 'db/postgres', 5432)).toBe(true)
    expect(w.allowed('team-a/intruder', 'db/postgres', 5432)).toBe(true)
    expect(w.verdict('team-a/intruder', 'db/postgres', 5432).ingress.allowedBy).toEqual([{policy: 'db/p', rule: 0, peer: 0}])
    expect(w.allowed('db/client', 'db/postgres', 5432)).toBe(true)
    expect(w.verdict('db/client', 'db/postgres', 5432).ingress.allowedBy).toEqual([{policy: 'db/p', rule: 0, peer: 1}])
    // A podSelector alone stays in the policy's namespace.
    expect(w.allowed('team-b/client', 'db/postgres', 5432)).toBe(false)
  })

  it('a denial names the rule that allows the port but whose peers do not select the source', () => {
    const w = world({
      namespaces,
      pods,
      policies: [policy('db', 'p', {podSelector: {}, ingress: [{from: [{namespaceSelector: {matchLabels: {team: 'a'}}, podSelector: clientSelector}], ports: [{port: 5432}]}]})],
    })
    const verdict = w.verdict('team-a/intruder', 'db/postgres', 5432)
    expect(verdict.ingress.nearMisses).toEqual([expect.stringContaining('db/p ingress rule 0 allows 5432/TCP but none of its from peers selects team-a/intruder')])
  })
})

describe('rule 6: ipBlock is for cluster-external addresses', () => {
  const pods = [pod('n', 'web'), pod('n', 'internal')]
  const fromBlock = (ipBlock: {cidr: string; except?: string[]}) =>
    world({pods, policies: [policy('n', 'p', {podSelector: {matchLabels: {'app.kubernetes.io/name': 'web'}}, ingress: [{from: [{ipBlock}]}]})]})

  it('matches a concrete address in the CIDR and not in an except', () => {
    const w = fromBlock({cidr: '203.0.113.0/24', except: ['203.0.113.128/25']})
    expect(w.allowed('203.0.113.5', 'n/web', 443)).toBe(true)
    expect(w.allowed('203.0.113.200', 'n/web', 443)).toBe(false)
    expect(w.allowed('198.51.100.1', 'n/web', 443)).toBe(false)
    expect(w.allowed('2001:db8::1', 'n/web', 443)).toBe(false)
    // A narrow block does not stand for the Internet at large.
    expect(w.allowed('outside', 'n/web', 443)).toBe(false)
  })

  it('"outside" is admitted by 0.0.0.0/0 or ::/0, also minus excepts, as long as some address is left', () => {
    expect(fromBlock({cidr: '0.0.0.0/0'}).allowed('outside', 'n/web', 443)).toBe(true)
    expect(fromBlock({cidr: '::/0'}).allowed('outside', 'n/web', 443)).toBe(true)
    expect(fromBlock({cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '192.168.0.0/16']}).allowed('outside', 'n/web', 443)).toBe(true)
    expect(fromBlock({cidr: '0.0.0.0/0', except: ['0.0.0.0/1', '128.0.0.0/1']}).allowed('outside', 'n/web', 443)).toBe(false)
    const excepted = fromBlock({cidr: '0.0.0.0/0', except: ['10.0.0.0/8']})
    expect(excepted.allowed('10.1.2.3', 'n/web', 443)).toBe(false)
    expect(excepted.allowed('8.8.8.8', 'n/web', 443)).toBe(true)
  })

  it('never matches pods, not even 0.0.0.0/0 (pod IPs are cluster-internal)', () => {
    const w = fromBlock({cidr: '0.0.0.0/0'})
    expect(w.allowed('n/internal', 'n/web', 443)).toBe(false)
  })

  it('egress to an ipBlock reaches outside but no pod', () => {
    const w = world({
      pods,
      policies: [policy('n', 'p', {podSelector: {}, policyTypes: ['Egress'], egress: [{to: [{ipBlock: {cidr: '0.0.0.0/0', except: ['10.0.0.0/8']}}]}]})],
    })
    expect(w.allowed('n/web', 'outside', 443)).toBe(true)
    expect(w.allowed('n/web', '1.1.1.1', 443)).toBe(true)
    expect(w.allowed('n/web', '10.0.0.1', 443)).toBe(false)
    expect(w.allowed('n/web', 'n/internal', 443)).toBe(false)
  })

  it('an ipBlock mixed with selectors in one peer is invalid and matches nothing', () => {
    const w = world({
      pods,
      policies: [policy('n', 'p', {podSelector: {matchLabels: {'app.kubernetes.io/name': 'web'}}, ingress: [{from: [{ipBlock: {cidr: '0.0.0.0/0'}, podSelector: {}}]}]})],
    })
    expect(w.allowed('n/internal', 'n/web', 443)).toBe(false)
    expect(w.allowed('outside', 'n/web', 443)).toBe(false)
  })

  it('traffic from outside needs only the destination ingress', () => {
    const w = world({pods, policies: [policy('n', 'deny-egress', DEFAULT_DENY_EGRESS)]})
    const verdict = w.verdict('outside', 'n/web', 443)
    expect(verdict.allowed).toBe(true)
    expect(verdict.egress.status).toBe('not-enforced')
  })
})

describe('rule 7: named ports, endPort, protocol default TCP', () => {
  const pods = [
    pod('n', 'db', {}, {ports: [{name: 'pg', containerPort: 5432}, {name: 'metrics', containerPort: 9187}]}),
    pod('n', 'web', {}, {ports: [{name: 'http', containerPort: 8080}]}),
    pod('n', 'api', {}, {ports: [{name: 'http', containerPort: 9000}]}),
    pod('n', 'dns', {}, {ports: [{name: 'dns', containerPort: 53, protocol: 'UDP'}, {name: 'dns-tcp', containerPort: 53}]}),
  ]

  it('a named ingress port resolves against the destination container ports', () => {
    const w = world({pods, policies: [policy('n', 'p', {podSelector: {matchLabels: {'app.kubernetes.io/name': 'db'}}, ingress: [{ports: [{port: 'pg'}]}]})]})
    expect(w.allowed('n/web', 'n/db', 5432)).toBe(true)
    expect(w.allowed('n/web', 'n/db', 9187)).toBe(false)
    expect(w.allowed('n/web', 'n/db', 'pg')).toBe(true)
    expect(w.verdict('n/web', 'n/db', 'pg')).toMatchObject({port: 5432, portName: 'pg', protocol: 'TCP'})
    // The protocol of the name must match too: pg is a TCP port.
    expect(w.allowed('n/web', 'n/db', 5432, 'UDP')).toBe(false)
  })

  it('a named port is a name on the given protocol: dns (a UDP port) named in a TCP entry matches nothing', () => {
    const w = world({pods, policies: [policy('n', 'p', {podSelector: {matchLabels: {'app.kubernetes.io/name': 'dns'}}, ingress: [{ports: [{port: 'dns'}]}]})]})
    expect(w.allowed('n/web', 'n/dns', 53)).toBe(false)
    expect(w.allowed('n/web', 'n/dns', 53, 'UDP')).toBe(false)
    const udp = world({pods, policies: [policy('n', 'p', {podSelector: {matchLabels: {'app.kubernetes.io/name': 'dns'}}, ingress: [{ports: [{port: 'dns', protocol: 'UDP'}]}]})]})
    expect(udp.allowed('n/web', 'n/dns', 53, 'UDP')).toBe(true)
    expect(udp.allowed('n/web', 'n/dns', 53)).toBe(false)
  })

  it('a named egress port resolves per destination, and never outside the cluster', () => {
    const w = world({
      pods,
      policies: [policy('n', 'p', {podSelector: {matchLabels: {'app.kubernetes.io/name': 'db'}}, policyTypes: ['Egress'], egress: [{ports: [{port: 'http'}]}]})],
    })
    expect(w.allowed('n/db', 'n/web', 8080)).toBe(true)
    expect(w.allowed('n/db', 'n/web', 9000)).toBe(false)
    expect(w.allowed('n/db', 'n/api', 9000)).toBe(true)
    expect(w.allowed('n/db', 'n/api', 8080)).toBe(false)
    expect(w.allowed('n/db', 'outside', 8080)).toBe(false)
  })

  it('an unknown port name resolves to nothing', () => {
    const w = world({pods})
    const verdict = w.verdict('n/web', 'n/db', 'nope')
    expect(verdict.allowed).toBe(false)
    expect(verdict.egress.reason).toBe('n/db has no container port named nope/TCP')
  })

  it('endPort makes a range, inclusive', () => {
    const w = world({pods, policies: [policy('n', 'p', {podSelector: {}, ingress: [{ports: [{protocol: 'TCP', port: 8000, endPort: 8100}]}]})]})
    expect(w.allowed('n/web', 'n/api', 8000)).toBe(true)
    expect(w.allowed('n/web', 'n/api', 8100)).toBe(true)
    expect(w.allowed('n/web', 'n/api', 8101)).toBe(false)
    expect(w.allowed('n/web', 'n/api', 7999)).toBe(false)
  })

  it('endPort with a named port is invalid: that entry matches nothing (and does not widen the rule to all ports)', () => {
    const w = world({pods, policies: [policy('n', 'p', {podSelector: {}, ingress: [{ports: [{port: 'http', endPort: 9000}]}]})]})
    expect(w.allowed('n/web', 'n/api', 9000)).toBe(false)
    expect(w.allowed('n/web', 'n/api', 1234)).toBe(false)
  })

  it('protocol defaults to TCP, so DNS needs both UDP and TCP 53', () => {
    const tcpOnly = world({pods, policies: [policy('n', 'p', {podSelector: {}, policyTypes: ['Egress'], egress: [{ports: [{port: 53}]}]})]})
    expect(tcpOnly.allowed('n/web', 'n/dns', 53)).toBe(true)
    expect(tcpOnly.allowed('n/web', 'n/dns', 53, 'UDP')).toBe(false)
    const both = world({
      pods,
      policies: [policy('n', 'p', {podSelector: {}, policyTypes: ['Egress'], egress: [{ports: [{port: 53, protocol: 'UDP'}, {port: 53, protocol: 'TCP'}]}]})],
    })
    expect(both.allowed('n/web', 'n/dns', 53, 'UDP')).toBe(true)
    expect(both.allowed('n/web', 'n/dns', 53, 'TCP')).toBe(true)
    expect(both.allowed('n/web', 'n/dns', 'dns', 'UDP')).toBe(true)
  })

  it('a port entry without a port covers every port of its protocol', () => {
    const w = world({pods, policies: [policy('n', 'p', {podSelector: {}, ingress: [{ports: [{protocol: 'UDP'}]}]})]})
    expect(w.allowed('n/web', 'n/api', 4000, 'UDP')).toBe(true)
    expect(w.allowed('n/web', 'n/api', 4000)).toBe(false)
  })
})

describe('rule 8: host network pods cannot be protected', () => {
  const pods = [pod('n', 'agent', {}, {hostNetwork: true}), pod('n', 'web'), pod('m', 'probe')]

  it('a hostNetwork destination is reachable whatever the policies say, and flagged', () => {
    const w = world({pods, policies: [policy('n', 'deny', DEFAULT_DENY_INGRESS)]})
    const verdict = w.verdict('m/probe', 'n/agent', 9100)
    expect(verdict.allowed).toBe(true)
    expect(verdict.unprotectable).toBe(true)
    expect(verdict.ingress.status).toBe('not-enforced')
    expect(verdict.notes[0]).toContain('NetworkPolicy cannot protect it')
    expect(w.allowed('m/probe', 'n/web', 80)).toBe(false)
  })

  it('a hostNetwork source is node traffic: its egress policies do not apply, and selectors do not admit it', () => {
    const w = world({
      pods,
      policies: [
        policy('n', 'deny-egress', DEFAULT_DENY_EGRESS),
        policy('m', 'from-n', {podSelector: {}, ingress: [{from: [{namespaceSelector: {matchLabels: {'kubernetes.io/metadata.name': 'n'}}}]}]}),
      ],
    })
    expect(w.allowed('n/web', 'm/probe', 80)).toBe(false)
    const verdict = w.verdict('n/agent', 'm/probe', 80)
    expect(verdict.egress.status).toBe('not-enforced')
    expect(verdict.allowed).toBe(false)
    expect(verdict.notes.join(' ')).toContain("traffic from a pod's own node is always allowed")
    const open = world({pods, policies: [policy('m', 'all', {podSelector: {}, ingress: [{}]})]})
    expect(open.allowed('n/agent', 'm/probe', 80)).toBe(true)
  })

  it('a hostNetwork source is admitted by an ipBlock that holds its node address (as reconcile writes networkPolicies.nodeCidrs), in explain and the matrix alike', () => {
    const onNode = [pod('n', 'agent', {}, {hostNetwork: true, podIP: '192.168.1.10'}), pod('m', 'probe')]
    const nodes = world({pods: onNode, policies: [policy('m', 'from-nodes', {podSelector: {}, ingress: [{from: [{ipBlock: {cidr: '192.168.1.0/24'}}], ports: [{port: 80}]}]})]})
    const verdict = nodes.verdict('n/agent', 'm/probe', 80)
    expect(verdict.allowed).toBe(true)
    expect(verdict.notes.join(' ')).toContain("the node's address (192.168.1.10)")
    expect(nodes.allowed('n/agent', 'm/probe', 81)).toBe(false)
    const elsewhere = world({pods: onNode, policies: [policy('m', 'from-office', {podSelector: {}, ingress: [{from: [{ipBlock: {cidr: '203.0.113.0/24'}}]}]})]})
    expect(elsewhere.allowed('n/agent', 'm/probe', 80)).toBe(false)
  })
})

describe('rule 9: a namespace by name, with kubernetes.io/metadata.name', () => {
  it('matches the label even when the dump of the namespace lacks it, or has no Namespace object at all', () => {
    const pods = [pod('db', 'postgres'), pod('apps', 'client'), pod('other', 'client')]
    const w = world({
      namespaces: [{metadata: {name: 'db'}}, {metadata: {name: 'apps', labels: {team: 'x'}}}],
      pods,
      policies: [
        policy('db', 'p', {
          podSelector: {},
          ingress: [{from: [{namespaceSelector: {matchExpressions: [{key: 'kubernetes.io/metadata.name', operator: 'In', values: ['apps', 'other']}]}}]}],
        }),
      ],
    })
    expect(w.allowed('apps/client', 'db/postgres', 5432)).toBe(true)
    expect(w.allowed('other/client', 'db/postgres', 5432)).toBe(true)
  })
})

describe('rule 10: no deny rules, no cluster-wide default', () => {
  const pods = [pod('a', 'app'), pod('b', 'app'), pod('a', 'admin')]

  it('a default deny is per namespace: it does not reach into another', () => {
    const w = world({pods, policies: [policy('a', 'deny', DEFAULT_DENY_INGRESS)]})
    expect(w.allowed('a/app', 'b/app', 80)).toBe(true)
    expect(w.allowed('b/app', 'a/app', 80)).toBe(false)
  })

  it('adding a default deny next to an allow takes nothing away', () => {
    const allow = policy('a', 'allow-admin', {podSelector: {}, ingress: [{from: [{podSelector: {matchLabels: {'app.kubernetes.io/name': 'admin'}}}]}]})
    const before = world({pods, policies: [allow]})
    const after = world({pods, policies: [allow, policy('a', 'deny', DEFAULT_DENY_INGRESS)]})
    expect(before.allowed('a/admin', 'a/app', 22)).toBe(true)
    expect(after.allowed('a/admin', 'a/app', 22)).toBe(true)
  })
})
