/** `audit --from SNAPSHOT`: the snapshot's hosts/ join the inventory, so host rules run beside the estate rules. */
import {cp} from 'node:fs/promises'
import {join} from 'node:path'

import type {Inventory} from '../inventory/types.js'
import type {Policy} from '../policy/schema.js'
import {findSnapshotHosts} from '../sources/host/snapshot-hosts.js'
import {hostInventory, readHosts} from './run-host.js'

/** Adds the hosts of `paths` to `inventory`; returns the readers' warnings. */
export async function addSnapshotHosts(inventory: Inventory, paths: readonly string[], policy: Policy): Promise<string[]> {
  const roots = await findSnapshotHosts(paths)
  if (roots.length === 0) return []
  const read = await readHosts(roots, policy)
  const hosts = read.inventory.hosts ?? []
  inventory.hosts = [...(inventory.hosts ?? []), ...hosts]
  inventory.inputs.add('host')
  // Host findings point at file:line inside the host's files.
  const estateLocate = inventory.locate.bind(inventory)
  const hostLocate = hostInventory(hosts).locate
  inventory.locate = (ref) => (ref?.path[0] === 'line' ? hostLocate(ref) : estateLocate(ref))
  return read.warnings
}

/** `snapshot --hosts MODEL`: copies collected roots to hosts/MODEL/MACHINE/ under `staging`. */
export async function copyHostsInto(staging: string, model: string, roots: readonly {dir: string; target: {name: string}}[]): Promise<string[]> {
  const written: string[] = []
  for (const root of roots) {
    const path = ['hosts', model, root.target.name.replaceAll('/', '-')].join('/')
    await cp(root.dir, join(staging, ...path.split('/')), {recursive: true, preserveTimestamps: true})
    written.push(`${path}/`)
  }
  return written
}
