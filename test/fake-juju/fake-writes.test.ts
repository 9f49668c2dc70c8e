/**
 * The writes `hardenctl reconcile` makes, against the fake controller through the real jujulib
 * (JujuSession): each answer's shape, the change showing in the read calls that follow, and the
 * refusals Juju 3.x gives (permission, no access to revoke, bad tags, blocks). Every test gets a
 * fresh corpus estate, since writes change it.
 */
import {parseAllDocuments} from 'yaml'
import {afterEach, describe, expect, it} from 'vitest'

import type {ControllerTarget} from '../../src/sources/juju-api/juju-data.js'
import {type FacadeName, JujuSession} from '../../src/sources/juju-api/session.js'
import {corpusEstate, type FakeEstate, type FakeModel} from './estate.js'
import {type FakeController, type FakeControllerOptions, startFakeController} from './server.js'
import {generateTestPki} from './tls.js'

type Json = Record<string, unknown>
type ErrorResults = {results: ({error?: {message: string; code: string}} | Record<string, never>)[] | null}

const PASSWORDS: Record<string, string> = {
  admin: 'admin-secret-password',
  alice: 'alice-secret-password',
  bob: 'bob-secret-password',
  carol: 'carol-secret-password',
}

let controller: FakeController | undefined
const sessions: JujuSession[] = []

afterEach(async () => {
  for (const session of sessions.splice(0)) session.close()
  await controller?.close()
  controller = undefined
})

async function start(estate: FakeEstate = corpusEstate(), options: FakeControllerOptions = {}): Promise<FakeController> {
  controller = await startFakeController(estate, {pki: generateTestPki(), ...options})
  return controller
}

function target(user: string): ControllerTarget {
  const fake = controller as FakeController
  return {name: 'prod', endpoints: [`${fake.host}:${fake.port}`], caCert: fake.caCert, user, password: PASSWORDS[user], source: 'test'}
}

/** A logged-in session on the controller (`/api`) or, with a model name, on that model. */
async function open(user: string, modelName?: string): Promise<JujuSession> {
  const path = modelName ? `/model/${model(modelName).uuid}/api` : '/api'
  const session = await JujuSession.open(target(user), path, modelName ? `model prod:${modelName}` : 'controller prod', {insecureSkipVerify: false, timeoutMs: 5000})
  sessions.push(session)
  return session
}

function model(name: string): FakeModel {
  const found = controller?.estate.models.find((m) => m.name === name)
  if (!found) throw new Error(`no model ${name}`)
  return found
}

const call = <T = Json>(session: JujuSession, facade: FacadeName, method: string, params: unknown) => session.call<T>(facade, method, params)

const modelTag = (name: string) => `model-${model(name).uuid}`

function modelChange(user: string, action: string, access: string, modelName: string): Json {
  return {'user-tag': `user-${user}`, action, access, 'model-tag': modelTag(modelName)}
}

async function modelUsers(session: JujuSession, modelName: string): Promise<Record<string, string>> {
  const answer = await call<{results: {result: {users: {user: string; access: string}[]}}[]}>(session, 'modelManager', 'modelInfo', {
    entities: [{tag: modelTag(modelName)}],
  })
  return Object.fromEntries((answer.results[0]?.result.users ?? []).map((u) => [u.user, u.access]))
}

async function userInfo(session: JujuSession, name: string): Promise<{access: string; disabled: boolean}> {
  const answer = await call<{results: {result: {access: string; disabled: boolean}}[]}>(session, 'userManager', 'userInfo', {
    entities: [{tag: `user-${name}`}],
    'include-disabled': true,
  })
  return answer.results[0]?.result as {access: string; disabled: boolean}
}

async function offerUsers(session: JujuSession): Promise<Record<string, string>> {
  const answer = await call<{results: {'offer-name': string; users: {user: string; access: string}[]}[]}>(session, 'applicationOffers', 'listApplicationOffers', {
    Filters: [{'model-name': 'clite-cmr', 'owner-name': 'admin'}],
  })
  const offer = answer.results.find((o) => o['offer-name'] === 'alertmanager')
  return Object.fromEntries((offer?.users ?? []).map((u) => [u.user, u.access]))
}

type AppStatus = {exposed: boolean; 'exposed-endpoints'?: Record<string, {'expose-to-cidrs'?: string[]; 'expose-to-spaces'?: string[]}>}

