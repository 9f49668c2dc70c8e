/**
 * A synthetic bundle with the shape of the charmed OpenStack HA bundles (81 applications): API
 * services in LXD containers (`lxd:N`), each with its hacluster and mysql-router subordinates;
 * nova-compute and ceph-osd on the metal; mysql-innodb-cluster, rabbitmq-server, vault and OVN;
 * `variables` anchors reused in options, space bindings, and a few hundred relations.
 *
 * The shape (not the text) follows openstack-charmers/openstack-bundles stable/openstack-base/
 * bundle.yaml (commit 00840be829dc7f6baf57745970eb7e6891e4bb73: machines, per-application charm,
 * num_units, options, `to:` placement, relations as endpoint pairs) and the charmed OpenStack
 * deployment steps of the HA era (`juju deploy mysql-router keystone-mysql-router`, relations
 * `APP-mysql-router:db-router mysql-innodb-cluster:db-router`, `APP-mysql-router:shared-db
 * APP:shared-db`, `APP:ha APP-hacluster:ha`, `APP:certificates vault:certificates`, `--to lxd:N`).
 * Application, charm and option names are real ones; values are placeholders. The benchmark needs
 * the size and shape.
 */

/** API services deployed as 3 units in LXD, each with `NAME-hacluster` and `NAME-mysql-router`. */
const HA_API_SERVICES: readonly {name: string; channel: string; options?: Record<string, string>}[] = [
  {name: 'keystone', channel: '2024.1/stable', options: {'admin-password': 'openstack', 'token-expiration': '3600'}},
  {name: 'glance', channel: '2024.1/stable', options: {'restrict-ceph-pools': 'false'}},
  {name: 'cinder', channel: '2024.1/stable', options: {'block-device': 'None', 'glance-api-version': '2'}},
  {name: 'nova-cloud-controller', channel: '2024.1/stable', options: {'network-manager': 'Neutron', 'console-access-protocol': 'novnc'}},
  {name: 'neutron-api', channel: '2024.1/stable', options: {'neutron-security-groups': 'true', 'flat-network-providers': 'physnet1'}},
  {name: 'placement', channel: '2024.1/stable'},
  {name: 'openstack-dashboard', channel: '2024.1/stable', options: {'webroot': '/', 'allow-password-autocompletion': 'false'}},
  {name: 'heat', channel: '2024.1/stable'},
  {name: 'barbican', channel: '2024.1/stable'},
  {name: 'designate', channel: '2024.1/stable', options: {'nameservers': 'ns1.example.com.'}},
  {name: 'octavia', channel: '2024.1/stable', options: {'loadbalancer-topology': 'ACTIVE_STANDBY'}},
  {name: 'aodh', channel: '2024.1/stable'},
  {name: 'gnocchi', channel: '2024.1/stable'},
  {name: 'manila', channel: '2024.1/stable', options: {'default-share-backend': 'generic'}},
  {name: 'masakari', channel: '2024.1/stable'},
]

interface Application {
  charm: string
  channel: string
  units?: number
  to?: string[]
  options?: Record<string, string>
  bindings?: Record<string, string>
  expose?: boolean
}

const API_BINDINGS = {'': 'oam-space', public: 'public-space', admin: 'admin-space', internal: 'internal-space', 'shared-db': 'internal-space'}

export interface OpenStackBundle {
  text: string
  applications: number
  relations: number
}

