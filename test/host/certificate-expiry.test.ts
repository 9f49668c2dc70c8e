/**
 * MAAS-TLS-CERT-EXPIRY and LANDSCAPE-TLS-CERT-EXPIRY: the certificate a MAAS region serves
 * natively (`http/certs/regiond-proxy.pem`, what MAAS writes for its nginx from its secret store)
 * and the one Apache serves Landscape with, expired (high) or within `host.certificateWarningDays`
 * (medium, 30 by default). Certificates: test/fixtures/certificates/.
 */
import {execFileSync} from 'node:child_process'
import {readFile} from 'node:fs/promises'
import {describe, expect, it} from 'vitest'

import {collectionScript} from '../../src/host/collect-script.js'
import {localRoot} from '../../src/host/local.js'
import {runHostAudit} from '../../src/host/run-host.js'
import type {AuditReport} from '../../src/report/audit-report.js'
import {defaultPolicy} from '../../src/policy/schema.js'
import {runCliInWorker} from '../helpers/cli-in-worker.js'
import {newRoot, type HostRootBuilder} from './roots.js'

const certificate = (name: string) => readFile(new URL(`../fixtures/certificates/${name}`, import.meta.url), 'utf8')

/** A snap region serving TLS natively on 5443 with this certificate. */
async function snapRegion(certificateFile: string): Promise<HostRootBuilder> {
  const root = await newRoot('maas-snap')
  await root.file('/var/snap/maas/current/regiond.conf', root.regiondConf(), {mode: 0o640})
  await root.file('/var/snap/maas/common/snap_mode', 'region\n')
  await root.file('/var/snap/maas/current/http/regiond.nginx.conf', 'server {\n    listen [::]:5443 ssl http2;\n    listen 5443 ssl http2;\n}\n')
  await root.file('/var/snap/maas/current/http/certs/regiond-proxy.pem', await certificate(certificateFile))
  return root
}

const expiryFindings = (findings: readonly {rule: string}[]) => findings.filter((f) => f.rule.endsWith('-TLS-CERT-EXPIRY'))

async function auditAt(root: HostRootBuilder, now: string) {
  const result = await runHostAudit({roots: [await localRoot(root.dir)], policy: {policy: defaultPolicy()}, toolVersion: 'test', now: new Date(now)})
  return expiryFindings(result.report.findings)
}

