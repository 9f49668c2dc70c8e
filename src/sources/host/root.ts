/**
 * A host's root directory, read like a chroot: every path is resolved component by component,
 * a symlink is followed only to a target inside the root (absolute targets are taken relative to
 * the root, as the host itself would see them), and a loop stops after a fixed number of hops.
 * Reading never executes or writes anything. Problems become warnings naming the file.
 */
import {constants} from 'node:fs'
import {lstat, open, readdir, readlink, type FileHandle} from 'node:fs/promises'
import {join, posix} from 'node:path'

const MAX_SYMLINK_HOPS = 40

export interface RootStat {
  mode: number
  uid: number
  gid: number
  size: number
  mtimeMs: number
}

export type Resolved = {ok: true; real: string} | {ok: false; reason: 'absent' | 'loop' | 'unreadable'; detail?: string}

export class HostRoot {
  readonly warnings: string[] = []

  /**
   * @param dir the directory on this machine that holds the host's `/`.
   * @param display how the root is named in findings: `''` for `/`, or the `--root` argument.
   */
  constructor(
    readonly dir: string,
    private readonly display: string,
    /** Modes and owners recorded on the machine (a collected root), by host path. */
    private readonly stats: Record<string, {mode: number; uid: number; gid: number}> = {},
  ) {}

  /** `/etc/maas/regiond.conf`, or `ROOT/etc/maas/regiond.conf` under --root. */
  shown(hostPath: string): string {
    return this.display === '' ? hostPath : posix.join(this.display, hostPath)
  }

  /** Resolves a host path (absolute, as on the host) to a path on this machine, inside the root. */
  async resolve(hostPath: string): Promise<Resolved> {
    const pending = hostPath.split('/').filter((part) => part !== '' && part !== '.')
    const done: string[] = []
    let hops = 0
    while (pending.length > 0) {
      const part = pending.shift()!
      if (part === '..') {
        done.pop()
        continue
      }
      const candidate = join(this.dir, ...done, part)
      let info
      try {
        info = await lstat(candidate)
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        return code === 'ENOENT' || code === 'ENOTDIR' ? {ok: false, reason: 'absent'} : {ok: false, reason: 'unreadable', detail: code}
      }
      if (!info.isSymbolicLink()) {
        done.push(part)
        continue
      }
      if (++hops > MAX_SYMLINK_HOPS) return {ok: false, reason: 'loop'}
      const target = await readlink(candidate)
      if (target.startsWith('/')) done.length = 0
      pending.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'))
      // `..` above the root stays at the root (as on the host); nothing outside is reached.
    }
    return {ok: true, real: join(this.dir, ...done)}
  }

  /** The file's mode and owner; undefined (with a warning for anything but absence) when unreadable. */
  async stat(hostPath: string): Promise<RootStat | undefined> {
    const resolved = await this.resolveOrWarn(hostPath)
    if (!resolved) return undefined
    try {
      const s = await lstat(resolved)
      const recorded = this.stats[hostPath]
      return {mode: recorded?.mode ?? s.mode & 0o7777, uid: recorded?.uid ?? s.uid, gid: recorded?.gid ?? s.gid, size: s.size, mtimeMs: s.mtimeMs}
    } catch (error) {
      this.warn(hostPath, `cannot stat (${(error as NodeJS.ErrnoException).code ?? String(error)})`)
      return undefined
    }
  }

  async exists(hostPath: string): Promise<boolean> {
    const resolved = await this.resolve(hostPath)
    return resolved.ok
  }

  /** Opens a regular file for reading, or undefined (warning unless absent). Never blocks on a FIFO. */
  async open(hostPath: string): Promise<{handle: FileHandle; size: number; mtimeMs: number} | undefined> {
    const resolved = await this.resolveOrWarn(hostPath)
    if (!resolved) return undefined
    let handle: FileHandle
    try {
      handle = await open(resolved, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW)
    } catch (error) {
      this.warn(hostPath, `cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`)
      return undefined
    }
    const info = await handle.stat()
    if (!info.isFile()) {
      await handle.close()
      this.warn(hostPath, 'is not a regular file; skipped')
      return undefined
    }
    return {handle, size: info.size, mtimeMs: info.mtimeMs}
  }

  /** A small text file whole (configuration files); binary or oversized files are warnings. */
  async readText(hostPath: string, maxBytes = 4 << 20): Promise<string | undefined> {
    const file = await this.open(hostPath)
    if (!file) return undefined
    try {
      if (file.size > maxBytes) {
        this.warn(hostPath, `is larger than ${maxBytes} bytes; skipped`)
        return undefined
      }
      const buffer = await file.handle.readFile()
      if (buffer.includes(0)) {
        this.warn(hostPath, 'is a binary file, not text; skipped')
        return undefined
      }
      return buffer.toString('utf8')
    } catch (error) {
      this.warn(hostPath, `cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`)
      return undefined
    } finally {
      await file.handle.close()
    }
  }

  /** Names in a directory, sorted; empty when it is absent. */
  async list(hostPath: string): Promise<string[]> {
    const resolved = await this.resolveOrWarn(hostPath)
    if (!resolved) return []
    try {
      return (await readdir(resolved)).sort()
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code !== 'ENOTDIR') this.warn(hostPath, `cannot list (${code ?? String(error)})`)
      return []
    }
  }

  warn(hostPath: string, problem: string): void {
    this.warnings.push(`${this.shown(hostPath)}: ${problem}`)
  }

  private async resolveOrWarn(hostPath: string): Promise<string | undefined> {
    const resolved = await this.resolve(hostPath)
    if (resolved.ok) return resolved.real
    if (resolved.reason === 'loop') this.warn(hostPath, 'symlink loop; skipped')
    else if (resolved.reason === 'unreadable') this.warn(hostPath, `cannot read (${resolved.detail ?? 'error'})`)
    return undefined
  }
}
