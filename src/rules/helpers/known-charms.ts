/**
 * What hardenctl knows of well-known charms when their metadata was not read: whether they are
 * subordinates, on which endpoint they request a certificate, on which they issue one. One table,
 * every fact checked against the charm's own metadata (the `from` of each entry); a rule that
 * prints `juju integrate APP:ENDPOINT ...` takes the endpoint from the charm's metadata when
 * known, else from here, and otherwise prints no endpoint it cannot vouch for.
 */
import type {Application, Model} from '../../inventory/types.js'
import {charmName} from './charms.js'
import {TLS_CERTIFICATE_INTERFACES} from './interfaces.js'

/** Endpoints for every revision, or per Charmhub track where revisions differ. */
type Endpoints = readonly string[] | {readonly byTrack: Readonly<Record<string, readonly string[]>>}

export interface KnownCharm {
  /** Deployed as a subordinate of another application (`subordinate: true`). */
  subordinate?: true
  /** Endpoints on which it requests a certificate to serve TLS; `[]`: it has none. */
  certificateEndpoints?: Endpoints
  /** Where its TLS comes from instead, for a charm with no certificates endpoint of its own. */
  tlsFrom?: string
  /** The endpoint on which it issues certificates (provides `tls-certificates`), per track where revisions differ. */
  issuesOn?: string | {readonly byTrack: Readonly<Record<string, string>>}
  /** Where the facts were read. */
  from: string
}

export const KNOWN_CHARMS: Readonly<Record<string, KnownCharm>> = {
  // Databases and brokers.
  postgresql: {
    // 16 split the endpoint in two: client-certificates (clients) and peer-certificates (replication).
    certificateEndpoints: {byTrack: {'14': ['certificates'], '16': ['client-certificates']}},
    from: 'canonical/postgresql-operator metadata.yaml (14: certificates; 16: client-certificates, peer-certificates)',
  },
  'postgresql-k8s': {certificateEndpoints: {byTrack: {'14': ['certificates']}}, from: 'canonical/postgresql-k8s-operator metadata.yaml (14)'},
  mysql: {
    certificateEndpoints: {byTrack: {'8.0': ['certificates'], '8.4': ['client-certificates']}},
    from: 'canonical/mysql-operator; Charmed MySQL 8.4 docs (client-certificates, peer-certificates)',
  },
  'mysql-k8s': {
    certificateEndpoints: {byTrack: {'8.0': ['certificates'], '8.4': ['client-certificates']}},
    from: 'canonical/mysql-k8s-operator metadata.yaml (8.0); Charmed MySQL 8.4 docs',
  },
  'mysql-innodb-cluster': {certificateEndpoints: ['certificates'], from: 'openstack/charm-mysql-innodb-cluster (layer openstack-principle adds certificates)'},
  'percona-cluster': {certificateEndpoints: [], from: 'openstack/charm-percona-cluster metadata.yaml'},
  'mysql-router': {
    // Two charms share the name: OpenStack's (db-router, shared-db with scope container, no
    // certificates) and Data Platform's (backend-database; certificates in recent revisions).
    subordinate: true,
    tlsFrom: 'the MySQL cluster it routes to (mysql-innodb-cluster:certificates in OpenStack)',
    from: 'openstack/charm-mysql-router src/metadata.yaml; canonical/mysql-router-operators machines/metadata.yaml',
  },
  'mysql-router-k8s': {certificateEndpoints: ['certificates'], from: 'canonical/mysql-router-k8s-operator metadata.yaml'},
  'pgbouncer-k8s': {certificateEndpoints: ['certificates'], from: 'canonical/pgbouncer-k8s-operator metadata.yaml'},
  'rabbitmq-server': {certificateEndpoints: ['certificates'], from: 'openstack/charm-rabbitmq-server metadata.yaml'},
  haproxy: {
    // The legacy charm (latest) takes ssl_cert/ssl_key options; haproxy-operator (2.8) a relation.
    certificateEndpoints: {byTrack: {'2.8': ['certificates'], latest: []}},
    from: 'canonical/haproxy-operator charmcraft.yaml (2.8); the legacy haproxy charm (latest)',
  },
  'traefik-k8s': {certificateEndpoints: ['certificates'], from: 'canonical/traefik-k8s-operator metadata.yaml'},
  'nginx-ingress-integrator': {certificateEndpoints: ['certificates'], from: 'canonical/nginx-ingress-integrator-operator charmcraft.yaml@0d561de8 (requires certificates: tls-certificates)'},

  // Certificate providers.
  'self-signed-certificates': {issuesOn: 'certificates', from: 'canonical/self-signed-certificates-operator charmcraft.yaml'},
  lego: {issuesOn: 'certificates', from: 'canonical/lego-operator charmcraft.yaml'},
  'manual-tls-certificates': {issuesOn: 'certificates', from: 'canonical/manual-tls-certificates-operator'},
  'tls-certificates-operator': {issuesOn: 'certificates', from: 'canonical/tls-certificates-operator'},
  vault: {
    // Two charms share the name: OpenStack's (1.7, 1.8) issues on certificates, canonical/vault-operator (1.15+) on vault-pki.
    issuesOn: {byTrack: {'1.7': 'certificates', '1.8': 'certificates', '1.15': 'vault-pki', '1.16': 'vault-pki', '1.17': 'vault-pki', '1.18': 'vault-pki'}},
    from: 'openstack/charm-vault src/metadata.yaml; canonical/vault-operator charmcraft.yaml',
  },
  'vault-k8s': {issuesOn: 'vault-pki', from: 'canonical/vault-k8s-operator charmcraft.yaml'},
  easyrsa: {issuesOn: 'client', from: 'charmed-kubernetes/layer-easyrsa src/metadata.yaml'},

  // Subordinates.
  'opentelemetry-collector': {subordinate: true, from: 'canonical/opentelemetry-collector-operator charmcraft.yaml'},
  'grafana-agent': {subordinate: true, from: 'canonical/grafana-agent-operator'},
  'landscape-client': {subordinate: true, from: 'canonical/landscape-client-charm metadata.yaml'},
  hacluster: {subordinate: true, from: 'openstack/charm-hacluster'},
}

