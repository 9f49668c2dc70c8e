import {describe, expect, it} from 'vitest'

import {tlsConfigKey, tlsDbPlaintext, tlsMissingRelation, tlsSelfSigned} from '../../src/rules/tls.js'
import {app, charm, endpoint, findings, inventory, model, option, ref, relation, run} from './factories.js'

const webMeta = charm('web-k8s', {endpoints: [endpoint('certificates', 'requires', 'tls-certificates'), endpoint('receive-ca-cert', 'requires', 'certificate_transfer')]})

describe('TLS-MISSING-RELATION', () => {
  it('flags an app whose charm has an unrelated certificates endpoint; high when exposed', () => {
    const inv = inventory({
      models: [model('m', {apps: [app('web', {charm: 'web-k8s', exposed: true}), app('api', {charm: 'web-k8s', exposed: false})]})],
      charms: [webMeta],
      inputs: ['charm-metadata'],
    })
    const fs = findings(tlsMissingRelation, inv)
    expect(fs.map((f) => [f.target.name, f.severity])).toEqual([['web', 'high'], ['api', 'medium']])
    expect(fs[0]?.message).toContain('certificates')
    // No provider in the model: lego (a CA clients trust) for the exposed one, self-signed inside; deployed first.
    expect(fs[0]?.remediation).toMatch(/^juju show-application -m prod:m lego \|\| juju deploy -m prod:m lego && juju integrate -m prod:m web:certificates lego:certificates {3}# configure lego/)
    expect(fs[1]?.remediation).toBe('juju show-application -m prod:m self-signed-certificates || juju deploy -m prod:m self-signed-certificates && juju integrate -m prod:m api:certificates self-signed-certificates:certificates   # the show-application check skips the deploy where another fix already made it (its "not found" is then expected)')
    expect(fs[0]?.location?.file).toBe('charmcraft.yaml')
  })

  it('accepts an app related on its certificates endpoint (also from an unnamed bundle relation to a CA)', () => {
    const a = model('a', {apps: [app('web', {charm: 'web-k8s'}), app('ca', {charm: 'self-signed-certificates'})], relations: [relation('web:certificates', 'ca:certificates')]})
    const b = model('b', {apps: [app('web', {charm: 'web-k8s'}), app('lego')], relations: [relation('web', 'lego')], inputs: ['juju-bundle']})
    expect(findings(tlsMissingRelation, inventory({models: [a, b], charms: [webMeta], inputs: ['charm-metadata']}))).toEqual([])
  })

  it('covers databases too, and skips certificate authorities', () => {
    const pgMeta = charm('postgresql-k8s', {endpoints: [endpoint('certificates', 'requires', 'tls-certificates')]})
    const caMeta = charm('self-signed-certificates', {endpoints: [endpoint('certificates', 'provides', 'tls-certificates')]})
    const m = model('m', {apps: [app('postgresql', {charm: 'postgresql-k8s', exposed: false}), app('ca', {charm: 'self-signed-certificates'})]})
    const fs = findings(tlsMissingRelation, inventory({models: [m], charms: [pgMeta, caMeta], inputs: ['charm-metadata']}))
    expect(fs.map((f) => f.target.name)).toEqual(['postgresql'])
  })

  it("sends OpenStack's OVN, octavia and the rest of the classic charms to a v0 provider, not self-signed-certificates (the FCE template relates them to the classic vault)", () => {
    const v0 = ['ovn-central', 'octavia', 'placement', 'openstack-dashboard', 'designate', 'ceph-dashboard']
    const metadata = v0.map((name) => charm(name, {endpoints: [endpoint('certificates', 'requires', 'tls-certificates')]}))
    const m = model('openstack', {apps: v0.map((name) => app(name, {exposed: false})), inputs: ['juju-bundle']})
    const fs = findings(tlsMissingRelation, inventory({models: [m], charms: metadata, inputs: ['charm-metadata']}))
    expect(fs.map((f) => f.target.name).sort()).toEqual([...v0].sort())
    for (const f of fs) expect(f.remediation).toMatch(/^juju show-application -m prod:openstack vault \|\| juju deploy -m prod:openstack vault --channel 1\.8\/stable && juju integrate -m prod:openstack [a-z-]+:certificates vault:certificates /)
  })

  it('ignores charms without TLS endpoints and leaves apps without metadata not evaluated', () => {
    const inv = inventory({models: [model('m', {apps: [app('plain', {charm: 'plain'}), app('unknown')]})], charms: [charm('plain')], inputs: ['charm-metadata']})
    const result = run(tlsMissingRelation, inv)
    expect(result.findings).toEqual([])
    expect(result.notEvaluated[0]?.targets?.map((t) => t.name)).toEqual(['unknown'])
  })

  it('names the provider the model already has, a trusted CA first for an exposed application', () => {
    const inv = inventory({
      models: [
        model('m', {
          apps: [app('web', {charm: 'web-k8s', exposed: true}), app('api', {charm: 'web-k8s'}), app('ca', {charm: 'self-signed-certificates'}), app('acme', {charm: 'lego'})],
        }),
      ],
      charms: [webMeta],
      inputs: ['charm-metadata'],
    })
    const fs = findings(tlsMissingRelation, inv)
    expect(fs.map((f) => [f.target.name, f.remediation])).toEqual([
      ['web', 'juju integrate -m prod:m web:certificates acme:certificates'],
      ['api', 'juju integrate -m prod:m api:certificates ca:certificates'],
    ])
  })

  it('names only the endpoints that give the app a certificate to serve, not the client CAs it trusts', () => {
    // As kafka's metadata: certificates serves; trusted-ca and trusted-certificate take client CAs (mTLS).
    const kafka = charm('kafka', {
      endpoints: [
        endpoint('certificates', 'requires', 'tls-certificates'),
        endpoint('trusted-ca', 'requires', 'tls-certificates'),
        endpoint('trusted-certificate', 'requires', 'tls-certificates'),
      ],
    })
    const [f] = findings(tlsMissingRelation, inventory({models: [model('m', {apps: [app('kafka')]})], charms: [kafka], inputs: ['charm-metadata']}))
    expect(f?.message).toBe('kafka can get a certificate on certificates but has no relation there: it serves without TLS.')
  })

  it('is not evaluated without charm metadata', () => {
    expect(run(tlsMissingRelation, inventory({models: [model('m')]})).notEvaluated[0]?.needs).toEqual(['charm-metadata'])
  })
})

describe('TLS-DB-PLAINTEXT', () => {
  it("PostgreSQL's latest track is the legacy charm, with no certificates endpoint: no relation is printed, the move to the 14 charm is", () => {
    for (const channel of ['latest', 'stable', 'latest/stable']) {
      const m = model('landscape', {apps: [app('postgresql', {charm: 'postgresql', channel}), app('landscape-server')], relations: [relation('landscape-server:db', 'postgresql:db-admin', 'pgsql')]})
      const [f] = findings(tlsDbPlaintext, inventory({models: [m]}))
      expect(f?.evidence).toMatchObject({certificatesEndpoints: []})
      expect(f?.remediation).toMatch(/^postgresql cannot obtain a certificate over a relation: its latest track is the legacy reactive charm, which has none; Charmed PostgreSQL 14 serves the same db and db-admin relations/)
      expect(f?.remediation).toContain('`juju deploy postgresql pg14 --channel 14/stable`')
      expect(f?.remediation).not.toContain('juju integrate')
    }
    // The 14 track takes its certificate over a relation.
    const m14 = model('landscape', {apps: [app('postgresql', {charm: 'postgresql', channel: '14/stable'})]})
    expect(findings(tlsDbPlaintext, inventory({models: [m14]}))[0]?.remediation).toContain('juju integrate -m prod:landscape postgresql:certificates')
  })

  const PG_THEN_TLS_ONLY = '   # postgresql then accepts only TLS connections, every pg_hba line of its clients hostssl: check first that every client connects with TLS, or it is cut off'
const VAULT_FOR_V0 =
  "   # OpenStack's charms request certificates over the retired tls-certificates v0 protocol, which self-signed-certificates and lego do not speak: the classic vault charm (1.8 track) does; initialise and unseal it and give it a root CA (the OpenStack deployment guide's Vault steps) before it issues"

  it('says which clients must use TLS first where the database then refuses them without it (Charmed MySQL)', () => {
    // Charmed MySQL sets require_secure_transport and kills every session once it has a certificate: MLflow's
    // PyMySQL and Kubeflow's Go clients connect without TLS unless told to.
    const m = model('m', {
      apps: [app('mlflow-mysql', {charm: 'mysql-k8s', channel: '8.0/stable'}), app('mlflow-server'), app('cos-agent', {charm: 'grafana-agent-k8s'})],
      relations: [relation('mlflow-server:relational-db', 'mlflow-mysql:mysql', 'mysql'), relation('cos-agent:metrics-endpoint', 'mlflow-mysql:metrics-endpoint', 'prometheus_scrape')],
    })
    const [f] = findings(tlsDbPlaintext, inventory({models: [m]}))
    expect(f?.remediation).toBe(
      'juju show-application -m prod:m self-signed-certificates || juju deploy -m prod:m self-signed-certificates && juju integrate -m prod:m mlflow-mysql:certificates self-signed-certificates:certificates' +
        '   # mysql-k8s then refuses connections without TLS, setting require_secure_transport, and ends the open ones: check first that its clients (mlflow-server) connect with TLS, or they are cut off; the show-application check skips the deploy where another fix already made it (its "not found" is then expected)',
    )
  })

  it('names the clients of a MySQL Router too: its TLS template requires TLS of them (Sunbeam routes every OpenStack service through one)', () => {
    const m = model('openstack', {
      apps: [
        app('keystone-mysql-router', {charm: 'mysql-router-k8s', channel: '8.0/stable'}),
        app('keystone', {charm: 'keystone-k8s'}),
        app('mysql', {charm: 'mysql-k8s'}),
        app('certificate-authority', {charm: 'self-signed-certificates'}),
      ],
      // The router's backend-database is the cluster it connects to, not a client (the jhack Sunbeam status's relations).
      relations: [relation('keystone:database', 'keystone-mysql-router:database', 'mysql_client'), relation('keystone-mysql-router:backend-database', 'mysql:database', 'mysql_client')],
    })
    const f = findings(tlsDbPlaintext, inventory({models: [m]})).find((finding) => finding.target.name === 'keystone-mysql-router')
    expect(f?.remediation).toBe(
      'juju integrate -m prod:openstack keystone-mysql-router:certificates certificate-authority:certificates' +
        '   # mysql-router-k8s then refuses clients without TLS (client_ssl_mode REQUIRED) and restarts to take the certificate: check first that its clients (keystone) connect with TLS, or they are cut off',
    )
  })

  it('counts no subordinate attached over juju-info as a client (ntp beside postgresql in canonical/jimm’s bundle, however the relation is written)', () => {
    const m = model('m', {
      apps: [app('postgresql', {charm: 'postgresql', channel: '14/stable'}), app('juju-jimm'), app('ntp'), app('agent', {charm: 'some-agent'}), app('otel', {charm: 'opentelemetry-collector'})],
      relations: [
        relation('juju-jimm', 'postgresql'),
        relation('ntp', 'postgresql'),
        relation('agent:juju-info', 'postgresql:juju-info'),
        relation('otel:cos-agent', 'postgresql:cos-agent'),
      ],
    })
    const [f] = findings(tlsDbPlaintext, inventory({models: [m]}))
    expect(f?.remediation).toContain('check first that its clients (juju-jimm) connect with TLS')
  })

  it('has no such note for a broker that keeps its plain clients (rabbitmq-server: certificates from a relation turn ssl on, not only)', () => {
    // openstack/charm-rabbitmq-server hooks/rabbitmq_context.py@07ec03b5: CERTS_FROM_RELATION sets ssl_mode 'on', ssl_only False.
    const m = model('m', {apps: [app('rabbitmq-server'), app('nova')], relations: [relation('nova:amqp', 'rabbitmq-server:amqp', 'rabbitmq')]})
    expect(findings(tlsDbPlaintext, inventory({models: [m]}))[0]?.remediation).not.toContain('check first that its clients')
  })
  it('flags databases and brokers without a certificates relation, naming the provider the model has', () => {
    const m = model('m', {
      apps: [app('postgresql', {charm: 'ch:postgresql', channel: '14/stable'}), app('mysql', {charm: 'mysql-k8s'}), app('rabbitmq-server', {channel: 'latest/edge'}), app('ca', {charm: 'self-signed-certificates'}), app('web')],
      relations: [relation('mysql:certificates', 'ca:certificates', 'tls-certificates')],
    })
    const fs = findings(tlsDbPlaintext, inventory({models: [m]}))
    expect(fs.map((f) => f.target.name)).toEqual(['postgresql', 'rabbitmq-server'])
    expect(fs[0]).toMatchObject({severity: 'medium', evidence: {charm: 'postgresql', provider: 'ca (self-signed-certificates)'}})
    // Charmed PostgreSQL turns every client line of pg_hba to hostssl once it has a certificate: the fix says to check the clients first.
    expect(fs[0]?.remediation).toBe(`juju integrate -m prod:m postgresql:certificates ca:certificates${PG_THEN_TLS_ONLY}`)
    // rabbitmq-server speaks the v0 protocol, which self-signed-certificates does not: a classic vault is deployed for it.
    expect(fs[1]?.remediation).toBe(`juju show-application -m prod:m vault || juju deploy -m prod:m vault --channel 1.8/stable && juju integrate -m prod:m rabbitmq-server:certificates vault:certificates${VAULT_FOR_V0}; the show-application check skips the deploy where another fix already made it (its "not found" is then expected)`)
  })

  it('pairs each requirer with a provider of its protocol: Charmed PostgreSQL is not sent to the classic vault OpenStack uses', () => {
    const m = model('openstack', {
      apps: [app('postgresql', {channel: '14/stable'}), app('vault', {channel: '1.8/stable'}), app('keystone')],
      relations: [relation('keystone:certificates', 'vault:certificates')],
    })
    const [f] = findings(tlsDbPlaintext, inventory({models: [m]}))
    expect(f?.remediation).toBe(`juju show-application -m prod:openstack self-signed-certificates || juju deploy -m prod:openstack self-signed-certificates && juju integrate -m prod:openstack postgresql:certificates self-signed-certificates:certificates${PG_THEN_TLS_ONLY}; the show-application check skips the deploy where another fix already made it (its "not found" is then expected)`)
  })

  it('names the CA the model already uses most when it has several (vault over a leftover easyrsa)', () => {
    const m = model('openstack', {
      apps: [app('rabbitmq-server'), app('easyrsa'), app('vault', {channel: '1.8/stable'}), app('keystone'), app('glance')],
      relations: [relation('keystone:certificates', 'vault:certificates'), relation('glance:certificates', 'vault:certificates')],
    })
    const [f] = findings(tlsDbPlaintext, inventory({models: [m]}))
    expect(f?.remediation).toBe('juju integrate -m prod:openstack rabbitmq-server:certificates vault:certificates')
  })

  it("names the endpoint a vault of no known track already issues on in the model (charm-octavia's test bundle: vault latest/edge, vault:certificates eleven times)", () => {
    const m = model('openstack', {
      apps: [app('rabbitmq-server', {channel: 'latest/edge'}), app('vault', {channel: 'latest/edge'}), app('ovn-central', {channel: 'latest/edge'}), app('glance', {channel: '2024.1/edge'})],
      relations: [relation('ovn-central:certificates', 'vault:certificates'), relation('vault:certificates', 'glance:certificates'), relation('vault:shared-db', 'vault-mysql-router:shared-db')],
      inputs: ['juju-bundle'],
    })
    const [f] = findings(tlsDbPlaintext, inventory({models: [m]}))
    expect(f?.remediation).toBe('juju integrate -m prod:openstack rabbitmq-server:certificates vault:certificates')
  })

  it('skips OpenStack mysql-router subordinates: their database is mysql-innodb-cluster, related to vault', () => {
    // The shapes of openstack/charm-mysql-router's jammy-full bundle, as `juju status` shows them.
    const m = model('openstack', {
      apps: [
        app('keystone-mysql-router', {charm: 'mysql-router', channel: '8.0/stable', subordinateTo: ['keystone']}),
        app('vault-mysql-router', {charm: 'mysql-router', channel: '8.0/stable', subordinateTo: ['vault']}),
        app('mysql-innodb-cluster', {channel: '8.0/stable'}),
        app('keystone'),
        app('vault', {channel: '1.8/stable'}),
      ],
      relations: [
        relation('keystone:shared-db', 'keystone-mysql-router:shared-db', 'mysql-shared'),
        relation('keystone-mysql-router:db-router', 'mysql-innodb-cluster:db-router', 'mysql-router'),
        relation('vault-mysql-router:db-router', 'mysql-innodb-cluster:db-router', 'mysql-router'),
      ],
    })
    const fs = findings(tlsDbPlaintext, inventory({models: [m]}))
    expect(fs.map((f) => f.target.name)).toEqual(['mysql-innodb-cluster'])
    expect(fs[0]?.remediation).toBe('juju integrate -m prod:openstack mysql-innodb-cluster:certificates vault:certificates')
  })

  it('knows mysql-router is a subordinate from the charm alone (a bundle says nothing of it)', () => {
    const m = model('openstack', {apps: [app('nova-mysql-router', {charm: '../../../mysql-router'})], inputs: ['juju-bundle']})
    expect(findings(tlsDbPlaintext, inventory({models: [m]}))).toEqual([])
  })

  it('does not invent an endpoint: postgresql 16 asks on client-certificates, and without a channel it says what to check', () => {
    const m = model('m', {
      apps: [app('pg16', {charm: 'postgresql', channel: '16/stable'}), app('pg', {charm: 'postgresql'}), app('vault', {charm: 'vault', channel: '1.16/stable'})],
    })
    const fs = findings(tlsDbPlaintext, inventory({models: [m]}))
    expect(fs.map((f) => f.target.name)).toEqual(['pg16', 'pg'])
    expect(fs[0]?.remediation).toBe(`juju integrate -m prod:m pg16:client-certificates vault:vault-pki${PG_THEN_TLS_ONLY}`)
    expect(fs[1]?.remediation).not.toMatch(/pg:certificates|juju integrate/)
    expect(fs[1]?.remediation).toContain('`juju info postgresql` lists its relations')
    expect(fs[1]?.remediation).toContain('vault:vault-pki')
  })

  it('takes the endpoint from charm metadata when it was read, client certificates first', () => {
    const pg16 = charm('postgresql', {
      endpoints: [endpoint('peer-certificates', 'requires', 'tls-certificates'), endpoint('client-certificates', 'requires', 'tls-certificates')],
    })
    const m = model('m', {apps: [app('postgresql'), app('lego')]})
    const [f] = findings(tlsDbPlaintext, inventory({models: [m], charms: [pg16]}))
    expect(f?.remediation).toBe(`juju integrate -m prod:m postgresql:client-certificates lego:certificates${PG_THEN_TLS_ONLY}`)
  })

  it('deploys a provider first when the estate has none', () => {
    const m = model('m', {apps: [app('rabbitmq-server')]})
    const [f] = findings(tlsDbPlaintext, inventory({models: [m]}))
    expect(f?.remediation).toBe(`juju show-application -m prod:m vault || juju deploy -m prod:m vault --channel 1.8/stable && juju integrate -m prod:m rabbitmq-server:certificates vault:certificates${VAULT_FOR_V0}; the show-application check skips the deploy where another fix already made it (its "not found" is then expected)`)
    const k8s = model('k8s', {type: 'caas', apps: [app('postgresql', {charm: 'postgresql-k8s', channel: '14/stable'})]})
    expect(findings(tlsDbPlaintext, inventory({models: [k8s]}))[0]?.remediation).toMatch(/^juju show-application -m prod:k8s self-signed-certificates \|\| juju deploy -m prod:k8s self-signed-certificates && /)
  })

  it('uses an offer the model consumes, or consumes one another model makes', () => {
    const consumer = model('db', {
      apps: [app('rabbitmq-server')],
      consumed: [{name: 'certs', url: 'prod:admin/pki.certs', endpoints: [{name: 'certificates', interface: 'tls-certificates', role: 'provider'}]}],
    })
    const pki = model('pki', {
      apps: [app('vault', {channel: '1.8/stable'})],
      offers: [{name: 'vault-certs', application: 'vault', url: 'prod:admin/pki.vault-certs', endpoints: [{name: 'certificates', interface: 'tls-certificates'}]}],
    })
    const other = model('other', {apps: [app('mysql-innodb-cluster')]})
    const fs = findings(tlsDbPlaintext, inventory({models: [consumer, pki, other]}))
    expect(fs.map((f) => [f.target.name, f.remediation])).toEqual([
      ['rabbitmq-server', 'juju integrate -m prod:db rabbitmq-server:certificates certs:certificates'],
      ['mysql-innodb-cluster', 'juju consume -m prod:other prod:admin/pki.vault-certs && juju integrate -m prod:other mysql-innodb-cluster:certificates vault-certs:certificates'],
    ])
  })

  it('says so when the charm has no certificates endpoint (percona-cluster) rather than print a relation that cannot work', () => {
    const m = model('m', {apps: [app('mysql', {charm: 'percona-cluster'}), app('vault')]})
    const [f] = findings(tlsDbPlaintext, inventory({models: [m]}))
    expect(f?.message).toContain('has no certificates endpoint')
    expect(f?.remediation).not.toContain('juju integrate')
  })
})

describe('TLS-SELF-SIGNED', () => {
  it('flags an exposed app with ssl_cert SELFSIGNED or a self-signed-certificates relation', () => {
    const m = model('m', {
      apps: [
        app('haproxy', {exposed: true, options: {ssl_cert: 'SELFSIGNED'}, optionRefs: {ssl_cert: ref('bundle.yaml', 'applications', 'haproxy', 'options', 'ssl_cert')}}),
        app('web', {exposed: true}),
        app('ssc', {charm: 'self-signed-certificates'}),
      ],
      relations: [relation('web:certificates', 'ssc:certificates', 'tls-certificates')],
    })
    const fs = findings(tlsSelfSigned, inventory({models: [m]}))
    expect(fs.map((f) => [f.target.name, f.severity])).toEqual([['haproxy', 'low'], ['web', 'low']])
    expect(fs[0]?.message).toContain('ssl_cert: SELFSIGNED')
    expect(fs[0]?.location?.line).toBe(5)
    // haproxy's legacy charm takes its certificate as options; web's provider is replaced by one clients trust, deployed first.
    expect(fs[0]?.remediation).toBe('juju config -m prod:m haproxy ssl_cert="$(base64 -w0 fullchain.pem)" ssl_key="$(base64 -w0 privkey.pem)"   # a certificate and key from a CA the clients trust')
    expect(fs[1]?.remediation).toMatch(
      /^juju show-application -m prod:m lego \|\| juju deploy -m prod:m lego && juju remove-relation -m prod:m web:certificates ssc:certificates && juju integrate -m prod:m web:certificates lego:certificates {3}# configure lego/,
    )
  })

  it('accepts self-signed on an app nobody outside can reach', () => {
    const m = model('m', {apps: [app('haproxy', {exposed: false, options: {ssl_cert: 'SELFSIGNED'}})]})
    expect(findings(tlsSelfSigned, inventory({models: [m]}))).toEqual([])
  })
})

describe('TLS-CONFIG-KEY', () => {
  it('flags key material in config (medium) without showing it', () => {
    const a = app('haproxy', {options: {ssl_key: 'LS0tLS1CRUdJTi...', ssl_cert: 'SELFSIGNED'}})
    const [f] = findings(tlsConfigKey, inventory({models: [model('m', {apps: [a], inputs: ['juju-config']})]}))
    expect(f).toMatchObject({rule: 'TLS-CONFIG-KEY', severity: 'medium', target: {name: 'haproxy'}, evidence: {setOptions: ['ssl_key']}})
    expect(JSON.stringify(f)).not.toContain('LS0tLS1')
  })

  it('flags a charm declaring its private key as a string option as low, not its certificate (maas-region)', () => {
    const c = charm('maas-region', {options: {ssl_key_content: option('string'), ssl_cert_content: option('string'), ssl_cacert_content: option('string'), maas_url: option('string')}})
    const [f] = findings(tlsConfigKey, inventory({charms: [c], inputs: ['charm-metadata']}))
    expect(f).toMatchObject({severity: 'low', target: {kind: 'charm', name: 'maas-region'}, evidence: {declaredStringOptions: ['ssl_key_content']}})
    // maas-region has no certificates endpoint: ssl_key_content is how MAAS-TLS turns TLS on, so no "leave it unset".
    expect(f?.remediation).toBe(
      'maas-region has no certificates endpoint: ssl_key_content is how it is given its TLS key. Keep it when you set it, keep read access to the model it is deployed in to those who may hold the key, or terminate TLS at a proxy in front of it that takes a certificates relation.',
    )
  })

  it("keeps a CA's signing key set: no certificates relation replaces octavia's lb-mgmt-issuing-ca-private-key", () => {
    const octavia = charm('octavia', {
      endpoints: [endpoint('certificates', 'requires', 'tls-certificates')],
      options: {'lb-mgmt-issuing-ca-private-key': option('string'), 'lb-mgmt-issuing-cacert': option('string'), ssl_key: option('string')},
    })
    const set = model('openstack', {apps: [app('octavia', {options: {'lb-mgmt-issuing-ca-private-key': 'LS0tLS1CRUdJTiBSU0E='}}), app('vault', {channel: '1.8/stable'})], inputs: ['juju-config']})
    const [f] = findings(tlsConfigKey, inventory({models: [set], charms: [octavia]}))
    expect(f).toMatchObject({severity: 'medium', evidence: {setOptions: ['lb-mgmt-issuing-ca-private-key']}})
    expect(f?.remediation).toBe(
      'lb-mgmt-issuing-ca-private-key is the private key of a CA octavia signs certificates with, which no certificates relation hands out: keep it set (clearing it stops octavia issuing), limit who can read model openstack (`juju show-model prod:openstack` lists its users), and replace the CA if anyone who should not hold its key could read the model.',
    )
    // A placeholder (the FCE bundle's FCE_TEMPLATE): not "leave it unset", which octavia's mandatory option cannot be.
    const placeholder = model('openstack', {apps: [app('octavia', {options: {'lb-mgmt-issuing-ca-private-key': 'FCE_TEMPLATE'}})], inputs: ['juju-bundle']})
    const [p] = findings(tlsConfigKey, inventory({models: [placeholder], charms: [octavia]}))
    expect(p?.severity).toBe('low')
    // Its own serving key (declared, not set) can come over its certificates endpoint; the CA key cannot.
    expect(p?.remediation).toBe(
      'Leave ssl_key unset: give octavia its certificate over its certificates endpoint with a certificate provider instead, and clear a key once set there: `juju config APP --reset ssl_key`. lb-mgmt-issuing-ca-private-key is the private key of a CA octavia signs certificates with, which no certificates relation hands out: once set, limit who can read model openstack (`juju show-model prod:openstack` lists its users).',
    )
  })

  it('does not fire on a public certificate: landscape-client ssl-public-key, ssl_cert, ssl_ca', () => {
    const description = 'The CA certificate to verify the server certificate with. This can be a path to a file, or a base64 encoded entry of the certificate itself'
    const client = charm('landscape-client', {subordinate: true, options: {'ssl-public-key': option('string', {description}), 'registration-key': option('string')}})
    const m = model('m', {
      apps: [app('landscape-client', {options: {'ssl-public-key': 'base64:LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t'}}), app('keystone', {options: {ssl_cert: 'LS0tLS1CRUdJTiBDRVJU', ssl_ca: 'LS0tLS1CRUdJTiBDRVJU'}})],
      inputs: ['juju-config'],
    })
    expect(findings(tlsConfigKey, inventory({models: [m], charms: [client]}))).toEqual([])
  })

  it('resets only the private key, after the certificates relation that replaces it', () => {
    const keystone = charm('keystone', {endpoints: [endpoint('certificates', 'requires', 'tls-certificates')], options: {ssl_key: option('string'), ssl_cert: option('string')}})
    const m = model('openstack', {apps: [app('keystone', {options: {ssl_key: 'LS0tLS1CRUdJTiBQUklWQVRF', ssl_cert: 'LS0tLS1CRUdJTiBDRVJU'}}), app('vault', {channel: '1.8/stable'})], inputs: ['juju-config']})
    const [f] = findings(tlsConfigKey, inventory({models: [m], charms: [keystone]}))
    expect(f?.remediation).toBe('juju integrate -m prod:openstack keystone:certificates vault:certificates   # once keystone serves the certificate from vault: juju config -m prod:openstack keystone --reset ssl_key')
  })

  it('suggests no reset where the key can only be config (the legacy haproxy charm)', () => {
    const m = model('landscape', {apps: [app('haproxy', {channel: 'latest/stable', options: {ssl_key: 'LS0tLS1CRUdJTiBQUklWQVRF', ssl_cert: 'LS0tLS1CRUdJTiBDRVJU'}})], inputs: ['juju-bundle']})
    const [f] = findings(tlsConfigKey, inventory({models: [m]}))
    expect(f?.remediation).not.toContain('--reset')
    expect(f?.remediation).toContain('takes its key only as config')
  })

  it('says a placeholder is a placeholder', () => {
    const m = model('m', {apps: [app('haproxy', {options: {ssl_key: 'REPLACE_ME'}})], inputs: ['juju-bundle']})
    const [f] = findings(tlsConfigKey, inventory({models: [m]}))
    expect(f).toMatchObject({severity: 'low', evidence: {setOptions: [], placeholderOptions: ['ssl_key']}})
    expect(f?.message).toContain('set to a placeholder, not a key yet')
  })

  it('ignores unrelated options', () => {
    const a = app('web', {options: {'log-level': 'debug', tls_enabled: true}})
    expect(findings(tlsConfigKey, inventory({models: [model('m', {apps: [a], inputs: ['juju-bundle']})]}))).toEqual([])
  })
})
