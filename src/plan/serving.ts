/**
 * Which side of a relation accepts connections. Usually the provider (databases, scrape targets,
 * Loki, Alertmanager); for ingress-style interfaces the proxy (provider) connects to the
 * requirer. `juju status` does not say which side provides, so: the charm's metadata when
 * hardenctl has it, else a table of well-known interfaces, else both directions (and the plan
 * says so).
 */
import type {Application} from '../inventory/types.js'

export type Serving = (
  | ({kind: 'one-way'; server: string; client: string; basis: string} & PortsKnown)
  | ({kind: 'both'; basis: string} & PortsKnown)
  | {kind: 'none'; basis: string}
) & {
  /** The relation's interface, from status or the charms' metadata, when known. */
  interfaceName?: string
}

interface PortsKnown {
  /**
   * The client connects to ports the server names in relation data, which need not be on the
   * server's Services (PORTS_IN_RELATION_DATA): the why, else undefined.
   */
  portsInRelationData?: string
}

interface InterfaceRule {
  /** Who accepts connections. */
  serves: 'provider' | 'requirer'
  /** Charms known to sit on the provider side, for when no metadata says. */
  providerCharms?: string[]
  /** Charms known to sit on the requirer side (when the provider side is "anyone"). */
  requirerCharms?: string[]
}

const PROXIES = ['traefik-k8s', 'nginx-ingress-integrator', 'istio-ingress-k8s', 'istio-pilot', 'gateway-api-integrator', 'ingress-configurator']

/** Well-known interfaces. Extend here; charm metadata, when present, always wins. */
const INTERFACES: Record<string, InterfaceRule> = {
  postgresql_client: {serves: 'provider', providerCharms: ['postgresql-k8s', 'postgresql', 'pgbouncer-k8s', 'pgbouncer']},
  pgsql: {serves: 'provider', providerCharms: ['postgresql-k8s', 'postgresql', 'pgbouncer-k8s', 'pgbouncer']},
  mysql_client: {serves: 'provider', providerCharms: ['mysql-k8s', 'mysql', 'mysql-router-k8s', 'mysql-router']},
  mysql: {serves: 'provider', providerCharms: ['mysql-k8s', 'mysql', 'mysql-router-k8s', 'mysql-router', 'mariadb-k8s']},
  mongodb_client: {serves: 'provider', providerCharms: ['mongodb-k8s', 'mongodb']},
  redis: {serves: 'provider', providerCharms: ['redis-k8s']},
  kafka_client: {serves: 'provider', providerCharms: ['kafka-k8s', 'kafka']},
  s3: {serves: 'provider', providerCharms: ['minio', 's3-integrator']},
  prometheus_scrape: {serves: 'provider', requirerCharms: ['prometheus-k8s', 'grafana-agent-k8s', 'opentelemetry-collector-k8s']},
  prometheus_remote_write: {serves: 'provider', providerCharms: ['prometheus-k8s', 'mimir-coordinator-k8s']},
  loki_push_api: {serves: 'provider', providerCharms: ['loki-k8s', 'loki-coordinator-k8s', 'grafana-agent-k8s']},
  alertmanager_dispatch: {serves: 'provider', providerCharms: ['alertmanager-k8s']},
  grafana_datasource: {serves: 'provider', requirerCharms: ['grafana-k8s']},
  ingress: {serves: 'requirer', providerCharms: PROXIES},
  ingress_per_unit: {serves: 'requirer', providerCharms: PROXIES},
  traefik_route: {serves: 'requirer', providerCharms: PROXIES},
  'nginx-route': {serves: 'requirer', providerCharms: PROXIES},
  // istio-ingress-k8s's own route interface (its `istio-ingress-route` endpoints; backends require it).
  istio_ingress_route: {serves: 'requirer', providerCharms: PROXIES},
  // Charmed Kubeflow: istio-pilot provides `ingress-auth`; the requirer (oidc-gatekeeper) sends its
  // service and port, and the gateway calls it for every request (istio-pilot's metadata.yaml schema).
  'ingress-auth': {serves: 'requirer', providerCharms: ['istio-pilot']},
}

/**
 * Interfaces whose client connects to ports the server names in relation data rather than on its
 * Services: prometheus_scrape's `scrape_jobs` (postgresql-k8s has Prometheus scrape 9187, 9854 and
 * 8008 while it opens only 5432 and 8008), and the proxies' interfaces, whose `port` (or route URL)
 * the application sends (a survey of Canonical charms found several that route to a port their
 * Service does not carry). hardenctl does not read relation data (it holds passwords), so such a
 * client is admitted on every port of the server.
 */
