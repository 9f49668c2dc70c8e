/**
 * Sets of ports per protocol, the currency of the reachability engine: what a rule admits, what a
 * connection may use. Ranges are kept sorted and merged, and the empty and full sets are always
 * the `NO_PORTS` / `ALL_PORTS` singletons, so the common cases compare by identity.
 */

export const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const
export type Protocol = (typeof PROTOCOLS)[number]

export const MIN_PORT = 1
export const MAX_PORT = 65535

type Range = readonly [number, number]
type Ranges = readonly Range[]

export interface PortSet {
  readonly TCP: Ranges
  readonly UDP: Ranges
  readonly SCTP: Ranges
}

const FULL: Ranges = [[MIN_PORT, MAX_PORT]]
export const NO_PORTS: PortSet = Object.freeze({TCP: [], UDP: [], SCTP: []})
export const ALL_PORTS: PortSet = Object.freeze({TCP: FULL, UDP: FULL, SCTP: FULL})

/** A NetworkPolicy protocol (default TCP); undefined for anything the API would reject. */
export function parseProtocol(text: string | undefined): Protocol | undefined {
  const upper = (text ?? 'TCP').toUpperCase()
  return (PROTOCOLS as readonly string[]).includes(upper) ? (upper as Protocol) : undefined
}

export function portRange(protocol: Protocol, from: number = MIN_PORT, to: number = from): PortSet {
  const lo = Math.max(MIN_PORT, from)
  const hi = Math.min(MAX_PORT, to)
  if (lo > hi) return NO_PORTS
  return canonical({...NO_PORTS, [protocol]: [[lo, hi]]})
}

export function allOf(protocol: Protocol): PortSet {
  return portRange(protocol, MIN_PORT, MAX_PORT)
}

export function isEmptyPorts(set: PortSet): boolean {
  return set === NO_PORTS || (set.TCP.length === 0 && set.UDP.length === 0 && set.SCTP.length === 0)
}

export function isAllPorts(set: PortSet): boolean {
  return set === ALL_PORTS || PROTOCOLS.every((protocol) => isFull(set[protocol]))
}

export function containsPort(set: PortSet, port: number, protocol: Protocol): boolean {
  return set[protocol].some(([lo, hi]) => port >= lo && port <= hi)
}

export function unionPorts(a: PortSet, b: PortSet): PortSet {
  if (a === NO_PORTS || a === b) return b
  if (b === NO_PORTS) return a
  if (a === ALL_PORTS || b === ALL_PORTS) return ALL_PORTS
  return canonical({TCP: union(a.TCP, b.TCP), UDP: union(a.UDP, b.UDP), SCTP: union(a.SCTP, b.SCTP)})
}

export function intersectPorts(a: PortSet, b: PortSet): PortSet {
  if (a === ALL_PORTS || a === b) return b
  if (b === ALL_PORTS) return a
  if (a === NO_PORTS || b === NO_PORTS) return NO_PORTS
  return canonical({TCP: intersect(a.TCP, b.TCP), UDP: intersect(a.UDP, b.UDP), SCTP: intersect(a.SCTP, b.SCTP)})
}

/** The ports of `a` that are not in `b`. */
export function subtractPorts(a: PortSet, b: PortSet): PortSet {
  if (a === NO_PORTS || b === ALL_PORTS || a === b) return NO_PORTS
  if (b === NO_PORTS) return a
  return canonical({TCP: subtract(a.TCP, b.TCP), UDP: subtract(a.UDP, b.UDP), SCTP: subtract(a.SCTP, b.SCTP)})
}

/** A string equal for equal sets: for grouping and comparing. */
export function portsKey(set: PortSet): string {
  if (set === ALL_PORTS) return '*'
  if (set === NO_PORTS) return ''
  return PROTOCOLS.map((protocol) => set[protocol].map(([lo, hi]) => `${lo}-${hi}`).join(',')).join('|')
}

export function portsEqual(a: PortSet, b: PortSet): boolean {
  return a === b || portsKey(a) === portsKey(b)
}

export interface PortRangeJson {
  protocol: Protocol
  from: number
  to: number
}

/** The JSON form: `{all: true}`, or the ranges (an empty list means no port). */
export type PortsJson = {all: true} | {ports: PortRangeJson[]}

export function portsToJson(set: PortSet): PortsJson {
  if (isAllPorts(set)) return {all: true}
  return {ports: PROTOCOLS.flatMap((protocol) => set[protocol].map(([from, to]) => ({protocol, from, to})))}
}

/**
 * `all ports`, `none`, `5432/TCP, 8000-8100/TCP, UDP (all ports)`, or, when naming what is left
 * out is shorter, `all but 8080/TCP` and `TCP (all ports but 8080)`.
 */
export function formatPorts(set: PortSet): string {
  if (isAllPorts(set)) return 'all ports'
  if (isEmptyPorts(set)) return 'none'
  const missing = subtractPorts(ALL_PORTS, set)
  if (portParts(missing).length < portParts(set).length) return `all but ${portParts(missing).join(', ')}`
  return portParts(set).join(', ')
}

function portParts(set: PortSet): string[] {
  const parts: string[] = []
  for (const protocol of PROTOCOLS) {
    const ranges = set[protocol]
    if (ranges.length === 0) continue
    if (isFull(ranges)) {
      parts.push(`${protocol} (all ports)`)
      continue
    }
    const missing = subtract(FULL, ranges)
    if (missing.length < ranges.length) parts.push(`${protocol} (all ports but ${missing.map(formatRange).join(', ')})`)
    else for (const range of ranges) parts.push(`${formatRange(range)}/${protocol}`)
  }
  return parts
}

function formatRange([lo, hi]: Range): string {
  return lo === hi ? `${lo}` : `${lo}-${hi}`
}

function isFull(ranges: Ranges): boolean {
  const only = ranges[0]
  return ranges.length === 1 && only !== undefined && only[0] === MIN_PORT && only[1] === MAX_PORT
}

function canonical(set: PortSet): PortSet {
  if (isEmptyPorts(set)) return NO_PORTS
  if (PROTOCOLS.every((protocol) => isFull(set[protocol]))) return ALL_PORTS
  return Object.freeze(set)
}

function union(a: Ranges, b: Ranges): Ranges {
  if (a.length === 0) return b
  if (b.length === 0) return a
  const sorted = [...a, ...b].sort((x, y) => x[0] - y[0])
  const out: [number, number][] = []
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1]
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi)
    else out.push([lo, hi])
  }
  return out
}

function intersect(a: Ranges, b: Ranges): Ranges {
  const out: Range[] = []
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) {
    const x = a[i]!
    const y = b[j]!
    const lo = Math.max(x[0], y[0])
    const hi = Math.min(x[1], y[1])
    if (lo <= hi) out.push([lo, hi])
    if (x[1] < y[1]) i++
    else j++
  }
  return out
}

function subtract(a: Ranges, b: Ranges): Ranges {
  if (b.length === 0) return a
  const out: Range[] = []
  for (const [lo, hi] of a) {
    let start = lo
    for (const [blo, bhi] of b) {
      if (bhi < start || blo > hi) continue
      if (blo > start) out.push([start, blo - 1])
      start = bhi + 1
      if (start > hi) break
    }
    if (start <= hi) out.push([start, hi])
  }
  return out
}