async function appStatus(session: JujuSession, app: string): Promise<AppStatus> {
  const status = await call<{applications: Record<string, AppStatus>}>(session, 'client', 'fullStatus', {patterns: []})
  return status.applications[app] as AppStatus
}

async function bundleDocs(session: JujuSession): Promise<Json[]> {
  const answer = await call<{result: string}>(session, 'bundle', 'exportBundle', {'include-charm-defaults': false})
  return parseAllDocuments(answer.result).map((doc) => doc.toJS() as Json)
}

const bundleApp = (docs: Json[], index: number, app: string) => ((docs[index]?.applications ?? {}) as Record<string, Json>)[app]

describe('ModelManager.ModifyModelAccess', () => {
  it('revokes read by removing the user from the model, as ModelInfo and ListModelSummaries then show', async () => {
    await start()
    const admin = await open('admin')
    const answer = await call<ErrorResults>(admin, 'modelManager', 'modifyModelAccess', {changes: [modelChange('bob', 'revoke', 'read', 'clite')]})
    expect(answer).toEqual({results: [{}]})
    expect(await modelUsers(admin, 'clite')).toEqual({admin: 'admin', alice: 'write'})
    const bob = await open('bob')
    const summaries = await call<{results: {result: {name: string}}[]}>(bob, 'modelManager', 'listModelSummaries', {'user-tag': 'user-bob'})
    expect(summaries.results.map((r) => r.result.name)).toEqual(['foo-k8s-cmr'])
  })

  it('revoking write leaves read and revoking admin leaves write; grant raises a level', async () => {
    await start()
    const admin = await open('admin')
    const answer = await call<ErrorResults>(admin, 'modelManager', 'modifyModelAccess', {
      changes: [modelChange('alice', 'revoke', 'write', 'clite'), modelChange('alice', 'revoke', 'admin', 'clite-cmr'), modelChange('bob', 'grant', 'admin', 'clite')],
    })
    expect(answer).toEqual({results: [{}, {}, {}]})
    expect(await modelUsers(admin, 'clite')).toEqual({admin: 'admin', alice: 'read', bob: 'admin'})
    expect(await modelUsers(admin, 'clite-cmr')).toEqual({admin: 'admin', alice: 'write'})
  })

  it("answers Juju's errors for a level already held, a user without access, a disabled user, bad tags and levels", async () => {
    await start()
    const admin = await open('admin')
    const answer = await call<ErrorResults>(admin, 'modelManager', 'modifyModelAccess', {
      changes: [
        modelChange('alice', 'grant', 'read', 'clite'),
        modelChange('carol', 'revoke', 'read', 'clite'),
        modelChange('carol', 'revoke', 'write', 'clite'),
        modelChange('dave', 'revoke', 'write', 'foo-machine'),
        modelChange('zed', 'grant', 'read', 'clite'),
        {'user-tag': 'bob', action: 'revoke', access: 'read', 'model-tag': modelTag('clite')},
        {'user-tag': 'user-bob', action: 'revoke', access: 'read', 'model-tag': 'model-nope'},
        modelChange('bob', 'revoke', 'superuser', 'clite'),
      ],
    })
    expect(answer.results).toEqual([
      {error: {message: 'user already has "read" access or greater', code: ''}},
      {error: {message: 'could not revoke model access: model user "carol" does not exist', code: 'not found'}},
      {error: {message: 'could not look up model access for user: model user "carol" not found', code: 'not found'}},
      {error: {message: 'could not look up model access for user: user "dave" is disabled', code: ''}},
      {error: {message: 'could not grant model access: user "zed" does not exist locally: user "zed" not found', code: 'not found'}},
      {error: {message: 'could not modify model access: "bob" is not a valid tag', code: ''}},
      {error: {message: 'could not modify model access: "model-nope" is not a valid model tag', code: ''}},
      {error: {message: 'could not modify model access: "superuser" model access not valid', code: 'not valid'}},
    ])
    expect(await modelUsers(admin, 'clite')).toEqual({admin: 'admin', alice: 'write', bob: 'read'})
  })

  it('lets a model admin change that model only, and refuses other callers change by change', async () => {
    await start()
    const alice = await open('alice')
    const answer = await call<ErrorResults>(alice, 'modelManager', 'modifyModelAccess', {
      changes: [modelChange('bob', 'grant', 'read', 'clite-cmr'), modelChange('bob', 'revoke', 'read', 'clite')],
    })
    expect(answer.results).toEqual([{}, {error: {message: 'permission denied', code: 'unauthorized access'}}])
    const bob = await open('bob')
    const refused = await call<ErrorResults>(bob, 'modelManager', 'modifyModelAccess', {changes: [modelChange('alice', 'revoke', 'read', 'clite')]})
    expect(refused.results).toEqual([{error: {message: 'permission denied', code: 'unauthorized access'}}])
    expect(model('clite').users.map((u) => u.user)).toEqual(['admin', 'alice', 'bob'])
    expect(model('clite-cmr').users).toContainEqual({user: 'bob', access: 'read'})
  })
})

