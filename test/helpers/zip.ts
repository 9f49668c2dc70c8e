/**
 * A small zip writer for tests: enough of the format (local file headers, central directory,
 * end-of-central-directory record; no zip64, no data descriptors) to build honest archives that
 * `unzip -t` accepts, and hostile ones — symbolic links, names that climb out, headers that lie
 * about sizes — to check that readers refuse them.
 */
import {crc32, deflateRawSync} from 'node:zlib'

export interface ZipEntry {
  /** Written as given (UTF-8), so names like `../x` or `a\b` can be crafted. */
  name: string
  data: Buffer | string
  /** `stored` (0) or `deflate` (8); deflate by default. */
  method?: 'stored' | 'deflate'
  /**
   * Unix mode (type and permission bits, e.g. 0o100644, or 0o120777 for a symbolic link whose
   * data is the target). When given, the entry is marked as made on Unix (version made by 3) and
   * the mode goes in the high 16 bits of the external attributes.
   */
  mode?: number
  /** Sizes to write in both headers instead of the true ones: headers that lie. */
  headerSizes?: {compressed?: number; uncompressed?: number}
  /** A CRC-32 to write in both headers instead of the true one. */
  headerCrc?: number
}

export interface ZipOptions {
  /** The entry count to write in the end-of-central-directory record instead of the true one. */
  declaredEntries?: number
}

const LOCAL_FILE_HEADER = 0x04034b50
const CENTRAL_DIRECTORY_HEADER = 0x02014b50
const END_OF_CENTRAL_DIRECTORY = 0x06054b50
const VERSION_NEEDED = 20 // 2.0: deflate
const UNIX = 3
const UTF8_NAMES = 0x0800
/** 1980-01-01 00:00:00 in MS-DOS time and date, so archives are byte-for-byte reproducible. */
const DOS_TIME = 0
const DOS_DATE = (0 << 9) | (1 << 5) | 1

export function zip(entries: ZipEntry[], options: ZipOptions = {}): Buffer {
  if (entries.length > 0xffff) throw new Error('zip(): more than 65535 entries needs zip64, which this writer does not write')
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8')
    const data = typeof entry.data === 'string' ? Buffer.from(entry.data, 'utf8') : entry.data
    const method = entry.method === 'stored' ? 0 : 8
    const body = method === 0 ? data : deflateRawSync(data)
    const crc = entry.headerCrc ?? crc32(data)
    const compressed = entry.headerSizes?.compressed ?? body.length
    const uncompressed = entry.headerSizes?.uncompressed ?? data.length

    const local = Buffer.alloc(30)
    local.writeUInt32LE(LOCAL_FILE_HEADER, 0)
    local.writeUInt16LE(VERSION_NEEDED, 4)
    local.writeUInt16LE(UTF8_NAMES, 6)
    local.writeUInt16LE(method, 8)
    local.writeUInt16LE(DOS_TIME, 10)
    local.writeUInt16LE(DOS_DATE, 12)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(compressed, 18)
    local.writeUInt32LE(uncompressed, 22)
    local.writeUInt16LE(name.length, 26)
    local.writeUInt16LE(0, 28) // extra field length
    locals.push(local, name, body)

    const central = Buffer.alloc(46)
    central.writeUInt32LE(CENTRAL_DIRECTORY_HEADER, 0)
    central.writeUInt16LE(entry.mode === undefined ? VERSION_NEEDED : (UNIX << 8) | VERSION_NEEDED, 4) // version made by
    central.writeUInt16LE(VERSION_NEEDED, 6)
    central.writeUInt16LE(UTF8_NAMES, 8)
    central.writeUInt16LE(method, 10)
    central.writeUInt16LE(DOS_TIME, 12)
    central.writeUInt16LE(DOS_DATE, 14)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(compressed, 20)
    central.writeUInt32LE(uncompressed, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt16LE(0, 30) // extra field length
    central.writeUInt16LE(0, 32) // comment length
    central.writeUInt16LE(0, 34) // disk number start
    central.writeUInt16LE(0, 36) // internal attributes
    central.writeUInt32LE(entry.mode === undefined ? 0 : ((entry.mode & 0xffff) * 0x10000) >>> 0, 38) // external attributes
    central.writeUInt32LE(offset, 42) // offset of the local header
    centrals.push(central, name)

    offset += local.length + name.length + body.length
  }
  const directory = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(END_OF_CENTRAL_DIRECTORY, 0)
  end.writeUInt16LE(0, 4) // this disk
  end.writeUInt16LE(0, 6) // disk with the central directory
  end.writeUInt16LE(options.declaredEntries ?? entries.length, 8)
  end.writeUInt16LE(options.declaredEntries ?? entries.length, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  end.writeUInt16LE(0, 20) // comment length
  return Buffer.concat([...locals, directory, end])
}
