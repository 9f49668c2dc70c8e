import nock from 'nock'
import {describe, expect, it} from 'vitest'

import {IncompleteError} from '../../../src/errors.js'
import type {Contribution} from '../../../src/inventory/contributions.js'
import {collectKubernetes, KUBERNETES_LISTS, type ListProgress} from '../../../src/sources/kubernetes-api/list.js'
import {kubernetesReaders} from '../../../src/sources/kubernetes/index.js'
import {
  clusterRole,
  configFor,
  FAST_RETRY,
  forbidden,
  items,
  type Json,
  listBody,
  namespace,
  pod,
  replyEmpty,
  serviceAccount,
  spec,
  status,
  useNockedCluster,
} from './fixtures.js'

const SERVER = 'https://k8s.test:6443'
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2Vu.not-a-real-signature'
const EXPIRED = 'The provided continue parameter is too old to display a consistent list result.'

const cluster = useNockedCluster()

function documentFor(collection: {documents: {path: string; data: unknown}[]}, plural: string) {
  return collection.documents.find((d) => d.path === `kubernetes/${plural}.json`)
}

/** nock 14 only fails a request with an Error instance; a plain object leaves it hanging. */
function systemError(code: string, message: string): Error {
  return Object.assign(new Error(message), {code})
}

async function incomplete(promise: Promise<unknown>): Promise<IncompleteError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(IncompleteError)
  return error as IncompleteError
}

/** A pod as Juju's sidecar units carry it: the model's uuid annotated. */
function jujuUnit(item: Json): Json {
  const metadata = item.metadata as Json
  return {...item, metadata: {...metadata, annotations: {'model.juju.is/id': 'a9c4e2b1-6d3f-4e8a-b7c5-1f2e3d4c5b6a', 'unit.juju.is/id': 'traefik/0'}}}
}

