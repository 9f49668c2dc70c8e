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
    expect(fs[0]?.remediation).toContain('juju integrate -m prod:m web:certificates lego')
    expect(fs[1]?.remediation).toContain('self-signed-certificates')
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

  it('ignores charms without TLS endpoints and leaves apps without metadata not evaluated', () => {
    const inv = inventory({models: [model('m', {apps: [app('plain', {charm: 'plain'}), app('unknown')]})], charms: [charm('plain')], inputs: ['charm-metadata']})
    const result = run(tlsMissingRelation, inv)
    expect(result.findings).toEqual([])
    expect(result.notEvaluated[0]?.targets?.map((t) => t.name)).toEqual(['unknown'])
  })

  it('is not evaluated without charm metadata', () => {
    expect(run(tlsMissingRelation, inventory({models: [model('m')]})).notEvaluated[0]?.needs).toEqual(['charm-metadata'])
  })
})

describe('TLS-DB-PLAINTEXT', () => {
  it('flags databases and brokers without a certificates relation, by charm name', () => {
    const m = model('m', {
      apps: [app('postgresql', {charm: 'ch:postgresql'}), app('mysql', {charm: 'mysql-k8s'}), app('rabbitmq-server'), app('ca', {charm: 'self-signed-certificates'}), app('web')],
      relations: [relation('mysql:certificates', 'ca:certificates', 'tls-certificates')],
    })
    const fs = findings(tlsDbPlaintext, inventory({models: [m]}))
    expect(fs.map((f) => f.target.name)).toEqual(['postgresql', 'rabbitmq-server'])
    expect(fs[0]).toMatchObject({severity: 'medium', evidence: {charm: 'postgresql'}})
    expect(fs[0]?.remediation).toBe('juju integrate -m prod:m postgresql:certificates self-signed-certificates   # or your CA')
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
    expect(fs[1]?.remediation).toContain('juju remove-relation -m prod:m web ssc')
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

  it('flags a charm declaring string TLS options as low (maas-region ssl_key_content)', () => {
    const c = charm('maas-region', {options: {ssl_key_content: option('string'), ssl_cert_content: option('string'), maas_url: option('string')}})
    const [f] = findings(tlsConfigKey, inventory({charms: [c], inputs: ['charm-metadata']}))
    expect(f).toMatchObject({severity: 'low', target: {kind: 'charm', name: 'maas-region'}, evidence: {declaredStringOptions: ['ssl_cert_content', 'ssl_key_content']}})
  })

  it('ignores unrelated options', () => {
    const a = app('web', {options: {'log-level': 'debug', tls_enabled: true}})
    expect(findings(tlsConfigKey, inventory({models: [model('m', {apps: [a], inputs: ['juju-bundle']})]}))).toEqual([])
  })
})
