import nock from 'nock'
import {describe, expect, it} from 'vitest'

import {applyPlan, type ApplyOptions, type ApplyResult} from '../../src/apply/index.js'
import {IncompleteError} from '../../src/errors.js'
import {configFor, useNockedCluster} from '../sources/kubernetes-api/fixtures.js'
import {
  action,
  denyAll,
  FAST_RETRY,
  fakeWrites,
  fieldConflict,
  type Json,
  live,
  MANAGED,
  ok,
  plan,
  policy,
  type Recorded,
  status,
  systemError,
} from './fixtures.js'

const SERVER = 'https://k8s.test:6443'
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.YXBwbHktdG9rZW4.not-a-real-signature'
const NP = '/apis/networking.k8s.io/v1/namespaces'

const cluster = useNockedCluster()

const OPTIONS: ApplyOptions = {dryRun: false, forceConflicts: false, retry: FAST_RETRY}

function config() {
  return configFor(cluster.dir(), SERVER, TOKEN)
}

function statuses(result: ApplyResult): string[] {
  return result.results.map((r) => `${r.action.object.metadata.namespace}/${r.action.object.metadata.name}: ${r.status}`)
}

function sequence(recorded: Recorded[], namespace?: string): string[] {
  return recorded.filter((r) => namespace === undefined || r.object.startsWith(`${namespace}/`)).map((r) => `${r.method} ${r.object}`)
}

function expectNoToken(result: ApplyResult): void {
  for (const r of result.results) expect(r.message ?? '').not.toContain(TOKEN)
}

