/**
 * `hardenctl snapshot`: writes live documents in the snapshot layout (README "Input layout"), so
 * `audit --from DIR` later sees what the live audit saw. Documents arrive already redacted.
 * Written to a temporary directory first and renamed into place, so a failed run leaves no
 * half-written snapshot.
 */
import {mkdir, mkdtemp, readdir, rename, rm, stat, writeFile} from 'node:fs/promises'
import {dirname, join, resolve} from 'node:path'

import {IncompleteError, InputError} from '../errors.js'
import type {SourceDocument} from './source-document.js'

/**
 * @param extra writes more into the staging directory before it is renamed into place (the
 * hosts/ of `snapshot --hosts`); returns the paths it wrote, relative to the snapshot.
 */
export async function writeSnapshot(outDir: string, documents: SourceDocument[], extra?: (staging: string) => Promise<string[]>): Promise<string[]> {
  const target = resolve(outDir)
  if (await isNonEmptyDirectory(target)) throw new InputError(outDir, 'already exists and is not empty; choose a new --out directory')
  await mkdir(dirname(target), {recursive: true})
  const staging = await mkdtemp(`${target}.partial-`)
  const written: string[] = []
  try {
    for (const document of documents) {
      const file = join(staging, ...document.path.split('/'))
      await mkdir(dirname(file), {recursive: true})
      await writeFile(file, document.text ?? `${JSON.stringify(document.data, null, 2)}\n`, {mode: 0o600})
      written.push(document.path)
    }
    if (extra) written.push(...(await extra(staging)))
    await rm(target, {recursive: true, force: true})
    await rename(staging, target)
  } catch (error) {
    await rm(staging, {recursive: true, force: true})
    throw new IncompleteError(`cannot write the snapshot to ${outDir} (${(error as NodeJS.ErrnoException).code ?? String(error)})`)
  }
  return written.sort()
}

async function isNonEmptyDirectory(path: string): Promise<boolean> {
  try {
    const info = await stat(path)
    if (!info.isDirectory()) return true
    return (await readdir(path)).length > 0
  } catch {
    return false
  }
}
