import {isUtf8} from 'node:buffer'
import {readFileSync} from 'node:fs'
import {parse as parseJsonWithErrors, type ParseError, printParseErrorCode} from 'jsonc-parser'
import {isAlias, isCollection, isMap, isNode, isPair, isScalar, isSeq, LineCounter, type Pair, parseAllDocuments, type Scalar, type Document, type Node as YamlNode, type YAMLMap} from 'yaml'

import {InputError} from '../errors.js'
import type {DataPath, Locator, Position} from './document.js'
import {formatBytes, MAX_YAML_BYTES_VARIABLE, maxYamlBytes, readInputFile} from './input-file.js'
import {findDuplicateJsonKey, hasDuplicateJsonKeys} from './json-duplicate-keys.js'
import {noteInputRead} from './input-memory.js'
import {JsonLocator} from './json-locator.js'
import {LineIndex} from './line-index.js'
import {shellPlaceholderOnLine, shellTemplateProblem} from './shell-placeholders.js'

/**
 * Nodes that aliases may add to a document once expanded. Real bundles merge a `common` map into
 * each application (`<<: *common`, 120 times is not rare); an alias bomb (aliases of aliases)
 * expands to billions. The expansion is bounded, not the number of aliases.
 */
const MAX_ALIAS_EXPANSION = 1_000_000

export interface ParsedFile {
  file: string
  format: 'json' | 'yaml'
  /** Non-empty documents, in file order (a JSON file has exactly one). */
  documents: {index: number; data: unknown}[]
  locator: Locator
}

export async function readAndParse(file: string): Promise<ParsedFile> {
  const bytes = await readInputFile(file)
  noteInputRead(bytes.length)
  checkYamlSize(file, bytes)
  const text = decodeText(file, bytes)
  // The JSON locator reads the file again only if a finding needs a line in it, so the text of
  // big `kubectl get -o json` dumps is not held for the whole audit.
  return parseText(file, text, () => decodeText(file, readFileSync(file)))
}

/** YAML (what does not look like JSON) over its own, smaller limit is refused before it is parsed. */
function checkYamlSize(file: string, bytes: Uint8Array): void {
  const limit = maxYamlBytes()
  if (bytes.length <= limit) return
  const first = bytes.findIndex((byte) => byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09 && byte !== 0xef && byte !== 0xbb && byte !== 0xbf)
  const looksLikeJson = (bytes[first] === 0x7b || bytes[first] === 0x5b) && !/\.ya?ml$/i.test(file)
  if (looksLikeJson) return
  throw new InputError(file, `is ${formatBytes(bytes.length)} of YAML; YAML over ${formatBytes(limit)} is refused (write it as JSON, e.g. --format json / -o json, or raise the limit with ${MAX_YAML_BYTES_VARIABLE})`)
}

/**
 * The bytes of a JSON or YAML file as text: UTF-8, a byte-order mark dropped (Windows editors
 * write one; JSON.parse would call it an invalid symbol at 1:1). UTF-16 (what PowerShell's `>`
 * writes) is named as such; a NUL byte or bytes that are not UTF-8 are refused, not guessed at.
 */
export function decodeText(file: string, bytes: Uint8Array): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff) || looksLikeUtf16(bytes)) {
    throw new InputError(file, 'is UTF-16 text; hardenctl reads UTF-8 (convert it, e.g. iconv -f UTF-16 -t UTF-8)')
  }
  const nul = bytes.indexOf(0)
  if (nul !== -1) throw new InputError(file, 'holds a NUL byte; expected JSON or YAML text', positionOfByte(bytes, nul))
  if (!isUtf8(bytes)) throw new InputError(file, 'is not UTF-8 text; expected JSON or YAML in UTF-8')
  // Buffer's decoder keeps ASCII text as a one-byte string; TextDecoder would double it in memory.
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
}

