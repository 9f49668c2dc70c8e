/**
 * Turns one charm document (metadata.yaml, charmcraft.yaml or config.yaml) into `CharmFacts`:
 * what that document says, with undefined for what it does not say, so the documents of one charm
 * directory can be merged field by field. Recognition lives here too, because it is what keeps
 * charm documents apart from Juju bundles and status.
 */
import {basename, dirname} from 'node:path'

import type {CharmContainer, CharmEndpoint, CharmMetadata, CharmOption} from '../../inventory/charm.js'
import {InputError} from '../../errors.js'
import type {DataPath, Locator, SourceRef} from '../document.js'
import {validate} from '../validate.js'
import {charmDocumentSchema, configDocumentSchema} from './schema.js'

type Json = Record<string, unknown>

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Keys only Juju's own outputs have: a bundle (`applications`, `services`), status (`model`), Kubernetes. */
function looksLikeJujuOrKubernetes(data: Json): boolean {
  return 'applications' in data || 'services' in data || 'model' in data || 'apiVersion' in data
}

/** True when the document carries charm metadata: containers, endpoints, charm-user, assumes or resources. */
export function hasMetadataKeys(data: Json): boolean {
  return (
    isRecord(data.containers) ||
    isRecord(data.requires) ||
    isRecord(data.provides) ||
    isRecord(data.peers) ||
    typeof data['charm-user'] === 'string' ||
    Array.isArray(data.assumes) ||
    isRecord(data.resources)
  )
}

/** charmcraft.yaml build keys: `type: charm`, `parts`, `bases`, `base`, `platforms`. */
export function hasCharmcraftKeys(data: Json): boolean {
  return (
    data.type === 'charm' ||
    isRecord(data.parts) ||
    Array.isArray(data.bases) ||
    typeof data.base === 'string' ||
    isRecord(data.platforms)
  )
}

/** metadata.yaml (or charm metadata without build keys). */
export function isCharmMetadataDocument(data: unknown): data is Json {
  return isRecord(data) && !looksLikeJujuOrKubernetes(data) && !hasCharmcraftKeys(data) && hasMetadataKeys(data)
}

/** A charmcraft.yaml for a charm: build-only or unified (metadata, config and actions in one file). */
export function isCharmcraftDocument(data: unknown): data is Json {
  return (
    isRecord(data) &&
    !looksLikeJujuOrKubernetes(data) &&
    hasCharmcraftKeys(data) &&
    (data.type === undefined || data.type === 'charm')
  )
}

/** config.yaml: a map with `options` and nothing else, each option a map. */
export function isCharmConfigDocument(data: unknown): data is Json {
  if (!isRecord(data)) return false
  const keys = Object.keys(data)
  if (keys.length !== 1 || keys[0] !== 'options') return false
  const options = data.options
  return options === null || (isRecord(options) && Object.values(options).every(isRecord))
}

/** What one document says about a charm; undefined means "this document does not say". */
export interface CharmFacts {
  name?: string
  charmUser?: string
  containers?: CharmContainer[]
  endpoints?: CharmEndpoint[]
  options?: Record<string, CharmOption>
  assumes?: string[]
  subordinate?: boolean
  /** True when the document carries metadata proper (containers, endpoints, ...), not just a name or options. */
  hasMetadata: boolean
  refs: {charmUser?: SourceRef; containers?: SourceRef; definition: SourceRef}
}

export interface DocumentPlace {
  file: string
  document: number
  locator?: Locator
}

function refAt(place: DocumentPlace, path: DataPath): SourceRef {
  return {file: place.file, document: place.document, path}
}

/** Facts from metadata.yaml or charmcraft.yaml (validated; throws InputError naming the path). */
export function charmFactsFromDocument(data: unknown, place: DocumentPlace): CharmFacts {
  const doc = validate(charmDocumentSchema, data, {...place, what: 'charm metadata'})
  const facts: CharmFacts = {hasMetadata: isRecord(data) && hasMetadataKeys(data), refs: {definition: refAt(place, [])}}
  if (doc.name !== undefined) facts.name = doc.name
  if (doc['charm-user'] !== undefined) {
    facts.charmUser = doc['charm-user']
    facts.refs.charmUser = refAt(place, ['charm-user'])
  }
  if (doc.subordinate !== undefined) facts.subordinate = doc.subordinate
  if (doc.containers != null) {
    facts.refs.containers = refAt(place, ['containers'])
    facts.containers = Object.entries(doc.containers).map(([name, container]) => {
      const out: CharmContainer = {name, ref: refAt(place, ['containers', name])}
      if (container?.resource !== undefined) out.resource = container.resource
      if (container?.uid !== undefined) out.uid = container.uid
      if (container?.gid !== undefined) out.gid = container.gid
      return out
    })
  }
  const roles = ['provides', 'requires', 'peers'] as const
  if (roles.some((role) => doc[role] != null)) {
    facts.endpoints = []
    for (const role of roles) {
      for (const [name, endpoint] of Object.entries(doc[role] ?? {})) {
        const out: CharmEndpoint = {name, role, interface: endpoint.interface, ref: refAt(place, [role, name])}
        if (endpoint.scope !== undefined) out.scope = endpoint.scope
        if (endpoint.optional !== undefined) out.optional = endpoint.optional
        facts.endpoints.push(out)
      }
    }
  }
  if (doc.assumes != null) facts.assumes = flattenAssumes(doc.assumes, ['assumes'], place)
  if (doc.config?.options != null) facts.options = optionsFrom(doc.config.options, ['config', 'options'], place)
  return facts
}

