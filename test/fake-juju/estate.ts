/**
 * The fake controller's state, and how it is built from real `juju status --format=json` dumps.
 * The controller serves the API shapes (params.FullStatus, `juju export-bundle` YAML) derived
 * from the CLI shape here, so a test can start from any status dump in the corpus.
 *
 * API field names follow juju/juju `rpc/params` (3.x), which is also what the jujulib facade
 * types are generated from; the CLI side follows `cmd/juju/status/formatted.go`.
 */
import {existsSync, readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import type {
  ApplicationOfferStatus,
  ApplicationStatus,
  Base,
  DetailedStatus,
  FullStatus,
  MachineStatus,
  NetworkInterface,
  RelationStatus,
  RemoteApplicationStatus,
  RemoteEndpoint,
  UnitStatus,
} from '@canonical/jujulib/dist/api/facades/client/ClientV6.js'
import {stringify} from 'yaml'

export type {FullStatus}

export interface FakeUser {
  name: string
  password?: string
  displayName?: string
  access: 'superuser' | 'login' | ''
  disabled?: boolean
  /** RFC 3339. */
  lastConnection?: string
  dateCreated?: string
  createdBy?: string
}

export interface FakeModel {
  name: string
  uuid: string
  owner: string
  type: 'iaas' | 'caas'
  cloud: string
  region?: string
  agentVersion: string
  /** A `juju status --format=json` document (CLI shape), e.g. from test/corpus/status/. */
  status: Record<string, unknown>
  users: {user: string; access: 'read' | 'write' | 'admin'; lastConnection?: string}[]
  blocks?: {type: 'BlockDestroy' | 'BlockRemove' | 'BlockChange'; message: string}[]
  offerUsers?: Record<string, {user: string; access: 'read' | 'consume' | 'admin'}[]>
  /** Applications deployed with --trust (status does not show it; the exported bundle does). */
  trust?: string[]
  /** Application config beyond trust, e.g. `juju-external-hostname`, which a Kubernetes application needs before Expose. */
  applicationConfig?: Record<string, Record<string, unknown>>
  /** ExportBundle fails with this message. */
  bundleError?: string
  /** FullStatus fails with this message. */
  statusError?: string
  /**
   * Machine id → a directory laid out like that machine's `/`. Action.Run (`juju exec`) runs
   * its commands with `sh` and HARDENCTL_HOST_ROOT set to it; a machine without one runs them
   * against an empty directory.
   */
  hostRoots?: Record<string, string>
}

export interface FakeEstate {
  controllerName: string
  controllerUuid: string
  jujuVersion: '3.1' | '3.6' | '4.0'
  users: FakeUser[]
  models: FakeModel[]
  controllerConfig: Record<string, unknown>
  /** The cloud the controller itself runs on (controllers.yaml `cloud`/`region`/`type`). */
  cloud?: {name: string; region?: string; type: string}
  /** The user who bootstrapped the controller (default "admin"): DisableUser refuses it. */
  controllerOwner?: string
}

type Json = Record<string, unknown>

const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)
const rec = (value: unknown): Json => (isRecord(value) ? value : {})
const str = (value: unknown): string => (typeof value === 'string' ? value : '')
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [])

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** The CLI prints `26 Apr 2023 09:55:00+02:00`; the API sends RFC 3339. */
export function cliTimeToRfc3339(value: unknown): string | undefined {
  const text = str(value)
  const match = /^(\d{1,2}) (\w{3}) (\d{4}) (\d{2}:\d{2}:\d{2})(Z|[+-]\d{2}:\d{2})$/.exec(text)
  if (!match) return /^\d{4}-\d{2}-\d{2}T/.test(text) ? text : undefined
  const [, day, month, year, time, zone] = match
  const monthIndex = MONTHS.indexOf(month ?? '')
  if (monthIndex < 0) return undefined
  return `${year}-${String(monthIndex + 1).padStart(2, '0')}-${(day ?? '').padStart(2, '0')}T${time}${zone}`
}

const SERIES: Record<string, string> = {
  '16.04': 'xenial',
  '18.04': 'bionic',
  '20.04': 'focal',
  '22.04': 'jammy',
  '24.04': 'noble',
}

function apiBase(cli: unknown): Base {
  const base = rec(cli)
  const channel = str(base.channel)
  return {name: str(base.name), channel: channel === '' || channel.includes('/') ? channel : `${channel}/stable`}
}

/** `ubuntu@22.04/stable`, as bundles and `juju show-application` write a base. */
function baseString(cli: unknown): string | undefined {
  const base = apiBase(cli)
  return base.name === '' ? undefined : `${base.name}@${base.channel}`
}

