/**
 * `hardenctl host --juju-model` against the fake controller: Action.Run and Action.Actions with
 * Juju's wire shapes (jujulib ActionV7 types, from juju/js-libjuju's schema), the real collection
 * script run by `sh` against each machine's root directory, the results audited centrally.
 */
import {execFileSync} from 'node:child_process'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {collectionScript} from '../../src/host/collect-script.js'
import type {AuditReport} from '../../src/report/audit-report.js'
import {corpusEstate} from '../fake-juju/estate.js'
import {type FakeController, startFakeController, writeJujuData} from '../fake-juju/server.js'
import {runCli} from '../helpers/cli.js'
import {runCliInWorker} from '../helpers/cli-in-worker.js'
import {IDS, newRoot, procNet, regiondLog, SECRETS, type HostRootBuilder} from './roots.js'

let home: string
const running: FakeController[] = []
let region: HostRootBuilder
let plain: HostRootBuilder

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'hardenctl-fleet-'))
  region = await newRoot('region-0')
  await region.file('/etc/maas/regiond.conf', region.regiondConf(), {mode: 0o644, uid: IDS.root, gid: IDS.root})
  await region.file('/var/log/maas/regiond.log', regiondLog(12))
  await region.file('/proc/net/tcp', procNet([['00000000:1478', '0A'], ['00000000:1F90', '0A']]))
  await region.file('/etc/ufw/ufw.conf', 'ENABLED=yes\n')
  await region.file('/etc/default/ufw', 'DEFAULT_INPUT_POLICY="DROP"\n')
  await region.file('/etc/landscape/client.conf', `[client]\nurl = https://landscape:${SECRETS.urlPassword}@landscape.example.com/message-system\nping_url = https://landscape.example.com/ping\nregistration_key = ${SECRETS.registrationKey}\nscript_users = ALL\ninclude_manager_plugins = ScriptExecution\n`)
  await region.file('/etc/default/landscape-client', 'DAEMON_USER=landscape\n')
  plain = await newRoot('plain-1')
})
afterEach(async () => {
  await Promise.all(running.splice(0).map((controller) => controller.close()))
})
afterAll(async () => {
  await rm(home, {recursive: true, force: true})
})

let counter = 0
async function fleet(user = 'admin', password = 'admin-secret-password', jujuVersion: '3.6' | '4.0' = '3.6') {
  const estate = {...corpusEstate(), jujuVersion}
  const model = estate.models.find((m) => m.name === 'foo-machine')!
  model.hostRoots = {'0': region.dir, '1': plain.dir}
  const controller = await startFakeController(estate)
  running.push(controller)
  const jujuData = join(home, `juju-data-${counter++}`)
  writeJujuData(jujuData, [{name: 'prod', controller, user, password}], 'prod')
  return {controller, env: {HOME: home, JUJU_DATA: jujuData}}
}

