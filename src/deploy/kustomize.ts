/**
 * Builds a kustomization the way `kubectl kustomize` does, for the subset of kustomize that
 * manifests/ uses (and that kubectl 1.20's kustomize v2.0.3 also reads): `resources` (files),
 * `bases` (directories), `namespace`, `images` and `patchesJson6902`. Anything else is refused,
 * so a manifests/ change this module does not understand fails loudly instead of rendering
 * something kustomize would not (test/deploy compares the two).
 */
import {readFile} from 'node:fs/promises'
import {join, relative} from 'node:path'

import {parseAllDocuments} from 'yaml'

import {IncompleteError} from '../errors.js'

export type KubeManifest = Record<string, unknown> & {apiVersion: string; kind: string; metadata: Record<string, unknown> & {name: string}}

const KUSTOMIZATION_FIELDS = new Set(['apiVersion', 'kind', 'resources', 'bases', 'namespace', 'images', 'patchesJson6902'])

/** Kinds without a namespace: kustomize's namespace transformer leaves them alone. */
export const CLUSTER_SCOPED_KINDS = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PriorityClass',
  'StorageClass',
  'PersistentVolume',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
])

/** A manifests/ file missing or not what this module expects: a packaging bug, not the user's input (exit 3). */
export class ManifestError extends IncompleteError {
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`)
    this.name = 'ManifestError'
  }
}

interface ImageEntry {
  name: string
  newName?: string
  newTag?: string
  digest?: string
}

interface Json6902Patch {
  target: {group?: string; version?: string; kind: string; name: string; namespace?: string}
  path: string
}

interface Kustomization {
  resources: string[]
  bases: string[]
  namespace?: string
  images: ImageEntry[]
  patchesJson6902: Json6902Patch[]
}

/** The objects `kubectl kustomize DIR` prints, in the order of `bases` then `resources`. */
export async function buildKustomization(dir: string, root: string = dir): Promise<KubeManifest[]> {
  const file = join(dir, 'kustomization.yaml')
  const shown = relative(root, file) || file
  const kustomization = parseKustomization(await readYamlDocuments(file, shown), shown)

  const objects: KubeManifest[] = []
  for (const base of kustomization.bases) objects.push(...(await buildKustomization(join(dir, base), root)))
  for (const resource of kustomization.resources) {
    const path = join(dir, resource)
    const where = relative(root, path) || path
    for (const document of await readYamlDocuments(path, where)) objects.push(asManifest(document, where))
  }
  for (const patch of kustomization.patchesJson6902) {
    const path = join(dir, patch.path)
    const where = relative(root, path) || path
    const [operations] = await readYamlDocuments(path, where)
    const target = objects.find((object) => matchesTarget(object, patch.target))
    if (!target) throw new ManifestError(shown, `patchesJson6902 target ${patch.target.kind} ${patch.target.name} is not among the resources`)
    applyJsonPatch(target, operations, where)
  }
  if (kustomization.namespace !== undefined) {
    for (const object of objects) if (!CLUSTER_SCOPED_KINDS.has(object.kind)) object.metadata.namespace = kustomization.namespace
  }
  for (const image of kustomization.images) setImages(objects, image)
  return objects
}

async function readYamlDocuments(path: string, shown: string): Promise<unknown[]> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const hint = code === 'ENOENT' ? ': this hardenctl installation lacks the manifests/ it ships with' : ''
    throw new ManifestError(shown, `cannot read (${code ?? String(error)})${hint}`)
  }
  // YAML 1.1, as kubectl reads it (`on`, `0440` mean what they mean to kubectl).
  const documents = parseAllDocuments(text, {version: '1.1'})
  const out: unknown[] = []
  for (const document of documents) {
    if (document.errors.length > 0) throw new ManifestError(shown, `invalid YAML: ${document.errors[0]!.message.split('\n')[0]!}`)
    const value: unknown = document.toJS()
    if (value !== null && value !== undefined) out.push(value)
  }
  return out
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function stringList(value: unknown, field: string, file: string): string[] {
  if (value === undefined) return []
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw new ManifestError(file, `expected ${field} to be a list of strings`)
  return value
}

function parseKustomization(documents: unknown[], file: string): Kustomization {
  const [data] = documents
  if (documents.length !== 1 || !isRecord(data)) throw new ManifestError(file, 'expected one kustomization document')
  for (const field of Object.keys(data)) {
    if (!KUSTOMIZATION_FIELDS.has(field)) throw new ManifestError(file, `unsupported kustomization field ${field} (supported: ${[...KUSTOMIZATION_FIELDS].join(', ')})`)
  }
  if (data.namespace !== undefined && typeof data.namespace !== 'string') throw new ManifestError(file, 'expected namespace to be a string')
  const images = (Array.isArray(data.images) ? data.images : data.images === undefined ? [] : undefined)?.map((entry: unknown) => {
    if (!isRecord(entry) || typeof entry.name !== 'string') throw new ManifestError(file, 'expected each images entry to have a name')
    const image: ImageEntry = {name: entry.name}
    for (const key of ['newName', 'newTag', 'digest'] as const) {
      const value = entry[key]
      if (value === undefined) continue
      if (typeof value !== 'string') throw new ManifestError(file, `expected images[].${key} to be a string`)
      image[key] = value
    }
    return image
  })
  if (!images) throw new ManifestError(file, 'expected images to be a list')
  const rawPatches = data.patchesJson6902 ?? []
  if (!Array.isArray(rawPatches)) throw new ManifestError(file, 'expected patchesJson6902 to be a list')
  const patchesJson6902 = rawPatches.map((entry: unknown): Json6902Patch => {
    const target = isRecord(entry) ? entry.target : undefined
    if (!isRecord(entry) || typeof entry.path !== 'string' || !isRecord(target) || typeof target.kind !== 'string' || typeof target.name !== 'string') {
      throw new ManifestError(file, 'expected each patchesJson6902 entry to have a path and a target with kind and name')
    }
    return {target: target as Json6902Patch['target'], path: entry.path}
  })
  const kustomization: Kustomization = {
    resources: stringList(data.resources, 'resources', file),
    bases: stringList(data.bases, 'bases', file),
    images,
    patchesJson6902,
  }
  if (typeof data.namespace === 'string') kustomization.namespace = data.namespace
  return kustomization
}

function asManifest(document: unknown, file: string): KubeManifest {
  if (
    !isRecord(document) ||
    typeof document.apiVersion !== 'string' ||
    typeof document.kind !== 'string' ||
    !isRecord(document.metadata) ||
    typeof document.metadata.name !== 'string'
  ) {
    throw new ManifestError(file, 'expected Kubernetes objects with apiVersion, kind and metadata.name')
  }
  return document as KubeManifest
}

function matchesTarget(object: KubeManifest, target: Json6902Patch['target']): boolean {
  const slash = object.apiVersion.indexOf('/')
  const group = slash === -1 ? '' : object.apiVersion.slice(0, slash)
  const version = slash === -1 ? object.apiVersion : object.apiVersion.slice(slash + 1)
  return (
    object.kind === target.kind &&
    object.metadata.name === target.name &&
    (target.group === undefined || target.group === group) &&
    (target.version === undefined || target.version === version) &&
    (target.namespace === undefined || target.namespace === object.metadata.namespace)
  )
}

const JSON_PATCH_OPS = new Set(['add', 'remove', 'replace'])

/** RFC 6902 `add`, `remove` and `replace`, which is what manifests/ uses. */
export function applyJsonPatch(target: Record<string, unknown>, operations: unknown, file: string): void {
  if (!Array.isArray(operations)) throw new ManifestError(file, 'expected a list of JSON patch operations')
  for (const operation of operations) {
    if (!isRecord(operation) || typeof operation.op !== 'string' || typeof operation.path !== 'string') {
      throw new ManifestError(file, 'expected each JSON patch operation to have op and path')
    }
    if (!JSON_PATCH_OPS.has(operation.op)) throw new ManifestError(file, `unsupported JSON patch op ${operation.op} (supported: ${[...JSON_PATCH_OPS].join(', ')})`)
    const tokens = operation.path
      .split('/')
      .slice(1)
      .map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'))
    const last = tokens.pop()
    if (!operation.path.startsWith('/') || last === undefined) throw new ManifestError(file, `JSON patch path ${operation.path} must point inside the object`)
    let parent: unknown = target
    for (const token of tokens) {
      parent = Array.isArray(parent) ? parent[Number(token)] : isRecord(parent) ? parent[token] : undefined
      if (parent === undefined) throw new ManifestError(file, `JSON patch path ${operation.path} does not exist`)
    }
    if (Array.isArray(parent)) patchArray(parent, operation.op, last, operation.value, operation.path, file)
    else if (isRecord(parent)) patchObject(parent, operation.op, last, operation.value, operation.path, file)
    else throw new ManifestError(file, `JSON patch path ${operation.path} does not exist`)
  }
}

function patchArray(array: unknown[], op: string, token: string, value: unknown, path: string, file: string): void {
  const index = token === '-' ? array.length : Number(token)
  if (!Number.isInteger(index) || index < 0 || index > array.length || (op !== 'add' && index === array.length)) {
    throw new ManifestError(file, `JSON patch path ${path}: no such index`)
  }
  if (op === 'add') array.splice(index, 0, value)
  else if (op === 'remove') array.splice(index, 1)
  else if (op === 'replace') array[index] = value
  else throw new ManifestError(file, `unsupported JSON patch op ${op} (supported: add, remove, replace)`)
}

function patchObject(object: Record<string, unknown>, op: string, key: string, value: unknown, path: string, file: string): void {
  if (op !== 'add' && !Object.hasOwn(object, key)) throw new ManifestError(file, `JSON patch path ${path} does not exist`)
  if (op === 'add' || op === 'replace') object[key] = value
  else if (op === 'remove') delete object[key]
  else throw new ManifestError(file, `unsupported JSON patch op ${op} (supported: add, remove, replace)`)
}

/** Splits `registry:5000/name:tag@sha256:...` into its name, tag and digest. */
export function splitImage(image: string): {name: string; tag?: string; digest?: string} {
  const at = image.indexOf('@')
  const digest = at === -1 ? undefined : image.slice(at + 1)
  const rest = at === -1 ? image : image.slice(0, at)
  const colon = rest.lastIndexOf(':')
  const hasTag = colon > rest.lastIndexOf('/')
  const out: {name: string; tag?: string; digest?: string} = {name: hasTag ? rest.slice(0, colon) : rest}
  if (hasTag) out.tag = rest.slice(colon + 1)
  if (digest !== undefined) out.digest = digest
  return out
}

/** Every container and init container, at any depth (a CronJob's are four levels down). */
export function containersIn(value: unknown): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = []
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item)
      return
    }
    if (!isRecord(node)) return
    for (const [key, child] of Object.entries(node)) {
      if ((key === 'containers' || key === 'initContainers') && Array.isArray(child)) {
        for (const container of child) if (isRecord(container)) out.push(container)
      }
      walk(child)
    }
  }
  walk(value)
  return out
}

/** kustomize's `images:` entry: containers whose image has this name get the new name, tag or digest. */
function setImages(objects: KubeManifest[], entry: ImageEntry): void {
  for (const container of containersIn(objects)) {
    if (typeof container.image !== 'string') continue
    const current = splitImage(container.image)
    if (current.name !== entry.name) continue
    const name = entry.newName ?? current.name
    if (entry.digest !== undefined) container.image = `${name}@${entry.digest}`
    else if (entry.newTag !== undefined) container.image = `${name}:${entry.newTag}`
    else container.image = `${name}${current.tag === undefined ? '' : `:${current.tag}`}${current.digest === undefined ? '' : `@${current.digest}`}`
  }
}
