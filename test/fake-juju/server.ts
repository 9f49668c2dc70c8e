/**
 * A fake Juju controller for tests and the benchmark: a real WebSocket server over TLS on
 * 127.0.0.1 that speaks Juju's RPC framing, so `@canonical/jujulib` runs against it unmodified.
 * It serves the read-only calls an audit makes (login, model and user listings, controller
 * config, offers, full status, bundle export, blocks) from a FakeEstate, records every call, and
 * can be told to fail in the ways a real controller does (socket drop, call error, redirect).
 *
 * Errors carry Juju's wire message and code (`params.Error`): the Go client shows them as
 * "message (code)", but the RPC response holds the two apart.
 */
import {mkdirSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:https'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'

import type {MachineStatus} from '@canonical/jujulib/dist/api/facades/client/ClientV6.js'
import {type WebSocket, WebSocketServer} from 'ws'
import {Document, isSeq, isScalar} from 'yaml'

import {bundleFromCli, type FakeEstate, type FakeModel, type FakeUser, type FullStatus, fullStatusFromCli} from './estate.js'
import {generateTestPki, type TestPki} from './tls.js'

export interface RecordedCall {
  /** 'controller' for /api, the model UUID for /model/<uuid>/api. */
  endpoint: 'controller' | string
  type: string
  version: number
  request: string
  params: unknown
}

export interface FakeControllerOptions {
  pki?: TestPki
  faults?: {
    /** Close the socket (no response) when this call arrives. */
    closeOn?: {request: string; model?: string /* model name */}
    /** Answer this call with an error. */
    errorOn?: {request: string; model?: string; message: string; code?: string}[]
  }
  /** Models served elsewhere: login to /model/<uuid>/api answers "redirection required" and Admin.RedirectInfo points at `to`. */
  redirects?: {modelUuid: string; to: {host: string; port: number; caCert: string}}[]
}

export interface FakeController {
  /** wss://127.0.0.1:PORT */
  url: string
  host: string
  port: number
  caCert: string
  calls: RecordedCall[]
  callCount(): number
  close(): Promise<void>
  estate: FakeEstate
  /** What Login reports as server-version, e.g. "3.6.1". */
  serverVersion: string
}

const SERVER_VERSION: Record<FakeEstate['jujuVersion'], string> = {'3.1': '3.1.8', '3.6': '3.6.1'}

// The facades a 3.x controller registers, with the versions it serves.
const FACADES_31: Record<string, number[]> = {
  Action: [7], ActionPruner: [1], Admin: [3], AgentLifeFlag: [1], AgentTools: [1], AllModelWatcher: [4], AllWatcher: [3],
  Annotations: [2], Application: [18], ApplicationOffers: [4], ApplicationScaler: [1], Backups: [3], Block: [2], Bundle: [6],
  CAASAdmission: [1], CAASAgent: [2], CAASApplication: [1], CAASApplicationProvisioner: [1], CAASFirewaller: [1],
  CAASFirewallerSidecar: [1], CAASModelConfigManager: [1], CAASModelOperator: [1], CAASOperator: [1],
  CAASOperatorProvisioner: [1], CAASOperatorUpgrader: [1], CAASUnitProvisioner: [2], CharmDownloader: [1], CharmHub: [1],
  CharmRevisionUpdater: [2], Charms: [5], Cleaner: [2], Client: [6], Cloud: [7], Controller: [11], CredentialManager: [1],
  CredentialValidator: [2], CrossController: [1], CrossModelRelations: [2], CrossModelSecrets: [1], Deployer: [1],
  DiskManager: [2], EntityWatcher: [2], EnvironUpgrader: [1], ExternalControllerUpdater: [1], FanConfigurer: [1],
  FilesystemAttachmentsWatcher: [2], FirewallRules: [1], Firewaller: [7], HighAvailability: [2], HostKeyReporter: [1],
  ImageManager: [2], ImageMetadata: [3], ImageMetadataManager: [1], InstanceMutater: [3], InstancePoller: [4],
  KeyManager: [1], KeyUpdater: [1], LeadershipService: [2], LifeFlag: [1], LogForwarding: [1], Logger: [1],
  MachineActions: [1], MachineManager: [9], MachineUndertaker: [1], Machiner: [5], MeterStatus: [2], MetricsAdder: [2],
  MetricsDebug: [2], MetricsManager: [1], MigrationFlag: [1], MigrationMaster: [3], MigrationMinion: [1],
  MigrationStatusWatcher: [1], MigrationTarget: [1, 2], ModelConfig: [3], ModelGeneration: [4], ModelManager: [9],
  ModelSummaryWatcher: [1], ModelUpgrader: [1], NotifyWatcher: [1], OfferStatusWatcher: [1], Payloads: [1],
  PayloadsHookContext: [1], Pinger: [1], Provisioner: [11], ProxyUpdater: [2], RaftLease: [1, 2], Reboot: [2],
  RelationStatusWatcher: [1], RelationUnitsWatcher: [1], RemoteRelationWatcher: [1], RemoteRelations: [2],
  Resources: [3], ResourcesHookContext: [1], Resumer: [2], RetryStrategy: [1], SSHClient: [4], SecretBackends: [1],
  SecretBackendsManager: [1], SecretBackendsRotateWatcher: [1], Secrets: [1], SecretsDrain: [1], SecretsManager: [1],
  SecretsRevisionWatcher: [1], SecretsTriggerWatcher: [1], Singular: [2], Spaces: [6], StatusHistory: [2], Storage: [6],
  StorageProvisioner: [4], StringsWatcher: [1], Subnets: [5], Undertaker: [1], UnitAssigner: [1], Uniter: [18],
  UpgradeSeries: [3], UpgradeSteps: [2], Upgrader: [1], UserManager: [3], VolumeAttachmentPlansWatcher: [1],
  VolumeAttachmentsWatcher: [2],
}

const FACADES_36: Record<string, number[]> = {
  ...FACADES_31,
  Application: [19], ApplicationOffers: [5], Bundle: [8], Charms: [7], Client: [8], Controller: [12],
  CrossModelRelations: [3], MachineManager: [10], ModelManager: [10], MigrationMaster: [4], MigrationTarget: [1, 2, 3],
  Secrets: [1, 2], SecretsManager: [1, 2], Uniter: [19], UserSecretsDrain: [1], UserSecretsManager: [1],
}

const FACADES: Record<FakeEstate['jujuVersion'], Record<string, number[]>> = {'3.1': FACADES_31, '3.6': FACADES_36}

// apiserver/restrict_controller.go: what a controller-only (/api) login may use; a model login
// may use everything else.
const CONTROLLER_ONLY = new Set([
  'AllModelWatcher', 'ApplicationOffers', 'Cloud', 'Controller', 'CrossController', 'MigrationTarget', 'ModelManager',
  'ModelUpgrader', 'ModelSummaryWatcher', 'SecretBackends', 'UserManager',
])
const COMMON = new Set(['Pinger', 'Bundle', 'HighAvailability', 'NotifyWatcher', 'ModelConfig'])

const UNAUTHORIZED = 'unauthorized access'

class RpcError extends Error {
  constructor(
    message: string,
    readonly code = '',
    readonly info?: Record<string, unknown>,
  ) {
    super(message)
  }
}

const permissionDenied = () => new RpcError('permission denied', UNAUTHORIZED)

interface Session {
  /** Undefined on /api. */
  modelUuid?: string
  model?: FakeModel
  user?: FakeUser
  modelAccess?: string
}

type Json = Record<string, unknown>
const rec = (value: unknown): Json => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {})
const str = (value: unknown): string => (typeof value === 'string' ? value : '')

