/**
 * A `.charm` file (a zip archive) read as one charm, treated as untrusted input: every entry is
 * checked before anything is read, and only the few small files hardenctl needs are inflated, in
 * memory. Nothing is ever written to disk. Refused:
 * - more entries than MAX_ENTRIES, or more than MAX_TOTAL_BYTES uncompressed in all;
 * - entry names that are absolute, climb out with `..` or hold a backslash (yauzl's own checks,
 *   with strictFileNames so a backslash is refused rather than turned into a `/`);
 * - symbolic links (the Unix mode in the entry's external attributes);
 * - entries whose compression ratio exceeds MAX_RATIO (zip bombs);
 * - a read file that inflates to more than its header said (yauzl validates entry sizes), or
 *   whose CRC-32 is not the one its header gives;
 * - two entries of the same name: Juju's charm reader takes the first `metadata.yaml`, other
 *   readers the last, so a second one could hide the metadata Juju deploys;
 * - an end-of-central-directory record that counts fewer entries than the central directory
 *   holds (Go's archive/zip, which Juju uses, reads every record and refuses the archive when the
 *   count disagrees: golang/go src/archive/zip/reader.go, `Reader.init`).
 * The archive is read through its central directory, from a file handle: only the directory and
 * the entries hardenctl needs are read, never the whole file.
 * Each refusal is one line naming the archive and the entry; entry names are quoted as JSON, so a
 * name holding a newline cannot break the line.
 */
import type {FileHandle} from 'node:fs/promises'
import {posix} from 'node:path'
import {crc32} from 'node:zlib'

import yauzl, {type Entry, type ZipFile} from 'yauzl'

import {InputError} from '../../errors.js'
import type {Contribution} from '../../inventory/contributions.js'
import {cannotRead, openInputFile} from '../input-file.js'
import {decodeText, type ParsedFile, parseText} from '../parse-file.js'
import {type CharmFiles, charmFromFiles} from './directory.js'

export interface ArchiveLimits {
  maxEntries: number
  maxTotalBytes: number
  /** Uncompressed / compressed, per entry. */
  maxRatio: number
  /** Largest metadata file read. */
  maxFileBytes: number
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxEntries: 20_000,
  maxTotalBytes: 512 * 1024 * 1024,
  maxRatio: 200,
  maxFileBytes: 4 * 1024 * 1024,
}

/** Only the central directory and a few small entries are read, so the archive's own size is not capped. */
const UNLIMITED_FILE = Number.MAX_SAFE_INTEGER
const CENTRAL_DIRECTORY_HEADER = 0x02014b50

/** The archive members hardenctl reads, by where CharmFiles keeps them. */
const MEMBERS: Record<string, keyof CharmFiles> = {
  'charmcraft.yaml': 'charmcraft',
  'metadata.yaml': 'metadata',
  'config.yaml': 'config',
}

/** Small entries compress badly or well by chance; the ratio is judged only above this size. */
const RATIO_FLOOR_BYTES = 64 * 1024
const S_IFMT = 0o170000
const S_IFLNK = 0o120000

/** yauzl's refusals of an entry name ("absolute path: /etc/x"), as the reason hardenctl gives. */
const NAME_REFUSALS: Record<string, string> = {
  'absolute path': 'is an absolute path',
  'invalid relative path': "climbs out of the archive with '..'",
  'invalid characters in fileName': 'has a backslash in its name',
}
const NAME_REFUSAL = new RegExp(`^(${Object.keys(NAME_REFUSALS).join('|')}): (.*)$`, 's')

/** One line, whatever a library's message holds. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

export async function readCharmArchive(path: string, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): Promise<{contributions: Contribution[]; files: ParsedFile[]}> {
  const {handle} = await openInputFile(path, UNLIMITED_FILE)
  try {
    // Not zip.close(): yauzl would close the descriptor, which belongs to the handle closed below.
    const zip = await openZip(path, handle)
    {
      const entries = await listEntries(path, zip, limits)
      await checkNothingAfterDirectory(path, handle, zip)
      const files: CharmFiles = {}
      for (const entry of entries) {
        const member = MEMBERS[entry.fileName]
        if (member === undefined) continue
        if (entry.uncompressedSize > limits.maxFileBytes) {
          throw new InputError(path, `${entry.fileName} in the archive is ${entry.uncompressedSize} bytes; more than ${limits.maxFileBytes} is refused`)
        }
        const file = `${path}/${entry.fileName}`
        files[member] = parseText(file, decodeText(file, await readEntry(path, zip, entry)))
      }
      if (!files.charmcraft && !files.metadata) {
        throw new InputError(path, 'not a charm archive: it holds neither metadata.yaml nor charmcraft.yaml at its top level')
      }
      return charmFromFiles(path, files)
    }
  } finally {
    await handle.close()
  }
}

function openZip(path: string, handle: FileHandle): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    // lazyEntries: entries are read one at a time, so a hostile central directory is checked as it is walked.
    // strictFileNames: without it yauzl turns `\` into `/` (so `..\x` would read as `../x` and `a\b` pass as `a/b`).
    // autoClose false: the handle is ours to close.
    yauzl.fromFd(handle.fd, {lazyEntries: true, validateEntrySizes: true, strictFileNames: true, autoClose: false}, (error, zip) => {
      if (error || !zip) reject(new InputError(path, `not a valid .charm (zip) archive: ${oneLine(error?.message ?? 'unreadable')}`))
      else resolve(zip)
    })
  })
}

/**
 * yauzl reads as many central directory records as the end record counts; Go reads until the
 * records stop. A record right after the last one counted is an entry Juju sees and hardenctl
 * would not: refuse the archive, as Go does.
 */
