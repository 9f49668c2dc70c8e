import {describe, expect, it} from 'vitest'

import type {KubePod} from '../../src/inventory/kubernetes.js'
import {podClasses} from '../../src/netpol/classes.js'
import {deepFreeze} from '../../src/sources/freeze.js'
import {pod, policy} from './world.js'

function unit(ns: string, app: string, index: number, extra: Record<string, string> = {}): KubePod {
  const base = pod(ns, app, {'apps.kubernetes.io/pod-index': String(index), 'controller-revision-hash': `${app}-${index % 2 ? 'aaa' : 'bbb'}`, ...extra})
  const name = `${app}-${index}`
  return {...base, metadata: {...base.metadata, name, labels: {...base.metadata.labels, 'statefulset.kubernetes.io/pod-name': name}}}
}

describe('podClasses', () => {
  it('groups the units of an application despite per-pod labels, named by app.kubernetes.io/name', () => {
    const classes = podClasses({pods: [unit('db', 'postgresql', 1), unit('db', 'postgresql', 0), unit('db', 'postgresql', 2), unit('web', 'postgresql', 0)]})
    expect(classes.map((c) => [c.id, c.pods])).toEqual([
      ['db/postgresql', ['postgresql-0', 'postgresql-1', 'postgresql-2']],
      ['web/postgresql', ['postgresql-0']],
    ])
    expect(classes[0]!.labels).toEqual({'app.kubernetes.io/name': 'postgresql'})
  })

  it('keeps a per-pod label significant when a policy selects on it', () => {
    const pin = policy('db', 'primary', {podSelector: {matchLabels: {'statefulset.kubernetes.io/pod-name': 'postgresql-0'}}})
    const classes = podClasses({pods: [unit('db', 'postgresql', 0), unit('db', 'postgresql', 1)]}, {policies: [pin]})
    expect(classes.map((c) => c.name)).toEqual(['postgresql@postgresql-0', 'postgresql@postgresql-1'])
  })

  it('frozen pods (reconcile --watch) class as unfrozen ones do, and a policy selecting on a per-pod label still splits them', () => {
    const frozen = [unit('db', 'postgresql', 0), unit('db', 'postgresql', 1)]
    deepFreeze(frozen)
    const pin = policy('db', 'primary', {podSelector: {matchLabels: {'statefulset.kubernetes.io/pod-name': 'postgresql-0'}}})
    for (let pass = 0; pass < 2; pass++) {
      expect(podClasses({pods: frozen})).toEqual(podClasses({pods: [unit('db', 'postgresql', 0), unit('db', 'postgresql', 1)]}))
      expect(podClasses({pods: frozen}, {policies: [pin]}).map((c) => c.name)).toEqual(['postgresql@postgresql-0', 'postgresql@postgresql-1'])
    }
    // A class's labels and ports are its own: changing them changes no later answer.
    const [first] = podClasses({pods: frozen})
    first!.labels.extra = 'x'
    expect(podClasses({pods: frozen})[0]!.labels).toEqual({'app.kubernetes.io/name': 'postgresql'})
  })

  it('splits on labels, hostNetwork and container ports; names by the owning workload without the label', () => {
    const plain = pod('n', 'x')
    const deployment: KubePod = {
      ...plain,
      metadata: {
        name: 'modeloperator-6f8d9c7b54-q7v2m',
        namespace: 'n',
        labels: {'operator.juju.is/name': 'modeloperator', 'pod-template-hash': '6f8d9c7b54'},
        ownerReferences: [{kind: 'ReplicaSet', name: 'modeloperator-6f8d9c7b54', controller: true}],
      },
    }
    const classes = podClasses({
      pods: [
        deployment,
        pod('n', 'web', {tier: 'a'}),
        {...pod('n', 'web', {tier: 'b'}), metadata: {name: 'web-1', namespace: 'n', labels: {'app.kubernetes.io/name': 'web', tier: 'b'}}},
        pod('n', 'agent', {}, {hostNetwork: true}),
        pod('n', 'done', {}, {phase: 'Succeeded'}),
      ],
    })
    expect(classes.map((c) => c.id)).toEqual(['n/agent', 'n/modeloperator', 'n/web@web-0', 'n/web@web-1'])
    expect(classes.find((c) => c.id === 'n/agent')!.hostNetwork).toBe(true)
  })

  it('collects named container ports, protocol TCP by default', () => {
    const [db] = podClasses({pods: [pod('n', 'db', {}, {ports: [{name: 'pg', containerPort: 5432}, {containerPort: 53, protocol: 'UDP'}]})]})
    expect(db!.ports).toEqual([{port: 53, protocol: 'UDP'}, {name: 'pg', port: 5432, protocol: 'TCP'}])
  })

  it('keeps only the namespaces asked for', () => {
    expect(podClasses({pods: [pod('a', 'x'), pod('b', 'y')]}, {namespaces: ['b']}).map((c) => c.id)).toEqual(['b/y'])
  })
})


describe('which pods are an ingress controller (PodClass.ingressController)', () => {
  const controller = (...pods: KubePod[]) => podClasses({pods}).filter((c) => c.ingressController).map((c) => c.id)
  const web = [{containerPort: 80, protocol: 'TCP' as const}, {containerPort: 443, protocol: 'TCP' as const}]

  it('a known app.kubernetes.io/name, and Charmed Kubernetes\'s ingress-nginx-<app> only with the same app.kubernetes.io/part-of', () => {
    expect(controller(pod('ingress-nginx', 'ingress-nginx'))).toEqual(['ingress-nginx/ingress-nginx'])
    const charmed = pod('ingress-nginx-kubernetes-worker', 'ingress-nginx-kubernetes-worker', {'app.kubernetes.io/part-of': 'ingress-nginx-kubernetes-worker'})
    expect(controller(charmed)).toEqual(['ingress-nginx-kubernetes-worker/ingress-nginx-kubernetes-worker'])
    // The upstream chart's admission webhook is `ingress-nginx` with a component label; another -suffixed name is not CK's.
    expect(controller(pod('apps', 'ingress-nginx-docs'), pod('apps', 'ingress-nginx-kubernetes-worker', {'app.kubernetes.io/part-of': 'docs'}))).toEqual([])
  })

  it("MicroK8s's ingress add-on, whose pods carry only name: nginx-ingress-microk8s", () => {
    const addOn = pod('ingress', 'nginx-ingress-microk8s-controller')
    addOn.metadata.labels = {name: 'nginx-ingress-microk8s', 'controller-revision-hash': '5b8c7d6f9'}
    expect(controller(addOn)).toHaveLength(1)
  })

  it('any pod listening on 80 or 443 on the host network, but not off it, nor on other ports', () => {
    expect(controller(pod('edge', 'edge-proxy', {}, {hostNetwork: true, ports: web}))).toEqual(['edge/edge-proxy'])
    expect(controller(pod('edge', 'edge-proxy', {}, {ports: web}))).toEqual([])
    expect(controller(pod('monitoring', 'node-exporter', {}, {hostNetwork: true, ports: [{containerPort: 9100, protocol: 'TCP'}]}))).toEqual([])
  })

  it('never a Juju unit, whatever its name (COS\'s traefik application)', () => {
    const unitOfTraefik = pod('cos', 'traefik', {}, {hostNetwork: true, ports: web})
    unitOfTraefik.metadata.annotations = {'model.juju.is/id': '6f3c0e1a-2b4d-4c8e-9f1a-3b5d7e9f1a2c', 'unit.juju.is/id': 'traefik/0'}
    expect(controller(unitOfTraefik)).toEqual([])
  })
})
