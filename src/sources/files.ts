/**
 * The file source: walks `--from` directories and files, recognises each document by content,
 * and turns it into contributions. The snapshot layout (README "Input layout") only adds the
 * controller and model names that some Juju outputs do not carry themselves.
 */
import type {Dirent, Stats} from 'node:fs'
import {readdir, stat} from 'node:fs/promises'
import {join, relative, resolve, sep} from 'node:path'

import {InputError} from '../errors.js'
import type {Contribution, DocumentReader, Scope} from '../inventory/contributions.js'
import {readIfCharmDirectory} from './charm/index.js'
import {isCollectedHostRoot} from './host/overlay.js'
import type {Locator} from './document.js'
import {BundleGroups} from './bundle-groups.js'
import {bundleDocument, isBundleReader, isOverlayDocument} from './juju/bundle.js'
import {deepFreeze} from './freeze.js'
import {readFrozenOnce} from './frozen-reads.js'
import {cannotRead} from './input-file.js'
import {isTemplateError, type ParsedFile, parseText, readAndParse} from './parse-file.js'
import {ALL_READERS} from './registry.js'
import {kubernetesReader} from './kubernetes/reader.js'
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
  /**
   * Read only Kubernetes objects of these kinds: the others, and every Juju input, are recognised
   * and skipped without being validated. For a command that needs no more (`netpol matrix` without
   * --plan reads pods, namespaces and NetworkPolicies), so it does not pay for the rest.
   */
  kubernetesKindsOnly?: ReadonlySet<string>
  /**
   * The hardenctl policy the command runs with (`--policy`, or ./hardenctl.yaml), when it has one.
   * Found among the inputs, it is skipped without a word; any other policy there is ignored with a warning.
   */
  policyInUse?: string
  /** Refuse a bundle `juju deploy` would refuse (review: see juju/bundle-verify.ts). */
  deployable?: boolean
}

/** A data file and how it was reached: named on the command line, or found walking a directory. */
interface DataFile {
  path: string
  fromDirectory: boolean
  explicitOverlay?: boolean
  /** Index of the `--from` path (or argument) it was reached from; -1 for `--overlay` files. */
  root: number
}

/**
 * What the walk did not read, kept per `--from` path so that one which yields nothing can say
 * why. `warn` ones are printed; `gap` ones are also an INVENTORY-INCOMPLETE finding (a file that
 * may hold estate data and could not be read); the rest (hidden files, files that are not JSON or
 * YAML) are named only when nothing at all was recognised.
 */
interface Skip {
  root: number
  path: string
  reason: string
}

class ReadState {
  readonly skips: Skip[] = []
  /** The roots from which something was read. */
  readonly recognised = new Set<number>()

  constructor(readonly result: FileSourceResult) {}

  /** Skipped and said so; a `gap` skip also becomes an INVENTORY-INCOMPLETE finding. */
  warn(root: number, path: string, reason: string, options: {gap?: boolean; message?: string} = {}): void {
    this.skips.push({root, path, reason})
    this.result.warnings.push(`${options.message ?? `${path}: ${reason}`}; skipped`)
    if (options.gap) {
      const scope = scopeFromLayout(path)
      this.result.contributions.push({
        type: 'gap',
        scope: {file: path},
        gap: {
          target: {kind: 'file', name: path, ...(scope.controller ? {controller: scope.controller} : {}), ...(scope.model ? {model: scope.model} : {})},
          message: `not read: ${reason}`,
        },
      })
    }
  }

  /** Skipped without a word, unless nothing else in its root is recognised. */
  quiet(root: number, path: string, reason: string): void {
    this.skips.push({root, path, reason})
  }
}

/**
 * Reads the given files and directories. A file named here that cannot be read or is not a
 * recognised input is an error; one found walking a directory is skipped with a warning that
 * names it and says what it looked like, and the rest is read.
 */