function charmUrl(app: Json): string {
  const charm = str(app.charm)
  if (charm.includes(':')) return charm
  const name = str(app['charm-name']) || charm
  const revision = typeof app['charm-rev'] === 'number' ? `-${app['charm-rev']}` : ''
  const base = rec(app.base)
  const series = SERIES[str(base.channel).split('/')[0] ?? ''] ?? `${str(base.name)}-${str(base.channel)}`
  if (str(app['charm-origin']) === 'local') return `local:${series}/${name}${revision}`
  return `ch:amd64/${series}/${name}${revision}`
}

interface StatusDefaults {
  since: string
}

function detailed(cli: unknown, kind: string, defaults: StatusDefaults, life = ''): DetailedStatus {
  const status = rec(cli)
  return {
    status: str(status.current),
    info: str(status.message),
    data: rec(status.data),
    since: cliTimeToRfc3339(status.since) ?? defaults.since,
    kind,
    version: str(status.version),
    life: str(status.life) || life,
  }
}

/** Both CLI relation shapes, as the API's `{endpoint: [application, ...]}`. */
function relationMap(cli: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const [endpoint, entries] of Object.entries(rec(cli))) {
    out[endpoint] = (Array.isArray(entries) ? entries : []).map((entry) =>
      typeof entry === 'string' ? entry : str(rec(entry)['related-application']),
    )
  }
  return out
}

function unitStatus(unit: Json, workloadVersion: string, defaults: StatusDefaults): UnitStatus {
  const out: UnitStatus = {
    'agent-status': detailed(unit['juju-status'], 'juju-unit', defaults),
    'workload-status': detailed(unit['workload-status'], 'workload', defaults),
    'workload-version': workloadVersion,
    machine: str(unit.machine),
    'opened-ports': strings(unit['open-ports']),
    'public-address': str(unit['public-address']),
    charm: str(unit['upgrading-from']),
    subordinates: Object.fromEntries(
      Object.entries(rec(unit.subordinates)).map(([name, sub]) => [name, unitStatus(rec(sub), workloadVersion, defaults)]),
    ),
  }
  if (unit.leader === true) out.leader = true
  if (str(unit['provider-id'])) out['provider-id'] = str(unit['provider-id'])
  if (str(unit.address)) out.address = str(unit.address)
  return out
}

function applicationStatus(app: Json, defaults: StatusDefaults): ApplicationStatus {
  const workloadVersion = str(app.version)
  const out: ApplicationStatus = {
    charm: charmUrl(app),
    'charm-version': str(app['charm-version']),
    'charm-profile': str(app['charm-profile']),
    base: apiBase(app.base),
    exposed: app.exposed === true,
    life: str(app.life),
    relations: relationMap(app.relations),
    'can-upgrade-to': str(app['can-upgrade-to']),
    'subordinate-to': strings(app['subordinate-to']),
    units: Object.fromEntries(
      Object.entries(rec(app.units)).map(([name, unit]) => [name, unitStatus(rec(unit), workloadVersion, defaults)]),
    ),
    'meter-statuses': {},
    status: detailed(app['application-status'], 'application', defaults),
    'workload-version': workloadVersion,
    'endpoint-bindings': Object.fromEntries(Object.entries(rec(app['endpoint-bindings'])).map(([k, v]) => [k, str(v)])),
    'public-address': str(app.address),
  }
  if (str(app['charm-channel'])) out['charm-channel'] = str(app['charm-channel'])
  if (isRecord(app['exposed-endpoints'])) out['exposed-endpoints'] = app['exposed-endpoints'] as ApplicationStatus['exposed-endpoints']
  // params.ApplicationStatus tags Scale as json "int" (omitempty).
  if (typeof app.scale === 'number' && app.scale !== 0) out.int = app.scale
  if (str(app['provider-id'])) out['provider-id'] = str(app['provider-id'])
  return out
}

function machineStatus(id: string, machine: Json, defaults: StatusDefaults): MachineStatus {
  const out: MachineStatus = {
    'agent-status': detailed(machine['juju-status'], 'juju-machine', defaults),
    'instance-status': detailed(machine['machine-status'], 'machine', defaults),
    'modification-status': detailed(machine['modification-status'], 'machine', defaults),
    'dns-name': str(machine['dns-name']),
    'instance-id': str(machine['instance-id']),
    'display-name': str(machine['display-name']),
    base: apiBase(machine.base),
    id,
    containers: Object.fromEntries(
      Object.entries(rec(machine.containers)).map(([cid, c]) => [cid, machineStatus(cid, rec(c), defaults)]),
    ),
    constraints: str(machine.constraints),
    hardware: str(machine.hardware),
    jobs: ['JobHostUnits'],
    'has-vote': false,
    'wants-vote': false,
  }
  if (str(machine.hostname)) out.hostname = str(machine.hostname)
  if (Array.isArray(machine['ip-addresses'])) out['ip-addresses'] = strings(machine['ip-addresses'])
  if (isRecord(machine['network-interfaces'])) {
    out['network-interfaces'] = Object.fromEntries(
      Object.entries(machine['network-interfaces']).map(([name, nic]): [string, NetworkInterface] => {
        const n = rec(nic)
        const iface: NetworkInterface = {
          'ip-addresses': strings(n['ip-addresses']),
          'mac-address': str(n['mac-address']),
          'is-up': n['is-up'] === true,
        }
        if (str(n.gateway)) iface.gateway = str(n.gateway)
        if (Array.isArray(n['dns-nameservers'])) iface['dns-nameservers'] = strings(n['dns-nameservers'])
        if (str(n.space)) iface.space = str(n.space)
        return [name, iface]
      }),
    )
  }
  return out
}

