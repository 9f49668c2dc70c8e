/**
 * MAAS-FILE-PERMS prints `sudo chown ... && sudo chmod ...`: made on the host, the files must then
 * pass. Each case gives MAAS's configuration files a mode and owner the rule reports, takes the
 * printed commands, gives the files the modes and owners they set (in the root's
 * .hardenctl-host.json, as a collected root records them, so this runs without root), and audits
 * the host again.
 */
import {rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import {localRoot} from '../../src/host/local.js'
import {runHostAudit} from '../../src/host/run-host.js'
import {defaultPolicy} from '../../src/policy/schema.js'
import {IDS, newRoot} from './roots.js'

const NOW = new Date('2026-11-23T00:00:00Z')
const USERS: Record<string, number> = {root: IDS.root, maas: IDS.maas, landscape: IDS.landscape}
const GROUPS: Record<string, number> = {root: IDS.root, maas: IDS.maasGroup, landscape: IDS.landscapeGroup}

type Stat = {mode: number; uid: number; gid: number}

interface Case {
  what: string
  layout: 'deb' | 'snap'
  /** Host path → mode and owner as found. */
  files: Record<string, {mode: number; owner: string; group: string}>
}

const DEB = '/etc/maas'
const SNAP = '/var/snap/maas/current'

const CASES: Case[] = [
  {what: 'deb, readable by everyone, root:root', layout: 'deb', files: {[`${DEB}/regiond.conf`]: {mode: 0o644, owner: 'root', group: 'root'}}},
  {what: 'deb, writable by everyone, maas:maas', layout: 'deb', files: {[`${DEB}/regiond.conf`]: {mode: 0o666, owner: 'maas', group: 'maas'}, [`${DEB}/rackd.conf`]: {mode: 0o640, owner: 'root', group: 'maas'}}},
  {what: 'deb, group-writable by another group', layout: 'deb', files: {[`${DEB}/rackd.conf`]: {mode: 0o660, owner: 'root', group: 'landscape'}}},
  // `chmod 640` would give group landscape read access: the fix changes the group too.
  {what: 'deb, readable by everyone, its group one that must not read it', layout: 'deb', files: {[`${DEB}/regiond.conf`]: {mode: 0o604, owner: 'maas', group: 'landscape'}}},
  {what: 'snap, owned by maas', layout: 'snap', files: {[`${SNAP}/regiond.conf`]: {mode: 0o644, owner: 'maas', group: 'maas'}}},
  {what: 'snap, readable by everyone, its group one that must not read it', layout: 'snap', files: {[`${SNAP}/regiond.conf`]: {mode: 0o604, owner: 'root', group: 'landscape'}, [`${SNAP}/rackd.conf`]: {mode: 0o644, owner: 'root', group: 'root'}}},
]

const roots: string[] = []
afterEach(async () => {
  await Promise.all(roots.splice(0).map((dir) => rm(dir, {recursive: true, force: true})))
})

async function audit(dir: string) {
  const result = await runHostAudit({roots: [await localRoot(dir)], policy: {policy: defaultPolicy()}, toolVersion: 'test', now: NOW})
  return result.report.findings.filter((finding) => finding.rule === 'MAAS-FILE-PERMS')
}

async function writeStats(dir: string, stats: Record<string, Stat>): Promise<void> {
  await writeFile(join(dir, '.hardenctl-host.json'), JSON.stringify({apiVersion: 'hardenctl.io/v1', kind: 'HostCollection', stats}))
}

/** What `sudo chown USER:GROUP PATH...` and `sudo chmod MODE PATH...` do to the recorded stats; anything else fails the test. */
function runCommands(remediation: string, stats: Record<string, Stat>): void {
  const line = remediation.split('#')[0]!.trim()
  for (const command of line.split('&&').map((part) => part.trim())) {
    const [sudo, program, argument, ...paths] = command.split(/\s+/)
    expect(sudo, command).toBe('sudo')
    expect(paths.length, command).toBeGreaterThan(0)
    for (const path of paths) {
      const stat = stats[path]
      expect(stat, `${command}: ${path} is not a file of the host`).toBeDefined()
      if (program === 'chown') {
        const [user, group] = argument!.split(':')
        expect(USERS[user!], command).toBeDefined()
        expect(GROUPS[group!], command).toBeDefined()
        stat!.uid = USERS[user!]!
        stat!.gid = GROUPS[group!]!
      } else if (program === 'chmod') {
        expect(argument, command).toMatch(/^[0-7]{3,4}$/)
        stat!.mode = Number.parseInt(argument!, 8)
      } else {
        throw new Error(`not a chown or chmod: ${command}`)
      }
    }
  }
}

describe('MAAS-FILE-PERMS fixes, made on the host', () => {
  for (const testCase of CASES) {
    it(`${testCase.what}: the printed chown and chmod leave nothing to report`, async () => {
      const root = await newRoot('maas-perms')
      roots.push(root.dir)
      const stats: Record<string, Stat> = {}
      for (const [hostPath, found] of Object.entries(testCase.files)) {
        await root.file(hostPath, hostPath.endsWith('regiond.conf') ? root.regiondConf() : 'maas_url: http://10.0.0.2:5240/MAAS\n')
        stats[hostPath] = {mode: found.mode, uid: USERS[found.owner]!, gid: GROUPS[found.group]!}
      }
      if (testCase.layout === 'snap') await root.file('/var/snap/maas/common/snap_mode', 'region+rack\n')
      await writeStats(root.dir, stats)

      const before = await audit(root.dir)
      expect(before.length, 'the case is one the rule reports').toBeGreaterThan(0)
      for (const finding of before) runCommands(finding.remediation ?? '', stats)
      await writeStats(root.dir, stats)

      const after = await audit(root.dir)
      expect(after.map((f) => f.message), `fixes printed: ${before.map((f) => f.remediation).join('; ')}`).toEqual([])
    })
  }
})
