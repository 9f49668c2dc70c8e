/**
 * The cluster watch against the fake Kubernetes API over a real socket: each kind listed once,
 * then its events applied to the store a snapshot reads and reported as changes, a stream that
 * ends watched again from the last resourceVersion (bookmarks included), 410 Gone (as an ERROR
 * event or as the answer) listed again with only what changed reported, a refused kind a warning,
 * failures reported once without credentials (and a snapshot refused meanwhile), and a clean stop.
 */
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {type Change, type ClusterWatch, watchCluster, type WatchOptions} from '../../../src/sources/kubernetes-api/watch.js'
import {type FakeKubernetesApi, type FakeKubernetesOptions, startFakeKubernetesApi} from '../../fake-kubernetes/server.js'
import {configFor, FAST_RETRY, items, type Json, namespace, spec, tempDir} from './fixtures.js'

const TOKEN = 'watch-test-token-not-secret'

function service(ns: string, name: string, port = 80): Json {
  return {apiVersion: 'v1', kind: 'Service', metadata: {name, namespace: ns}, spec: {ports: [{port, protocol: 'TCP'}]}}
}

const ESTATE: Json[] = [
  {apiVersion: 'v1', kind: 'Namespace', ...namespace('shop')},
  {apiVersion: 'v1', kind: 'Namespace', ...namespace('billing')},
  service('shop', 'web'),
]

/** What the watcher reported, in order, and a way to wait for the next of it. */
class Recorder {
  readonly seen: string[] = []
  private waiters: {count: number; resolve: () => void}[] = []

  push(line: string): void {
    this.seen.push(line)
    for (const waiter of this.waiters.filter((w) => this.seen.length >= w.count)) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1)
      waiter.resolve()
    }
  }

  /** Settles once `count` lines have been seen in all. */
  until(count: number): Promise<string[]> {
    if (this.seen.length >= count) return Promise.resolve(this.seen)
    return new Promise((resolve) => this.waiters.push({count, resolve: () => resolve(this.seen)}))
  }
}

const describeChange = (c: Change) => `${c.type} ${c.kind} ${c.namespace ? `${c.namespace}/` : ''}${c.name}`

let dir: string
let removeDir: () => Promise<void>
let api: FakeKubernetesApi | undefined
let stop: (() => Promise<void>) | undefined

beforeAll(async () => {
  const temp = await tempDir()
  dir = temp.dir
  removeDir = temp.remove
})

afterEach(async () => {
  await stop?.()
  stop = undefined
  await api?.close()
  api = undefined
})

afterAll(async () => {
  await removeDir()
})

async function start(
  options: Partial<WatchOptions> = {},
  fake: FakeKubernetesOptions = {},
): Promise<{api: FakeKubernetesApi; watcher: ClusterWatch; events: Recorder; problems: string[]}> {
  const server = await startFakeKubernetesApi(ESTATE, {token: TOKEN, ...fake})
  api = server
  const events = new Recorder()
  const problems: string[] = []
  const controller = new AbortController()
  const watcher = watchCluster(configFor(dir, server.url, TOKEN), {
    signal: controller.signal,
    kinds: [spec('namespaces'), spec('services')],
    onChange: (change) => events.push(describeChange(change)),
    onProblem: (message) => problems.push(message),
    backoff: {baseMs: 1, maxMs: 5},
    retry: FAST_RETRY,
    ...options,
  })
  stop = async () => {
    controller.abort()
    await watcher.stopped
  }
  await watcher.ready
  return {api: server, watcher, events, problems}
}

/** Settles once `predicate` holds, checked every few milliseconds (a condition, not a deadline). */
async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((resolve) => setTimeout(resolve, 5))
}

const watchRequests = (server: FakeKubernetesApi, path: string) =>
  server.requests.filter((r) => r.path === path && r.query.watch !== undefined).map((r) => r.query)

/** `namespace/name` (or name) of each object of `plural` in a snapshot, in order. */
function names(watcher: ClusterWatch, plural: string): string[] {
  const document = watcher.snapshot().documents.find((d) => d.path === `kubernetes/${plural}.json`)
  return items(document).map((item) => {
    const metadata = item.metadata as {name: string; namespace?: string}
    return metadata.namespace ? `${metadata.namespace}/${metadata.name}` : metadata.name
  })
}