const PROXY_PORT = "the proxy dials the port the application names in the relation data, which need not be on its Service (catalogue-k8s opens 80 and routes 443 once TLS is on; synapse, discourse-k8s and jenkins-k8s open none)"
const PORTS_IN_RELATION_DATA: Record<string, string> = {
  prometheus_scrape: "the scrape targets' ports come from the relation's scrape_jobs, which need not be on the Service",
  ingress: PROXY_PORT,
  ingress_per_unit: PROXY_PORT,
  traefik_route: PROXY_PORT,
  'nginx-route': PROXY_PORT,
  istio_ingress_route: PROXY_PORT,
  'ingress-auth': PROXY_PORT,
  forward_auth: "the proxy calls the decisions address the provider hands it in the relation data",
}

/**
 * A coordinator and the members of its cluster, which call each other on ports no Service lists:
 * - COS's coordinated workers (Tempo, Mimir, Loki): the coordinator's nginx calls the workers, the
 *   workers call it and each other (memberlist 7946, gRPC between components). Each is its
 *   coordinator's `provides` in charmcraft.yaml: tempo_cluster (tempo-coordinator-k8s), mimir_cluster
 *   (canonical/mimir-operators coordinator/, @0416312), loki_cluster (loki-coordinator-k8s, @4549973);
 *   mimir_worker is mimir-coordinator-k8s's older metadata.yaml.
 * - MongoDB's config-server and its shards (`shards`, provided by the config-server): it adds and
 *   checks the shards on 27017, the shards reach its mongos on 27018, mongos routes to every shard
 *   and shards move chunks between them (mongodb charms' shards_interface.py).
 * - A `peer_cluster` orchestrator and its members (kafka-k8s's broker and KRaft controller
 *   applications, OpenSearch's main and data applications): they form one cluster.
 */
export const CLUSTER_INTERFACES: ReadonlySet<string> = new Set(['tempo_cluster', 'mimir_cluster', 'loki_cluster', 'mimir_worker', 'shards', 'peer_cluster'])

/**
 * Endpoint pairs of asynchronous replication between two database clusters: the standby connects
 * to whichever side is primary now, and the primary to the standby, whatever the metadata's roles
 * (postgresql-k8s and mysql-k8s `replication-offer` / `replication`; mysql-k8s's older
 * `async-primary` / `async-replica`).
 */
const BOTH_WAYS_ENDPOINTS: readonly (readonly [string, string])[] = [
  ['replication-offer', 'replication'],
  ['async-primary', 'async-replica'],
]

/** Interfaces that only exchange relation data: no connection between the pods. */
const DATA_ONLY = new Set(['grafana_dashboard', 'tls-certificates', 'juju-info', 'catalogue', 'certificate_transfer', 'istio-gateway-info'])

export interface RelationSide {
  app: Application | undefined
  name: string
  endpoint?: string | undefined
  role?: string | undefined
}

/** One side of a relation placed in the cluster: its namespace (the offering model's, for a remote application) when known. */
export interface Resolved {
  namespace: string | undefined
  app: Application | undefined
  name: string
  endpoint: {endpoint?: string | undefined; role?: string | undefined}
}

export function sideOf(resolved: Resolved): RelationSide {
  return {app: resolved.app, name: resolved.name, endpoint: resolved.endpoint.endpoint, role: resolved.endpoint.role}
}

export function whoServes(a: RelationSide, b: RelationSide, relationInterface: string | undefined): Serving {
  // Status in the older relation shape names no interface; the charms' metadata does.
  const interfaceName = relationInterface ?? metadataEndpoint(a)?.interface ?? metadataEndpoint(b)?.interface
  const serving = servingOver(a, b, interfaceName)
  if (interfaceName !== undefined) return {...serving, interfaceName}
  return guessedFromEndpointNames(a, b) ?? serving
}

/**
 * The interfaces Canonical's charms conventionally give these endpoint names, for relations whose
 * interface neither status (before Juju 3.4) nor charm metadata names.
 */
const INTERFACE_BY_ENDPOINT_NAME: Readonly<Record<string, string>> = {
  // prometheus-k8s's `metrics-endpoint`; alertmanager-k8s's and prometheus-k8s's `self-metrics-endpoint`.
  'metrics-endpoint': 'prometheus_scrape',
  'self-metrics-endpoint': 'prometheus_scrape',
  // The proxies' and their applications' ends (traefik-k8s, nginx-ingress-integrator, istio-ingress-k8s).
  ingress: 'ingress',
  'ingress-per-unit': 'ingress_per_unit',
  'traefik-route': 'traefik_route',
}

/**
 * A relation read through its endpoint names' conventional interface: taken only when it widens
 * what is admitted (scrape jobs name ports no Service lists: every port) or when the roles or the
 * interface table's charms settle who serves (a known proxy on one side of an `ingress` endpoint),
 * so a guess never narrows "both ways" on its own.
 */
