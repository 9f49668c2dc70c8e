/**
 * The planner on the Livepatch example: which policies, which rules and why, and the plan's
 * behaviour against what a cluster already has (idempotence, updates, pruning, foreign objects,
 * incomplete views). Every generated manifest is validated against the Kubernetes OpenAPI schema
 * for networking.k8s.io/v1 (kubernetes-models).
 */
import {join} from 'node:path'

import {NetworkPolicy} from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy'
import {describe, expect, it} from 'vitest'

import {loadInventory} from '../../src/audit/run-audit.js'
import type {KubeNetworkPolicy} from '../../src/inventory/kubernetes.js'
import type {Inventory} from '../../src/inventory/types.js'
import {desiredNetworkPolicies} from '../../src/plan/network-policies.js'
import {planReconcile} from '../../src/plan/plan.js'
import {type NetworkPolicyObject, networkPolicyActions} from '../../src/plan/types.js'
import {defaultPolicy, type Policy} from '../../src/policy/schema.js'
import {REPO_ROOT} from '../helpers/cli.js'

const EXAMPLE = join(REPO_ROOT, 'examples/livepatch-k8s')

async function example(): Promise<Inventory> {
  return (await loadInventory({from: [EXAMPLE]})).inventory
}

const asLive = (object: NetworkPolicyObject, extra: Partial<NetworkPolicyObject['metadata']> = {}): KubeNetworkPolicy =>
  ({...structuredClone(object), metadata: {...structuredClone(object.metadata), resourceVersion: '41', uid: `uid-${object.metadata.name}`, ...extra}, ref: {path: []}}) as unknown as KubeNetworkPolicy

function policyFor(objects: NetworkPolicyObject[], name: string): NetworkPolicyObject {
  const found = objects.find((object) => object.metadata.name === name)
  if (!found) throw new Error(`no ${name} in ${objects.map((o) => o.metadata.name).join(', ')}`)
  return found
}