export async function readFileSources(paths: string[], options: FileSourceOptions = {}): Promise<FileSourceResult> {
  const readers = options.readers ?? ALL_READERS
  const {kubernetesKindsOnly, policyInUse} = options
  const result: FileSourceResult = {contributions: [], files: [], locators: new Map(), warnings: []}
  const state = new ReadState(result)
  const dataFiles: DataFile[] = []
  for (const [root, path] of paths.entries()) {
    const kind = await statKind(path)
    if (kind === 'directory') await collect(path, root, dataFiles, state, true)
    else if (CHARM_ARCHIVE.test(path)) {
      await readArchive(path, result)
      state.recognised.add(root)
    } else dataFiles.push({path, fromDirectory: false, root})
  }
  for (const path of options.overlays ?? []) dataFiles.push({path, fromDirectory: false, explicitOverlay: true, root: -1})

  const bundles = new BundleGroups({deployable: options.deployable === true})
  // Each file is read into contributions as soon as it and every file before it are parsed, in
  // file order (warnings and findings come out the same every run), and its parse is let go then.
  await mapInOrder(dataFiles, READ_CONCURRENCY, parseDataFile, (file, index) => {
    const dataFile = dataFiles[index]!
    if ('skipped' in file) state.warn(dataFile.root, dataFile.path, file.skipped.problem, {gap: !isTemplateError(file.skipped), message: file.skipped.message})
    else if (readParsedFile(file, {readers, result, bundles, state, scope: scopeFromLayout(file.file), kubernetesKindsOnly, policyInUse, ...dataFile})) state.recognised.add(dataFile.root)
  })
  addBundles(bundles, result)
  checkSomethingRecognised(paths, state)
  return result
}

/**
 * Reading nothing is not a clean result: an empty directory, one of hidden files, of unreadable
 * files or of outputs hardenctl does not read would otherwise pass. When nothing at all was
 * recognised that is an error; a `--from` path that yields nothing beside others that do is a warning.
 */
function checkSomethingRecognised(paths: string[], state: ReadState): void {
  const empty = paths.flatMap((path, root) => (state.recognised.has(root) ? [] : [{path, why: whyNothing(path, root, state)}]))
  if (empty.length === 0) return
  if (empty.length === paths.length) {
    const what = empty.length === 1 ? `${empty[0]!.path}: ${empty[0]!.why}` : empty.map(({path, why}) => `${path} (${why})`).join('; ')
    throw new InputError(undefined, `nothing recognised in ${what}; expected ${RECOGNISED_INPUTS}`)
  }
  for (const {path, why} of empty) state.result.warnings.push(`nothing recognised in ${path}: ${why}`)
}

function whyNothing(path: string, root: number, state: ReadState): string {
  const skipped = state.skips.filter((skip) => skip.root === root)
  if (skipped.length === 0) return 'the directory is empty'
  const shown = skipped.slice(0, MAX_SKIPS_NAMED).map((skip) => `${relative(path, skip.path) || skip.path} (${skip.reason})`)
  const more = skipped.length > MAX_SKIPS_NAMED ? ` and ${skipped.length - MAX_SKIPS_NAMED} more` : ''
  return `skipped ${shown.join(', ')}${more}`
}

/** Skipped files named in "nothing recognised"; the rest are counted. */
const MAX_SKIPS_NAMED = 5

/** Parses a data file; one found in a directory that cannot be parsed is skipped, with the reason. */
async function parseDataFile(file: DataFile): Promise<ParsedFile | {skipped: InputError}> {
  try {
    return await readAndParse(file.path)
  } catch (error) {
    if (!file.fromDirectory || !(error instanceof InputError)) throw error
    return {skipped: error}
  }
}

/**
 * Reads documents a live collector produced, in the order the same snapshot on disk would be
 * read (depth-first, sorted), so a live audit and an audit of its snapshot list findings alike.
 */