describe('collectKubernetes: listing', () => {
  it('pages through 1200 pods with limit and continue: 3 requests, every item in order with kind and apiVersion', async () => {
    const pods = Array.from({length: 1200}, (_, i) => pod(i < 600 ? 'shop' : 'billing', `app-${i}`, i))
    // Real continue tokens are base64 and may end in `=`; they must be sent URL-encoded.
    const first = 'eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6OTE4MjczLCJzdGFydCI6InNob3AvYXBwLTQ5OVx1MDAwMCJ9'
    const second = 'eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6OTE4MjczLCJzdGFydCI6ImJpbGxpbmcvYXBwLTk5OSJ9=='
    const seen: string[] = []
    const recorded = (body: Json) => (uri: string) => {
      seen.push(uri)
      return body
    }
    const scope = nock(SERVER)
      .matchHeader('authorization', `Bearer ${TOKEN}`)
      .get('/api/v1/pods')
      .query({limit: '500'})
      .reply(200, recorded(listBody('pods', pods.slice(0, 500), first, 700)))
      .get('/api/v1/pods')
      .query({limit: '500', continue: first})
      .reply(200, recorded(listBody('pods', pods.slice(500, 1000), second, 200)))
      .get('/api/v1/pods')
      .query({limit: '500', continue: second})
      .reply(200, recorded(listBody('pods', pods.slice(1000))))
    replyEmpty(scope, ['pods'])

    const progress: ListProgress[] = []
    const collection = await collectKubernetes(configFor(cluster.dir(), SERVER, TOKEN), {onProgress: (event) => progress.push(event)})

    expect(scope.isDone()).toBe(true)
    expect(seen).toEqual([
      '/api/v1/pods?limit=500',
      `/api/v1/pods?limit=500&continue=${first}`,
      `/api/v1/pods?limit=500&continue=${encodeURIComponent(second)}`,
    ])
    expect(collection.requests.pods).toBe(3)
    for (const s of KUBERNETES_LISTS) if (s.plural !== 'pods') expect(collection.requests[s.plural]).toBe(1)
    expect(progress.filter((p) => p.kind === 'pods')).toEqual([
      {kind: 'pods', page: 1, items: 500},
      {kind: 'pods', page: 2, items: 1000},
      {kind: 'pods', page: 3, items: 1200},
    ])

    const document = documentFor(collection, 'pods')
    expect(document?.data).toMatchObject({apiVersion: 'v1', kind: 'List', metadata: {resourceVersion: ''}})
    const listed = items(document)
    expect(listed).toHaveLength(1200)
    expect(listed.map((p) => (p.metadata as Json).name)).toEqual(pods.map((p) => (p.metadata as Json).name))
    for (const item of listed) {
      expect(Object.keys(item).slice(0, 2)).toEqual(['apiVersion', 'kind'])
      expect(item).toMatchObject({apiVersion: 'v1', kind: 'Pod'})
      expect(item.metadata).not.toHaveProperty('managedFields')
    }
    expect(listed[0]).toMatchObject({
      metadata: {name: 'app-0', namespace: 'shop', uid: expect.any(String)},
      spec: {containers: [{name: 'app'}]},
    })
    expect(collection.warnings).toEqual([])
  })

  it('returns one `kind: List` document per kind at kubernetes/<plural>.json, apps and rbac kinds typed by their group', async () => {
    const scope = nock(SERVER)
      .get('/apis/rbac.authorization.k8s.io/v1/clusterroles')
      .query({limit: '500'})
      .reply(200, listBody('clusterroles', [clusterRole('view')]))
    replyEmpty(scope, ['clusterroles'])

    const collection = await collectKubernetes(configFor(cluster.dir(), SERVER))

    expect(collection.documents.map((d) => d.path)).toEqual(KUBERNETES_LISTS.map((s) => `kubernetes/${s.plural}.json`))
    expect(items(documentFor(collection, 'clusterroles'))[0]).toMatchObject({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: {name: 'view'},
    })
    expect(documentFor(collection, 'deployments')?.data).toEqual({
      apiVersion: 'v1',
      kind: 'List',
      metadata: {resourceVersion: ''},
      items: [],
    })
  })

  it('keeps a path prefix in the server URL (an API proxy such as Rancher)', async () => {
    const prefixed = nock('https://rancher.test')
    for (const s of KUBERNETES_LISTS) {
      prefixed.get(`/k8s/clusters/c-m-42${s.path}`).query({limit: '500'}).reply(200, listBody(s.plural, []))
    }

    await collectKubernetes(configFor(cluster.dir(), 'https://rancher.test/k8s/clusters/c-m-42/'))

    expect(prefixed.isDone()).toBe(true)
  })

  it('keeps only the given namespaces, their Namespace objects, cluster-scoped kinds whole, and ingress controllers\' pods', async () => {
    const scope = nock(SERVER)
      .get('/api/v1/namespaces')
      .query({limit: '500'})
      .reply(200, listBody('namespaces', [namespace('default'), namespace('kube-system'), namespace('shop')]))
      .get('/api/v1/pods')
      .query({limit: '500'})
      .reply(200, listBody('pods', [pod('kube-system', 'coredns-0', 0), pod('shop', 'web-0', 1), pod('shop', 'web-1', 2), pod('ingress-nginx', 'ingress-nginx-0', 3), jujuUnit(pod('cos', 'traefik-0', 4))]))
      .get('/api/v1/serviceaccounts')
      .query({limit: '500'})
      .reply(200, listBody('serviceaccounts', [serviceAccount('default', 'default'), serviceAccount('shop', 'web')]))
      .get('/apis/rbac.authorization.k8s.io/v1/clusterroles')
      .query({limit: '500'})
      .reply(200, listBody('clusterroles', [clusterRole('admin'), clusterRole('view')]))
    replyEmpty(scope, ['namespaces', 'pods', 'serviceaccounts', 'clusterroles'])

    const progress: ListProgress[] = []
    const collection = await collectKubernetes(configFor(cluster.dir(), SERVER), {
      namespaces: ['shop'],
      onProgress: (event) => progress.push(event),
    })

    const names = (plural: string) => items(documentFor(collection, plural)).map((i) => (i.metadata as Json).name)
    expect(names('namespaces')).toEqual(['shop'])
    // An ingress controller's pods are kept from every namespace: the plan admits Ingress backends from where it runs.
    // A Juju unit named like one (COS's traefik) is not one: audit -n must not judge another model's pods.
    expect(names('pods')).toEqual(['web-0', 'web-1', 'ingress-nginx-0'])
    expect(names('serviceaccounts')).toEqual(['web'])
    expect(names('clusterroles')).toEqual(['admin', 'view'])
    // Still one cluster-wide list per kind.
    expect(collection.requests.pods).toBe(1)
    expect(progress.find((p) => p.kind === 'pods')).toEqual({kind: 'pods', page: 1, items: 5})
  })

  it('uses the page size given: ceil(n / pageSize) requests, and 1 for an empty list', async () => {
    const pods = Array.from({length: 7}, (_, i) => pod('shop', `p-${i}`, i))
    const scope = nock(SERVER)
    for (let start = 0; start < 7; start += 3) {
      const query: Record<string, string> = {limit: '3'}
      if (start > 0) query.continue = `page-${start}`
      const next = start + 3 < 7 ? `page-${start + 3}` : undefined
      scope.get('/api/v1/pods').query(query).reply(200, listBody('pods', pods.slice(start, start + 3), next))
    }
    replyEmpty(scope, ['pods'], 3)

    const collection = await collectKubernetes(configFor(cluster.dir(), SERVER), {pageSize: 3})

    expect(collection.requests.pods).toBe(3)
    expect(collection.requests.networkpolicies).toBe(1)
    expect(items(documentFor(collection, 'pods'))).toHaveLength(7)
  })
})