describe('applyPlan: server-side apply', () => {
  it('sends one PATCH per create/update: SSA path, fieldManager only, apply-patch+yaml, the object without resourceVersion/uid', async () => {
    const recorded = fakeWrites(SERVER)
    const created = policy('shop', 'allow-web')
    const desired = live(policy('shop', 'allow-db'), '812', 'uid-db')
    const current = live(policy('shop', 'allow-db', {spec: {podSelector: {}}}), '812', 'uid-db')

    const result = await applyPlan(config(), plan([action('create', 'allow', created), action('update', 'allow', desired, current)]), OPTIONS)

    expect(statuses(result)).toEqual(['shop/allow-web: applied', 'shop/allow-db: applied'])
    expect(result.writes).toBe(2)
    expect(result.failed).toBe(0)
    expect(recorded).toHaveLength(2)
    const [first, second] = recorded
    expect(first).toMatchObject({
      method: 'PATCH',
      path: `${NP}/shop/networkpolicies/allow-web`,
      query: {fieldManager: 'hardenctl'},
      contentType: 'application/apply-patch+yaml',
      authorization: `Bearer ${TOKEN}`,
    })
    expect(first?.body).toEqual(created)
    expect(second?.path).toBe(`${NP}/shop/networkpolicies/allow-db`)
    expect(second?.query).toEqual({fieldManager: 'hardenctl'})
    expect(second?.body).toEqual(policy('shop', 'allow-db'))
    expect((second?.body as {metadata: Json}).metadata).not.toHaveProperty('resourceVersion')
    expect((second?.body as {metadata: Json}).metadata).not.toHaveProperty('uid')
  })

  it('adds force=true with forceConflicts, and dryRun=All on every write (PATCH and DELETE) in a dry run', async () => {
    const recorded = fakeWrites(SERVER)
    const actions = [
      action('create', 'allow', policy('shop', 'allow-web')),
      action('create', 'default-deny', denyAll('shop')),
      action('delete', 'prune', live(policy('shop', 'old'))),
    ]

    const forced = await applyPlan(config(), plan(actions), {...OPTIONS, forceConflicts: true})
    const dry = await applyPlan(config(), plan(actions), {...OPTIONS, dryRun: true})

    expect(recorded.slice(0, 3).map((r) => r.query)).toEqual([
      {fieldManager: 'hardenctl', force: 'true'},
      {fieldManager: 'hardenctl', force: 'true'},
      {},
    ])
    expect(recorded.slice(3).map((r) => [r.method, r.query])).toEqual([
      ['PATCH', {fieldManager: 'hardenctl', dryRun: 'All'}],
      ['PATCH', {fieldManager: 'hardenctl', dryRun: 'All'}],
      ['DELETE', {dryRun: 'All'}],
    ])
    expect(forced.results.every((r) => r.status === 'applied' && r.message === undefined)).toBe(true)
    expect(dry.results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied'])
    expect(dry.results[0]?.message).toMatch(/dry run/)
    expect(dry.writes).toBe(3)
  })

  it('sends nothing for unchanged actions: a second reconcile issues zero writes', async () => {
    const recorded = fakeWrites(SERVER)
    const actions = [
      action('unchanged', 'allow', live(policy('shop', 'allow-web'))),
      action('unchanged', 'default-deny', live(denyAll('shop'))),
      action('unchanged', 'allow', live(policy('billing', 'allow-api'))),
    ]
    const progress: string[] = []

    const result = await applyPlan(config(), plan(actions), {...OPTIONS, onProgress: (m) => progress.push(m)})

    expect(recorded).toEqual([])
    expect(result).toMatchObject({writes: 0, failed: 0})
    expect(result.results.map((r) => r.status)).toEqual(['unchanged', 'unchanged', 'unchanged'])
    expect(progress).toEqual([])
  })

  it('keeps a path prefix in the server URL and encodes names', async () => {
    const recorded = fakeWrites('https://rancher.test')
    const kube = configFor(cluster.dir(), 'https://rancher.test/k8s/clusters/c-m-42/', TOKEN)

    await applyPlan(kube, plan([action('create', 'allow', policy('shop', 'allow-web'))]), OPTIONS)

    expect(recorded[0]?.path).toBe(`/k8s/clusters/c-m-42${NP}/shop/networkpolicies/allow-web`)
  })
})

describe('applyPlan: phases', () => {
  it('applies allows, then default-deny, then prunes in each namespace, whatever the plan order', async () => {
    const recorded = fakeWrites(SERVER)
    const actions = [
      action('delete', 'prune', live(policy('shop', 'stale'))),
      action('create', 'default-deny', denyAll('shop')),
      action('create', 'allow', policy('billing', 'allow-api')),
      action('update', 'allow', policy('shop', 'allow-web')),
      action('delete', 'prune', live(policy('billing', 'stale'))),
      action('create', 'allow', policy('shop', 'allow-db')),
      action('create', 'default-deny', denyAll('billing')),
    ]

    const result = await applyPlan(config(), plan(actions), OPTIONS)

    expect(sequence(recorded, 'shop')).toEqual([
      'PATCH shop/allow-web',
      'PATCH shop/allow-db',
      'PATCH shop/hardenctl-default-deny',
      'DELETE shop/stale',
    ])
    expect(sequence(recorded, 'billing')).toEqual(['PATCH billing/allow-api', 'PATCH billing/hardenctl-default-deny', 'DELETE billing/stale'])
    // Results stay in the plan's order.
    expect(result.results.map((r) => r.action)).toEqual(actions)
    expect(result.results.every((r) => r.status === 'applied')).toBe(true)
    expect(result.writes).toBe(7)
  })

  it('one namespace at a time with concurrency 1: namespaces in plan order, each wholly before the next', async () => {
    const recorded = fakeWrites(SERVER)
    const actions = [
      action('create', 'default-deny', denyAll('shop')),
      action('create', 'default-deny', denyAll('billing')),
      action('create', 'allow', policy('billing', 'allow-api')),
      action('create', 'allow', policy('shop', 'allow-web')),
    ]

    await applyPlan(config(), plan(actions), {...OPTIONS, concurrency: 1})

    expect(sequence(recorded)).toEqual([
      'PATCH shop/allow-web',
      'PATCH shop/hardenctl-default-deny',
      'PATCH billing/allow-api',
      'PATCH billing/hardenctl-default-deny',
    ])
  })

  it('skips the later phases of a namespace whose allow failed (5xx after retries) while another namespace completes', async () => {
    const recorded = fakeWrites(SERVER, (request) =>
      request.object.startsWith('shop/')
        ? [500, status(500, 'InternalError', 'Internal error occurred: etcdserver: request timed out')]
        : ok(request),
    )
    const actions = [
      action('create', 'allow', policy('shop', 'allow-web')),
      action('create', 'allow', policy('shop', 'allow-db')),
      action('create', 'default-deny', denyAll('shop')),
      action('delete', 'prune', live(policy('shop', 'stale'))),
      action('unchanged', 'prune', live(policy('shop', 'kept'))),
      action('create', 'allow', policy('billing', 'allow-api')),
      action('create', 'default-deny', denyAll('billing')),
      action('delete', 'prune', live(policy('billing', 'stale'))),
    ]

    const result = await applyPlan(config(), plan(actions), OPTIONS)

    expect(statuses(result)).toEqual([
      'shop/allow-web: failed',
      'shop/allow-db: failed',
      'shop/hardenctl-default-deny: skipped',
      'shop/stale: skipped',
      'shop/kept: unchanged',
      'billing/allow-api: applied',
      'billing/hardenctl-default-deny: applied',
      'billing/stale: applied',
    ])
    expect(result.results[0]?.message).toBe(
      'HTTP 500 Internal Server Error: Internal error occurred: etcdserver: request timed out after 3 attempts',
    )
    expect(result.results[2]?.message).toBe(
      'not applied: the allow phase in namespace shop did not complete (allow-web: failed, allow-db: failed)',
    )
    // Both allows were tried (3 attempts each); nothing after them in shop was sent.
    expect(sequence(recorded, 'shop')).toEqual([...Array(3).fill('PATCH shop/allow-web'), ...Array(3).fill('PATCH shop/allow-db')])
    expect(sequence(recorded, 'billing')).toHaveLength(3)
    expect(result.writes).toBe(9)
    expect(result.failed).toBe(2)
  })

  it('skips the prune phase when the default-deny failed', async () => {
    const invalid = status(422, 'Invalid', 'NetworkPolicy.networking.k8s.io "hardenctl-default-deny" is invalid')
    const recorded = fakeWrites(SERVER, (request) => (request.object === 'shop/hardenctl-default-deny' ? [422, invalid] : ok(request)))
    const actions = [
      action('create', 'allow', policy('shop', 'allow-web')),
      action('create', 'default-deny', denyAll('shop')),
      action('delete', 'prune', live(policy('shop', 'stale'))),
    ]

    const result = await applyPlan(config(), plan(actions), OPTIONS)

    expect(statuses(result)).toEqual(['shop/allow-web: applied', 'shop/hardenctl-default-deny: failed', 'shop/stale: skipped'])
    expect(result.results[1]?.message).toBe(
      'HTTP 422 Unprocessable Entity: NetworkPolicy.networking.k8s.io "hardenctl-default-deny" is invalid',
    )
    expect(sequence(recorded)).toEqual(['PATCH shop/allow-web', 'PATCH shop/hardenctl-default-deny'])
  })

  it('fails an action whose server stays unreachable after the retries, and skips the namespace after it', async () => {
    const scope = nock(SERVER)
      .patch(`${NP}/shop/networkpolicies/allow-web`)
      .query(true)
      .times(3)
      .replyWithError(systemError('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:6443'))
    const actions = [action('create', 'allow', policy('shop', 'allow-web')), action('create', 'default-deny', denyAll('shop'))]

    const result = await applyPlan(config(), plan(actions), OPTIONS)

    expect(scope.isDone()).toBe(true)
    expect(statuses(result)).toEqual(['shop/allow-web: failed', 'shop/hardenctl-default-deny: skipped'])
    expect(result.results[0]?.message).toBe('connection refused after 3 attempts')
    expect(result.writes).toBe(3)
  })
})

describe('applyPlan: conflicts and refusals', () => {
  it('reports a field conflict naming the other manager and fields, does not retry it, and skips the later phases', async () => {
    const recorded = fakeWrites(SERVER, (request) =>
      request.object === 'shop/allow-web' ? [409, fieldConflict('kubectl-client-side-apply', ['.spec.ingress'])] : ok(request),
    )
    const actions = [
      action('update', 'allow', policy('shop', 'allow-web')),
      action('create', 'default-deny', denyAll('shop')),
      action('create', 'allow', policy('billing', 'allow-api')),
    ]

    const result = await applyPlan(config(), plan(actions), OPTIONS)

    expect(statuses(result)).toEqual(['shop/allow-web: conflict', 'shop/hardenctl-default-deny: skipped', 'billing/allow-api: applied'])
    expect(result.results[0]?.message).toBe('conflict with "kubectl-client-side-apply" over .spec.ingress')
    expect(result.results[1]?.message).toBe('not applied: the allow phase in namespace shop did not complete (allow-web: conflict)')
    expect(sequence(recorded, 'shop')).toEqual(['PATCH shop/allow-web'])
    expect(result.failed).toBe(1)
  })

  it('names several managers and fields from the Status causes', async () => {
    fakeWrites(SERVER, () => [
      409,
      status(409, 'Conflict', 'Apply failed with 3 conflicts: ...', {
        causes: [
          {reason: 'FieldManagerConflict', message: 'conflict with "kubectl-edit" using networking.k8s.io/v1', field: '.spec.ingress'},
          {reason: 'FieldManagerConflict', message: 'conflict with "kubectl-edit" using networking.k8s.io/v1', field: '.spec.podSelector'},
          {reason: 'FieldManagerConflict', message: 'conflict with "argocd-controller"', field: '.metadata.labels.team'},
        ],
      }),
    ])

    const result = await applyPlan(config(), plan([action('update', 'allow', policy('shop', 'allow-web'))]), OPTIONS)

    expect(result.results[0]?.message).toBe(
      'conflict with "kubectl-edit" over .spec.ingress, .spec.podSelector; conflict with "argocd-controller" over .metadata.labels.team',
    )
  })

  it('deletes with the planned resourceVersion and uid as preconditions; 409 is a conflict, 404 is done', async () => {
    const recorded = fakeWrites(SERVER, (request) => {
      if (request.object === 'shop/changed') {
        return [
          409,
          status(
            409,
            'Conflict',
            'Operation cannot be fulfilled on networkpolicies.networking.k8s.io "changed": the ResourceVersion in the precondition ' +
              '(7001) does not match the ResourceVersion in record (7002). The object might have been modified',
          ),
        ]
      }
      if (request.object === 'shop/gone') return [404, status(404, 'NotFound', 'networkpolicies.networking.k8s.io "gone" not found')]
      return ok(request)
    })
    const actions = [
      action('delete', 'prune', live(policy('shop', 'stale'), '7001', 'b3c1e0f2-1111-4222-8333-444455556666')),
      action('delete', 'prune', live(policy('shop', 'changed'))),
      action('delete', 'prune', live(policy('shop', 'gone'))),
    ]

    const result = await applyPlan(config(), plan(actions), OPTIONS)

    expect(recorded[0]).toMatchObject({method: 'DELETE', path: `${NP}/shop/networkpolicies/stale`, query: {}, contentType: 'application/json'})
    expect(recorded[0]?.body).toEqual({
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      preconditions: {resourceVersion: '7001', uid: 'b3c1e0f2-1111-4222-8333-444455556666'},
    })
    expect(result.results.map((r) => [r.status, r.message])).toEqual([
      ['applied', undefined],
      ['conflict', 'changed since planned; not deleted'],
      ['applied', 'already gone'],
    ])
    expect(recorded).toHaveLength(3)
    expect(result.failed).toBe(1)
  })

  it('refuses, without any request, to apply or delete what hardenctl does not manage', async () => {
    const recorded = fakeWrites(SERVER)
    const foreign = {'app.kubernetes.io/managed-by': 'helm'}
    const actions = [
      action('create', 'allow', policy('shop', 'unlabelled', {labels: {}})),
      action('update', 'allow', policy('billing', 'allow-api'), live(policy('billing', 'allow-api', {labels: foreign}))),
      action('delete', 'prune', live(policy('ops', 'theirs', {labels: foreign}))),
      action('delete', 'prune', policy('audit', 'no-preconditions')),
      action('create', 'default-deny', denyAll('shop')),
    ]

    const result = await applyPlan(config(), plan(actions), OPTIONS)

    expect(recorded).toEqual([])
    expect(result.writes).toBe(0)
    expect(statuses(result)).toEqual([
      'shop/unlabelled: failed',
      'billing/allow-api: failed',
      'ops/theirs: failed',
      'audit/no-preconditions: failed',
      'shop/hardenctl-default-deny: skipped',
    ])
    expect(result.results.map((r) => r.message)).toEqual([
      'refusing to apply shop/unlabelled: it lacks label app.kubernetes.io/managed-by=hardenctl',
      'refusing to apply billing/allow-api: the live object lacks label app.kubernetes.io/managed-by=hardenctl',
      'refusing to delete ops/theirs: its planned copy lacks label app.kubernetes.io/managed-by=hardenctl',
      'refusing to delete audit/no-preconditions: the planned copy has no resourceVersion or uid to make the delete conditional on',
      'not applied: the allow phase in namespace shop did not complete (unlabelled: failed)',
    ])
    expect(result.failed).toBe(4)
  })

  it('fails 403 with the namespace and verb, and carries on elsewhere', async () => {
    fakeWrites(SERVER, (request) =>
      request.object.startsWith('shop/')
        ? [
            403,
            status(
              403,
              'Forbidden',
              'networkpolicies.networking.k8s.io "x" is forbidden: User "system:serviceaccount:ops:hardenctl" ' +
                'cannot patch resource "networkpolicies"',
            ),
          ]
        : ok(request),
    )
    const actions = [
      action('create', 'allow', policy('shop', 'allow-web')),
      action('delete', 'prune', live(policy('shop', 'stale'))),
      action('delete', 'allow', live(policy('billing', 'stale'))),
    ]

    const result = await applyPlan(config(), plan(actions), OPTIONS)

    expect(result.results.map((r) => [r.status, r.message])).toEqual([
      ['failed', 'forbidden: the service account may not patch networkpolicies in shop'],
      ['skipped', 'not applied: the allow phase in namespace shop did not complete (allow-web: failed)'],
      ['applied', undefined],
    ])
  })

  it('stops with an IncompleteError on 401, naming the credentials and never the token', async () => {
    const recorded = fakeWrites(SERVER, () => [401, status(401, 'Unauthorized', 'Unauthorized')])
    const actions = [action('create', 'allow', policy('shop', 'allow-web')), action('create', 'default-deny', denyAll('shop'))]

    const error = await applyPlan(config(), plan(actions), {...OPTIONS, description: 'context prod in /k/config'}).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(IncompleteError)
    expect((error as IncompleteError).exitCode).toBe(3)
    expect((error as Error).message).toBe(`Kubernetes API ${SERVER}: unauthorized: the credentials of context prod in /k/config were rejected`)
    expect((error as Error).message).not.toContain(TOKEN)
    expect(recorded).toHaveLength(1)
  })

  it('sends no new request once a 401 stopped the run, in any namespace', async () => {
    const unauthorized = status(401, 'Unauthorized', 'Unauthorized')
    const recorded = fakeWrites(SERVER, (request) => (request.object.startsWith('a/') ? [401, unauthorized] : ok(request)))
    const actions = ['a', 'b', 'c', 'd', 'e', 'f'].map((ns) => action('create', 'allow', policy(ns, 'allow-web')))

    await expect(applyPlan(config(), plan(actions), {...OPTIONS, concurrency: 1})).rejects.toBeInstanceOf(IncompleteError)

    expect(sequence(recorded)).toEqual(['PATCH a/allow-web'])
  })
})

describe('applyPlan: retries', () => {
  it('retries 429 honouring Retry-After (capped), then succeeds; every request counted', async () => {
    const asked: number[] = []
    const recorded = fakeWrites(SERVER, (request, count) => {
      asked.push(performance.now())
      if (count === 0) return [429, status(429, 'TooManyRequests', 'Too many requests, please try again later.'), {'Retry-After': '1'}]
      return ok(request)
    })
    const progress: string[] = []

    const result = await applyPlan(config(), plan([action('create', 'allow', policy('shop', 'allow-web'))]), {
      ...OPTIONS,
      retry: {attempts: 3, baseDelayMs: 1, maxDelayMs: 80},
      onProgress: (m) => progress.push(m),
    })

    expect(result.results[0]?.status).toBe('applied')
    expect(result.writes).toBe(2)
    expect(recorded).toHaveLength(2)
    const [first = 0, second = 0] = asked
    expect(second - first).toBeGreaterThanOrEqual(75)
    expect(second - first).toBeLessThan(1_000)
    expect(progress).toEqual([
      'PATCH shop/allow-web: HTTP 429 Too Many Requests: Too many requests, please try again later.; retrying (attempt 2 of 3)',
      'create shop/allow-web: applied',
    ])
  })

  it('retries a timed-out DELETE; the retry finding it gone counts as done', async () => {
    let calls = 0
    nock(SERVER)
      .delete(`${NP}/shop/networkpolicies/stale`)
      .delay(1_000)
      .reply(() => {
        calls++
        return [200, {}]
      })
      .delete(`${NP}/shop/networkpolicies/stale`)
      .reply(() => {
        calls++
        return [404, status(404, 'NotFound', 'networkpolicies.networking.k8s.io "stale" not found')]
      })

    const result = await applyPlan(config(), plan([action('delete', 'prune', live(policy('shop', 'stale')))]), {...OPTIONS, timeoutMs: 50})

    expect(result.results[0]).toMatchObject({status: 'applied', message: 'already gone'})
    expect(result.writes).toBe(2)
    expect(calls).toBeGreaterThanOrEqual(1)
  })

  it('gives up after two timeouts (a server silent twice is not going to answer), naming the timeout', async () => {
    nock(SERVER).patch(`${NP}/shop/networkpolicies/allow-web`).query(true).times(3).delay(1_000).reply(200, {})

    const result = await applyPlan(config(), plan([action('create', 'allow', policy('shop', 'allow-web'))]), {...OPTIONS, timeoutMs: 30})

    expect(result.results[0]).toMatchObject({status: 'failed', message: 'no answer within 30 ms after 2 attempts'})
    expect(result.writes).toBe(2)
    expectNoToken(result)
  })

  it('does not retry other client errors', async () => {
    const mismatch = status(400, 'BadRequest', 'the name of the object (a) does not match the name on the URL (b)')
    const recorded = fakeWrites(SERVER, () => [400, mismatch])

    const result = await applyPlan(config(), plan([action('create', 'allow', policy('shop', 'allow-web'))]), OPTIONS)

    expect(result.results[0]?.message).toBe('HTTP 400 Bad Request: the name of the object (a) does not match the name on the URL (b)')
    expect(recorded).toHaveLength(1)
  })
})

describe('applyPlan: labels', () => {
  it('applies the model label and annotations the planner set, unchanged', async () => {
    const recorded = fakeWrites(SERVER)
    const object = policy('shop', 'allow-web', {labels: {...MANAGED, team: 'payments'}})
    object.metadata.annotations = {'hardenctl.io/reason': 'relation web:db'}

    await applyPlan(config(), plan([action('create', 'allow', object)]), OPTIONS)

    expect((recorded[0]?.body as {metadata: Json}).metadata).toEqual({
      name: 'allow-web',
      namespace: 'shop',
      labels: {...MANAGED, team: 'payments'},
      annotations: {'hardenctl.io/reason': 'relation web:db'},
    })
  })
})
