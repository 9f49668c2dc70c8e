/** Minimal IPv4/IPv6 CIDR arithmetic: enough to say whether one range lies inside another. */

interface ParsedCidr {
  family: 4 | 6
  /** The address as a 32- or 128-bit integer. */
  address: bigint
  prefix: number
}

function parseIPv4(text: string): bigint | undefined {
  const parts = text.split('.')
  if (parts.length !== 4) return undefined
  let value = 0n
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined
    const n = Number(part)
    if (n > 255) return undefined
    value = (value << 8n) | BigInt(n)
  }
  return value
}

function parseIPv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined
  const halves = text.split('::')
  if (halves.length > 2) return undefined
  const toGroups = (part: string): number[] | undefined => {
    if (part === '') return []
    const groups: number[] = []
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const v4 = parseIPv4(g)
        if (v4 === undefined) return undefined
        groups.push(Number(v4 >> 16n), Number(v4 & 0xffffn))
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined
        groups.push(parseInt(g, 16))
      }
    }
    return groups
  }
  const head = toGroups(halves[0] ?? '')
  const tail = halves.length === 2 ? toGroups(halves[1] ?? '') : []
  if (!head || !tail) return undefined
  const missing = 8 - head.length - tail.length
  if (halves.length === 1 ? missing !== 0 : missing < 0) return undefined
  const groups = [...head, ...Array<number>(Math.max(missing, 0)).fill(0), ...tail]
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n)
}

export function parseCidr(text: string): ParsedCidr | undefined {
  const [addr, prefixText] = text.trim().split('/')
  if (addr === undefined) return undefined
  const v4 = parseIPv4(addr)
  if (v4 !== undefined) {
    const prefix = prefixText === undefined ? 32 : Number(prefixText)
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) return undefined
    return {family: 4, address: v4, prefix}
  }
  const v6 = parseIPv6(addr)
  if (v6 !== undefined) {
    const prefix = prefixText === undefined ? 128 : Number(prefixText)
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > 128) return undefined
    return {family: 6, address: v6, prefix}
  }
  return undefined
}

function network(cidr: ParsedCidr, prefix: number): bigint {
  const bits = cidr.family === 4 ? 32 : 128
  const hostBits = BigInt(bits - prefix)
  return (cidr.address >> hostBits) << hostBits
}

/** True when every address of `inner` lies inside `outer`. Unparseable input is never inside. */
export function cidrWithin(inner: string, outer: string): boolean {
  const a = parseCidr(inner)
  const b = parseCidr(outer)
  if (!a || !b || a.family !== b.family || a.prefix < b.prefix) return false
  return network(a, b.prefix) === network(b, b.prefix)
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
