import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {describe, expect, it} from 'vitest'

import {InputError} from '../../../src/errors.js'
import type {Contribution, ReadContext} from '../../../src/inventory/contributions.js'
import type {KubeObject} from '../../../src/inventory/kubernetes.js'
import {readAndParse} from '../../../src/sources/parse-file.js'
import {inputsFromFileName, kubernetesReader, kubernetesReaders} from '../../../src/sources/kubernetes/index.js'

const FIXTURES = fileURLToPath(new URL('../../fixtures/kubernetes/', import.meta.url))

function context(file: string, document = 0): ReadContext {
  return {file, document, scope: {}}
}

async function readFixture(name: string): Promise<Contribution[]> {
  const parsed = await readAndParse(join(FIXTURES, name))
  const out: Contribution[] = []
  for (const {index, data} of parsed.documents) {
    const hint = {file: parsed.file, document: index}
    expect(kubernetesReaders.some((reader) => reader.recognises(data, hint))).toBe(true)
    out.push(...kubernetesReader.read(data, context(parsed.file, index)))
  }
  return out
}

function objects(contributions: Contribution[]): KubeObject[] {
  return contributions.flatMap((c) => (c.type === 'kube-object' ? [c.object] : []))
}

function inputs(contributions: Contribution[]): string[] {
  return contributions.flatMap((c) => (c.type === 'input' ? [c.input] : [])).sort()
}

function thrown(fn: () => unknown): InputError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return error as InputError
  }
  throw new Error('expected an InputError')
}