describe('collectKubernetes: retries', () => {
  it('waits for Retry-After (capped at maxDelayMs) on 429, then succeeds', async () => {
    const asked: number[] = []
    const scope = nock(SERVER)
      .get('/api/v1/pods')
      .query({limit: '500'})
      .reply(() => {
        asked.push(performance.now())
        const body = status(429, 'TooManyRequests', 'Too many requests, please try again later.', {retryAfterSeconds: 1})
        return [429, body, {'Retry-After': '1'}]
      })
      .get('/api/v1/pods')
      .query({limit: '500'})
      .reply(() => {
        asked.push(performance.now())
        return [200, listBody('pods', [pod('shop', 'web-0')])]
      })
    replyEmpty(scope, ['pods'])

    const collection = await collectKubernetes(configFor(cluster.dir(), SERVER), {retry: {attempts: 3, baseDelayMs: 1, maxDelayMs: 80}})

    // Backoff alone would wait about 1 ms; Retry-After (1 s) capped at 80 ms is what it waited.
    const [first = 0, second = 0] = asked
    expect(second - first).toBeGreaterThanOrEqual(75)
    expect(second - first).toBeLessThan(1_000)
    expect(collection.requests.pods).toBe(2)
    expect(items(documentFor(collection, 'pods'))).toHaveLength(1)
    expect(scope.isDone()).toBe(true)
  })

  it('retries a 5xx and succeeds', async () => {
    const scope = nock(SERVER)
      .get('/apis/apps/v1/deployments')
      .query({limit: '500'})
      .reply(503, status(503, 'ServiceUnavailable', 'the server is currently unable to handle the request'))
      .get('/apis/apps/v1/deployments')
      .query({limit: '500'})
      .reply(200, listBody('deployments', []))
    replyEmpty(scope, ['deployments'])

    const collection = await collectKubernetes(configFor(cluster.dir(), SERVER), {retry: FAST_RETRY})

    expect(collection.requests.deployments).toBe(2)
    expect(scope.isDone()).toBe(true)
  })

  it('gives up after the attempts with an IncompleteError naming the server, the kind and the reason', async () => {
    nock(SERVER)
      .get('/api/v1/namespaces')
      .query({limit: '500'})
      .times(3)
      .reply(500, status(500, 'InternalError', 'etcdserver: request timed out'))

    const error = await incomplete(collectKubernetes(configFor(cluster.dir(), SERVER), {retry: FAST_RETRY}))

    expect(error.message).toBe(
      `Kubernetes API ${SERVER}: cannot list namespaces: HTTP 500 Internal Server Error: etcdserver: request timed out after 3 attempts`,
    )
    expect(error.exitCode).toBe(3)
  })

  it('retries connection resets and timeouts', async () => {
    const scope = nock(SERVER)
      .get('/api/v1/namespaces')
      .query({limit: '500'})
      .replyWithError(systemError('ECONNRESET', 'read ECONNRESET'))
      .get('/api/v1/namespaces')
      .query({limit: '500'})
      .delay(5_000)
      .reply(200, listBody('namespaces', []))
      .get('/api/v1/namespaces')
      .query({limit: '500'})
      .reply(200, listBody('namespaces', [namespace('default')]))
    replyEmpty(scope, ['namespaces'])

    // Long enough that a loaded CI machine answers the other lists in time; far below the delay.
    const collection = await collectKubernetes(configFor(cluster.dir(), SERVER), {retry: FAST_RETRY, timeoutMs: 500})

    expect(collection.requests.namespaces).toBe(3)
    expect(items(documentFor(collection, 'namespaces'))).toHaveLength(1)
  })

  it.each([
    ['ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:6443', 'connection refused'],
    ['ECONNRESET', 'socket hang up', 'connection closed (socket hang up)'],
    ['ETIMEDOUT', 'connect ETIMEDOUT 10.0.0.1:6443', 'connection timed out'],
    ['ENOTFOUND', 'getaddrinfo ENOTFOUND k8s.test', 'host not found (k8s.test)'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate', 'certificate verify failed: self-signed certificate'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate', 'certificate verify failed: unable to verify the first certificate'],
  ])('names a network failure (%s: %s) once the attempts are used up', async (code, message, reason) => {
    nock(SERVER).get('/api/v1/namespaces').query({limit: '500'}).times(3).replyWithError(systemError(code, message))

    const error = await incomplete(collectKubernetes(configFor(cluster.dir(), SERVER), {retry: FAST_RETRY}))

    expect(error.message).toBe(`Kubernetes API ${SERVER}: cannot list namespaces: ${reason} after 3 attempts`)
  })

  it('times out a request that never answers', async () => {
    nock(SERVER).get('/api/v1/namespaces').query({limit: '500'}).times(2).delay(1_000).reply(200, listBody('namespaces', []))

    const error = await incomplete(collectKubernetes(configFor(cluster.dir(), SERVER), {retry: {...FAST_RETRY, attempts: 2}, timeoutMs: 30}))

    expect(error.message).toBe(`Kubernetes API ${SERVER}: cannot list namespaces: no answer within 30 ms after 2 attempts`)
  })

  it('restarts a list from the first page when the continue token expired (410 Gone), counting every request', async () => {
    const pods = Array.from({length: 5}, (_, i) => pod('shop', `web-${i}`, i))
    const scope = nock(SERVER)
      .get('/api/v1/pods')
      .query({limit: '3'})
      .reply(200, listBody('pods', pods.slice(0, 3), 'stale'))
      .get('/api/v1/pods')
      .query({limit: '3', continue: 'stale'})
      .reply(
        410,
        status(410, 'Expired', EXPIRED, undefined, {continue: 'inconsistent'}),
      )
      .get('/api/v1/pods')
      .query({limit: '3'})
      .reply(200, listBody('pods', pods.slice(0, 3), 'fresh'))
      .get('/api/v1/pods')
      .query({limit: '3', continue: 'fresh'})
      .reply(200, listBody('pods', pods.slice(3)))
    replyEmpty(scope, ['pods'], 3)

    const collection = await collectKubernetes(configFor(cluster.dir(), SERVER), {pageSize: 3, retry: FAST_RETRY})

    expect(scope.isDone()).toBe(true)
    expect(collection.requests.pods).toBe(4)
    const names = items(documentFor(collection, 'pods')).map((p) => (p.metadata as Json).name)
    expect(names).toEqual(['web-0', 'web-1', 'web-2', 'web-3', 'web-4'])
  })

  it('gives up when the continue token keeps expiring', async () => {
    const scope = nock(SERVER)
      .get('/api/v1/namespaces')
      .query({limit: '500'})
      .reply(200, listBody('namespaces', []))
      .get('/api/v1/pods')
      .query({limit: '500'})
      .times(3)
      .reply(200, listBody('pods', [pod('shop', 'web-0')], 'stale'))
      .get('/api/v1/pods')
      .query({limit: '500', continue: 'stale'})
      .times(3)
      .reply(410, status(410, 'Expired', EXPIRED))

    const error = await incomplete(collectKubernetes(configFor(cluster.dir(), SERVER), {retry: FAST_RETRY}))

    expect(scope.isDone()).toBe(true)
    expect(error.message).toMatch(/^Kubernetes API https:\/\/k8s\.test:6443: cannot list pods: the list kept changing while paging \(HTTP 410 /)
    expect(error.message).toMatch(/restarted 2 times$/)
  })
})

describe('collectKubernetes: refusals', () => {
  it('turns 403 on the RBAC kinds into Status documents and warnings, and still collects the rest', async () => {
    const rbac = ['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings']
    const scope = nock(SERVER).get('/api/v1/pods').query({limit: '500'}).reply(200, listBody('pods', [pod('shop', 'web-0')]))
    for (const plural of rbac) scope.get(spec(plural).path).query({limit: '500'}).reply(403, forbidden(plural))
    replyEmpty(scope, ['pods', ...rbac])

    const collection = await collectKubernetes(configFor(cluster.dir(), SERVER), {retry: FAST_RETRY})

    expect(scope.isDone()).toBe(true)
    expect(collection.warnings).toEqual(rbac.map((plural) => `could not inspect ${plural}: forbidden`))
    expect(documentFor(collection, 'clusterroles')?.data).toEqual(forbidden('clusterroles'))
    for (const plural of rbac) {
      expect(documentFor(collection, plural)?.data).toMatchObject({
        apiVersion: 'v1',
        kind: 'Status',
        status: 'Failure',
        reason: 'Forbidden',
        code: 403,
        details: {kind: plural},
      })
      expect(collection.requests[plural]).toBe(1)
    }
    expect(items(documentFor(collection, 'pods'))).toHaveLength(1)
  })

  it('adds details.kind to a Status that lacks it, and treats 404 (group not served) like 403', async () => {
    const scope = nock(SERVER)
      .get('/apis/networking.k8s.io/v1/ingresses')
      .query({limit: '500'})
      .reply(404, status(404, 'NotFound', 'the server could not find the requested resource', {}))
      .get('/apis/networking.k8s.io/v1/networkpolicies')
      .query({limit: '500'})
      .reply(404, '404 page not found\n', {'Content-Type': 'text/plain; charset=utf-8'})
    replyEmpty(scope, ['ingresses', 'networkpolicies'])

    const collection = await collectKubernetes(configFor(cluster.dir(), SERVER))

    expect(documentFor(collection, 'ingresses')?.data).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'the server could not find the requested resource',
      reason: 'NotFound',
      details: {kind: 'ingresses'},
      code: 404,
    })
    expect(documentFor(collection, 'networkpolicies')?.data).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'NotFound',
      code: 404,
      details: {kind: 'networkpolicies'},
    })
    expect(collection.warnings).toEqual([
      'could not inspect ingresses: not found (the API server does not serve networking.k8s.io/v1)',
      'could not inspect networkpolicies: not found (the API server does not serve networking.k8s.io/v1)',
    ])
  })

  describe('the Gateway API, whose CRDs only some clusters have', () => {
    const GATEWAY_PLURALS = ['gatewayclasses', 'gateways', 'httproutes', 'grpcroutes']
    const notFound = () => status(404, 'NotFound', 'the server could not find the requested resource', {})

    it('a cluster without them: each list and the group answer 404, read as none (an empty list, no warning)', async () => {
      const scope = nock(SERVER)
      for (const plural of GATEWAY_PLURALS) {
        scope.get(spec(plural).path).query({limit: '500'}).reply(404, notFound()).get('/apis/gateway.networking.k8s.io').reply(404, notFound())
      }
      replyEmpty(scope, GATEWAY_PLURALS)

      const collection = await collectKubernetes(configFor(cluster.dir(), SERVER))

      expect(collection.warnings).toEqual([])
      for (const plural of GATEWAY_PLURALS) {
        expect(documentFor(collection, plural)?.data, plural).toEqual({apiVersion: 'v1', kind: 'List', metadata: {resourceVersion: ''}, items: []})
        expect(collection.requests[plural], plural).toBe(2)
      }
      expect(scope.isDone()).toBe(true)
    })

    it('an older install serving them as v1beta1 only: a gap naming the version served, not "none"', async () => {
      const group = {
        kind: 'APIGroup',
        apiVersion: 'v1',
        name: 'gateway.networking.k8s.io',
        versions: [{groupVersion: 'gateway.networking.k8s.io/v1beta1', version: 'v1beta1'}],
        preferredVersion: {groupVersion: 'gateway.networking.k8s.io/v1beta1', version: 'v1beta1'},
      }
      const resources = {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: 'gateway.networking.k8s.io/v1beta1',
        resources: [
          {name: 'gatewayclasses', singularName: 'gatewayclass', namespaced: false, kind: 'GatewayClass', verbs: ['get', 'list', 'watch']},
          {name: 'gateways', singularName: 'gateway', namespaced: true, kind: 'Gateway', verbs: ['get', 'list', 'watch']},
          {name: 'httproutes', singularName: 'httproute', namespaced: true, kind: 'HTTPRoute', verbs: ['get', 'list', 'watch']},
          {name: 'httproutes/status', singularName: '', namespaced: true, kind: 'HTTPRoute', verbs: ['get', 'patch', 'update']},
        ],
      }
      const scope = nock(SERVER)
      for (const plural of GATEWAY_PLURALS) {
        scope
          .get(spec(plural).path)
          .query({limit: '500'})
          .reply(404, notFound())
          .get('/apis/gateway.networking.k8s.io')
          .reply(200, group)
          .get('/apis/gateway.networking.k8s.io/v1beta1')
          .reply(200, resources)
      }
      replyEmpty(scope, GATEWAY_PLURALS)

      const collection = await collectKubernetes(configFor(cluster.dir(), SERVER))

      const why = (plural: string) => `could not inspect ${plural}: the API server serves them as gateway.networking.k8s.io/v1beta1, not gateway.networking.k8s.io/v1, which hardenctl reads: upgrade the CRDs`
      expect(collection.warnings).toEqual([why('gatewayclasses'), why('gateways'), why('httproutes')])
      expect(documentFor(collection, 'httproutes')?.data).toMatchObject({kind: 'Status', code: 404, details: {kind: 'httproutes'}})
      // GRPCRoute did not exist at v1beta1: none.
      expect(documentFor(collection, 'grpcroutes')?.data).toMatchObject({kind: 'List', items: []})
    })

    it('only the kinds of CRDs some clusters lack are optional (a 404 on any other kind stays a gap, above)', () => {
      expect(KUBERNETES_LISTS.filter((s) => s.optional).map((s) => s.plural)).toEqual([...GATEWAY_PLURALS, 'servicemonitors', 'podmonitors'])
    })
  })

  it('stops on 401 naming the credentials, never the token', async () => {
    nock(SERVER).get('/api/v1/namespaces').query({limit: '500'}).reply(401, status(401, 'Unauthorized', 'Unauthorized'))

    const config = configFor(cluster.dir(), SERVER, TOKEN)
    const error = await incomplete(collectKubernetes(config, {retry: FAST_RETRY, description: 'context prod in /k/config'}))

    expect(error.message).toBe(`Kubernetes API ${SERVER}: unauthorized: the credentials of context prod in /k/config were rejected`)
    expect(error.message).not.toContain(TOKEN)
  })

  it('does not retry other client errors', async () => {
    nock(SERVER)
      .get('/api/v1/namespaces')
      .query({limit: '500'})
      .reply(400, status(400, 'BadRequest', 'continue key is not valid'))

    const error = await incomplete(collectKubernetes(configFor(cluster.dir(), SERVER), {retry: FAST_RETRY}))

    expect(error.message).toBe(`Kubernetes API ${SERVER}: cannot list namespaces: HTTP 400 Bad Request: continue key is not valid`)
  })
})