describe('Controller.ModifyControllerAccess', () => {
  it('revokes superuser to login and login to no access, which UserInfo shows and login then refuses', async () => {
    await start()
    const admin = await open('admin')
    const granted = await call<ErrorResults>(admin, 'controller', 'modifyControllerAccess', {
      changes: [{'user-tag': 'user-alice', action: 'grant', access: 'superuser'}],
    })
    expect(granted).toEqual({results: [{}]})
    expect((await userInfo(admin, 'alice')).access).toBe('superuser')
    const revoked = await call<ErrorResults>(admin, 'controller', 'modifyControllerAccess', {
      changes: [
        {'user-tag': 'user-alice', action: 'revoke', access: 'superuser'},
        {'user-tag': 'user-bob', action: 'revoke', access: 'login'},
      ],
    })
    expect(revoked).toEqual({results: [{}, {}]})
    expect((await userInfo(admin, 'alice')).access).toBe('login')
    expect((await userInfo(admin, 'bob')).access).toBe('')
    await expect(open('bob')).rejects.toThrow(/permission denied/)
  })

  it('refuses non-superusers, revoking from a user without access, and granting a level held', async () => {
    await start()
    const alice = await open('alice')
    const refused = await call<ErrorResults>(alice, 'controller', 'modifyControllerAccess', {
      changes: [{'user-tag': 'user-bob', action: 'revoke', access: 'login'}],
    })
    expect(refused.results).toEqual([{error: {message: 'permission denied', code: 'unauthorized access'}}])
    const admin = await open('admin')
    const answer = await call<ErrorResults>(admin, 'controller', 'modifyControllerAccess', {
      changes: [
        {'user-tag': 'user-carol', action: 'revoke', access: 'login'},
        {'user-tag': 'user-carol', action: 'revoke', access: 'superuser'},
        {'user-tag': 'user-bob', action: 'grant', access: 'login'},
        {'user-tag': 'user-bob', action: 'grant', access: 'admin'},
      ],
    })
    expect(answer.results).toEqual([
      {error: {message: 'could not revoke controller access: controller user "carol" does not exist', code: 'not found'}},
      {error: {message: 'could not look up controller access for user: controller user "carol" not found', code: 'not found'}},
      {error: {message: 'could not grant controller access: user already has "login" access or greater', code: ''}},
      {error: {message: '"admin" controller access not valid', code: 'not valid'}},
    ])
    expect((await userInfo(admin, 'bob')).access).toBe('login')
  })
})

