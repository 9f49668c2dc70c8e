import {describe, expect, it} from 'vitest'

import {landscapeExposure, landscapeHttpPort, landscapeInternalPorts, landscapeProxyTls} from '../../src/rules/landscape.js'
import type {Application, InputKind} from '../../src/inventory/types.js'
import {app, findings, inventory, model, policy, relation, run} from './factories.js'

function landscape(extra: {haproxy?: Partial<Application>; server?: Partial<Application>; pg?: Partial<Application>} = {}, inputs: InputKind[] = ['juju-status', 'juju-bundle']) {
  return model('landscape', {
    inputs,
    apps: [
      app('landscape-server', {charm: '../landscape-server_ubuntu@22.04-amd64.charm', exposed: false, units: [{name: 'landscape-server/0', openPorts: ['6554/tcp', '8080/tcp']}], ...extra.server}),
      app('postgresql', {exposed: false, units: [{name: 'postgresql/0', openPorts: ['5432/tcp']}], ...extra.pg}),
      app('rabbitmq-server', {exposed: false}),
      app('haproxy', {exposed: true, units: [{name: 'haproxy/0', openPorts: ['80/tcp', '443/tcp']}], options: {ssl_cert: 'SELFSIGNED'}, ...extra.haproxy}),
    ],
    relations: [relation('landscape-server', 'haproxy'), relation('landscape-server:db', 'postgresql:db-admin')],
  })
}

describe('LANDSCAPE-EXPOSURE', () => {
  it('flags any exposed application other than the reverse proxy as critical', () => {
    const fs = findings(landscapeExposure, inventory({models: [landscape({server: {exposed: true}})]}))
    expect(fs.map((f) => f.target.name)).toEqual(['landscape-server'])
    expect(fs[0]).toMatchObject({rule: 'LANDSCAPE-EXPOSURE', severity: 'critical', target: {kind: 'application', model: 'landscape'}})
    expect(fs[0]?.message).toContain('only the reverse proxy')
    expect(fs[0]?.remediation).toBe('juju unexpose -m prod:landscape landscape-server')
  })

  it('accepts an exposed haproxy, and ignores models without landscape-server', () => {
    const other = model('web', {apps: [app('web', {exposed: true})]})
    expect(findings(landscapeExposure, inventory({models: [landscape(), other]}))).toEqual([])
  })

  it('leaves apps with unknown exposure not evaluated', () => {
    const m = landscape({pg: {exposed: undefined}})
    expect(run(landscapeExposure, inventory({models: [m]})).notEvaluated[0]?.targets?.map((t) => t.name)).toEqual(['postgresql'])
  })
})

describe('LANDSCAPE-INTERNAL-PORTS', () => {
  it('flags internal ports opened on an exposed app', () => {
    const fs = findings(landscapeInternalPorts, inventory({models: [landscape({pg: {exposed: true}})]}))
    expect(fs).toHaveLength(1)
    expect(fs[0]).toMatchObject({severity: 'critical', target: {name: 'postgresql'}, evidence: {ports: ['5432/tcp'], portsFrom: 'open-ports'}})
    expect(fs[0]?.message).toContain('PostgreSQL')
  })

  it('uses the charm default ports when units are unknown', () => {
    const m = landscape({server: {exposed: true, units: []}})
    const [f] = findings(landscapeInternalPorts, inventory({models: [m]}))
    expect(f?.evidence).toMatchObject({ports: ['6554/tcp', '8080-9100/tcp'], portsFrom: 'charm defaults'})
  })

  it('flags the proxy when it forwards an internal port, not when it serves 80/443', () => {
    expect(findings(landscapeInternalPorts, inventory({models: [landscape()]}))).toEqual([])
    const m = landscape({haproxy: {units: [{name: 'haproxy/0', openPorts: ['443/tcp', '8080/tcp']}]}})
    expect(findings(landscapeInternalPorts, inventory({models: [m]})).map((f) => f.target.name)).toEqual(['haproxy'])
  })

  it('takes 6554 on the proxy for the gRPC front landscape-server asks it for (WSL), not an internal port; the proxy fix warns what narrowing costs', () => {
    const current = landscape({haproxy: {units: [{name: 'haproxy/0', openPorts: ['80/tcp', '443/tcp', '6554/tcp']}]}})
    expect(findings(landscapeInternalPorts, inventory({models: [current]}))).toEqual([])
    const forwarding = landscape({haproxy: {units: [{name: 'haproxy/0', openPorts: ['443/tcp', '6554/tcp', '8080/tcp']}]}})
    const [f] = findings(landscapeInternalPorts, inventory({models: [forwarding]}))
    expect(f?.evidence).toMatchObject({ports: ['8080/tcp']})
    expect(f?.remediation).toContain('# this narrows 80, 443 and 6554 for every Landscape client too')
    // landscape-server exposed itself: its own 6554 is still internal.
    const direct = landscape({server: {exposed: true}})
    expect(findings(landscapeInternalPorts, inventory({models: [direct]}))[0]?.evidence).toMatchObject({ports: ['6554/tcp', '8080/tcp']})
  })
})