/** Facts from config.yaml: only options. */
export function configFactsFromDocument(data: unknown, place: DocumentPlace): CharmFacts {
  const doc = validate(configDocumentSchema, data, {...place, what: 'charm config'})
  return {
    hasMetadata: false,
    options: optionsFrom(doc.options ?? {}, ['options'], place),
    refs: {definition: refAt(place, [])},
  }
}

function optionsFrom(
  options: Record<string, {type?: string; default?: unknown; description?: string}>,
  base: DataPath,
  place: DocumentPlace,
): Record<string, CharmOption> {
  const out: Record<string, CharmOption> = {}
  for (const [name, option] of Object.entries(options)) {
    const entry: CharmOption = {ref: refAt(place, [...base, name])}
    if (option.type !== undefined) entry.type = option.type
    if (option.default !== undefined) entry.default = option.default
    if (option.description !== undefined) entry.description = option.description
    out[name] = entry
  }
  return out
}

/**
 * `assumes` items are strings or `{any-of: [...]}` / `{all-of: [...]}`, nested at will. Each
 * top-level item becomes one display string: `any-of(all-of(juju >= 3.4.3, juju < 3.5), ...)`.
 */
export function flattenAssumes(items: readonly unknown[], path: DataPath, place: DocumentPlace): string[] {
  return items.map((item, index) => renderAssumption(item, [...path, index], place))
}

function renderAssumption(item: unknown, path: DataPath, place: DocumentPlace): string {
  if (typeof item === 'string') return item
  if (isRecord(item)) {
    const keys = Object.keys(item)
    const key = keys[0]
    if (keys.length === 1 && (key === 'any-of' || key === 'all-of')) {
      const inner = item[key]
      if (!Array.isArray(inner)) {
        throw new InputError(place.file, `expected ${key} (a list of assumptions)`, {path: [...path, key]})
      }
      return `${key}(${inner.map((child, index) => renderAssumption(child, [...path, key, index], place)).join(', ')})`
    }
  }
  throw new InputError(place.file, 'expected an assumption: a string such as "k8s-api" or a map with any-of or all-of', {path})
}

/**
 * Merges facts field by field, earlier arguments winning: a charm directory passes metadata.yaml,
 * then config.yaml, then charmcraft.yaml. Endpoints and options are merged by name.
 */
export function mergeFacts(...all: CharmFacts[]): CharmFacts {
  const [first, ...rest] = all
  if (!first) throw new Error('mergeFacts needs at least one set of facts')
  const merged: CharmFacts = {...first, refs: {...first.refs}}
  for (const facts of rest) {
    merged.name ??= facts.name
    if (merged.charmUser === undefined && facts.charmUser !== undefined) {
      merged.charmUser = facts.charmUser
      if (facts.refs.charmUser) merged.refs.charmUser = facts.refs.charmUser
    }
    if (merged.containers === undefined && facts.containers !== undefined) {
      merged.containers = facts.containers
      if (facts.refs.containers) merged.refs.containers = facts.refs.containers
    }
    if (facts.endpoints) {
      const seen = new Set((merged.endpoints ?? []).map((endpoint) => `${endpoint.role}/${endpoint.name}`))
      const extra = facts.endpoints.filter((endpoint) => !seen.has(`${endpoint.role}/${endpoint.name}`))
      merged.endpoints = [...(merged.endpoints ?? []), ...extra]
    }
    if (facts.options) merged.options = {...facts.options, ...merged.options}
    merged.assumes ??= facts.assumes
    merged.subordinate ??= facts.subordinate
    if (!merged.hasMetadata && facts.hasMetadata) merged.refs.definition = facts.refs.definition
    merged.hasMetadata ||= facts.hasMetadata
  }
  return merged
}

/** The name a charm file falls back to when it has none: its directory's name. */
export function nameFromPath(fileOrDirectory: string, isDirectory: boolean): string {
  return basename(isDirectory ? fileOrDirectory : dirname(fileOrDirectory))
}

export function toCharmMetadata(facts: CharmFacts, name: string, source: string): CharmMetadata {
  const charm: CharmMetadata = {
    name,
    containers: facts.containers ?? [],
    endpoints: facts.endpoints ?? [],
    assumes: facts.assumes ?? [],
    source,
    refs: facts.refs,
  }
  if (facts.charmUser !== undefined) charm.charmUser = facts.charmUser
  if (facts.options !== undefined) charm.options = facts.options
  if (facts.subordinate !== undefined) charm.subordinate = facts.subordinate
  return charm
}