// The CLI's older relation shape names only the related application, not its endpoint, role or
// interface. For the charms in test/corpus this table (from their metadata.yaml) settles which
// endpoint of the other side a relation uses and who provides; other charms fall back to
// guesses (same endpoint name, the only candidate, ...) that are stable but may be wrong.
const KNOWN_ENDPOINTS: Record<string, Record<string, [role: 'provider' | 'requirer' | 'peer', iface: string]>> = {
  'alertmanager-k8s': {
    alerting: ['provider', 'alertmanager_dispatch'],
    'karma-dashboard': ['provider', 'karma_dashboard'],
    'self-metrics-endpoint': ['provider', 'prometheus_scrape'],
    'grafana-dashboard': ['provider', 'grafana_dashboard'],
    'grafana-source': ['provider', 'grafana_datasource'],
    ingress: ['requirer', 'ingress'],
    catalogue: ['requirer', 'catalogue'],
    'remote-configuration': ['requirer', 'alertmanager_remote_configuration'],
    replicas: ['peer', 'alertmanager_replica'],
  },
  'catalogue-k8s': {catalogue: ['provider', 'catalogue'], ingress: ['requirer', 'ingress']},
  'grafana-k8s': {
    'metrics-endpoint': ['provider', 'prometheus_scrape'],
    'grafana-dashboard': ['requirer', 'grafana_dashboard'],
    'grafana-source': ['requirer', 'grafana_datasource'],
    ingress: ['requirer', 'traefik_route'],
    catalogue: ['requirer', 'catalogue'],
    database: ['requirer', 'db'],
    grafana: ['peer', 'grafana_peers'],
  },
  'loki-k8s': {
    logging: ['provider', 'loki_push_api'],
    'grafana-source': ['provider', 'grafana_datasource'],
    'grafana-dashboard': ['provider', 'grafana_dashboard'],
    'metrics-endpoint': ['provider', 'prometheus_scrape'],
    alertmanager: ['requirer', 'alertmanager_dispatch'],
    ingress: ['requirer', 'ingress_per_unit'],
  },
  'prometheus-k8s': {
    'self-metrics-endpoint': ['provider', 'prometheus_scrape'],
    'grafana-source': ['provider', 'grafana_datasource'],
    'grafana-dashboard': ['provider', 'grafana_dashboard'],
    'receive-remote-write': ['provider', 'prometheus_remote_write'],
    'metrics-endpoint': ['requirer', 'prometheus_scrape'],
    alertmanager: ['requirer', 'alertmanager_dispatch'],
    ingress: ['requirer', 'ingress_per_unit'],
    catalogue: ['requirer', 'catalogue'],
    'prometheus-peers': ['peer', 'prometheus_peers'],
  },
  'traefik-k8s': {
    ingress: ['provider', 'ingress'],
    'ingress-per-unit': ['provider', 'ingress_per_unit'],
    'metrics-endpoint': ['provider', 'prometheus_scrape'],
    'traefik-route': ['provider', 'traefik_route'],
    'grafana-dashboard': ['provider', 'grafana_dashboard'],
    certificates: ['requirer', 'tls-certificates'],
    logging: ['requirer', 'loki_push_api'],
  },
  kafka: {
    zookeeper: ['requirer', 'zookeeper'],
    'kafka-client': ['provider', 'kafka_client'],
    'cos-agent': ['provider', 'cos_agent'],
    certificates: ['requirer', 'tls-certificates'],
    cluster: ['peer', 'cluster'],
    restart: ['peer', 'rolling_op'],
  },
  zookeeper: {
    zookeeper: ['provider', 'zookeeper'],
    certificates: ['requirer', 'tls-certificates'],
    cluster: ['peer', 'cluster'],
    restart: ['peer', 'rolling_op'],
  },
}

interface Half {
  app: string
  endpoint: string
  other: string
  iface?: string
  scope?: string
  role?: string
}

interface EndpointFacts {
  role?: string
  iface?: string
}

interface Model {
  apps: Json
  remotes: Json
}

