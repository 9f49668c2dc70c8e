/**
 * The "Closes:" classification catches what a plan would break: a plan with a relation's allow
 * rule taken out closes that relation's path (not asked for), on the server's ports only.
 */
import {cp, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {loadInventory} from '../../src/audit/run-audit.js'
import {closedPaths} from '../../src/plan/closes.js'
import {planForInventory} from '../../src/plan/plan.js'
import {isNetworkPolicyAction, type NetworkPolicyAction, networkPolicyActions} from '../../src/plan/types.js'
import {policySchema} from '../../src/policy/schema.js'
import {COS_NAMESPACE, writeCosEstate} from '../helpers/cos-estate.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hardenctl-closes-plan-'))
  await writeCosEstate(dir)
})
afterAll(async () => {
  await rm(dir, {recursive: true, force: true})
})

describe('closedPaths', () => {
  it('a correct plan closes nothing in use; one without a relation rule closes that relation, not asked for', async () => {
    const {inventory} = await loadInventory({from: [dir]})
    const policy = policySchema.parse({apiVersion: 'hardenctl.io/v1'})
    const plan = planForInventory(inventory, policy)
    expect(closedPaths(inventory, policy, plan)).toEqual([])

    const grafana = networkPolicyActions(plan).find((action) => action.object.metadata.name === 'hardenctl-app-grafana') as NetworkPolicyAction
    const rules = grafana.object.spec.ingress ?? []
    const reasons = grafana.object.metadata.annotations!['hardenctl.io/reason']!.split('\n')
    const traefik = reasons.findIndex((reason) => reason.includes('traefik connects to grafana'))
    expect(traefik).toBeGreaterThan(0)
    grafana.object.spec.ingress = rules.filter((_, index) => index !== traefik)

    const closes = closedPaths(inventory, policy, plan)
    expect(closes).toEqual([
      {
        from: `${COS_NAMESPACE}/traefik`,
        to: `${COS_NAMESPACE}/grafana`,
        // traefik-route: the proxy dials the port the relation names, so every port of the path is in use.
        ports: 'all ports',
        usedBy: expect.stringMatching(/^relation .*grafana.*traefik|^relation .*traefik.*grafana/),
        why: `no planned rule admits it: ${COS_NAMESPACE}/grafana's ingress is isolated by ${COS_NAMESPACE}/hardenctl-app-grafana, ${COS_NAMESPACE}/hardenctl-default-deny`,
        asked: false,
      },
    ])
  }, 30_000)

  it('judges a plan on the namespaces it changes: a path out of a changed namespace into an unchanged one closes too', async () => {
    // kube-system's DNS is not changed by the plan; grafana's egress to it is, in clite.
    const egressDir = await mkdtemp(join(tmpdir(), 'hardenctl-closes-egress-'))
    try {
      await writeCosEstate(egressDir)
      await addToList(join(egressDir, 'kubernetes/namespaces.json'), {apiVersion: 'v1', kind: 'Namespace', metadata: {name: 'kube-system', labels: {'kubernetes.io/metadata.name': 'kube-system'}}})
      await addToList(join(egressDir, 'kubernetes/pods.json'), {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {name: 'coredns-0', namespace: 'kube-system', labels: {'k8s-app': 'kube-dns'}},
        spec: {containers: [{name: 'coredns', image: 'coredns/coredns', ports: [{containerPort: 53, protocol: 'UDP'}, {containerPort: 53, protocol: 'TCP'}]}]},
        status: {phase: 'Running'},
      })
      await addToList(join(egressDir, 'kubernetes/services.json'), {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: {name: 'kube-dns', namespace: 'kube-system'},
        spec: {type: 'ClusterIP', selector: {'k8s-app': 'kube-dns'}, ports: [{name: 'dns', port: 53, protocol: 'UDP'}, {name: 'dns-tcp', port: 53, protocol: 'TCP'}]},
      })
      const {inventory} = await loadInventory({from: [egressDir]})
      const policy = policySchema.parse({apiVersion: 'hardenctl.io/v1', networkPolicies: {egress: true}})
      const plan = planForInventory(inventory, policy)
      expect(closedPaths(inventory, policy, plan)).toEqual([])
      expect(new Set(networkPolicyActions(plan).map((action) => action.object.metadata.namespace))).toEqual(new Set([COS_NAMESPACE]))

      const grafana = networkPolicyActions(plan).find((action) => action.object.metadata.name === 'hardenctl-app-grafana') as NetworkPolicyAction
      const toDns = (rule: {to?: {namespaceSelector?: {matchLabels?: Record<string, string>}}[]}) =>
        rule.to?.some((peer) => peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'kube-system') ?? false
      expect(grafana.object.spec.egress?.some(toDns)).toBe(true)
      grafana.object.spec.egress = grafana.object.spec.egress!.filter((rule) => !toDns(rule))

      expect(closedPaths(inventory, policy, plan)).toEqual([
        expect.objectContaining({from: `${COS_NAMESPACE}/grafana`, to: 'kube-system/coredns-0', ports: '53/TCP, 53/UDP', usedBy: 'DNS (kube-system/kube-dns)', why: expect.stringContaining("grafana's egress")}),
      ])
    } finally {
      await rm(egressDir, {recursive: true, force: true})
    }
  }, 30_000)

  it('judges a plan on the namespaces it changes: a path from an unchanged namespace into a changed one closes too', async () => {
    // Only the controller's namespace changes, and its plan lost the rules for the models' agents:
    // the livepatch units' path to the controller API (17070) closes, though livepatch is unchanged.
    const estate = await mkdtemp(join(tmpdir(), 'hardenctl-closes-controller-'))
    await cp('examples/livepatch-k8s', estate, {recursive: true})
    await addToList(join(estate, 'kubernetes/pods.json'), {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {name: 'controller-0', namespace: 'controller-microk8s-prod', labels: {'app.kubernetes.io/name': 'controller', 'statefulset.kubernetes.io/pod-name': 'controller-0'}},
      spec: {containers: [{name: 'api-server', image: 'jujusolutions/jujud-operator:3.6.8', ports: [{containerPort: 17070, protocol: 'TCP'}]}]},
    })
    const {inventory} = await loadInventory({from: [estate]})
    await rm(estate, {recursive: true, force: true})
    const policy = policySchema.parse({apiVersion: 'hardenctl.io/v1'})
    const plan = planForInventory(inventory, policy)
    const actions = plan.actions.map((action) => {
      if (!isNetworkPolicyAction(action)) return action
      if (action.object.metadata.namespace !== 'controller-microk8s-prod') return action.op === 'create' ? {...action, op: 'unchanged' as const} : action
      if (action.object.metadata.name !== 'hardenctl-juju-controller') return action
      // Neither the models' namespaces nor controllerApiCidrs' ipBlock (which the engine lets pods match) admitted.
      return {...action, object: {...action.object, spec: {...action.object.spec, ingress: []}}}
    })
    const closes = closedPaths(inventory, policy, {...plan, actions})
    expect(closes.map((path) => `${path.from} → ${path.to} ${path.ports}`)).toEqual(
      expect.arrayContaining(['livepatch/postgresql → controller-microk8s-prod/controller 17070/TCP', 'livepatch/livepatch → controller-microk8s-prod/controller 17070/TCP']),
    )
  }, 30_000)

  it('a plan that changes nothing closes nothing', async () => {
    const {inventory} = await loadInventory({from: [dir]})
    const policy = policySchema.parse({apiVersion: 'hardenctl.io/v1'})
    const plan = planForInventory(inventory, policy)
    const unchanged = {...plan, actions: plan.actions.map((action) => ('op' in action && action.op === 'create' ? {...action, op: 'unchanged' as const} : action))}
    expect(closedPaths(inventory, policy, unchanged)).toEqual([])
  }, 30_000)
})

async function addToList(path: string, item: object): Promise<void> {
  const list = JSON.parse(await readFile(path, 'utf8')) as {items: object[]}
  list.items.push(item)
  await writeFile(path, JSON.stringify(list))
}