describe('hardenctl host --juju-model', () => {
  it('runs one collection per machine through Action.Run and names controller, model and machine in findings', async () => {
    const {controller, env} = await fleet()
    // A process of its own: a live run must end once its work is done (no socket left open keeps it).
    const result = await runCli(['host', '--juju-model', 'foo-machine', '--format', 'json'], {env})
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout) as AuditReport
    expect(report.metadata.hosts).toEqual(['prod:foo-machine machine 0', 'prod:foo-machine machine 1'])
    expect(report.metadata.profiles.sort()).toEqual(['landscape', 'maas'])
    const target = {kind: 'machine', controller: 'prod', model: 'foo-machine', name: '0'}
    expect(report.findings.map((f) => [f.rule, f.target])).toEqual(
      expect.arrayContaining([
        ['MAAS-HOST-PORTS', target],
        ['MAAS-TLS', target],
        ['MAAS-LOGIN-FAILURES', target],
        // The collection keeps the plugin lines that say script execution is on.
        ['LANDSCAPE-CLIENT-SCRIPT-USERS', target],
      ]),
    )
    if (process.getuid?.() === 0) expect(report.findings.find((f) => f.rule === 'MAAS-FILE-PERMS')?.message).toBe('/etc/maas/regiond.conf is mode 644 (readable by every local user); the guide asks for 640 root:maas (it holds the database password).')
    expect(report.findings.find((f) => f.rule === 'MAAS-LOGIN-FAILURES')?.message).toContain('12 in 2020-03-31 21:18-21:19 from 10.132.172.1 (12)')
    expect(report.findings.find((f) => f.rule === 'MAAS-HOST-PORTS')?.location).toEqual({file: '/proc/net/tcp', line: 3, column: 1})
    expect(report.findings.every((f) => f.target.name === '0')).toBe(true)

    const runs = controller.calls.filter((c) => c.type === 'Action' && c.request === 'Run')
    expect(runs).toHaveLength(1)
    expect(runs[0]!.version).toBe(7)
    const params = runs[0]!.params as {commands: string; machines: string[]; timeout: number}
    expect(params.machines).toEqual(['0', '1'])
    expect(params.commands).toBe(collectionScript())
    expect(params.timeout).toBe(300_000_000_000)
    expect(controller.calls.some((c) => c.type === 'Action' && c.request === 'Actions')).toBe(true)
    for (const secret of Object.values(SECRETS)) expect(result.stdout).not.toContain(secret)
  })

  it('finds the model on a Juju 4 controller, by name or qualifier/name', async () => {
    const {controller, env} = await fleet('admin', 'admin-secret-password', '4.0')
    for (const name of ['foo-machine', 'admin/foo-machine']) {
      const result = await runCliInWorker(['host', '--juju-model', name, '--machine', '1', '--format', 'json'], {env})
      expect(result.code, result.stderr).toBe(0)
      expect(JSON.parse(result.stdout).metadata.hosts).toEqual([`prod:${name} machine 1`])
    }
    expect(controller.calls.find((c) => c.request === 'ListModelSummaries')?.version).toBe(11)
  })

  it('--machine narrows the machines; an unknown machine is a usage error', async () => {
    const {controller, env} = await fleet()
    const one = await runCliInWorker(['host', '--juju-model', 'foo-machine', '--machine', '1', '--format', 'json'], {env})
    expect(one.code).toBe(0)
    expect(JSON.parse(one.stdout).metadata.hosts).toEqual(['prod:foo-machine machine 1'])
    expect((controller.calls.find((c) => c.request === 'Run')!.params as {machines: string[]}).machines).toEqual(['1'])
    const unknown = await runCliInWorker(['host', '--juju-model', 'foo-machine', '--machine', '7'], {env})
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toBe('hardenctl: --machine 7: no such machine in model foo-machine (it has 0, 1)\n')
  })

  it('refuses a Kubernetes model and an unknown model with one line', async () => {
    const {env} = await fleet()
    const k8s = await runCliInWorker(['host', '--juju-model', 'clite'], {env})
    expect(k8s.code).toBe(2)
    expect(k8s.stderr).toBe('hardenctl: --juju-model clite: a Kubernetes model has no machines to audit; hardenctl host reads machine models\n')
    const missing = await runCliInWorker(['host', '--juju-model', 'nope'], {env})
    expect(missing.stderr).toBe('hardenctl: --juju-model nope: no such model on controller prod\n')
  })

  it('a user with read access (alice) cannot run the collection: exit 3, one line', async () => {
    const {env} = await fleet('alice', 'alice-secret-password')
    const result = await runCliInWorker(['host', '--juju-model', 'foo-machine'], {env})
    expect(result.code).toBe(3)
    expect(result.stderr).toBe('hardenctl: juju model prod:foo-machine: cannot run the collection (Action.Run): permission denied\n')
  })
})

describe('the collection script', () => {
  it('sends only the lines the rules read: no database password, registration key or other value', () => {
    const stdout = execFileSync('sh', ['-c', collectionScript()], {env: {PATH: process.env.PATH, HARDENCTL_HOST_ROOT: region.dir}}).toString()
    expect(stdout.startsWith('hardenctl-host-collection 1\n')).toBe(true)
    expect(stdout).toContain('lines /etc/maas/regiond.conf\n2:database_name: maasdb\n.\n')
    expect(stdout).toMatch(/^stat 644 \d+ \d+ \/etc\/maas\/regiond.conf$/m)
    expect(stdout.trimEnd().endsWith('end')).toBe(true)
    for (const secret of Object.values(SECRETS)) expect(stdout).not.toContain(secret)
    expect(stdout).not.toContain('database_pass')
    expect(stdout).not.toContain('registration_key')
    expect(stdout).toMatch(/^\d+:url = https:\/\/$/m)
  })
})

describe('snapshot --hosts and audit --from', () => {
  it('writes hosts/MODEL/MACHINE/ and audit --from reports host findings beside the Juju ones, as host --juju-model does', async () => {
    const {env} = await fleet()
    const out = join(home, `snapshot-${counter++}`)
    const snap = await runCliInWorker(['snapshot', '--out', out, '--no-kubernetes', '--hosts', 'foo-machine'], {env})
    expect(snap.code).toBe(0)
    expect(snap.stderr).toMatch(/wrote \d+ files to /)
    const audit = await runCliInWorker(['audit', '--from', out, '--format', 'json', '--fail-on', 'never'], {env})
    expect(audit.code).toBe(0)
    const report = JSON.parse(audit.stdout) as AuditReport
    expect(report.metadata.hosts).toEqual(['prod:foo-machine machine 0', 'prod:foo-machine machine 1'])
    const rules = new Set(report.findings.map((f) => f.rule))
    expect(rules.has('JUJU-EXPOSED')).toBe(true)
    const hostFindings = report.findings.filter((f) => f.target.kind === 'machine')
    const live = JSON.parse((await runCliInWorker(['host', '--juju-model', 'foo-machine', '--format', 'json'], {env})).stdout) as AuditReport
    const essence = (findings: AuditReport['findings']) => findings.map(({rule, target, message, location}) => ({rule, target, message, location}))
    expect(essence(hostFindings)).toEqual(essence(live.findings))
    expect(hostFindings.length).toBeGreaterThan(0)
    for (const secret of Object.values(SECRETS)) expect(audit.stdout).not.toContain(secret)
  })
})
