/** Users and groups of the host, from its own etc/passwd and etc/group (never this machine's). */
import type {HostRoot} from './root.js'

export interface HostIdentities {
  users: Map<number, string>
  groups: Map<number, string>
}

export async function readIdentities(root: HostRoot): Promise<HostIdentities> {
  return {users: parseIds(await root.readText('/etc/passwd')), groups: parseIds(await root.readText('/etc/group'))}
}

/** `name:x:uid:...` lines (passwd and group share the first three fields). */
export function parseIds(text: string | undefined): Map<number, string> {
  const ids = new Map<number, string>()
  for (const line of (text ?? '').split('\n')) {
    const [name, , id] = line.split(':')
    if (!name || id === undefined || !/^\d+$/.test(id)) continue
    const number = Number(id)
    if (!ids.has(number)) ids.set(number, name)
  }
  return ids
}
