import {readFile} from 'node:fs/promises'
import {
  findNodeAtLocation,
  type Node as JsonNode,
  parse as parseJsonWithErrors,
  type ParseError,
  parseTree,
  printParseErrorCode,
} from 'jsonc-parser'
import {isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node as YamlNode} from 'yaml'

import {InputError} from '../errors.js'
import type {DataPath, Locator, Position} from './document.js'

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
  return parseText(file, text)
}

export function parseText(file: string, text: string): ParsedFile {
  if (text.trim() === '') throw new InputError(file, 'file is empty; expected JSON or YAML')
  const looksLikeJson = /^\s*[[{]/.test(text) && !/\.ya?ml$/i.test(file)
  return looksLikeJson ? parseJson(file, text) : parseYaml(file, text)
}

function parseJson(file: string, text: string): ParsedFile {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    throw jsonSyntaxError(file, text)
  }
  return {file, format: 'json', documents: [{index: 0, data}], locator: new JsonLocator(text)}
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

/** Parses the JSON text a second time, with offsets, only when a finding first asks for a line. */
class JsonLocator implements Locator {
  private tree: JsonNode | undefined
  private lines: LineIndex | undefined

  constructor(private readonly text: string) {}

  locate(_document: number, path: DataPath): Position | undefined {
    this.tree ??= parseTree(this.text)
    this.lines ??= new LineIndex(this.text)
    if (!this.tree) return undefined
    // Walk down as far as the path exists so a missing leaf still points at its parent.
    for (let depth = path.length; depth >= 0; depth--) {
      const node = findNodeAtLocation(this.tree, path.slice(0, depth) as (string | number)[])
      if (node) {
        const anchor = node.parent?.type === 'property' ? node.parent : node
        return this.lines.position(anchor.offset)
      }
    }
    return undefined
  }
}

class LineIndex {
  private readonly starts: number[] = [0]

  constructor(text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1)
  }

  position(offset: number): Position {
    let low = 0
    let high = this.starts.length - 1
    while (low < high) {
      const mid = (low + high + 1) >> 1
      if (this.starts[mid]! <= offset) low = mid
      else high = mid - 1
    }
    return {line: low + 1, column: offset - this.starts[low]! + 1}
  }
}