function endpointFacts(model: Model, app: string, endpoint: string): EndpointFacts {
  const remote = rec(model.remotes[app])
  const remoteEndpoint = rec(rec(remote.endpoints)[endpoint])
  if (str(remoteEndpoint.role)) return {role: str(remoteEndpoint.role), iface: str(remoteEndpoint.interface) || undefined}
  const local = rec(model.apps[app])
  const known = KNOWN_ENDPOINTS[str(local['charm-name']) || str(local.charm)]?.[endpoint]
  return known ? {role: known[0], iface: known[1]} : {}
}

function collectHalves(model: Model): Half[] {
  const halves: Half[] = []
  const add = (app: string, relations: unknown) => {
    for (const [endpoint, entries] of Object.entries(rec(relations))) {
      for (const entry of Array.isArray(entries) ? entries : []) {
        const facts = endpointFacts(model, app, endpoint)
        if (typeof entry === 'string') {
          halves.push({app, endpoint, other: entry, iface: facts.iface, role: facts.role})
        } else {
          const e = rec(entry)
          halves.push({
            app,
            endpoint,
            other: str(e['related-application']),
            iface: str(e.interface) || facts.iface,
            scope: str(e.scope) || undefined,
            role: facts.role,
          })
        }
      }
    }
  }
  for (const [name, app] of Object.entries(model.apps)) add(name, rec(app).relations)
  for (const [name, remote] of Object.entries(model.remotes)) add(name, rec(remote).relations)
  return halves
}

type Pairing = [Half, Half | undefined]

/** Each relation is printed once per side; match the sides, surest evidence first. */
function pairHalves(halves: Half[]): Pairing[] {
  const used = new Set<Half>()
  const pairs: Pairing[] = []
  for (const half of halves) {
    if (half.app === half.other) {
      used.add(half)
      pairs.push([half, undefined])
    }
  }
  // Halves by "app → other", so a half's counterparts are one lookup away on large estates.
  const byEnds = new Map<string, Half[]>()
  for (const half of halves) {
    const key = `${half.app}\0${half.other}`
    const list = byEnds.get(key)
    if (list) list.push(half)
    else byEnds.set(key, [half])
  }
  const counterparts = (a: Half) => (byEnds.get(`${a.other}\0${a.app}`) ?? []).filter((b) => !used.has(b) && b !== a)
  const roleFits = (a: Half, b: Half) => !a.role || !b.role || (a.role !== b.role && a.role !== 'peer' && b.role !== 'peer')
  const levels: ((a: Half, b: Half) => boolean)[] = [
    (a, b) => !!a.iface && a.iface === b.iface && roleFits(a, b),
    (a, b) => a.endpoint === b.endpoint && roleFits(a, b),
    (a, b) => roleFits(a, b),
    () => true,
  ]
  levels.forEach((fits, level) => {
    for (const half of halves) {
      if (used.has(half)) continue
      const candidates = counterparts(half).filter((other) => fits(half, other))
      // Below the first two levels only an unambiguous candidate is taken, until the last.
      const chosen = level < 2 || level === levels.length - 1 || candidates.length === 1 ? candidates[0] : undefined
      if (!chosen) continue
      used.add(half)
      used.add(chosen)
      pairs.push([half, chosen])
    }
  })
  for (const half of halves) if (!used.has(half)) pairs.push([half, undefined])
  return pairs
}

const ROLE_ORDER: Record<string, number> = {requirer: 0, provider: 1, peer: 2}
const counterRole = (role: string | undefined) => (role === 'provider' ? 'requirer' : role === 'requirer' ? 'provider' : undefined)

function isSubordinate(model: Model, app: string): boolean {
  return strings(rec(model.apps[app])['subordinate-to']).length > 0
}