describe('desired NetworkPolicies for the Livepatch example', () => {
  it('denies by default and admits exactly the related applications on the ports of their Services', async () => {
    const desired = desiredNetworkPolicies(await example(), defaultPolicy())
    const livepatch = desired.namespaces.find((ns) => ns.namespace === 'livepatch')!
    expect(livepatch.policies.map((p) => p.metadata.name)).toEqual([
      'hardenctl-default-deny',
      'hardenctl-app-ingress',
      'hardenctl-app-livepatch',
      'hardenctl-app-postgresql',
      'hardenctl-juju-agents',
    ])
    expect(policyFor(livepatch.policies, 'hardenctl-default-deny').spec).toEqual({podSelector: {}, policyTypes: ['Ingress']})

    const postgresql = policyFor(livepatch.policies, 'hardenctl-app-postgresql')
    expect(postgresql.spec.podSelector).toEqual({matchLabels: {'app.kubernetes.io/name': 'postgresql'}})
    expect(postgresql.spec.ingress).toEqual([
      {from: [{podSelector: {matchLabels: {'app.kubernetes.io/name': 'postgresql'}}}]},
      {
        from: [{podSelector: {matchLabels: {'app.kubernetes.io/name': 'livepatch'}}}],
        ports: [
          {protocol: 'TCP', port: 5432},
          {protocol: 'TCP', port: 8008},
        ],
      },
    ])
    expect(postgresql.metadata.labels).toEqual({'app.kubernetes.io/managed-by': 'hardenctl', 'hardenctl.io/model': 'livepatch'})
    expect(postgresql.metadata.annotations?.['hardenctl.io/reason']).toContain('ingress[1]: relation livepatch:database ↔ postgresql:database: livepatch connects to postgresql (charm metadata)')

    // nginx-route: the proxy side connects to livepatch, on any port: it dials the port the relation
    // names, which need not be on the Service (the Ingress controller's rule keeps the Service's 8080).
    const app = policyFor(livepatch.policies, 'hardenctl-app-livepatch')
    expect(app.spec.ingress).toContainEqual({from: [{podSelector: {matchLabels: {'app.kubernetes.io/name': 'ingress'}}}]})

    const agents = policyFor(livepatch.policies, 'hardenctl-juju-agents')
    expect(agents.spec).toEqual({
      podSelector: {matchLabels: {'operator.juju.is/name': 'modeloperator'}},
      policyTypes: ['Ingress'],
      ingress: [{from: [{podSelector: {}}], ports: [{protocol: 'TCP', port: 17071}]}],
    })

    const controller = desired.namespaces.find((ns) => ns.namespace === 'controller-microk8s-prod')!
    expect(policyFor(controller.policies, 'hardenctl-juju-controller').spec.ingress).toEqual([
      {from: [{namespaceSelector: {matchExpressions: [{key: 'model.juju.is/name', operator: 'Exists'}]}}], ports: [{protocol: 'TCP', port: 17070}]},
      {from: [{ipBlock: {cidr: '0.0.0.0/0'}}], ports: [{protocol: 'TCP', port: 17070}]},
      {from: [{podSelector: {matchLabels: {'app.kubernetes.io/name': 'controller'}}}], ports: [{protocol: 'TCP', port: 37017}]},
    ])
  })

  it("keeps a Juju 4 controller's SSH server (its Service's ssh-server port) open to the clients the API is open to", async () => {
    // juju/juju internal/provider/kubernetes/bootstrap.go@01da0d29: controller-service has api-server (17070) and ssh-server (17022).
    const inventory = await example()
    const service = inventory.kubernetes.services.find((s) => s.metadata.namespace === 'controller-microk8s-prod' && s.metadata.name === 'controller-service')!
    service.spec.ports = [{name: 'api-server', port: 17070, targetPort: 17070}, {name: 'ssh-server', port: 17022, targetPort: 17022}]
    const policy: Policy = {...defaultPolicy(), networkPolicies: {...defaultPolicy().networkPolicies, controllerApiCidrs: ['10.0.0.0/8']}}
    const controller = desiredNetworkPolicies(inventory, policy).namespaces.find((ns) => ns.namespace === 'controller-microk8s-prod')!
    expect(policyFor(controller.policies, 'hardenctl-juju-controller').spec.ingress).toContainEqual({from: [{ipBlock: {cidr: '10.0.0.0/8'}}], ports: [{protocol: 'TCP', port: 17022}]})
  })

  it('with egress isolation, opens DNS, Juju agents and relation flows outward', async () => {
    const policy: Policy = {...defaultPolicy(), networkPolicies: {...defaultPolicy().networkPolicies, egress: true, controllerApiCidrs: ['10.0.0.0/8']}}
    const desired = desiredNetworkPolicies(await example(), policy)
    const livepatch = desired.namespaces.find((ns) => ns.namespace === 'livepatch')!
    expect(policyFor(livepatch.policies, 'hardenctl-default-deny').spec.policyTypes).toEqual(['Ingress', 'Egress'])
    const egress = policyFor(livepatch.policies, 'hardenctl-app-livepatch').spec.egress!
    expect(egress).toContainEqual({
      to: [{namespaceSelector: {matchLabels: {'kubernetes.io/metadata.name': 'kube-system'}}, podSelector: {matchLabels: {'k8s-app': 'kube-dns'}}}],
      ports: [{protocol: 'UDP', port: 53}, {protocol: 'TCP', port: 53}],
    })
    expect(egress).toContainEqual({to: [{podSelector: {matchLabels: {'app.kubernetes.io/name': 'postgresql'}}}], ports: [{protocol: 'TCP', port: 5432}, {protocol: 'TCP', port: 8008}]})
    // postgresql runs with --trust in the example: it may reach the Kubernetes API.
    expect(policyFor(livepatch.policies, 'hardenctl-app-postgresql').spec.egress).toContainEqual({to: [{ipBlock: {cidr: '0.0.0.0/0'}}], ports: [443, 6443, 16443].map((port) => ({protocol: 'TCP', port}))})
  })

  it('every generated manifest is valid against the networking.k8s.io/v1 OpenAPI schema', async () => {
    for (const egress of [false, true]) {
      const desired = desiredNetworkPolicies(await example(), {...defaultPolicy(), networkPolicies: {...defaultPolicy().networkPolicies, egress, controllerApiCidrs: ['0.0.0.0/0']}})
      for (const object of desired.namespaces.flatMap((ns) => ns.policies)) {
        expect(() => new NetworkPolicy(object as never).validate(), object.metadata.name).not.toThrow()
      }
    }
  })
})

