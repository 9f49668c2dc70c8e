/** `audit --from DIR` with hosts/MODEL/MACHINE/ written by hand (the layout `snapshot --hosts` writes). */
import {mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import type {AuditReport} from '../../src/report/audit-report.js'
import {runCliInWorker} from '../helpers/cli-in-worker.js'
import {HostRootBuilder, IDS, SECRETS} from './roots.js'

describe('audit --from a snapshot with hosts/', () => {
  it('reads each host root with the host readers, leaves its files out of the Juju/Kubernetes walk, and warns about a bad .hardenctl-host.json', async () => {
    const snapshot = await mkdtemp(join(tmpdir(), 'hardenctl-snapshot-hosts-'))
    const region = new HostRootBuilder(join(snapshot, 'hosts', 'maas', '0'))
    await region.identities()
    await region.file('/etc/maas/regiond.conf', region.regiondConf())
    // A YAML file inside a host root is the host's, not a Juju or Kubernetes input.
    await region.file('/etc/netplan/50-cloud-init.yaml', 'network: {version: 2}\n')
    await writeFile(
      join(region.dir, '.hardenctl-host.json'),
      JSON.stringify({apiVersion: 'hardenctl.io/v1', kind: 'HostCollection', machine: {controller: 'prod', model: 'maas', name: '0'}, stats: {'/etc/maas/regiond.conf': {mode: 0o644, uid: IDS.root, gid: IDS.root}}}),
    )
    const other = new HostRootBuilder(join(snapshot, 'hosts', 'maas', '1'))
    await other.identities()
    await writeFile(join(other.dir, '.hardenctl-host.json'), JSON.stringify({apiVersion: 'hardenctl.io/v1', kind: 'HostCollection', stats: {'etc/maas': {mode: 'x'}}}))

    const result = await runCliInWorker(['audit', '--from', snapshot, '--format', 'json'])
    expect(result.code).toBe(0)
    expect(result.stderr).toBe(
      `hardenctl: warning: maas machine 1: ${join(other.dir, '.hardenctl-host.json')} at stats.etc/maas: expected a host path starting with /; file owners and modes come from the files themselves\n`,
    )
    const report = JSON.parse(result.stdout) as AuditReport
    expect(report.metadata.hosts).toEqual(['prod:maas machine 0', 'maas machine 1'])
    const perms = report.findings.find((f) => f.rule === 'MAAS-FILE-PERMS')!
    expect(perms.target).toEqual({kind: 'machine', controller: 'prod', model: 'maas', name: '0'})
    expect(perms.message).toBe('/etc/maas/regiond.conf is mode 644 (readable by every local user); the guide asks for 640 root:maas (it holds the database password).')
    expect(result.stdout).not.toContain(SECRETS.databasePass)
  })
})
