/**
 * Every test's temporary files under one directory, removed when the run ends: the tests make a
 * few hundred (host roots, fake controllers' homes, snapshots), and a developer runs them often.
 * TMPDIR is what os.tmpdir() reads, in the test workers and in the CLI processes they spawn.
 */
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export default async function setup(): Promise<() => Promise<void>> {
  // Each project of vitest.config.ts runs this setup: the first makes the directory, the others
  // use it (a directory in a directory makes paths too long for Chromium's socket).
  if (process.env.HARDENCTL_TESTS_TMPDIR) return async () => {}
  const dir = await mkdtemp(join(tmpdir(), 'hardenctl-tests-'))
  process.env.TMPDIR = dir
  process.env.HARDENCTL_TESTS_TMPDIR = dir
  return async () => {
    await rm(dir, {recursive: true, force: true})
    delete process.env.HARDENCTL_TESTS_TMPDIR
  }
}