describe('MAAS-TLS-CERT-EXPIRY', () => {
  it('an expired certificate is high, with the renewal the guide gives, for the snap\'s paths', async () => {
    const root = await snapRegion('maas-expired-2025-01-01.pem')
    const result = await runCliInWorker(['host', '--root', root.dir, '--format', 'json'])
    const [finding] = expiryFindings((JSON.parse(result.stdout) as AuditReport).findings) as AuditReport['findings']
    expect(finding).toMatchObject({rule: 'MAAS-TLS-CERT-EXPIRY', severity: 'high', location: {file: `${root.dir}/var/snap/maas/current/http/certs/regiond-proxy.pem`}})
    expect(finding!.message).toMatch(/^the certificate MAAS serves TLS with \(CN maas\.internal\) expired on 2025-01-01 \(\d+ days ago\): clients that check it refuse the region\.$/)
    expect(finding!.remediation).toMatch(/^sudo maas config-tls enable \/var\/snap\/maas\/common\/new-server-key\.pem \/var\/snap\/maas\/common\/new-server\.pem --port 5443 {3}# with the renewed key and certificate copied there first/)
  })

  it('within the warning window it is medium; before it, nothing; the window is the policy\'s', async () => {
    const root = await snapRegion('maas-until-2027-01-01.pem')
    const [soon] = await auditAt(root, '2026-12-15T00:00:00Z')
    expect(soon).toMatchObject({rule: 'MAAS-TLS-CERT-EXPIRY', severity: 'medium', message: 'the certificate MAAS serves TLS with (CN maas.internal) expires on 2027-01-01, in 17 days.'})
    expect(await auditAt(root, '2026-11-01T00:00:00Z')).toEqual([])
    const wider = await runHostAudit({roots: [await localRoot(root.dir)], policy: {policy: {...defaultPolicy(), host: {...defaultPolicy().host, certificateWarningDays: 90}}}, toolVersion: 'test', now: new Date('2026-11-01T00:00:00Z')})
    expect(expiryFindings(wider.report.findings)).toHaveLength(1)
  })

  it('native TLS without the certificate file is not evaluated, naming the file; a region without TLS is MAAS-TLS\'s, not this rule\'s', async () => {
    const root = await snapRegion('maas-until-2036.pem')
    await root.file('/var/snap/maas/current/http/certs/regiond-proxy.pem', 'not a certificate\n')
    const result = await runHostAudit({roots: [await localRoot(root.dir)], policy: {policy: defaultPolicy()}, toolVersion: 'test'})
    expect(result.report.notEvaluated.find((entry) => entry.rule === 'MAAS-TLS-CERT-EXPIRY')?.message).toContain('/var/snap/maas/current/http/certs/regiond-proxy.pem was not found or could not be read')
    await root.file('/var/snap/maas/current/http/regiond.nginx.conf', 'server {\n    listen 5240;\n}\n')
    const plain = await runHostAudit({roots: [await localRoot(root.dir)], policy: {policy: defaultPolicy()}, toolVersion: 'test'})
    expect(plain.report.notEvaluated.map((entry) => entry.rule)).not.toContain('MAAS-TLS-CERT-EXPIRY')
    expect(expiryFindings(plain.report.findings)).toEqual([])
  })

  it('behind HAProxy: the PEM its MAAS frontend serves (certificate and key in one file; the key is never read), renewed in place', async () => {
    const root = await newRoot('maas-region-1')
    await root.file('/etc/maas/regiond.conf', root.regiondConf(), {mode: 0o640})
    await root.file('/etc/haproxy/haproxy.cfg', [
      'global',
      '    tune.ssl.default-dh-param 2048',
      'defaults',
      '    option forwardfor',
      'frontend maas',
      '    bind *:443 ssl crt /etc/ssl/private/maas.pem',
      '    default_backend maas',
      'backend maas',
      '    server localhost localhost:5240 check',
      '',
    ].join('\n'))
    await root.file('/etc/ssl/private/maas.pem', `${await certificate('maas-expired-2025-01-01.pem')}-----BEGIN PRIVATE KEY-----\nnever-read\n-----END PRIVATE KEY-----\n`)
    const result = await runCliInWorker(['host', '--root', root.dir, '--format', 'json'])
    const [finding] = expiryFindings((JSON.parse(result.stdout) as AuditReport).findings) as AuditReport['findings']
    expect(finding).toMatchObject({rule: 'MAAS-TLS-CERT-EXPIRY', severity: 'high', location: {file: `${root.dir}/etc/haproxy/haproxy.cfg`, line: 6}})
    expect(finding!.message).toMatch(/^the certificate HAProxy frontend maas serves MAAS with \(\/etc\/ssl\/private\/maas\.pem, CN maas\.internal\) expired on 2025-01-01/)
    expect(finding!.remediation).toBe('Renew /etc/ssl/private/maas.pem: HAProxy reads certificate and key from that one PEM (`cat new-server.pem new-server-key.pem | sudo tee /etc/ssl/private/maas.pem >/dev/null`), then `sudo systemctl reload haproxy`')
    expect(result.stdout).not.toContain('never-read')
    const stdout = execFileSync('sh', ['-c', collectionScript()], {env: {PATH: process.env.PATH, HARDENCTL_HOST_ROOT: root.dir}}).toString()
    expect(stdout).toContain('lines /etc/ssl/private/maas.pem\n1:-----BEGIN CERTIFICATE-----\n')
    expect(stdout).not.toContain('never-read')
  })

  it('the fleet collection sends the certificate, and only it', async () => {
    const root = await snapRegion('maas-expired-2025-01-01.pem')
    await root.file('/var/snap/maas/current/http/certs/regiond-proxy-key.pem', '-----BEGIN PRIVATE KEY-----\nnever-sent\n-----END PRIVATE KEY-----\n')
    const stdout = execFileSync('sh', ['-c', collectionScript()], {env: {PATH: process.env.PATH, HARDENCTL_HOST_ROOT: root.dir}}).toString()
    expect(stdout).toContain('lines /var/snap/maas/current/http/certs/regiond-proxy.pem\n1:-----BEGIN CERTIFICATE-----\n')
    expect(stdout).not.toContain('never-sent')
  })
})

describe('LANDSCAPE-TLS-CERT-EXPIRY', () => {
  it('the certificate of a Landscape TLS vhost, once per file', async () => {
    const root = await newRoot('landscape-1')
    await root.file('/etc/landscape/service.conf', '[stores]\npassword = never-shown\n')
    await root.file('/etc/apache2/sites-enabled/landscape.conf', [
      '<VirtualHost *:443>',
      '    DocumentRoot /opt/canonical/landscape/canonical/landscape',
      '    SSLEngine On',
      '    SSLCertificateFile /etc/ssl/certs/landscape_server.pem',
      '</VirtualHost>',
      'Listen 6554',
      '<VirtualHost *:6554>',
      '  SSLEngine On',
      '  SSLCertificateFile /etc/ssl/certs/landscape_server.pem',
      '  ProxyPass / h2c://localhost:50052/',
      '</VirtualHost>',
      '',
    ].join('\n'))
    await root.file('/etc/ssl/certs/landscape_server.pem', await certificate('maas-until-2027-01-01.pem'))
    const findings = await auditAt(root, '2027-02-01T00:00:00Z')
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'LANDSCAPE-TLS-CERT-EXPIRY',
        severity: 'high',
        message: 'the certificate Apache serves Landscape with (/etc/ssl/certs/landscape_server.pem, CN maas.internal) expired on 2027-01-01 (31 days ago): Landscape clients refuse the server.',
        location: expect.objectContaining({file: `${root.dir}/etc/apache2/sites-enabled/landscape.conf`, line: 4}),
      }),
    ])
  })
})
