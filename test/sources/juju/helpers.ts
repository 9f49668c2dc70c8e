import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import type {ApplicationFacts, Contribution, DocumentReader, Scope} from '../../../src/inventory/contributions.js'
import {jujuReaders} from '../../../src/sources/juju/index.js'
import {type ParsedFile, parseText} from '../../../src/sources/parse-file.js'

const HERE = fileURLToPath(new URL('.', import.meta.url))
export const FIXTURES = join(HERE, '../../fixtures/juju')
export const CORPUS = join(HERE, '../../corpus')

export function fixture(name: string): string {
  return join(FIXTURES, name)
}

/** The Juju readers that recognise a document; exactly one is expected. */
export function recognisers(data: unknown, file: string, document = 0): DocumentReader[] {
  return jujuReaders.filter((reader) => reader.recognises(data, {file, document}))
}

export interface ReadResult {
  parsed: ParsedFile
  /** Per document: the reader's kind and its contributions. */
  documents: {kind: string; contributions: Contribution[]}[]
  contributions: Contribution[]
}

/** Parses text as the file source does and runs the one Juju reader that recognises each document. */
export function readText(file: string, text: string, scope: Scope = {}): ReadResult {
  const parsed = parseText(file, text)
  const documents = parsed.documents.map(({index, data}) => {
    const readers = recognisers(data, file, index)
    if (readers.length !== 1) {
      throw new Error(`${file} document ${index}: recognised by ${readers.length} readers (${readers.map((r) => r.kind).join(', ')})`)
    }
    const reader = readers[0]!
    return {kind: reader.kind, contributions: reader.read(data, {file, document: index, scope: {file, ...scope}})}
  })
  return {parsed, documents, contributions: documents.flatMap((document) => document.contributions)}
}

export function readFile(file: string, scope: Scope = {}): ReadResult {
  return readText(file, readFileSync(file, 'utf8'), scope)
}

export function ofType<T extends Contribution['type']>(contributions: Contribution[], type: T): Extract<Contribution, {type: T}>[] {
  return contributions.filter((contribution): contribution is Extract<Contribution, {type: T}> => contribution.type === type)
}

/** The facts of the one application contribution named `name`; every Juju reader sets `refs`. */
export function application(contributions: Contribution[], name: string): ApplicationFacts & {refs: NonNullable<ApplicationFacts['refs']>} {
  const found = ofType(contributions, 'application').filter((c) => c.facts.name === name)
  if (found.length !== 1) throw new Error(`expected one application ${name}, found ${found.length}`)
  const facts = found[0]!.facts
  if (!facts.refs) throw new Error(`application ${name} has no refs`)
  return {...facts, refs: facts.refs}
}

/** Relations as `app:endpoint app:endpoint` strings, sorted, for comparing graphs. */
export function relationPairs(contributions: Contribution[]): string[] {
  return ofType(contributions, 'relation')
    .map(({relation}) => relation.endpoints.map((e) => `${e.application}:${e.endpoint ?? '?'}`).join(' '))
    .sort()
}
