/**
 * The file source: walks `--from` directories and files, recognises each document by content,
 * and turns it into contributions. The snapshot layout (README "Input layout") only adds the
 * controller and model names that some Juju outputs do not carry themselves.
 */
import {readdir, stat} from 'node:fs/promises'
import {join, resolve, sep} from 'node:path'

import {InputError} from '../errors.js'
import type {Contribution, DocumentReader, Scope} from '../inventory/contributions.js'
import {readCharmArchive} from './charm/archive.js'
import {readIfCharmDirectory} from './charm/index.js'
import {isCollectedHostRoot} from './host/overlay.js'
import type {Locator} from './document.js'
import {BundleGroups} from './bundle-groups.js'
import {bundleDocument, isBundleReader, isOverlayDocument} from './juju/bundle.js'
import {type ParsedFile, parseText, readAndParse} from './parse-file.js'
import {ALL_READERS} from './registry.js'
import {LIVE_PREFIX, type SourceDocument} from './source-document.js'

export interface FileSourceResult {
  contributions: Contribution[]
  files: {file: string; kind: string}[]
  locators: Map<string, Locator>
  /** Things worth telling the user that do not stop the audit. */
  warnings: string[]
}

const RECOGNISED_INPUTS =
  'juju status/show-model/users/offers/disabled-commands/config/show-application/dump-model output, a bundle, ' +
  'charm metadata, or Kubernetes objects (kubectl get -o json)'
/** Data files a directory walk reads; Jinja templates of them are picked up to say they are templates. */
const DATA_FILE = /\.(json|ya?ml)(\.(j2|jinja2?))?$/i
const CHARM_ARCHIVE = /\.charm$/i
/** Files read at once; enough to keep the disk busy without holding every file in memory. */
const READ_CONCURRENCY = 16

export interface FileSourceOptions {
  readers?: DocumentReader[]
  /**
   * Overlay files applied, in order, over the one bundle among `paths`, as with
   * `juju deploy BUNDLE --overlay FILE` (every document of them is an overlay).
   */
  overlays?: string[]
}

/** A data file and how it was reached: named on the command line, or found walking a directory. */
interface DataFile {
  path: string
  fromDirectory: boolean
  explicitOverlay?: boolean
}

/**
 * Reads the given files and directories. A file named here that cannot be read or is not a
 * recognised input is an error; one found walking a directory is skipped with a warning that
 * names it and says what it looked like, and the rest is read.
 */
export async function readFileSources(paths: string[], options: FileSourceOptions = {}): Promise<FileSourceResult> {
  const readers = options.readers ?? ALL_READERS
  const result: FileSourceResult = {contributions: [], files: [], locators: new Map(), warnings: []}
  const dataFiles: DataFile[] = []
  for (const path of paths) {
    const kind = await statKind(path)
    if (kind === 'directory') await collect(path, dataFiles, result)
    else if (CHARM_ARCHIVE.test(path)) await readArchive(path, result)
    else dataFiles.push({path, fromDirectory: false})
  }
  for (const path of options.overlays ?? []) dataFiles.push({path, fromDirectory: false, explicitOverlay: true})

  const bundles = new BundleGroups()
  const parsed = await mapConcurrently(dataFiles, READ_CONCURRENCY, parseDataFile)
  for (const [index, file] of parsed.entries()) {
    // Warnings in the order files are read, so the same inputs always print the same lines.
    if ('skipped' in file) result.warnings.push(file.skipped)
    else readParsedFile(file, {readers, result, bundles, scope: scopeFromLayout(file.file), ...dataFiles[index]!})
  }
  addBundles(bundles, result)
  return result
}

/** Parses a data file; one found in a directory that cannot be parsed is skipped, with the reason. */
async function parseDataFile(file: DataFile): Promise<ParsedFile | {skipped: string}> {
  try {
    return await readAndParse(file.path)
  } catch (error) {
    if (!file.fromDirectory || !(error instanceof InputError)) throw error
    return {skipped: `${error.message}; skipped`}
  }
}

/**
 * Reads documents a live collector produced, in the order the same snapshot on disk would be
 * read (depth-first, sorted), so a live audit and an audit of its snapshot list findings alike.
 */