export function readSourceDocuments(documents: SourceDocument[], options: Pick<FileSourceOptions, 'readers' | 'kubernetesKindsOnly'> = {}): FileSourceResult {
  const {readers = ALL_READERS, kubernetesKindsOnly} = options
  const result: FileSourceResult = {contributions: [], files: [], locators: new Map(), warnings: []}
  const state = new ReadState(result)
  const bundles = new BundleGroups()
  const parsedTexts = new Map<string, ParsedText>()
  for (const document of [...documents].sort((a, b) => compareLayoutPaths(a.path, b.path))) {
    const file = `${LIVE_PREFIX}${document.path}`
    const parsed: ParsedFile =
      document.text === undefined
        ? {file, format: 'json', documents: [{index: 0, data: document.data}], locator: NO_LOCATOR}
        : parseLiveText(file, document.text, parsedTexts)
    readParsedFile(parsed, {readers, result, bundles, state, scope: {...scopeFromLayout(document.path), file}, path: file, fromDirectory: false, root: 0, kubernetesKindsOnly})
  }
  addBundles(bundles, result)
  lastParsedTexts = parsedTexts
  return result
}

interface ParsedText {
  text: string
  parsed: ParsedFile
}

/**
 * The text documents (exported bundles) of the last live read, parsed: `reconcile --watch` reads
 * the controllers every pass and gets most bundles back unchanged, which are not parsed again.
 * Only the last read's are kept, and their data is frozen, so no reader can change what the next
 * pass reads.
 */
let lastParsedTexts = new Map<string, ParsedText>()

function parseLiveText(file: string, text: string, parsedTexts: Map<string, ParsedText>): ParsedFile {
  const last = lastParsedTexts.get(file)
  const parsed = last?.text === text ? last.parsed : parseText(file, text)
  if (parsed !== last?.parsed) for (const document of parsed.documents) deepFreeze(document.data)
  parsedTexts.set(file, {text, parsed})
  return parsed
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
    throw cannotRead(path, error)
  }
}

/**
 * Depth-first, sorted, so the same directory always yields findings in the same order. A `--from`
 * directory that cannot be listed is an error; one below it is skipped, said, and a gap.
 */
async function collect(directory: string, root: number, dataFiles: DataFile[], state: ReadState, top = false): Promise<void> {
  const {result} = state
  // A snapshot's hosts/MODEL/MACHINE/ is read by the host readers (sources/host/snapshot-hosts.ts):
  // recognised input, but not this walk's.
  if (await isCollectedHostRoot(directory)) {
    state.recognised.add(root)
    return
  }
  const charm = await readIfCharmDirectory(directory)
  if (charm) {
    for (const contribution of charm.contributions) result.contributions.push(contribution)
    for (const file of charm.files) result.locators.set(file.file, file.locator)
    result.files.push({file: directory, kind: 'charm directory'})
    state.recognised.add(root)
    return
  }
  let entries: Dirent[]
  try {
    entries = (await readdir(directory, {withFileTypes: true})).sort((a, b) => a.name.localeCompare(b.name))
  } catch (error) {
    const refused = cannotRead(directory, error, 'cannot read directory')
    if (top) throw refused
    state.warn(root, directory, refused.problem, {gap: true})
    return
  }
  for (const entry of entries) {
    const path = join(directory, entry.name)
    // Hidden files and dependencies are never inputs.
    if (entry.name.startsWith('.') || entry.name === 'node_modules') {
      state.quiet(root, path, entry.name === 'node_modules' ? 'dependencies' : 'hidden')
      continue
    }
    const type = entry.isSymbolicLink() ? await followLink(path, root, state) : entry
    if (type === undefined) continue
    if (type.isDirectory()) {
      if (entry.isSymbolicLink()) state.warn(root, path, 'a symbolic link to a directory, not followed (give it with --from to read it)')
      else await collect(path, root, dataFiles, state)
    } else if (!type.isFile()) {
      const what = entry.isSymbolicLink() ? `a symbolic link to ${describeType(type)}` : describeType(type)
      state.warn(root, path, `${what}; only regular files are read`, {gap: DATA_FILE.test(entry.name)})
    } else if (DATA_FILE.test(entry.name)) dataFiles.push({path, fromDirectory: true, root})
    else state.quiet(root, path, 'not a .json or .yaml file')
  }
}

