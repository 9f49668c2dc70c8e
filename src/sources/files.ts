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
import type {Locator} from './document.js'
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
  'juju status/show-model/users/offers/disabled-commands/config/show-application output, a bundle, ' +
  'charm metadata, or Kubernetes objects (kubectl get -o json)'
const DATA_FILE = /\.(json|ya?ml)$/i
const CHARM_ARCHIVE = /\.charm$/i
/** Files read at once; enough to keep the disk busy without holding every file in memory. */
const READ_CONCURRENCY = 16

export interface FileSourceOptions {
  readers?: DocumentReader[]
  /** Read every document into this model (overlays given apart from their bundle, as with `juju deploy --overlay`). */
  model?: string
}

export async function readFileSources(paths: string[], options: FileSourceOptions = {}): Promise<FileSourceResult> {
  const readers = options.readers ?? ALL_READERS
  const result: FileSourceResult = {contributions: [], files: [], locators: new Map(), warnings: []}
  const dataFiles: string[] = []
  for (const path of paths) {
    const kind = await statKind(path)
    if (kind === 'directory') await collect(path, dataFiles, result)
    else if (CHARM_ARCHIVE.test(path)) await readArchive(path, result)
    else dataFiles.push(path)
  }

  const parsed = await mapConcurrently(dataFiles, READ_CONCURRENCY, readAndParse)
  for (const file of parsed) {
    const scope = scopeFromLayout(file.file)
    readParsedFile(file, readers, result, options.model === undefined ? scope : {...scope, model: options.model})
  }
  return result
}

/**
 * Reads documents a live collector produced, in the order the same snapshot on disk would be
 * read (depth-first, sorted), so a live audit and an audit of its snapshot list findings alike.
 */
export function readSourceDocuments(documents: SourceDocument[], readers: DocumentReader[] = ALL_READERS): FileSourceResult {
  const result: FileSourceResult = {contributions: [], files: [], locators: new Map(), warnings: []}
  for (const document of [...documents].sort((a, b) => compareLayoutPaths(a.path, b.path))) {
    const file = `${LIVE_PREFIX}${document.path}`
    const parsed: ParsedFile =
      document.text === undefined
        ? {file, format: 'json', documents: [{index: 0, data: document.data}], locator: NO_LOCATOR}
        : parseText(file, document.text)
    readParsedFile(parsed, readers, result, {...scopeFromLayout(document.path), file})
  }
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
async function collect(directory: string, dataFiles: string[], result: FileSourceResult): Promise<void> {
  const charm = await readIfCharmDirectory(directory)
  if (charm) {
    for (const contribution of charm.contributions) result.contributions.push(contribution)
    for (const file of charm.files) result.locators.set(file.file, file.locator)
    result.files.push({file: directory, kind: 'charm directory'})
    return
  }
  const entries = (await readdir(directory, {withFileTypes: true})).sort((a, b) => a.name.localeCompare(b.name))
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue
    const path = join(directory, entry.name)
    if (entry.isDirectory()) await collect(path, dataFiles, result)
    else if (entry.isFile() && DATA_FILE.test(entry.name)) dataFiles.push(path)
  }
}

/** A `.charm` archive named on the command line: one charm, read in memory under the archive's limits. */
async function readArchive(path: string, result: FileSourceResult): Promise<void> {
  const charm = await readCharmArchive(path)
  for (const contribution of charm.contributions) result.contributions.push(contribution)
  for (const file of charm.files) result.locators.set(file.file, file.locator)
  result.files.push({file: path, kind: 'charm archive'})
}

function readParsedFile(parsed: ParsedFile, readers: DocumentReader[], result: FileSourceResult, scope = scopeFromLayout(parsed.file)): void {
  result.locators.set(parsed.file, parsed.locator)
  const kinds = new Set<string>()
  for (const {index, data} of parsed.documents) {
    if (isPolicyDocument(data)) {
      result.warnings.push(`${parsed.file}: a hardenctl policy inside the inputs is ignored; pass it with --policy`)
      kinds.add('policy (ignored)')
      continue
    }
    const hint = {file: parsed.file, document: index}
    const reader = readers.find((candidate) => candidate.recognises(data, hint))
    if (!reader) {
      const which = parsed.documents.length > 1 ? `YAML document ${index + 1} is ` : ''
      throw new InputError(
        parsed.file,
        `${which}not a recognised input; expected ${RECOGNISED_INPUTS}`,
      )
    }
    kinds.add(reader.kind)
    for (const contribution of reader.read(data, {file: parsed.file, document: index, scope, locator: parsed.locator})) {
      result.contributions.push(contribution)
    }
  }
  result.files.push({file: parsed.file, kind: [...kinds].join(', ')})
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
