import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import fetch from 'node-fetch'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {IncompleteError} from '../../src/errors.js'
import {discoverKubernetes} from '../../src/sources/kubernetes-api/discover.js'
import {collectKubernetes, KUBERNETES_LISTS} from '../../src/sources/kubernetes-api/list.js'
import {clusterRole, namespace, pod, serviceAccount} from '../sources/kubernetes-api/fixtures.js'
import {type FakeKubernetesApi, startFakeKubernetesApi, writeKubeconfig} from './server.js'

type Json = Record<string, unknown>

let dir: string
let api: FakeKubernetesApi | undefined

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hardenctl-fake-k8s-'))
})

afterEach(async () => {
  await api?.close()
  api = undefined
})

afterAll(async () => {
  await rm(dir, {recursive: true, force: true})
})

function estate(pods: number): Json[] {
  return [
    {apiVersion: 'v1', kind: 'Namespace', ...namespace('shop')},
    {apiVersion: 'v1', kind: 'Namespace', ...namespace('billing')},
    ...Array.from({length: pods}, (_, i) => ({apiVersion: 'v1', kind: 'Pod', ...pod(i % 2 ? 'shop' : 'billing', `app-${i}`, i)})),
    {apiVersion: 'v1', kind: 'ServiceAccount', ...serviceAccount('shop', 'web')},
    {apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', ...clusterRole('view')},
  ]
}

function configFor(url: string, token?: string) {
  const discovery = discoverKubernetes({kubeconfig: writeKubeconfig(dir, [{context: 'fake', url, token}]), env: {}})
  if (!discovery.found) throw new Error(discovery.reason)
  return discovery
}

function withoutManagedFields(object: Json): Json {
  const {managedFields: _dropped, ...metadata} = object.metadata as Json
  return {...object, metadata}
}

describe('fake Kubernetes API over a real socket', () => {
  it('serves every kind with limit/continue pagination: ceil(n / 500) requests, objects unchanged', async () => {
    const objects = estate(1234)
    api = await startFakeKubernetesApi(objects, {token: 'fake-token'})
    const {config, description} = configFor(api.url, 'fake-token')

    const collection = await collectKubernetes(config, {description})

    const expected = Object.fromEntries(KUBERNETES_LISTS.map((s) => [s.plural, 1]))
    expected.pods = Math.ceil(1234 / 500)
    expect(api.requestsByPlural()).toEqual(expected)
    expect(collection.requests).toEqual(expected)
    expect(api.requests.every((r) => r.authorization === 'Bearer fake-token' && r.method === 'GET')).toBe(true)
    expect(api.requests.filter((r) => r.path === '/api/v1/pods').map((r) => r.query.limit)).toEqual(['500', '500', '500'])
    expect(api.requests.filter((r) => r.path === '/api/v1/pods')[0]?.query.continue).toBeUndefined()

    const collected = collection.documents.flatMap((d) => (d.data as {items: Json[]}).items)
    expect(collected).toEqual(objects.map(withoutManagedFields))
    expect(collection.warnings).toEqual([])
  })

  it('answers LISTs like the API server: typed list, items without kind, 404 Status for other paths', async () => {
    api = await startFakeKubernetesApi(estate(450))

    const all = (await (await fetch(`${api.url}/api/v1/pods`)).json()) as Json
    expect(all).toMatchObject({kind: 'PodList', apiVersion: 'v1', metadata: {resourceVersion: expect.any(String)}})
    expect((all.metadata as Json).continue).toBeUndefined()
    expect(all.items).toHaveLength(450)
    expect((all.items as Json[])[0]).not.toHaveProperty('kind')

    const page = (await (await fetch(`${api.url}/api/v1/pods?limit=100`)).json()) as Json
    expect(page.metadata).toMatchObject({continue: expect.any(String), remainingItemCount: 350})

    const missing = await fetch(`${api.url}/apis/batch/v1/jobs`)
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'the server could not find the requested resource',
      reason: 'NotFound',
      details: {},
      code: 404,
    })
  })

  it('forbids the plurals it is told to, with the real Status shape', async () => {
    api = await startFakeKubernetesApi(estate(3), {forbidden: ['clusterroles', 'pods']})
    const {config} = configFor(api.url)

    const collection = await collectKubernetes(config)

    expect(collection.warnings).toEqual(['could not inspect pods: forbidden', 'could not inspect clusterroles: forbidden'])
    expect(collection.documents.find((d) => d.path === 'kubernetes/clusterroles.json')?.data).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'clusterroles.rbac.authorization.k8s.io is forbidden: User "system:serviceaccount:x:y" cannot list resource "clusterroles" ' +
        'in API group "rbac.authorization.k8s.io" at the cluster scope',
      reason: 'Forbidden',
      details: {group: 'rbac.authorization.k8s.io', kind: 'clusterroles'},
      code: 403,
    })
    expect(collection.documents.find((d) => d.path === 'kubernetes/pods.json')?.data).toMatchObject({
      message: 'pods is forbidden: User "system:serviceaccount:x:y" cannot list resource "pods" in API group "" at the cluster scope',
      details: {kind: 'pods'},
    })
  })

  it('answers 401 to a wrong token', async () => {
    api = await startFakeKubernetesApi(estate(1), {token: 'right'})
    const {config, description} = configFor(api.url, 'wrong')

    const error = await collectKubernetes(config, {description}).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(IncompleteError)
    expect((error as Error).message).toBe(`Kubernetes API ${api.url}: unauthorized: the credentials of ${description} were rejected`)
    expect((error as Error).message).not.toContain('wrong')
  })

  it('serves 24k pods in 48 pages quickly', async () => {
    api = await startFakeKubernetesApi(estate(24_000))
    const {config} = configFor(api.url)

    const started = performance.now()
    const collection = await collectKubernetes(config)
    const elapsed = performance.now() - started

    expect(collection.requests.pods).toBe(48)
    expect((collection.documents.find((d) => d.path === 'kubernetes/pods.json')?.data as {items: unknown[]}).items).toHaveLength(24_000)
    expect(elapsed).toBeLessThan(15_000)
  })
})
