/** The engine on the Livepatch example's real Kubernetes objects (examples/livepatch-k8s/kubernetes). */
import {beforeAll, describe, expect, it} from 'vitest'

import {loadInventory} from '../../src/audit/run-audit.js'
import type {KubernetesView} from '../../src/inventory/kubernetes.js'
import {podClasses} from '../../src/netpol/classes.js'
import {diffMatrices} from '../../src/netpol/diff.js'
import {EVERYONE, matrixEntries} from '../../src/netpol/entries.js'
import {explain} from '../../src/netpol/explain.js'
import {policyInput} from '../../src/netpol/load.js'
import {matrixCell, reachabilityMatrix} from '../../src/netpol/matrix.js'
import {formatPorts} from '../../src/netpol/ports.js'
import type {PodClass} from '../../src/netpol/types.js'
import {DEFAULT_DENY_INGRESS, policy} from './world.js'

const EXAMPLE = 'examples/livepatch-k8s/kubernetes'

/** What a hardened livepatch namespace could look like: deny, then the relations and the agents. */
const HARDENING = [
  policy('livepatch', 'default-deny', DEFAULT_DENY_INGRESS),
  policy('livepatch', 'postgresql-from-livepatch', {
    podSelector: {matchLabels: {'app.kubernetes.io/name': 'postgresql'}},
    ingress: [{from: [{podSelector: {matchLabels: {'app.kubernetes.io/name': 'livepatch'}}}], ports: [{protocol: 'TCP', port: 5432}]}],
  }),
  policy('livepatch', 'modeloperator-from-agents', {
    podSelector: {matchLabels: {'operator.juju.is/name': 'modeloperator'}},
    ingress: [{from: [{podSelector: {}}, {namespaceSelector: {matchLabels: {'kubernetes.io/metadata.name': 'controller-microk8s-prod'}}}], ports: [{port: 'api'}]}],
  }),
  policy('livepatch', 'ingress-from-outside', {
    podSelector: {matchLabels: {'app.kubernetes.io/name': 'ingress'}},
    ingress: [{from: [{ipBlock: {cidr: '0.0.0.0/0'}}], ports: [{port: 80}, {port: 443}]}],
  }),
]

describe('the Livepatch example', () => {
  let view: KubernetesView
  let classes: PodClass[]
  const byId = (id: string) => classes.find((c) => c.id === id)!

  beforeAll(async () => {
    view = (await loadInventory({from: [EXAMPLE]})).inventory.kubernetes
    classes = podClasses(view, {policies: view.networkPolicies})
  })

  it('has one class per application, the model operator named by its Deployment', () => {
    expect(classes.map((c) => c.id)).toEqual(['livepatch/ingress', 'livepatch/livepatch', 'livepatch/modeloperator', 'livepatch/postgresql'])
    expect(byId('livepatch/modeloperator').ports).toEqual([{name: 'api', port: 17071, protocol: 'TCP'}])
    expect(classes.some((c) => c.hostNetwork)).toBe(false)
  })

  it('has no NetworkPolicy, so everyone, the Internet included, reaches postgresql on every port', () => {
    expect(view.networkPolicies).toEqual([])
    const matrix = reachabilityMatrix(policyInput(view), classes)
    expect(matrixEntries(matrix).filter((e) => e.to === 'livepatch/postgresql').map((e) => [e.from, formatPorts(e.ports)])).toEqual([[EVERYONE, 'all ports']])
    const verdict = explain(policyInput(view), byId('livepatch/ingress'), byId('livepatch/postgresql'), {port: 5432})
    expect(verdict.allowed).toBe(true)
    expect(verdict.ingress.reason).toBe('livepatch/postgresql is not isolated for ingress (no policy with policyType Ingress selects it)')
  })

  it('with a default deny and the relations allowed, only livepatch reaches postgresql, on 5432', () => {
    const input = {policies: HARDENING, namespaces: [...view.namespaces.values()]}
    const hardened = reachabilityMatrix(input, classes)
    expect(matrixEntries(hardened).filter((e) => e.to === 'livepatch/postgresql').map((e) => [e.from, formatPorts(e.ports)])).toEqual([
      ['livepatch/livepatch', '5432/TCP'],
    ])
    expect(formatPorts(matrixCell(hardened, 'livepatch/livepatch', 'livepatch/modeloperator'))).toBe('17071/TCP')
    expect(formatPorts(matrixCell(hardened, 'outside', 'livepatch/ingress'))).toBe('80/TCP, 443/TCP')
    expect(formatPorts(matrixCell(hardened, 'outside', 'livepatch/livepatch'))).toBe('none')

    const denied = explain(input, byId('livepatch/ingress'), byId('livepatch/postgresql'), {port: 5432})
    expect(denied.allowed).toBe(false)
    expect(denied.ingress.nearMisses).toEqual([
      expect.stringContaining('livepatch/postgresql-from-livepatch ingress rule 0 allows 5432/TCP but none of its from peers selects livepatch/ingress'),
    ])
    expect(explain(input, byId('livepatch/postgresql'), byId('livepatch/modeloperator'), {port: 'api'})).toMatchObject({allowed: true, port: 17071})

    const diff = diffMatrices(reachabilityMatrix(policyInput(view), classes), hardened)
    expect(diff.opened).toEqual([])
    expect(diff.closed.filter((c) => c.to === 'livepatch/postgresql').map((c) => c.from)).toEqual([
      'livepatch/ingress',
      'livepatch/livepatch',
      'livepatch/modeloperator',
      'livepatch/postgresql',
      'outside',
    ])
  })
})
