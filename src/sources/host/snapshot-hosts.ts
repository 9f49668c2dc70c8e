/**
 * Hosts in a snapshot: `hosts/MODEL/MACHINE/`, each a host root as `hardenctl host --root` reads
 * it, written by `hardenctl snapshot --hosts MODEL` (with `.hardenctl-host.json` naming the
 * controller, model and machine). `audit --from` reads them with the host readers and runs the
 * host rules on them, so one report covers Juju, Kubernetes and hosts.
 */
import {readdir, stat} from 'node:fs/promises'
import {join} from 'node:path'

import type {HostRootSpec} from '../../host/run-host.js'
import {readOverlay} from './overlay.js'

export async function findSnapshotHosts(paths: readonly string[]): Promise<HostRootSpec[]> {
  const roots: HostRootSpec[] = []
  for (const path of paths) {
    const hostsDir = join(path, 'hosts')
    if (!(await isDirectory(hostsDir))) continue
    for (const model of await names(hostsDir)) {
      for (const machine of await names(join(hostsDir, model))) {
        const dir = join(hostsDir, model, machine)
        // Only for the machine's name: the host reader reads it again and warns about a bad one.
        const overlay = await readOverlay(dir, join(dir, '.hardenctl-host.json'), [])
        const named = overlay?.machine
        const target = {kind: 'machine', ...(named ? {controller: named.controller} : {}), model: named?.model ?? model, name: named?.name ?? machine}
        const where = `${named ? `${named.controller}:` : ''}${target.model} machine ${target.name}`
        // Shown as on the machine, as the live `host --juju-model` shows them: the target names the machine.
        roots.push({dir, display: '', target, source: where})
      }
    }
  }
  return roots
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory()
  } catch {
    return false
  }
}

async function names(dir: string): Promise<string[]> {
  const entries = await readdir(dir, {withFileTypes: true})
  return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort()
}
