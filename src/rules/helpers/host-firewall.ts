/**
 * A host's firewall as the host rules judge and fix it (ufw, the guides' firewall): whether it is
 * off, the `ufw allow` commands for a set of ports, and the fix for services listening where
 * they should not.
 */
import type {HostInventory, ListeningSocket} from '../../inventory/host.js'

export type PortRule = {from: number; to: number; protocols: readonly ('tcp' | 'udp')[]; why: string}

/** ufw is installed and switched off (`ENABLED=no`). */
export function ufwOff(host: HostInventory): boolean {
  const enabled = host.ufw?.enabled?.value.toLowerCase()
  return enabled !== undefined && enabled !== 'yes'
}

/** ufw is on and drops or rejects what no rule allows. */
export function ufwDenies(host: HostInventory): boolean {
  const input = host.ufw?.defaultInput?.value.toUpperCase()
  return host.ufw !== undefined && !ufwOff(host) && (input === 'DROP' || input === 'REJECT')
}

/** The policy's `host.allowPorts` (SSH by default), both protocols. */
export function policyPortRules(policyPorts: readonly number[]): PortRule[] {
  return policyPorts.map((port) => ({from: port, to: port, protocols: ['tcp', 'udp'] as const, why: 'policy host.allowPorts'}))
}

/** `ufw allow` commands for these ports (ufw takes a range only with its protocol). */
export function ufwAllows(ports: readonly PortRule[]): string[] {
  return ports.flatMap((rule) => {
    const port = rule.from === rule.to ? String(rule.from) : `${rule.from}:${rule.to}`
    if (rule.from === rule.to && rule.protocols.length === 2) return [`sudo ufw allow ${port}`]
    return rule.protocols.map((protocol) => `sudo ufw allow ${port}/${protocol}`)
  })
}

export function socketText(s: ListeningSocket): string {
  return `${s.protocol} ${s.address.includes(':') ? `[${s.address}]` : s.address}:${s.port}`
}

/**
 * `stop` (how to stop or rebind the listeners), or firewall them. Allows come before the default
 * deny: ufw's rules cannot be read from here, and a deny with none would cut off SSH and every
 * client of what the host must serve (`allowed`).
 */
export function listenersFix(host: HostInventory, stop: string, allowed: readonly PortRule[], listeners: readonly ListeningSocket[]): string {
  const ports = [...new Set(listeners.map((s) => `${s.port}/${s.protocol.startsWith('tcp') ? 'tcp' : 'udp'}`))].join(', ')
  if (ufwDenies(host)) {
    return `${stop}. ufw denies incoming traffic by default here, so they are reachable only where a ufw rule allows them: \`sudo ufw status numbered\`, then \`sudo ufw delete NUM\` for any rule that allows ${ports}.`
  }
  const commands = [...ufwAllows(allowed), 'sudo ufw default deny incoming', ...(host.ufw && !ufwOff(host) ? [] : ['sudo ufw enable'])]
  return `${stop}, or firewall them${host.ufw ? '' : ' (ufw is not installed here; if no other firewall guards this host: `sudo apt install ufw`, then)'}: ${commands.join(' && ')}`
}
