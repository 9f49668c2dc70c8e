/**
 * Which data protocol a charm speaks on a `tls-certificates` relation. Juju relates any two
 * endpoints of the same interface name, but two protocols share that name and neither understands
 * the other:
 *
 * - `v0` (retired in canonical/charm-relation-interfaces as tls_certificates/v0): the requirer asks
 *   with `cert_requests` / `common_name` and reads `{unit}.processed_requests`, `ca` and `chain`
 *   from the provider's unit data. OpenStack's classic charms speak it through charm-helpers
 *   (`contrib/openstack/cert_utils.py`; rabbitmq-server's `certs_joined`), mysql-innodb-cluster
 *   through its reactive layer; so do the providers they were built with: the classic vault charm
 *   (tracks 1.7 and 1.8, endpoint `certificates`) and easyrsa.
 * - `csr` (tls_certificates_interface v1 to v4): the requirer sends `certificate_signing_requests`
 *   and the provider answers with a `certificates` list in its application data. Its v4 library
 *   has no code for the v0 keys (charm-relation-interfaces PR #17: "not compatible with
 *   tls-certificates v0"). self-signed-certificates, lego, manual-tls-certificates, vault-k8s and
 *   the newer vault charm (1.15 and later, endpoint `vault-pki`) speak it, and so do the charms of
 *   the data platform, traefik and the newer haproxy.
 *
 * So `juju integrate rabbitmq-server:certificates self-signed-certificates` succeeds and no
 * certificate ever arrives; a fix must pair a requirer with a provider of its protocol.
 */
import type {Application} from '../../inventory/types.js'
import {charmName} from './charms.js'
import {issuingEndpoint} from './known-charms.js'

export type CertificatesProtocol = 'v0' | 'csr'

/**
 * OpenStack's classic charms, which request certificates over charm-helpers' (or their reactive
 * layer's) v0 protocol. The first nine were read in their code; the rest are related to the classic
 * vault's `certificates` endpoint, which answers only v0, in Canonical's FCE template
 * (canonical/juju-lint tests/resources/fcb-yoga-jammy-bundle.yaml) and in openstack-bundles'
 * jammy-zed openstack-base and charm-octavia's functional-test bundle (test/real-world/bundles).
 */
const V0_REQUIRERS = new Set([
  'rabbitmq-server',
  'mysql-innodb-cluster',
  'keystone',
  'glance',
  'cinder',
  'nova-cloud-controller',
  'neutron-api',
  'heat',
  'ceph-radosgw',
  'aodh',
  'barbican',
  'barbican-vault',
  'ceilometer',
  'ceph-dashboard',
  'designate',
  'designate-bind',
  'glance-simplestreams-sync',
  'gnocchi',
  'keystone-ldap',
  'neutron-api-plugin-ovn',
  'octavia',
  'octavia-dashboard',
  'octavia-diskimage-retrofit',
  'openstack-dashboard',
  'ovn-central',
  'ovn-chassis',
  'placement',
])

/** Requirers built on the tls_certificates_interface library. */
const CSR_REQUIRERS = new Set([
  'postgresql',
  'postgresql-k8s',
  'mysql',
  'mysql-k8s',
  'mysql-router-k8s',
  'pgbouncer-k8s',
  'traefik-k8s',
  'nginx-ingress-integrator',
  'haproxy',
])

const V0_PROVIDERS = new Set(['easyrsa'])
const CSR_PROVIDERS = new Set(['self-signed-certificates', 'lego', 'lego-k8s', 'httprequest-lego-k8s', 'manual-tls-certificates', 'vault-k8s'])

/** The protocol the application requests certificates with, when known. */
export function requirerProtocol(app: Application): CertificatesProtocol | undefined {
  const charm = charmName(app)
  if (V0_REQUIRERS.has(charm)) return 'v0'
  return CSR_REQUIRERS.has(charm) ? 'csr' : undefined
}

/**
 * The protocol a provider application issues with, when known: vault by the endpoint it issues on
 * (its track's, else `issuingOn`, the one the model's relations show it issuing on).
 */
export function providerProtocol(app: Application, issuingOn?: string): CertificatesProtocol | undefined {
  const charm = charmName(app)
  if (V0_PROVIDERS.has(charm)) return 'v0'
  if (CSR_PROVIDERS.has(charm)) return 'csr'
  if (charm !== 'vault') return undefined
  const endpoint = issuingEndpoint(app) ?? issuingOn
  return endpoint === 'certificates' ? 'v0' : endpoint === 'vault-pki' ? 'csr' : undefined
}
