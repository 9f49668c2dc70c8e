import {describe, expect, it} from 'vitest'

import {maasFilePerms, maasLoginFailures} from '../../src/rules/maas-host.js'
import {maasDbTls, maasPorts, maasTlsRule, maasVault} from '../../src/rules/maas.js'
import {evaluateRules} from '../../src/rules/engine.js'
import type {Application, InputKind} from '../../src/inventory/types.js'
import {app, findings, inventory, model, NOW, policy, relation, run} from './factories.js'

function maasModel(region: Partial<Application> = {}, inputs: InputKind[] = ['juju-status', 'juju-config']) {
  return model('maas', {
    inputs,
    apps: [
      app('maas-region', {exposed: true, units: [{name: 'maas-region/0', openPorts: ['5240/tcp', '5241-5247/tcp', '5250-5270/tcp']}], ...region}),
      app('postgresql'),
    ],
    relations: [relation('maas-region:maas-db', 'postgresql:database', 'postgresql_client')],
  })
}

describe('MAAS-PORTS', () => {
  it('flags ports beyond those MAAS uses', () => {
    const m = maasModel({units: [{name: 'maas-region/0', openPorts: ['5240/tcp', '22/tcp', '5443/tcp', '8000/tcp']}]})
    const [f] = findings(maasPorts, inventory({models: [m]}))
    expect(f).toMatchObject({rule: 'MAAS-PORTS', severity: 'high', target: {name: 'maas-region'}, evidence: {extraPorts: ['22/tcp', '8000/tcp'], tls: true}})
    expect(f?.message).toContain('22/tcp and 8000/tcp')
  })

  it('treats an open 5443 as the MAAS TLS port, and is medium when not exposed', () => {
    const m = maasModel({exposed: false, units: [{name: 'maas-region/0', openPorts: ['5240/tcp']}, {name: 'maas-region/1', openPorts: ['5443/tcp']}], options: {}})
    // 5443 open means TLS is on: nothing to report.
    expect(findings(maasPorts, inventory({models: [m]}))).toEqual([])
    const n = maasModel({exposed: false, units: [{name: 'maas-region/0', openPorts: ['5240/tcp', '9000/tcp']}]})
    expect(findings(maasPorts, inventory({models: [n]}))[0]?.severity).toBe('medium')
  })

  it('accepts the MAAS ports and needs unit ports', () => {
    expect(findings(maasPorts, inventory({models: [maasModel()]}))).toEqual([])
    const result = run(maasPorts, inventory({models: [maasModel({units: []})]}))
    expect(result.notEvaluated[0]?.targets?.map((t) => t.name)).toEqual(['maas-region'])
  })
})

describe('MAAS-TLS', () => {
  it('flags a region without any TLS', () => {
    const [f] = findings(maasTlsRule, inventory({models: [maasModel()]}))
    expect(f).toMatchObject({rule: 'MAAS-TLS', severity: 'high', target: {name: 'maas-region'}, evidence: {ssl_cert_content: 'unset'}})
    expect(f?.message).toContain('plain HTTP')
  })

  it('accepts certificates in config, port 5443, or a TLS ingress relation', () => {
    const a = maasModel({options: {ssl_cert_content: '-----BEGIN CERTIFICATE-----', ssl_key_content: '-----BEGIN PRIVATE KEY-----'}})
    const b = maasModel({units: [{name: 'maas-region/0', openPorts: ['5443/tcp']}]})
    const c = maasModel()
    c.relations.push(relation('maas-region:ingress-tcp-tls', 'haproxy:haproxy-route-tcp', 'haproxy-route-tcp'))
    for (const m of [a, b, c]) expect(findings(maasTlsRule, inventory({models: [m]}))).toEqual([])
  })

  it('is not evaluated when the options are unknown', () => {
    const m = maasModel({}, ['juju-status'])
    expect(run(maasTlsRule, inventory({models: [m], inputs: ['juju-config']})).notEvaluated[0]?.targets?.map((t) => t.name)).toEqual(['maas-region'])
  })
})

describe('MAAS-DB-TLS', () => {
  it('flags the PostgreSQL of MAAS without TLS', () => {
    const [f] = findings(maasDbTls, inventory({models: [maasModel()]}))
    expect(f).toMatchObject({rule: 'MAAS-DB-TLS', severity: 'medium', target: {name: 'postgresql'}, evidence: {maasRegion: 'maas-region'}})
  })

  it('relates PostgreSQL 16 on client-certificates to the provider the estate offers', () => {
    const m = maasModel()
    m.applications.set('postgresql', {...app('postgresql', {channel: '16/stable'}), model: 'maas', controller: 'prod'})
    const pki = model('pki', {apps: [app('vault', {channel: '1.16/stable'})], offers: [{name: 'vault-pki', application: 'vault', url: 'prod:admin/pki.vault-pki', endpoints: [{name: 'vault-pki', interface: 'tls-certificates'}]}]})
    const [f] = findings(maasDbTls, inventory({models: [m, pki]}))
    expect(f?.remediation).toBe(
      'juju consume -m prod:maas prod:admin/pki.vault-pki && juju integrate -m prod:maas postgresql:client-certificates vault-pki:vault-pki' +
        '   # postgresql then accepts only TLS connections, every pg_hba line of its clients hostssl: check first that its clients (maas-region) connect with TLS, or they are cut off',
    )
  })

  it('does not count a placeholder certificate as TLS (MAAS-TLS)', () => {
    const [f] = findings(maasTlsRule, inventory({models: [maasModel({options: {ssl_cert_content: 'FCE_TEMPLATE', ssl_key_content: 'FCE_TEMPLATE'}})]}))
    expect(f).toMatchObject({rule: 'MAAS-TLS', evidence: {ssl_cert_content: 'placeholder', ssl_key_content: 'placeholder'}})
    expect(JSON.stringify(f)).not.toContain('FCE_TEMPLATE')
  })

  it('accepts it with a certificates relation', () => {
    const m = maasModel()
    m.applications.set('ca', {...app('ca', {charm: 'self-signed-certificates'}), model: 'maas', controller: 'prod'})
    m.relations.push(relation('postgresql:certificates', 'ca:certificates'))
    expect(findings(maasDbTls, inventory({models: [m]}))).toEqual([])
  })
})

describe('MAAS-VAULT', () => {
  it('flags a region without Vault as low', () => {
    const [f] = findings(maasVault, inventory({models: [maasModel()]}))
    expect(f).toMatchObject({rule: 'MAAS-VAULT', severity: 'low', target: {name: 'maas-region'}})
    expect(f?.message).toContain('Vault')
  })

  it('accepts a vault relation', () => {
    const m = maasModel()
    m.applications.set('vault', {...app('vault'), model: 'maas', controller: 'prod'})
    m.relations.push(relation('maas-region', 'vault'))
    expect(findings(maasVault, inventory({models: [m]}))).toEqual([])
  })

  it('ignores models without MAAS', () => {
    expect(findings(maasVault, inventory({models: [model('web', {apps: [app('web')]})]}))).toEqual([])
  })
})

describe('MAAS host rules', () => {
  it('are not run or reported on an inventory without hosts (audit of a Juju estate)', () => {
    const result = evaluateRules([maasFilePerms, maasLoginFailures], inventory({models: [maasModel()]}), policy(), {now: NOW})
    expect(result).toEqual({findings: [], notEvaluated: [], errors: []})
  })
})