describe('LANDSCAPE-HTTP-PORT', () => {
  it('flags port 80 on the exposed proxy when mirroring is off', () => {
    const [f] = findings(landscapeHttpPort, inventory({models: [landscape()]}))
    expect(f).toMatchObject({rule: 'LANDSCAPE-HTTP-PORT', severity: 'medium', target: {name: 'haproxy'}, evidence: {ports: ['80/tcp'], mirroring: false}, autoFixable: false})
    // landscape-server always asks its proxy for the port-80 frontend: the fix is its redirect, not a closed port.
    expect(f?.remediation).toMatch(/^juju config -m prod:landscape landscape-server redirect_https=all {3}# first switch every Landscape client to https /)
    expect(f?.remediation).not.toContain('close-port')
  })

  it('accepts port 80 once landscape-server redirects all of it to HTTPS (redirect_https=all)', () => {
    expect(findings(landscapeHttpPort, inventory({models: [landscape({server: {options: {redirect_https: 'all'}}})]}))).toEqual([])
    expect(findings(landscapeHttpPort, inventory({models: [landscape({server: {options: {redirect_https: 'default'}}})]}))).toHaveLength(1)
  })

  it('accepts port 80 when mirroring is used, and a proxy on 443 only', () => {
    expect(findings(landscapeHttpPort, inventory({models: [landscape()]}), policy({landscape: {mirroring: true}}))).toEqual([])
    const m = landscape({haproxy: {units: [{name: 'haproxy/0', openPorts: ['443/tcp']}]}})
    expect(findings(landscapeHttpPort, inventory({models: [m]}))).toEqual([])
  })

  it('assumes the default 80/443 frontends when only a bundle is known', () => {
    const m = landscape({haproxy: {units: []}}, ['juju-bundle'])
    const [f] = findings(landscapeHttpPort, inventory({models: [m]}))
    expect(f?.evidence).toMatchObject({ports: ['80/tcp'], portsFrom: 'charm defaults'})
    expect(f?.message).toContain('not known')
  })

  it('is not evaluated without any exposure input', () => {
    expect(run(landscapeHttpPort, inventory({models: [model('landscape', {inputs: ['juju-config']})]})).notEvaluated[0]?.targets).toBeUndefined()
  })
})

describe('LANDSCAPE-PROXY-TLS', () => {
  it('flags a proxy without certificate as high', () => {
    const [f] = findings(landscapeProxyTls, inventory({models: [landscape({haproxy: {options: {ssl_cert: 'DEFAULT'}}})]}))
    expect(f).toMatchObject({rule: 'LANDSCAPE-PROXY-TLS', severity: 'high', target: {name: 'haproxy'}})
    expect(f?.message).toContain('without a TLS certificate')
    expect(f?.remediation).toContain('juju config -m prod:landscape haproxy ssl_cert=')
  })

  it('a certificate no service of haproxy\'s services option binds is no TLS (high), and the fix rewrites the services', () => {
    const services = '- service_name: landscape-http\n  service_host: "0.0.0.0"\n  service_port: 80\n'
    const [f] = findings(landscapeProxyTls, inventory({models: [landscape({haproxy: {options: {ssl_cert: 'LS0tLS1CRUdJTiBDRVJU', services}}})]}))
    expect(f).toMatchObject({rule: 'LANDSCAPE-PROXY-TLS', severity: 'high'})
    expect(f?.message).toBe('haproxy fronts Landscape without TLS: its services option (landscape-http) binds no service with crts, so its ssl_cert is served nowhere.')
    expect(f?.remediation).toContain('services="$(cat services.yaml)"')
    // An include-file the bundle names cannot be read here: the certificate is taken as served.
    expect(findings(landscapeProxyTls, inventory({models: [landscape({haproxy: {options: {ssl_cert: 'LS0tLS1CRUdJTiBDRVJU', services: 'include-file://haproxy.yaml'}}})]}))).toEqual([])
  })

  it('notes a self-signed certificate at low severity', () => {
    const [f] = findings(landscapeProxyTls, inventory({models: [landscape()]}))
    expect(f?.severity).toBe('low')
    expect(f?.message).toContain('self-signed')
  })

  it('accepts a real certificate or a CA relation', () => {
    const withCert = landscape({haproxy: {options: {ssl_cert: 'LS0tLS1CRUdJTiBDRVJU'}}})
    expect(findings(landscapeProxyTls, inventory({models: [withCert]}))).toEqual([])
    const withLego = landscape({haproxy: {options: {}}})
    withLego.applications.set('lego', {...app('lego'), model: 'landscape', controller: 'prod'})
    withLego.relations.push(relation('haproxy:certificates', 'lego:certificates', 'tls-certificates'))
    expect(findings(landscapeProxyTls, inventory({models: [withLego]}))).toEqual([])
  })

  it('relates haproxy 2.8 (which takes a certificates relation) to the estate\'s trusted provider instead of config', () => {
    const m = landscape({haproxy: {channel: '2.8/stable', options: {}}})
    m.applications.set('acme', {...app('acme', {charm: 'lego'}), model: 'landscape', controller: 'prod'})
    const [f] = findings(landscapeProxyTls, inventory({models: [m]}))
    expect(f?.remediation).toBe('juju integrate -m prod:landscape haproxy:certificates acme:certificates')
  })

  it('replaces a self-signed relation on haproxy 2.8 with a provider clients trust, deployed first', () => {
    const m = landscape({haproxy: {channel: '2.8/edge', options: {}}})
    m.applications.set('ssc', {...app('ssc', {charm: 'self-signed-certificates'}), model: 'landscape', controller: 'prod'})
    m.relations.push(relation('haproxy:certificates', 'ssc:certificates', 'tls-certificates'))
    const [f] = findings(landscapeProxyTls, inventory({models: [m]}))
    expect(f?.severity).toBe('low')
    expect(f?.remediation).toMatch(/^juju show-application -m prod:landscape lego \|\| juju deploy -m prod:landscape lego && juju remove-relation -m prod:landscape haproxy ssc && juju integrate -m prod:landscape haproxy:certificates lego:certificates {3}# configure lego/)
  })

  it('says a placeholder ssl_cert is a placeholder', () => {
    const [f] = findings(landscapeProxyTls, inventory({models: [landscape({haproxy: {options: {ssl_cert: 'REPLACE_ME'}}})]}))
    expect(f?.message).toContain('ssl_cert set to a placeholder')
    expect(JSON.stringify(f)).not.toContain('REPLACE_ME')
  })

  it('is not evaluated when the proxy options are unknown', () => {
    const m = landscape({haproxy: {options: {}}}, ['juju-status'])
    expect(run(landscapeProxyTls, inventory({models: [m]})).notEvaluated[0]?.targets?.map((t) => t.name)).toEqual(['haproxy'])
  })
})