describe('planning against what the cluster has', () => {
  it('a cluster that already has the desired policies needs no writes', async () => {
    const inventory = await example()
    const desired = desiredNetworkPolicies(inventory, defaultPolicy())
    const live = desired.namespaces.flatMap((ns) => ns.policies).map((object) => asLive(object))
    const plan = planReconcile(desired, live)
    expect(plan.actions.every((action) => action.op === 'unchanged')).toBe(true)
  })

  it('updates a drifted hardenctl policy, prunes a stale one, never touches one it does not own, and orders allow → default-deny → prune', async () => {
    const desired = desiredNetworkPolicies(await example(), defaultPolicy())
    const ns = desired.namespaces.find((candidate) => candidate.namespace === 'livepatch')!
    const drifted = asLive(policyFor(ns.policies, 'hardenctl-app-postgresql'))
    drifted.spec.ingress = [{from: [{podSelector: {}}]}] as never
    const stale = asLive({...policyFor(ns.policies, 'hardenctl-app-ingress'), metadata: {...policyFor(ns.policies, 'hardenctl-app-ingress').metadata, name: 'hardenctl-app-removed'}})
    const foreign = asLive({...policyFor(ns.policies, 'hardenctl-app-ingress'), metadata: {name: 'team-allow-all', namespace: 'livepatch', labels: {team: 'db'}}})
    const plan = planReconcile(desired, [drifted, stale, foreign])
    const livepatch = networkPolicyActions(plan).filter((action) => action.object.metadata.namespace === 'livepatch')
    expect(livepatch.map((action) => [action.op, action.phase, action.object.metadata.name])).toEqual([
      ['create', 'allow', 'hardenctl-app-ingress'],
      ['create', 'allow', 'hardenctl-app-livepatch'],
      ['update', 'allow', 'hardenctl-app-postgresql'],
      ['create', 'allow', 'hardenctl-juju-agents'],
      ['create', 'default-deny', 'hardenctl-default-deny'],
      ['delete', 'prune', 'hardenctl-app-removed'],
    ])
    expect(livepatch.find((action) => action.op === 'delete')!.object.metadata.resourceVersion).toBe('41')
    expect(networkPolicyActions(plan).some((action) => action.object.metadata.name === 'team-allow-all')).toBe(false)
  })

  it('a desired name taken by a policy hardenctl does not own leaves that namespace alone', async () => {
    const desired = desiredNetworkPolicies(await example(), defaultPolicy())
    const ns = desired.namespaces.find((candidate) => candidate.namespace === 'livepatch')!
    const squatter = asLive(policyFor(ns.policies, 'hardenctl-default-deny'), {labels: {owner: 'someone'}})
    const plan = planReconcile(desired, [squatter])
    expect(networkPolicyActions(plan).some((action) => action.object.metadata.namespace === 'livepatch')).toBe(false)
    expect(plan.untouched).toContainEqual({namespace: 'livepatch', why: 'foreign-policy', reason: expect.stringContaining('hardenctl-default-deny exists and is not hardenctl')})
  })

  it('a model whose Juju status is missing or had errors keeps its policies exactly as they are', async () => {
    const inventory = await example()
    inventory.gaps.push({target: {kind: 'model', controller: 'microk8s-prod', model: 'livepatch', name: 'livepatch'}, message: 'status-error: connection reset'})
    const plan = planReconcile(desiredNetworkPolicies(inventory, defaultPolicy()), [])
    expect(networkPolicyActions(plan).some((action) => action.object.metadata.namespace === 'livepatch')).toBe(false)
    expect(plan.untouched).toContainEqual({namespace: 'livepatch', why: 'incomplete-view', reason: expect.stringContaining('connection reset')})
    // The controller namespace does not depend on the model's status.
    expect(networkPolicyActions(plan).some((action) => action.object.metadata.namespace === 'controller-microk8s-prod')).toBe(true)
  })

  it('with psa.enabled, labels namespaces warn/audit restricted and leaves enforce off unless asked; labelled ones are unchanged', async () => {
    const inventory = await example()
    const psa: Policy = {...defaultPolicy(), psa: {enabled: true, warn: 'restricted', audit: 'restricted'}}
    const plan = planReconcile(desiredNetworkPolicies(inventory, psa), [], inventory.kubernetes.namespaces)
    expect(plan.namespaceLabels).toEqual([
      {op: 'update', namespace: 'controller-microk8s-prod', labels: {'pod-security.kubernetes.io/audit': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted'}, current: {'pod-security.kubernetes.io/audit': undefined, 'pod-security.kubernetes.io/warn': undefined}},
      {op: 'update', namespace: 'livepatch', labels: {'pod-security.kubernetes.io/audit': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted'}, current: {'pod-security.kubernetes.io/audit': undefined, 'pod-security.kubernetes.io/warn': undefined}},
    ])
    const livepatch = inventory.kubernetes.namespaces.get('livepatch')!
    livepatch.metadata.labels = {...livepatch.metadata.labels, 'pod-security.kubernetes.io/audit': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted', 'pod-security.kubernetes.io/enforce': 'baseline'}
    const enforcing: Policy = {...psa, psa: {enabled: true, warn: 'restricted', audit: 'restricted', enforce: 'baseline'}}
    const again = planReconcile(desiredNetworkPolicies(inventory, enforcing), [], inventory.kubernetes.namespaces)
    expect(again.namespaceLabels.find((action) => action.namespace === 'livepatch')?.op).toBe('unchanged')
    expect(planReconcile(desiredNetworkPolicies(inventory, defaultPolicy()), [], inventory.kubernetes.namespaces).namespaceLabels).toEqual([])
  })

  it('without the existing NetworkPolicies nothing is planned', async () => {
    const inventory = await example()
    inventory.inputs.delete('k8s-networkpolicies')
    const plan = planReconcile(desiredNetworkPolicies(inventory, defaultPolicy()), [])
    expect(plan.actions).toEqual([])
    expect(plan.untouched.map((entry) => entry.why)).toEqual(['incomplete-view', 'incomplete-view'])
  })
})

describe('intentional exposure (exposure.enforce off by default)', () => {
  const postgresqlServices = (inventory: Inventory) => {
    const model = [...inventory.models.values()].find((candidate) => candidate.name === 'livepatch')!
    return model.applications.get('postgresql')!.kubernetes!.services.filter((service) => service.metadata.name === 'postgresql')
  }
  const postgresqlRules = (inventory: Inventory, policy: Policy) => {
    const desired = desiredNetworkPolicies(inventory, policy)
    const livepatch = desired.namespaces.find((ns) => ns.namespace === 'livepatch')!
    const object = policyFor(livepatch.policies, 'hardenctl-app-postgresql')
    return {desired, ingress: object.spec.ingress!, reasons: object.metadata.annotations!['hardenctl.io/reason']!}
  }
  const world = [{ipBlock: {cidr: '0.0.0.0/0'}}, {ipBlock: {cidr: '::/0'}}]
  const ports = [
    {protocol: 'TCP', port: 5432},
    {protocol: 'TCP', port: 8008},
  ]

  it('a NodePort Service (expose-external=nodeport) stays reachable from anyone on exactly its ports, and says which switch narrows it', async () => {
    const inventory = await example()
    for (const service of postgresqlServices(inventory)) service.spec.type = 'NodePort'
    const {desired, ingress, reasons} = postgresqlRules(inventory, defaultPolicy())
    expect(ingress).toContainEqual({from: world, ports})
    expect(reasons).toContain('ingress[1]: postgresql is exposed on purpose (NodePort Service postgresql): kept open from 0.0.0.0/0, ::/0 (anyone) on 5432/TCP, 8008/TCP, as today; exposure.enforce: true would narrow it to exposure.allow, which does not list it')
    expect(desired.keptOpen).toEqual([
      {namespace: 'livepatch', application: 'postgresql', exposedBy: 'NodePort Service postgresql', sources: ['0.0.0.0/0', '::/0'], ports: ['5432/TCP', '8008/TCP'], narrowedBy: expect.stringContaining('exposure.enforce: true')},
    ])

    const enforced = postgresqlRules(inventory, {...defaultPolicy(), exposure: {allow: {}, enforce: true}})
    expect(enforced.ingress.some((rule) => rule.from?.some((peer) => peer.ipBlock))).toBe(false)
    expect(enforced.desired.keptOpen).toEqual([])
    expect(enforced.desired.notes).toContain('livepatch/postgresql is exposed (Service postgresql) but not on exposure.allow: with exposure.enforce, traffic from outside the cluster will not reach it')

    const narrowed = postgresqlRules(inventory, {...defaultPolicy(), exposure: {allow: {postgresql: ['10.0.0.0/8']}, enforce: true}})
    expect(narrowed.ingress).toContainEqual({from: [{ipBlock: {cidr: '10.0.0.0/8'}}], ports})
  })

  it('`juju expose` alone keeps nothing open on Kubernetes, and the note says why; a podspec charm\'s expose (an Ingress) gets no such note', async () => {
    const inventory = await example()
    const postgresql = [...inventory.models.values()].flatMap((model) => [...model.applications.values()]).find((app) => app.name === 'postgresql')!
    postgresql.exposed = true
    const {desired, ingress} = postgresqlRules(inventory, defaultPolicy())
    expect(ingress.some((rule) => rule.from?.some((peer) => peer.ipBlock))).toBe(false)
    expect(desired.keptOpen).toEqual([])
    expect(desired.notes).toContain(
      'livepatch: postgresql is marked exposed in Juju, which opens nothing on Kubernetes, and no Service lets outside traffic in: hardenctl keeps nothing open from outside for it (a LoadBalancer or NodePort Service, or an Ingress, is what would)',
    )
    postgresql.options['juju-external-hostname'] = 'db.example.com'
    expect(postgresqlRules(inventory, defaultPolicy()).desired.notes.some((note) => note.includes('marked exposed'))).toBe(false)
  })

  it("RKE2's own ingress controller (rke2-ingress-nginx in kube-system) is recognised: its namespace is admitted to the Ingress backend, not every namespace", async () => {
    const inventory = await example()
    inventory.kubernetes.pods.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {name: 'rke2-ingress-nginx-controller-5x2kq', namespace: 'kube-system', labels: {'app.kubernetes.io/name': 'rke2-ingress-nginx', 'app.kubernetes.io/component': 'controller'}},
      spec: {containers: [{name: 'rke2-ingress-nginx-controller', image: 'rancher/nginx-ingress-controller:v1.10.4-hardened2'}]},
      status: {phase: 'Running', podIP: '10.42.0.15'},
      ref: {path: []},
    } as unknown as Inventory['kubernetes']['pods'][number])
    const livepatch = desiredNetworkPolicies(inventory, defaultPolicy()).namespaces.find((ns) => ns.namespace === 'livepatch')!
    const object = policyFor(livepatch.policies, 'hardenctl-app-livepatch')
    expect(object.spec.ingress).toContainEqual({from: [{namespaceSelector: {matchLabels: {'kubernetes.io/metadata.name': 'kube-system'}}}], ports: [{protocol: 'TCP', port: 8080}]})
    expect(object.metadata.annotations!['hardenctl.io/reason']).toContain('the ingress controller (kube-system) connects')
  })

  it("a Juju application named like an ingress controller (COS's traefik) is no ingress controller: its namespace is not admitted to other models' Ingress backends", async () => {
    const inventory = await example()
    inventory.kubernetes.pods.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {name: 'traefik-0', namespace: 'cos', labels: {'app.kubernetes.io/name': 'traefik'}, annotations: {'model.juju.is/id': '3f2a9c1e-5b7d-4e8f-a1c2-d3e4f5a6b7c8', 'unit.juju.is/id': 'traefik/0'}},
      spec: {containers: [{name: 'charm', image: 'jujusolutions/charm-base:ubuntu-20.04'}]},
      status: {phase: 'Running', podIP: '10.1.7.9'},
      ref: {path: []},
    } as unknown as Inventory['kubernetes']['pods'][number])
    const livepatch = desiredNetworkPolicies(inventory, defaultPolicy()).namespaces.find((ns) => ns.namespace === 'livepatch')!
    const reason = policyFor(livepatch.policies, 'hardenctl-app-livepatch').metadata.annotations!['hardenctl.io/reason']!
    expect(reason).toContain('the ingress controller (namespace unknown) connects')
    expect(reason).not.toContain('(cos)')
  })

  it('a ClusterIP Service with externalIPs counts as exposure too', async () => {
    const inventory = await example()
    for (const service of postgresqlServices(inventory)) service.spec.externalIPs = ['203.0.113.5']
    const {ingress, reasons} = postgresqlRules(inventory, defaultPolicy())
    expect(ingress).toContainEqual({from: world, ports})
    expect(reasons).toContain('(ClusterIP Service postgresql with externalIPs): kept open from 0.0.0.0/0, ::/0')
  })

  it('exposure the allowlist already covers is kept and says so', async () => {
    const inventory = await example()
    for (const service of postgresqlServices(inventory)) {
      service.spec.type = 'LoadBalancer'
      service.spec.loadBalancerSourceRanges = ['10.1.0.0/16']
    }
    const {desired, ingress, reasons} = postgresqlRules(inventory, {...defaultPolicy(), exposure: {allow: {postgresql: ['10.0.0.0/8']}, enforce: false}})
    expect(ingress).toContainEqual({from: [{ipBlock: {cidr: '10.1.0.0/16'}}], ports})
    expect(reasons).toContain('kept open from 10.1.0.0/16 on 5432/TCP, 8008/TCP, as today; within exposure.allow')
    expect(desired.keptOpen.map((kept) => kept.narrowedBy)).toEqual(['within exposure.allow'])
  })

  it('a namespace the plan leaves alone lists nothing as kept open', async () => {
    const inventory = await example()
    for (const service of postgresqlServices(inventory)) service.spec.type = 'NodePort'
    const desired = desiredNetworkPolicies(inventory, defaultPolicy())
    const ns = desired.namespaces.find((candidate) => candidate.namespace === 'livepatch')!
    const squatter = asLive(policyFor(ns.policies, 'hardenctl-default-deny'), {labels: {owner: 'someone'}})
    expect(planReconcile(desired, []).keptOpen).toHaveLength(1)
    expect(planReconcile(desired, [squatter]).keptOpen).toEqual([])
  })
})