describe('watching the cluster', () => {
  it('lists each kind once, in pages, then keeps the store from added, changed and deleted events, reporting those of namespaces and services', async () => {
    const {api, watcher, events, problems} = await start({pageSize: 1})
    await Promise.all([api.watchStarted('namespaces'), api.watchStarted('services')])

    const lists = api.requests.filter((r) => r.query.watch === undefined)
    // Two namespaces at one object a page: two pages; the second continues the first.
    expect(lists.map((r) => `${r.path}?limit=${r.query.limit}${r.query.continue ? '&continue' : ''}`).sort()).toEqual([
      '/api/v1/namespaces?limit=1',
      '/api/v1/namespaces?limit=1&continue',
      '/api/v1/services?limit=1',
    ])
    const [watch] = watchRequests(api, '/api/v1/services')
    expect(watch).toEqual({watch: '1', resourceVersion: '4242', allowWatchBookmarks: 'true', timeoutSeconds: '300'})
    expect(api.requests.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true)
    // Watches count apart from lists; a snapshot's requests are those since the one before.
    expect(watcher.snapshot().requests).toEqual({namespaces: 2, services: 1, 'namespaces:watch': 1, 'services:watch': 1})
    expect(names(watcher, 'namespaces')).toEqual(['billing', 'shop'])
    expect(names(watcher, 'services')).toEqual(['shop/web'])

    api.mutate(service('shop', 'api'))
    await events.until(1)
    api.mutate(service('shop', 'api', 8080))
    await events.until(2)
    api.remove('Service', 'shop', 'web')
    await events.until(3)
    api.mutate({apiVersion: 'v1', kind: 'Namespace', metadata: {name: 'audit'}})
    await events.until(4)
    api.remove('Namespace', undefined, 'billing')

    expect(await events.until(5)).toEqual([
      'added Service shop/api',
      'changed Service shop/api',
      'deleted Service shop/web',
      'added Namespace audit',
      'deleted Namespace billing',
    ])
    expect(problems).toEqual([])
    // The snapshot is the cluster now, as a list would print it, with no request made for it.
    const before = api.requests.length
    const snapshot = watcher.snapshot()
    expect(api.requests.length).toBe(before)
    expect(snapshot.documents.map((d) => d.path)).toEqual(['kubernetes/namespaces.json', 'kubernetes/services.json'])
    expect(names(watcher, 'namespaces')).toEqual(['audit', 'shop'])
    const [api8080] = items(snapshot.documents[1])
    expect(api8080).toMatchObject({apiVersion: 'v1', kind: 'Service', metadata: {namespace: 'shop', name: 'api'}, spec: {ports: [{port: 8080}]}})
    expect(snapshot.requests).toEqual({})
  })

  it('watches again from the last resourceVersion seen when a stream ends, bookmarks included', async () => {
    const {api, events, problems} = await start()
    await api.watchStarted('services')
    api.mutate(service('shop', 'api'))
    await events.until(1)
    // Unwatched kinds move the resourceVersion on; a bookmark carries it to the watch.
    const later = api.mutate({apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: {name: 'x', namespace: 'shop'}, spec: {}})
    api.bookmark()
    await api.watchStarted('namespaces')
    api.endWatches()
    await Promise.all([api.watchStarted('services', 2), api.watchStarted('namespaces', 2)])

    expect(watchRequests(api, '/api/v1/services').map((q) => q.resourceVersion)).toEqual(['4242', later])
    api.mutate(service('shop', 'api', 8080))
    expect(await events.until(2)).toEqual(['added Service shop/api', 'changed Service shop/api'])
    expect(problems).toEqual([])
    // Nothing re-listed: the history was still there.
    expect(api.requestsByPlural().services).toBe(1)
  })

  it('lists again on an ERROR event with code 410 and reports only what the list shows changed', async () => {
    const {api, watcher, events, problems} = await start()
    await Promise.all([api.watchStarted('namespaces'), api.watchStarted('services')])
    api.endWatches('gone')
    // Made while no watch is open: only the new list can show it.
    api.mutate(service('shop', 'web', 8443))
    await Promise.all([api.watchStarted('services', 2), api.watchStarted('namespaces', 2)])

    expect(api.requestsByPlural()).toMatchObject({namespaces: 2, services: 2})
    expect(await events.until(1)).toEqual(['changed Service shop/web'])
    expect(items(watcher.snapshot().documents[1])).toMatchObject([{metadata: {name: 'web'}, spec: {ports: [{port: 8443}]}}])
    api.mutate(service('billing', 'ledger'))
    expect((await events.until(2))[1]).toBe('added Service billing/ledger')
    expect(problems).toEqual([])
  })

  it('lists again when the watch itself is answered 410 Gone (history compacted)', async () => {
    const {api, watcher, events, problems} = await start({kinds: [spec('services')]})
    await api.watchStarted('services')
    const seen = api.mutate(service('shop', 'api'))
    await events.until(1)
    const later = api.mutate({apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: {name: 'x', namespace: 'shop'}, spec: {}})
    api.compact()
    api.endWatches()
    api.remove('Service', 'shop', 'web')
    await api.watchStarted('services', 2)

    // The rewatch from the last event was refused; the one that streams is from a fresh list.
    expect(watchRequests(api, '/api/v1/services').map((q) => q.resourceVersion)).toEqual(['4242', seen, String(Number(later) + 1)])
    expect(api.requestsByPlural().services).toBe(2)
    expect(await events.until(2)).toEqual(['added Service shop/api', 'deleted Service shop/web'])
    expect(names(watcher, 'services')).toEqual(['shop/api'])
    expect(problems).toEqual([])
  })

  it('lists every kind again each resync, reporting nothing when nothing changed', async () => {
    const {api, events, problems} = await start({resyncMs: 50})
    await until(() => (api.requestsByPlural().services ?? 0) >= 3 && (api.requestsByPlural().namespaces ?? 0) >= 3)
    expect(events.seen).toEqual([])
    expect(problems).toEqual([])
  })

  it('keeps and reports only what is in the namespaces asked for', async () => {
    const {api, watcher, events} = await start({namespaces: ['billing']})
    await Promise.all([api.watchStarted('namespaces'), api.watchStarted('services')])
    expect(names(watcher, 'namespaces')).toEqual(['billing'])
    expect(names(watcher, 'services')).toEqual([])
    api.mutate(service('shop', 'api'))
    api.mutate({apiVersion: 'v1', kind: 'Namespace', metadata: {name: 'shop', labels: {team: 'a'}}})
    api.mutate(service('billing', 'ledger'))
    expect(await events.until(1)).toEqual(['added Service billing/ledger'])
    expect(names(watcher, 'services')).toEqual(['billing/ledger'])
  })

  it('a kind the credentials may not list is its Status and a warning, as in a one-shot run, and is not asked again before the resync', async () => {
    const {api, watcher, problems} = await start({}, {forbidden: ['services']})
    await api.watchStarted('namespaces')
    const snapshot = watcher.snapshot()
    expect(snapshot.warnings).toEqual(['could not inspect services: forbidden'])
    expect(snapshot.documents[1]).toMatchObject({path: 'kubernetes/services.json', data: {kind: 'Status', code: 403, reason: 'Forbidden'}})
    expect(problems).toEqual([])
    expect(api.requestsByPlural().services).toBe(1)
  })

  it('a Gateway API kind on a cluster without its CRDs is none, not watched, and listed again only at the resync', async () => {
    const {api, watcher, problems} = await start({kinds: [spec('namespaces'), spec('httproutes')], resyncMs: 1000}, {gatewayApi: false})
    await api.watchStarted('namespaces')
    const snapshot = watcher.snapshot()
    expect(snapshot.warnings).toEqual([])
    expect(snapshot.documents[1]).toMatchObject({path: 'kubernetes/httproutes.json', data: {kind: 'List', items: []}})
    expect(problems).toEqual([])
    const path = '/apis/gateway.networking.k8s.io/v1/httproutes'
    expect(watchRequests(api, path)).toEqual([])
    // Not asked again in a backoff loop (1-5 ms here): the next list comes with the resync (1 s).
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(api.requests.filter((r) => r.path === path)).toHaveLength(1)
    await until(() => api.requests.filter((r) => r.path === path).length >= 2)
    expect(watchRequests(api, path)).toEqual([])
  })

  it('reports a failing list once, without credentials, refuses a snapshot meanwhile, and keeps trying', async () => {
    // The server expects other credentials: every request is answered 401.
    const {api, watcher, problems} = await start({}, {token: 'another-token'})
    await until(() => (api.requestsByPlural().services ?? 0) >= 4)
    // Once per kind.
    const unauthorized = `Kubernetes API ${api.url}: unauthorized: the credentials of context test were rejected`
    expect(problems).toEqual([unauthorized, unauthorized])
    expect(problems.join('\n')).not.toContain(TOKEN)
    expect(() => watcher.snapshot()).toThrow(problems[0])
  })

  it('stops on abort: every watch closed, no request after', async () => {
    const {api, watcher} = await start()
    await Promise.all([api.watchStarted('namespaces'), api.watchStarted('services')])
    await stop?.()
    stop = undefined
    await watcher.stopped
    const before = api.requests.length
    api.mutate(service('shop', 'api'))
    api.endWatches()
    await new Promise((resolve) => setImmediate(resolve))
    expect(api.requests.length).toBe(before)
  })
})