function relationStatuses(model: Model, defaults: StatusDefaults): RelationStatus[] {
  return pairHalves(collectHalves(model)).map(([a, b], id): RelationStatus => {
    const since = defaults.since
    const status: DetailedStatus = {status: 'joined', info: '', data: {}, since, kind: 'relation', version: '', life: ''}
    if (!b && a.app === a.other) {
      const endpoint = {application: a.app, name: a.endpoint, role: 'peer', subordinate: isSubordinate(model, a.app)}
      return {id, key: `${a.app}:${a.endpoint}`, interface: a.iface ?? a.endpoint, scope: a.scope ?? 'global', endpoints: [endpoint], status}
    }
    // A side seen only from one end: the other end's endpoint is the only one its remote
    // application offers, or else assumed to carry the same name.
    const remoteEndpoints = Object.keys(rec(rec(model.remotes[a.other]).endpoints))
    const guessed = remoteEndpoints.length === 1 ? (remoteEndpoints[0] ?? a.endpoint) : a.endpoint
    const other: Half = b ?? {app: a.other, endpoint: guessed, other: a.app, ...endpointFacts(model, a.other, guessed)}
    let roleA = a.role ?? counterRole(other.role)
    let roleB = other.role ?? counterRole(a.role)
    if (!roleA || !roleB || roleA === roleB) {
      // Nothing says who provides: settle it by name so the answer is at least stable.
      const aFirst = `${a.app}:${a.endpoint}` < `${other.app}:${other.endpoint}`
      roleA = aFirst ? 'requirer' : 'provider'
      roleB = aFirst ? 'provider' : 'requirer'
    }
    const provider = roleA === 'provider' ? a : other
    const subordinateTo = (app: string) => strings(rec(model.apps[app])['subordinate-to'])
    const container = subordinateTo(a.app).includes(other.app) || subordinateTo(other.app).includes(a.app)
    // state.relationKey: requirer before provider, then by "app:endpoint".
    const label = (e: {application: string; name: string}) => `${e.application}:${e.name}`
    const endpoints = [
      {application: a.app, name: a.endpoint, role: roleA, subordinate: isSubordinate(model, a.app)},
      {application: other.app, name: other.endpoint, role: roleB, subordinate: isSubordinate(model, other.app)},
    ].sort((x, y) => (ROLE_ORDER[x.role] ?? 3) - (ROLE_ORDER[y.role] ?? 3) || (label(x) < label(y) ? -1 : 1))
    return {
      id,
      key: endpoints.map(label).join(' '),
      interface: a.iface ?? other.iface ?? provider.endpoint,
      scope: a.scope ?? other.scope ?? (container ? 'container' : 'global'),
      endpoints,
      status,
    }
  })
}

function remoteApplicationStatus(name: string, remote: Json, defaults: StatusDefaults): RemoteApplicationStatus {
  const url = str(remote.url)
  return {
    'offer-url': url,
    'offer-name': str(remote['offer-name']) || url.slice(url.lastIndexOf('.') + 1) || name,
    endpoints: Object.entries(rec(remote.endpoints)).map(([ep, e]): RemoteEndpoint => ({
      name: ep,
      role: str(rec(e).role),
      interface: str(rec(e).interface),
      limit: typeof rec(e).limit === 'number' ? (rec(e).limit as number) : 0,
    })),
    life: str(remote.life),
    relations: relationMap(remote.relations),
    status: detailed(remote['application-status'], 'remote-application', defaults),
  }
}

function offerStatus(name: string, offer: Json): ApplicationOfferStatus {
  const count = (value: unknown) => (typeof value === 'number' ? value : 0)
  return {
    'offer-name': name,
    'application-name': str(offer.application),
    charm: str(offer.charm),
    endpoints: Object.fromEntries(
      Object.entries(rec(offer.endpoints)).map(([ep, e]): [string, RemoteEndpoint] => [
        ep,
        {name: ep, role: str(rec(e).role), interface: str(rec(e).interface), limit: count(rec(e).limit)},
      ]),
    ),
    'active-connected-count': count(offer['active-connected-count']),
    'total-connected-count': count(offer['total-connected-count']),
  }
}

function statusDefaults(status: Json): StatusDefaults {
  return {since: cliTimeToRfc3339(rec(rec(status.model)['model-status']).since) ?? '2023-01-01T00:00:00Z'}
}

/** `controller.timestamp` is a bare time of day; the API sends a full time. */
function controllerTimestamp(status: Json, defaults: StatusDefaults): string {
  const time = str(rec(status.controller).timestamp)
  const day = defaults.since.slice(0, 10)
  return /^\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/.test(time) ? `${day}T${time}` : defaults.since
}

/** The Client.FullStatus result (ClientV6/V8, Juju 3.x) for a CLI status dump. */
export function fullStatusFromCli(status: Record<string, unknown>, model: FakeModel): FullStatus {
  const defaults = statusDefaults(status)
  const apps = rec(status.applications)
  const remotes = rec(status['application-endpoints'])
  const cliModel = rec(status.model)
  const modelInfo: FullStatus['model'] = {
    name: model.name,
    type: model.type,
    'cloud-tag': `cloud-${model.cloud}`,
    version: model.agentVersion,
    'available-version': str(cliModel['upgrade-available']),
    'model-status': detailed(cliModel['model-status'], 'model', defaults),
    'meter-status': {color: '', message: ''},
    sla: str(cliModel.sla) || 'unsupported',
  }
  if (model.region) modelInfo.region = model.region
  return {
    model: modelInfo,
    machines: Object.fromEntries(Object.entries(rec(status.machines)).map(([id, m]) => [id, machineStatus(id, rec(m), defaults)])),
    applications: Object.fromEntries(Object.entries(apps).map(([name, app]) => [name, applicationStatus(rec(app), defaults)])),
    'remote-applications': Object.fromEntries(
      Object.entries(remotes).map(([name, remote]) => [name, remoteApplicationStatus(name, rec(remote), defaults)]),
    ),
    offers: Object.fromEntries(Object.entries(rec(status.offers)).map(([name, offer]) => [name, offerStatus(name, rec(offer))])),
    relations: relationStatuses({apps, remotes}, defaults),
    'controller-timestamp': controllerTimestamp(status, defaults),
    branches: {},
  }
}

