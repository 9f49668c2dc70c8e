/**
 * MAAS 3.5 and later write no regiond.log: the region logs to the systemd journal. The fleet
 * collection script exports it with journalctl (read-only, regiond's own lines) and
 * MAAS-LOGIN-FAILURES reads that export. Here journalctl is a stand-in the script is pointed at
 * (HARDENCTL_JOURNALCTL), answering with the guide's regiond lines; it records how it was asked.
 */
import {execFileSync} from 'node:child_process'
import {chmod, mkdtemp, readFile, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {collectionScript} from '../../src/host/collect-script.js'
import {materialize, parseCollection} from '../../src/host/collection.js'
import type {AuditReport} from '../../src/report/audit-report.js'
import {runCliInWorker} from '../helpers/cli-in-worker.js'
import {IDS, newRoot, regiondLog} from './roots.js'

async function fakeJournalctl(dir: string, lines: string): Promise<{path: string; calls: string}> {
  const path = join(dir, 'journalctl')
  const calls = join(dir, 'calls')
  await writeFile(join(dir, 'journal.txt'), lines)
  await writeFile(path, `#!/bin/sh\necho "$@" >> '${calls}'\ncat '${join(dir, 'journal.txt')}'\n`)
  await chmod(path, 0o755)
  return {path, calls}
}

describe('MAAS-LOGIN-FAILURES on MAAS 3.5 and later: the region\'s journal, through the fleet collection', () => {
  it('the script asks journalctl for the units of the package, and the audit reads the export like regiond.log', async () => {
    const root = await newRoot('maas-region-1')
    await root.file('/etc/maas/regiond.conf', root.regiondConf(), {mode: 0o640, uid: IDS.maas, gid: IDS.maasGroup})
    const tools = await mkdtemp(join(tmpdir(), 'hardenctl-journalctl-'))
    const journalctl = await fakeJournalctl(tools, regiondLog(12, '203.0.113.9'))
    const stdout = execFileSync('sh', ['-c', collectionScript()], {env: {PATH: process.env.PATH, HARDENCTL_HOST_ROOT: root.dir, HARDENCTL_JOURNALCTL: journalctl.path}}).toString()
    expect((await readFile(journalctl.calls, 'utf8')).trim()).toBe('-u maas-regiond -u maas-apiserver -o cat --no-pager --since -8 days')
    expect(stdout).toMatch(/^log \/var\/log\/maas\/regiond\.journal \d+ \d+$/m)

    const warnings: string[] = []
    const collected = join(await mkdtemp(join(tmpdir(), 'hardenctl-collected-')), 'root')
    await materialize(parseCollection(stdout, 'machine 0', warnings)!, collected, {controller: 'prod', model: 'maas', name: '0'})
    expect(warnings).toEqual([])
    const result = await runCliInWorker(['host', '--root', collected, '--format', 'json'])
    const report = JSON.parse(result.stdout) as AuditReport
    const logins = report.findings.find((f) => f.rule === 'MAAS-LOGIN-FAILURES')
    expect(logins?.message).toContain("failed MAAS logins (POST /MAAS/accounts/login/ answered 400 or 204) in the region's journal (`journalctl -u maas-regiond -u maas-apiserver`)")
    expect(logins?.remediation).toContain('sudo ufw prepend deny from 203.0.113.9')
    expect(report.notEvaluated.map((n) => n.rule)).not.toContain('MAAS-LOGIN-FAILURES')
  })

  it('a host with regiond.log is read from it, not the journal; against a copy, the machine\'s own journalctl is never asked', async () => {
    const root = await newRoot('maas-region-1')
    await root.file('/etc/maas/regiond.conf', root.regiondConf(), {mode: 0o640, uid: IDS.maas, gid: IDS.maasGroup})
    await root.file('/var/log/maas/regiond.log', regiondLog(2))
    const tools = await mkdtemp(join(tmpdir(), 'hardenctl-journalctl-'))
    const journalctl = await fakeJournalctl(tools, regiondLog(12))
    const withLog = execFileSync('sh', ['-c', collectionScript()], {env: {PATH: process.env.PATH, HARDENCTL_HOST_ROOT: root.dir, HARDENCTL_JOURNALCTL: journalctl.path}}).toString()
    expect(withLog).not.toContain('regiond.journal')
    // A journalctl first on the PATH is not asked against a copy unless named.
    const bare = await newRoot('maas-region-2')
    await bare.file('/etc/maas/regiond.conf', bare.regiondConf(), {mode: 0o640})
    const onPath = execFileSync('sh', ['-c', collectionScript()], {env: {PATH: `${tools}:${process.env.PATH}`, HARDENCTL_HOST_ROOT: bare.dir}}).toString()
    expect(onPath).not.toContain('regiond.journal')
    await expect(readFile(journalctl.calls, 'utf8')).rejects.toThrow()
  })
})