/** What a symbolic link found walking points at; undefined (and said) when it points nowhere. */
async function followLink(path: string, root: number, state: ReadState): Promise<Stats | undefined> {
  try {
    return await stat(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const reason = code === 'ELOOP' ? 'a symbolic link loop' : code === 'ENOENT' ? 'a symbolic link to nothing (dangling)' : cannotRead(path, error).problem
    state.warn(root, path, reason, {gap: DATA_FILE.test(path)})
    return undefined
  }
}

function describeType(type: Dirent | Stats): string {
  if (type.isFIFO()) return 'a named pipe (FIFO)'
  if (type.isCharacterDevice()) return 'a character device'
  if (type.isBlockDevice()) return 'a block device'
  if (type.isSocket()) return 'a socket'
  return 'not a regular file'
}

/** A `.charm` archive named on the command line: one charm, read in memory under the archive's limits. */
async function readArchive(path: string, result: FileSourceResult): Promise<void> {
  // Loaded here: the zip reader is needed only for a `.charm`, and most runs read none.
  const {readCharmArchive} = await import('./charm/archive.js')
  const charm = await readCharmArchive(path)
  for (const contribution of charm.contributions) result.contributions.push(contribution)
  for (const file of charm.files) result.locators.set(file.file, file.locator)
  result.files.push({file: path, kind: 'charm archive'})
}

interface ReadOptions extends DataFile {
  readers: DocumentReader[]
  result: FileSourceResult
  state: ReadState
  bundles: BundleGroups
  scope: Scope
  kubernetesKindsOnly?: ReadonlySet<string> | undefined
  policyInUse?: string | undefined
}

/** Reads a parsed file's documents; true when one of them was something hardenctl reads. */
function readParsedFile(parsed: ParsedFile, options: ReadOptions): boolean {
  const {readers, result, bundles, scope, state, root, kubernetesKindsOnly, policyInUse} = options
  result.locators.set(parsed.file, parsed.locator)
  const kinds = new Set<string>()
  // Said once per file, however many of its documents say it.
  const fileWarnings = new Set<string>()
  let recognised = false
  for (const {index, data} of parsed.documents) {
    const which = parsed.documents.length > 1 ? `YAML document ${index + 1} ` : ''
    if (isPolicyDocument(data)) {
      // Evidence never waives itself: a policy is read only as the command's own, never as an input.
      if (policyInUse !== undefined && resolve(parsed.file) === resolve(policyInUse)) {
        state.quiet(root, parsed.file, 'the policy in use')
        kinds.add('policy (in use)')
        continue
      }
      const inUse = policyInUse === undefined ? 'the rules run with the default policy' : `the rules run with ${policyInUse}`
      result.warnings.push(`${parsed.file}: a hardenctl policy inside the inputs is ignored (${inUse}); to use this one, pass it with --policy`)
      state.quiet(root, parsed.file, 'a hardenctl policy: give it with --policy')
      kinds.add('policy (ignored)')
      continue
    }
    const context = {
      file: parsed.file,
      document: index,
      scope,
      locator: parsed.locator,
      ...(kubernetesKindsOnly ? {kubernetesKindsOnly} : {}),
      warn: (message: string) => fileWarnings.add(`${parsed.file}: ${message}`),
    }
    if (options.explicitOverlay) {
      if (!isOverlayDocument(data)) throw new InputError(parsed.file, `${which}is not a bundle overlay (${describeShape(data)}); --overlay takes bundle overlays`)
      bundles.add(bundleDocument(data, context), true, result.contributions.length)
      kinds.add('juju bundle overlay')
      recognised = true
      continue
    }
    // A bundle file's later documents are overlays Juju merges into its first before it checks the relations.
    const later = index === 0 && parsed.documents.length > 1 ? parsed.documents.slice(1).map((document) => document.data) : undefined
    const reader = readers.find((candidate) => candidate.recognises(data, {file: parsed.file, document: index, ...(later ? {later} : {})}))
    if (!reader) {
      const problem = `${which}${which ? 'is ' : ''}not a recognised input (${describeShape(data)}); expected ${RECOGNISED_INPUTS}`
      if (!options.fromDirectory) throw new InputError(parsed.file, problem)
      state.warn(root, parsed.file, `${which}${which ? 'is ' : ''}not a recognised input (${describeShape(data)})`, {message: `${parsed.file}: ${problem}`})
      kinds.add('not recognised (skipped)')
      continue
    }
    kinds.add(reader.kind)
    if (reader.unusedBecause !== undefined) {
      // Named on the command line it was meant to be audited: passing it as "no findings" would lie.
      if (!options.fromDirectory) throw new InputError(parsed.file, `${which}is ${reader.kind} output, which hardenctl does not audit: ${reader.unusedBecause}`)
      state.warn(root, parsed.file, `${reader.kind} output: ${reader.unusedBecause}`)
      continue
    }
    recognised = true
    if (kubernetesKindsOnly && reader !== kubernetesReader) {
      kinds.add(`${reader.kind} (not needed here)`)
      continue
    }
    if (isBundleReader(reader)) {
      bundles.add(bundleDocument(data, context), false, result.contributions.length)
      continue
    }
    for (const contribution of readFrozenOnce(reader, data, context)) result.contributions.push(contribution)
  }
  result.warnings.push(...fileWarnings)
  result.files.push({file: parsed.file, kind: [...kinds].join(', ')})
  return recognised
}

/** Merges the bundles and their overlays, and puts each merged bundle where its first file was read. */
function addBundles(bundles: BundleGroups, result: FileSourceResult): void {
  const merged = bundles.merge()
  // One walk, not a splice per bundle: a live estate has hundreds of bundles among 100,000 contributions.
  const inserts = [...merged.contributions].sort((a, b) => a.position - b.position)
  if (inserts.length > 0) {
    const read = result.contributions
    const combined: Contribution[] = []
    let next = 0
    for (const {position, contributions} of inserts) {
      while (next < position) combined.push(read[next++]!)
      for (const contribution of contributions) combined.push(contribution)
    }
    while (next < read.length) combined.push(read[next++]!)
    result.contributions = combined
  }
  result.warnings.push(...merged.warnings)
  for (const entry of result.files) {
    if (merged.readAsOverlay.includes(entry.file)) entry.kind = entry.kind.replace('juju bundle', 'juju bundle overlay')
    if (merged.readAsBase.includes(entry.file)) entry.kind = entry.kind.replace('juju bundle overlay', 'juju bundle')
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

/**
 * Maps the items, at most `limit` at a time, and hands each result to `consume` in item order as
 * soon as it and every earlier one are done. The first failure in item order is thrown (a later
 * item's failure waits its turn, so the same inputs always fail the same way) and no item starts
 * after it.
 */
async function mapInOrder<T, U>(items: T[], limit: number, map: (item: T) => Promise<U>, consume: (result: U, index: number) => void): Promise<void> {
  const settled = new Map<number, {value: U} | {error: unknown}>()
  let next = 0
  let consumed = 0
  let failure: {error: unknown} | undefined
  const drain = (): void => {
    for (let outcome = settled.get(consumed); outcome && !failure; outcome = settled.get(consumed)) {
      settled.delete(consumed)
      try {
        if ('error' in outcome) throw outcome.error
        consume(outcome.value, consumed++)
      } catch (error) {
        failure = {error}
      }
    }
  }
  const worker = async (): Promise<void> => {
    while (!failure && next < items.length) {
      const index = next++
      try {
        settled.set(index, {value: await map(items[index]!)})
      } catch (error) {
        settled.set(index, {error})
      }
      drain()
    }
  }
  await Promise.all(Array.from({length: Math.min(limit, items.length)}, worker))
  if (failure) throw failure.error
}