const ALL_NETWORKS = new Set(['0.0.0.0/0', '::/0'])

/** Exposed endpoints a bundle must spell out; an app exposed to all networks is just `expose: true`. */
function granularExposure(app: Json): Record<string, Json> | undefined {
  const exposed = rec(app['exposed-endpoints'])
  const entries = Object.entries(exposed)
  if (entries.length === 0) return undefined
  const wildcard = rec(exposed[''])
  if (entries.length === 1 && '' in exposed && strings(wildcard['expose-to-spaces']).length === 0) {
    if (strings(wildcard['expose-to-cidrs']).every((cidr) => ALL_NETWORKS.has(cidr))) return undefined
  }
  return Object.fromEntries(
    entries.map(([endpoint, e]) => {
      const spec: Json = {}
      const spaces = strings(rec(e)['expose-to-spaces']).sort()
      const cidrs = strings(rec(e)['expose-to-cidrs']).sort()
      if (spaces.length) spec['expose-to-spaces'] = spaces
      if (cidrs.length) spec['expose-to-cidrs'] = cidrs
      return [endpoint, spec]
    }),
  )
}

/** The machine a unit's placement points at: `lxd:0` for a container on machine 0. */
function placementOf(machineId: string): {top: string; to: string} {
  const parts = machineId.split('/')
  const top = parts[0] ?? machineId
  return parts.length >= 3 ? {top, to: `${parts[1]}:${top}`} : {top, to: machineId}
}

/**
 * The YAML `juju export-bundle` prints for a CLI status dump, following the Bundle facade
 * (apiserver/facades/client/bundle): a base document, then, when there is anything to put there,
 * a `--- # overlay.yaml` document with offers and per-endpoint exposure. As Juju does, an app
 * with exposed-endpoints gets no `expose: true` (bundle validation forbids both).
 */
export function bundleFromCli(status: Record<string, unknown>, model: FakeModel): string {
  const apps = rec(status.applications)
  const api = fullStatusFromCli(status, model)
  const caas = model.type === 'caas'
  const trust = new Set(model.trust ?? [])
  const machines = rec(status.machines)

  const bases = new Set<string>()
  const applications: Record<string, Json> = {}
  const usedMachines = new Set<string>()
  const overlay: Record<string, Json> = {}
  for (const [name, raw] of Object.entries(apps)) {
    const app = rec(raw)
    const base = baseString(app.base)
    if (base) bases.add(base)
    const spec: Json = {}
    if (str(app['charm-origin']) === 'local') {
      spec.charm = `local:${str(app['charm-name']) || str(app.charm)}${typeof app['charm-rev'] === 'number' ? `-${app['charm-rev']}` : ''}`
    } else {
      spec.charm = str(app['charm-name']) || str(app.charm)
      if (str(app['charm-channel'])) spec.channel = str(app['charm-channel'])
      if (typeof app['charm-rev'] === 'number') spec.revision = app['charm-rev']
    }
    if (base) spec.base = base
    const units = Object.values(rec(app.units)).map(rec)
    if (strings(app['subordinate-to']).length === 0) {
      if (caas) {
        if (units.length > 0) spec.scale = units.length
      } else {
        if (units.length > 0) spec.num_units = units.length
        const to = units.map((unit) => str(unit.machine)).filter((m) => m !== '').map(placementOf)
        if (to.length > 0) spec.to = to.map((p) => p.to)
        for (const p of to) usedMachines.add(p.top)
      }
    }
    const exposure = granularExposure(app)
    if (app.exposed === true && !exposure) spec.expose = true
    if (trust.has(name)) spec.trust = true
    applications[name] = spec
    if (exposure) overlay[name] = {'exposed-endpoints': exposure}
  }

  for (const [offerName, raw] of Object.entries(rec(status.offers))) {
    const offer = rec(raw)
    const app = str(offer.application)
    const acl: Record<string, string> = {}
    for (const u of model.offerUsers?.[offerName] ?? [{user: model.owner, access: 'admin'}]) {
      if (u.user !== 'everyone@external') acl[u.user] = u.access
    }
    const entry = (overlay[app] ??= {})
    const offers = (entry.offers ??= {}) as Json
    offers[offerName] = {endpoints: Object.keys(rec(offer.endpoints)).sort(), acl}
  }

  const machineSpecs: Record<string, Json> = {}
  for (const id of [...usedMachines].sort((a, b) => Number(a) - Number(b) || a.localeCompare(b))) {
    const machine = rec(machines[id])
    const spec: Json = {}
    const base = baseString(machine.base)
    if (base) {
      bases.add(base)
      spec.base = base
    }
    if (str(machine.constraints)) spec.constraints = str(machine.constraints)
    machineSpecs[id] = spec
  }

  // One base in use becomes the default and is dropped everywhere; Kubernetes bundles carry none.
  const doc: Json = {}
  if (caas) doc.bundle = 'kubernetes'
  const single = bases.size === 1
  if (single || caas) {
    for (const spec of [...Object.values(applications), ...Object.values(machineSpecs)]) delete spec.base
  }
  if (!caas) doc['default-base'] = single ? [...bases][0] : 'ubuntu@22.04/stable'
  const saas = Object.fromEntries(Object.entries(api['remote-applications']).map(([name, r]) => [name, {url: r['offer-url']}]))
  if (Object.keys(saas).length > 0) doc.saas = saas
  doc.applications = applications
  if (Object.keys(machineSpecs).length > 0) doc.machines = machineSpecs
  const relations = api.relations.filter((r) => r.endpoints.length === 2).map((r) => r.endpoints.map((e) => `${e.application}:${e.name}`))
  if (relations.length > 0) doc.relations = relations

  // Go's yaml.v2 does not indent a sequence under its key.
  let text = stringify(doc, {indentSeq: false})
  if (Object.keys(overlay).length > 0) text += `--- # overlay.yaml\n${stringify({applications: overlay}, {indentSeq: false})}`
  return text
}

