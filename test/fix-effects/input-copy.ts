/**
 * A copy of an audit's inputs that a fix can change: each Kubernetes object of each file, in place
 * (a document, or an item of a List), to replace or remove, and the changed files written back.
 */
import {cp, mkdir, readdir, readFile, rm, stat, writeFile} from 'node:fs/promises'
import {basename, join} from 'node:path'

import {parseAllDocuments, stringify} from 'yaml'

export interface KubeObject {
  apiVersion?: string
  kind: string
  metadata: {name: string; namespace?: string; labels?: Record<string, string>; ownerReferences?: {kind: string; name: string}[]}
  spec?: Record<string, unknown>
}

interface InputFile {
  path: string
  format: 'json' | 'yaml'
  documents: unknown[]
}

export interface Located {
  object: KubeObject
  file: InputFile
  replace: (next: KubeObject) => void
  remove: () => void
}

export interface InputCopy {
  /** The copied files and directories, to audit instead of the originals. */
  paths: string[]
  objects: Located[]
  /** Adds objects a fix creates (`kubectl apply`), in a file of their own. */
  add(objects: KubeObject[]): Promise<void>
  /** Writes back every file an object of which was replaced or removed. */
  save(): Promise<void>
}

/** Removed objects are left as this until the file is written. */
const REMOVED = Symbol('removed')

function isKubeObject(value: unknown): value is KubeObject {
  const v = value as KubeObject | null
  return typeof v === 'object' && v !== null && typeof v.kind === 'string' && typeof v.apiVersion === 'string' && typeof v.metadata?.name === 'string'
}

export async function copyInputs(from: readonly string[], dir: string): Promise<InputCopy> {
  const paths: string[] = []
  for (const [i, path] of from.entries()) {
    const copy = join(dir, String(i), basename(path))
    await mkdir(join(dir, String(i)))
    await cp(path, copy, {recursive: true})
    paths.push(copy)
  }
  const files: InputFile[] = []
  for (const path of paths) {
    for (const file of await filesUnder(path)) {
      const read = await readInputFile(file)
      if (read) files.push(read)
    }
  }
  const changed = new Set<InputFile>()
  const objects = files.flatMap((file) => objectsOf(file, () => changed.add(file)))
  let added = 0
  return {
    paths,
    objects,
    async add(created) {
      const file = join(dir, `applied-${added++}.json`)
      await writeFile(file, JSON.stringify({apiVersion: 'v1', kind: 'List', items: created}, null, 2))
      paths.push(file)
    },
    async save() {
      for (const file of changed) {
        // A file whose every object was deleted is gone, as the objects are from the cluster.
        if (await writeInputFile(file)) continue
        const at = paths.indexOf(file.path)
        if (at >= 0) paths.splice(at, 1)
      }
    },
  }
}

async function filesUnder(path: string): Promise<string[]> {
  if (!(await stat(path)).isDirectory()) return [path]
  const out: string[] = []
  for (const entry of await readdir(path, {withFileTypes: true})) out.push(...(await filesUnder(join(path, entry.name))))
  return out.filter((file) => /\.(ya?ml|json)$/i.test(file))
}

async function readInputFile(path: string): Promise<InputFile | undefined> {
  const text = await readFile(path, 'utf8')
  if (path.endsWith('.json')) {
    try {
      return {path, format: 'json', documents: [JSON.parse(text) as unknown]}
    } catch {
      return undefined
    }
  }
  const documents = parseAllDocuments(text)
  if (!Array.isArray(documents) || documents.some((d) => d.errors.length > 0)) return undefined
  return {path, format: 'yaml', documents: documents.map((d) => d.toJS() as unknown)}
}

function objectsOf(file: InputFile, changed: () => void): Located[] {
  const out: Located[] = []
  const slot = (object: KubeObject, set: (value: unknown) => void): Located => ({
    object,
    file,
    replace: (next) => {
      set(next)
      changed()
    },
    remove: () => {
      set(REMOVED)
      changed()
    },
  })
  file.documents.forEach((document, index) => {
    const items = (document as {items?: unknown} | null)?.items
    if (Array.isArray(items) && typeof (document as {kind?: unknown}).kind === 'string' && /List$/.test((document as {kind: string}).kind)) {
      items.forEach((item, i) => {
        if (isKubeObject(item)) out.push(slot(item, (value) => (items[i] = value)))
      })
    } else if (isKubeObject(document)) {
      out.push(slot(document, (value) => (file.documents[index] = value)))
    }
  })
  return out
}

/** Writes the file back; false (and the file removed) when nothing is left in it. */
async function writeInputFile(file: InputFile): Promise<boolean> {
  const documents = file.documents
    .filter((document) => document !== REMOVED)
    .map((document) => {
      const items = (document as {items?: unknown[]} | null)?.items
      return Array.isArray(items) ? {...(document as object), items: items.filter((item) => item !== REMOVED)} : document
    })
  if (documents.length === 0) {
    await rm(file.path)
    return false
  }
  const text = file.format === 'json' ? JSON.stringify(documents[0], null, 2) : documents.map((d) => stringify(d)).join('---\n')
  await writeFile(file.path, text)
  return true
}
