/**
 * A charm directory (a charm's source tree, or `charms/<name>/` in a snapshot) read as one charm:
 * charmcraft.yaml, metadata.yaml and config.yaml merged into a single `charm` contribution. The
 * juju sidecar-non-root test charm, for one, has its name only in charmcraft.yaml and its
 * containers only in metadata.yaml.
 */
import {stat} from 'node:fs/promises'
import {join} from 'node:path'

import type {Contribution} from '../../inventory/contributions.js'
import {InputError} from '../../errors.js'
import {type ParsedFile, readAndParse} from '../parse-file.js'
import {
  type CharmFacts,
  charmFactsFromDocument,
  configFactsFromDocument,
  hasMetadataKeys,
  isCharmcraftDocument,
  isRecord,
  mergeFacts,
  nameFromPath,
  toCharmMetadata,
} from './metadata.js'

const CHARMCRAFT = 'charmcraft.yaml'
const METADATA = 'metadata.yaml'
const CONFIG = 'config.yaml'

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile()
  } catch {
    return false
  }
}

async function parseIfPresent(path: string): Promise<ParsedFile | undefined> {
  return (await isFile(path)) ? readAndParse(path) : undefined
}

function firstDocument(parsed: ParsedFile): unknown {
  return parsed.documents[0]?.data
}

/** The files of a charm that hardenctl reads, parsed; from a directory or a `.charm` archive. */
export interface CharmFiles {
  charmcraft?: ParsedFile
  metadata?: ParsedFile
  config?: ParsedFile
}

async function parseCharmFiles(dir: string): Promise<CharmFiles> {
  const [charmcraft, metadata, config] = await Promise.all([CHARMCRAFT, METADATA, CONFIG].map((name) => parseIfPresent(join(dir, name))))
  return {charmcraft, metadata, config}
}

/**
 * True when the files hold a charm: a charmcraft.yaml for a charm (`type: charm`, or with metadata
 * keys), or a metadata.yaml with charm metadata or a name.
 */
function holdsCharm({charmcraft, metadata}: CharmFiles): boolean {
  if (charmcraft) {
    const data = firstDocument(charmcraft)
    if (isCharmcraftDocument(data) || (isRecord(data) && hasMetadataKeys(data))) return true
  }
  if (metadata) {
    const data = firstDocument(metadata)
    if (isRecord(data) && (hasMetadataKeys(data) || typeof data.name === 'string') && !('applications' in data)) return true
  }
  return false
}

/**
 * True when `dir` holds a charm. Files that do not parse make it false, so they are read (and
 * their errors reported) as ordinary files.
 */
export async function isCharmDirectory(dir: string): Promise<boolean> {
  try {
    return holdsCharm(await parseCharmFiles(dir))
  } catch {
    return false
  }
}

/**
 * Reads `dir` as one charm when it holds one, parsing each file once; undefined when it does not
 * (or a file does not parse: it is then read, and its error reported, as an ordinary file).
 */
export async function readIfCharmDirectory(dir: string): Promise<{contributions: Contribution[]; files: ParsedFile[]} | undefined> {
  let files: CharmFiles
  try {
    files = await parseCharmFiles(dir)
  } catch {
    return undefined
  }
  return holdsCharm(files) ? charmFromFiles(dir, files) : undefined
}

/** Reads one charm directory into one `charm` contribution (plus `input: charm-metadata`). */
export async function readCharmDirectory(dir: string): Promise<Contribution[]> {
  return (await readCharmDirectoryFiles(dir)).contributions
}

/** As readCharmDirectory, also returning the files read, whose locators turn refs into lines. */
export async function readCharmDirectoryFiles(dir: string): Promise<{contributions: Contribution[]; files: ParsedFile[]}> {
  return charmFromFiles(dir, await parseCharmFiles(dir))
}

/** One charm from its parsed files; `dir` names it in messages and is the name of last resort. */
export function charmFromFiles(dir: string, {charmcraft, metadata, config}: CharmFiles): {contributions: Contribution[]; files: ParsedFile[]} {
  if (!charmcraft && !metadata) {
    throw new InputError(dir, `not a charm directory: expected ${CHARMCRAFT} or ${METADATA}`)
  }
  const facts: CharmFacts[] = []
  if (metadata) facts.push(charmFactsFromDocument(objectDocument(metadata, 'charm metadata'), place(metadata)))
  if (config) facts.push(configFactsFromDocument(objectDocument(config, 'charm config (options)'), place(config)))
  if (charmcraft) facts.push(charmFactsFromDocument(objectDocument(charmcraft, 'charmcraft.yaml'), place(charmcraft)))
  const merged = mergeFacts(...facts)
  const charm = toCharmMetadata(merged, merged.name ?? nameFromPath(dir, true), dir)
  const out: Contribution[] = []
  if (merged.hasMetadata || metadata) out.push({type: 'input', scope: {file: dir}, input: 'charm-metadata'})
  out.push({type: 'charm', charm})
  return {contributions: out, files: [charmcraft, metadata, config].filter((file) => file !== undefined)}
}

function place(parsed: ParsedFile) {
  return {file: parsed.file, document: parsed.documents[0]?.index ?? 0, locator: parsed.locator}
}

function objectDocument(parsed: ParsedFile, what: string): unknown {
  const data = firstDocument(parsed)
  if (!isRecord(data)) throw new InputError(parsed.file, `expected ${what}: a YAML map`)
  return data
}
