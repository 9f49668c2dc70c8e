/**
 * Charm names and the families rules key on. Readers should already give the Charmhub name, but
 * bundles spell charms many ways (`ch:postgresql`, `cs:~user/postgresql-12`, `local:foo`,
 * `../landscape-server_ubuntu@22.04-amd64.charm`), so rules compare on `charmName(app)`.
 */
import {normalizeCharmName} from '../../inventory/charm.js'
import type {Application} from '../../inventory/types.js'

export {isLocalPath, normalizeCharmName} from '../../inventory/charm.js'

/** The charm's name: its metadata's `name` where that was read (a local directory may be named otherwise), else from the charm URL or path. */
export function charmName(app: Application): string {
  return app.metadata?.name ?? normalizeCharmName(app.charm)
}

const CERTIFICATE_ISSUERS = [
  'self-signed-certificates',
  'lego',
  'lego-k8s',
  'manual-tls-certificates',
  'vault',
  'vault-k8s',
  'easyrsa',
  'tls-certificates-operator',
  'httprequest-lego-k8s',
  'letsencrypt',
] as const

/** The charm families that hardening rules recognise by name. */
export const CHARMS = {
  postgresql: ['postgresql', 'postgresql-k8s'],
  mysql: ['mysql', 'mysql-k8s', 'mysql-innodb-cluster', 'percona-cluster'],
  mysqlRouter: ['mysql-router', 'mysql-router-k8s'],
  pgbouncer: ['pgbouncer', 'pgbouncer-k8s'],
  rabbitmq: ['rabbitmq-server', 'rabbitmq-k8s'],
  /** Charms that issue certificates on a `tls-certificates` relation. */
  certificateIssuers: CERTIFICATE_ISSUERS,
  /** Certificate issuers, and charms that only hand out a CA (certificate-transfer-integrator). */
  certificateAuthorities: [...CERTIFICATE_ISSUERS, 'certificate-transfer-integrator'],
  /** Issuers of certificates from a CA that clients already trust (ACME / Let's Encrypt). */
  publicCertificateIssuers: ['lego', 'lego-k8s', 'httprequest-lego-k8s', 'letsencrypt'],
  selfSigned: ['self-signed-certificates'],
  landscapeServer: ['landscape-server'],
  reverseProxies: ['haproxy', 'apache2'],
  livepatch: ['canonical-livepatch-server', 'canonical-livepatch-server-k8s'],
  maas: ['maas-region', 'maas-agent'],
  maasRegion: ['maas-region'],
  vault: ['vault', 'vault-k8s'],
  traefik: ['traefik-k8s'],
  ingressIntegrators: ['nginx-ingress-integrator', 'gateway-api-integrator', 'traefik-k8s', 'traefik-route-k8s', 'haproxy', 'ingress-configurator'],
  /**
   * Charms whose job is to be reached from outside: the proxies, load balancers and ingresses in
   * front of the rest, and Charmed Kubernetes's workers, which its bundle exposes for the ingress.
   */
  frontDoors: ['haproxy', 'apache2', 'nginx-ingress-integrator', 'gateway-api-integrator', 'traefik-k8s', 'traefik-route-k8s', 'ingress-configurator', 'kubeapi-load-balancer', 'kubernetes-worker'],
  /**
   * OpenStack's classic charms that serve an API the cloud's users call (the public endpoints they
   * register in keystone): exposed so that those users reach them, as openstack-bundles' virt
   * overlay exposes keystone, glance, cinder, neutron-api, nova-cloud-controller and the dashboard.
   */
  openstackApis: [
    'keystone', 'glance', 'cinder', 'nova-cloud-controller', 'neutron-api', 'openstack-dashboard', 'heat', 'swift-proxy', 'ceph-radosgw',
    'octavia', 'barbican', 'designate', 'manila', 'placement', 'aodh', 'gnocchi', 'masakari', 'magnum',
  ],
  patchStorage: ['minio', 's3-integrator'],
  observability: [
    'grafana-agent',
    'grafana-agent-k8s',
    'opentelemetry-collector',
    'opentelemetry-collector-k8s',
    'cos-proxy',
    'prometheus-k8s',
    'prometheus',
    'loki-k8s',
    'grafana-k8s',
    'mimir-coordinator-k8s',
    'tempo-coordinator-k8s',
    'telegraf',
  ],
} as const satisfies Record<string, readonly string[]>

export function isCharmIn(app: Application, family: readonly string[]): boolean {
  return family.includes(charmName(app))
}

export function isDatabaseCharm(app: Application): boolean {
  return (
    isCharmIn(app, CHARMS.postgresql) ||
    isCharmIn(app, CHARMS.mysql) ||
    isCharmIn(app, CHARMS.mysqlRouter) ||
    isCharmIn(app, CHARMS.pgbouncer) ||
    isCharmIn(app, CHARMS.rabbitmq)
  )
}

/** A charm of the retired Charm Store (`cs:ubuntu-10`, `cs:~containers/aws-integrator`), which only Juju 2 deploys. */
export function isCharmStoreCharm(app: Application): boolean {
  return app.charmOrigin === 'charmstore' || app.charm.startsWith('cs:')
}

/** `pg (postgresql-k8s)`, or just `postgresql` when the application is named after its charm. */
export function appLabel(app: Application): string {
  const charm = charmName(app)
  return charm === app.name ? app.name : `${app.name} (${charm})`
}
