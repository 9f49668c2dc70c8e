/**
 * Listening sockets from proc/net/{tcp,tcp6,udp,udp6} (the kernel's tables, as `ss` reads them).
 * Addresses are hex in host byte order, per 32-bit word: `0100007F:0016` is 127.0.0.1:22. TCP
 * sockets in state 0A (LISTEN) listen; UDP sockets are listed in state 07 with no remote peer.
 */
import type {ListeningSocket} from '../../inventory/host.js'
import type {HostRoot} from './root.js'

const TABLES = ['tcp', 'tcp6', 'udp', 'udp6'] as const
const TCP_LISTEN = '0A'
const UDP_UNCONNECTED = '07'

export async function readListeningSockets(root: HostRoot): Promise<ListeningSocket[] | undefined> {
  const sockets: ListeningSocket[] = []
  let anyTable = false
  for (const protocol of TABLES) {
    const hostPath = `/proc/net/${protocol}`
    const text = await root.readText(hostPath)
    if (text === undefined) continue
    anyTable = true
    sockets.push(...parseProcNet(text, protocol, root.shown(hostPath), (line) => root.warn(hostPath, `line ${line}: not a socket entry; skipped`)))
  }
  return anyTable ? sockets : undefined
}

export function parseProcNet(text: string, protocol: ListeningSocket['protocol'], file: string, malformed: (line: number) => void): ListeningSocket[] {
  const sockets: ListeningSocket[] = []
  const seen = new Set<string>()
  const lines = text.split('\n')
  lines.forEach((raw, index) => {
    const line = raw.trim()
    if (index === 0 || line === '') return // the header
    const fields = line.split(/\s+/)
    const local = fields[1]?.split(':')
    const remote = fields[2]?.split(':')
    const state = fields[3]
    if (!local || local.length !== 2 || !remote || remote.length !== 2 || !state) return malformed(index + 1)
    const address = decodeAddress(local[0]!)
    const port = Number.parseInt(local[1]!, 16)
    if (address === undefined || !Number.isInteger(port)) return malformed(index + 1)
    const listening = protocol.startsWith('tcp') ? state === TCP_LISTEN : state === UDP_UNCONNECTED && /^0+$/.test(remote[1]!)
    if (!listening) return
    const key = `${address}:${port}`
    if (seen.has(key)) return
    seen.add(key)
    sockets.push({protocol, address, port, file, line: index + 1})
  })
  return sockets
}

/** 8 hex digits (IPv4) or 32 (IPv6), each 32-bit word little-endian as x86 and arm64 kernels write them. */
export function decodeAddress(hex: string): string | undefined {
  if (!/^[0-9A-Fa-f]+$/.test(hex)) return undefined
  const bytes: number[] = []
  if (hex.length !== 8 && hex.length !== 32) return undefined
  for (let word = 0; word < hex.length; word += 8) {
    const value = hex.slice(word, word + 8)
    for (let b = 6; b >= 0; b -= 2) bytes.push(Number.parseInt(value.slice(b, b + 2), 16))
  }
  if (bytes.length === 4) return bytes.join('.')
  // IPv4-mapped (::ffff:a.b.c.d) is shown as IPv4.
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return bytes.slice(12).join('.')
  const groups: string[] = []
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16))
  return compressIpv6(groups)
}

function compressIpv6(groups: string[]): string {
  let bestStart = -1
  let bestLength = 0
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== '0') {
      i++
      continue
    }
    let j = i
    while (j < groups.length && groups[j] === '0') j++
    if (j - i > bestLength && j - i > 1) [bestStart, bestLength] = [i, j - i]
    i = j
  }
  if (bestStart < 0) return groups.join(':')
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLength).join(':')}`
}

export function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1'
}
