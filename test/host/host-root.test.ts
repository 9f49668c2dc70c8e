import {execFileSync} from 'node:child_process'
import {mkdtemp, readFile, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'

import {collectionScript} from '../../src/host/collect-script.js'
import {materialize, parseCollection} from '../../src/host/collection.js'
import type {AuditReport} from '../../src/report/audit-report.js'
import {runCliInWorker} from '../helpers/cli-in-worker.js'
import {IDS, IS_ROOT, newRoot, procNet, procNet6, regiondLog, SECRETS, sshFailure, type HostRootBuilder} from './roots.js'

const rulesOf = (report: AuditReport) => [...new Set(report.findings.map((f) => f.rule))].sort()
const findingOf = (report: AuditReport, rule: string) => report.findings.find((f) => f.rule === rule)

async function hostJson(args: string[]): Promise<{report: AuditReport; stderr: string; code: number}> {
  const result = await runCliInWorker(['host', ...args, '--format', 'json'])
  return {report: JSON.parse(result.stdout) as AuditReport, stderr: result.stderr, code: result.code}
}

/** A deb-installed region+rack controller that ignores the guides. */
async function neglectedDebRegion(): Promise<HostRootBuilder> {
  const root = await newRoot('maas-region-1')
  await root.file('/etc/maas/regiond.conf', root.regiondConf(), {mode: 0o644, uid: 0, gid: 0})
  await root.file('/etc/maas/rackd.conf', 'maas_url: http://10.132.172.231:5240/MAAS\n', {mode: 0o640, uid: IDS.root, gid: IDS.maasGroup})
  await root.file('/var/log/maas/regiond.log', regiondLog(12))
  await root.file('/var/log/auth.log', `${Array.from({length: 11}, (_, i) => sshFailure(`Jun 06 13:45:${String(10 + i * 4).padStart(2, '0')}`, '234.19.184.6', 42258 + i)).join('\n')}\n`)
  await root.file('/proc/net/tcp', procNet([['00000000:1478', '0A'], ['00000000:1F90', '0A'], ['00000000:1538', '0A'], ['0100007F:2382', '0A'], ['00000000:0016', '0A'], ['E7AC840A:0050', '06']]))
  await root.file('/proc/net/tcp6', procNet6([['B80D0120000000000000000001000000:0BB8', '0A'], ['00000000000000000000000001000000:1F91', '0A']]))
  await root.file('/proc/net/udp', procNet([['00000000:0045', '07'], ['00000000:007B', '07']]))
  await root.file('/etc/ufw/ufw.conf', '# /etc/ufw/ufw.conf\n#\nENABLED=no\nLOGLEVEL=low\n')
  await root.file('/etc/default/ufw', 'IPV6=yes\nDEFAULT_INPUT_POLICY="ACCEPT"\nDEFAULT_OUTPUT_POLICY="ACCEPT"\n')
  await root.file('/etc/haproxy/haproxy.cfg', [
    'global',
    '    maxconn 2048',
    'defaults',
    '    mode http',
    '    option http-server-close',
    'frontend maas',
    '    bind *:443',
    '    default_backend maas',
    'backend maas',
    '    server localhost localhost:5240 check',
    '',
  ].join('\n'))
  await root.file('/etc/postgresql/14/main/postgresql.conf', "listen_addresses = '*'\nssl = off\n")
  await root.file('/etc/postgresql/14/main/pg_hba.conf', [
    'local   all             postgres                                peer',
    'host    all             all             127.0.0.1/32            scram-sha-256',
    'host    maasdb          maas            10.0.0.0/8              scram-sha-256',
    '',
  ].join('\n'))
  return root
}

/** A snap-installed region controller set up as the guides say. */
async function hardenedSnapRegion(): Promise<HostRootBuilder> {
  const root = await newRoot('maas-snap')
  await root.file('/var/snap/maas/current/regiond.conf', root.regiondConf(), {mode: 0o640, uid: IDS.root, gid: IDS.maasGroup})
  await root.file('/var/snap/maas/current/rackd.conf', 'maas_url: https://maas.internal:5443/MAAS\n', {mode: 0o640, uid: IDS.root, gid: IDS.maasGroup})
  await root.file('/var/snap/maas/common/snap_mode', 'region\n')
  await root.file('/var/snap/maas/current/http/regiond.nginx.conf', 'server {\n    listen [::]:5443 ssl http2;\n    listen 5443 ssl http2;\n}\n')
  await root.file('/var/snap/maas/current/http/certs/regiond-proxy.pem', await readFile(new URL('../fixtures/certificates/maas-until-2036.pem', import.meta.url), 'utf8'))
  // Nine failures in five minutes: under the default threshold of 10.
  await root.file('/var/snap/maas/common/log/regiond.log', regiondLog(9))
  await root.file('/var/log/auth.log', `${sshFailure('Jun 06 13:45:19', '234.19.184.6')}\n`)
  await root.file('/proc/net/tcp', procNet([['00000000:1478', '0A'], ['00000000:1543', '0A'], ['00000000:1482', '0A'], ['00000000:0016', '0A'], ['0100007F:1538', '0A']]))
  await root.file('/etc/ufw/ufw.conf', 'ENABLED=yes\n')
  await root.file('/etc/default/ufw', 'DEFAULT_INPUT_POLICY="DROP"\n')
  return root
}

describe('hardenctl host --root: a deb region+rack controller that ignores the guides', () => {
  let root: HostRootBuilder
  let report: AuditReport
  let stderr: string

  beforeAll(async () => {
    root = await neglectedDebRegion()
    ;({report, stderr} = await hostJson(['--root', root.dir]))
  })

  it('runs the MAAS host rules and names the host from its own etc/hostname', () => {
    expect(stderr).toBe('')
    expect(report.metadata.profiles).toEqual(['maas'])
    expect(report.metadata.hosts).toEqual([root.dir])
    expect(rulesOf(report)).toEqual(['MAAS-DB-TLS', 'MAAS-FILE-PERMS', 'MAAS-FIREWALL', 'MAAS-HAPROXY-TLS', 'MAAS-HOST-PORTS', 'MAAS-LOGIN-FAILURES', 'MAAS-SSH-FAILURES', 'MAAS-TLS'])
    for (const finding of report.findings) expect(finding.target).toEqual({kind: 'host', name: 'maas-region-1'})
  })

  it.skipIf(!IS_ROOT)('MAAS-FILE-PERMS: regiond.conf 644 root:root, owners from the host\'s files; rackd.conf 640 root:maas passes', () => {
    const perms = report.findings.filter((f) => f.rule === 'MAAS-FILE-PERMS')
    expect(perms).toHaveLength(1)
    expect(perms[0]!.message).toBe(`${root.dir}/etc/maas/regiond.conf is mode 644 (readable by every local user); the guide asks for 640 root:maas (it holds the database password).`)
    expect(perms[0]!.evidence).toEqual({file: `${root.dir}/etc/maas/regiond.conf`, mode: '644', owner: 'root', group: 'root'})
    expect(perms[0]!.remediation).toBe('sudo chown root:maas /etc/maas/regiond.conf && sudo chmod 640 /etc/maas/regiond.conf')
  })

  it('MAAS-LOGIN-FAILURES: the 400 and 204 answers to POST /MAAS/accounts/login/, with count, window and source', () => {
    const finding = findingOf(report, 'MAAS-LOGIN-FAILURES')!
    expect(finding.message).toContain('12 in 2020-03-31 21:18-21:19 from 10.132.172.1 (12)')
    expect(finding.evidence).toMatchObject({threshold: 10, windowMinutes: 5, sourceAddresses: ['10.132.172.1']})
    expect(finding.location?.file).toBe(`${root.dir}/var/log/maas/regiond.log`)
  })

  it('MAAS-SSH-FAILURES: Failed password lines of auth.log', () => {
    const finding = findingOf(report, 'MAAS-SSH-FAILURES')!
    expect(finding.message).toMatch(/11 in \d{4}-06-06 13:45 from 234\.19\.184\.6 \(11\)/)
    // Ahead of the allow rules (ufw matches in order), and said to wait for ufw, which is off on this host.
    expect(finding.remediation).toContain('sudo ufw prepend deny from 234.19.184.6')
    expect(finding.remediation).toContain('ufw is disabled on this host: its rules take effect once it is enabled (MAAS-FIREWALL)')
  })

  it('MAAS-HOST-PORTS: extra listeners decoded from proc/net hex, loopback and MAAS ports left out, rack ports allowed', () => {
    const ports = report.findings.filter((f) => f.rule === 'MAAS-HOST-PORTS')
    const extra = ports.find((f) => 'extra' in f.evidence)!
    expect(extra.evidence).toEqual({extra: ['tcp 0.0.0.0:8080', 'tcp6 [2001:db8::1]:3000'], rack: true, region: true, tls: null})
    expect(extra.location).toEqual({file: `${root.dir}/proc/net/tcp`, line: 3, column: 1})
    const postgres = ports.find((f) => 'socket' in f.evidence)!
    expect(postgres.evidence).toEqual({socket: 'tcp 0.0.0.0:5432', postgres: 'ssl = off'})
    expect(postgres.message).toContain('PostgreSQL listens on tcp 0.0.0.0:5432 without requiring TLS')
    expect(ports).toHaveLength(2)
  })

  it('MAAS-FIREWALL, MAAS-TLS, MAAS-HAPROXY-TLS and MAAS-DB-TLS from ufw, haproxy.cfg and PostgreSQL files', () => {
    expect(findingOf(report, 'MAAS-FIREWALL')!.message).toBe('ufw is disabled (ENABLED=no) and the default incoming policy is ACCEPT, not deny.')
    expect(findingOf(report, 'MAAS-FIREWALL')!.location).toEqual({file: `${root.dir}/etc/ufw/ufw.conf`, line: 3, column: 1})
    // The firewall's fix allows SSH and the MAAS ports before it denies by default and enables ufw,
    // and the port of the HAProxy frontend clients reach MAAS through (443 here, plain for now).
    expect(findingOf(report, 'MAAS-FIREWALL')!.remediation).toBe(
      'sudo ufw allow 22 && sudo ufw allow 5240/tcp && sudo ufw allow 5241:5247/tcp && sudo ufw allow 5241:5247/udp && sudo ufw allow 5248/tcp && ' +
        'sudo ufw allow 5250:5270/tcp && sudo ufw allow 5250:5270/udp && sudo ufw allow 53 && sudo ufw allow 123/udp && sudo ufw allow 3128/tcp && sudo ufw allow 8000/tcp && ' +
        'sudo ufw allow 5271:5274/tcp && sudo ufw allow 5280:5284/tcp && sudo ufw allow 67/udp && sudo ufw allow 69/udp && sudo ufw allow 547/udp && sudo ufw allow 647/tcp && ' +
        'sudo ufw allow 443/tcp && sudo ufw default deny incoming && sudo ufw enable',
    )
    expect(findingOf(report, 'MAAS-TLS')!.message).toContain('HAProxy fronts it without `ssl crt`')
    // Clients come in through the HAProxy: the fix is TLS there, named by its place on the host.
    expect(findingOf(report, 'MAAS-TLS')!.remediation).toMatch(/^In \/etc\/haproxy\/haproxy\.cfg: terminate TLS in frontend maas \(`bind \*:443 ssl crt/)
    expect(findingOf(report, 'MAAS-TLS')!.location?.file).toBe(`${root.dir}/etc/haproxy/haproxy.cfg`)
    expect(findingOf(report, 'MAAS-HAPROXY-TLS')!.evidence.problems).toEqual([
      'frontend maas binds 443 without `ssl crt`',
      'no `tune.ssl.default-dh-param 2048` in global',
      'no `option forwardfor` (in defaults or every frontend to MAAS)',
    ])
    const db = report.findings.filter((f) => f.rule === 'MAAS-DB-TLS').map((f) => f.message)
    expect(db).toHaveLength(2)
    expect(db.join('\n')).toContain('line 3 (host maasdb 10.0.0.0/8)')
    expect(db.join('\n')).toContain('ssl = off: MAAS talks to PostgreSQL without TLS')
  })

  it('prints a table grouped by host, with file:line and the guide section', async () => {
    const result = await runCliInWorker(['host', '--root', root.dir])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Host maas-region-1')
    expect(result.stdout).toContain(`${root.dir}/etc/ufw/ufw.conf:3`)
    expect(result.stdout).toContain('guide: How to secure MAAS (snap/2.9/CLI) § File permissions')
    // Fixes are run on the host itself: they name its paths, never the copy's.
    const fixes = result.stdout.split('\n').filter((line) => line.trim().startsWith('fix:'))
    expect(fixes.length).toBeGreaterThan(3)
    for (const fix of fixes) expect(fix).not.toContain(root.dir)
    // ssl is off on this host: a hostssl line would match nothing, and MAAS would lose its database, until it is on.
    expect(result.stdout).toContain('once ssl is on (the finding above), change `host` to `hostssl` on those lines of /etc/postgresql/14/main/pg_hba.conf and reload PostgreSQL')
  })

  it('writes the HTML report too, with every finding and no secret', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'hardenctl-host-html-')), 'host.html')
    const result = await runCliInWorker(['host', '--root', root.dir, '--format', 'html', '-o', out])
    expect(result.code, result.stderr).toBe(0)
    const page = await readFile(out, 'utf8')
    for (const rule of ['MAAS-FILE-PERMS', 'MAAS-FIREWALL', 'MAAS-HOST-PORTS', 'MAAS-DB-TLS']) expect(page).toContain(rule)
    for (const secret of Object.values(SECRETS)) expect(page).not.toContain(secret)
    // Grouped under "hosts" (no model), not "estate".
    expect(page).toContain('"model":"hosts"')
    expect(page).not.toContain('"model":"estate"')
  })

  it('fails with exit 1 at --fail-on high', async () => {
    const result = await runCliInWorker(['host', '--root', root.dir, '--fail-on', 'high', '--quiet'])
    expect(result.code).toBe(1)
  })

  it('never shows the database password, in any format', async () => {
    for (const format of ['table', 'json', 'sarif', 'junit']) {
      const result = await runCliInWorker(['host', '--root', root.dir, '--format', format])
      expect(result.stdout).not.toContain(SECRETS.databasePass)
      expect(result.stderr).not.toContain(SECRETS.databasePass)
    }
  })

  it('SARIF and JUnit list the host rules that ran', async () => {
    const sarif = JSON.parse((await runCliInWorker(['host', '--root', root.dir, '--format', 'sarif'])).stdout)
    const ids = sarif.runs[0].tool.driver.rules.map((r: {id: string}) => r.id)
    expect(ids).toContain('MAAS-FIREWALL')
    expect(ids).toContain('MAAS-FILE-PERMS')
    const junit = (await runCliInWorker(['host', '--root', root.dir, '--format', 'junit'])).stdout
    expect(junit).toContain('MAAS-HOST-PORTS')
  })

  it('takes the burst threshold and window from the policy', async () => {
    const policy = join(await mkdtemp(join(tmpdir(), 'hardenctl-policy-')), 'hardenctl.yaml')
    await writeFile(policy, 'apiVersion: hardenctl.io/v1\nhost:\n  loginFailures: {threshold: 13, windowMinutes: 5}\n  sshFailures: {threshold: 3, windowMinutes: 1}\n')
    const {report: strict} = await hostJson(['--root', root.dir, '--policy', policy])
    expect(findingOf(strict, 'MAAS-LOGIN-FAILURES')).toBeUndefined()
    expect(findingOf(strict, 'MAAS-SSH-FAILURES')!.message).toContain('(3 or more within 1 min)')
  })
})

describe('hardenctl host --root: a snap region controller set up as the guides say', () => {
  it('passes every MAAS host rule (640 root:maas, native TLS on 5443, ufw deny, nine failures under the threshold)', async () => {
    const root = await hardenedSnapRegion()
    const {report, stderr, code} = await hostJson(['--root', root.dir])
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(report.metadata.profiles).toEqual(['maas'])
    expect(report.findings.map((f) => `${f.rule}: ${f.message}`)).toEqual(IS_ROOT ? [] : expect.any(Array))
    expect(report.notEvaluated).toEqual([])
  })

  it('an HAProxy that terminates TLS for another site only does not make the MAAS region TLS', async () => {
    const root = await hardenedSnapRegion()
    await root.file('/var/snap/maas/current/http/regiond.nginx.conf', 'server {\n    listen 5240;\n}\n')
    await root.file('/etc/haproxy/haproxy.cfg', [
      'frontend web',
      '    bind *:443 ssl crt /etc/ssl/private/web.pem',
      '    default_backend wordpress',
      'frontend maas',
      '    bind *:80',
      '    option forwardfor',
      '    default_backend region',
      'backend wordpress',
      '    server wp 127.0.0.1:8080',
      'backend region',
      '    server region 127.0.0.1:5240',
      '',
    ].join('\n'))
    const {report} = await hostJson(['--root', root.dir])
    const tls = findingOf(report, 'MAAS-TLS')!
    expect(tls.location).toEqual({file: `${root.dir}/etc/haproxy/haproxy.cfg`, line: 5, column: 1})
    expect(tls.remediation).toMatch(/^In \/etc\/haproxy\/haproxy\.cfg: terminate TLS in frontend maas /)
    // The MAAS frontend has forwardfor; only the global dh-param is missing.
    expect(findingOf(report, 'MAAS-HAPROXY-TLS')!.evidence.problems).toEqual(['no `tune.ssl.default-dh-param 2048` in global'])
  })

  it('MAAS-TLS on a snap region without TLS: the key and certificate go where the confined snap can read them', async () => {
    const root = await hardenedSnapRegion()
    await root.file('/var/snap/maas/current/http/regiond.nginx.conf', 'server {\n    listen [::]:5240;\n    listen 5240;\n}\n')
    const {report} = await hostJson(['--root', root.dir])
    expect(findingOf(report, 'MAAS-TLS')!.remediation).toMatch(
      /^sudo maas config-tls enable \/var\/snap\/maas\/common\/maas\.key \/var\/snap\/maas\/common\/maas\.crt --port 5443 {3}# MAAS 3\.3\+, with the key and certificate copied there first/,
    )
  })

  it('reads the PostgreSQL cluster on the default port, the newest version first (16 before 9.6), not one an upgrade left behind', async () => {
    const root = await hardenedSnapRegion()
    await root.file('/etc/postgresql/9.6/main/postgresql.conf', 'port = 5432\nssl = on\n')
    await root.file('/etc/postgresql/14/main/postgresql.conf', "port = 5433\t\t# (change requires restart)\nssl = 'off'\n")
    await root.file('/etc/postgresql/16/main/postgresql.conf', "listen_addresses = 'localhost'\nssl = off\n")
    const {report} = await hostJson(['--root', root.dir])
    expect(report.findings.filter((f) => f.rule === 'MAAS-DB-TLS').map((f) => f.message)).toEqual([
      `${root.dir}/etc/postgresql/16/main/postgresql.conf: ssl = off: MAAS talks to PostgreSQL without TLS.`,
    ])
  })

  it('MAAS-DB-TLS with ssl on: a hostnossl line is named as it is, and the pg_hba fix needs no step before it', async () => {
    const root = await hardenedSnapRegion()
    await root.file('/etc/postgresql/16/main/postgresql.conf', "listen_addresses = '*'\nssl = on\n")
    await root.file('/etc/postgresql/16/main/pg_hba.conf', 'local all postgres peer\nhostnossl maasdb maas 10.0.0.0/8 scram-sha-256\n')
    const {report} = await hostJson(['--root', root.dir])
    expect(report.findings.filter((f) => f.rule === 'MAAS-DB-TLS').map((f) => f.remediation)).toEqual([
      'change `hostnossl` to `hostssl` on those lines of /etc/postgresql/16/main/pg_hba.conf and reload PostgreSQL',
    ])
  })

  it('flags the snap layout\'s files at their snap paths', async () => {
    const root = await hardenedSnapRegion()
    await root.file('/var/snap/maas/current/regiond.conf', root.regiondConf(), {mode: 0o664, uid: IDS.maas, gid: IDS.maasGroup})
    const {report} = await hostJson(['--root', root.dir])
    const perms = findingOf(report, 'MAAS-FILE-PERMS')!
    expect(perms.message).toContain(`${root.dir}/var/snap/maas/current/regiond.conf is mode 664 (readable by every local user)`)
    if (IS_ROOT) expect(perms.evidence).toMatchObject({owner: 'maas', group: 'maas'})
  })
})

describe('hardenctl host --root: MAAS-FILE-PERMS judges who can read or change the files, per package layout', () => {
  /** Modes and owners recorded as a collected root records them (.hardenctl-host.json), so the test needs no root. */
  async function hostWithConfig(layout: 'deb' | 'snap', stat: {mode: number; uid: number; gid: number}) {
    const root = await newRoot(`maas-${layout}`)
    const file = layout === 'deb' ? '/etc/maas/regiond.conf' : '/var/snap/maas/current/regiond.conf'
    if (layout === 'snap') {
      // A snap-only host: the snap creates no maas user or group (only snap_daemon, 584788).
      await root.file('/etc/passwd', 'root:x:0:0:root:/root:/bin/bash\nsnap_daemon:x:584788:584788::/nonexistent:/usr/bin/false\nubuntu:x:1000:1000::/home/ubuntu:/bin/bash\n')
      await root.file('/etc/group', 'root:x:0:\nadm:x:4:ubuntu\nsnap_daemon:x:584788:\nubuntu:x:1000:\n')
      await root.file('/var/snap/maas/common/snap_mode', 'region\n')
    }
    await root.file(file, root.regiondConf())
    await writeFile(join(root.dir, '.hardenctl-host.json'), JSON.stringify({apiVersion: 'hardenctl.io/v1', kind: 'HostCollection', stats: {[file]: stat}}))
    const {report} = await hostJson(['--root', root.dir])
    return {file, perms: report.findings.filter((f) => f.rule === 'MAAS-FILE-PERMS').map((f) => ({message: f.message.replace(`${root.dir}${file} is `, ''), fix: f.remediation}))}
  }

  const ASKS = '; the guide asks for 640 root:maas (it holds the database password).'
  const SNAP_ASKS = '; the guide asks for 640 root:maas (on a snap, which has no maas group and runs MAAS as root: root:root; it holds the database password).'
  const cases: [string, 'deb' | 'snap', {mode: number; uid: number; gid: number}, {message: string; fix: string}[]][] = [
    ['deb as its postinst leaves it (maas:maas 640: the daemons run as maas and rewrite it)', 'deb', {mode: 0o640, uid: IDS.maas, gid: IDS.maasGroup}, []],
    ['deb, stricter than the guide (root:maas 440)', 'deb', {mode: 0o440, uid: IDS.root, gid: IDS.maasGroup}, []],
    ['deb, readable by everyone: the chown keeps the maas group reading', 'deb', {mode: 0o644, uid: IDS.root, gid: IDS.root}, [
      {message: `mode 644 (readable by every local user)${ASKS}`, fix: 'sudo chown root:maas /etc/maas/regiond.conf && sudo chmod 640 /etc/maas/regiond.conf'},
    ]],
    ['deb, writable by the maas group', 'deb', {mode: 0o660, uid: IDS.root, gid: IDS.maasGroup}, [
      {message: `mode 660 (writable by group maas)${ASKS}`, fix: 'sudo chmod 640 /etc/maas/regiond.conf'},
    ]],
    ['deb, another owner', 'deb', {mode: 0o640, uid: 1000, gid: IDS.maasGroup}, [
      {message: `owned by uid 1000:maas${ASKS}`, fix: 'sudo chown root:maas /etc/maas/regiond.conf'},
    ]],
    ['snap, readable by everyone: chmod only (there is no maas group to chown to)', 'snap', {mode: 0o644, uid: 0, gid: 0}, [
      {message: `mode 644 (readable by every local user)${SNAP_ASKS}`, fix: 'sudo chmod 640 /var/snap/maas/current/regiond.conf'},
    ]],
    ['snap, root:root 600 (its daemons run as root)', 'snap', {mode: 0o600, uid: 0, gid: 0}, []],
    ['snap, readable by the adm group', 'snap', {mode: 0o640, uid: 0, gid: 4}, [
      {message: `owned by root:adm (group adm can read it)${SNAP_ASKS}`, fix: 'sudo chown root:root /var/snap/maas/current/regiond.conf'},
    ]],
    ['snap, owned by a user', 'snap', {mode: 0o600, uid: 1000, gid: 1000}, [
      {message: `owned by ubuntu:ubuntu${SNAP_ASKS}`, fix: 'sudo chown root:root /var/snap/maas/current/regiond.conf'},
    ]],
  ]
  for (const [name, layout, stat, expected] of cases) {
    it(name, async () => {
      const {perms} = await hostWithConfig(layout, stat)
      expect(perms).toEqual(expected)
    })
  }
})

describe('hardenctl host --root: Landscape Client', () => {
  it('flags http URLs, root script users and management mode without showing any value of client.conf', async () => {
    const root = await newRoot('landscape-client-1')
    await root.file('/etc/landscape/client.conf', [
      '[client]',
      'log_level = info',
      `url = http://landscape:${SECRETS.urlPassword}@landscape.example.com/message-system`,
      'ping_url = https://landscape.example.com/ping',
      'data_path = /var/lib/landscape/client',
      `registration_key = ${SECRETS.registrationKey}`,
      'script_users = root,landscape,nobody',
      'include_manager_plugins = ScriptExecution',
      '',
    ].join('\n'))
    const {report, stderr, code} = await hostJson(['--root', root.dir])
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(report.metadata.profiles).toEqual(['landscape'])
    expect(rulesOf(report)).toEqual(['LANDSCAPE-CLIENT-HTTPS', 'LANDSCAPE-CLIENT-MONITOR-ONLY', 'LANDSCAPE-CLIENT-SCRIPT-USERS'])
    expect(findingOf(report, 'LANDSCAPE-CLIENT-HTTPS')!.message).toBe(`${root.dir}/etc/landscape/client.conf: url uses http, not https.`)
    expect(findingOf(report, 'LANDSCAPE-CLIENT-HTTPS')!.location).toEqual({file: `${root.dir}/etc/landscape/client.conf`, line: 3, column: 1})
    expect(findingOf(report, 'LANDSCAPE-CLIENT-HTTPS')!.remediation).toBe('in the [client] section of /etc/landscape/client.conf, make url start with https://, then sudo systemctl restart landscape-client')
    expect(findingOf(report, 'LANDSCAPE-CLIENT-SCRIPT-USERS')!.message).toContain('script_users allows root')
    expect(findingOf(report, 'LANDSCAPE-CLIENT-MONITOR-ONLY')!.severity).toBe('info')
    for (const format of ['table', 'json', 'sarif', 'junit']) {
      const result = await runCliInWorker(['host', '--root', root.dir, '--format', format])
      for (const secret of [SECRETS.registrationKey, SECRETS.urlPassword]) {
        expect(result.stdout).not.toContain(secret)
        expect(result.stderr).not.toContain(secret)
      }
    }
  })

  it('passes a monitor-only client on https (ping_url left out defaults to http and is flagged)', async () => {
    const root = await newRoot('landscape-client-2')
    await root.file('/etc/landscape/client.conf', '[client]\nurl = https://landscape.example.com/message-system\nmonitor_only = True\n')
    await root.file('/etc/default/landscape-client', 'DAEMON_USER=landscape\n')
    const {report} = await hostJson(['--root', root.dir])
    expect(report.findings.map((f) => f.message)).toEqual([`${root.dir}/etc/landscape/client.conf: ping_url uses http (not set; the default is http), not https.`])
  })

  it('LANDSCAPE-CLIENT-HTTPS: a ping_url left unset (plain HTTP to Landscape SaaS by default) is added, not "made https"; made as printed, nothing is left', async () => {
    const root = await newRoot('landscape-client-2')
    const conf = ['[client]', 'url = http://landscape.example.com/message-system', 'computer_title = web-1', ''].join('\n')
    await root.file('/etc/landscape/client.conf', conf)
    const {report} = await hostJson(['--root', root.dir])
    const fix = findingOf(report, 'LANDSCAPE-CLIENT-HTTPS')!.remediation
    expect(fix).toBe(
      "in the [client] section of /etc/landscape/client.conf, make url start with https:// and add `ping_url = https://SERVER/ping`, SERVER being url's host (unset, ping_url is http://landscape.canonical.com/ping), then sudo systemctl restart landscape-client",
    )
    // The edit as a user makes it: the scheme of url, and the line the fix gives with url's host.
    await root.file('/etc/landscape/client.conf', conf.replace('url = http://', 'url = https://').replace('[client]\n', '[client]\nping_url = https://landscape.example.com/ping\n'))
    const again = await hostJson(['--root', root.dir])
    expect(findingOf(again.report, 'LANDSCAPE-CLIENT-HTTPS')).toBeUndefined()
  })

  it('judges monitor_only alone where landscape-client.service starts the client (it reads no /etc/default/landscape-client), and says so', async () => {
    const started = await newRoot('landscape-client-3')
    await started.file('/etc/landscape/client.conf', '[client]\nurl = https://landscape.example.com/message-system\nping_url = https://landscape.example.com/ping\nmonitor_only = True\n')
    await started.file('/usr/lib/systemd/system/landscape-client.service', '[Service]\nType=simple\nGroup=landscape\nExecStart=/usr/bin/landscape-client\n')
    expect((await hostJson(['--root', started.dir])).report.findings).toEqual([])

    const managed = await newRoot('landscape-client-4')
    await managed.file('/etc/landscape/client.conf', '[client]\nurl = https://landscape.example.com/message-system\nping_url = https://landscape.example.com/ping\n')
    await managed.file('/etc/default/landscape-client', 'RUN=1\n')
    await managed.file('/lib/systemd/system/landscape-client.service', '[Service]\nExecStart=/usr/bin/landscape-client\n')
    const [finding] = (await hostJson(['--root', managed.dir])).report.findings
    expect(finding?.message).toBe(
      `Landscape Client runs with management features (monitor_only is not True); monitor-only mode restricts it, if management is not needed. ${managed.dir}/lib/systemd/system/landscape-client.service starts it: DAEMON_USER, which the guide also names, is read only by the SysV init script of older packages.`,
    )
    expect(finding?.remediation).toBe(`add \`monitor_only = True\` to the [client] section of /etc/landscape/client.conf, then \`sudo systemctl restart landscape-client\` (management features stop working)`)
    // Across a fleet the collection stats the unit, so the collected root answers the same.
    const collection = parseCollection(execFileSync('sh', ['-c', collectionScript()], {env: {PATH: process.env.PATH, HARDENCTL_HOST_ROOT: managed.dir}}).toString(), 'machine 0', [])!
    const collected = join(await mkdtemp(join(tmpdir(), 'hardenctl-client-collected-')), 'root')
    await materialize(collection, collected, {controller: 'prod', model: 'landscape', name: '0'})
    const [viaFleet] = (await hostJson(['--root', collected])).report.findings
    expect(viaFleet?.message).toContain(`${collected}/lib/systemd/system/landscape-client.service starts it`)

    const sysv = await newRoot('landscape-client-5')
    await sysv.file('/etc/landscape/client.conf', '[client]\nurl = https://landscape.example.com/message-system\nping_url = https://landscape.example.com/ping\nmonitor_only = True\n')
    const [older] = (await hostJson(['--root', sysv.dir])).report.findings
    expect(older?.remediation).toBe(
      `add \`DAEMON_USER=landscape\` to /etc/default/landscape-client (read only by the SysV init script of older packages; no landscape-client.service was found here), then \`sudo systemctl restart landscape-client\` (management features stop working)`,
    )
  })
})

describe('hardenctl host --root: hosts without MAAS or Landscape, and bad input', () => {
  it('a plain host gets no findings and exits 0', async () => {
    const root = await newRoot('plain')
    await root.file('/proc/net/tcp', procNet([['00000000:1F90', '0A']]))
    const result = await runCliInWorker(['host', '--root', root.dir, '--fail-on', 'info'])
    expect(result.code).toBe(0)
    expect(result.stderr).toBe('')
    expect(result.stdout).toBe('No findings.\n')
  })

  it('a region-only MAAS 3.5+ host may serve DNS, NTP, the proxy and Temporal (MAAS\'s port table); its metrics port is flagged with what can be done', async () => {
    const root = await newRoot('maas-region-only')
    await root.file('/etc/maas/regiond.conf', root.regiondConf(), {mode: 0o640, uid: IDS.root, gid: IDS.maasGroup})
    // 53, 8000, 5240, Temporal's 5271 and 5281, and the region's metrics on 5239 (0x1477), all addresses; NTP and DNS over UDP.
    await root.file('/proc/net/tcp', procNet([['00000000:0035', '0A'], ['00000000:1F40', '0A'], ['00000000:1478', '0A'], ['00000000:1497', '0A'], ['00000000:14A1', '0A'], ['00000000:1477', '0A']]))
    await root.file('/proc/net/udp', procNet([['00000000:0035', '07'], ['00000000:007B', '07']]))
    const ports = (await hostJson(['--root', root.dir])).report.findings.filter((f) => f.rule === 'MAAS-HOST-PORTS')
    expect(ports.map((f) => f.evidence)).toEqual([{extra: ['tcp 0.0.0.0:5239'], rack: false, region: true, tls: null}])
    expect(ports[0]!.message).toContain("5239 and 5249 are MAAS's own metrics endpoints, which no MAAS setting binds to loopback: firewall them, or allow only your Prometheus host")
  })

  it('a product whose file is absent: not evaluated, naming the file', async () => {
    const root = await newRoot()
    await root.file('/etc/maas/regiond.conf', root.regiondConf(), {mode: 0o640, uid: IDS.root, gid: IDS.maasGroup})
    const {report} = await hostJson(['--root', root.dir])
    expect(report.notEvaluated.map((n) => `${n.rule}: ${n.message}`)).toEqual([
      'MAAS-FIREWALL: ufw is not installed (no /etc/ufw/ufw.conf or /etc/default/ufw); other firewalls are not read',
      'MAAS-HOST-PORTS: proc/net/tcp, tcp6, udp and udp6 were not found',
      `MAAS-LOGIN-FAILURES: the region runs here but ${root.dir}/var/log/maas/regiond.log was not found or could not be read; MAAS 3.5 and later log to the systemd journal instead, which hardenctl reads only across a fleet (--juju-model): look for failed logins with \`journalctl -u maas-regiond -u maas-apiserver | grep 'POST /MAAS/accounts/login/'\``,
      `MAAS-SSH-FAILURES: ${root.dir}/var/log/auth.log was not found or could not be read`,
    ])
  })

  it('never follows a symlink out of the root; a loop, a binary log, a directory and malformed lines are warnings naming the file', async () => {
    const outside = await newRoot('outside')
    await outside.file('/regiond.log', regiondLog(30, '198.51.100.7'))
    const root = await newRoot()
    await root.file('/etc/maas/regiond.conf', root.regiondConf(), {mode: 0o640, uid: IDS.root, gid: IDS.maasGroup})
    // Absolute: taken inside the root, where nothing is. Relative with ..: stops at the root.
    await root.symlink('/var/log/maas/regiond.log', join(outside.dir, 'regiond.log'))
    await root.symlink('/etc/ufw/ufw.conf', '../../../../../../../../regiond.log')
    await root.symlink('/etc/default/ufw', '/etc/default/ufw-loop')
    await root.symlink('/etc/default/ufw-loop', '/etc/default/ufw')
    await root.file('/var/log/auth.log', Buffer.from([0x4a, 0x75, 0x6e, 0x00, 0x01, 0x02, 0x0a]))
    await root.dir_('/etc/haproxy/haproxy.cfg')
    await root.file('/proc/net/tcp', `${procNet([['00000000:1478', '0A']])}garbage line\n`)
    const result = await runCliInWorker(['host', '--root', root.dir, '--format', 'json'])
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout) as AuditReport
    expect(report.findings.filter((f) => f.rule === 'MAAS-LOGIN-FAILURES')).toEqual([])
    expect(result.stdout).not.toContain('198.51.100.7')
    expect(result.stderr.trim().split('\n').sort()).toEqual([
      `hardenctl: warning: ${root.dir}/etc/default/ufw: symlink loop; skipped`,
      `hardenctl: warning: ${root.dir}/etc/haproxy/haproxy.cfg: is not a regular file; skipped`,
      `hardenctl: warning: ${root.dir}/proc/net/tcp: line 3: not a socket entry; skipped`,
      `hardenctl: warning: ${root.dir}/var/log/auth.log: is a binary file, not a text log; skipped`,
    ])
  })

  it('--root that is not a directory is a one-line error, exit 2', async () => {
    const result = await runCliInWorker(['host', '--root', '/nonexistent/host-root'])
    expect(result.code).toBe(2)
    expect(result.stderr).toBe('hardenctl: /nonexistent/host-root: cannot read --root (ENOENT)\n')
  })
})
