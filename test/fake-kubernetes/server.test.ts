import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import fetch from 'node-fetch'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {applyPlan, type ApplyOptions} from '../../src/apply/index.js'
import {IncompleteError} from '../../src/errors.js'
import type {NetworkPolicyObject} from '../../src/plan/types.js'
import {discoverKubernetes} from '../../src/sources/kubernetes-api/discover.js'
import {collectKubernetes, KUBERNETES_LISTS} from '../../src/sources/kubernetes-api/list.js'
import {clusterRole, namespace, pod, serviceAccount} from '../sources/kubernetes-api/fixtures.js'
import {action, denyAll, FAST_RETRY, plan, policy} from '../apply/fixtures.js'
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

async function configFor(url: string, token?: string) {
  const discovery = await discoverKubernetes({kubeconfig: writeKubeconfig(dir, [{context: 'fake', url, token}]), env: {}})
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
    const {config, description} = await configFor(api.url, 'fake-token')

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
    const {config} = await configFor(api.url)

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
    const {config, description} = await configFor(api.url, 'wrong')

    const error = await collectKubernetes(config, {description}).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(IncompleteError)
    expect((error as Error).message).toBe(`Kubernetes API ${api.url}: unauthorized: the credentials of ${description} were rejected`)
    expect((error as Error).message).not.toContain('wrong')
  })

  it('serves 24k pods in 48 pages quickly', async () => {
    api = await startFakeKubernetesApi(estate(24_000))
    const {config} = await configFor(api.url)

    const started = performance.now()
    const collection = await collectKubernetes(config)
    const elapsed = performance.now() - started

    expect(collection.requests.pods).toBe(48)
    expect((collection.documents.find((d) => d.path === 'kubernetes/pods.json')?.data as {items: unknown[]}).items).toHaveLength(24_000)
    expect(elapsed).toBeLessThan(15_000)
  })
})

const APPLY: ApplyOptions = {dryRun: false, forceConflicts: false, retry: FAST_RETRY}
const NP_PATH = '/apis/networking.k8s.io/v1/namespaces'

/** What a planner compares: the object without server-set metadata. */
function desired(object: Json): Json {
  const metadata = object.metadata as Json
  const kept: Json = {name: metadata.name, namespace: metadata.namespace}
  if (metadata.labels !== undefined) kept.labels = metadata.labels
  if (metadata.annotations !== undefined) kept.annotations = metadata.annotations
  return {apiVersion: object.apiVersion, kind: object.kind, metadata: kept, spec: object.spec}
}

/** The live copy the fake holds, as a plan carries it for an update's `current` or a delete. */
function liveCopy(api: FakeKubernetesApi, namespace: string, name: string): NetworkPolicyObject {
  const found = api.objects('NetworkPolicy').find((o) => {
    const metadata = o.metadata as Json
    return metadata.namespace === namespace && metadata.name === name
  })
  if (!found) throw new Error(`no ${namespace}/${name}`)
  return found as unknown as NetworkPolicyObject
}

/** A NetworkPolicy someone changed with `kubectl edit`: kubectl owns the spec. */
function editedByKubectl(namespace: string, name: string): Json {
  const object = policy(namespace, name, {resourceVersion: '300', uid: `seeded-${name}`})
  return {
    ...object,
    metadata: {
      ...object.metadata,
      creationTimestamp: '2025-01-01T00:00:00Z',
      generation: 3,
      managedFields: [
        {
          manager: 'hardenctl',
          operation: 'Apply',
          apiVersion: 'networking.k8s.io/v1',
          time: '2025-01-01T00:00:00Z',
          fieldsType: 'FieldsV1',
          fieldsV1: {'f:metadata': {'f:labels': {}}, 'f:spec': {}},
        },
        {
          manager: 'kubectl',
          operation: 'Update',
          apiVersion: 'networking.k8s.io/v1',
          time: '2025-02-01T00:00:00Z',
          fieldsType: 'FieldsV1',
          fieldsV1: {'f:spec': {'f:ingress': {}}},
        },
      ],
    },
    spec: {...object.spec, ingress: [{from: [{ipBlock: {cidr: '0.0.0.0/0'}}]}]},
  }
}

