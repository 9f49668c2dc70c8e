import {readFileSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
import {parse as parseJsonWithErrors, type ParseError, printParseErrorCode} from 'jsonc-parser'
import {isCollection, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, visit, type Document, type Node as YamlNode} from 'yaml'

import {InputError} from '../errors.js'
import type {DataPath, Locator, Position} from './document.js'
import {JsonLocator} from './json-locator.js'
import {LineIndex} from './line-index.js'

/** YAML aliases allowed per document: real bundles use a handful; an alias bomb uses thousands. */
const MAX_YAML_ALIASES = 100

export interface ParsedFile {
  file: string
  format: 'json' | 'yaml'
  /** Non-empty documents, in file order (a JSON file has exactly one). */
  documents: {index: number; data: unknown}[]
  locator: Locator
}

export async function readAndParse(file: string): Promise<ParsedFile> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new InputError(file, `cannot read file (${(error as NodeJS.ErrnoException).code ?? String(error)})`)
  }
  // The JSON locator reads the file again only if a finding needs a line in it, so the text of
  // big `kubectl get -o json` dumps is not held for the whole audit.
  return parseText(file, text, () => readFileSync(file, 'utf8'))
}

/** `reloadText` lets the JSON locator drop the text and read it again when first asked for a line. */
export function parseText(file: string, text: string, reloadText?: () => string): ParsedFile {
  if (!/\S/.test(text)) throw new InputError(file, 'file is empty; expected JSON or YAML')
  if (TEMPLATE_FILE.test(file)) throw templateError(file, text)
  const looksLikeJson = /^\s*[[{]/.test(text) && !/\.ya?ml$/i.test(file)
  try {
    return looksLikeJson ? parseJson(file, text, reloadText) : parseYaml(file, text)
  } catch (error) {
    // `{{ var }}` and `{% if %}` are not JSON and seldom YAML: say what the file is, not where it breaks.
    if (error instanceof InputError && templateMarker(text) !== undefined) throw templateError(file, text)
    throw error
  }
}

/** Jinja templates by name: `bundle.yaml.j2`, `overlay.jinja2`. */
const TEMPLATE_FILE = /\.(j2|jinja2?)$/i
/** A Jinja expression or statement: `{{ name }}`, `{% for x in y %}`, `{#- comment #}`. */
const TEMPLATE_MARKER = /\{\{-?\s*[^{}\n]*?\s*-?\}\}|\{%-?[^\n]*?-?%\}|\{#[^\n]*?#\}/

function templateMarker(text: string): number | undefined {
  const match = TEMPLATE_MARKER.exec(text)
  return match ? match.index : undefined
}

function templateError(file: string, text: string): InputError {
  const offset = templateMarker(text)
  const where = offset === undefined ? {} : new LineIndex(text).position(offset)
  return new InputError(file, 'this is a Jinja template ({{ }} / {% %}); render it first and give hardenctl the rendered file', where)
}

function parseJson(file: string, text: string, reloadText: (() => string) | undefined): ParsedFile {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    throw jsonSyntaxError(file, text)
  }
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

function parseYaml(file: string, text: string): ParsedFile {
  const lineCounter = new LineCounter()
  const parsed = parseAllDocuments(text, {lineCounter, merge: true, uniqueKeys: false})
  if (!Array.isArray(parsed)) {
    // parseAllDocuments returns an EmptyStream when there is nothing but comments.
    throw new InputError(file, 'file has no YAML documents; expected JSON or YAML data')
  }
  // `charm: {{ charm }}` is valid YAML (a map used as a key): only a template writes that.
  if (parsed.some(hasCollectionKey) && templateMarker(text) !== undefined) throw templateError(file, text)
  const documents: ParsedFile['documents'] = []
  parsed.forEach((doc, index) => {
    const error = doc.errors[0]
    if (error) {
      const [line, column] = error.linePos?.[0] ? [error.linePos[0].line, error.linePos[0].col] : [undefined, undefined]
      throw new InputError(file, `malformed YAML: ${firstLine(error.message)}`, {line, column})
    }
    let data: unknown
    try {
      data = doc.toJS({maxAliasCount: MAX_YAML_ALIASES})
    } catch (cause) {
      throw new InputError(
        file,
        `YAML uses too many aliases (more than ${MAX_YAML_ALIASES}); refusing a possible alias bomb`,
        {cause},
      )
    }
    if (data !== null && data !== undefined) documents.push({index, data})
  })
  if (documents.length === 0) throw new InputError(file, 'file has no data (only empty YAML documents)')
  return {file, format: 'yaml', documents, locator: new YamlLocator(parsed, lineCounter)}
}

function hasCollectionKey(document: Document.Parsed): boolean {
  let found = false
  visit(document, {
    Pair(_, pair) {
      if (isCollection(pair.key)) {
        found = true
        return visit.BREAK
      }
      return undefined
    },
  })
  return found
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')
}

class YamlLocator implements Locator {
  constructor(
    private readonly docs: Document.Parsed[],
    private readonly lineCounter: LineCounter,
  ) {}

  locate(document: number, path: DataPath): Position | undefined {
    let node: unknown = this.docs[document]?.contents
    let offset = (node as YamlNode | null)?.range?.[0]
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment))
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
}