describe('ApplicationOffers.ModifyOfferAccess', () => {
  const url = 'admin/clite-cmr.alertmanager'

  it('revokes consume to read and read to nothing, as ListApplicationOffers then shows', async () => {
    await start()
    const admin = await open('admin')
    const first = await call<ErrorResults>(admin, 'applicationOffers', 'modifyOfferAccess', {
      changes: [{'user-tag': 'user-bob', action: 'revoke', access: 'consume', 'offer-url': url}],
    })
    expect(first).toEqual({results: [{}]})
    expect(await offerUsers(admin)).toEqual({admin: 'admin', 'everyone@external': 'read', bob: 'read'})
    // The controller name may prefix the URL.
    const second = await call<ErrorResults>(admin, 'applicationOffers', 'modifyOfferAccess', {
      changes: [{'user-tag': 'user-bob', action: 'revoke', access: 'read', 'offer-url': `prod:${url}`}],
    })
    expect(second).toEqual({results: [{}]})
    expect(await offerUsers(admin)).toEqual({admin: 'admin', 'everyone@external': 'read'})
  })

  it('changes the default ACL of an offer nobody changed, and the exported bundle follows', async () => {
    const estate = corpusEstate()
    delete (estate.models.find((m) => m.name === 'clite-cmr') as FakeModel).offerUsers
    await start(estate)
    const admin = await open('admin')
    expect(await offerUsers(admin)).toEqual({admin: 'admin', 'everyone@external': 'read'})
    const answer = await call<ErrorResults>(admin, 'applicationOffers', 'modifyOfferAccess', {
      changes: [
        {'user-tag': 'user-everyone@external', action: 'revoke', access: 'read', 'offer-url': url},
        {'user-tag': 'user-alice', action: 'grant', access: 'consume', 'offer-url': url},
      ],
    })
    expect(answer).toEqual({results: [{}, {}]})
    expect(await offerUsers(admin)).toEqual({admin: 'admin', alice: 'consume'})
    const cmr = await open('admin', 'clite-cmr')
    const overlay = bundleApp(await bundleDocs(cmr), 1, 'alertmanager') as {offers: Record<string, {acl: Record<string, string>}>}
    expect(overlay.offers.alertmanager?.acl).toEqual({admin: 'admin', alice: 'consume'})
  })

  it('refuses model admins who are not offer admins (as Juju 3.x does), users without access, and bad URLs', async () => {
    await start()
    const alice = await open('alice')
    const change = {'user-tag': 'user-bob', action: 'revoke', access: 'consume', 'offer-url': url}
    expect((await call<ErrorResults>(alice, 'applicationOffers', 'modifyOfferAccess', {changes: [change]})).results).toEqual([
      {error: {message: 'permission denied', code: 'unauthorized access'}},
    ])
    const admin = await open('admin')
    const answer = await call<ErrorResults>(admin, 'applicationOffers', 'modifyOfferAccess', {
      changes: [
        {'user-tag': 'user-carol', action: 'revoke', access: 'read', 'offer-url': url},
        {'user-tag': 'user-bob', action: 'grant', access: 'read', 'offer-url': url},
        {'user-tag': 'user-bob', action: 'revoke', access: 'read', 'offer-url': 'admin/clite-cmr'},
        {'user-tag': 'user-bob', action: 'revoke', access: 'read', 'offer-url': 'admin/nope.alertmanager'},
        {'user-tag': 'user-bob', action: 'revoke', access: 'read', 'offer-url': 'admin/clite-cmr.nope'},
      ],
    })
    const uuid = answer.results?.[0] && 'error' in answer.results[0] ? /ao#([^"]+)/.exec(answer.results[0].error?.message ?? '')?.[1] : undefined
    expect(uuid).toMatch(/^[0-9a-f]{8}-/)
    expect(answer.results).toEqual([
      {error: {message: `could not revoke offer access: user permission for "us#carol" on "ao#${uuid}" not found`, code: 'not found'}},
      {error: {message: 'user already has "read" access or greater', code: ''}},
      {error: {message: 'application offer URL is missing application', code: ''}},
      {error: {message: 'model "admin/nope" not found', code: 'not found'}},
      {error: {message: 'application offer "nope" not found', code: 'not found'}},
    ])
    expect(await offerUsers(admin)).toEqual({admin: 'admin', 'everyone@external': 'read', bob: 'consume'})
  })
})

describe('UserManager.DisableUser', () => {
  it('disables a user, which UserInfo shows and login then refuses; the controller owner cannot be disabled', async () => {
    await start()
    const admin = await open('admin')
    const answer = await call<ErrorResults>(admin, 'userManager', 'disableUser', {
      entities: [{tag: 'user-bob'}, {tag: 'user-admin'}, {tag: 'user-zed'}, {tag: 'bob'}],
    })
    expect(answer.results).toEqual([
      {},
      {error: {message: 'failed to disable user: cannot disable controller model owner', code: ''}},
      {error: {message: 'permission denied', code: 'unauthorized access'}},
      {error: {message: '"bob" is not a valid tag', code: ''}},
    ])
    expect(await userInfo(admin, 'bob')).toMatchObject({disabled: true})
    expect(await userInfo(admin, 'admin')).toMatchObject({disabled: false})
    await expect(open('bob')).rejects.toThrow(/disabled/)
  })

  it('refuses the whole call from a non-superuser', async () => {
    await start()
    const alice = await open('alice')
    await expect(call(alice, 'userManager', 'disableUser', {entities: [{tag: 'user-bob'}]})).rejects.toThrow('permission denied')
    expect(controller?.estate.users.find((u) => u.name === 'bob')?.disabled).toBeUndefined()
  })
})