describe('collected documents through the Kubernetes reader', () => {
  it('reads as kube objects, inputs and gaps, like the same files from kubectl', async () => {
    const scope = nock(SERVER)
      .get('/api/v1/namespaces')
      .query({limit: '500'})
      .reply(200, listBody('namespaces', [namespace('shop')]))
      .get('/api/v1/pods')
      .query({limit: '500'})
      .reply(200, listBody('pods', [pod('shop', 'web-0', 0), pod('shop', 'web-1', 1)]))
      .get(spec('clusterrolebindings').path)
      .query({limit: '500'})
      .reply(403, forbidden('clusterrolebindings'))
    replyEmpty(scope, ['namespaces', 'pods', 'clusterrolebindings'])

    const collection = await collectKubernetes(configFor(cluster.dir(), SERVER))

    const contributions: Contribution[] = []
    for (const document of collection.documents) {
      const hint = {file: document.path, document: 0}
      const reader = kubernetesReaders.find((r) => r.recognises(document.data, hint))
      expect(reader, document.path).toBeDefined()
      contributions.push(...(reader?.read(document.data, {...hint, scope: {}}) ?? []))
    }

    const objects = contributions.flatMap((c) => (c.type === 'kube-object' ? [c.object] : []))
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Namespace/shop', 'Pod/web-0', 'Pod/web-1'])
    expect(objects[1]?.ref).toEqual({file: 'kubernetes/pods.json', document: 0, path: ['items', 0]})
    const inputs = new Set(contributions.flatMap((c) => (c.type === 'input' ? [c.input] : [])))
    // Empty lists prove there are none: the file name says what was listed.
    expect(inputs).toEqual(
      new Set([
        'k8s-namespaces',
        'k8s-pods',
        'k8s-services',
        'k8s-serviceaccounts',
        'k8s-workloads',
        'k8s-ingresses',
        'k8s-networkpolicies',
        'k8s-rbac',
        'k8s-webhooks',
        'k8s-gateway-api',
        'k8s-prometheus-monitors',
      ]),
    )
    const gaps = contributions.flatMap((c) => (c.type === 'gap' ? [c.gap] : []))
    expect(gaps).toHaveLength(1)
    expect(gaps[0]).toMatchObject({
      target: {kind: 'clusterrolebindings', name: '*'},
      message: expect.stringMatching(/^Forbidden: clusterrolebindings\.rbac\.authorization\.k8s\.io is forbidden/),
    })
  })
})