export function knownCharm(app: Application | string): KnownCharm | undefined {
  return KNOWN_CHARMS[typeof app === 'string' ? app : charmName(app)]
}

/** The Charmhub track of an application's channel: `16/edge` → `16`, `edge` → `latest`. */
export function channelTrack(channel: string | undefined): string | undefined {
  if (!channel) return undefined
  const parts = channel.split('/')
  const risks = new Set(['stable', 'candidate', 'beta', 'edge'])
  if (parts.length === 1) return risks.has(parts[0] ?? '') ? 'latest' : parts[0]
  return parts[0]
}

/**
 * Whether the application is a subordinate: its metadata, its status (`subordinate-to`), the
 * table, else (given the model) the shape of a machine bundle, where only subordinates have no
 * `num_units`.
 */
export function isSubordinate(app: Application, model?: Model): boolean | undefined {
  if (app.metadata?.subordinate !== undefined) return app.metadata.subordinate
  if ((app.subordinateTo ?? []).length > 0) return true
  const known = knownCharm(app)?.subordinate
  if (known !== undefined) return known
  if (model && model.type !== 'caas' && model.inputs.has('juju-bundle') && !model.inputs.has('juju-status') && app.scale === undefined && app.units.length === 0) return true
  return undefined
}

export interface CertificateEndpoints {
  endpoints: string[]
  from: 'charm metadata' | 'known charm' | 'juju status endpoint-bindings'
}

/**
 * The endpoints on which the application requests a certificate: from its metadata, else from the
 * table (by its channel's track where revisions differ). Undefined when not known.
 */