describe('Block.SwitchBlockOn', () => {
  it('switches a block on, replaces the message of one already on, and Block.List shows one per type', async () => {
    await start()
    const admin = await open('admin', 'foo-machine')
    expect(await call(admin, 'block', 'switchBlockOn', {type: 'BlockChange', message: 'frozen by hardenctl'})).toEqual({})
    expect(await call(admin, 'block', 'switchBlockOn', {type: 'BlockDestroy', message: 'disabled by hardenctl'})).toEqual({})
    const list = await call<{results: {result: {type: string; message: string; tag: string}}[]}>(admin, 'block', 'list', {})
    expect(list.results.map((r) => [r.result.type, r.result.message])).toEqual([
      ['BlockDestroy', 'disabled by hardenctl'],
      ['BlockChange', 'frozen by hardenctl'],
    ])
    expect(list.results[0]?.result.tag).toBe(modelTag('foo-machine'))
  })

  it('answers permission denied in the ErrorResult to a reader', async () => {
    await start()
    const alice = await open('alice', 'foo-machine')
    expect(await call(alice, 'block', 'switchBlockOn', {type: 'BlockRemove', message: 'x'})).toEqual({
      error: {message: 'permission denied', code: 'unauthorized access'},
    })
    expect(model('foo-machine').blocks).toEqual([{type: 'BlockDestroy', message: 'kafka holds production data'}])
  })
})

describe('Application.Expose and Unexpose', () => {
  it('exposes every endpoint to all networks when no endpoint is named; FullStatus and ExportBundle follow', async () => {
    await start()
    const admin = await open('admin', 'foo-machine')
    expect(await appStatus(admin, 'zookeeper')).toMatchObject({exposed: false})
    expect(await call(admin, 'application', 'expose', {application: 'zookeeper'})).toEqual({})
    expect(await appStatus(admin, 'zookeeper')).toMatchObject({exposed: true, 'exposed-endpoints': {'': {'expose-to-cidrs': ['0.0.0.0/0', '::/0']}}})
    expect(bundleApp(await bundleDocs(admin), 0, 'zookeeper')).toMatchObject({expose: true})
  })

  it("replaces a named endpoint's settings, keeps the others, and puts them in the bundle overlay", async () => {
    await start()
    const admin = await open('admin', 'foo-machine')
    await call(admin, 'application', 'expose', {
      application: 'kafka',
      'exposed-endpoints': {
        'kafka-client': {'expose-to-cidrs': ['10.0.0.0/8', '10.0.0.0/8', '192.168.0.0/16']},
        cluster: {'expose-to-spaces': ['alpha']},
        restart: {},
      },
    })
    const status = await appStatus(admin, 'kafka')
    expect(status.exposed).toBe(true)
    expect(status['exposed-endpoints']).toEqual({
      cluster: {'expose-to-spaces': ['alpha']},
      'kafka-client': {'expose-to-cidrs': ['10.0.0.0/8', '192.168.0.0/16']},
      restart: {'expose-to-cidrs': ['0.0.0.0/0', '::/0']},
    })
    const docs = await bundleDocs(admin)
    expect(bundleApp(docs, 0, 'kafka')).not.toHaveProperty('expose')
    expect(bundleApp(docs, 1, 'kafka')).toMatchObject({'exposed-endpoints': {'kafka-client': {'expose-to-cidrs': ['10.0.0.0/8', '192.168.0.0/16']}}})
  })

  it('unexposes the application when its last exposed endpoint is removed, or at once with no endpoints', async () => {
    await start()
    const admin = await open('admin', 'foo-machine')
    expect(await call(admin, 'application', 'unexpose', {application: 'kafka', 'exposed-endpoints': ['kafka-client']})).toEqual({})
    const kafka = await appStatus(admin, 'kafka')
    expect(kafka.exposed).toBe(false)
    expect(kafka).not.toHaveProperty('exposed-endpoints')

    await call(admin, 'application', 'expose', {application: 'zookeeper', 'exposed-endpoints': {zookeeper: {}, cluster: {}}})
    await call(admin, 'application', 'unexpose', {application: 'zookeeper', 'exposed-endpoints': ['cluster']})
    expect(await appStatus(admin, 'zookeeper')).toEqual(expect.objectContaining({exposed: true, 'exposed-endpoints': {zookeeper: {'expose-to-cidrs': ['0.0.0.0/0', '::/0']}}}))
    await call(admin, 'application', 'unexpose', {application: 'zookeeper', 'exposed-endpoints': []})
    expect(await appStatus(admin, 'zookeeper')).toMatchObject({exposed: false})
    expect(bundleApp(await bundleDocs(admin), 0, 'zookeeper')).not.toHaveProperty('expose')
  })

  it("answers Juju's errors for unknown applications, endpoints, spaces and CIDRs, readers, blocks and Kubernetes apps", async () => {
    await start()
    const admin = await open('admin', 'foo-machine')
    const refusal = (params: Json, method = 'expose') => call(admin, 'application', method, params)
    await expect(refusal({application: 'nope'})).rejects.toThrow('application "nope" not found')
    await expect(refusal({application: 'kafka', 'exposed-endpoints': {nope: {}}})).rejects.toThrow('endpoint "nope" not found')
    await expect(refusal({application: 'kafka', 'exposed-endpoints': {cluster: {'expose-to-spaces': ['dmz']}}})).rejects.toThrow('space "dmz" not found')
    await expect(refusal({application: 'kafka', 'exposed-endpoints': {cluster: {'expose-to-cidrs': ['10.0.0.0']}}})).rejects.toThrow(
      'unable to parse "10.0.0.0" as a CIDR: invalid CIDR address: 10.0.0.0',
    )
    await expect(refusal({application: 'kafka', 'exposed-endpoints': ['cluster']}, 'unexpose')).rejects.toThrow('endpoint "cluster" is not exposed')
    await expect(refusal({application: 'kafka', 'exposed-endpoints': ['nope']}, 'unexpose')).rejects.toThrow('endpoint "nope" not found')

    const alice = await open('alice', 'foo-machine')
    await expect(call(alice, 'application', 'unexpose', {application: 'kafka', 'exposed-endpoints': []})).rejects.toThrow('permission denied')

    await call(admin, 'block', 'switchBlockOn', {type: 'BlockChange', message: 'change freeze'})
    await expect(refusal({application: 'kafka', 'exposed-endpoints': []}, 'unexpose')).rejects.toThrow('change freeze')
    expect(await appStatus(admin, 'kafka')).toMatchObject({exposed: true})

    const k8s = await open('admin', 'clite')
    await expect(call(k8s, 'application', 'expose', {application: 'traefik'})).rejects.toThrow(
      'cannot expose a container application without a "juju-external-hostname" value set',
    )
  })
})

