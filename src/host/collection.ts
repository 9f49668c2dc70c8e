/**
 * A machine's collection (the collection script's output) → a directory laid out like the host's
 * `/`, which the same readers as `--root` then read. Modes and owners of the stat'ed files go to
 * `.hardenctl-host.json` at the top of that directory (they cannot be set without root), which
 * the readers apply; a snapshot keeps the directory as it is (hosts/MODEL/MACHINE/).
 */
import {mkdir, utimes, writeFile} from 'node:fs/promises'
import {dirname, join} from 'node:path'
import {gunzipSync} from 'node:zlib'

import {COLLECTION_HEADER} from './collect-script.js'
import {HOST_OVERLAY_FILE, type HostOverlay} from '../sources/host/overlay.js'

interface Collection {
  stats: HostOverlay['stats']
  dirs: string[]
  files: Map<string, Map<number, string>>
  logs: Map<string, {mtime: number; data: Buffer}>
}

/** Parses the script's output; problems become warnings naming `where` (the machine). */
export function parseCollection(stdout: string, where: string, warnings: string[]): Collection | undefined {
  const lines = stdout.split('\n')
  if (lines[0]?.trim() !== COLLECTION_HEADER) {
    warnings.push(`${where}: the collection did not start with "${COLLECTION_HEADER}"; machine skipped`)
    return undefined
  }
  const out: Collection = {stats: {}, dirs: [], files: new Map(), logs: new Map()}
  let ended = false
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!
    if (line === 'end') {
      ended = true
      break
    }
    if (line === '') continue
    const stat = /^stat ([0-7]{3,4}) (\d+) (\d+) (\/.*)$/.exec(line)
    if (stat) {
      out.stats[stat[4]!] = {mode: Number.parseInt(stat[1]!, 8), uid: Number(stat[2]), gid: Number(stat[3])}
      continue
    }
    const dir = /^dir (\/.*)$/.exec(line)
    if (dir) {
      out.dirs.push(dir[1]!)
      continue
    }
    const file = /^lines (\/.*)$/.exec(line)
    if (file) {
      const kept = new Map<number, string>()
      for (i++; i < lines.length && lines[i] !== '.'; i++) {
        const entry = /^(\d+):(.*)$/.exec(lines[i]!)
        if (entry) kept.set(Number(entry[1]), entry[2]!)
      }
      out.files.set(file[1]!, kept)
      continue
    }
    const log = /^log (\/.*) (\d+) (\d+)$/.exec(line)
    if (log) {
      const body = lines[++i] ?? ''
      try {
        out.logs.set(log[1]!, {mtime: Number(log[3]), data: gunzipSync(Buffer.from(body, 'base64'))})
      } catch {
        warnings.push(`${where}: ${log[1]}: the collected log is not valid gzip; skipped`)
      }
      continue
    }
    warnings.push(`${where}: collection line ${i + 1} is not a record the script writes; skipped`)
  }
  if (!ended) warnings.push(`${where}: the collection is incomplete (no end record); what arrived is audited`)
  return out
}

/** Writes the collection as a host root under `dir`. */
export async function materialize(collection: Collection, dir: string, machine: NonNullable<HostOverlay['machine']>): Promise<void> {
  await mkdir(dir, {recursive: true})
  for (const path of collection.dirs) await mkdir(join(dir, path), {recursive: true})
  const write = async (path: string, data: string | Buffer) => {
    await mkdir(dirname(join(dir, path)), {recursive: true})
    await writeFile(join(dir, path), data)
  }
  for (const [path, kept] of collection.files) {
    const last = Math.max(0, ...kept.keys())
    const text = Array.from({length: last}, (_, i) => kept.get(i + 1) ?? '').join('\n')
    await write(path, last > 0 ? `${text}\n` : '')
  }
  // A stat'ed file whose lines were not kept still exists on the host.
  for (const path of Object.keys(collection.stats)) if (!collection.files.has(path)) await write(path, '')
  for (const [path, log] of collection.logs) {
    await write(path, log.data)
    await utimes(join(dir, path), log.mtime, log.mtime)
  }
  const overlay: HostOverlay = {apiVersion: 'hardenctl.io/v1', kind: 'HostCollection', machine, stats: collection.stats}
  await writeFile(join(dir, HOST_OVERLAY_FILE), `${JSON.stringify(overlay, null, 2)}\n`)
}