/** UTF-16 without a byte-order mark: ASCII text with a zero byte beside every character. */
function looksLikeUtf16(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, Math.min(bytes.length, 64) & ~1)
  if (sample.length < 4) return false
  let evenZeros = 0
  let oddZeros = 0
  for (let i = 0; i < sample.length; i += 2) {
    if (sample[i] === 0) evenZeros++
    if (sample[i + 1] === 0) oddZeros++
  }
  const pairs = sample.length / 2
  return (oddZeros === pairs && evenZeros === 0) || (evenZeros === pairs && oddZeros === 0)
}

function positionOfByte(bytes: Uint8Array, offset: number): {line: number; column: number} {
  let line = 1
  let lineStart = 0
  for (let i = bytes.indexOf(0x0a); i !== -1 && i < offset; i = bytes.indexOf(0x0a, i + 1)) {
    line++
    lineStart = i + 1
  }
  return {line, column: offset - lineStart + 1}
}

/** `reloadText` lets the JSON locator drop the text and read it again when first asked for a line. */
export function parseText(file: string, rawText: string, reloadText?: () => string): ParsedFile {
  const text = rawText.charCodeAt(0) === 0xfeff ? rawText.slice(1) : rawText
  if (text.includes('\0')) throw new InputError(file, 'holds a NUL character; expected JSON or YAML text')
  if (!/\S/.test(text)) throw new InputError(file, 'file is empty; expected JSON or YAML')
  if (TEMPLATE_FILE.test(file)) throw templateError(file, text)
  const looksLikeJson = /^\s*[[{]/.test(text) && !/\.ya?ml$/i.test(file)
  try {
    return looksLikeJson ? parseJson(file, text, reloadText) : parseYaml(file, text)
  } catch (error) {
    // The YAML composer and the walks over its tree recurse: 10,000 nested levels exhaust the stack.
    if (error instanceof RangeError) throw new InputError(file, DEEP_NESTING)
    // `{{ var }}` and `{% if %}` are not JSON and seldom YAML: say what the file is, not where it breaks.
    if (error instanceof InputError && templateMarker(text) !== undefined) throw templateError(file, text)
    // A `$PLACEHOLDER` where it fails to parse: a shell template, not broken data.
    const at = error instanceof InputError && error.problem.startsWith('malformed') ? error.options : {}
    const placeholder = at.line === undefined ? undefined : shellPlaceholderOnLine(text, at.line)
    if (placeholder) throw new InputError(file, `malformed ${looksLikeJson ? 'JSON' : 'YAML'} where ${shellTemplateProblem(placeholder)}`, {line: at.line, column: at.column})
    throw error
  }
}

const DEEP_NESTING = 'nested too deeply to read (thousands of levels); refused'

/** Jinja templates by name: `bundle.yaml.j2`, `overlay.jinja2`. */
const TEMPLATE_FILE = /\.(j2|jinja2?)$/i
/** A Jinja expression or statement: `{{ name }}`, `{% for x in y %}`, `{#- comment #}`. */
const TEMPLATE_MARKER = /\{\{-?\s*[^{}\n]*?\s*-?\}\}|\{%-?[^\n]*?-?%\}|\{#[^\n]*?#\}/

function templateMarker(text: string): number | undefined {
  const match = TEMPLATE_MARKER.exec(text)
  return match ? match.index : undefined
}

const TEMPLATE_PROBLEM = 'this is a Jinja template ({{ }} / {% %}); render it first and give hardenctl the rendered file'

function templateError(file: string, text: string): InputError {
  const offset = templateMarker(text)
  const where = offset === undefined ? {} : new LineIndex(text).position(offset)
  return new InputError(file, TEMPLATE_PROBLEM, where)
}

/** A Jinja template is not estate data: skipping one leaves nothing of the estate unread. */
export function isTemplateError(error: InputError): boolean {
  return error.problem === TEMPLATE_PROBLEM
}

function parseJson(file: string, text: string, reloadText: (() => string) | undefined): ParsedFile {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    throw jsonSyntaxError(file, text)
  }
  const duplicate = hasDuplicateJsonKeys(text, data) ? findDuplicateJsonKey(text) : undefined
  if (duplicate) throw duplicateKeyError(file, duplicate.key, new LineIndex(text).position(duplicate.offset))
  return {file, format: 'json', documents: [{index: 0, data}], locator: new JsonLocator(reloadText ?? text)}
}

/** JSON.parse's messages carry no position on Node 20; jsonc-parser's scanner says where and what. */
function jsonSyntaxError(file: string, text: string): InputError {
  const errors: ParseError[] = []
  parseJsonWithErrors(text, errors, {disallowComments: true, allowTrailingComma: false})
  const first = errors[0]
  if (!first) return new InputError(file, 'malformed JSON')
  const {line, column} = new LineIndex(text).position(first.offset)
  const what = printParseErrorCode(first.error).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()
  return new InputError(file, `malformed JSON: ${what}`, {line, column})
}

/** Tools disagree on which of two equal keys counts (JSON.parse and Go the last, others the first): refuse. */
function duplicateKeyError(file: string, key: string, where: {line?: number; column?: number}): InputError {
  return new InputError(file, `the key ${JSON.stringify(key)} appears twice in one map; refused (tools disagree on which one counts)`, where)
}

function parseYaml(file: string, text: string): ParsedFile {
  const lineCounter = new LineCounter()
  const parsed = parseAllDocuments(text, {lineCounter, merge: true, uniqueKeys: false})
  if (!Array.isArray(parsed)) {
    // parseAllDocuments returns an EmptyStream when there is nothing but comments.
    throw new InputError(file, 'file has no YAML documents; expected JSON or YAML data')
  }
  const documents: ParsedFile['documents'] = []
  parsed.forEach((doc, index) => {
    const error = doc.errors[0]
    if (error) {
      const [line, column] = error.linePos?.[0] ? [error.linePos[0].line, error.linePos[0].col] : [undefined, undefined]
      if (/call stack/i.test(error.message)) throw new InputError(file, DEEP_NESTING, {line, column})
      throw new InputError(file, `malformed YAML: ${firstLine(error.message)}`, {line, column})
    }
    const {duplicate, collectionKey, expansion} = inspectYaml(doc)
    // `charm: {{ charm }}` is valid YAML (a map used as a key): only a template writes that.
    if (collectionKey && templateMarker(text) !== undefined) throw templateError(file, text)
    if (duplicate) throw duplicateKeyError(file, String(duplicate.value), duplicate.range ? lineCounterPosition(lineCounter, duplicate.range[0]) : {})
    if (expansion > MAX_ALIAS_EXPANSION) {
      throw new InputError(file, `YAML aliases expand to more than ${MAX_ALIAS_EXPANSION.toLocaleString('en')} nodes; refusing a possible alias bomb`)
    }
    // The expansion is bounded above; yaml's own check counts aliases, which refuses real bundles.
    const data: unknown = doc.toJS({maxAliasCount: -1})
    if (data !== null && data !== undefined) documents.push({index, data})
  })
  if (documents.length === 0) throw new InputError(file, 'file has no data (only empty YAML documents)')
  return {file, format: 'yaml', documents, locator: new YamlLocator(parsed, lineCounter)}
}

/**
 * One walk over a parsed document for what it must not hold:
 * - `duplicate`: the first scalar key repeated in one map (merge keys, `<<`, may repeat). yaml's
 *   own `uniqueKeys` compares each key with every earlier one, which made a 32,000-application
 *   status take minutes; a set per map is linear.
 * - `collectionKey`: a map or sequence used as a key, which only a template writes.
 * - `expansion`: how many nodes the aliases add once expanded, each alias counting the nodes of
 *   what it names, aliases inside that included; anchors are taken in document order, as YAML
 *   resolves them. The walk stops once that passes the bound.
 */
function inspectYaml(document: Document.Parsed): {duplicate?: Scalar; collectionKey: boolean; expansion: number} {
  const anchors = new Map<string, YamlNode>()
  const sizes = new Map<YamlNode, number>()
  const sizeOf = (node: unknown): number => {
    if (isAlias(node)) {
      const target = anchors.get(node.source)
      return target ? sizeOf(target) : 1
    }
    if (!isCollection(node)) return 1
    const known = sizes.get(node)
    if (known !== undefined) return known
    sizes.set(node, 1) // an alias inside its own anchor counts once, not forever
    let size = 1
    for (const item of node.items) size += isPair(item) ? sizeOf(item.key) + sizeOf(item.value) : sizeOf(item)
    sizes.set(node, size)
    return size
  }
  let duplicate: Scalar | undefined
  let collectionKey = false
  let expansion = 0
  // A walk of its own rather than yaml's `visit`, which copies the path to every node it visits.
  // Anchors are taken as the walk meets them, in document order. True: stop, the bound is passed.
  const walk = (node: unknown): boolean => {
    if (isAlias(node)) {
      expansion += sizeOf(node)
      return expansion > MAX_ALIAS_EXPANSION
    }
    if (isPair(node)) {
      if (isCollection(node.key)) collectionKey = true
      return walk(node.key) || walk(node.value)
    }
    if (!isNode(node)) return false
    if (node.anchor) anchors.set(node.anchor, node)
    if (!isCollection(node)) return false
    if (isMap(node) && duplicate === undefined) duplicate = repeatedKey(node)
    for (const item of node.items) if (walk(item)) return true
    return false
  }
  walk(document.contents)
  return {duplicate, collectionKey, expansion}
}

function repeatedKey(map: YAMLMap): Scalar | undefined {
  const seen = new Set<unknown>()
  for (const item of map.items) {
    if (!isScalar(item.key) || item.key.value === '<<') continue
    if (seen.has(item.key.value)) return item.key
    seen.add(item.key.value)
  }
  return undefined
}

function lineCounterPosition(lineCounter: LineCounter, offset: number): {line: number; column: number} {
  const {line, col} = lineCounter.linePos(offset)
  return {line, column: col}
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')
}

/**
 * Finds where a path lies in parsed YAML: the yaml library keeps each node's offset; a map's keys
 * are indexed on the first lookup through it, so a finding costs the length of its path, not the
 * size of the maps on it (a linear search per finding made big status files quadratic: 16k
 * applications took 6.7 s). Offsets become lines by binary search over the line starts.
 */
class YamlLocator implements Locator {
  private readonly keyIndex = new WeakMap<YAMLMap, Map<string, Pair>>()

  constructor(
    private readonly docs: Document.Parsed[],
    private readonly lineCounter: LineCounter,
  ) {}

  locate(document: number, path: DataPath): Position | undefined {
    let node: unknown = this.docs[document]?.contents
    let offset = (node as YamlNode | null)?.range?.[0]
    for (const segment of path) {
      if (isMap(node)) {
        const pair = this.keysOf(node).get(String(segment))
        if (!pair) break
        offset = (pair.key as YamlNode).range?.[0] ?? offset
        node = pair.value
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment] as YamlNode | undefined
        if (!item) break
        offset = item.range?.[0] ?? offset
        node = item
      } else break
    }
    if (offset === undefined) return undefined
    const {line, col} = this.lineCounter.linePos(offset)
    return {line, column: col}
  }

  /** The map's scalar keys; the first of a repeated key, as the search it replaces found. */
  private keysOf(map: YAMLMap): Map<string, Pair> {
    let keys = this.keyIndex.get(map)
    if (keys) return keys
    keys = new Map()
    for (const item of map.items) {
      if (!isPair(item) || !isScalar(item.key)) continue
      const key = String(item.key.value)
      if (!keys.has(key)) keys.set(key, item)
    }
    this.keyIndex.set(map, keys)
    return keys
  }
}