describe('writes and the fake controller', () => {
  it('records every write and honours faults.errorOn for it, leaving the estate alone', async () => {
    await start(corpusEstate(), {faults: {errorOn: [{request: 'ModifyModelAccess', message: 'boom', code: 'unauthorized access'}]}})
    const admin = await open('admin')
    const params = {changes: [modelChange('bob', 'revoke', 'read', 'clite')]}
    await expect(call(admin, 'modelManager', 'modifyModelAccess', params)).rejects.toThrow('boom')
    expect(model('clite').users.map((u) => u.user)).toContain('bob')
    expect(controller?.calls.find((c) => c.request === 'ModifyModelAccess')).toEqual({
      endpoint: 'controller',
      type: 'ModelManager',
      version: 10,
      request: 'ModifyModelAccess',
      params,
    })
  })

  it('serves the writes at the Juju 3.1 facade versions too', async () => {
    await start({...corpusEstate(), jujuVersion: '3.1'})
    const admin = await open('admin', 'foo-machine')
    expect(await call(admin, 'application', 'unexpose', {application: 'kafka', 'exposed-endpoints': []})).toEqual({})
    const controllerSession = await open('admin')
    expect(await call(controllerSession, 'applicationOffers', 'modifyOfferAccess', {
      changes: [{'user-tag': 'user-bob', action: 'revoke', access: 'read', 'offer-url': 'admin/clite-cmr.alertmanager'}],
    })).toEqual({results: [{}]})
    expect(controller?.calls.filter((c) => c.request === 'Unexpose' || c.request === 'ModifyOfferAccess').map((c) => `${c.type}.${c.request}@${c.version}`)).toEqual([
      'Application.Unexpose@18',
      'ApplicationOffers.ModifyOfferAccess@4',
    ])
  })
})
