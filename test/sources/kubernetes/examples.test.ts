import {readdir} from 'node:fs/promises'
import {join, relative, sep} from 'node:path'
import {fileURLToPath} from 'node:url'

import {describe, expect, it} from 'vitest'

import type {Contribution} from '../../../src/inventory/contributions.js'
import type {KubeObject} from '../../../src/inventory/kubernetes.js'
import {charmReaders} from '../../../src/sources/charm/index.js'
import {kubernetesReaders} from '../../../src/sources/kubernetes/index.js'
import {readAndParse} from '../../../src/sources/parse-file.js'

const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url))

async function dataFiles(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(dir, {withFileTypes: true})) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...(await dataFiles(path)))
    else if (/\.(json|ya?ml)$/.test(entry.name)) out.push(path)
  }
  return out.sort()
}

async function readKubernetes(example: string): Promise<Contribution[]> {
  const out: Contribution[] = []
  for (const file of await dataFiles(join(EXAMPLES, example, 'kubernetes'))) {
    const parsed = await readAndParse(file)
    for (const {index, data} of parsed.documents) {
      const hint = {file, document: index}
      const readers = kubernetesReaders.filter((reader) => reader.recognises(data, hint))
      expect(readers, file).toHaveLength(1)
      expect(charmReaders.some((reader) => reader.recognises(data, hint)), file).toBe(false)
      out.push(...readers[0]!.read(data, {file, document: index, scope: {}}))
    }
  }
  return out
}

const objects = (out: Contribution[]): KubeObject[] => out.flatMap((c) => (c.type === 'kube-object' ? [c.object] : []))
const byKindAndName = (out: Contribution[], kind: string, name: string) =>
  objects(out).find((o) => o.kind === kind && o.metadata.name === name) as (KubeObject & Record<string, any>) | undefined

describe.each(['livepatch-k8s', 'landscape-machines'])('example %s', (example) => {
  it('has only files that parse; Juju outputs are not claimed by the Kubernetes or charm readers', async () => {
    const files = await dataFiles(join(EXAMPLES, example))
    expect(files.length).toBeGreaterThan(5)
    for (const file of files) {
      const parsed = await readAndParse(file)
      expect(parsed.documents.length, file).toBeGreaterThan(0)
      const layer = relative(join(EXAMPLES, example), file).split(sep)[0]
      if (layer !== 'juju') continue
      for (const {index, data} of parsed.documents) {
        const hint = {file, document: index}
        expect(kubernetesReaders.some((r) => r.recognises(data, hint)), file).toBe(false)
        expect(charmReaders.some((r) => r.recognises(data, hint)), file).toBe(false)
      }
    }
  })
})

describe('example livepatch-k8s: Kubernetes objects', () => {
  it('are all recognised and cover every input kind, including "no NetworkPolicies"', async () => {
    const out = await readKubernetes('livepatch-k8s')
    const inputs = new Set(out.flatMap((c) => (c.type === 'input' ? [c.input] : [])))
    expect([...inputs].sort()).toEqual([
      'k8s-gateway-api',
      'k8s-ingresses',
      'k8s-namespaces',
      'k8s-networkpolicies',
      'k8s-pods',
      'k8s-prometheus-monitors',
      'k8s-rbac',
      'k8s-serviceaccounts',
      'k8s-services',
      'k8s-webhooks',
      'k8s-workloads',
    ])
    expect(objects(out).filter((o) => o.kind === 'NetworkPolicy')).toEqual([])
  })

  it('look like what Juju creates for the livepatch model', async () => {
    const out = await readKubernetes('livepatch-k8s')
    const model = byKindAndName(out, 'Namespace', 'livepatch')!
    expect(model.metadata.labels).toMatchObject({'model.juju.is/name': 'livepatch'})
    expect(model.metadata.labels?.['model.juju.is/id']).toBeTruthy()
    const controller = byKindAndName(out, 'Namespace', 'controller-microk8s-prod')!
    expect(controller.metadata.annotations).toMatchObject({'controller.juju.is/is-controller': 'true'})
    expect(controller.metadata.labels?.['controller.juju.is/id']).toBeTruthy()

    for (const app of ['postgresql', 'livepatch', 'ingress']) {
      const sts = byKindAndName(out, 'StatefulSet', app)!
      expect(sts.spec.template.metadata.labels).toEqual({'app.kubernetes.io/name': app})
      expect(sts.spec.template.spec.containers[0].name).toBe('charm')
      expect(sts.spec.template.spec.containers[0].securityContext).toEqual({runAsGroup: 0, runAsUser: 0})
      expect(byKindAndName(out, 'Pod', `${app}-0`)).toBeDefined()
      expect(byKindAndName(out, 'Service', app)).toBeDefined()
      expect(byKindAndName(out, 'Service', `${app}-endpoints`)?.spec.clusterIP).toBe('None')
      expect(byKindAndName(out, 'ServiceAccount', app)).toBeDefined()
      expect(byKindAndName(out, 'RoleBinding', app)?.roleRef).toMatchObject({kind: 'Role', name: app})
      expect(byKindAndName(out, 'ClusterRoleBinding', `livepatch-${app}`)?.subjects).toEqual([
        {kind: 'ServiceAccount', name: app, namespace: 'livepatch'},
      ])
    }
    const wildcard = [{apiGroups: ['*'], resources: ['*'], verbs: ['*']}]
    expect(byKindAndName(out, 'ClusterRole', 'livepatch-postgresql')?.rules).toEqual(wildcard)
    expect(byKindAndName(out, 'ClusterRole', 'livepatch-ingress')?.rules).toEqual(wildcard)
    expect(byKindAndName(out, 'Role', 'livepatch')?.rules).not.toEqual(wildcard)
    expect(byKindAndName(out, 'ClusterRole', 'livepatch-livepatch')?.rules).toEqual([
      {apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list']},
    ])
    const workloadContainers = byKindAndName(out, 'StatefulSet', 'livepatch')!.spec.template.spec.containers.map((c: {name: string}) => c.name)
    expect(workloadContainers).toEqual(['charm', 'livepatch', 'livepatch-schema-upgrade'])

    expect(byKindAndName(out, 'Deployment', 'modeloperator')).toBeDefined()
    expect(byKindAndName(out, 'Service', 'modeloperator')?.spec.ports).toEqual([{name: 'api', port: 17071, protocol: 'TCP', targetPort: 17071}])
    const ingress = byKindAndName(out, 'Ingress', 'relation-4-livepatch-ingress')!
    expect(ingress.spec.tls).toBeUndefined()
    expect(ingress.spec.rules[0].http.paths[0].backend.service.name).toBe('relation-4-livepatch-service')
  })
})
