/** CIDR parsing and containment for exposure allowlists and NetworkPolicy ipBlocks, on ipaddr.js (IPv4 and IPv6). */
import ipaddr from 'ipaddr.js'

export interface ParsedCidr {
  family: 4 | 6
  address: ipaddr.IPv4 | ipaddr.IPv6
  prefix: number
}

/**
 * Parsed CIDRs by their text. A reconcile asks about the same few CIDRs for every application
 * (8,000 at the bench estate); ipaddr.js parses each anew. The entries are only read, never
 * changed; the map is emptied when it grows past its bound.
 */
const parsedCidrs = new Map<string, ParsedCidr | undefined>()
const PARSED_CIDRS_KEPT = 4096

/** `10.0.0.0/8`, `fd00::/8`; a bare address is a /32 or /128. Undefined when not an address. */
export function parseCidr(text: string): ParsedCidr | undefined {
  if (parsedCidrs.has(text)) return parsedCidrs.get(text)
  if (parsedCidrs.size >= PARSED_CIDRS_KEPT) parsedCidrs.clear()
  const parsed = parseCidrText(text)
  parsedCidrs.set(text, parsed)
  return parsed
}

function parseCidrText(text: string): ParsedCidr | undefined {
  const trimmed = text.trim()
  try {
    const [address, prefix] = trimmed.includes('/') ? ipaddr.parseCIDR(trimmed) : [ipaddr.parse(trimmed), -1]
    const family = address.kind() === 'ipv4' ? 4 : 6
    return Object.freeze({family, address, prefix: prefix === -1 ? (family === 4 ? 32 : 128) : prefix})
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

/**
 * Why a policy CIDR is not one, or undefined when it is: an IPv4 or IPv6 address, `/`, and a
 * prefix length that fits the family. Stricter than ipaddr.js, which also reads `10.1` and
 * `010.0.0.0` (octal: 8.0.0.0) as IPv4: like Go's net.ParseCIDR (Juju) and the Kubernetes API,
 * only dotted decimal without leading zeros, and no IPv6 zone.
 */
export function cidrProblem(text: string): string | undefined {
  const slash = text.indexOf('/')
  const address = slash === -1 ? text : text.slice(0, slash)
  const family = addressFamily(address)
  if (family === undefined && slash === -1) return 'expected an address and a prefix length such as 10.0.0.0/8 or ::/0'
  if (family === undefined) return `${JSON.stringify(address)} is not an IPv4 or IPv6 address`
  const max = family === 4 ? 32 : 128
  if (slash === -1) return `a CIDR needs a prefix length: ${text}/${max} for this one address`
  const prefix = text.slice(slash + 1)
  if (!/^(0|[1-9]\d{0,2})$/.test(prefix) || Number(prefix) > max) return `the prefix length of an IPv${family} CIDR is 0 to ${max}, not ${JSON.stringify(prefix)}`
  return undefined
}

function addressFamily(address: string): 4 | 6 | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) return 4
  if (!address.includes('%') && ipaddr.IPv6.isValid(address)) return 6
  return undefined
}
