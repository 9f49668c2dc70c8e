/**
 * Opening an input file as untrusted: only regular files are read (a FIFO would block forever,
 * /dev/zero and /dev/urandom never end), and a file larger than the input limit is refused from
 * its size before a byte of it is read. The limit is `HARDENCTL_MAX_INPUT_BYTES` (README "Limits
 * and refused input").
 */
import {constants, type Stats} from 'node:fs'
import {type FileHandle, open, stat} from 'node:fs/promises'

import {InputError} from '../errors.js'

export const MAX_INPUT_BYTES_VARIABLE = 'HARDENCTL_MAX_INPUT_BYTES'
/** A 200 MB `kubectl get pods -o json` of a large cluster fits; a runaway file does not. */
export const DEFAULT_MAX_INPUT_BYTES = 512 * 1024 * 1024

export const MAX_YAML_BYTES_VARIABLE = 'HARDENCTL_MAX_YAML_BYTES'
/**
 * YAML costs far more than JSON to parse: the yaml library holds about 60 bytes per byte of input
 * and reads about 1 MB a second, so a 200 MB YAML file would need gigabytes and minutes. A juju
 * status of 16,000 applications is 8 MB of YAML.
 */
export const DEFAULT_MAX_YAML_BYTES = 32 * 1024 * 1024

const UNITS: Record<string, number> = {'': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3}

/** The input limit in bytes: HARDENCTL_MAX_INPUT_BYTES (bytes, or with a K, M or G suffix: 64M), else the default. */
export function maxInputBytes(env: NodeJS.ProcessEnv = process.env): number {
  return sizeFromEnvironment(env, MAX_INPUT_BYTES_VARIABLE, DEFAULT_MAX_INPUT_BYTES)
}

/** The YAML limit in bytes: HARDENCTL_MAX_YAML_BYTES, else the default. */
export function maxYamlBytes(env: NodeJS.ProcessEnv = process.env): number {
  return sizeFromEnvironment(env, MAX_YAML_BYTES_VARIABLE, DEFAULT_MAX_YAML_BYTES)
}

function sizeFromEnvironment(env: NodeJS.ProcessEnv, variable: string, fallback: number): number {
  const value = env[variable]?.trim()
  if (value === undefined || value === '') return fallback
  const match = /^([1-9]\d*)\s*([kmg]?)(i?b)?$/i.exec(value)
  if (!match) throw new InputError(undefined, `${variable}=${JSON.stringify(value)}: expected a positive size in bytes, or with a K, M or G suffix (64M)`)
  return Number(match[1]) * UNITS[match[2]!.toLowerCase()]!
}

/** "512 MiB", "3.2 KiB", "17 bytes": sizes in messages. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} byte${bytes === 1 ? '' : 's'}`
  const [unit, size] = bytes < 1024 ** 2 ? ['KiB', bytes / 1024] : bytes < 1024 ** 3 ? ['MiB', bytes / 1024 ** 2] : ['GiB', bytes / 1024 ** 3]
  return `${Number.isInteger(size) ? size : size.toFixed(1)} ${unit}`
}

/** What a path that is not a regular file is, for the message refusing it. */
export function describeFileType(info: Stats): string {
  if (info.isDirectory()) return 'a directory'
  if (info.isFIFO()) return 'a named pipe (FIFO)'
  if (info.isCharacterDevice()) return 'a character device'
  if (info.isBlockDevice()) return 'a block device'
  if (info.isSocket()) return 'a socket'
  if (info.isSymbolicLink()) return 'a symbolic link'
  return 'not a regular file'
}

/** `cannot read (EACCES: permission denied)`: the code and what it means, never a stack. */
export function cannotRead(path: string, error: unknown, what = 'cannot read'): InputError {
  const code = (error as NodeJS.ErrnoException).code
  const reason = code ? (ERRNO_MEANINGS[code] ? `${code}: ${ERRNO_MEANINGS[code]}` : code) : String(error)
  return new InputError(path, `${what} (${reason})`)
}

const ERRNO_MEANINGS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many levels of symbolic links',
  EISDIR: 'is a directory',
  EIO: 'input/output error',
  ENAMETOOLONG: 'file name too long',
}

/** Refuses anything but a regular file of at most `limit` bytes. */
function checkRegular(path: string, info: Stats, limit: number): void {
  if (!info.isFile()) throw new InputError(path, `is ${describeFileType(info)}; only regular files are read`)
  if (info.size > limit) {
    throw new InputError(path, `is ${formatBytes(info.size)}; inputs over ${formatBytes(limit)} are refused (raise the limit with ${MAX_INPUT_BYTES_VARIABLE})`)
  }
}

/**
 * Opens a regular file for reading, checked twice: by path before opening (so a FIFO is never
 * opened), and by handle after (so a file swapped for a FIFO in between is caught; O_NONBLOCK
 * keeps that open from blocking). The caller closes the handle.
 */
export async function openInputFile(path: string, limit = maxInputBytes()): Promise<{handle: FileHandle; size: number}> {
  let info: Stats
  try {
    info = await stat(path)
  } catch (error) {
    throw cannotRead(path, error)
  }
  checkRegular(path, info, limit)
  let handle: FileHandle
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (error) {
    throw cannotRead(path, error)
  }
  try {
    const opened = await handle.stat()
    checkRegular(path, opened, limit)
    return {handle, size: opened.size}
  } catch (error) {
    await handle.close()
    throw error
  }
}

/** The whole of a regular file within the input limit; never more than the size it had when opened. */
export async function readInputFile(path: string, limit = maxInputBytes()): Promise<Buffer> {
  const {handle, size} = await openInputFile(path, limit)
  try {
    const buffer = Buffer.alloc(size)
    let filled = 0
    while (filled < size) {
      const {bytesRead} = await handle.read(buffer, filled, size - filled, filled)
      if (bytesRead === 0) break
      filled += bytesRead
    }
    return filled === size ? buffer : buffer.subarray(0, filled)
  } catch (error) {
    throw cannotRead(path, error)
  } finally {
    await handle.close()
  }
}
