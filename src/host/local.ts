/** The root `hardenctl host` reads without --juju-model: this host's `/`, or `--root DIR`. */
import {stat} from 'node:fs/promises'
import {basename, resolve} from 'node:path'
import {hostname} from 'node:os'

import {InputError} from '../errors.js'
import {HostRoot} from '../sources/host/root.js'
import type {HostRootSpec} from './run-host.js'

export async function localRoot(dir: string | undefined): Promise<HostRootSpec> {
  if (dir === undefined) return {dir: '/', display: '', target: {kind: 'host', name: hostname()}, source: 'host:/'}
  let info
  try {
    info = await stat(dir)
  } catch (error) {
    throw new InputError(dir, `cannot read --root (${(error as NodeJS.ErrnoException).code ?? String(error)})`)
  }
  if (!info.isDirectory()) throw new InputError(dir, '--root expects a directory laid out like a host\'s / (etc/, var/, proc/)')
  // The host's own name, from its etc/hostname; else the directory's name.
  const named = (await new HostRoot(resolve(dir), dir).readText('/etc/hostname', 4096))?.trim().split('\n')[0]?.trim()
  return {dir: resolve(dir), display: dir, target: {kind: 'host', name: named || basename(resolve(dir))}, source: dir}
}
