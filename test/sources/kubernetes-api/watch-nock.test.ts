/**
 * The cluster watch at the HTTP layer, with nock answering exactly the requests a user's cluster
 * would be asked: paged LISTs (PodList-style bodies, `continue` tokens), then watch streams of
 * newline-delimited events (meta/v1 WatchEvent: `{"type":…,"object":…}`, the API reference's
 * "Efficient detection of changes"). Any request not set up here is unmatched: it is recorded and
 * fails the test, so "no further LIST" is checked by nock itself.
 */
import {PassThrough} from 'node:stream'

import nock from 'nock'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {type Change, type ClusterWatch, watchCluster} from '../../../src/sources/kubernetes-api/watch.js'
import {configFor, items, type Json, listBody, namespace, spec, useNockedCluster} from './fixtures.js'

const SERVER = 'https://k8s.example.test:6443'
const {dir} = useNockedCluster()

function service(ns: string, name: string, port: number, resourceVersion: string): Json {
  return {metadata: {name, namespace: ns, uid: `svc-${ns}-${name}`, resourceVersion}, spec: {ports: [{port, protocol: 'TCP'}]}}
}

/** An open watch response: events written as lines, never ended (the server holds a watch open). */
function stream(): PassThrough {
  return new PassThrough()
}

function event(type: string, object: Json): string {
  return `${JSON.stringify({type, object})}\n`
}

const watchQuery = (resourceVersion: string) => ({watch: '1', resourceVersion, allowWatchBookmarks: 'true', timeoutSeconds: '300'})

let unmatched: string[]
let controller: AbortController
let watcher: ClusterWatch | undefined
const onNoMatch = (request: {method?: string; path?: string}) => unmatched.push(`${request.method} ${request.path}`)

beforeEach(() => {
  unmatched = []
  controller = new AbortController()
  nock.emitter.on('no match', onNoMatch)
})

afterEach(async () => {
  controller.abort()
  await watcher?.stopped
  watcher = undefined
  nock.emitter.removeListener('no match', onNoMatch)
})

function start(changes: string[], problems: string[]): ClusterWatch {
  watcher = watchCluster(configFor(dir(), SERVER), {
    signal: controller.signal,
    kinds: [spec('namespaces'), spec('services')],
    pageSize: 2,
    backoff: {baseMs: 1, maxMs: 5},
    onChange: (change: Change) => changes.push(`${change.type} ${change.kind} ${change.namespace ?? ''}/${change.name}`),
    onProblem: (message) => problems.push(message),
  })
  return watcher
}

async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((resolve) => setTimeout(resolve, 5))
}

describe('the cluster watch over HTTP', () => {
  it('lists once (paged), then a Service change reaches the snapshot with no further LIST', async () => {
    const services = stream()
    const scope = nock(SERVER)
      .get('/api/v1/namespaces')
      .query({limit: '2'})
      .reply(200, {...listBody('namespaces', [namespace('shop'), namespace('billing')], 'page-2'), metadata: {resourceVersion: '500', continue: 'page-2'}})
      .get('/api/v1/namespaces')
      .query({limit: '2', continue: 'page-2'})
      .reply(200, {...listBody('namespaces', [namespace('web')]), metadata: {resourceVersion: '500'}})
      .get('/api/v1/services')
      .query({limit: '2'})
      .reply(200, {...listBody('services', [service('shop', 'web', 80, '480')]), metadata: {resourceVersion: '501'}})
      .get('/api/v1/namespaces')
      .query(watchQuery('500'))
      .reply(200, () => stream(), {'Content-Type': 'application/json'})
      .get('/api/v1/services')
      .query(watchQuery('501'))
      .reply(200, () => services, {'Content-Type': 'application/json'})
    const changes: string[] = []
    const problems: string[] = []
    const watcher = start(changes, problems)
    await watcher.ready
    await until(() => scope.isDone())
    expect(watcher.snapshot().requests).toEqual({namespaces: 2, services: 1, 'namespaces:watch': 1, 'services:watch': 1})

    services.write(event('MODIFIED', {apiVersion: 'v1', kind: 'Service', ...service('shop', 'web', 8080, '502')}))
    await until(() => changes.length > 0)
    const snapshot = watcher.snapshot()

    expect(changes).toEqual(['changed Service shop/web'])
    expect(snapshot.requests).toEqual({})
    expect(items(snapshot.documents[1])).toMatchObject([{apiVersion: 'v1', kind: 'Service', metadata: {name: 'web'}, spec: {ports: [{port: 8080}]}}])
    expect(items(snapshot.documents[0]).map((item) => (item.metadata as {name: string}).name)).toEqual(['billing', 'shop', 'web'])
    expect(unmatched).toEqual([])
    expect(problems).toEqual([])
  })

  it('answered 410 Gone, lists the kind again, watches from the new list, and reports what it shows changed', async () => {
    const services = stream()
    const scope = nock(SERVER)
      .get('/api/v1/namespaces')
      .query({limit: '2'})
      .reply(200, {...listBody('namespaces', [namespace('shop')]), metadata: {resourceVersion: '700'}})
      .get('/api/v1/services')
      .query({limit: '2'})
      .reply(200, {...listBody('services', [service('shop', 'web', 80, '690')]), metadata: {resourceVersion: '700'}})
      .get('/api/v1/namespaces')
      .query(watchQuery('700'))
      .reply(200, () => stream(), {'Content-Type': 'application/json'})
      .get('/api/v1/services')
      .query(watchQuery('700'))
      .reply(410, {kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'too old resource version: 700 (750)', reason: 'Expired', code: 410})
      .get('/api/v1/services')
      .query({limit: '2'})
      .reply(200, {...listBody('services', [service('shop', 'api', 443, '760')]), metadata: {resourceVersion: '770'}})
      .get('/api/v1/services')
      .query(watchQuery('770'))
      .reply(200, () => services, {'Content-Type': 'application/json'})
    const changes: string[] = []
    const problems: string[] = []
    const watcher = start(changes, problems)
    await until(() => scope.isDone() && changes.length >= 2)

    expect(changes.sort()).toEqual(['added Service shop/api', 'deleted Service shop/web'])
    expect(items(watcher.snapshot().documents[1]).map((item) => (item.metadata as {name: string}).name)).toEqual(['api'])
    expect(unmatched).toEqual([])
    expect(problems).toEqual([])
  })
})
