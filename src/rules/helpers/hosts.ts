/** What host rules share: the hosts of a profile, and where a host fact was read. */
import type {HostInventory} from '../../inventory/host.js'
import type {Inventory} from '../../inventory/types.js'
import type {SourceRef} from '../../sources/document.js'

export function maasHosts(inventory: Inventory): (HostInventory & {maas: NonNullable<HostInventory['maas']>})[] {
  return (inventory.hosts ?? []).filter((host): host is HostInventory & {maas: NonNullable<HostInventory['maas']>} => host.maas !== undefined)
}

export function landscapeHosts(inventory: Inventory): (HostInventory & {landscapeClient: NonNullable<HostInventory['landscapeClient']>})[] {
  return (inventory.hosts ?? []).filter(
    (host): host is HostInventory & {landscapeClient: NonNullable<HostInventory['landscapeClient']>} => host.landscapeClient !== undefined,
  )
}

/** A file and line of a host, as a SourceRef the host locators resolve (`['line', N]`). */
export function lineRef(file: string, line?: number): {ref: SourceRef} {
  return {ref: {file, path: line === undefined ? [] : ['line', line]}}
}
