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
  it('flags ports beyond those MAAS uses, and firewalls keeping SSH and every MAAS port open, allowed before the deny', () => {
    const m = maasModel({units: [{name: 'maas-region/0', openPorts: ['5240/tcp', '22/tcp', '5443/tcp', '8000/tcp', '9090/tcp', '53/udp', '5241-5247/udp']}]})
    const [f] = findings(maasPorts, inventory({models: [m]}))
    expect(f).toMatchObject({rule: 'MAAS-PORTS', severity: 'high', target: {name: 'maas-region'}, evidence: {extraPorts: ['9090/tcp']}})
    expect(f?.message).toContain('opens port 9090/tcp beyond those MAAS uses')
    expect(f?.remediation).toBe(
      "find what opened 9090/tcp on the maas-region machines (the maas-region charm opens only MAAS's ports), or firewall them there, keeping SSH and the ports MAAS has open: " +
        'sudo ufw allow 22 && sudo ufw allow 5240/tcp && sudo ufw allow 5443/tcp && sudo ufw allow 8000/tcp && sudo ufw allow 53/udp && sudo ufw allow 5241:5247/udp && sudo ufw default deny incoming && sudo ufw enable; ' +
        'and restrict sources: juju expose -m prod:maas maas-region --to-cidrs ADMIN-CIDRS',
    )
  })

  it('counts the ports the maas-region charm opens on every unit as MAAS ports (DNS, DHCP, TFTP, NTP, proxy, metrics, 5443, Temporal), and is medium when not exposed', () => {
    const charmOpens = ['53/udp', '67/udp', '69/udp', '123/udp', '323/udp', '5241-5247/udp', '53/tcp', '3128/tcp', '8000/tcp', '5240/tcp', '5443/tcp', '5239/tcp', '5241-5247/tcp', '5250-5270/tcp', '5270-5274/tcp', '5280-5284/tcp']
    const m = maasModel({exposed: false, units: [{name: 'maas-region/0', openPorts: charmOpens}], options: {}})
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

  it('accepts certificates in config (3.7 and later, or an unknown track), tls_mode passthrough or termination, or a TLS ingress relation', () => {
    const certificates = {ssl_cert_content: '-----BEGIN CERTIFICATE-----', ssl_key_content: '-----BEGIN PRIVATE KEY-----'}
    const a = maasModel({options: certificates})
    const b = maasModel({channel: '3.7/stable', options: certificates})
    const c = maasModel()
    c.relations.push(relation('maas-region:ingress-tcp-tls', 'haproxy:haproxy-route-tcp', 'haproxy-route-tcp'))
    const d = maasModel({channel: '3.6/stable', options: {...certificates, tls_mode: 'passthrough'}})
    const e = maasModel({channel: '3.5/stable', options: {tls_mode: 'termination'}})
    for (const m of [a, b, c, d, e]) expect(findings(maasTlsRule, inventory({models: [m]}))).toEqual([])
  })

  it('does not take an open 5443 for TLS: the charm opens it on every unit (MAAS_REGION_PORTS), TLS or not', () => {
    const m = maasModel({units: [{name: 'maas-region/0', openPorts: ['5240/tcp', '5443/tcp']}]})
    expect(findings(maasTlsRule, inventory({models: [m]}))).toHaveLength(1)
  })

  it('reads the certificate options as the charm track does: the 3.6 charm needs tls_mode=passthrough, the 3.5 charm has no TLS of its own', () => {
    const certificates = {ssl_cert_content: '-----BEGIN CERTIFICATE-----', ssl_key_content: '-----BEGIN PRIVATE KEY-----'}
    const [six] = findings(maasTlsRule, inventory({models: [maasModel({channel: '3.6/stable', options: certificates})]}))
    expect(six?.message).toContain('tls_mode is left at its default (disabled): the 3.6/stable charm serves TLS only with tls_mode=passthrough')
    expect(six?.remediation).toBe('juju config -m prod:maas maas-region tls_mode=passthrough ssl_cert_content="$(cat cert.pem)" ssl_key_content="$(cat key.pem)"   # the 3.6 charm reads the certificate only with tls_mode=passthrough')
    const [disabled] = findings(maasTlsRule, inventory({models: [maasModel({options: {...certificates, tls_mode: 'disabled'}})]}))
    expect(disabled?.message).toContain('tls_mode is disabled')
    const [blocked] = findings(maasTlsRule, inventory({models: [maasModel({channel: '3.5/stable', options: {...certificates, tls_mode: 'passthrough'}})]}))
    expect(blocked?.message).toContain('tls_mode is passthrough, which the 3.5/stable charm refuses (it blocks the unit)')
    const [five] = findings(maasTlsRule, inventory({models: [maasModel({channel: '3.5/stable', options: {}})]}))
    expect(five?.remediation).toMatch(/^juju config -m prod:maas maas-region tls_mode=termination {3}# the 3\.5\/stable charm cannot turn TLS on in MAAS/)
  })

  it('prints the certificate options for 3.7 and later, and asks for ingress-tcp-tls beside a plain ingress-tcp HAProxy', () => {
    const m = maasModel({channel: '3.7/stable', options: {}})
    m.relations.push(relation('maas-region:ingress-tcp', 'haproxy:haproxy-route-tcp', 'haproxy-route-tcp'))
    const [f] = findings(maasTlsRule, inventory({models: [m]}))
    expect(f?.remediation).toBe(
      'juju config -m prod:maas maas-region ssl_cert_content="$(cat cert.pem)" ssl_key_content="$(cat key.pem)"   # MAAS then serves 5443: relate maas-region:ingress-tcp-tls to the HAProxy too (443 → 5443), or the charm blocks',
    )
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
