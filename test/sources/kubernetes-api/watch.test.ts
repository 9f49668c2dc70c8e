/**
 * The watch reader against the fake Kubernetes API over a real socket: events delivered as
 * changes, a stream that ends watched again from the last resourceVersion (bookmarks included),
 * 410 Gone (as an ERROR event or as the answer) listed again and reported as a resync, failures
 * reported once without credentials, and a clean stop.
 */
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {type Change, watchChanges, type Watcher, type WatchOptions} from '../../../src/sources/kubernetes-api/watch.js'
import {type FakeKubernetesApi, type FakeKubernetesOptions, startFakeKubernetesApi} from '../../fake-kubernetes/server.js'
import {configFor, FAST_RETRY, type Json, namespace, spec, tempDir} from './fixtures.js'

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
): Promise<{api: FakeKubernetesApi; watcher: Watcher; events: Recorder; problems: string[]}> {
  const server = await startFakeKubernetesApi(ESTATE, {token: TOKEN, ...fake})
  api = server
  const events = new Recorder()
  const problems: string[] = []
  const controller = new AbortController()
  const watcher = watchChanges(configFor(dir, server.url, TOKEN), {
    signal: controller.signal,
    onChange: (change) => events.push(describeChange(change)),
    onResync: (plural) => events.push(`resync ${plural}`),
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

const watchRequests = (server: FakeKubernetesApi, path: string) =>
  server.requests.filter((r) => r.path === path && r.query.watch !== undefined).map((r) => r.query)

describe('watching namespaces and services', () => {
  it('starts from a one-item list and reports added, changed and deleted objects of both kinds', async () => {
    const {api, events, problems} = await start()
    await Promise.all([api.watchStarted('namespaces'), api.watchStarted('services')])

    const lists = api.requests.filter((r) => r.query.watch === undefined)
    expect(lists.map((r) => `${r.path}?limit=${r.query.limit}`).sort()).toEqual(['/api/v1/namespaces?limit=1', '/api/v1/services?limit=1'])
    const [watch] = watchRequests(api, '/api/v1/services')
    expect(watch).toEqual({watch: '1', resourceVersion: '4242', allowWatchBookmarks: 'true', timeoutSeconds: '300'})
    expect(api.requests.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true)

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
    // Watches count apart from lists.
    expect(api.requestsByPlural()).toEqual({namespaces: 1, services: 1, 'namespaces:watch': 1, 'services:watch': 1})
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

  it('lists again on an ERROR event with code 410, says changes may have been missed, and goes on', async () => {
    const {api, events, problems} = await start()
    await Promise.all([api.watchStarted('namespaces'), api.watchStarted('services')])
    api.endWatches('gone')
    await Promise.all([api.watchStarted('services', 2), api.watchStarted('namespaces', 2)])

    expect(api.requestsByPlural()).toMatchObject({namespaces: 2, services: 2})
    expect([...(await events.until(2))].sort()).toEqual(['resync namespaces', 'resync services'])
    api.mutate(service('billing', 'ledger'))
    expect((await events.until(3))[2]).toBe('added Service billing/ledger')
    expect(problems).toEqual([])
  })

  it('lists again when the watch itself is answered 410 Gone (history compacted)', async () => {
    const {api, events, problems} = await start({kinds: [spec('services')]})
    await api.watchStarted('services')
    const seen = api.mutate(service('shop', 'api'))
    await events.until(1)
    const later = api.mutate({apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: {name: 'x', namespace: 'shop'}, spec: {}})
    api.compact()
    api.endWatches()
    await api.watchStarted('services', 2)

    // The rewatch from the last event was refused; the one that streams is from a fresh list.
    expect(watchRequests(api, '/api/v1/services').map((q) => q.resourceVersion)).toEqual(['4242', seen, later])
    expect(api.requestsByPlural().services).toBe(2)
    expect(await events.until(2)).toEqual(['added Service shop/api', 'resync services'])
    expect(problems).toEqual([])
  })

  it('reports only changes in the namespaces asked for', async () => {
    const {api, events} = await start({namespaces: ['billing']})
    await Promise.all([api.watchStarted('namespaces'), api.watchStarted('services')])
    api.mutate(service('shop', 'api'))
    api.mutate({apiVersion: 'v1', kind: 'Namespace', metadata: {name: 'shop', labels: {team: 'a'}}})
    api.mutate(service('billing', 'ledger'))
    expect(await events.until(1)).toEqual(['added Service billing/ledger'])
  })

  it('reports a refused watch once, without credentials, and keeps trying', async () => {
    const {api, problems} = await start({}, {forbidden: ['services']})
    // Retried with backoff: a few lists later, still one message.
    await new Promise<void>((resolve) => {
      const check = () => ((api.requestsByPlural().services ?? 0) >= 4 ? resolve() : setTimeout(check, 5))
      check()
    })
    expect(problems).toEqual([
      `Kubernetes API ${api.url}: cannot list services to watch them from: HTTP 403 Forbidden: ` +
        'services is forbidden: User "system:serviceaccount:x:y" cannot list resource "services" in API group "" at the cluster scope',
    ])
    expect(problems.join('\n')).not.toContain(TOKEN)
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