export function certificateEndpoints(app: Application): CertificateEndpoints | undefined {
  if (app.metadata) {
    const endpoints = app.metadata.endpoints
      .filter((e) => e.role === 'requires' && (TLS_CERTIFICATE_INTERFACES as readonly string[]).includes(e.interface))
      .map((e) => e.name)
    // Serving endpoints only: `peer-certificates` (replication) and kafka's `trusted-ca` /
    // `trusted-certificate` (client CAs to trust) do not give the application a certificate to serve.
    const serving = endpoints.filter(isServingCertificateEndpoint)
    return {endpoints: serving.length > 0 ? serving : endpoints, from: 'charm metadata'}
  }
  const known = knownCharm(app)?.certificateEndpoints
  if (known && !('byTrack' in known)) return {endpoints: [...known], from: 'known charm'}
  const track = channelTrack(app.channel)
  const endpoints = known && track !== undefined ? known.byTrack[track] : undefined
  if (endpoints) return {endpoints: [...endpoints], from: 'known charm'}
  return app.endpointNames ? fromEndpointNames(app.endpointNames) : undefined
}

function isServingCertificateEndpoint(name: string): boolean {
  return !/^(peer|trusted)-/.test(name)
}

/**
 * `juju status` lists every endpoint by name (`endpoint-bindings`) but not its interface. Charms
 * name the endpoint that requests a serving certificate `certificates` (or `client-certificates`,
 * `tls-certificates`); `peer-` and `trusted-` ones are for replication and client CAs. A charm with
 * no endpoint named for certificates or TLS has none; one named only `tls…` is left unknown.
 */
function fromEndpointNames(names: readonly string[]): CertificateEndpoints | undefined {
  const serving = names.filter((name) => /(^|-)certificates$/.test(name) && isServingCertificateEndpoint(name))
  if (serving.length > 0) return {endpoints: serving.sort((a, b) => Number(a !== 'certificates') - Number(b !== 'certificates')), from: 'juju status endpoint-bindings'}
  if (names.some((name) => /certificate|tls/.test(name))) return undefined
  return {endpoints: [], from: 'juju status endpoint-bindings'}
}

/** The endpoint on which a provider application issues certificates, when its metadata or the table says. */
export function issuingEndpoint(app: Application): string | undefined {
  const fromMetadata = app.metadata?.endpoints.find((e) => e.role === 'provides' && (TLS_CERTIFICATE_INTERFACES as readonly string[]).includes(e.interface))
  if (fromMetadata) return fromMetadata.name
  const known = knownCharm(app)?.issuesOn
  if (known === undefined || typeof known === 'string') return known
  const track = channelTrack(app.channel)
  return track === undefined ? undefined : known.byTrack[track]
}

/**
 * Kubernetes charms whose own documentation says to deploy them with `--trust`, and why: JUJU-TRUST
 * still reports them (the guide asks for an audit), but its fix keeps their trust rather than
 * printing the `juju trust --remove` that would break them.
 */
const CHARMS_NEEDING_TRUST: Readonly<Record<string, string>> = {
  // Its README's deploy step: "The `--trust` flag is necessary to create some K8s resources".
  'postgresql-k8s': 'it creates Kubernetes resources for its cluster',
  // Its tutorial: "`--trust` is needed because the nginx-ingress-integrator charm requires elevated
  // permission to create ingress-related resources in Kubernetes clusters".
  'nginx-ingress-integrator': 'it creates the Ingress objects',
  // Deployed with --trust in the documentation of the charms that use it (glauth-k8s, synapse,
  // superset-k8s): it manages its own LoadBalancer Service.
  'traefik-k8s': 'it manages its own LoadBalancer Service',
}

/** Why the charm needs `--trust`, when its documentation says it does. */
export function trustNeededBecause(app: Application): string | undefined {
  return CHARMS_NEEDING_TRUST[charmName(app)]
}
