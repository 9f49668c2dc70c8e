/**
 * A fake Juju controller for tests and the benchmark: a real WebSocket server over TLS on
 * 127.0.0.1 that speaks Juju's RPC framing, so `@canonical/jujulib` runs against it unmodified.
 * It serves the read calls an audit makes (login, model and user listings, controller config,
 * offers, full status, bundle export, blocks) from a FakeEstate, and the writes a reconcile makes
 * (model, controller and offer access, disabling users, blocks, exposure), which change that
 * estate as Juju 3.x would, so later reads show them. It records every call and can be told to
 * fail in the ways a real controller does (socket drop, call error, redirect).
 *
 * Errors carry Juju's wire message and code (`params.Error`): the Go client shows them as
 * "message (code)", but the RPC response holds the two apart.
 */
import {execFile} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {createServer} from 'node:https'
import {type AddressInfo, isIP} from 'node:net'
import {join} from 'node:path'

import type {MachineStatus} from '@canonical/jujulib/dist/api/facades/client/ClientV6.js'
import {type WebSocket, WebSocketServer} from 'ws'
import {Document, isSeq, isScalar} from 'yaml'

import {bundleFromCli, type FakeEstate, type FakeModel, type FakeUser, type FullStatus, fullStatusFromCli} from './estate.js'
import {AllModelWatchers, StoppedWatcher} from './all-model-watcher.js'
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
    /** Never answer this call, and keep the connection open (a hung controller). */
    silentOn?: {request: string; model?: string}
    /** Answer this call with an error. */
    errorOn?: {request: string; model?: string; message: string; code?: string}[]
  }
  /** Facade versions served instead of the Juju line's (e.g. `{ModelManager: [9, 10]}`: a controller that keeps an older version). */
  facades?: Record<string, number[]>
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
  /**
   * Changes the estate as something other than hardenctl would (`juju integrate`, a deploy):
   * what the API answers follows, and AllModelWatcher Next calls waiting answer with the deltas.
   */
  changeEstate(change: (estate: FakeEstate) => void): void
}

const SERVER_VERSION: Record<FakeEstate['jujuVersion'], string> = {'3.1': '3.1.8', '3.6': '3.6.1', '4.0': '4.0.10'}

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

// Juju 4.0 removed the AllWatcher (AllModelWatcher and AllWatcher are no longer registered; its release
// notes), and serves the facades hardenctl calls at these versions (the 4.0 line's register.go files in
// juju/juju, e.g. apiserver/facades/client/modelmanager: v10 the legacy owner-tag shape, v11 the qualifier;
// applicationoffers v5/v6; controller v12/v13). The set of a given 4.0.x release may differ by a version.
const {AllModelWatcher: _allModelWatcher, AllWatcher: _allWatcher, ...FACADES_36_WATCHERLESS} = FACADES_36
const FACADES_40: Record<string, number[]> = {
  ...FACADES_36_WATCHERLESS,
  Application: [19, 20, 21, 22], ApplicationOffers: [5, 6], Controller: [12, 13], ModelManager: [10, 11],
}

const FACADES: Record<FakeEstate['jujuVersion'], Record<string, number[]>> = {'3.1': FACADES_31, '3.6': FACADES_36, '4.0': FACADES_40}

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

// Access levels, lowest first (core/permission: modelValue, controllerValue, offerValue).
const MODEL_LEVELS: readonly string[] = ['read', 'write', 'admin']
const CONTROLLER_LEVELS: readonly string[] = ['login', 'superuser']
const OFFER_LEVELS: readonly string[] = ['read', 'consume', 'admin']
type ModelLevel = FakeModel['users'][number]['access']
type OfferUser = NonNullable<FakeModel['offerUsers']>[string][number]
type OfferLevel = OfferUser['access']
const rank = (levels: readonly string[], level: string) => levels.indexOf(level)

// The tag kinds juju/names knows: a tag of another known kind is "not a valid user tag", a
// string with no known kind "not a valid tag".
const TAG_KINDS = new Set([
  'action', 'application', 'applicationoffer', 'caasmodel', 'charm', 'cloud', 'cloudcred', 'controller', 'environment',
  'filesystem', 'generation', 'ipaddress', 'machine', 'model', 'operation', 'payload', 'relation', 'secret', 'space',
  'storage', 'subnet', 'unit', 'user', 'volume',
])
const VALID_ID: Record<string, RegExp> = {
  // names.IsValidUser: a local name of two or more characters, optionally @domain.
  user: /^[a-zA-Z0-9][a-zA-Z0-9.+-]*[a-zA-Z0-9](?:@[a-zA-Z0-9.-]*[a-zA-Z0-9])?$/,
  model: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
}