/** The date the corpus estate's "days ago" are counted from. */
export const ESTATE_NOW = '2025-06-01T12:00:00Z'

function daysBefore(days: number, hours = 0): string {
  return new Date(Date.parse(ESTATE_NOW) - (days * 24 + hours) * 3600 * 1000).toISOString().replace('.000Z', 'Z')
}

const CORPUS_FILES = {
  clite: 'jhack__jhack__tests__utils__test_show_relation__mocks__k8s__full_status_None.json',
  cliteCmr: 'jhack__jhack__tests__utils__test_show_relation__mocks__cmrs__full_status_clite.json',
  fooK8sCmr: 'jhack__jhack__tests__utils__test_show_relation__mocks__cmrs__full_status_None.json',
  fooMachine: 'jhack__jhack__tests__utils__test_show_relation__mocks__machine__full_status_None.json',
}

/** test/corpus/status, from the sources or from the compiled copy under dist/. */
function corpusStatusDir(): string {
  const here = dirname(fileURLToPath(import.meta.url))
  const candidates = [join(here, '../corpus/status'), join(here, '../../../test/corpus/status'), join(process.cwd(), 'test/corpus/status')]
  const found = candidates.find((dir) => existsSync(dir))
  if (!found) throw new Error(`test/corpus/status not found (looked in ${candidates.join(', ')})`)
  return found
}

function readStatus(file: string, modelName: string, controller: string): Json {
  const status = JSON.parse(readFileSync(join(corpusStatusDir(), file), 'utf8')) as Json
  const model = rec(status.model)
  model.name = modelName
  model.controller = controller
  return status
}

/**
 * A realistic estate: controller "prod" (on LXD, with microk8s added) hosting the four status
 * dumps of test/corpus/status as four models, with users and access levels worth auditing.
 */