async function checkNothingAfterDirectory(path: string, handle: FileHandle, zip: ZipFile): Promise<void> {
  // yauzl keeps where the next record would start; without it, this check cannot be made.
  const cursor = (zip as unknown as {readEntryCursor?: unknown}).readEntryCursor
  if (typeof cursor !== 'number') throw new Error('yauzl no longer exposes readEntryCursor; the central directory count cannot be checked')
  const signature = Buffer.alloc(4)
  try {
    const {bytesRead} = await handle.read(signature, 0, 4, cursor)
    if (bytesRead < 4 || signature.readUInt32LE(0) !== CENTRAL_DIRECTORY_HEADER) return
  } catch (error) {
    throw cannotRead(path, error)
  }
  throw new InputError(path, `the end-of-central-directory record counts ${zip.entryCount} entries but the central directory holds more; refused (Juju would read entries hardenctl did not)`)
}

/** Walks the central directory, refusing the archive at the first entry that breaks a rule. */
function listEntries(path: string, zip: ZipFile, limits: ArchiveLimits): Promise<Entry[]> {
  if (zip.entryCount > limits.maxEntries) {
    return Promise.reject(new InputError(path, `the archive has ${zip.entryCount} entries; more than ${limits.maxEntries} is refused`))
  }
  return new Promise((resolve, reject) => {
    const entries: Entry[] = []
    const names = new Set<string>()
    let total = 0
    // Reading stops here: with lazyEntries, yauzl reads the next record only when asked.
    const fail = (message: string) => {
      reject(new InputError(path, message))
    }
    // yauzl refuses absolute names, `..` climbs and backslashes itself ("absolute path: /etc/x",
    // "invalid relative path: ../x", "invalid characters in fileName: a\b").
    zip.on('error', (error: Error) => {
      const refused = NAME_REFUSAL.exec(error.message)
      if (refused) fail(`entry ${JSON.stringify(refused[2])} ${NAME_REFUSALS[refused[1]!]}; refused`)
      // The entry yauzl was reading when it failed; its name is not known yet.
      else fail(`not a valid .charm (zip) archive: entry ${entries.length + 1} of ${zip.entryCount}: ${oneLine(error.message)}`)
    })
    zip.on('entry', (entry: Entry) => {
      const name = entry.fileName
      // Never reached while yauzl checks names (strictFileNames); kept so a change there cannot let one through.
      if (name.includes('\\')) return fail(`entry ${JSON.stringify(name)} has a backslash in its name; refused`)
      // `a//b`, `./a` and `a/` name the same file as `a/b`, `a` and `a` once extracted.
      const normalName = posix.normalize(name).replace(/\/+$/, '')
      if (names.has(normalName)) return fail(`entry ${JSON.stringify(name)} appears twice in the archive; refused (Juju reads the first copy, other tools the last)`)
      names.add(normalName)
      const mode = (entry.externalFileAttributes >>> 16) & S_IFMT
      if (mode === S_IFLNK) return fail(`entry ${JSON.stringify(name)} is a symbolic link; refused`)
      total += entry.uncompressedSize
      if (total > limits.maxTotalBytes) {
        return fail(`entry ${JSON.stringify(name)} (${entry.uncompressedSize} bytes) brings the archive to more than ${limits.maxTotalBytes} bytes uncompressed; refused`)
      }
      if (entry.uncompressedSize > RATIO_FLOOR_BYTES && entry.uncompressedSize > limits.maxRatio * Math.max(entry.compressedSize, 1)) {
        return fail(`entry ${JSON.stringify(name)} compresses ${Math.round(entry.uncompressedSize / Math.max(entry.compressedSize, 1))}:1; more than ${limits.maxRatio}:1 is refused`)
      }
      entries.push(entry)
      zip.readEntry()
    })
    zip.on('end', () => resolve(entries))
    zip.readEntry()
  })
}

function readEntry(path: string, zip: ZipFile, entry: Entry): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error || !stream) return reject(new InputError(path, `cannot read ${entry.fileName} in the archive: ${error?.message ?? 'no data'}`))
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('error', (streamError: Error) => reject(new InputError(path, `cannot read ${entry.fileName} in the archive: ${streamError.message}`)))
      stream.on('end', () => {
        const data = Buffer.concat(chunks)
        // yauzl checks sizes, not checksums; Go's reader refuses a wrong CRC-32 at the end of the entry.
        if (crc32(data) !== entry.crc32) reject(new InputError(path, `entry ${JSON.stringify(entry.fileName)} fails its CRC-32 check (damaged or altered); refused`))
        else resolve(data)
      })
    })
  })
}
