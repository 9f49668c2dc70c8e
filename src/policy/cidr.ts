/** CIDR parsing and containment for exposure allowlists and NetworkPolicy ipBlocks, on ipaddr.js (IPv4 and IPv6). */
import ipaddr from 'ipaddr.js'

export interface ParsedCidr {
  family: 4 | 6
  address: ipaddr.IPv4 | ipaddr.IPv6
  prefix: number
}

/** `10.0.0.0/8`, `fd00::/8`; a bare address is a /32 or /128. Undefined when not an address. */
export function parseCidr(text: string): ParsedCidr | undefined {
  const trimmed = text.trim()
  try {
    const [address, prefix] = trimmed.includes('/') ? ipaddr.parseCIDR(trimmed) : [ipaddr.parse(trimmed), -1]
    const family = address.kind() === 'ipv4' ? 4 : 6
    return {family, address, prefix: prefix === -1 ? (family === 4 ? 32 : 128) : prefix}
  } catch {
    return undefined
  }
}

/** True when every address of `inner` lies inside `outer`. Unparseable input is never inside. */
export function cidrWithin(inner: string, outer: string): boolean {
  const a = parseCidr(inner)
  const b = parseCidr(outer)
  if (!a || !b || a.family !== b.family || a.prefix < b.prefix) return false
  return a.address.match(b.address as never, b.prefix)
}

export function cidrWithinAny(inner: string, outers: readonly string[]): boolean {
  return outers.some((outer) => cidrWithin(inner, outer))
}

/** `0.0.0.0/0` or `::/0` (any spelling): the whole Internet. */
export function isWorldCidr(text: string): boolean {
  const c = parseCidr(text)
  return c !== undefined && c.prefix === 0
}

export const WORLD_CIDRS = ['0.0.0.0/0', '::/0'] as const