export function corpusEstate(): FakeEstate {
  const controllerName = 'prod'
  const controllerUuid = '2f1e0b5c-7d3a-4c8e-9b61-0a4d2c7e9f13'

  const clite = readStatus(CORPUS_FILES.clite, 'clite', controllerName)

  const cliteCmr = readStatus(CORPUS_FILES.cliteCmr, 'clite-cmr', controllerName)
  Object.assign(rec(rec(cliteCmr.offers).alertmanager), {'active-connected-count': 1, 'total-connected-count': 1})

  // The dump consumed the offer of its sibling dump, named "clite" there.
  const fooK8sCmr = readStatus(CORPUS_FILES.fooK8sCmr, 'foo-k8s-cmr', controllerName)
  rec(rec(fooK8sCmr['application-endpoints']).alertmanager).url = `${controllerName}:admin/clite-cmr.alertmanager`

  const fooMachine = readStatus(CORPUS_FILES.fooMachine, 'foo-machine', controllerName)
  const kafka = rec(rec(fooMachine.applications).kafka)
  kafka.exposed = true
  kafka['exposed-endpoints'] = {'kafka-client': {'expose-to-cidrs': ['0.0.0.0/0']}}
  rec(rec(kafka.units)['kafka/0'])['open-ports'] = ['9092/tcp']

  const recent = daysBefore(0, 1)
  return {
    controllerName,
    controllerUuid,
    jujuVersion: '3.6',
    cloud: {name: 'localhost', region: 'localhost', type: 'lxd'},
    users: [
      {
        name: 'admin',
        password: 'admin-secret-password',
        displayName: 'admin',
        access: 'superuser',
        lastConnection: recent,
        dateCreated: '2023-04-26T07:50:12Z',
        createdBy: 'admin',
      },
      {
        name: 'alice',
        password: 'alice-secret-password',
        displayName: 'Alice Liddell',
        access: 'login',
        lastConnection: daysBefore(3),
        dateCreated: '2023-05-02T08:15:00Z',
        createdBy: 'admin',
      },
      // Has write access to a model but has not logged in for 200 days.
      {
        name: 'bob',
        password: 'bob-secret-password',
        displayName: 'Bob',
        access: 'login',
        lastConnection: daysBefore(200),
        dateCreated: '2023-05-02T08:16:40Z',
        createdBy: 'admin',
      },
      // Login revoked: exists, cannot log in.
      {name: 'carol', password: 'carol-secret-password', displayName: 'Carol', access: '', dateCreated: '2024-01-15T10:00:00Z', createdBy: 'admin'},
      {
        name: 'dave',
        password: 'dave-secret-password',
        access: 'login',
        disabled: true,
        lastConnection: daysBefore(400),
        dateCreated: '2023-06-10T09:30:00Z',
        createdBy: 'alice',
      },
    ],
    models: [
      {
        name: 'clite',
        uuid: '9c2e4f7a-1b3d-4e5f-8a6b-7c8d9e0f1a2b',
        owner: 'admin',
        type: 'caas',
        cloud: 'microk8s',
        region: 'localhost',
        agentVersion: str(rec(clite.model).version),
        status: clite,
        users: [
          {user: 'admin', access: 'admin', lastConnection: recent},
          {user: 'alice', access: 'write', lastConnection: daysBefore(3)},
          {user: 'bob', access: 'read', lastConnection: daysBefore(200)},
        ],
        trust: ['traefik'],
      },
      {
        name: 'clite-cmr',
        uuid: '3d5a7b9c-2e4f-4a6b-9c8d-1e2f3a4b5c6d',
        owner: 'admin',
        type: 'caas',
        cloud: 'microk8s',
        region: 'localhost',
        agentVersion: str(rec(cliteCmr.model).version),
        status: cliteCmr,
        users: [
          {user: 'admin', access: 'admin', lastConnection: daysBefore(1)},
          {user: 'alice', access: 'admin', lastConnection: daysBefore(5)},
        ],
        offerUsers: {
          alertmanager: [
            {user: 'admin', access: 'admin'},
            {user: 'everyone@external', access: 'read'},
            {user: 'bob', access: 'consume'},
          ],
        },
      },
      {
        name: 'foo-k8s-cmr',
        uuid: '7e8f9a0b-3c4d-4e5f-a6b7-c8d9e0f1a2b3',
        owner: 'admin',
        type: 'caas',
        cloud: 'microk8s',
        region: 'localhost',
        agentVersion: str(rec(fooK8sCmr.model).version),
        status: fooK8sCmr,
        users: [
          {user: 'admin', access: 'admin', lastConnection: daysBefore(1)},
          {user: 'bob', access: 'write', lastConnection: daysBefore(200)},
        ],
      },
      {
        name: 'foo-machine',
        uuid: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a92ef4d',
        owner: 'admin',
        type: 'iaas',
        cloud: 'localhost',
        region: 'localhost',
        agentVersion: str(rec(fooMachine.model).version),
        status: fooMachine,
        users: [
          {user: 'admin', access: 'admin', lastConnection: recent},
          {user: 'alice', access: 'read'},
          {user: 'dave', access: 'write', lastConnection: daysBefore(400)},
        ],
        blocks: [{type: 'BlockDestroy', message: 'kafka holds production data'}],
      },
    ],
    controllerConfig: {
      'agent-logfile-max-backups': 2,
      'agent-logfile-max-size': '100M',
      'agent-ratelimit-max': 10,
      'agent-ratelimit-rate': '250ms',
      'api-port': 17070,
      'api-port-open-delay': '2s',
      'audit-log-capture-args': false,
      'audit-log-exclude-methods': 'ReadOnlyMethods',
      'audit-log-max-backups': 10,
      'audit-log-max-size': '300M',
      'auditing-enabled': true,
      'controller-name': controllerName,
      'controller-uuid': controllerUuid,
      'juju-db-snap-channel': '4.4/stable',
      'max-agent-state-size': 524288,
      'max-charm-state-size': 2097152,
      'max-debug-log-duration': '24h0m0s',
      'max-prune-txn-batch-size': 1000000,
      'max-prune-txn-passes': 100,
      'max-txn-log-size': '10M',
      'migration-agent-wait-time': '15m0s',
      'model-logfile-max-backups': 2,
      'model-logfile-max-size': '10M',
      'model-logs-size': '20M',
      'mongo-memory-profile': 'default',
      'prune-txn-query-count': 1000,
      'prune-txn-sleep-time': '10ms',
      'public-dns-address': '',
      'query-tracing-enabled': false,
      'query-tracing-threshold': '1s',
      'set-numa-control-policy': false,
      'state-port': 37017,
    },
  }
}
