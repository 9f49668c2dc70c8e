/**
 * The fake controller, driven by @canonical/jujulib itself over a real TLS WebSocket: if jujulib
 * can log in, pick facade versions and read every call an audit makes, so can the code under test.
 */
import {mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {type ConnectOptions, connect, connectAndLogin, type Connection} from '@canonical/jujulib'
import ApplicationOffers from '@canonical/jujulib/dist/api/facades/application-offers/index.js'
import Block from '@canonical/jujulib/dist/api/facades/block/index.js'
import Bundle from '@canonical/jujulib/dist/api/facades/bundle/index.js'
import Client from '@canonical/jujulib/dist/api/facades/client/index.js'
import Controller from '@canonical/jujulib/dist/api/facades/controller/index.js'
import ModelManager from '@canonical/jujulib/dist/api/facades/model-manager/index.js'
import UserManager from '@canonical/jujulib/dist/api/facades/user-manager/index.js'
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest'
import WebSocket from 'ws'
import {parse, parseAllDocuments} from 'yaml'

import {corpusEstate, type FakeEstate, type FakeModel} from './estate.js'
import {type FakeController, type FakeControllerOptions, startFakeController, writeJujuData} from './server.js'
import {generateTestPki} from './tls.js'

const FACADES = [ApplicationOffers, Block, Bundle, Client, Controller, ModelManager, UserManager]

/** The W3C WebSocket API jujulib expects, on top of `ws`, trusting only `ca`. */
function wsClassTrusting(ca: string) {
  return class W3CWebSocket {
    onopen: ((event: unknown) => void) | null = null
    onmessage: ((event: {data: string}) => void) | null = null
    onclose: ((event: {code: number; reason: string}) => void) | null = null
    onerror: ((event: {message: string}) => void) | null = null
    private readonly socket: WebSocket

    constructor(readonly url: string) {
      this.socket = new WebSocket(url, {ca})
      this.socket.on('open', () => this.onopen?.({}))
      this.socket.on('message', (data) => this.onmessage?.({data: String(data)}))
      this.socket.on('close', (code, reason) => this.onclose?.({code, reason: String(reason)}))
      this.socket.on('error', (error) => this.onerror?.({message: error.message}))
    }

    get readyState(): number {
      return this.socket.readyState
    }

    send(data: string): void {
      this.socket.send(data)
    }

    close(): void {
      this.socket.close()
    }
  }
}

function options(controller: FakeController, extra: Partial<ConnectOptions> = {}): ConnectOptions {
  return {
    facades: FACADES,
    wsclass: wsClassTrusting(controller.caCert) as unknown as ConnectOptions['wsclass'],
    closeCallback: () => {},
    ...extra,
  }
}

const modelUrl = (controller: FakeController, model: FakeModel) => `${controller.url}/model/${model.uuid}/api`
const controllerUrl = (controller: FakeController) => `${controller.url}/api`

async function login(url: string, controller: FakeController, username: string, password: string): Promise<{conn: Connection; logout: () => void}> {
  const {conn, logout} = await connectAndLogin(url, options(controller), {username, password})
  if (!conn) throw new Error('no connection')
  return {conn, logout}
}

/** Calls a facade method by name; jujulib's facade typings are per version. */
function call<T = Record<string, unknown>>(conn: Connection, facade: string, method: string, params: unknown = null): Promise<T> {
  const instance = conn.facades[facade] as unknown as Record<string, (p: unknown) => Promise<T>> | undefined
  const fn = instance?.[method]
  if (!fn) throw new Error(`facade ${facade} has no ${method}`)
  return fn.call(instance, params)
}

const facadeVersion = (conn: Connection, name: string) => (conn.facades[name] as unknown as {VERSION: number} | undefined)?.VERSION

/** Raw frames, to check what jujulib hides (error codes, framing). */
async function rawExchange(url: string, ca: string, requests: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
  const socket = new WebSocket(url, {ca})
  await new Promise((resolve, reject) => {
    socket.once('open', resolve)
    socket.once('error', reject)
  })
  const replies: Record<string, unknown>[] = []
  for (const [i, request] of requests.entries()) {
    const reply = new Promise<Record<string, unknown>>((resolve) => socket.once('message', (data) => resolve(JSON.parse(String(data)))))
    socket.send(JSON.stringify({'request-id': i + 1, ...request}))
    replies.push(await reply)
  }
  socket.close()
  return replies
}

const adminLogin = {type: 'Admin', version: 3, request: 'Login', params: {'auth-tag': 'user-admin', credentials: 'admin-secret-password', nonce: '', macaroons: []}}

function estateFor(version: FakeEstate['jujuVersion']): FakeEstate {
  return {...corpusEstate(), jujuVersion: version}
}

const model = (estate: FakeEstate, name: string): FakeModel => {
  const found = estate.models.find((m) => m.name === name)
  if (!found) throw new Error(`no model ${name}`)
  return found
}

/** Relations as the CLI dump implies them: a self-reference is a peer, any other relation is printed on both sides. */
function cliRelationCount(status: Record<string, unknown>): number {
  let peers = 0
  let sides = 0
  const sections = [status.applications, status['application-endpoints']] as (Record<string, {relations?: Record<string, unknown[]>}> | undefined)[]
  for (const section of sections) {
    for (const [name, app] of Object.entries(section ?? {})) {
      for (const entries of Object.values(app.relations ?? {})) {
        for (const entry of entries) {
          const other = typeof entry === 'string' ? entry : (entry as Record<string, string>)['related-application']
          if (other === name) peers++
          else sides++
        }
      }
    }
  }
  return peers + sides / 2
}

describe.each(['3.1', '3.6'] as const)('fake Juju %s controller', (version) => {
  let controller: FakeController
  let estate: FakeEstate
  const expected = {
    '3.1': {server: '3.1.8', client: 6, modelManager: 9, controller: 11, offers: 4, bundle: 6},
    '3.6': {server: '3.6.1', client: 8, modelManager: 10, controller: 12, offers: 5, bundle: 8},
  }[version]

  beforeAll(async () => {
    estate = estateFor(version)
    controller = await startFakeController(estate)
  })
  afterAll(() => controller.close())

  it('logs in on /api and jujulib picks the controller facades this Juju line serves', async () => {
    const {conn, logout} = await login(controllerUrl(controller), controller, 'admin', 'admin-secret-password')
    expect(conn.info.serverVersion).toBe(expected.server)
    expect(conn.info.controllerTag).toBe(`controller-${estate.controllerUuid}`)
    expect(conn.info.user).toMatchObject({identity: 'user-admin', 'controller-access': 'superuser', 'display-name': 'admin'})
    expect(facadeVersion(conn, 'modelManager')).toBe(expected.modelManager)
    expect(facadeVersion(conn, 'controller')).toBe(expected.controller)
    expect(facadeVersion(conn, 'applicationOffers')).toBe(expected.offers)
    expect(facadeVersion(conn, 'userManager')).toBe(3)
    // Client and Block are model facades: a controller login does not list them.
    expect(conn.facades.client).toBeUndefined()
    expect(conn.facades.block).toBeUndefined()
    logout()
  })

  it('logs in on a model endpoint with the model facades', async () => {
    const clite = model(estate, 'clite')
    const {conn, logout} = await login(modelUrl(controller, clite), controller, 'alice', 'alice-secret-password')
    expect(facadeVersion(conn, 'client')).toBe(expected.client)
    expect(facadeVersion(conn, 'bundle')).toBe(expected.bundle)
    expect(facadeVersion(conn, 'block')).toBe(2)
    expect(conn.facades.modelManager).toBeUndefined()
    expect(conn.info.user).toMatchObject({identity: 'user-alice', 'controller-access': 'login', 'model-access': 'write'})
    logout()
  })

  it('refuses bad logins the way Juju does', async () => {
    const api = controllerUrl(controller)
    // jujulib rewrites Juju's two login errors into hints.
    await expect(login(api, controller, 'admin', 'wrong')).rejects.toThrow('Have you been granted permission to a model on this controller?')
    await expect(login(api, controller, 'mallory', 'x')).rejects.toThrow('Have you been granted permission to a model on this controller?')
    await expect(login(api, controller, 'carol', 'carol-secret-password')).rejects.toThrow("Ensure that you've been given 'login' permission")
    await expect(login(api, controller, 'dave', 'dave-secret-password')).rejects.toThrow('user "dave" is disabled')
    const fooMachine = model(estate, 'foo-machine')
    await expect(login(modelUrl(controller, fooMachine), controller, 'bob', 'bob-secret-password')).rejects.toThrow("Ensure that you've been given 'login' permission")
    const unknown = '00000000-0000-4000-8000-000000000000'
    await expect(login(`${controller.url}/model/${unknown}/api`, controller, 'admin', 'admin-secret-password')).rejects.toThrow(`unknown model: "${unknown}"`)
  })

  it('puts Juju error codes on the wire', async () => {
    const [bad] = await rawExchange(controllerUrl(controller), controller.caCert, [{...adminLogin, params: {...adminLogin.params, credentials: 'nope'}}])
    expect(bad).toEqual({'request-id': 1, error: 'invalid entity name or password', 'error-code': 'unauthorized access'})

    const [early] = await rawExchange(controllerUrl(controller), controller.caCert, [{type: 'ModelManager', version: expected.modelManager, request: 'ListModelSummaries', params: {}}])
    expect(early).toMatchObject({error: 'permission denied', 'error-code': 'unauthorized access'})

    const replies = await rawExchange(controllerUrl(controller), controller.caCert, [
      adminLogin,
      {type: 'NoSuchFacade', version: 1, request: 'Anything', params: {}},
      {type: 'ModelManager', version: 99, request: 'ListModelSummaries', params: {}},
      {type: 'ModelManager', version: expected.modelManager, request: 'NoSuchMethod', params: {}},
      {type: 'Client', version: expected.client, request: 'FullStatus', params: {patterns: []}},
    ])
    expect(replies[0]).toMatchObject({'request-id': 1, response: {'server-version': expected.server}})
    expect(replies[0]?.response).not.toHaveProperty('model-tag')
    for (const reply of replies.slice(2, 4)) expect(reply['error-code']).toBe('not implemented')
    if (version === '3.6') {
      expect(replies[2]?.error).toBe('unknown version 99 for facade type "ModelManager"')
      expect(replies[3]?.error).toBe(`unknown method "NoSuchMethod" at version ${expected.modelManager} for facade type "ModelManager"`)
    } else {
      expect(replies[2]?.error).toBe('unknown version (99) of interface "ModelManager"')
    }
    // NoSuchFacade is not a controller facade, so the restriction answers first.
    expect(replies[1]).toMatchObject({error: 'facade "NoSuchFacade" not supported for controller API connection', 'error-code': 'not supported'})
    expect(replies[4]).toMatchObject({error: 'facade "Client" not supported for controller API connection', 'error-code': 'not supported'})

    const onModel = await rawExchange(modelUrl(controller, model(estate, 'clite')), controller.caCert, [
      adminLogin,
      {type: 'NoSuchFacade', version: 1, request: 'Anything', params: {}},
      {type: 'ModelManager', version: expected.modelManager, request: 'ListModelSummaries', params: {}},
    ])
    expect(onModel[0]?.response).toMatchObject({'model-tag': `model-${model(estate, 'clite').uuid}`})
    expect(onModel[1]).toMatchObject({
      error: version === '3.6' ? 'unknown version 1 for facade type "NoSuchFacade"' : 'unknown version (1) of interface "NoSuchFacade"',
      'error-code': 'not implemented',
    })
    expect(onModel[2]).toMatchObject({error: 'facade "ModelManager" not supported for model API connection', 'error-code': 'not supported'})
  })

  it.each(['clite', 'clite-cmr', 'foo-k8s-cmr', 'foo-machine'])('FullStatus of %s round-trips the status dump', async (name) => {
    const m = model(estate, name)
    const {conn, logout} = await login(modelUrl(controller, m), controller, 'admin', 'admin-secret-password')
    const status = await call<{applications: Record<string, {exposed: boolean; int?: number}>; relations: unknown[]; model: {name: string; type: string}}>(
      conn, 'client', 'fullStatus', {patterns: []},
    )
    const cliApps = m.status.applications as Record<string, {exposed?: boolean; scale?: number}>
    expect(Object.keys(status.applications).sort()).toEqual(Object.keys(cliApps).sort())
    expect(status.relations).toHaveLength(cliRelationCount(m.status))
    for (const [app, cli] of Object.entries(cliApps)) {
      expect(status.applications[app]?.exposed).toBe(cli.exposed === true)
      expect(status.applications[app]?.int).toBe(cli.scale)
    }
    expect(status.model).toMatchObject({name, type: m.type})
    logout()
  })

  describe('with an admin logged in on /api', () => {
    let conn: Connection
    let logout: () => void
    beforeAll(async () => ({conn, logout} = await login(controllerUrl(controller), controller, 'admin', 'admin-secret-password')))
    afterAll(() => logout())

    it('ListModelSummaries lists every model for all=true', async () => {
      const {results} = await call<{results: {result: Record<string, unknown>}[]}>(conn, 'modelManager', 'listModelSummaries', {'user-tag': 'user-admin', all: true})
      expect(results.map((r) => r.result.name)).toEqual(['clite', 'clite-cmr', 'foo-k8s-cmr', 'foo-machine'])
      expect(results[3]?.result).toMatchObject({
        uuid: model(estate, 'foo-machine').uuid,
        type: 'iaas',
        'owner-tag': 'user-admin',
        'cloud-tag': 'cloud-localhost',
        'provider-type': 'lxd',
        'user-access': 'admin',
        life: 'alive',
        'agent-version': '3.1.2',
        counts: [{entity: 'machines', count: 2}, {entity: 'units', count: 2}],
      })
    })

    it('ModelInfo describes users, with null for a user who never connected', async () => {
      const fooMachine = model(estate, 'foo-machine')
      const {results} = await call<{results: {result?: Record<string, unknown>; error?: unknown}[]}>(conn, 'modelManager', 'modelInfo', {
        entities: [{tag: `model-${fooMachine.uuid}`}, {tag: 'model-00000000-0000-4000-8000-000000000000'}],
      })
      expect(results[0]?.result).toMatchObject({
        name: 'foo-machine',
        'owner-tag': 'user-admin',
        'cloud-tag': 'cloud-localhost',
        'cloud-region': 'localhost',
        'cloud-credential-tag': 'cloudcred-localhost_admin_localhost',
        'controller-uuid': estate.controllerUuid,
        'is-controller': false,
        life: 'alive',
        type: 'iaas',
        sla: {level: 'unsupported', owner: 'admin'},
      })
      const users = results[0]?.result?.users as Record<string, unknown>[]
      expect(users.map((u) => [u.user, u.access])).toEqual([['admin', 'admin'], ['alice', 'read'], ['dave', 'write']])
      expect(users[1]).toMatchObject({'display-name': 'Alice Liddell', 'last-connection': null})
      expect((results[0]?.result?.machines as unknown[]).length).toBe(2)
      expect(results[1]?.error).toEqual({message: 'model "00000000-0000-4000-8000-000000000000" not found', code: 'not found'})
    })

    it('UserInfo lists every user, disabled ones included on request', async () => {
      const {results} = await call<{results: {result: Record<string, unknown>}[]}>(conn, 'userManager', 'userInfo', {entities: [], 'include-disabled': true})
      expect(results.map((r) => [r.result.username, r.result.access, r.result.disabled])).toEqual([
        ['admin', 'superuser', false],
        ['alice', 'login', false],
        ['bob', 'login', false],
        ['carol', '', false],
        ['dave', 'login', true],
      ])
      expect(results[2]?.result['last-connection']).toBe('2024-11-13T12:00:00Z')
      expect(results[3]?.result).not.toHaveProperty('last-connection')
      const enabled = await call<{results: unknown[]}>(conn, 'userManager', 'userInfo', {entities: [], 'include-disabled': false})
      expect(enabled.results).toHaveLength(4)
    })

    it('ControllerConfig returns the config with the CA', async () => {
      const {config} = await call<{config: Record<string, unknown>}>(conn, 'controller', 'controllerConfig', null)
      expect(config).toMatchObject({'controller-uuid': estate.controllerUuid, 'api-port': 17070, 'ca-cert': controller.caCert})
    })

    it('ListApplicationOffers details the offer and who consumes it', async () => {
      const cliteCmr = model(estate, 'clite-cmr')
      const {results} = await call<{results: Record<string, unknown>[]}>(conn, 'applicationOffers', 'listApplicationOffers', {
        Filters: [{'model-name': 'clite-cmr', 'owner-name': 'admin'}],
      })
      expect(results).toHaveLength(1)
      expect(results[0]).toMatchObject({
        'offer-url': 'admin/clite-cmr.alertmanager',
        'offer-name': 'alertmanager',
        'application-name': 'alertmanager',
        'charm-url': 'ch:amd64/focal/alertmanager-k8s-69',
        'source-model-tag': `model-${cliteCmr.uuid}`,
        endpoints: [{name: 'ingress', role: 'requirer', interface: 'ingress', limit: 0}],
        connections: [{'source-model-tag': `model-${model(estate, 'foo-k8s-cmr').uuid}`, endpoint: 'ingress', username: 'admin', 'ingress-subnets': []}],
      })
      expect((results[0]?.users as Record<string, string>[]).map((u) => `${u.user}:${u.access}`)).toEqual(['admin:admin', 'everyone@external:read', 'bob:consume'])
      await expect(call(conn, 'applicationOffers', 'listApplicationOffers', {Filters: []})).rejects.toThrow('at least one offer filter is required')
    })
  })

  describe('as a non-superuser', () => {
    let conn: Connection
    let logout: () => void
    beforeAll(async () => ({conn, logout} = await login(controllerUrl(controller), controller, 'bob', 'bob-secret-password')))
    afterAll(() => logout())

    it('sees only its own models, user and model entry', async () => {
      const summaries = await call<{results: {result: Record<string, unknown>}[]}>(conn, 'modelManager', 'listModelSummaries', {'user-tag': 'user-bob', all: true})
      expect(summaries.results.map((r) => [r.result.name, r.result['user-access']])).toEqual([['clite', 'read'], ['foo-k8s-cmr', 'write']])
      const users = await call<{results: {result: Record<string, unknown>}[]}>(conn, 'userManager', 'userInfo', {entities: [], 'include-disabled': true})
      expect(users.results.map((r) => r.result.username)).toEqual(['bob'])
      const info = await call<{results: {result: {users: unknown[]; machines: unknown[]}}[]}>(conn, 'modelManager', 'modelInfo', {
        entities: [{tag: `model-${model(estate, 'clite').uuid}`}],
      })
      expect(info.results[0]?.result.users).toEqual([expect.objectContaining({user: 'bob', access: 'read'})])
      await expect(call(conn, 'controller', 'controllerConfig', null)).rejects.toThrow('permission denied')
    })
  })

  it('ExportBundle writes trust, offers and per-endpoint exposure as export-bundle does', async () => {
    const bundleOf = async (name: string) => {
      const {conn, logout} = await login(modelUrl(controller, model(estate, name)), controller, 'admin', 'admin-secret-password')
      const {result} = await call<{result: string}>(conn, 'bundle', 'exportBundle', {'include-charm-defaults': false})
      logout()
      return parseAllDocuments(result).map((doc) => doc.toJS() as Record<string, Record<string, Record<string, unknown>>>)
    }
    const [clite] = await bundleOf('clite')
    expect(clite?.bundle).toBe('kubernetes')
    expect(clite?.applications?.traefik).toMatchObject({charm: 'traefik-k8s', channel: 'edge', revision: 125, scale: 1, trust: true})
    expect(clite?.relations).toContainEqual(['grafana:ingress', 'traefik:traefik-route'])

    const [, offers] = await bundleOf('clite-cmr')
    expect(offers?.applications?.alertmanager).toEqual({offers: {alertmanager: {endpoints: ['ingress'], acl: {admin: 'admin', bob: 'consume'}}}})

    const [machine, overlay] = await bundleOf('foo-machine')
    expect(machine?.['default-base']).toBe('ubuntu@22.04/stable')
    expect(machine?.applications?.kafka).toMatchObject({charm: 'kafka', channel: '3/edge', revision: 116, num_units: 1, to: ['0']})
    expect(machine?.applications?.kafka).not.toHaveProperty('expose')
    expect(overlay?.applications?.kafka).toEqual({'exposed-endpoints': {'kafka-client': {'expose-to-cidrs': ['0.0.0.0/0']}}})

    const [cmr] = await bundleOf('foo-k8s-cmr')
    expect(cmr?.saas).toEqual({alertmanager: {url: 'prod:admin/clite-cmr.alertmanager'}})
  })

  it('Block.List reports the model blocks', async () => {
    const blocks = async (name: string) => {
      const m = model(estate, name)
      const {conn, logout} = await login(modelUrl(controller, m), controller, 'admin', 'admin-secret-password')
      const {results} = await call<{results: {result: Record<string, unknown>}[]}>(conn, 'block', 'list', {})
      logout()
      return results.map((r) => r.result)
    }
    expect(await blocks('foo-machine')).toEqual([
      {id: expect.any(String), tag: `model-${model(estate, 'foo-machine').uuid}`, type: 'BlockDestroy', message: 'kafka holds production data'},
    ])
    expect(await blocks('clite')).toEqual([])
  })

  it('records every call with its endpoint', () => {
    const fullStatus = controller.calls.filter((c) => c.request === 'FullStatus' && c.type === 'Client')
    expect(fullStatus.map((c) => c.endpoint)).toEqual(expect.arrayContaining(estate.models.map((m) => m.uuid)))
    expect(fullStatus[0]).toMatchObject({version: expected.client, params: {patterns: []}})
    expect(controller.calls.some((c) => c.endpoint === 'controller' && c.request === 'Login')).toBe(true)
    expect(controller.callCount()).toBe(controller.calls.length)
  })
})

describe('fake Juju 4.0 controller', () => {
  // What changed for hardenctl's calls since 3.6: ModelManager v11 and ApplicationOffers v6 qualify a
  // model instead of naming its owner (juju/juju rpc/params/model.go@80c1f484, crossmodel.go@beb1285e),
  // and the AllWatcher is gone (the 4.0.0 release notes; controller.go's WatchAllModels is NotImplemented).
  let controller: FakeController
  let estate: FakeEstate
  let conn: Connection
  let logout: () => void
  beforeAll(async () => {
    estate = estateFor('4.0')
    controller = await startFakeController(estate)
    ;({conn, logout} = await login(controllerUrl(controller), controller, 'admin', 'admin-secret-password'))
  })
  afterAll(async () => {
    logout()
    await controller.close()
  })

  it('serves the newest versions jujulib knows, and no AllModelWatcher', () => {
    expect(conn.info.serverVersion).toBe('4.0.10')
    expect(facadeVersion(conn, 'modelManager')).toBe(11)
    expect(facadeVersion(conn, 'controller')).toBe(13)
    expect(facadeVersion(conn, 'applicationOffers')).toBe(6)
    expect(conn.facades.allModelWatcher).toBeUndefined()
  })

  it('qualifies models instead of naming their owner', async () => {
    const summaries = await call<{results: {result: Record<string, unknown>}[]}>(conn, 'modelManager', 'listModelSummaries', {'user-tag': 'user-admin', all: true})
    expect(summaries.results[0]?.result).toMatchObject({name: 'clite', qualifier: 'admin'})
    expect(summaries.results[0]?.result).not.toHaveProperty('owner-tag')
    const info = await call<{results: {result: Record<string, unknown>}[]}>(conn, 'modelManager', 'modelInfo', {entities: [{tag: `model-${model(estate, 'clite').uuid}`}]})
    expect(info.results[0]?.result).toMatchObject({name: 'clite', qualifier: 'admin'})
    expect(info.results[0]?.result).not.toHaveProperty('owner-tag')
  })

  it('filters offers by model-qualifier (owner-name ignored), and lists no connections', async () => {
    const byQualifier = await call<{results: Record<string, unknown>[]}>(conn, 'applicationOffers', 'listApplicationOffers', {filters: [{'model-name': 'clite-cmr', 'model-qualifier': 'admin'}]})
    expect(byQualifier.results[0]).toMatchObject({'offer-url': 'admin/clite-cmr.alertmanager', connections: []})
    await expect(
      call(conn, 'applicationOffers', 'listApplicationOffers', {filters: [{'model-name': 'clite-cmr', 'owner-name': 'bob', 'model-qualifier': 'alice'}]}),
    ).rejects.toThrow('model "alice/clite-cmr" not found')
  })

  it('answers WatchAllModels with not implemented', async () => {
    await expect(call(conn, 'controller', 'watchAllModels')).rejects.toThrow('WatchAllModels not implemented')
  })
})

describe('fake Juju faults', () => {
  const pki = generateTestPki()
  let controller: FakeController | undefined
  afterAll(() => controller?.close())

  async function start(patch: (estate: FakeEstate) => void, faults?: FakeControllerOptions['faults'], redirects?: FakeControllerOptions['redirects']) {
    await controller?.close()
    const estate = corpusEstate()
    patch(estate)
    controller = await startFakeController(estate, {pki, faults, redirects})
    return {controller, estate}
  }

  it('closes the socket without answering on closeOn', async () => {
    const {controller, estate} = await start(() => {}, {closeOn: {request: 'FullStatus', model: 'clite'}})
    let closed!: (code: number) => void
    const closedWith = new Promise<number>((resolve) => (closed = resolve))
    const {conn} = await connectAndLogin(modelUrl(controller, model(estate, 'clite')), options(controller, {closeCallback: (code: number) => closed(code)}), {
      username: 'admin',
      password: 'admin-secret-password',
    })
    const status = call(conn as Connection, 'client', 'fullStatus', {patterns: []})
    const outcome = await Promise.race([closedWith.then((code) => ({closed: code})), status.then(() => ({answered: true}))])
    expect(outcome).toEqual({closed: 1006})
  })

  it('answers errorOn, statusError and bundleError with errors', async () => {
    const {controller, estate} = await start(
      (e) => {
        model(e, 'clite').statusError = 'cannot get status: connection to mongo lost'
        model(e, 'foo-machine').bundleError = 'export failed: boom'
      },
      {errorOn: [{request: 'ListModelSummaries', message: 'upgrade in progress', code: 'upgrade in progress'}]},
    )
    const api = await login(controllerUrl(controller), controller, 'admin', 'admin-secret-password')
    await expect(call(api.conn, 'modelManager', 'listModelSummaries', {'user-tag': 'user-admin', all: true})).rejects.toThrow('upgrade in progress')
    api.logout()
    const clite = await login(modelUrl(controller, model(estate, 'clite')), controller, 'admin', 'admin-secret-password')
    await expect(call(clite.conn, 'client', 'fullStatus', {patterns: []})).rejects.toThrow('cannot get status: connection to mongo lost')
    clite.logout()
    const foo = await login(modelUrl(controller, model(estate, 'foo-machine')), controller, 'admin', 'admin-secret-password')
    await expect(call(foo.conn, 'bundle', 'exportBundle', {})).rejects.toThrow('export failed: boom')
    foo.logout()
  })

  it('redirects a migrated model', async () => {
    const movedUuid = '5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e'
    const {controller} = await start(() => {}, undefined, [{modelUuid: movedUuid, to: {host: '10.1.2.3', port: 17070, caCert: pki.otherCaCert}}])
    const client = await connect(`${controller.url}/model/${movedUuid}/api`, options(controller))
    const error = await client.login({username: 'admin', password: 'admin-secret-password'}).catch((e: unknown) => e)
    expect(client.isRedirectionError(error)).toBe(true)
    expect(error).toMatchObject({servers: [[{value: '10.1.2.3', port: 17070, type: 'ipv4', scope: 'public'}]], caCert: pki.otherCaCert})
    client.logout()
  })

  it('is refused by TLS when the client trusts another CA', async () => {
    const {controller} = await start(() => {})
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    try {
      await expect(
        connect(controllerUrl(controller), {...options(controller), wsclass: wsClassTrusting(pki.otherCaCert) as unknown as ConnectOptions['wsclass']}),
      ).rejects.toThrow('cannot connect WebSocket')
    } finally {
      log.mockRestore()
    }
    const refused = await rawExchange(controllerUrl(controller), pki.otherCaCert, []).catch((e: Error) => e.message)
    expect(refused).toMatch(/self[- ]signed|unable to verify|certificate/i)
  })
})

describe('writeJujuData', () => {
  it('writes controllers.yaml and accounts.yaml like the juju client', async () => {
    const controller = await startFakeController(corpusEstate())
    const dir = mkdtempSync(join(tmpdir(), 'fake-juju-data-'))
    try {
      writeJujuData(dir, [{name: 'prod', controller, user: 'admin', password: 'admin-secret-password'}], 'prod')
      const text = readFileSync(join(dir, 'controllers.yaml'), 'utf8')
      expect(text).toContain(`api-endpoints: ['127.0.0.1:${controller.port}']`)
      const controllers = parse(text)
      expect(controllers['current-controller']).toBe('prod')
      expect(controllers.controllers.prod).toMatchObject({
        uuid: controller.estate.controllerUuid,
        'api-endpoints': [`127.0.0.1:${controller.port}`],
        'ca-cert': controller.caCert,
        cloud: 'localhost',
        region: 'localhost',
        type: 'lxd',
        'agent-version': '3.6.1',
      })
      expect(parse(readFileSync(join(dir, 'accounts.yaml'), 'utf8'))).toEqual({
        controllers: {prod: {user: 'admin', password: 'admin-secret-password', 'last-known-access': 'superuser'}},
      })
      expect(statSync(join(dir, 'accounts.yaml')).mode & 0o777).toBe(0o600)
    } finally {
      rmSync(dir, {recursive: true, force: true})
      await controller.close()
    }
  })
})