function guessedFromEndpointNames(a: RelationSide, b: RelationSide): Serving | undefined {
  for (const endpoint of [a.endpoint, b.endpoint]) {
    const guess = endpoint === undefined ? undefined : INTERFACE_BY_ENDPOINT_NAME[endpoint]
    if (guess === undefined) continue
    const serving = servingOver(a, b, guess)
    if (serving.kind === 'none' || (serving.kind === 'both' && !serving.portsInRelationData)) continue
    return {...serving, basis: `${serving.basis}; endpoint ${endpoint} read as ${guess} (no interface known)`, interfaceName: guess}
  }
  return undefined
}

/** Interfaces over which the proxy connects to the application (ingress): the application hands out the proxy's URL. */
export const INGRESS_INTERFACES: ReadonlySet<string> = new Set(Object.entries(INTERFACES).flatMap(([name, rule]) => (rule.serves === 'requirer' ? [name] : [])))

/** The side whose endpoint provides the relation (the status's role, else the charm's metadata), when exactly one does. */
export function providerOf(a: RelationSide, b: RelationSide): RelationSide | undefined {
  const roleA = a.role ?? metadataRole(a)
  const roleB = b.role ?? metadataRole(b)
  if (roleA === 'provider' && roleB !== 'provider') return a
  if (roleB === 'provider' && roleA !== 'provider') return b
  if (roleA === 'requirer' && roleB !== 'requirer') return b
  if (roleB === 'requirer' && roleA !== 'requirer') return a
  return undefined
}

function servingOver(a: RelationSide, b: RelationSide, interfaceName: string | undefined): Serving {
  if (interfaceName !== undefined && DATA_ONLY.has(interfaceName)) return {kind: 'none', basis: `interface ${interfaceName} carries relation data only`}
  if (interfaceName !== undefined && CLUSTER_INTERFACES.has(interfaceName)) {
    return {kind: 'both', basis: `interface ${interfaceName}: a coordinator and the members of its cluster call each other`, portsInRelationData: 'a coordinator and the members of its cluster talk on ports no Service lists'}
  }
  const endpoints = [a.endpoint, b.endpoint]
  if (BOTH_WAYS_ENDPOINTS.some(([one, other]) => endpoints.includes(one) && endpoints.includes(other))) {
    return {kind: 'both', basis: `endpoints ${endpoints.join(' ↔ ')}: asynchronous replication, where either cluster may be primary`}
  }
  const rule = interfaceName === undefined ? undefined : INTERFACES[interfaceName]
  const serves = rule?.serves ?? 'provider'
  const ports: PortsKnown = interfaceName !== undefined && PORTS_IN_RELATION_DATA[interfaceName] ? {portsInRelationData: PORTS_IN_RELATION_DATA[interfaceName]} : {}

  const fromRoles = (provider: RelationSide, requirer: RelationSide, basis: string): Serving =>
    serves === 'provider'
      ? {kind: 'one-way', server: provider.name, client: requirer.name, basis, ...ports}
      : {kind: 'one-way', server: requirer.name, client: provider.name, basis, ...ports}
  const provider = providerOf(a, b)
  if (provider) return provider === a ? fromRoles(a, b, 'charm metadata') : fromRoles(b, a, 'charm metadata')

  if (rule) {
    const isProvider = (side: RelationSide) => rule.providerCharms?.includes(charmOf(side)) ?? false
    const isRequirer = (side: RelationSide) => rule.requirerCharms?.includes(charmOf(side)) ?? false
    if (isProvider(a) !== isProvider(b)) return isProvider(a) ? fromRoles(a, b, `interface ${interfaceName}`) : fromRoles(b, a, `interface ${interfaceName}`)
    if (isRequirer(a) !== isRequirer(b)) return isRequirer(a) ? fromRoles(b, a, `interface ${interfaceName}`) : fromRoles(a, b, `interface ${interfaceName}`)
  }
  return {kind: 'both', basis: `neither charm metadata nor the interface table says which side of ${interfaceName ?? 'this relation'} provides`, ...ports}
}

function charmOf(side: RelationSide): string {
  return side.app?.charm ?? ''
}

function metadataEndpoint(side: RelationSide) {
  return side.app?.metadata?.endpoints.find((candidate) => candidate.name === side.endpoint)
}

function metadataRole(side: RelationSide): 'provider' | 'requirer' | undefined {
  const endpoint = metadataEndpoint(side)
  if (endpoint?.role === 'provides') return 'provider'
  if (endpoint?.role === 'requires') return 'requirer'
  return undefined
}