/**
 * names.ParseUserTag / ParseModelTag: the tag's id ("user-bob@local" → "bob"), or the error Juju
 * answers with, prefixed by `annotation` the way the facade annotates it.
 */
function parseTag(value: unknown, kind: 'user' | 'model', annotation?: string): string {
  const tag = str(value)
  const dash = tag.indexOf('-')
  const prefix = dash > 0 ? tag.slice(0, dash) : ''
  const fail = (message: string) => new RpcError(annotation ? `${annotation}: ${message}` : message)
  if (!TAG_KINDS.has(prefix)) throw fail(`"${tag}" is not a valid tag`)
  const id = tag.slice(dash + 1)
  if (prefix !== kind || !VALID_ID[kind]?.test(id)) throw fail(`"${tag}" is not a valid ${kind} tag`)
  return kind === 'user' ? id.replace(/@local$/, '') : id
}

/** A user of this controller's own database, as opposed to an external (user@domain) one. */
const isLocalUser = (id: string) => !id.includes('@')

/**
 * crossmodel.ParseOfferURL: `[source:][owner/]model.offer`. The source (a controller name) is
 * ignored as the facade ignores it.
 */
function parseOfferUrl(url: string): {user: string; model: string; offer: string} {
  const parts = url.split(':')
  let rest = url
  if (parts.length === 3) rest = `${parts[1]}:${parts[2]}`
  else if (parts.length === 2 && !/^[a-zA-Z0-9]+$/.test(parts[1] ?? '')) rest = parts[1] ?? ''
  const match = /^\/?(?:([^/]+)\/)?([^.]*)(?:\.([^:]*(?::.*)?))?$/.exec(rest)
  const [, user = '', model = '', offer = ''] = match ?? []
  if (!match || model.includes('/') || offer.includes('/')) {
    throw new RpcError(`application offer URL has invalid form, must be [<user/]<model>.<appname>: "${url}"`)
  }
  if (model === '') throw new RpcError('application offer URL is missing model')
  if (offer === '') throw new RpcError('application offer URL is missing application')
  return {user, model, offer}
}

/** Who can use an offer nobody changed: its owner (admin) and everyone@external (read), as `juju offer` sets it up. */
function defaultOfferUsers(model: FakeModel): OfferUser[] {
  return [
    {user: model.owner, access: 'admin'},
    {user: 'everyone@external', access: 'read'},
  ]
}

/** The spaces a model knows: those its endpoint bindings name, and the default "alpha". */
function knownSpaces(model: FakeModel): Set<string> {
  const spaces = new Set(['alpha'])
  for (const app of Object.values(rec(model.status.applications))) {
    for (const space of Object.values(rec(rec(app)['endpoint-bindings']))) if (typeof space === 'string' && space) spaces.add(space)
  }
  return spaces
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [])
const uniqueSorted = (values: string[]) => [...new Set(values)].sort()
const sortedRecord = <T>(record: Record<string, T>): Record<string, T> =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))

/** Go's net.ParseCIDR, near enough: an IPv4 or IPv6 address and a prefix length that fits it. */
function isCidr(value: string): boolean {
  const slash = value.indexOf('/')
  if (slash < 0) return false
  const family = isIP(value.slice(0, slash))
  const bits = value.slice(slash + 1)
  if (family === 0 || !/^\d{1,3}$/.test(bits)) return false
  return Number(bits) <= (family === 4 ? 32 : 128)
}

