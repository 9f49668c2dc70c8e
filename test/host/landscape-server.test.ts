/**
 * `hardenctl host` on a Landscape server installed on the host (quickstart or the manual install):
 * LANDSCAPE-INTERNAL-PORTS and LANDSCAPE-PROXY-TLS in their host forms, from the listening
 * sockets and the Apache site of Landscape's manual-install guide (test/fixtures/landscape-server/),
 * and the same through the fleet collection script. service.conf's secrets and a private key kept
 * beside the certificate never reach any output.
 */
import {execFileSync} from 'node:child_process'
import {generateKeyPairSync} from 'node:crypto'
import {mkdtemp, readFile, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {collectionScript} from '../../src/host/collect-script.js'
import {materialize, parseCollection} from '../../src/host/collection.js'
import type {AuditReport} from '../../src/report/audit-report.js'
import {runCliInWorker} from '../helpers/cli-in-worker.js'
import {newRoot, procNet, procNet6, type HostRootBuilder} from './roots.js'

const FIXTURES = new URL('../fixtures/landscape-server/', import.meta.url).pathname
const SERVER_SECRETS = {storePassword: 'Sn4-store-password-never-shown', brokerPassword: 'Rb7-broker-password-never-shown', secretToken: 'Tk2-secret-token-never-shown'}

/** hex `ADDR:PORT` of /proc/net/tcp for 0.0.0.0 or 127.0.0.1. */
const v4 = (address: '0.0.0.0' | '127.0.0.1', port: number) => `${address === '0.0.0.0' ? '00000000' : '0100007F'}:${port.toString(16).toUpperCase().padStart(4, '0')}`
const anyV6 = (port: number) => `00000000000000000000000000000000:${port.toString(16).toUpperCase().padStart(4, '0')}`

interface ServerOptions {
  certificate?: 'self-signed.pem' | 'ca-signed.pem'
  /** The :80 vhost only (an install that never set up TLS). */
  httpOnly?: boolean
  /** Services bound as `allowed_interfaces = localhost 127.0.0.1 ::1` leaves them. */
  loopbackOnly?: boolean
  /** Port 80 closed (clients on https, the :80 vhost and `Listen 80` removed). */
  noHttp?: boolean
  deployedFrom?: string
}

/** A Landscape server set up from the manual-install guide's Apache site, as `landscape.example.com`. */
async function landscapeServer(options: ServerOptions = {}): Promise<HostRootBuilder> {
  const root = await newRoot('landscape-1')
  await root.file('/etc/landscape/service.conf', [
    '[stores]', 'host = localhost', 'user = landscape', `password = ${SERVER_SECRETS.storePassword}`,
    '[broker]', 'host = localhost', 'port = 5672', 'user = landscape', `password = ${SERVER_SECRETS.brokerPassword}`,
    '[landscape]', `secret-token = ${SERVER_SECRETS.secretToken}`, '',
  ].join('\n'), {mode: 0o600})
  await root.file('/etc/default/landscape-server', `${options.deployedFrom ? `DEPLOYED_FROM="${options.deployedFrom}"\n` : ''}RUN_ALL="yes"\nUPGRADE_SCHEMA="no"\n`)
  let site = (await readFile(join(FIXTURES, 'landscape.conf'), 'utf8'))
    .replaceAll('@hostname@', 'landscape.example.com')
    .replaceAll('@certfile@', '/etc/ssl/certs/landscape_server.pem')
    .replaceAll('@keyfile@', '/etc/ssl/private/landscape_server.key')
  if (options.httpOnly) site = site.slice(0, site.indexOf('<VirtualHost *:443>'))
  if (options.noHttp) site = site.slice(site.indexOf('<VirtualHost *:443>'))
  await root.file('/etc/apache2/sites-enabled/landscape.conf', site)
  // The certificate with a private key after it in the same file: the key must never be read out.
  const key = generateKeyPairSync('ec', {namedCurve: 'P-256'}).privateKey.export({type: 'pkcs8', format: 'pem'}).toString()
  await root.file('/etc/ssl/certs/landscape_server.pem', `${await readFile(join(FIXTURES, options.certificate ?? 'self-signed.pem'), 'utf8')}${key}`)
  const open = options.loopbackOnly ? '127.0.0.1' : '0.0.0.0'
  await root.file('/proc/net/tcp', procNet([
    [v4('0.0.0.0', 22), '0A'],
    ...(options.noHttp ? [] : ([[v4('0.0.0.0', 80), '0A']] as [string, string][])),
    // Apache's TLS vhosts: 443 and its gRPC front on 6554.
    ...(options.httpOnly ? [] : ([[v4('0.0.0.0', 443), '0A'], [v4('0.0.0.0', 6554), '0A']] as [string, string][])),
    [v4(open, 8080), '0A'], [v4('127.0.0.1', 8090), '0A'], [v4('127.0.0.1', 5432), '0A'],
    [v4(open, 5672), '0A'], [v4(open, 4369), '0A'], [v4(open, 25672), '0A'],
  ]))
  await root.file('/proc/net/tcp6', procNet6(options.loopbackOnly ? [] : [[anyV6(5672), '0A']]))
  await root.file('/etc/ufw/ufw.conf', 'ENABLED=no\n')
  await root.file('/etc/default/ufw', 'DEFAULT_INPUT_POLICY="ACCEPT"\n')
  return root
}

async function hostReport(dir: string, format = 'json'): Promise<{report: AuditReport; stdout: string}> {
  const result = await runCliInWorker(['host', '--root', dir, '--format', format])
  expect(result.stderr).toBe('')
  return {report: format === 'json' ? (JSON.parse(result.stdout) as AuditReport) : ({} as AuditReport), stdout: result.stdout}
}

const landscapeFindings = (report: AuditReport) => report.findings.filter((f) => f.rule.startsWith('LANDSCAPE-'))

describe('hardenctl host: a Landscape server installed on the host', () => {
  it('flags its internal ports beyond loopback (not Apache\'s own TLS front on 6554) and a self-signed certificate', async () => {
    const root = await landscapeServer()
    const {report} = await hostReport(root.dir)
    const findings = landscapeFindings(report)
    expect(findings.map((f) => [f.rule, f.severity])).toEqual([['LANDSCAPE-INTERNAL-PORTS', 'critical'], ['LANDSCAPE-HTTP-PORT', 'medium'], ['LANDSCAPE-PROXY-TLS', 'low']])
    const [ports, http, tls] = findings
    expect(ports!.message).toBe(
      'the Landscape server host listens on internal Landscape server, RabbitMQ, epmd (RabbitMQ) and RabbitMQ distribution ports beyond loopback: tcp 0.0.0.0:8080, tcp 0.0.0.0:5672, tcp 0.0.0.0:4369, tcp 0.0.0.0:25672 and tcp6 [::]:5672; only the reverse proxy (80, 443) should be reachable from outside.',
    )
    expect(ports!.remediation).toBe(
      "Bind them to loopback: `allowed_interfaces = localhost 127.0.0.1 ::1` in each service's section of /etc/landscape/service.conf, then `sudo lsctl restart`; `NODE_IP_ADDRESS=127.0.0.1` in /etc/rabbitmq/rabbitmq-env.conf, then `sudo systemctl restart rabbitmq-server`; " +
        "25672: firewall it rather than rebind it, since `distribution.listener.interface = 127.0.0.1` in /etc/rabbitmq/rabbitmq.conf cuts `rabbitmqctl` off unless RabbitMQ's node name resolves to 127.0.0.1 (Ubuntu's /etc/hosts usually maps the host name to 127.0.1.1); " +
        "4369: firewall it rather than rebind it, as 25672 (`rabbitmqctl` finds the node through epmd at the node name's address); where the node name resolves to loopback: `ListenStream=`, `ListenStream=127.0.0.1:4369` and `ListenStream=[::1]:4369` in a drop-in (`sudo systemctl edit epmd.socket`), then `sudo systemctl stop rabbitmq-server epmd.service && sudo systemctl restart epmd.socket && sudo systemctl start rabbitmq-server`, or firewall them: sudo ufw allow 22 && sudo ufw allow 80/tcp && sudo ufw allow 443/tcp && sudo ufw allow 6554/tcp && sudo ufw default deny incoming && sudo ufw enable",
    )
    expect(ports!.location).toMatchObject({file: `${root.dir}/proc/net/tcp`})
    expect(http!.message).toBe('the Landscape server host serves port 80 (tcp 0.0.0.0:80) although repository mirroring is not in use (landscape.mirroring: false).')
    expect(http!.location).toMatchObject({file: `${root.dir}/etc/apache2/sites-enabled/landscape.conf`, line: 1})
    expect(http!.remediation).toContain('then remove the <VirtualHost *:80> block of /etc/apache2/sites-enabled/landscape.conf (line 1) and `Listen 80` from /etc/apache2/ports.conf')
    expect(tls!.message).toBe('Apache serves Landscape with a self-signed certificate (/etc/ssl/certs/landscape_server.pem, CN landscape.example.com): every Landscape client must be given it by hand before it can register.')
    expect(tls!.location).toMatchObject({file: `${root.dir}/etc/apache2/sites-enabled/landscape.conf`, line: 95})
    expect(report.notEvaluated.filter((entry) => entry.rule.startsWith('LANDSCAPE-'))).toEqual([])
  })

  it('passes a server bound to loopback, on https only, with a certificate from a CA; port 80 passes where the policy says repositories are mirrored', async () => {
    const root = await landscapeServer({certificate: 'ca-signed.pem', loopbackOnly: true, noHttp: true})
    expect(landscapeFindings((await hostReport(root.dir)).report)).toEqual([])
    const mirroring = await landscapeServer({certificate: 'ca-signed.pem', loopbackOnly: true})
    const policy = join(mirroring.dir, 'hardenctl.yaml')
    await writeFile(policy, 'landscape:\n  mirroring: true\n')
    const result = await runCliInWorker(['host', '--root', mirroring.dir, '--policy', policy, '--format', 'json'])
    expect(landscapeFindings(JSON.parse(result.stdout) as AuditReport)).toEqual([])
  })

  it('an install that serves Landscape over HTTP only is LANDSCAPE-PROXY-TLS, high, at its vhost', async () => {
    const root = await landscapeServer({httpOnly: true, loopbackOnly: true})
    const [tls] = landscapeFindings((await hostReport(root.dir)).report).filter((f) => f.rule === 'LANDSCAPE-PROXY-TLS')
    expect(tls).toMatchObject({rule: 'LANDSCAPE-PROXY-TLS', severity: 'high', location: {file: `${root.dir}/etc/apache2/sites-enabled/landscape.conf`, line: 1}})
    expect(tls!.message).toBe(`Apache serves Landscape without TLS: no <VirtualHost> of ${root.dir}/etc/apache2/sites-enabled/landscape.conf has \`SSLEngine on\`.`)
    expect(tls!.remediation).toContain('to /etc/apache2/sites-enabled/landscape.conf')
  })

  it('6554 without Apache\'s TLS front and AMQPS on 5671 get their own fixes (the hostagent port is Apache\'s, not service.conf\'s)', async () => {
    const root = await landscapeServer({httpOnly: true, loopbackOnly: true})
    await root.file('/proc/net/tcp', procNet([[v4('0.0.0.0', 22), '0A'], [v4('0.0.0.0', 80), '0A'], [v4('0.0.0.0', 6554), '0A'], [v4('0.0.0.0', 5671), '0A']]))
    const [ports] = landscapeFindings((await hostReport(root.dir)).report).filter((f) => f.rule === 'LANDSCAPE-INTERNAL-PORTS')
    expect(ports!.remediation).toMatch(
      /^Bind them to loopback: 6554 is the hostagent's gRPC port for Ubuntu Pro for WSL: serve it only from Apache's TLS `<VirtualHost \*:6554>` .*; `listeners\.ssl\.default = 127\.0\.0\.1:5671` in \/etc\/rabbitmq\/rabbitmq\.conf, then `sudo systemctl restart rabbitmq-server`, or firewall them: /,
    )
    expect(ports!.remediation).not.toContain('allowed_interfaces')
  })

  it('a unit of the landscape-server charm is judged on its Juju model: not evaluated here', async () => {
    const root = await landscapeServer({deployedFrom: 'charm'})
    const {report} = await hostReport(root.dir)
    expect(landscapeFindings(report)).toEqual([])
    const notEvaluated = report.notEvaluated.filter((entry) => entry.rule.startsWith('LANDSCAPE-'))
    expect(notEvaluated.map((entry) => entry.rule).sort()).toEqual(['LANDSCAPE-HTTP-PORT', 'LANDSCAPE-INTERNAL-PORTS', 'LANDSCAPE-PROXY-TLS', 'LANDSCAPE-TLS-CERT-EXPIRY'])
    expect(JSON.stringify(notEvaluated)).toContain('a unit of the landscape-server charm (')
  })

  it('never shows service.conf\'s secrets or the private key kept beside the certificate, in any format', async () => {
    const root = await landscapeServer()
    for (const format of ['json', 'table', 'sarif', 'junit']) {
      const {stdout} = await hostReport(root.dir, format)
      for (const secret of Object.values(SERVER_SECRETS)) expect(stdout).not.toContain(secret)
      expect(stdout).not.toContain('PRIVATE KEY')
    }
  })

  it('the fleet collection sends only the site\'s judged lines and the certificate, and audits to the same findings', async () => {
    const root = await landscapeServer()
    const stdout = execFileSync('sh', ['-c', collectionScript()], {env: {PATH: process.env.PATH, HARDENCTL_HOST_ROOT: root.dir}}).toString()
    for (const secret of Object.values(SERVER_SECRETS)) expect(stdout).not.toContain(secret)
    expect(stdout).not.toContain('PRIVATE KEY')
    expect(stdout).toMatch(/^stat 600 \d+ \d+ \/etc\/landscape\/service\.conf$/m)
    expect(stdout).toContain('lines /etc/ssl/certs/landscape_server.pem\n1:-----BEGIN CERTIFICATE-----\n')

    const warnings: string[] = []
    const collection = parseCollection(stdout, 'machine 0', warnings)!
    expect(warnings).toEqual([])
    const collected = join(await mkdtemp(join(tmpdir(), 'hardenctl-landscape-collected-')), 'root')
    await materialize(collection, collected, {controller: 'prod', model: 'landscape', name: '0'})
    const direct = landscapeFindings((await hostReport(root.dir)).report)
    const viaFleet = landscapeFindings((await hostReport(collected)).report)
    const shape = (findings: AuditReport['findings'], dir: string) => findings.map((f) => ({rule: f.rule, severity: f.severity, message: f.message, remediation: f.remediation, line: f.location?.line, file: f.location?.file?.replace(dir, '')}))
    expect(shape(viaFleet, collected)).toEqual(shape(direct, root.dir))
  })
})
