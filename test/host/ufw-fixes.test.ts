/**
 * The ufw commands that MAAS host findings print, run as printed by the real ufw (Debian's package;
 * .ci/run installs it) on the audited host's own ufw files, then the host audited again.
 *
 * ufw runs with `--datadir=ROOT`, so it reads and writes ROOT/etc/ufw and ROOT/etc/default/ufw
 * instead of this machine's. Its root-only safety checks are switched off the way its own test
 * suite does (`ufw.common.do_checks = False`), so the test needs no root. The host's ufw stays
 * ENABLED=no while the other commands run, so nothing is loaded into this machine's kernel; `ufw
 * enable` runs last, as `ufw --dry-run enable` (see runAsPrinted).
 */
import {execFile} from 'node:child_process'
import {existsSync} from 'node:fs'
import {readdir, readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import type {AuditReport} from '../../src/report/audit-report.js'
import {extractCommands} from '../fix-commands/extract.js'
import {runCliInWorker} from '../helpers/cli-in-worker.js'
import {IDS, newRoot, procNet, procNet6, regiondLog, sshFailure, type HostRootBuilder} from './roots.js'

const UFW = '/usr/sbin/ufw'
const UFW_TEMPLATES = '/usr/share/ufw/iptables'
const RUN_UFW = ['import sys, runpy, ufw.common', 'ufw.common.do_checks = False', "sys.argv = ['ufw'] + sys.argv[1:]", "runpy.run_path('/usr/sbin/ufw', run_name='__main__')"].join('\n')

/** /etc/default/ufw as Ubuntu's package installs it, but accepting incoming traffic. */
const DEFAULT_UFW = [
  'IPV6=yes',
  'DEFAULT_INPUT_POLICY="ACCEPT"',
  'DEFAULT_OUTPUT_POLICY="ACCEPT"',
  'DEFAULT_FORWARD_POLICY="DROP"',
  'DEFAULT_APPLICATION_POLICY="SKIP"',
  'MANAGE_BUILTINS=no',
  'IPT_SYSCTL=/etc/ufw/sysctl.conf',
  'IPT_MODULES=""',
  '',
].join('\n')

const LOGIN_SOURCE = '10.132.172.1'
const SSH_SOURCE = '2001:db8:5::17'

/**
 * A deb region+rack controller with ufw installed but never set up (no rules, off, accepting), a
 * burst of failed MAAS logins from an IPv4 address and of failed SSH passwords from an IPv6 one,
 * and a web server on 8080 beside MAAS.
 */
async function unfirewalledRegion(): Promise<HostRootBuilder> {
  const root = await newRoot('maas-region-1')
  await root.file('/etc/maas/regiond.conf', root.regiondConf(), {mode: 0o640, uid: IDS.root, gid: IDS.maasGroup})
  await root.file('/etc/maas/rackd.conf', 'maas_url: http://10.132.172.231:5240/MAAS\n', {mode: 0o640, uid: IDS.root, gid: IDS.maasGroup})
  await root.file('/var/log/maas/regiond.log', regiondLog(12, LOGIN_SOURCE))
  await root.file('/var/log/auth.log', `${Array.from({length: 11}, (_, i) => sshFailure(`Jun 06 13:45:${String(10 + i * 4).padStart(2, '0')}`, SSH_SOURCE, 42258 + i)).join('\n')}\n`)
  // 5240 and 8080 (0x1F90) on every address, SSH; 5248 over IPv6.
  await root.file('/proc/net/tcp', procNet([['00000000:1478', '0A'], ['00000000:1F90', '0A'], ['00000000:0016', '0A']]))
  await root.file('/proc/net/tcp6', procNet6([['00000000000000000000000000000000:1478', '0A']]))
  await root.file('/etc/ufw/ufw.conf', '# /etc/ufw/ufw.conf\n#\nENABLED=no\nLOGLEVEL=low\n')
  await root.file('/etc/default/ufw', DEFAULT_UFW)
  // The rule files the package's postinst installs from its templates (user.rules: no rules yet).
  for (const file of await readdir(UFW_TEMPLATES)) await root.file(`/etc/ufw/${file}`, await readFile(join(UFW_TEMPLATES, file)))
  // ufw's application profiles (none needed here) and its lock file, under its datadir.
  await root.dir_('/etc/ufw/applications.d')
  await root.dir_('/lib/ufw')
  return root
}

async function hostReport(dir: string): Promise<AuditReport> {
  const result = await runCliInWorker(['host', '--root', dir, '--format', 'json'])
  expect(result.stderr).not.toMatch(/Error/)
  return JSON.parse(result.stdout) as AuditReport
}

/** Every `sudo ufw …` command in a remediation, as words. */
function ufwCommands(remediation: string): string[][] {
  return extractCommands(remediation)
    .runs.flatMap((run) => run.segments.map((segment) => segment.words.map((w) => w.value)))
    .filter((words) => words[0] === 'sudo' && words[1] === 'ufw')
    .map((words) => words.slice(2))
}

function ufw(dir: string, args: string[]): Promise<{code: number; output: string}> {
  return new Promise((resolve) => {
    // No SSH_* variables: `ufw enable` asks before it could cut an SSH session, and no one answers here.
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SSH_')))
    execFile('/usr/bin/python3', ['-c', RUN_UFW, `--datadir=${dir}`, ...args], {cwd: dir, env}, (error, stdout, stderr) => {
      resolve({code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}${stderr}`.replaceAll('WARN: Checks disabled\n', '')})
    })
  })
}

/**
 * Runs the commands in order, as a user would paste them, but `enable` last (as `--dry-run enable`,
 * which writes ENABLED=yes and loads nothing): once ufw is enabled every later rule would be loaded
 * into this machine's kernel. On the host those rules are loaded too, and the rule files written
 * are the same either way.
 */
async function runAsPrinted(dir: string, commands: string[][]): Promise<string[]> {
  expect(await readFile(join(dir, 'etc/ufw/ufw.conf'), 'utf8')).toMatch(/^ENABLED=no$/m)
  const enable = commands.filter((args) => args[0] === 'enable')
  const failures: string[] = []
  for (const args of [...commands.filter((args) => args[0] !== 'enable'), ...enable.map((args) => ['--dry-run', ...args])]) {
    const result = await ufw(dir, args)
    if (result.code !== 0) failures.push(`ufw ${args.join(' ')}: ${result.output.trim()}`)
  }
  return failures
}

/** The rules ufw keeps, in the order it matches them: `deny any any 0.0.0.0/0 any 10.1.2.3 in`. */
async function ufwRules(dir: string, file: 'user.rules' | 'user6.rules'): Promise<string[]> {
  const text = await readFile(join(dir, 'etc/ufw', file), 'utf8')
  return [...text.matchAll(/^### tuple ### (.*)$/gm)].map((m) => m[1]!)
}

const finding = (report: AuditReport, rule: string) => report.findings.find((f) => f.rule === rule)

describe('the ufw commands of MAAS host findings, run by the real ufw', () => {
  it('ufw is installed (.ci/run installs Debian\'s package)', () => {
    expect(existsSync(UFW), 'install ufw: sudo apt-get install ufw').toBe(true)
  })

  for (const order of ['blocks first', 'firewall first'] as const) {
    it(`every command runs, and the blocks come before the allows (${order})`, async () => {
      const root = await unfirewalledRegion()
      const before = await hostReport(root.dir)
      const firewall = finding(before, 'MAAS-FIREWALL')
      const ports = finding(before, 'MAAS-HOST-PORTS')
      const logins = finding(before, 'MAAS-LOGIN-FAILURES')
      const ssh = finding(before, 'MAAS-SSH-FAILURES')
      expect(firewall?.message).toContain('ufw is disabled')
      expect(ports?.message).toContain('8080')
      expect(logins?.remediation).toContain(LOGIN_SOURCE)
      expect(ssh?.remediation).toContain(SSH_SOURCE)

      const blocks = [...ufwCommands(logins!.remediation), ...ufwCommands(ssh!.remediation)]
      const firewalling = ufwCommands(firewall!.remediation)
      expect(blocks.length).toBe(2)
      expect(firewalling.at(-1)).toEqual(['enable'])
      // MAAS-HOST-PORTS offers the same firewall as MAAS-FIREWALL on this host.
      expect(ufwCommands(ports!.remediation)).toEqual(firewalling)

      const failures = await runAsPrinted(root.dir, order === 'blocks first' ? [...blocks, ...firewalling] : [...firewalling, ...blocks])
      expect(failures).toEqual([])

      // ufw matches rules in order: each deny must come before the allows of its address family.
      const v4 = await ufwRules(root.dir, 'user.rules')
      const v6 = await ufwRules(root.dir, 'user6.rules')
      expect(v4[0]).toBe(`deny any any 0.0.0.0/0 any ${LOGIN_SOURCE} in`)
      expect(v6[0]).toBe(`deny any any ::/0 any ${SSH_SOURCE} in`)
      expect(v4).toContain('allow any 22 0.0.0.0/0 any 0.0.0.0/0 in')
      expect(v4).toContain('allow tcp 5241:5247 0.0.0.0/0 any 0.0.0.0/0 in')
      expect(v6).toContain('allow tcp 5240 ::/0 any ::/0 in')
      expect((await readFile(join(root.dir, 'etc/default/ufw'), 'utf8'))).toContain('DEFAULT_INPUT_POLICY="DROP"')

      const after = await hostReport(root.dir)
      expect(finding(after, 'MAAS-FIREWALL')).toBeUndefined()
      // 8080 still listens; with ufw denying by default the fix is now to check ufw's own rules.
      expect(finding(after, 'MAAS-HOST-PORTS')?.remediation).toContain('sudo ufw status numbered')
      expect(ufwCommands(finding(after, 'MAAS-HOST-PORTS')!.remediation)).toEqual([['status', 'numbered'], ['delete', 'NUM']])
    })
  }

  // A proxy in front of the region is how clients reach MAAS, listening on 80 (0x50): its port and 443,
  // where MAAS-TLS terminates TLS, are allowed, and it is not an extra listener.
  const FRONTS = [
    // The haproxy.cfg block of MAAS's HA page (test/real-world-hosts).
    {what: "the HAProxy of MAAS's HA page", file: '/etc/haproxy/haproxy.cfg', text: 'frontend maas\n    bind    *:80\n    default_backend maas\n\nbackend maas\n    balance source\n    server localhost localhost:5240 check\n'},
    {what: 'a plain nginx site', file: '/etc/nginx/sites-enabled/maas', text: 'server {\n    listen 80;\n    location /MAAS/ {\n        proxy_pass http://localhost:5240/MAAS/;\n    }\n}\n'},
  ]
  for (const front of FRONTS) {
    it(`keeps clients' way in through ${front.what}: 80 and 443 are allowed, and ufw takes the commands`, async () => {
      const root = await unfirewalledRegion()
      await root.file(front.file, front.text)
      await root.file('/proc/net/tcp', procNet([['00000000:1478', '0A'], ['00000000:0050', '0A'], ['00000000:0016', '0A']]))
      const before = await hostReport(root.dir)
      expect(finding(before, 'MAAS-HOST-PORTS')).toBeUndefined()
      const firewalling = ufwCommands(finding(before, 'MAAS-FIREWALL')!.remediation)
      expect(firewalling).toContainEqual(['allow', '80/tcp'])
      expect(firewalling).toContainEqual(['allow', '443/tcp'])
      expect(await runAsPrinted(root.dir, firewalling)).toEqual([])
      const v4 = await ufwRules(root.dir, 'user.rules')
      expect(v4).toContain('allow tcp 80 0.0.0.0/0 any 0.0.0.0/0 in')
      expect(v4).toContain('allow tcp 443 0.0.0.0/0 any 0.0.0.0/0 in')
    })
  }

  it('`ufw insert 1`, the form printed before, fails on this host: the test can tell', async () => {
    const root = await unfirewalledRegion()
    const failures = await runAsPrinted(root.dir, [['insert', '1', 'deny', 'from', LOGIN_SOURCE]])
    expect(failures).toEqual([expect.stringContaining("Invalid position '1'")])
    await runAsPrinted(root.dir, [['allow', '22']])
    expect(await runAsPrinted(root.dir, [['insert', '1', 'deny', 'from', SSH_SOURCE]])).toEqual([expect.stringContaining("Invalid position '1'")])
  })
})