describe('kubernetes reader', () => {
  it('reads a kind: List of pods, keeping kind, apiVersion and a ref per item', async () => {
    const out = await readFixture('pods.json')
    const pods = objects(out)
    expect(pods.map((p) => [p.kind, p.apiVersion, p.metadata.name])).toEqual([
      ['Pod', 'v1', 'postgresql-0'],
      ['Pod', 'v1', 'modeloperator-7d9b6c5f4-x2x9k'],
    ])
    expect(pods[0]!.ref).toEqual({file: join(FIXTURES, 'pods.json'), document: 0, path: ['items', 0]})
    expect(pods[1]!.ref.path).toEqual(['items', 1])
    // Fields the schemas do not name pass through untouched.
    expect((pods[0] as Record<string, unknown>).status).toMatchObject({phase: 'Running'})
    expect(pods[0]!.metadata.labels?.['app.kubernetes.io/name']).toBe('postgresql')
    expect(inputs(out)).toEqual(['k8s-pods'])
    const input = out.find((c) => c.type === 'input')
    expect(input).toMatchObject({scope: {file: join(FIXTURES, 'pods.json')}})
  })

  it('infers kind and apiVersion for the items of a typed list (ServiceList)', async () => {
    const out = await readFixture('service-list-typed.json')
    const services = objects(out)
    expect(services.map((s) => [s.kind, s.apiVersion, s.metadata.name])).toEqual([
      ['Service', 'v1', 'postgresql'],
      ['Service', 'v1', 'postgresql-endpoints'],
    ])
    expect(services[0]!.ref.path).toEqual(['items', 0])
    expect(inputs(out)).toEqual(['k8s-services'])
  })

  it('reads a single object with the empty path as its ref', async () => {
    const out = await readFixture('namespace.yaml')
    const [namespace] = objects(out)
    expect(namespace).toMatchObject({kind: 'Namespace', apiVersion: 'v1', metadata: {name: 'livepatch'}})
    expect(namespace!.metadata.labels?.['model.juju.is/name']).toBe('livepatch')
    expect(namespace!.ref.path).toEqual([])
    expect(inputs(out)).toEqual(['k8s-namespaces'])
  })

  it('records the input kind of an empty typed list: no NetworkPolicies is a fact', async () => {
    const out = await readFixture('networkpolicy-list-empty.json')
    expect(objects(out)).toEqual([])
    expect(inputs(out)).toEqual(['k8s-networkpolicies'])
  })

  it('takes the input kind of an empty kind: List from the snapshot file name', async () => {
    const out = await readFixture('networkpolicies.json')
    expect(objects(out)).toEqual([])
    expect(inputs(out)).toEqual(['k8s-networkpolicies'])
    // An empty List whose name says nothing records nothing.
    const anonymous = kubernetesReader.read({apiVersion: 'v1', kind: 'List', items: []}, context('/tmp/dump.json'))
    expect(anonymous).toEqual([])
    // A list whose items are null or missing was cut or edited: it proves nothing (issue 14).
    expect(() => kubernetesReader.read({apiVersion: 'v1', kind: 'List', items: null}, context('/x/kubernetes/pods.json'))).toThrow(
      '/x/kubernetes/pods.json at items: a List without items (null) does not show that there are none; expected items: [] for an empty list',
    )
    expect(() => kubernetesReader.read({apiVersion: 'v1', kind: 'List'}, context('/x/kubernetes/pods.json'))).toThrow(/a List without items \(missing\)/)
  })

  it('maps kubectl resource names in file names to input kinds', () => {
    expect(inputsFromFileName('/snap/kubernetes/networkpolicies.json')).toEqual(['k8s-networkpolicies'])
    expect(inputsFromFileName('netpol.yaml')).toEqual(['k8s-networkpolicies'])
    expect(inputsFromFileName('roles,rolebindings,clusterroles,clusterrolebindings.json')).toEqual(['k8s-rbac'])
    expect(inputsFromFileName('deployments,statefulsets,daemonsets.json')).toEqual(['k8s-workloads'])
    expect(inputsFromFileName('networkpolicies.networking.k8s.io.json')).toEqual(['k8s-networkpolicies'])
    expect(inputsFromFileName('status.json')).toEqual([])
  })

  it('keeps workloads, RBAC and generic kinds, and does not mistake a CRD for a built-in kind', async () => {
    const out = await readFixture('mixed.json')
    const all = objects(out)
    expect(all.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.name}`)).toEqual([
      'apps/v1 StatefulSet postgresql',
      'rbac.authorization.k8s.io/v1 ClusterRole livepatch-postgresql',
      'rbac.authorization.k8s.io/v1 ClusterRoleBinding livepatch-postgresql',
      'v1 ConfigMap kube-root-ca.crt',
      'serving.knative.dev/v1 Service hello',
    ])
    expect((all[1] as Record<string, unknown>).rules).toEqual([{apiGroups: ['*'], resources: ['*'], verbs: ['*']}])
    expect((all[3] as Record<string, unknown>).data).toBeDefined()
    // The Knative Service is not a core Service: no k8s-services input.
    expect(inputs(out)).toEqual(['k8s-rbac', 'k8s-workloads'])
  })

  it('reads a NetworkPolicy without podSelector, or with it null, as the API server does: the empty selector, every pod', () => {
    const policy = (spec: Record<string, unknown>) => ({apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: {name: 'np', namespace: 'shop'}, spec})
    for (const spec of [{policyTypes: ['Ingress']}, {podSelector: null, policyTypes: ['Ingress']}]) {
      const [read] = objects(kubernetesReader.read(policy(spec), context('/x/np.yaml')))
      expect(read?.spec).toEqual({podSelector: {}, policyTypes: ['Ingress']})
    }
    // A selector that is there is kept as it is.
    const [kept] = objects(kubernetesReader.read(policy({podSelector: {matchLabels: {app: 'web'}}}), context('/x/np.yaml')))
    expect(kept?.spec).toEqual({podSelector: {matchLabels: {app: 'web'}}})
  })

  it('rejects wrong types with an InputError naming the file and the path', async () => {
    const file = join(FIXTURES, 'bad-containers.json')
    const parsed = await readAndParse(file)
    const error = thrown(() => kubernetesReader.read(parsed.documents[0]!.data, context(file)))
    expect(error.file).toBe(file)
    expect(error.options.path).toEqual(['items', 1, 'spec', 'containers'])
    expect(error.message).toContain('items[1].spec.containers')
    expect(error.message).toContain('Kubernetes Pod')
    expect(error.message.split('\n')).toHaveLength(1)
  })

  it('names a missing metadata.name and a List item without kind', () => {
    const noName = thrown(() =>
      kubernetesReader.read({apiVersion: 'v1', kind: 'Namespace', metadata: {labels: {}}}, context('/tmp/ns.json')),
    )
    expect(noName.options.path).toEqual(['metadata', 'name'])
    expect(noName.message).toContain('metadata.name')

    const noKind = thrown(() =>
      kubernetesReader.read({apiVersion: 'v1', kind: 'List', items: [{metadata: {name: 'x'}}]}, context('/tmp/list.json')),
    )
    expect(noKind.options.path).toEqual(['items', 0, 'kind'])

    const notArray = thrown(() => kubernetesReader.read({apiVersion: 'v1', kind: 'PodList', items: {}}, context('/tmp/p.json')))
    expect(notArray.options.path).toEqual(['items'])
  })

  it('turns a Forbidden Status into a gap instead of objects', async () => {
    const out = await readFixture('forbidden.json')
    expect(objects(out)).toEqual([])
    expect(inputs(out)).toEqual([])
    const gap = out.find((c) => c.type === 'gap')
    expect(gap).toMatchObject({
      type: 'gap',
      gap: {target: {kind: 'networkpolicies', name: '*'}, message: expect.stringContaining('Forbidden')},
    })
  })

  it('recognises Kubernetes documents by content only', () => {
    const recognises = (data: unknown) => kubernetesReader.recognises(data, {file: 'x.json', document: 0})
    expect(recognises({apiVersion: 'v1', kind: 'Pod'})).toBe(true)
    expect(recognises({model: {name: 'x'}, applications: {}})).toBe(false)
    expect(recognises({applications: {}, relations: []})).toBe(false)
    expect(recognises([{apiVersion: 'v1', kind: 'Pod'}])).toBe(false)
    expect(recognises({apiVersion: 1, kind: 'Pod'})).toBe(false)
    expect(recognises(null)).toBe(false)
    expect(recognises({apiVersion: 'hardenctl.io/v1', kind: 'Policy'})).toBe(false)
  })

  it('reads a corpus-sized pod list (24k pods) in one pass', () => {
    const count = 24_000
    const items = Array.from({length: count}, (_, i) => ({
      metadata: {
        name: `app-${i % 400}-${i}`,
        namespace: `model-${i % 40}`,
        uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        labels: {'app.kubernetes.io/name': `app-${i % 400}`},
        annotations: {'juju.is/version': '3.6.1', 'unit.juju.is/id': `app-${i % 400}/${i}`},
      },
      spec: {
        serviceAccountName: `app-${i % 400}`,
        containers: [
          {name: 'charm', image: 'docker.io/jujusolutions/charm-base:ubuntu-22.04', securityContext: {runAsUser: 0, runAsGroup: 0}},
          {name: 'workload', image: 'ghcr.io/canonical/app:1.0', ports: [{containerPort: 8080, protocol: 'TCP'}]},
        ],
        volumes: [{name: 'charm-data', emptyDir: {}}],
      },
      status: {phase: 'Running', podIP: `10.1.${(i >> 8) & 255}.${i & 255}`, conditions: [{type: 'Ready', status: 'True'}]},
    }))
    const out = kubernetesReader.read({apiVersion: 'v1', kind: 'PodList', items}, context('/snap/kubernetes/pods.json'))
    const pods = objects(out)
    expect(pods).toHaveLength(count)
    expect(pods[count - 1]).toMatchObject({kind: 'Pod', apiVersion: 'v1', ref: {path: ['items', count - 1]}})
    expect(inputs(out)).toEqual(['k8s-pods'])
  })
})