/** `juju expose` with no CIDRs or spaces: firewall.AllNetworksIPV4CIDR and AllNetworksIPV6CIDR. */
const ALL_NETWORKS = ['0.0.0.0/0', '::/0']

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
  const facades = {...FACADES[estate.jujuVersion], ...options.facades}
  const serverVersion = SERVER_VERSION[estate.jujuVersion]
  const userByName = (name: string) => estate.users.find((u) => u.name === name)
  const modelByUuid = (uuid: string) => estate.models.find((m) => m.uuid === uuid)
  let port = 0
  const allModelWatchers = new AllModelWatchers(estate, apiStatus)

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

  /** Juju 3 (ModelManager up to v10) names a model's owner; v11 (Juju 4) a qualifier instead. */
  function qualify(entry: Json, model: FakeModel, version: number): void {
    if (version >= 11) entry.qualifier = model.owner
    else entry['owner-tag'] = `user-${model.owner}`
  }

  function listModelSummaries(session: Session, params: Json, _id: string, version: number): Json {
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
          life: 'alive',
          status: modelStatus(model),
          'user-access': access?.access ?? '',
          'last-connection': access?.lastConnection ?? null,
          counts: modelCounts(model),
          sla: {level: 'unsupported', owner: model.owner},
          'agent-version': model.agentVersion,
        }
        if (model.region) summary['cloud-region'] = model.region
        qualify(summary, model, version)
        return {result: summary}
      }),
    }
  }

  function modelInfo(session: Session, params: Json, _id: string, version: number): Json {
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
        qualify(info, model, version)
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

  function listApplicationOffers(session: Session, params: Json, _id: string, version: number): Json {
    // params.OfferFilters has no json tag ("Filters"); Go decodes either spelling.
    const filters = (Array.isArray(params.Filters) ? params.Filters : Array.isArray(params.filters) ? params.filters : []).map(rec)
    if (filters.length === 0) throw new RpcError('at least one offer filter is required')
    const results: Json[] = []
    for (const filter of filters) {
      const modelName = str(filter['model-name'])
      if (!modelName) throw new RpcError('application offer filter must specify a model name')
      // v6 (Juju 4) reads model-qualifier and ignores owner-name; an empty one is the caller's (applicationoffers.go).
      const owner = str(filter[version >= 6 ? 'model-qualifier' : 'owner-name']) || (session.user?.name ?? '')
      const model = estate.models.find((m) => m.name === modelName && m.owner === owner)
      if (!model) throw new RpcError(`model "${owner}/${modelName}" not found`, 'not found')
      for (const [offerName, raw] of Object.entries(rec(model.status.offers))) {
        const offer = rec(raw)
        if (str(filter['offer-name']) && !offerName.includes(str(filter['offer-name']))) continue
        if (str(filter['application-name']) && str(offer.application) !== str(filter['application-name'])) continue
        const offerUsers = model.offerUsers?.[offerName] ?? defaultOfferUsers(model)
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
          // The 4.0 line's ListApplicationOffers fills no connections ("TODO (cmr) Add offer connections").
          connections: version >= 6 ? [] : offerConnections(model, offerName),
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

  // ---- Writes (what `hardenctl reconcile` sends). Each follows the Juju 3.x apiserver facade
  // and the state package underneath it: the same checks in the same order, the same wire
  // message and code. A change to an application's exposure drops the model's cached status
  // and bundle; a change to an offer's ACL drops its cached bundle (the overlay lists the ACL).

  /** Runs one item of a bulk call: `{}` when it succeeds, `{error}` when Juju would refuse it. */
  /** ErrorResults for a `{changes: [...]}` request: each change applied on its own, its RpcError its result. */
  function eachChange(params: Json, apply: (change: Json) => void): Json {
    const changes = Array.isArray(params.changes) ? params.changes.map(rec) : []
    return {results: changes.map((change) => outcome(() => apply(change)))}
  }

  function outcome(change: () => void): Json {
    try {
      change()
      return {}
    } catch (error) {
      if (error instanceof RpcError) return {error: {message: error.message, code: error.code}}
      throw error
    }
  }

  /** A local user that must exist and not be disabled before Juju reads its access (state.userMayHaveAccess). */
  function mayHaveAccess(id: string, annotation: string): void {
    if (!isLocalUser(id)) return
    const user = userByName(id)
    if (!user) throw new RpcError(`${annotation}: user "${id}" not found`, 'not found')
    if (user.disabled) throw new RpcError(`${annotation}: user "${id}" is disabled`)
  }

  /** state.addUserAccess: a local user must exist before it is given access. */
  function requireLocalUser(id: string, annotation: string): void {
    if (isLocalUser(id) && !userByName(id)) {
      throw new RpcError(`${annotation}: user "${id}" does not exist locally: user "${id}" not found`, 'not found')
    }
  }

  /** After a change to what the model's status or bundle shows: both are made again, and the watchers told. */
  function forgetCached(model: FakeModel): void {
    dropCached(model)
    allModelWatchers.changed()
  }

  /** ModelManager.ModifyModelAccess (apiserver/facades/client/modelmanager changeModelAccess). */
  function modifyModelAccess(session: Session, params: Json): Json {
    const caller = session.user?.name ?? ''
    const superuser = isSuperuser(session)
    return eachChange(params, (change) => {
      const access = str(change.access)
      if (!MODEL_LEVELS.includes(access)) throw new RpcError(`could not modify model access: "${access}" model access not valid`, 'not valid')
      const uuid = parseTag(change['model-tag'], 'model', 'could not modify model access')
      const model = modelByUuid(uuid)
      const modelAdmin = model?.users.some((u) => u.user === caller && u.access === 'admin') ?? false
      if (!superuser && !modelAdmin) throw permissionDenied()
      const target = parseTag(change['user-tag'], 'user', 'could not modify model access')
      if (!model) throw new RpcError(`could not lookup model: model "${uuid}" not found`, 'not found')
      const entry = model.users.find((u) => u.user === target)
      const action = str(change.action)
      const level = access as ModelLevel
      if (action === 'grant') {
        if (!entry) {
          requireLocalUser(target, 'could not grant model access')
          model.users.push({user: target, access: level})
          return
        }
        mayHaveAccess(target, 'could not look up model access for user')
        if (rank(MODEL_LEVELS, entry.access) >= rank(MODEL_LEVELS, level)) throw new RpcError(`user already has "${level}" access or greater`)
        entry.access = level
      } else if (action === 'revoke') {
        if (level === 'read') {
          // Revoking read removes the user's access to the model altogether.
          if (!entry) throw new RpcError(`could not revoke model access: model user "${target}" does not exist`, 'not found')
          model.users.splice(model.users.indexOf(entry), 1)
          return
        }
        mayHaveAccess(target, 'could not look up model access for user')
        if (!entry) throw new RpcError(`could not look up model access for user: model user "${target}" not found`, 'not found')
        // Juju sets the level below the one revoked whatever the user holds: revoking admin
        // from a reader makes it a writer.
        entry.access = level === 'write' ? 'read' : 'write'
      } else {
        throw new RpcError(`unknown action "${action}"`)
      }
    })
  }

  /** Controller.ModifyControllerAccess (apiserver/facades/client/controller ChangeControllerAccess). */
  function modifyControllerAccess(session: Session, params: Json): Json {
    const superuser = isSuperuser(session)
    return eachChange(params, (change) => {
      if (!superuser) throw permissionDenied()
      const access = str(change.access)
      if (access !== 'login' && access !== 'superuser') throw new RpcError(`"${access}" controller access not valid`, 'not valid')
      const target = parseTag(change['user-tag'], 'user', 'could not modify controller access')
      const user = userByName(target)
      const action = str(change.action)
      if (action === 'grant') {
        const annotation = 'could not grant controller access'
        if (!user) {
          requireLocalUser(target, annotation)
          // An external user (bob@idp): Juju keeps only its controller access; here it becomes a
          // user without a password (which an all-users UserInfo lists, unlike Juju).
          estate.users.push({name: target, access})
          return
        }
        if (user.access === '') {
          user.access = access
          return
        }
        mayHaveAccess(target, `${annotation}: could not look up controller access for user`)
        if (rank(CONTROLLER_LEVELS, user.access) >= rank(CONTROLLER_LEVELS, access)) {
          throw new RpcError(`${annotation}: user already has "${access}" access or greater`)
        }
        user.access = access
      } else if (action === 'revoke') {
        if (access === 'login') {
          // Revoking login removes all controller access (superuser included).
          if (!user || user.access === '') throw new RpcError(`could not revoke controller access: controller user "${target}" does not exist`, 'not found')
          user.access = ''
          return
        }
        mayHaveAccess(target, 'could not look up controller access for user')
        if (!user || user.access === '') throw new RpcError(`could not look up controller access for user: controller user "${target}" not found`, 'not found')
        user.access = 'login'
      } else {
        throw new RpcError(`unknown action "${action}"`)
      }
    })
  }

  /** The users of an offer, written into the model so that a change sticks (server default otherwise). */
  function offerUsersOf(model: FakeModel, offerName: string): OfferUser[] {
    model.offerUsers ??= {}
    return (model.offerUsers[offerName] ??= defaultOfferUsers(model))
  }

  /** ApplicationOffers.ModifyOfferAccess (apiserver/facades/client/applicationoffers, state/applicationofferuser.go). */
  function modifyOfferAccess(session: Session, params: Json): Json {
    const caller = session.user?.name ?? ''
    const superuser = isSuperuser(session)
    return eachChange(params, (change) => {
      const url = parseOfferUrl(str(change['offer-url']))
      const owner = url.user || caller
      const model = estate.models.find((m) => m.name === url.model && m.owner === owner)
      if (!model) throw new RpcError(`model "${owner}/${url.model}" not found`, 'not found')
      const access = str(change.access)
      if (!OFFER_LEVELS.includes(access)) throw new RpcError(`could not modify offer access: "${access}" offer access not valid`, 'not valid')
      const offerName = url.offer
      const exists = Object.hasOwn(rec(model.status.offers), offerName)
      // Juju 3.x also asks whether the caller is a model admin, but drops the answer
      // (modifyOneOfferAccess never assigns it): only a superuser or an offer admin passes.
      let allowed = superuser
      if (!allowed) {
        if (!exists) throw permissionDenied()
        const current = model.offerUsers?.[offerName] ?? defaultOfferUsers(model)
        allowed = current.some((u) => u.user === caller && u.access === 'admin')
      }
      if (!allowed) throw permissionDenied()
      const target = parseTag(change['user-tag'], 'user', 'could not modify offer access')
      if (!exists) throw new RpcError(`application offer "${offerName}" not found`, 'not found')
      const action = str(change.action)
      const level = access as OfferLevel
      const missing = `user permission for "us#${target.toLowerCase()}" on "ao#${offerUuid(model, offerName)}" not found`
      if (action === 'grant') {
        requireLocalUser(target, 'could not grant offer access')
        const users = offerUsersOf(model, offerName)
        const entry = users.find((u) => u.user === target)
        if (!entry) users.push({user: target, access: level})
        else if (rank(OFFER_LEVELS, entry.access) >= rank(OFFER_LEVELS, level)) throw new RpcError(`user already has "${level}" access or greater`)
        else entry.access = level
      } else if (action === 'revoke') {
        const current = model.offerUsers?.[offerName] ?? defaultOfferUsers(model)
        const held = current.find((u) => u.user === target)
        if (level === 'read') {
          if (!held) throw new RpcError(`could not revoke offer access: ${missing}`, 'not found')
          const users = offerUsersOf(model, offerName)
          users.splice(users.findIndex((u) => u.user === target), 1)
        } else {
          const annotation = level === 'consume' ? 'could not set offer access to read-only' : 'could not set offer access to read-consume'
          if (!held) throw new RpcError(`${annotation}: ${missing}`, 'not found')
          const entry = offerUsersOf(model, offerName).find((u) => u.user === target) as OfferUser
          entry.access = level === 'consume' ? 'read' : 'consume'
        }
      } else {
        throw new RpcError(`unknown action "${action}"`)
      }
      bundles.delete(model)
    })
  }

  /** UserManager.DisableUser (apiserver/facades/client/usermanager enableUserImpl, state.User.Disable). */
  function disableUser(session: Session, params: Json): Json {
    // Not a superuser: the whole call fails, not each entity.
    if (!isSuperuser(session)) throw permissionDenied()
    const entities = Array.isArray(params.entities) ? params.entities.map(rec) : []
    // params.ErrorResults left unset by Juju: {"results": null}.
    if (entities.length === 0) return {results: null}
    const owner = estate.controllerOwner ?? 'admin'
    return {
      results: entities.map((entity) =>
        outcome(() => {
          const name = parseTag(entity.tag, 'user')
          const user = isLocalUser(name) ? userByName(name) : undefined
          // usermanager.getUser wraps "user not found" in ErrPerm.
          if (!user) throw permissionDenied()
          if (user.name === owner) throw new RpcError('failed to disable user: cannot disable controller model owner')
          user.disabled = true
        }),
      ),
    }
  }

  const canWrite = (session: Session, model: FakeModel) => {
    const access = accessTo(model, session.user)?.access
    return isSuperuser(session) || access === 'write' || access === 'admin'
  }

  /** common.BlockChecker.ChangeAllowed: a BlockChange on the model refuses the call with the block's message. */
  function changeAllowed(model: FakeModel): void {
    const block = model.blocks?.find((b) => b.type === 'BlockChange')
    if (block) throw new RpcError(block.message || 'the operation has been blocked', 'operation is blocked')
  }

  /** Block.SwitchBlockOn (apiserver/facades/client/block, state.setModelBlock): one ErrorResult. */
  function switchBlockOn(session: Session, params: Json): Json {
    const model = session.model as FakeModel
    if (!canWrite(session, model)) return {error: {message: 'permission denied', code: UNAUTHORIZED}}
    const type = str(params.type)
    // Juju 3.x's state.ParseBlockType panics on an unknown type; answer with an error instead.
    if (type !== 'BlockDestroy' && type !== 'BlockRemove' && type !== 'BlockChange') throw new RpcError(`unknown block type ${type}`)
    const message = str(params.message)
    model.blocks ??= []
    // One block per type: switching it on again only replaces the message.
    const existing = model.blocks.find((b) => b.type === type)
    if (existing) existing.message = message
    else model.blocks.push({type, message})
    allModelWatchers.changed()
    return {}
  }

  function applicationFor(session: Session, params: Json): {model: FakeModel; name: string; app: Json} {
    const model = session.model as FakeModel
    if (!canWrite(session, model)) throw permissionDenied()
    changeAllowed(model)
    const name = str(params.application)
    const app = rec(model.status.applications)[name]
    if (typeof app !== 'object' || app === null) throw new RpcError(`application "${name}" not found`, 'not found')
    return {model, name, app: app as Json}
  }

  /** Application.Expose (apiserver/facades/client/application, state.Application.MergeExposeSettings). */
  function exposeApplication(session: Session, params: Json): Json {
    const {model, name, app} = applicationFor(session, params)
    if (model.type === 'caas' && !str(model.applicationConfig?.[name]?.['juju-external-hostname'])) {
      throw new RpcError(`cannot expose a container application without a "juju-external-hostname" value set, run\njuju config ${name} juju-external-hostname=<value>`)
    }
    const requested = Object.entries(rec(params['exposed-endpoints'])).map(([endpoint, raw]) => {
      const settings = rec(raw)
      return {endpoint, spaces: strings(settings['expose-to-spaces']), cidrs: strings(settings['expose-to-cidrs'])}
    })
    const spaces = knownSpaces(model)
    for (const {spaces: wanted} of requested) {
      for (const space of wanted) if (!spaces.has(space)) throw new RpcError(`space "${space}" not found`, 'not found')
    }
    // No endpoints named: every endpoint, to the whole world (the pre-2.9 `juju expose`).
    if (requested.length === 0) requested.push({endpoint: '', spaces: [], cidrs: [...ALL_NETWORKS]})
    const bindings = rec(app['endpoint-bindings'])
    const merged: Record<string, Json> = {...(rec(app['exposed-endpoints']) as Record<string, Json>)}
    for (const {endpoint, spaces: toSpaces, cidrs: toCidrs} of requested) {
      if (endpoint !== '' && !Object.hasOwn(bindings, endpoint)) throw new RpcError(`endpoint "${endpoint}" not found`, 'not found')
      const spaceList = uniqueSorted(toSpaces)
      let cidrList = uniqueSorted(toCidrs)
      for (const cidr of cidrList) {
        if (!isCidr(cidr)) throw new RpcError(`unable to parse "${cidr}" as a CIDR: invalid CIDR address: ${cidr}`)
      }
      if (spaceList.length + cidrList.length === 0) cidrList = [...ALL_NETWORKS]
      // A named endpoint's settings replace whatever it had.
      const settings: Json = {}
      if (spaceList.length) settings['expose-to-spaces'] = spaceList
      if (cidrList.length) settings['expose-to-cidrs'] = cidrList
      merged[endpoint] = settings
    }
    app.exposed = true
    app['exposed-endpoints'] = sortedRecord(merged)
    forgetCached(model)
    return {}
  }

  /** Application.Unexpose (state.Application.ClearExposed / UnsetExposeSettings). */
  function unexposeApplication(session: Session, params: Json): Json {
    const {model, app} = applicationFor(session, params)
    const endpoints = strings(params['exposed-endpoints'])
    if (endpoints.length === 0) {
      app.exposed = false
      delete app['exposed-endpoints']
    } else {
      const bindings = rec(app['endpoint-bindings'])
      const remaining: Record<string, Json> = {...(rec(app['exposed-endpoints']) as Record<string, Json>)}
      for (const endpoint of endpoints) {
        if (endpoint !== '' && !Object.hasOwn(bindings, endpoint)) throw new RpcError(`endpoint "${endpoint}" not found`, 'not found')
        if (!Object.hasOwn(remaining, endpoint)) throw new RpcError(`endpoint "${endpoint}" is not exposed`, 'bad request')
        delete remaining[endpoint]
      }
      // The application stays exposed only while some endpoint keeps expose settings.
      app.exposed = Object.keys(remaining).length > 0
      if (app.exposed) app['exposed-endpoints'] = sortedRecord(remaining)
      else delete app['exposed-endpoints']
    }
    forgetCached(model)
    return {}
  }

  // ---- Action.Run and Action.Actions: `juju exec --machine N` (apiserver/facades/client/action
  // run.go: one juju-exec action per receiver, an operation around them; the machine agent runs
  // the commands and sets return-code, stdout and stderr in the action's output, base64 with
  // stdout-encoding when they are not UTF-8).
  interface FakeAction {
    tag: string
    receiver: string
    commands: string
    status: 'pending' | 'running' | 'completed' | 'failed'
    enqueued: string
    started?: string
    completed?: string
    output?: Json
    message?: string
  }
  const actions = new Map<string, FakeAction>()
  let nextId = 1
  const emptyRoot = mkdtempSync(join(tmpdir(), 'fake-juju-machine-'))

  function topMachines(model: FakeModel): Set<string> {
    const ids = new Set<string>()
    const walk = (machines: Record<string, Json>) => {
      for (const [id, machine] of Object.entries(machines)) {
        ids.add(id)
        walk(rec(machine.containers) as Record<string, Json>)
      }
    }
    walk(rec(model.status.machines) as Record<string, Json>)
    return ids
  }

  function actionRun(session: Session, params: Json): Json {
    const model = session.model as FakeModel
    if (!isModelAdmin(session, model)) throw permissionDenied()
    const commands = str(params.commands)
    if (commands === '') throw new RpcError('no commands specified')
    if (typeof params.timeout !== 'number') throw new RpcError('json: cannot unmarshal timeout')
    if (strings(params.applications).length > 0 || strings(params.units).length > 0) throw new RpcError('the fake controller runs commands on machines only')
    const known = topMachines(model)
    const operation = `operation-${nextId++}`
    const results: Json[] = []
    for (const machine of strings(params.machines)) {
      if (!known.has(machine)) {
        results.push({error: {message: `machine ${machine} not found`, code: 'not found'}})
        continue
      }
      const action: FakeAction = {tag: `action-${nextId++}`, receiver: `machine-${machine.replaceAll('/', '-')}`, commands, status: 'running', enqueued: new Date().toISOString()}
      action.started = action.enqueued
      actions.set(action.tag, action)
      const root = model.hostRoots?.[machine] ?? emptyRoot
      execFile('sh', ['-c', commands], {env: {PATH: process.env.PATH ?? '/usr/bin:/bin', HARDENCTL_HOST_ROOT: root}, maxBuffer: 64 << 20, encoding: 'buffer'}, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
        const output: Json = {'return-code': code}
        for (const [key, data] of [['stdout', stdout], ['stderr', stderr]] as const) {
          if (data.length === 0) continue
          const utf8 = Buffer.from(data.toString('utf8'), 'utf8').equals(data)
          output[key] = utf8 ? data.toString('utf8') : data.toString('base64')
          if (!utf8) output[`${key}-encoding`] = 'base64'
        }
        action.output = output
        action.status = 'completed'
        action.completed = new Date().toISOString()
      })
      results.push(actionResult(action))
    }
    return {operation, actions: results}
  }

  function actionResult(action: FakeAction): Json {
    const result: Json = {
      action: {tag: action.tag, receiver: action.receiver, name: 'juju-exec', parameters: {command: action.commands, timeout: 0}},
      status: action.status,
      enqueued: action.enqueued,
    }
    if (action.started) result.started = action.started
    if (action.completed) result.completed = action.completed
    if (action.output) result.output = action.output
    if (action.message) result.message = action.message
    return result
  }

  function actionActions(session: Session, params: Json): Json {
    const entities = Array.isArray(params.entities) ? params.entities.map(rec) : []
    return {
      results: entities.map((entity) => {
        const action = actions.get(str(entity.tag))
        return action ? actionResult(action) : {error: {message: `action "${str(entity.tag)}" not found`, code: 'not found'}}
      }),
    }
  }

  const handlers: Record<string, (session: Session, params: Json, id: string, version: number) => Json | Promise<Json>> = {
    // Controller.WatchAllModels needs superuser (apiserver/facades/client/controller).
    'Controller.WatchAllModels': (session) => {
      if (!isSuperuser(session)) throw permissionDenied()
      // Juju 4.0 keeps the method but answers errors.NotImplementedf("WatchAllModels") (controller.go).
      if (estate.jujuVersion === '4.0') throw new RpcError('WatchAllModels not implemented', 'not implemented')
      return {'watcher-id': allModelWatchers.start()}
    },
    // The watcher's id travels in the request's "id" field, not in its params.
    'AllModelWatcher.Next': async (_session, _params, id) => ({deltas: await allModelWatchers.next(id)}),
    'AllModelWatcher.Stop': (_session, _params, id) => {
      allModelWatchers.stop(id)
      return {}
    },
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
    // Writes.
    'ModelManager.ModifyModelAccess': modifyModelAccess,
    'Controller.ModifyControllerAccess': modifyControllerAccess,
    'ApplicationOffers.ModifyOfferAccess': modifyOfferAccess,
    'UserManager.DisableUser': disableUser,
    'Block.SwitchBlockOn': switchBlockOn,
    'Application.Expose': exposeApplication,
    'Application.Unexpose': unexposeApplication,
    'Action.Run': actionRun,
    'Action.Actions': actionActions,
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

  function dispatch(session: Session, type: string, version: number, request: string, params: Json, id: string): Json | Promise<Json> {
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
    return handler(session, params, id, version)
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
      const silentOn = options.faults?.silentOn
      if (silentOn && faultMatches(silentOn, request, session)) return
      const failed = (error: unknown): Json => {
        const rpc = error instanceof RpcError ? error : new RpcError(error instanceof Error ? error.message : String(error), error instanceof StoppedWatcher ? error.code : '')
        const reply: Json = {'request-id': requestId, error: rpc.message}
        if (rpc.code) reply['error-code'] = rpc.code
        if (rpc.info) reply['error-info'] = rpc.info
        return reply
      }
      let reply: Json | Promise<Json>
      try {
        const injected = options.faults?.errorOn?.find((fault) => faultMatches(fault, request, session))
        if (injected) throw new RpcError(injected.message, injected.code ?? '')
        const response = dispatch(session, type, version, request, rec(message.params), str(message.id))
        reply = response instanceof Promise ? response.then((answer) => ({'request-id': requestId, response: answer}), failed) : {'request-id': requestId, response}
      } catch (error) {
        reply = failed(error)
      }
      // A watcher's Next answers when there is something to say; the connection may be gone by then.
      void Promise.resolve(reply).then((answer) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(answer))
      })
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
    changeEstate(change) {
      change(estate)
      for (const model of estate.models) dropCached(model)
      allModelWatchers.changed()
    },
    close: async () => {
      allModelWatchers.stopAll()
      for (const client of wss.clients) client.terminate()
      wss.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      rmSync(emptyRoot, {recursive: true, force: true})
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

/**
 * Each model's status and bundle, converted once (the benchmark serves 200). A write that changes
 * what they show (exposure, offer ACLs) drops the model's entries.
 */
const apiStatuses = new WeakMap<FakeModel, FullStatus>()
const bundles = new WeakMap<FakeModel, string>()

function apiStatus(model: FakeModel): FullStatus {
  let status = apiStatuses.get(model)
  if (!status) apiStatuses.set(model, (status = fullStatusFromCli(model.status, model)))
  return status
}

function dropCached(model: FakeModel): void {
  apiStatuses.delete(model)
  bundles.delete(model)
}

function exportedBundle(model: FakeModel): string {
  let bundle = bundles.get(model)
  if (bundle === undefined) bundles.set(model, (bundle = bundleFromCli(model.status, model)))
  return bundle
}
