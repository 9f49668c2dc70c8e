/**
 * Every input the repository holds, as a user would hand it to hardenctl: the example snapshots,
 * the corpus (bundles, status dumps, charm files put back into charm directories), the valid
 * fixtures, and test/real-world/ when it exists. Each is audited in-process; bundles and charm
 * directories are also reviewed.
 */
import {copyFile, mkdtemp, readdir, rm, stat} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {basename, join, relative} from 'node:path'

import {runAudit} from '../../src/audit/run-audit.js'
import {InputError} from '../../src/errors.js'
import type {Finding} from '../../src/findings/types.js'
import type {Inventory} from '../../src/inventory/types.js'
import type {Policy} from '../../src/policy/schema.js'
import {runReview} from '../../src/review/run-review.js'

export const REPO = new URL('../../', import.meta.url).pathname
const NOW = new Date('2026-11-23T00:00:00Z')
/** Files charmcraft and Juju read from a charm directory. */
const CHARM_FILES = new Set(['metadata.yaml', 'charmcraft.yaml', 'config.yaml', 'actions.yaml'])
const INPUT_EXTENSIONS = /\.(ya?ml|json)$/i
/** Charm directories put together for the run, removed by `removeTemporaryInputs`. */
const temporary: string[] = []

export async function removeTemporaryInputs(): Promise<void> {
  await Promise.all(temporary.splice(0).map((dir) => rm(dir, {recursive: true, force: true})))
}

export interface Input {
  /** Path relative to the repository, for messages. */
  name: string
  /** What to read: a file or a directory. */
  path: string
  /** Bundles and charm directories also go through `review`. */
  review: boolean
}

export interface AuditedInput {
  input: Input
  mode: 'audit' | 'review'
  findings: Finding[]
  inventory: Inventory
  policy: Policy
}

export async function repositoryInputs(): Promise<{inputs: Input[]}> {
  const inputs: Input[] = []
  const add = (path: string, review: boolean, name = relative(REPO, path)) => inputs.push({name, path, review})

  for (const entry of await readdir(join(REPO, 'examples'), {withFileTypes: true})) {
    if (!entry.isDirectory()) continue
    const dir = join(REPO, 'examples', entry.name)
    add(dir, false)
    for (const file of await walk(dir)) if (basename(file) === 'bundle.yaml') add(file, true)
    for (const charm of await charmDirectories(dir)) add(charm, true)
  }
  // Fixtures include deliberately bad input: those hardenctl refuses have no findings to check.
  for (const file of await walk(join(REPO, 'test/fixtures'))) if (INPUT_EXTENSIONS.test(file)) add(file, /bundle/.test(basename(file)))
  // The corpora: charm files (as charm directories, or stored flat) and every other input file.
  for (const tree of ['test/corpus', 'test/real-world']) {
    const root = join(REPO, tree)
    if (!(await exists(root))) continue
    for (const dir of await charmDirectories(root)) add(dir, true)
    for (const charm of await corpusCharms(root)) add(charm.dir, true, charm.name)
    for (const file of await walk(root)) {
      const name = basename(file)
      if (!INPUT_EXTENSIONS.test(name) || CHARM_FILES.has(name) || /__(metadata|charmcraft|config|actions)\.yaml$/.test(name)) continue
      // Status dumps have nothing to review; anything else may be a bundle.
      add(file, !/status/i.test(name))
    }
  }
  return {inputs}
}

/**
 * Audits (and reviews) one input. An input hardenctl refuses (a fixture of bad input, an
 * expectations file next to the real-world corpus) yields nothing: it has no findings to check.
 */
export async function auditInput(input: Input): Promise<{results: AuditedInput[]; refused?: string}> {
  let audited
  try {
    audited = await runAudit({from: [input.path], toolVersion: 'test', now: NOW, policyFile: undefined})
  } catch (error) {
    if (error instanceof InputError) return {results: [], refused: error.message}
    throw error
  }
  const results: AuditedInput[] = [{input, mode: 'audit', findings: audited.report.findings, inventory: audited.inventory, policy: audited.policy}]
  if (input.review) {
    try {
      const reviewed = await runReview({paths: [input.path], toolVersion: 'test', now: NOW, policyFile: undefined})
      // Review reads the same files into the same inventory; audit's copy says what the commands may name.
      results.push({input, mode: 'review', findings: reviewed.report.findings, inventory: audited.inventory, policy: audited.policy})
    } catch (error) {
      if (!(error instanceof InputError)) throw error
    }
  }
  return {results}
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  )
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(dir, {withFileTypes: true})) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...(await walk(path)))
    else if (entry.isFile()) out.push(path)
  }
  return out.sort()
}

/** Directories that hold a charm's own files (metadata.yaml or charmcraft.yaml). */
async function charmDirectories(root: string): Promise<string[]> {
  const dirs = new Set<string>()
  for (const file of await walk(root)) if (['metadata.yaml', 'charmcraft.yaml'].includes(basename(file))) dirs.add(file.slice(0, file.length - basename(file).length - 1))
  return [...dirs].sort()
}

/**
 * Corpus charm files are stored flat as `<repo>__<path>__metadata.yaml`; like corpus.test.ts,
 * put each charm's files back under the names charmcraft expects, in a directory of their own.
 */
async function corpusCharms(dir: string): Promise<{dir: string; name: string}[]> {
  const groups = new Map<string, string[]>()
  for (const file of await walk(dir)) {
    const match = /^(.*)__(metadata|charmcraft|config|actions)\.yaml$/.exec(basename(file))
    if (!match) continue
    const key = join(file.slice(0, file.length - basename(file).length), match[1]!)
    groups.set(key, [...(groups.get(key) ?? []), file])
  }
  const dirs: {dir: string; name: string}[] = []
  for (const [key, members] of [...groups].sort()) {
    const target = await mkdtemp(join(tmpdir(), `hardenctl-fixcheck-${basename(key)}-`))
    temporary.push(target)
    for (const file of members) await copyFile(file, join(target, basename(file).replace(/^.*__/, '')))
    dirs.push({dir: target, name: `${relative(REPO, key)}__{${members.map((f) => basename(f).replace(/^.*__/, '')).join(',')}}`})
  }
  return dirs
}