describe('fake Kubernetes API: writes with applyPlan over a real socket', () => {
  it('creates by server-side apply; the object then reads back as applied, and a second apply is a no-op', async () => {
    api = await startFakeKubernetesApi(estate(2))
    const {config} = await configFor(api.url)
    const web = policy('shop', 'allow-web')
    const deny = denyAll('shop')

    const first = await applyPlan(config, plan([action('create', 'allow', web), action('create', 'default-deny', deny)]), APPLY)

    expect(first.results.map((r) => r.status)).toEqual(['applied', 'applied'])
    expect(first.writes).toBe(2)
    expect(api.writes().map((r) => [r.method, r.path, r.query])).toEqual([
      ['PATCH', `${NP_PATH}/shop/networkpolicies/allow-web`, {fieldManager: 'hardenctl'}],
      ['PATCH', `${NP_PATH}/shop/networkpolicies/hardenctl-default-deny`, {fieldManager: 'hardenctl'}],
    ])
    expect(api.writes()[0]?.body).toEqual(web)
    const stored = api.objects('NetworkPolicy')
    expect(stored.map(desired)).toEqual([web, deny])
    expect(stored[0]?.metadata).toMatchObject({
      uid: expect.any(String),
      resourceVersion: expect.stringMatching(/^\d+$/),
      generation: 1,
      creationTimestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      managedFields: [{manager: 'hardenctl', operation: 'Apply', apiVersion: 'networking.k8s.io/v1', fieldsType: 'FieldsV1'}],
    })

    // The live source lists what was written (the list API itself is unchanged: one request).
    const listed = await collectKubernetes(config)
    expect(listed.requests.networkpolicies).toBe(1)
    const items = (listed.documents.find((d) => d.path === 'kubernetes/networkpolicies.json')?.data as {items: Json[]}).items
    expect(items.map(desired)).toEqual([web, deny])

    // GET of the one object answers the same object.
    const got = (await (await fetch(`${api.url}${NP_PATH}/shop/networkpolicies/allow-web`)).json()) as Json
    expect(got).toEqual(stored[0])

    // Applying the same again changes nothing, not even the resourceVersion; a plan that knows it is
    // unchanged sends nothing at all.
    const again = await applyPlan(config, plan([action('update', 'allow', liveCopy(api, 'shop', 'allow-web'))]), APPLY)
    expect(again.results[0]?.status).toBe('applied')
    expect(api.objects('NetworkPolicy')).toEqual(stored)
    const writes = api.writes().length
    const unchanged = await applyPlan(config, plan([action('unchanged', 'allow', liveCopy(api, 'shop', 'allow-web'))]), APPLY)
    expect(unchanged.writes).toBe(0)
    expect(api.writes()).toHaveLength(writes)

    // A changed spec bumps resourceVersion and generation.
    const wider = policy('shop', 'allow-web', {spec: {podSelector: {}, policyTypes: ['Ingress'], ingress: [{}]}})
    await applyPlan(config, plan([action('update', 'allow', wider, liveCopy(api, 'shop', 'allow-web'))]), APPLY)
    const updated = liveCopy(api, 'shop', 'allow-web')
    expect(desired(updated as unknown as Json)).toEqual(wider)
    expect(Number(updated.metadata.resourceVersion)).toBeGreaterThan(Number((stored[0]?.metadata as Json).resourceVersion))
    expect((updated.metadata as Json).generation).toBe(2)
    expect((updated.metadata as Json).uid).toBe((stored[0]?.metadata as Json).uid)
  })

  it('reports a conflict with a seeded object whose spec kubectl changed, and takes it over with forceConflicts', async () => {
    const seeded = editedByKubectl('shop', 'allow-web')
    api = await startFakeKubernetesApi([...estate(1), seeded])
    const {config} = await configFor(api.url)
    const current = liveCopy(api, 'shop', 'allow-web')
    expect(current).toEqual(seeded)
    const actions = [action('update', 'allow', policy('shop', 'allow-web'), current), action('create', 'default-deny', denyAll('shop'))]

    const refused = await applyPlan(config, plan(actions), APPLY)

    expect(refused.results.map((r) => [r.status, r.message])).toEqual([
      ['conflict', 'conflict with "kubectl" over .spec.ingress'],
      ['skipped', 'not applied: the allow phase in namespace shop did not complete (allow-web: conflict)'],
    ])
    expect(refused.writes).toBe(1)
    expect(api.objects('NetworkPolicy')).toEqual([seeded])

    const raw = await fetch(`${api.url}${NP_PATH}/shop/networkpolicies/allow-web?fieldManager=hardenctl`, {
      method: 'PATCH',
      headers: {'Content-Type': 'application/apply-patch+yaml'},
      body: JSON.stringify(policy('shop', 'allow-web')),
    })
    expect(raw.status).toBe(409)
    expect(await raw.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Apply failed with 1 conflict: conflict with "kubectl": .spec.ingress',
      reason: 'Conflict',
      details: {causes: [{reason: 'FieldManagerConflict', message: 'conflict with "kubectl"', field: '.spec.ingress'}]},
      code: 409,
    })

    const forced = await applyPlan(config, plan(actions), {...APPLY, forceConflicts: true})

    expect(forced.results.map((r) => r.status)).toEqual(['applied', 'applied'])
    expect(api.writes().at(-2)?.query).toEqual({fieldManager: 'hardenctl', force: 'true'})
    const taken = liveCopy(api, 'shop', 'allow-web')
    expect(taken.spec).toEqual(policy('shop', 'allow-web').spec)
    expect((taken.metadata as Json).managedFields).toEqual([expect.objectContaining({manager: 'hardenctl', operation: 'Apply'})])
    expect(Number(taken.metadata.resourceVersion)).toBeGreaterThan(300)
  })

  it('does not conflict when another manager owns the spec but the applied values are the same', async () => {
    const seeded = editedByKubectl('shop', 'allow-web')
    api = await startFakeKubernetesApi([seeded])
    const {config} = await configFor(api.url)
    const same = {...policy('shop', 'allow-web'), spec: (seeded as unknown as NetworkPolicyObject).spec}
    const annotated = {...same, metadata: {...same.metadata, annotations: {'hardenctl.io/reason': 'relation'}}}

    const result = await applyPlan(config, plan([action('update', 'allow', annotated)]), APPLY)

    expect(result.results[0]?.status).toBe('applied')
    expect(liveCopy(api, 'shop', 'allow-web').metadata.annotations).toEqual({'hardenctl.io/reason': 'relation'})
  })

  it('dry run: validates every write (dryRun=All) and persists nothing', async () => {
    const stale = policy('shop', 'stale', {resourceVersion: '41', uid: 'uid-stale'})
    api = await startFakeKubernetesApi([...estate(1), stale])
    const {config} = await configFor(api.url)
    const before = api.objects()
    const actions = [
      action('create', 'allow', policy('shop', 'allow-web')),
      action('create', 'default-deny', denyAll('shop')),
      action('delete', 'prune', liveCopy(api, 'shop', 'stale')),
    ]

    const result = await applyPlan(config, plan(actions), {...APPLY, dryRun: true})

    expect(result.results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied'])
    expect(api.writes().map((r) => r.query.dryRun)).toEqual(['All', 'All', 'All'])
    expect(api.objects()).toEqual(before)
  })

  it('deletes only with matching preconditions: a changed object is a conflict, a missing one is done', async () => {
    const stale = policy('shop', 'stale', {resourceVersion: '41', uid: 'uid-stale'})
    const other = policy('shop', 'other', {resourceVersion: '42', uid: 'uid-other'})
    api = await startFakeKubernetesApi([stale, other])
    const {config} = await configFor(api.url)
    const changed = {...other, metadata: {...other.metadata, resourceVersion: '40'}}
    const actions = [
      action('delete', 'prune', liveCopy(api, 'shop', 'stale')),
      action('delete', 'prune', changed),
      action('delete', 'prune', policy('shop', 'never-there', {resourceVersion: '1', uid: 'uid-x'})),
    ]

    const result = await applyPlan(config, plan(actions), APPLY)

    expect(result.results.map((r) => [r.status, r.message])).toEqual([
      ['applied', undefined],
      ['conflict', 'changed since planned; not deleted'],
      ['applied', 'already gone'],
    ])
    expect(api.writes()[0]?.body).toEqual({apiVersion: 'v1', kind: 'DeleteOptions', preconditions: {resourceVersion: '41', uid: 'uid-stale'}})
    expect(api.objects('NetworkPolicy')).toEqual([other])

    const wrongUid = await fetch(`${api.url}${NP_PATH}/shop/networkpolicies/other`, {
      method: 'DELETE',
      headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({apiVersion: 'v1', kind: 'DeleteOptions', preconditions: {uid: 'someone-else'}}),
    })
    expect(wrongUid.status).toBe(409)
    expect(await wrongUid.json()).toMatchObject({
      reason: 'Conflict',
      message: 'Precondition failed: UID in precondition: someone-else, UID in object meta: uid-other',
    })
  })

  it('fails writes in a namespace told to (failWrites): later phases there skipped, other namespaces done', async () => {
    const failWrites = [{namespace: 'shop', status: 500}, {namespace: 'billing', status: 503, times: 1}]
    api = await startFakeKubernetesApi(estate(1), {failWrites})
    const {config} = await configFor(api.url)
    const actions = [
      action('create', 'allow', policy('shop', 'allow-web')),
      action('create', 'default-deny', denyAll('shop')),
      action('create', 'allow', policy('billing', 'allow-api')),
      action('create', 'default-deny', denyAll('billing')),
    ]

    const result = await applyPlan(config, plan(actions), APPLY)

    expect(result.results.map((r) => [r.status, r.message])).toEqual([
      ['failed', 'HTTP 500 Internal Server Error: Internal error occurred: etcdserver: request timed out after 3 attempts'],
      ['skipped', 'not applied: the allow phase in namespace shop did not complete (allow-web: failed)'],
      ['applied', undefined],
      ['applied', undefined],
    ])
    // 3 attempts in shop; billing's first write failed once (503) and was retried.
    expect(result.writes).toBe(6)
    expect(api.writes()).toHaveLength(6)
    expect(api.objects('NetworkPolicy').map((o) => (o.metadata as Json).name)).toEqual(['allow-api', 'hardenctl-default-deny'])
  })

  it('answers single-object requests like the API server: 404, 415, 400, and writes need the token', async () => {
    api = await startFakeKubernetesApi(estate(1), {token: 'right'})
    const url = `${api.url}${NP_PATH}/shop/networkpolicies/allow-web`
    const auth = {Authorization: 'Bearer right'}
    const body = JSON.stringify(policy('shop', 'allow-web'))

    const missing = await fetch(url, {headers: auth})
    expect(missing.status).toBe(404)
    expect(await missing.json()).toMatchObject({
      reason: 'NotFound',
      message: 'networkpolicies.networking.k8s.io "allow-web" not found',
      details: {name: 'allow-web', group: 'networking.k8s.io', kind: 'networkpolicies'},
    })
    const apply = {...auth, 'Content-Type': 'application/apply-patch+yaml'}
    const merge = await fetch(`${url}?fieldManager=hardenctl`, {
      method: 'PATCH',
      headers: {...auth, 'Content-Type': 'application/merge-patch+json'},
      body,
    })
    expect(merge.status).toBe(415)
    const unnamed = await fetch(url, {method: 'PATCH', headers: apply, body})
    expect(unnamed.status).toBe(400)
    expect(await unnamed.json()).toMatchObject({message: expect.stringContaining('fieldManager: Required value')})
    const gone = await fetch(url, {method: 'DELETE', headers: auth})
    expect(gone.status).toBe(404)
    const anonymous = await fetch(`${url}?fieldManager=hardenctl`, {method: 'PATCH', headers: {'Content-Type': apply['Content-Type']}, body})
    expect(anonymous.status).toBe(401)

    const created = await fetch(`${url}?fieldManager=hardenctl`, {method: 'PATCH', headers: apply, body})
    expect(created.status).toBe(201)
    expect(await created.json()).toMatchObject({apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: {name: 'allow-web'}})
    expect(api.writes().map((r) => r.method)).toEqual(['PATCH', 'PATCH', 'DELETE', 'PATCH', 'PATCH'])
    expect(api.writes().at(-1)?.body).toEqual(JSON.parse(body))
    expect(api.objects('NetworkPolicy')).toHaveLength(1)
    expect(api.objects('Pod')).toHaveLength(1)
    // Single-object requests are not counted as list requests of the plural.
    expect(api.requestsByPlural().networkpolicies).toBeUndefined()
  })
})