export function readSourceDocuments(documents: SourceDocument[], readers: DocumentReader[] = ALL_READERS): FileSourceResult {
  const result: FileSourceResult = {contributions: [], files: [], locators: new Map(), warnings: []}
  const bundles = new BundleGroups()
  for (const document of [...documents].sort((a, b) => compareLayoutPaths(a.path, b.path))) {
    const file = `${LIVE_PREFIX}${document.path}`
    const parsed: ParsedFile =
      document.text === undefined
        ? {file, format: 'json', documents: [{index: 0, data: document.data}], locator: NO_LOCATOR}
        : parseText(file, document.text)
    readParsedFile(parsed, {readers, result, bundles, scope: {...scopeFromLayout(document.path), file}, path: file, fromDirectory: false})
  }
  addBundles(bundles, result)
  return result
}

/** The order `collect` walks a directory in: segment by segment, each level sorted by name. */
export function compareLayoutPaths(a: string, b: string): number {
  const left = a.split('/')
  const right = b.split('/')
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const order = left[i]!.localeCompare(right[i]!)
    if (order !== 0) return order
  }
  return left.length - right.length
}

const NO_LOCATOR: Locator = {locate: () => undefined}

async function statKind(path: string): Promise<'directory' | 'file'> {
  try {
    return (await stat(path)).isDirectory() ? 'directory' : 'file'
  } catch (error) {
    throw new InputError(path, `cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`)
  }
}

/** Depth-first, sorted, so the same directory always yields findings in the same order. */
async function collect(directory: string, dataFiles: DataFile[], result: FileSourceResult): Promise<void> {
  // A snapshot's hosts/MODEL/MACHINE/ is read by the host readers (sources/host/snapshot-hosts.ts).
  if (await isCollectedHostRoot(directory)) return
  const charm = await readIfCharmDirectory(directory)
  if (charm) {
    for (const contribution of charm.contributions) result.contributions.push(contribution)
    for (const file of charm.files) result.locators.set(file.file, file.locator)
    result.files.push({file: directory, kind: 'charm directory'})
    return
  }
  let entries
  try {
    entries = (await readdir(directory, {withFileTypes: true})).sort((a, b) => a.name.localeCompare(b.name))
  } catch (error) {
    result.warnings.push(`${directory}: cannot read directory (${(error as NodeJS.ErrnoException).code ?? String(error)}); skipped`)
    return
  }
  for (const entry of entries) {
    // Hidden files and dependencies are never inputs.
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue
    const path = join(directory, entry.name)
    if (entry.isDirectory()) await collect(path, dataFiles, result)
    else if (entry.isFile() && DATA_FILE.test(entry.name)) dataFiles.push({path, fromDirectory: true})
  }
}

/** A `.charm` archive named on the command line: one charm, read in memory under the archive's limits. */
async function readArchive(path: string, result: FileSourceResult): Promise<void> {
  const charm = await readCharmArchive(path)
  for (const contribution of charm.contributions) result.contributions.push(contribution)
  for (const file of charm.files) result.locators.set(file.file, file.locator)
  result.files.push({file: path, kind: 'charm archive'})
}

interface ReadOptions extends DataFile {
  readers: DocumentReader[]
  result: FileSourceResult
  bundles: BundleGroups
  scope: Scope
}