/** 'user-bob' → 'bob'; model tags likewise. */
function tagId(tag: unknown, kind: string): string | undefined {
  const text = str(tag)
  return text.startsWith(`${kind}-`) ? text.slice(kind.length + 1) : undefined
}

const PROVIDER_TYPES: Record<string, string> = {
  localhost: 'lxd', lxd: 'lxd', microk8s: 'kubernetes', aws: 'ec2', google: 'gce', azure: 'azure', maas: 'maas', openstack: 'openstack',
}

function providerType(model: FakeModel): string {
  return model.type === 'caas' ? 'kubernetes' : (PROVIDER_TYPES[model.cloud] ?? model.cloud)
}

function modelSince(model: FakeModel): string {
  return apiStatus(model).model['model-status'].since
}

function modelStatus(model: FakeModel): Json {
  const status = apiStatus(model).model['model-status']
  return {status: status.status || 'available', info: status.info, data: {}, since: status.since}
}

/** Machines, cores and units, as `juju models` counts them. */
function modelCounts(model: FakeModel): {entity: string; count: number}[] {
  const status = apiStatus(model)
  let machines = 0
  let cores = 0
  const walk = (list: Record<string, MachineStatus>) => {
    for (const machine of Object.values(list)) {
      machines++
      cores += Number(/(?:^|\s)cores=(\d+)/.exec(machine.hardware)?.[1] ?? 0)
      walk(machine.containers)
    }
  }
  walk(status.machines)
  let units = 0
  for (const app of Object.values(status.applications)) {
    for (const unit of Object.values(app.units)) units += 1 + Object.keys(unit.subordinates).length
  }
  const counts = [{entity: 'machines', count: machines}, {entity: 'cores', count: cores}, {entity: 'units', count: units}]
  return counts.filter((c) => c.count > 0)
}

