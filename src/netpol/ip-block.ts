/**
 * ipBlock peers (DOMAIN rule 6): they name cluster-external addresses, so the engine never
 * matches them against pods (pod IPs are cluster-internal and ephemeral; whether a CNI plugin
 * would match a pod IP that happens to fall in a block is not modelled).
 *
 * The matrix has one "outside" endpoint standing for the Internet at large, an over-approximation:
 * an ipBlock admits it when the block is a /0 (0.0.0.0/0 or ::/0) whose `except` entries leave some
 * address in it. Narrower blocks (a partner's /24) do not admit it; ask `explain` with a concrete
 * address for those.
 */
import ipaddr from 'ipaddr.js'

import {parseCidr, type ParsedCidr} from '../policy/cidr.js'

export interface IpBlockLike {
  cidr: string
  except?: string[]
}

/** True when `ip` lies in the block and in none of its exceptions. */
export function ipBlockContains(block: IpBlockLike, ip: string): boolean {
  const address = parseCidr(ip)
  const cidr = parseCidr(block.cidr)
  if (!address || !cidr || !within(address, cidr)) return false
  return !(block.except ?? []).some((text) => {
    const except = parseCidr(text)
    return except !== undefined && within(address, except)
  })
}

export function ipBlockAdmitsOutside(block: IpBlockLike): boolean {
  const cidr = parseCidr(block.cidr)
  if (!cidr || cidr.prefix !== 0) return false
  const bits = cidr.family === 4 ? 32 : 128
  const ranges: [bigint, bigint][] = []
  for (const text of block.except ?? []) {
    const except = parseCidr(text)
    if (except && except.family === cidr.family) ranges.push(addressRange(except, bits))
  }
  ranges.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  // Do the exceptions, merged, cover the whole address space?
  let next = 0n
  for (const [lo, hi] of ranges) {
    if (lo > next) return true
    if (hi + 1n > next) next = hi + 1n
  }
  return next <= (1n << BigInt(bits)) - 1n
}

function within(inner: ParsedCidr, outer: ParsedCidr): boolean {
  return inner.family === outer.family && inner.prefix >= outer.prefix && inner.address.match(outer.address as never, outer.prefix)
}

function addressRange(cidr: ParsedCidr, bits: number): [bigint, bigint] {
  let value = 0n
  for (const byte of cidr.address.toByteArray()) value = (value << 8n) | BigInt(byte)
  const hostBits = BigInt(bits - cidr.prefix)
  const lo = (value >> hostBits) << hostBits
  return [lo, lo + (1n << hostBits) - 1n]
}

/** An address (no prefix) for `explain`'s FROM or TO. */
export function isIpAddress(text: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(text) || ipaddr.IPv6.isValid(text)
}