function readParsedFile(parsed: ParsedFile, options: ReadOptions): void {
  const {readers, result, bundles, scope} = options
  result.locators.set(parsed.file, parsed.locator)
  const kinds = new Set<string>()
  for (const {index, data} of parsed.documents) {
    const which = parsed.documents.length > 1 ? `YAML document ${index + 1} ` : ''
    if (isPolicyDocument(data)) {
      result.warnings.push(`${parsed.file}: a hardenctl policy inside the inputs is ignored; pass it with --policy`)
      kinds.add('policy (ignored)')
      continue
    }
    const context = {file: parsed.file, document: index, scope, locator: parsed.locator}
    if (options.explicitOverlay) {
      if (!isOverlayDocument(data)) throw new InputError(parsed.file, `${which}is not a bundle overlay (${describeShape(data)}); --overlay takes bundle overlays`)
      bundles.add(bundleDocument(data, context), true, result.contributions.length)
      kinds.add('juju bundle overlay')
      continue
    }
    const reader = readers.find((candidate) => candidate.recognises(data, {file: parsed.file, document: index}))
    if (!reader) {
      const problem = `${which}${which ? 'is ' : ''}not a recognised input (${describeShape(data)}); expected ${RECOGNISED_INPUTS}`
      if (!options.fromDirectory) throw new InputError(parsed.file, problem)
      result.warnings.push(`${parsed.file}: ${problem}; skipped`)
      kinds.add('not recognised (skipped)')
      continue
    }
    kinds.add(reader.kind)
    if (reader.unusedBecause !== undefined) {
      // Named on the command line it was meant to be audited: passing it as "no findings" would lie.
      if (!options.fromDirectory) throw new InputError(parsed.file, `${which}is ${reader.kind} output, which hardenctl does not audit: ${reader.unusedBecause}`)
      result.warnings.push(`${parsed.file}: ${reader.kind} output: ${reader.unusedBecause}; skipped`)
      continue
    }
    if (isBundleReader(reader)) {
      bundles.add(bundleDocument(data, context), false, result.contributions.length)
      continue
    }
    for (const contribution of reader.read(data, context)) result.contributions.push(contribution)
  }
  result.files.push({file: parsed.file, kind: [...kinds].join(', ')})
}

/** Merges the bundles and their overlays, and puts each merged bundle where its first file was read. */
function addBundles(bundles: BundleGroups, result: FileSourceResult): void {
  const merged = bundles.merge()
  for (const {position, contributions} of [...merged.contributions].sort((a, b) => b.position - a.position)) {
    result.contributions.splice(position, 0, ...contributions)
  }
  result.warnings.push(...merged.warnings)
  for (const entry of result.files) {
    if (merged.readAsOverlay.includes(entry.file)) entry.kind = entry.kind.replace('juju bundle', 'juju bundle overlay')
  }
}

/** What an unrecognised document looks like, without its values (they may be secrets). */
export function describeShape(data: unknown): string {
  if (Array.isArray(data)) {
    const first = data[0]
    const items = `${data.length} item${data.length === 1 ? '' : 's'}`
    return first !== null && typeof first === 'object' && !Array.isArray(first) ? `a list of ${items}, the first with keys ${keyList(first)}` : `a list of ${items}`
  }
  if (data !== null && typeof data === 'object') return Object.keys(data).length === 0 ? 'an empty map' : `a map with keys ${keyList(data)}`
  return `a single ${typeof data} value`
}

function keyList(value: object, max = 6): string {
  const keys = Object.keys(value)
  const shown = keys.slice(0, max).join(', ')
  return keys.length > max ? `${shown} and ${keys.length - max} more` : shown
}

function isPolicyDocument(data: unknown): boolean {
  return typeof data === 'object' && data !== null && (data as {apiVersion?: unknown}).apiVersion === 'hardenctl.io/v1'
}

/**
 * `…/juju/<controller>/<file>` names a controller; `…/juju/<controller>/models/<model>/[config/|applications/]<file>`
 * names a model. Matched on the end of the absolute path so `--from` may point at any level.
 */
export function scopeFromLayout(file: string): Scope {
  const parts = resolve(file).split(sep)
  const n = parts.length
  const scope: Scope = {file}
  const modelAt = (i: number): boolean => i >= 3 && parts[i - 3] === 'juju' && parts[i - 1] === 'models'
  // <model>/<file> or <model>/(config|applications)/<file>
  if (modelAt(n - 2)) return {file, controller: parts[n - 4], model: parts[n - 2]}
  if ((parts[n - 2] === 'config' || parts[n - 2] === 'applications') && modelAt(n - 3)) {
    return {file, controller: parts[n - 5], model: parts[n - 3]}
  }
  if (parts[n - 3] === 'juju') return {file, controller: parts[n - 2]}
  return scope
}

async function mapConcurrently<T, U>(items: T[], limit: number, map: (item: T) => Promise<U>): Promise<U[]> {
  const results = new Array<U>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++
      results[index] = await map(items[index]!)
    }
  }
  await Promise.all(Array.from({length: Math.min(limit, items.length)}, worker))
  return results
}
