/**
 * Every test's temporary files under one directory, removed when the run ends: the tests make a
 * few hundred (host roots, fake controllers' homes, snapshots), and a developer runs them often.
 * TMPDIR is what os.tmpdir() reads, in the test workers and in the CLI processes they spawn.
 */
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export default async function setup(): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'hardenctl-tests-'))
  process.env.TMPDIR = dir
  return async () => {
    await rm(dir, {recursive: true, force: true})
  }
}
