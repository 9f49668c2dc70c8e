/**
 * The Kubernetes API client's bounds (issue 14), at the HTTP layer with nock: the response size
 * limit (Content-Length, counted, after gzip), Retry-After beyond what is waited, and the run's
 * deadline cutting attempts and waits short. The cases nock cannot express (a connection closed
 * mid-body, a server that holds the connection) are in test/bad-input/live with real sockets.
 */
import {gzipSync} from 'node:zlib'

import nock from 'nock'
import {describe, expect, it} from 'vitest'

import {IncompleteError} from '../../../src/errors.js'
import {Deadline} from '../../../src/sources/deadline.js'
import {collectKubernetes} from '../../../src/sources/kubernetes-api/list.js'
import {configFor, FAST_RETRY, listBody, namespace, replyEmpty, status, useNockedCluster} from './fixtures.js'

const SERVER = 'https://k8s.test:6443'
const cluster = useNockedCluster()

async function failure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(IncompleteError)
  return (error as IncompleteError).message
}

describe('collectKubernetes: response size', () => {
  it('refuses an answer whose Content-Length is over the limit without reading it, and does not ask again', async () => {
    let asked = 0
    nock(SERVER)
      .get('/api/v1/namespaces')
      .query({limit: '500'})
      .times(3)
      .reply(() => {
        asked++
        return [200, 'x'.repeat(2048), {'Content-Length': '2048'}]
      })

    const message = await failure(collectKubernetes(configFor(cluster.dir(), SERVER), {retry: FAST_RETRY, maxBodyBytes: 1024}))

    expect(message).toBe(`Kubernetes API ${SERVER}: cannot list namespaces: GET /api/v1/namespaces: the answer is 2 KiB, more than the 1 KiB limit (HARDENCTL_MAX_RESPONSE_MB)`)
    expect(asked).toBe(1)
  })

  it('counts the bytes after gzip: a small compressed answer that inflates past the limit is cut off', async () => {
    const bomb = gzipSync(Buffer.alloc(4 << 20, ' '))
    nock(SERVER).get('/api/v1/namespaces').query({limit: '500'}).reply(200, bomb, {'Content-Encoding': 'gzip', 'Content-Type': 'application/json'})

    const message = await failure(collectKubernetes(configFor(cluster.dir(), SERVER), {retry: FAST_RETRY, maxBodyBytes: 1 << 20}))

    expect(bomb.length).toBeLessThan(1 << 20)
    expect(message).toBe(`Kubernetes API ${SERVER}: cannot list namespaces: GET /api/v1/namespaces: the answer grew past the 1 MiB limit (HARDENCTL_MAX_RESPONSE_MB) and was cut off`)
  })

  it('reads a gzipped answer under the limit like a plain one', async () => {
    const scope = nock(SERVER)
      .get('/api/v1/namespaces')
      .query({limit: '500'})
      .reply(200, gzipSync(JSON.stringify(listBody('namespaces', [namespace('shop')]))), {'Content-Encoding': 'gzip', 'Content-Type': 'application/json'})
    replyEmpty(scope, ['namespaces'])

    const collection = await collectKubernetes(configFor(cluster.dir(), SERVER), {retry: FAST_RETRY})

    const document = collection.documents.find((d) => d.path === 'kubernetes/namespaces.json')
    expect((document?.data as {items: {metadata: {name: string}}[]}).items.map((item) => item.metadata.name)).toEqual(['shop'])
  })
})

describe('collectKubernetes: waits', () => {
  it('does not wait for a Retry-After of an hour: one request, and the reason says so', async () => {
    let asked = 0
    nock(SERVER)
      .get('/api/v1/namespaces')
      .query({limit: '500'})
      .times(5)
      .reply(() => {
        asked++
        return [429, status(429, 'TooManyRequests', 'Too many requests, please try again later.'), {'Retry-After': '3600'}]
      })

    const message = await failure(collectKubernetes(configFor(cluster.dir(), SERVER), {retry: {attempts: 5, baseDelayMs: 1, maxDelayMs: 10_000}}))

    expect(asked).toBe(1)
    expect(message).toMatch(/HTTP 429 Too Many Requests: .*; the server asked to be asked again in 3600 s \(Retry-After\), later than hardenctl waits \(60 s\)$/)
  })

  it('stops asking a server that timed out twice, whatever attempts are left', async () => {
    nock(SERVER).get('/api/v1/namespaces').query({limit: '500'}).times(5).delay(1_000).reply(200, listBody('namespaces', []))

    const message = await failure(collectKubernetes(configFor(cluster.dir(), SERVER), {retry: {attempts: 5, baseDelayMs: 1, maxDelayMs: 5}, timeoutMs: 30}))

    expect(message).toBe(`Kubernetes API ${SERVER}: cannot list namespaces: no answer within 30 ms after 2 attempts`)
  })

  it('cuts an attempt short at the deadline and says so, rather than the request timeout', async () => {
    // A deadline long enough that a loaded machine still starts the first attempt before it passes. The
    // attempt's timer may fire a millisecond before the wall clock reaches the deadline: it still reads as it.
    nock(SERVER).get('/api/v1/namespaces').query({limit: '500'}).delay(10_000).reply(200, listBody('namespaces', []))

    const message = await failure(collectKubernetes(configFor(cluster.dir(), SERVER), {retry: FAST_RETRY, deadline: new Deadline(1_000)}))

    expect(message).toBe(`Kubernetes API ${SERVER}: cannot list namespaces: no answer before the --timeout deadline (1s) (1 attempt)`)
  })

  it('does not start a backoff wait the deadline has no room for', async () => {
    let asked = 0
    nock(SERVER)
      .get('/api/v1/namespaces')
      .query({limit: '500'})
      .times(5)
      .reply(() => {
        asked++
        return [503, status(503, 'ServiceUnavailable', 'the server is currently unable to handle the request'), {'Retry-After': '5'}]
      })

    const message = await failure(collectKubernetes(configFor(cluster.dir(), SERVER), {retry: {attempts: 5, baseDelayMs: 1, maxDelayMs: 10_000}, deadline: new Deadline(1_000)}))

    expect(asked).toBe(1)
    expect(message).toBe(
      `Kubernetes API ${SERVER}: cannot list namespaces: HTTP 503 Service Unavailable: the server is currently unable to handle the request; no time left for another attempt before the --timeout deadline (1s) (1 attempt)`,
    )
  })
})