function cloudCredentialTag(model: FakeModel): string {
  return `cloudcred-${model.cloud}_${model.owner}_${model.cloud}`
}

export async function startFakeController(estate: FakeEstate, options: FakeControllerOptions = {}): Promise<FakeController> {
  const pki = options.pki ?? generateTestPki()
  const calls: RecordedCall[] = []
  const facades = FACADES[estate.jujuVersion]
  const serverVersion = SERVER_VERSION[estate.jujuVersion]
  const userByName = (name: string) => estate.users.find((u) => u.name === name)
  const modelByUuid = (uuid: string) => estate.models.find((m) => m.uuid === uuid)
  let port = 0

  const facadeList = (controllerLogin: boolean) =>
    Object.entries(facades)
      .filter(([name]) => (controllerLogin ? CONTROLLER_ONLY.has(name) || COMMON.has(name) : !CONTROLLER_ONLY.has(name)))
      .map(([name, versions]) => ({name, versions}))

  const accessTo = (model: FakeModel, user: FakeUser | undefined) => model.users.find((u) => u.user === user?.name)
  const isSuperuser = (session: Session) => session.user?.access === 'superuser'
  const canRead = (session: Session, model: FakeModel) => isSuperuser(session) || !!accessTo(model, session.user)
  const isModelAdmin = (session: Session, model: FakeModel) => isSuperuser(session) || accessTo(model, session.user)?.access === 'admin'

  function login(session: Session, params: Json): Json {
    if (session.user) throw new RpcError('already logged in')
    const name = tagId(params['auth-tag'], 'user')
    const user = name === undefined ? undefined : userByName(name)
    if (!user || user.password === undefined || user.password !== params.credentials) {
      throw new RpcError('invalid entity name or password', UNAUTHORIZED)
    }
    if (user.disabled) throw new RpcError(`user "${user.name}" is disabled`, UNAUTHORIZED)
    const redirect = options.redirects?.find((r) => r.modelUuid === session.modelUuid)
    if (redirect) throw new RpcError('redirection required', 'redirection required', redirectInfo(session))
    if (user.access === '') throw permissionDenied()
    let modelAccess = ''
    if (session.model) {
      const entry = accessTo(session.model, user)
      if (!entry && user.access !== 'superuser') throw permissionDenied()
      modelAccess = entry?.access ?? 'admin'
    }
    session.user = user
    session.modelAccess = modelAccess
    const userInfo: Json = {
      identity: `user-${user.name}`,
      'display-name': user.displayName ?? '',
      'controller-access': user.access,
      'model-access': modelAccess,
    }
    if (user.lastConnection) userInfo['last-connection'] = user.lastConnection
    const result: Json = {
      'controller-tag': `controller-${estate.controllerUuid}`,
      'server-version': serverVersion,
      servers: [[{value: '127.0.0.1', type: 'ipv4', scope: 'local-cloud', port}]],
      facades: facadeList(!session.model),
      'user-info': userInfo,
    }
    if (session.model) result['model-tag'] = `model-${session.model.uuid}`
    return result
  }

  function redirectInfo(session: Session): Json {
    const redirect = options.redirects?.find((r) => r.modelUuid === session.modelUuid)
    if (!redirect) throw new RpcError('not redirected')
    return {
      servers: [[{value: redirect.to.host, type: 'ipv4', scope: 'public', port: redirect.to.port}]],
      'ca-cert': redirect.to.caCert,
    }
  }

  function listModelSummaries(session: Session, params: Json): Json {
    const target = tagId(params['user-tag'], 'user') ?? ''
    if (target !== session.user?.name && !isSuperuser(session)) throw permissionDenied()
    const targetUser = userByName(target)
    const all = params.all === true && isSuperuser(session)
    const models = estate.models.filter((m) => all || m.users.some((u) => u.user === target))
    return {
      results: models.map((model) => {
        const access = accessTo(model, targetUser)
        const summary: Json = {
          name: model.name,
          uuid: model.uuid,
          type: model.type,
          'controller-uuid': estate.controllerUuid,
          'is-controller': false,
          'provider-type': providerType(model),
          'cloud-tag': `cloud-${model.cloud}`,
          'cloud-credential-tag': cloudCredentialTag(model),
          'owner-tag': `user-${model.owner}`,
          life: 'alive',
          status: modelStatus(model),
          'user-access': access?.access ?? '',
          'last-connection': access?.lastConnection ?? null,
          counts: modelCounts(model),
          sla: {level: 'unsupported', owner: model.owner},
          'agent-version': model.agentVersion,
        }
        if (model.region) summary['cloud-region'] = model.region
        return {result: summary}
      }),
    }
  }

  function modelInfo(session: Session, params: Json): Json {
    const entities = Array.isArray(params.entities) ? params.entities : []
    return {
      results: entities.map((entity) => {
        const tag = str(rec(entity).tag)
        const uuid = tagId(tag, 'model')
        if (uuid === undefined) return {error: {message: `"${tag}" is not a valid model tag`, code: ''}}
        const model = modelByUuid(uuid)
        if (!model) return {error: {message: `model "${uuid}" not found`, code: 'not found'}}
        if (!canRead(session, model)) return {error: {message: 'permission denied', code: UNAUTHORIZED}}
        const admin = isModelAdmin(session, model)
        const writer = admin || accessTo(model, session.user)?.access === 'write'
        const users = model.users
          .filter((u) => admin || u.user === session.user?.name)
          .map((u) => ({
            'model-tag': `model-${model.uuid}`,
            user: u.user,
            'display-name': userByName(u.user)?.displayName ?? '',
            // params.ModelUserInfo has no omitempty here: a user who never connected gets null.
            'last-connection': u.lastConnection ?? null,
            access: u.access,
          }))
        const info: Json = {
          name: model.name,
          type: model.type,
          uuid: model.uuid,
          'controller-uuid': estate.controllerUuid,
          'is-controller': false,
          'provider-type': providerType(model),
          'cloud-tag': `cloud-${model.cloud}`,
          'cloud-credential-tag': cloudCredentialTag(model),
          'cloud-credential-validity': true,
          'owner-tag': `user-${model.owner}`,
          life: 'alive',
          status: modelStatus(model),
          users,
          machines: writer ? machineInfo(model) : [],
          'secret-backends': [
            {
              result: model.type === 'caas'
                ? {name: `${model.name}-local`, 'backend-type': 'kubernetes', config: {}}
                : {name: 'internal', 'backend-type': 'controller', config: {}},
              id: model.type === 'caas' ? model.uuid : estate.controllerUuid,
              'num-secrets': 0,
              status: 'active',
            },
          ],
          sla: {level: 'unsupported', owner: model.owner},
          'agent-version': model.agentVersion,
          'supported-features': [{name: 'juju', description: 'the version of Juju used by the model', version: model.agentVersion}],
        }
        if (model.region) info['cloud-region'] = model.region
        return {result: info}
      }),
    }
  }

  function machineInfo(model: FakeModel): Json[] {
    const out: Json[] = []
    const walk = (machines: Record<string, Json>) => {
      for (const [id, machine] of Object.entries(machines)) {
        const hardware: Json = {}
        for (const pair of str(machine.hardware).split(/\s+/)) {
          const [key, value] = pair.split('=')
          if (!key || value === undefined) continue
          if (key === 'arch' || key === 'virt-type' || key === 'availability-zone') hardware[key] = value
          else if (key === 'cores' || key === 'cpu-power') hardware[key] = Number(value)
          else if (key === 'mem' || key === 'root-disk') hardware[key] = Number.parseInt(value, 10)
        }
        const info: Json = {id, 'instance-id': str(machine['instance-id']), status: str(rec(machine['agent-status']).status)}
        if (str(machine['display-name'])) info['display-name'] = str(machine['display-name'])
        if (Object.keys(hardware).length) info.hardware = hardware
        out.push(info)
        walk(rec(machine.containers) as Record<string, Json>)
      }
    }
    walk(apiStatus(model).machines as unknown as Record<string, Json>)
    return out
  }

  function userInfo(session: Session, params: Json): Json {
    const caller = session.user as FakeUser
    const entities = Array.isArray(params.entities) ? params.entities : []
    const describe = (user: FakeUser): Json => {
      const info: Json = {
        username: user.name,
        'display-name': user.displayName ?? '',
        access: user.access,
        'created-by': user.createdBy ?? 'admin',
        'date-created': user.dateCreated ?? '2023-01-01T00:00:00Z',
        disabled: user.disabled === true,
      }
      if (user.lastConnection) info['last-connection'] = user.lastConnection
      return info
    }
    if (entities.length === 0) {
      const visible = isSuperuser(session) ? estate.users : [caller]
      return {results: visible.filter((u) => params['include-disabled'] === true || !u.disabled).map((u) => ({result: describe(u)}))}
    }
    return {
      results: entities.map((entity) => {
        const name = tagId(rec(entity).tag, 'user') ?? ''
        if (name !== caller.name && !isSuperuser(session)) return {error: {message: 'permission denied', code: UNAUTHORIZED}}
        const user = userByName(name)
        return user ? {result: describe(user)} : {error: {message: `user "${name}" not found`, code: 'not found'}}
      }),
    }
  }

  function listApplicationOffers(session: Session, params: Json): Json {
    // params.OfferFilters has no json tag ("Filters"); Go decodes either spelling.
    const filters = (Array.isArray(params.Filters) ? params.Filters : Array.isArray(params.filters) ? params.filters : []).map(rec)
    if (filters.length === 0) throw new RpcError('at least one offer filter is required')
    const results: Json[] = []
    for (const filter of filters) {
      const modelName = str(filter['model-name'])
      if (!modelName) throw new RpcError('application offer filter must specify a model name')
      const owner = str(filter['owner-name']) || (session.user?.name ?? '')
      const model = estate.models.find((m) => m.name === modelName && m.owner === owner)
      if (!model) throw new RpcError(`model "${owner}/${modelName}" not found`, 'not found')
      for (const [offerName, raw] of Object.entries(rec(model.status.offers))) {
        const offer = rec(raw)
        if (str(filter['offer-name']) && !offerName.includes(str(filter['offer-name']))) continue
        if (str(filter['application-name']) && str(offer.application) !== str(filter['application-name'])) continue
        const offerUsers = model.offerUsers?.[offerName] ?? [
          {user: model.owner, access: 'admin' as const},
          {user: 'everyone@external', access: 'read' as const},
        ]
        const admin = isModelAdmin(session, model) || offerUsers.some((u) => u.user === session.user?.name && u.access === 'admin')
        const mine = offerUsers.filter((u) => u.user === session.user?.name || u.user === 'everyone@external')
        if (!admin && mine.length === 0) continue
        results.push({
          'source-model-tag': `model-${model.uuid}`,
          'offer-uuid': offerUuid(model, offerName),
          'offer-url': `${model.owner}/${model.name}.${offerName}`,
          'offer-name': offerName,
          'application-description': '',
          endpoints: Object.entries(rec(offer.endpoints)).map(([ep, e]) => ({
            name: ep,
            role: str(rec(e).role),
            interface: str(rec(e).interface),
            limit: 0,
          })),
          users: (admin ? offerUsers : mine).map((u) => ({user: u.user, 'display-name': userByName(u.user)?.displayName ?? '', access: u.access})),
          'application-name': str(offer.application),
          'charm-url': str(offer.charm),
          connections: offerConnections(model, offerName),
        })
      }
    }
    return {results}
  }

  /** Consumers of an offer: models of this estate whose status has it under application-endpoints. */
  function offerConnections(model: FakeModel, offerName: string): Json[] {
    const url = `${model.owner}/${model.name}.${offerName}`
    const out: Json[] = []
    for (const consumer of estate.models) {
      for (const [alias, raw] of Object.entries(rec(consumer.status['application-endpoints']))) {
        const remoteUrl = str(rec(raw).url)
        if (remoteUrl !== url && !remoteUrl.endsWith(`:${url}`)) continue
        const status = apiStatus(consumer)
        const relation = status.relations.find((r) => r.endpoints.some((e) => e.application === alias))
        const endpoint = relation?.endpoints.find((e) => e.application === alias)?.name ?? ''
        out.push({
          'source-model-tag': `model-${consumer.uuid}`,
          'relation-id': relation?.id ?? 0,
          username: consumer.owner,
          endpoint,
          status: {status: 'joined', info: '', since: modelSince(consumer)},
          'ingress-subnets': [],
        })
      }
    }
    return out
  }

  function offerUuid(model: FakeModel, offerName: string): string {
    let hash = 0
    for (const ch of `${model.uuid}/${offerName}`) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0
    return `${hash.toString(16).padStart(8, '0')}-0000-4000-8000-${model.uuid.slice(-12)}`
  }

  function exportBundle(session: Session): Json {
    const model = session.model
    if (!model || Object.keys(rec(model.status.applications)).length === 0) {
      throw new RpcError('nothing to export as there are no applications')
    }
    if (model.bundleError) throw new RpcError(model.bundleError)
    return {result: exportedBundle(model)}
  }

  /** ApplicationGetResults: charm config entries and the application config (trust). */
  function applicationGet(session: Session, params: Json): Json {
    const model = session.model as FakeModel
    const name = String(params.application ?? '')
    const application = rec(model.status.applications)[name] as Json | undefined
    if (!application) throw new RpcError(`application "${name}" not found`, 'not found')
    const trusted = (model.trust ?? []).includes(name)
    return {
      application: name,
      charm: String(application['charm-name'] ?? application.charm ?? name),
      base: {name: 'ubuntu', channel: '22.04/stable'},
      channel: String(application['charm-channel'] ?? 'stable'),
      constraints: {},
      config: {},
      'application-config': {
        trust: {default: false, description: 'Does this application have access to trusted credentials', source: trusted ? 'user' : 'default', type: 'bool', value: trusted},
      },
    }
  }

  const handlers: Record<string, (session: Session, params: Json) => Json> = {
    'Pinger.Ping': () => ({}),
    'ModelManager.ListModelSummaries': listModelSummaries,
    'ModelManager.ModelInfo': modelInfo,
    'UserManager.UserInfo': userInfo,
    'Controller.ControllerConfig': (session) => {
      if (!isSuperuser(session)) throw permissionDenied()
      return {config: {'ca-cert': pki.caCert, ...estate.controllerConfig}}
    },
    'ApplicationOffers.ListApplicationOffers': listApplicationOffers,
    'Client.FullStatus': (session) => {
      const model = session.model as FakeModel
      if (model.statusError) throw new RpcError(model.statusError)
      return apiStatus(model) as unknown as Json
    },
    'Bundle.ExportBundle': exportBundle,
    'Application.Get': applicationGet,
    'Block.List': (session) => {
      const model = session.model as FakeModel
      return {
        results: (model.blocks ?? []).map((block, i) => ({
          result: {id: `${model.uuid}:${i}`, tag: `model-${model.uuid}`, type: block.type, message: block.message},
        })),
      }
    },
  }

  function notImplemented(type: string, version: number, request?: string): RpcError {
    // Juju 3.1 and 3.6 word rpcreflect.CallNotImplementedError differently.
    if (estate.jujuVersion === '3.1') {
      return request === undefined
        ? new RpcError(`unknown version (${version}) of interface "${type}"`, 'not implemented')
        : new RpcError(`no such request - method ${type}(${version}).${request} is not implemented`, 'not implemented')
    }
    return request === undefined
      ? new RpcError(`unknown version ${version} for facade type "${type}"`, 'not implemented')
      : new RpcError(`unknown method "${request}" at version ${version} for facade type "${type}"`, 'not implemented')
  }

  function dispatch(session: Session, type: string, version: number, request: string, params: Json): Json {
    if (session.modelUuid !== undefined && !session.model && !options.redirects?.some((r) => r.modelUuid === session.modelUuid)) {
      throw new RpcError(`unknown model: "${session.modelUuid}"`, 'model not found')
    }
    if (!session.user) {
      if (type !== 'Admin') throw permissionDenied()
      if (version !== 3) throw notImplemented(type, version)
      if (request === 'Login') return login(session, params)
      if (request === 'RedirectInfo') return redirectInfo(session)
      throw notImplemented(type, version, request)
    }
    const controllerLogin = !session.model
    if (controllerLogin && !CONTROLLER_ONLY.has(type) && !COMMON.has(type)) {
      throw new RpcError(`facade "${type}" not supported for controller API connection`, 'not supported')
    }
    if (!controllerLogin && CONTROLLER_ONLY.has(type)) {
      throw new RpcError(`facade "${type}" not supported for model API connection`, 'not supported')
    }
    if (!facades[type]?.includes(version)) throw notImplemented(type, version)
    if (type === 'Admin') {
      if (request === 'Login') return login(session, params)
      if (request === 'RedirectInfo') return redirectInfo(session)
    }
    const handler = handlers[`${type}.${request}`]
    if (!handler) throw notImplemented(type, version, request)
    return handler(session, params)
  }

  const faultMatches = (fault: {request: string; model?: string}, request: string, session: Session) =>
    fault.request === request && (fault.model === undefined || fault.model === session.model?.name)

  function serve(ws: WebSocket, session: Session) {
    const endpoint = session.modelUuid ?? 'controller'
    ws.on('message', (data) => {
      let message: Json
      try {
        message = rec(JSON.parse(String(data)))
      } catch {
        // Juju drops a connection whose codec fails.
        ws.terminate()
        return
      }
      const requestId = message['request-id']
      const type = str(message.type)
      const version = typeof message.version === 'number' ? message.version : 0
      const request = str(message.request)
      calls.push({endpoint, type, version, request, params: message.params})

      const closeOn = options.faults?.closeOn
      if (closeOn && faultMatches(closeOn, request, session)) {
        ws.terminate()
        return
      }
      let reply: Json
      try {
        const injected = options.faults?.errorOn?.find((fault) => faultMatches(fault, request, session))
        if (injected) throw new RpcError(injected.message, injected.code ?? '')
        reply = {'request-id': requestId, response: dispatch(session, type, version, request, rec(message.params))}
      } catch (error) {
        const rpc = error instanceof RpcError ? error : new RpcError(error instanceof Error ? error.message : String(error))
        reply = {'request-id': requestId, error: rpc.message}
        if (rpc.code) reply['error-code'] = rpc.code
        if (rpc.info) reply['error-info'] = rpc.info
      }
      ws.send(JSON.stringify(reply))
    })
  }

  const server = createServer({cert: pki.serverCert, key: pki.serverKey}, (_req, res) => {
    res.writeHead(404, {'content-type': 'text/plain'}).end('404 page not found\n')
  })
  const wss = new WebSocketServer({noServer: true})
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'https://fake').pathname
    const model = /^\/model\/([^/]+)\/api$/.exec(path)
    if (path !== '/api' && !model) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n')
      return
    }
    const session: Session = model ? {modelUuid: model[1], model: modelByUuid(model[1] ?? '')} : {}
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws, session))
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  port = (server.address() as AddressInfo).port

  return {
    url: `wss://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    caCert: pki.caCert,
    calls,
    callCount: () => calls.length,
    estate,
    serverVersion,
    close: async () => {
      for (const client of wss.clients) client.terminate()
      wss.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/**
 * Writes controllers.yaml and accounts.yaml as the juju client keeps them in its data directory
 * (JUJU_DATA, ~/.local/share/juju), so code that reads the client's files finds these controllers.
 */
export function writeJujuData(
  dir: string,
  controllers: {name: string; controller: FakeController; user: string; password?: string; uuid?: string}[],
  current?: string,
): void {
  mkdirSync(dir, {recursive: true, mode: 0o700})
  const details: Record<string, Json> = {}
  const accounts: Record<string, Json> = {}
  for (const {name, controller, user, password, uuid} of controllers) {
    const estate = controller.estate
    const machines = estate.models.reduce((n, m) => n + Object.keys(rec(m.status.machines)).length, 0)
    const entry: Json = {
      uuid: uuid ?? estate.controllerUuid,
      'api-endpoints': [`${controller.host}:${controller.port}`],
      'ca-cert': controller.caCert,
      cloud: estate.cloud?.name ?? 'localhost',
    }
    if (estate.cloud?.region) entry.region = estate.cloud.region
    entry.type = estate.cloud?.type ?? 'lxd'
    entry['agent-version'] = controller.serverVersion
    entry['controller-machine-count'] = 1
    entry['active-controller-machine-count'] = 1
    entry['machine-count'] = machines + 1
    details[name] = entry
    const account: Json = {user}
    if (password !== undefined) account.password = password
    const access = estate.users.find((u) => u.name === user)?.access
    if (access) account['last-known-access'] = access
    accounts[name] = account
  }

  const controllersDoc = new Document({controllers: details, ...(current ? {'current-controller': current} : {})})
  // jujuclient tags api-endpoints `yaml:"api-endpoints,flow"`: ['10.0.0.1:17070'].
  for (const name of Object.keys(details)) {
    const endpoints = controllersDoc.getIn(['controllers', name, 'api-endpoints'], true)
    if (isSeq(endpoints)) {
      endpoints.flow = true
      for (const item of endpoints.items) if (isScalar(item)) item.type = 'QUOTE_SINGLE'
    }
  }
  writeFileSync(join(dir, 'controllers.yaml'), controllersDoc.toString({flowCollectionPadding: false}), {mode: 0o600})
  writeFileSync(join(dir, 'accounts.yaml'), new Document({controllers: accounts}).toString(), {mode: 0o600})
}

/** The estate never changes while served: convert each model once (the benchmark serves 200). */
const apiStatuses = new WeakMap<FakeModel, FullStatus>()
const bundles = new WeakMap<FakeModel, string>()

function apiStatus(model: FakeModel): FullStatus {
  let status = apiStatuses.get(model)
  if (!status) apiStatuses.set(model, (status = fullStatusFromCli(model.status, model)))
  return status
}

function exportedBundle(model: FakeModel): string {
  let bundle = bundles.get(model)
  if (bundle === undefined) bundles.set(model, (bundle = bundleFromCli(model.status, model)))
  return bundle
}
