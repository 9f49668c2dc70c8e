/** Juju open-ports (`8080/tcp`, `5241-5247/udp`, `icmp`) and Kubernetes service ports as ranges. */

export interface PortRange {
  from: number
  to: number
  protocol: string
  text: string
}

export function parsePort(text: string): PortRange | undefined {
  const m = /^(\d+)(?:-(\d+))?(?:\/(\w+))?$/.exec(text.trim())
  if (!m) return undefined
  const from = Number(m[1])
  const to = m[2] === undefined ? from : Number(m[2])
  return {from, to, protocol: (m[3] ?? 'tcp').toLowerCase(), text}
}

export function rangesOverlap(a: {from: number; to: number}, b: {from: number; to: number}): boolean {
  return a.from <= b.to && b.from <= a.to
}

/** True when every port of `inner` lies in one of the `allowed` ranges. */
export function rangeCovered(inner: {from: number; to: number}, allowed: readonly {from: number; to: number}[]): boolean {
  if (inner.to < inner.from || inner.to - inner.from > 65535) return false
  for (let port = inner.from; port <= inner.to; port++) {
    if (!allowed.some((r) => r.from <= port && port <= r.to)) return false
  }
  return true
}

export function portsOfUnits(units: readonly {openPorts: string[]}[]): PortRange[] {
  const seen = new Map<string, PortRange>()
  for (const unit of units) {
    for (const text of unit.openPorts) {
      const range = parsePort(text)
      if (range) seen.set(`${range.from}-${range.to}/${range.protocol}`, range)
    }
  }
  return [...seen.values()]
}

export function range(from: number, to = from): {from: number; to: number} {
  return {from, to}
}