/** The bundle's YAML text. `seed` varies placeholder values (addresses, revisions) between copies. */
export function openStackBundle(seed = 0): OpenStackBundle {
  const applications = new Map<string, Application>()
  const relations: [string, string][] = []
  const lxd = (index: number) => [0, 1, 2].map((machine) => `lxd:${machine + (index % 3) * 3}`)

  HA_API_SERVICES.forEach((service, index) => {
    applications.set(service.name, {
      charm: `ch:${service.name}`,
      channel: service.channel,
      units: 3,
      to: lxd(index),
      options: {'openstack-origin': '*openstack-origin', vip: `10.${seed % 250}.0.${100 + index}`, 'worker-multiplier': '*worker-multiplier', ...service.options},
      bindings: API_BINDINGS,
      ...(service.name === 'openstack-dashboard' ? {expose: true} : {}),
    })
    applications.set(`${service.name}-hacluster`, {charm: 'ch:hacluster', channel: '2.4/stable', options: {'cluster_count': '3'}})
    applications.set(`${service.name}-mysql-router`, {charm: 'ch:mysql-router', channel: '8.0/stable'})
    relations.push(
      [`${service.name}:ha`, `${service.name}-hacluster:ha`],
      [`${service.name}-mysql-router:db-router`, 'mysql-innodb-cluster:db-router'],
      [`${service.name}-mysql-router:shared-db`, `${service.name}:shared-db`],
      [`${service.name}:certificates`, 'vault:certificates'],
    )
    if (service.name !== 'keystone') relations.push([`${service.name}:identity-service`, 'keystone:identity-service'])
    if (!['keystone', 'openstack-dashboard', 'placement'].includes(service.name)) relations.push([`${service.name}:amqp`, 'rabbitmq-server:amqp'])
  })

  const metal = ['3', '4', '5', '6', '7', '8']
  const others: [string, Application][] = [
    ['vault', {charm: 'ch:vault', channel: '1.8/stable', units: 3, to: lxd(0), options: {vip: `10.${seed % 250}.0.90`, 'auto-generate-root-ca-cert': 'true'}, bindings: API_BINDINGS}],
    ['vault-hacluster', {charm: 'ch:hacluster', channel: '2.4/stable'}],
    ['vault-mysql-router', {charm: 'ch:mysql-router', channel: '8.0/stable'}],
    ['ceph-radosgw', {charm: 'ch:ceph-radosgw', channel: 'reef/stable', units: 3, to: lxd(1), options: {source: '*openstack-origin', vip: `10.${seed % 250}.0.91`}, bindings: API_BINDINGS, expose: true}],
    ['ceph-radosgw-hacluster', {charm: 'ch:hacluster', channel: '2.4/stable'}],
    ['nova-compute', {charm: 'ch:nova-compute', channel: '2024.1/stable', units: 6, to: metal, options: {'openstack-origin': '*openstack-origin', 'enable-live-migration': 'true', 'enable-resize': 'true', 'migration-auth-type': 'ssh', 'virt-type': 'kvm'}, bindings: {'': 'oam-space', internal: 'internal-space'}}],
    ['ceph-osd', {charm: 'ch:ceph-osd', channel: 'reef/stable', units: 6, to: metal, options: {'osd-devices': '*osd-devices', source: '*openstack-origin'}, bindings: {'': 'oam-space', public: 'ceph-public-space', cluster: 'ceph-cluster-space'}}],
    ['ceph-mon', {charm: 'ch:ceph-mon', channel: 'reef/stable', units: 3, to: lxd(2), options: {'expected-osd-count': '*expected-osd-count', 'monitor-count': '3', source: '*openstack-origin'}}],
    ['mysql-innodb-cluster', {charm: 'ch:mysql-innodb-cluster', channel: '8.0/stable', units: 3, to: lxd(0), options: {'max-connections': '*mysql-connections', 'tuning-level': 'safest'}}],
    ['rabbitmq-server', {charm: 'ch:rabbitmq-server', channel: '3.9/stable', units: 3, to: lxd(1), options: {'min-cluster-size': '3'}}],
    ['ovn-central', {charm: 'ch:ovn-central', channel: '23.09/stable', units: 3, to: lxd(2), options: {source: '*openstack-origin'}}],
    ['ovn-chassis', {charm: 'ch:ovn-chassis', channel: '23.09/stable', options: {'bridge-interface-mappings': '*data-port', 'ovn-bridge-mappings': 'physnet1:br-ex'}}],
    ['neutron-api-plugin-ovn', {charm: 'ch:neutron-api-plugin-ovn', channel: '2024.1/stable'}],
    ['cinder-ceph', {charm: 'ch:cinder-ceph', channel: '2024.1/stable', options: {'restrict-ceph-pools': 'false'}}],
    ['glance-simplestreams-sync', {charm: 'ch:glance-simplestreams-sync', channel: '2024.1/stable', units: 1, to: ['lxd:1'], options: {source: 'ppa:simplestreams-dev/trunk'}}],
    ['memcached', {charm: 'ch:memcached', channel: 'latest/stable', units: 2, to: ['lxd:0', 'lxd:1']}],
    ['ntp', {charm: 'ch:ntp', channel: 'latest/stable', options: {pools: 'ntp.ubuntu.com'}}],
    ['designate-bind', {charm: 'ch:designate-bind', channel: '2024.1/stable', units: 2, to: ['lxd:3', 'lxd:4'], options: {'use-internal-endpoints': 'true'}}],
    ['octavia-ovn-chassis', {charm: 'ch:ovn-chassis', channel: '23.09/stable'}],
    ['octavia-diskimage-retrofit', {charm: 'ch:octavia-diskimage-retrofit', channel: '2024.1/stable', units: 1, to: ['lxd:2'], options: {'amp-image-tag': 'octavia-amphora'}}],
    ['ceilometer', {charm: 'ch:ceilometer', channel: '2024.1/stable', units: 3, to: lxd(1)}],
    ['ceilometer-agent', {charm: 'ch:ceilometer-agent', channel: '2024.1/stable'}],
    ['ceph-dashboard', {charm: 'ch:ceph-dashboard', channel: 'reef/stable'}],
    ['ceph-fs', {charm: 'ch:ceph-fs', channel: 'reef/stable', units: 2, to: ['lxd:3', 'lxd:4']}],
    ['manila-generic', {charm: 'ch:manila-generic', channel: '2024.1/stable', options: {'driver-handles-share-servers': 'true'}}],
    ['masakari-monitors', {charm: 'ch:masakari-monitors', channel: '2024.1/stable'}],
    ['pacemaker-remote', {charm: 'ch:pacemaker-remote', channel: '2.4/stable', options: {'enable-stonith': 'false', 'enable-resources': 'false'}}],
    ['filebeat', {charm: 'ch:filebeat', channel: 'latest/stable', options: {logpath: '/var/log/*.log /var/log/*/*.log'}}],
    ['landscape-client', {charm: 'ch:landscape-client', channel: 'latest/stable', options: {'account-name': 'standalone', url: 'https://landscape.example/message-system', 'registration-key': 'placeholder-key'}}],
    ['nrpe', {charm: 'ch:nrpe', channel: 'latest/stable'}],
    ['telegraf', {charm: 'ch:telegraf', channel: 'latest/stable'}],
    ['etcd', {charm: 'ch:etcd', channel: 'latest/stable', units: 3, to: lxd(0)}],
    ['easyrsa', {charm: 'ch:easyrsa', channel: 'latest/stable', units: 1, to: ['lxd:2']}],
    ['openstack-service-checks', {charm: 'ch:openstack-service-checks', channel: 'latest/stable', units: 1, to: ['lxd:5']}],
    ['ceph-iscsi', {charm: 'ch:ceph-iscsi', channel: 'reef/stable', units: 2, to: ['lxd:6', 'lxd:7']}],
    ['cinder-backup', {charm: 'ch:cinder-backup', channel: '2024.1/stable'}],
  ]
  for (const [name, app] of others) applications.set(name, app)

  relations.push(
    ['vault:ha', 'vault-hacluster:ha'],
    ['vault-mysql-router:db-router', 'mysql-innodb-cluster:db-router'],
    ['vault-mysql-router:shared-db', 'vault:shared-db'],
    ['ceph-radosgw:ha', 'ceph-radosgw-hacluster:ha'],
    ['ceph-radosgw:mon', 'ceph-mon:radosgw'],
    ['ceph-radosgw:identity-service', 'keystone:identity-service'],
    ['ceph-radosgw:certificates', 'vault:certificates'],
    ['ceph-osd:mon', 'ceph-mon:osd'],
    ['ceph-mon:client', 'nova-compute:ceph'],
    ['ceph-mon:client', 'glance:ceph'],
    ['ceph-mon:client', 'cinder-ceph:ceph'],
    ['cinder-ceph:storage-backend', 'cinder:storage-backend'],
    ['cinder-backup:backup-backend', 'cinder:backup-backend'],
    ['nova-compute:amqp', 'rabbitmq-server:amqp'],
    ['nova-compute:image-service', 'glance:image-service'],
    ['nova-compute:cloud-compute', 'nova-cloud-controller:cloud-compute'],
    ['nova-compute:certificates', 'vault:certificates'],
    ['nova-cloud-controller:image-service', 'glance:image-service'],
    ['nova-cloud-controller:neutron-api', 'neutron-api:neutron-api'],
    ['nova-cloud-controller:memcache', 'memcached:cache'],
    ['nova-cloud-controller:placement', 'placement:placement'],
    ['cinder:image-service', 'glance:image-service'],
    ['cinder:cinder-volume-service', 'nova-cloud-controller:cinder-volume-service'],
    ['neutron-api-plugin-ovn:neutron-plugin', 'neutron-api:neutron-plugin-api-subordinate'],
    ['neutron-api-plugin-ovn:ovsdb-cms', 'ovn-central:ovsdb-cms'],
    ['neutron-api-plugin-ovn:certificates', 'vault:certificates'],
    ['ovn-chassis:nova-compute', 'nova-compute:neutron-plugin'],
    ['ovn-chassis:ovsdb', 'ovn-central:ovsdb'],
    ['ovn-chassis:certificates', 'vault:certificates'],
    ['ovn-central:certificates', 'vault:certificates'],
    ['octavia-ovn-chassis:ovsdb', 'ovn-central:ovsdb'],
    ['octavia-ovn-chassis:juju-info', 'octavia:juju-info'],
    ['octavia:neutron-api', 'neutron-api:neutron-load-balancer'],
    ['octavia:ovsdb-cms', 'ovn-central:ovsdb-cms'],
    ['octavia-diskimage-retrofit:juju-info', 'glance-simplestreams-sync:juju-info'],
    ['octavia-diskimage-retrofit:identity-credentials', 'keystone:identity-credentials'],
    ['glance-simplestreams-sync:identity-service', 'keystone:identity-service'],
    ['glance-simplestreams-sync:certificates', 'vault:certificates'],
    ['designate:dns-backend', 'designate-bind:dns-backend'],
    ['designate:coordinator-memcached', 'memcached:cache'],
    ['designate:dnsaas', 'neutron-api:external-dns'],
    ['ceilometer:identity-credentials', 'keystone:identity-credentials'],
    ['ceilometer:amqp', 'rabbitmq-server:amqp'],
    ['ceilometer:metric-service', 'gnocchi:metric-service'],
    ['ceilometer-agent:nova-ceilometer', 'nova-compute:nova-ceilometer'],
    ['ceilometer-agent:amqp', 'rabbitmq-server:amqp'],
    ['gnocchi:storage-ceph', 'ceph-mon:client'],
    ['gnocchi:coordinator-memcached', 'memcached:cache'],
    ['ceph-dashboard:dashboard', 'ceph-mon:dashboard'],
    ['ceph-dashboard:certificates', 'vault:certificates'],
    ['ceph-fs:ceph-mds', 'ceph-mon:mds'],
    ['ceph-iscsi:ceph-client', 'ceph-mon:client'],
    ['manila-generic:manila-plugin', 'manila:manila-plugin'],
    ['masakari-monitors:container', 'nova-compute:juju-info'],
    ['masakari-monitors:identity-credentials', 'keystone:identity-credentials'],
    ['pacemaker-remote:juju-info', 'nova-compute:juju-info'],
    ['pacemaker-remote:pacemaker-remote', 'masakari-hacluster:pacemaker-remote'],
    ['openstack-dashboard:dashboard-plugin', 'designate:dashboard-plugin'],
    ['etcd:certificates', 'easyrsa:client'],
    ['vault:etcd', 'etcd:db'],
    ['openstack-service-checks:identity-credentials', 'keystone:identity-credentials'],
  )
  // Machine-wide subordinates, related to every principal (as the monitoring overlays do).
  const principals = [...applications].filter(([, app]) => app.units !== undefined).map(([name]) => name)
  for (const subordinate of ['ntp', 'filebeat', 'landscape-client', 'nrpe', 'telegraf']) {
    for (const principal of principals) {
      if (subordinate === 'ntp' && !['nova-compute', 'ceph-osd'].includes(principal)) continue
      relations.push([`${subordinate}:juju-info`, `${principal}:juju-info`])
    }
  }
  return {text: bundleYaml(applications, relations, seed), applications: applications.size, relations: relations.length}
}

function bundleYaml(applications: Map<string, Application>, relations: [string, string][], seed: number): string {
  const lines = [
    `# Synthetic OpenStack HA bundle for the review benchmark (copy ${seed}).`,
    'variables:',
    '  openstack-origin: &openstack-origin distro',
    '  worker-multiplier: &worker-multiplier 0.25',
    '  osd-devices: &osd-devices /dev/sdb /dev/vdb',
    '  expected-osd-count: &expected-osd-count 6',
    '  mysql-connections: &mysql-connections 4000',
    '  data-port: &data-port br-ex:eno2',
    'series: jammy',
    'machines:',
  ]
  for (let machine = 0; machine < 9; machine++) {
    lines.push(`  '${machine}':`, `    constraints: tags=${machine < 3 ? 'control' : 'compute'} mem=64G`)
  }
  lines.push('applications:')
  for (const [name, app] of applications) {
    lines.push(`  ${name}:`, `    charm: ${app.charm}`, `    channel: ${app.channel}`)
    if (app.units !== undefined) lines.push(`    num_units: ${app.units}`)
    if (app.expose) lines.push('    expose: true')
    if (app.to) lines.push('    to:', ...app.to.map((to) => `    - ${/^\d+$/.test(to) ? `'${to}'` : to}`))
    if (app.options) lines.push('    options:', ...Object.entries(app.options).map(([key, value]) => `      ${key}: ${value}`))
    if (app.bindings) lines.push('    bindings:', ...Object.entries(app.bindings).map(([key, value]) => `      ${key === '' ? '""' : key}: ${value}`))
    lines.push(`    annotations:`, `      gui-x: '${(seed * 7 + name.length * 50) % 2000}'`, `      gui-y: '${(name.charCodeAt(0) * 13) % 1500}'`)
  }
  lines.push('relations:')
  for (const [a, b] of relations) lines.push(`- - ${a}`, `  - ${b}`)
  return `${lines.join('\n')}\n`
}
