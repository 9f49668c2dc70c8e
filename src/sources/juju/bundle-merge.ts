/**
 * Bundle overlays merged the way `juju deploy BUNDLE --overlay ...` merges them (juju/juju
 * `internal/charm/overlay.go`, ReadAndMergeBundleData and applyOverlay): the first part is the
 * base, each later part is applied over it in order.
 *
 *   applications  a new application is added whole; one set to null is removed, with every
 *                 relation naming it; for one in both, each key the overlay writes replaces the
 *                 base's (scalars and lists: `trust: false`, `expose: false`, `to`), and map keys
 *                 (`options`, `offers`, `exposed-endpoints`, ...) merge entry by entry: an entry
 *                 set to null is removed, an empty or null map clears the base's map.
 *   saas          as applications.
 *   series        replaced when the overlay sets one.
 *   relations     appended.
 *   `bundle:` (the Kubernetes type), `name`, `default-base`: the base's only; an overlay's are ignored.
 *
 * Every merged value keeps the SourceRef of the document that wrote it last, so a finding points
 * at the overlay line that set `trust: true`, not at the base it overrode.
 */
import {InputError} from '../../errors.js'
import type {ReadContext} from '../../inventory/contributions.js'
import type {SourceRef} from '../document.js'
import {isRecord, refAt} from './common.js'

/** One YAML document of a bundle file or overlay file, already recognised as part of a bundle. */
export interface BundleDocument {
  data: Record<string, unknown>
  ctx: ReadContext
}

export interface Located<T = unknown> {
  value: T
  ref: SourceRef
}

/** Application spec keys whose value is a map merged entry by entry (ApplicationSpec in bundledata.go). */
export const MAP_KEYS = new Set(['options', 'annotations', 'storage', 'devices', 'bindings', 'resources', 'offers', 'exposed-endpoints'])

export interface MergedApplication {
  /** Where the application was defined: in the base, or in the overlay that added it. */
  definition: SourceRef
  /** Scalar and list keys (`charm`, `channel`, `trust`, `expose`, `to`, ...), as last written. */
  fields: Map<string, Located>
  /** Map keys, entry by entry. */
  maps: Map<string, Map<string, Located>>
  /** Where each map key was last written (the whole map). */
  mapRefs: Map<string, SourceRef>
}

export interface MergedBundle {
  /** The base document; undefined when only overlays were read (applied to a model read elsewhere). */
  base?: BundleDocument
  /** Every document merged, in order. */
  documents: BundleDocument[]
  type?: Located<string>
  name?: Located<string>
  series?: Located<string>
  defaultBase?: Located<string>
  /** `services` in bundles written before Juju 2. */
  applicationsKey: 'applications' | 'services'
  applications: Map<string, MergedApplication>
  relations: Located<[string, string]>[]
  saas: Map<string, {url?: Located<string>; ref: SourceRef}>
}

export function mergeBundleDocuments(base: BundleDocument | undefined, overlays: readonly BundleDocument[]): MergedBundle {
  const merged: MergedBundle = {
    documents: [],
    applicationsKey: 'applications',
    applications: new Map(),
    relations: [],
    saas: new Map(),
  }
  if (base) {
    applyBase(merged, base)
    checkNoOverlayOnlyFields(merged, base)
  }
  for (const overlay of overlays) applyOverlay(merged, overlay)
  if (base) {
    checkRelationEnds(merged)
    checkExposeSettings(merged)
  }
  return merged
}

/**
 * juju deploy refuses an application with both `expose: true` and `exposed-endpoints`: a
 * controller older than 2.9 ignores `exposed-endpoints` and opens every port to 0.0.0.0/0
 * (bundleDataVerifier in juju/juju's internal/charm/bundledata.go).
 */
function checkExposeSettings(merged: MergedBundle): void {
  for (const [name, app] of merged.applications) {
    const expose = app.fields.get('expose')
    const endpoints = app.maps.get('exposed-endpoints')
    if (expose?.value !== true || !endpoints || endpoints.size === 0) continue
    throw errorAt(
      merged,
      app.mapRefs.get('exposed-endpoints') ?? expose.ref,
      `application ${JSON.stringify(name)} has both expose: true and exposed-endpoints, which juju deploy refuses (a controller older than 2.9 would ignore exposed-endpoints and open every port to 0.0.0.0/0); drop expose: true and keep exposed-endpoints`,
    )
  }
}

/**
 * An application's `exposed-endpoints` and `offers` are deployment-specific: juju deploy takes them
 * only from an overlay (a later document of the bundle file, or an --overlay file) and refuses a
 * bundle that sets them itself ("... can only appear in an overlay section": `source:"overlay-only"`
 * in juju/juju internal/charm/bundledata.go, checked by VerifyNoOverlayFieldsPresent on the base).
 */
function checkNoOverlayOnlyFields(merged: MergedBundle, base: BundleDocument): void {
  const key = isRecord(base.data.applications) ? 'applications' : 'services'
  const specs = base.data[key]
  if (!isRecord(specs)) return
  for (const [name, spec] of Object.entries(specs)) {
    if (!isRecord(spec)) continue
    for (const field of OVERLAY_ONLY_FIELDS) {
      const value = spec[field]
      // Go skips a field left at its zero value: an empty or null map is not there.
      if (!isRecord(value) || Object.keys(value).length === 0) continue
      throw errorAt(merged, refAt(base.ctx, [key, name, field]), `only an overlay may set ${field} (a later document of the bundle file, or an --overlay file): juju deploy refuses it in the bundle itself`)
    }
  }
}

const OVERLAY_ONLY_FIELDS = ['exposed-endpoints', 'offers'] as const

/** juju deploy refuses a relation whose end names no application or saas entry of the bundle. */
function checkRelationEnds(merged: MergedBundle): void {
  for (const relation of merged.relations) {
    for (const end of relation.value) {
      const name = end.split(':')[0]!
      if (merged.applications.has(name) || merged.saas.has(name)) continue
      throw errorAt(merged, relation.ref, `the relation names application ${JSON.stringify(name)}, which the bundle does not have (juju deploy refuses it)`)
    }
  }
}

/** An InputError at a ref inside one of the merged documents, with its line when known. */
export function errorAt(merged: MergedBundle, ref: SourceRef, problem: string): InputError {
  const position = positionOf(merged, ref)
  return new InputError(ref.file, problem, {path: ref.path, line: position?.line, column: position?.column})
}

/** Where a ref sits in its document, when the document's locator knows. */
export function positionOf(merged: MergedBundle, ref: SourceRef): {line: number; column: number} | undefined {
  const document = merged.documents.find(({ctx}) => ctx.file === ref.file && (ctx.document ?? 0) === (ref.document ?? 0))
  return document?.ctx.locator?.locate(ref.document ?? 0, ref.path)
}

function applyBase(merged: MergedBundle, base: BundleDocument): void {
  const {data, ctx} = base
  merged.base = base
  merged.documents.push(base)
  const at = (key: string): SourceRef => refAt(ctx, [key])
  if (typeof data.bundle === 'string') merged.type = {value: data.bundle, ref: at('bundle')}
  if (typeof data.name === 'string') merged.name = {value: data.name, ref: at('name')}
  if (typeof data.series === 'string' && data.series !== '') merged.series = {value: data.series, ref: at('series')}
  if (typeof data['default-base'] === 'string') merged.defaultBase = {value: data['default-base'], ref: at('default-base')}
  const key = isRecord(data.applications) ? 'applications' : isRecord(data.services) ? 'services' : 'applications'
  merged.applicationsKey = key
  for (const [name, spec] of Object.entries(isRecord(data[key]) ? (data[key] as Record<string, unknown>) : {})) {
    // Juju refuses a base application without a body ("base application has no body").
    if (!isRecord(spec)) throw new InputError(ctx.file, `application ${name} has no body; a bundle's applications need at least a charm`, {path: [key, name]})
    merged.applications.set(name, newApplication(spec, ctx, [key, name]))
  }
  appendRelations(merged, data, ctx)
  mergeSaas(merged, data, ctx)
}

function applyOverlay(merged: MergedBundle, overlay: BundleDocument): void {
  const {data, ctx} = overlay
  merged.documents.push(overlay)
  if (!isRecord(data.applications) && isRecord(data.services)) {
    throw new InputError(ctx.file, "an overlay may not use the deprecated 'services' key (juju deploy refuses it); write applications", {path: ['services']})
  }
  for (const [name, spec] of Object.entries(isRecord(data.applications) ? data.applications : {})) {
    const path = ['applications', name]
    if (spec === null || spec === undefined) {
      // juju deploy refuses an overlay that removes an application the bundle does not have.
      if (merged.base && !merged.applications.has(name)) throw errorAt(merged, refAt(ctx, path), `the overlay removes application ${JSON.stringify(name)}, which the bundle does not have (juju deploy refuses it)`)
      merged.applications.delete(name)
      merged.relations = merged.relations.filter((relation) => !relation.value.some((end) => end === name || end.startsWith(`${name}:`)))
      continue
    }
    if (!isRecord(spec)) continue // the schema check has already refused it
    const existing = merged.applications.get(name)
    if (existing) mergeApplication(existing, spec, ctx, path)
    else merged.applications.set(name, newApplication(spec, ctx, path))
  }
  if (typeof data.series === 'string' && data.series !== '') merged.series = {value: data.series, ref: refAt(ctx, ['series'])}
  appendRelations(merged, data, ctx)
  mergeSaas(merged, data, ctx)
}

function newApplication(spec: Record<string, unknown>, ctx: ReadContext, path: string[]): MergedApplication {
  const app: MergedApplication = {definition: refAt(ctx, path), fields: new Map(), maps: new Map(), mapRefs: new Map()}
  mergeApplication(app, spec, ctx, path)
  return app
}

/** mergeStructs: every key the document writes replaces or, for maps, merges into what is there. */
function mergeApplication(app: MergedApplication, spec: Record<string, unknown>, ctx: ReadContext, path: string[]): void {
  for (const [key, value] of Object.entries(spec)) {
    const ref = refAt(ctx, [...path, key])
    if (!MAP_KEYS.has(key)) {
      // A key written as null is set to its zero value: `trust:` is false, `channel:` is unset.
      if (value === null || value === undefined) app.fields.delete(key)
      else app.fields.set(key, {value, ref})
      continue
    }
    app.mapRefs.set(key, ref)
    let map = app.maps.get(key)
    if (!map) app.maps.set(key, (map = new Map()))
    if (!isRecord(value) || Object.keys(value).length === 0) {
      map.clear()
      continue
    }
    for (const [entry, entryValue] of Object.entries(value)) {
      if (removesEntry(key, entryValue)) map.delete(entry)
      else map.set(entry, {value: entryValue, ref: refAt(ctx, [...path, key, entry])})
    }
  }
}

/**
 * A map entry set to null is removed. `exposed-endpoints` holds structs, not pointers, so an empty
 * one (`"": {}`) is zero as well and removes the entry too.
 */
function removesEntry(key: string, value: unknown): boolean {
  if (value === null || value === undefined) return true
  return key === 'exposed-endpoints' && isRecord(value) && Object.values(value).every((field) => field === null || (Array.isArray(field) && field.length === 0))
}

function appendRelations(merged: MergedBundle, data: Record<string, unknown>, ctx: ReadContext): void {
  if (!Array.isArray(data.relations)) return
  for (const [index, pair] of data.relations.entries()) {
    if (Array.isArray(pair) && pair.length === 2 && pair.every((end) => typeof end === 'string')) {
      merged.relations.push({value: [pair[0] as string, pair[1] as string], ref: refAt(ctx, ['relations', index])})
    }
  }
}

function mergeSaas(merged: MergedBundle, data: Record<string, unknown>, ctx: ReadContext): void {
  if (!isRecord(data.saas)) return
  for (const [name, spec] of Object.entries(data.saas)) {
    const ref = refAt(ctx, ['saas', name])
    if (spec === null || spec === undefined) {
      merged.saas.delete(name)
      merged.relations = merged.relations.filter((relation) => !relation.value.some((end) => end === name || end.startsWith(`${name}:`)))
      continue
    }
    const entry = merged.saas.get(name) ?? {ref}
    if (isRecord(spec) && 'url' in spec) {
      if (typeof spec.url === 'string') entry.url = {value: spec.url, ref: refAt(ctx, ['saas', name, 'url'])}
      else delete entry.url
    }
    merged.saas.set(name, entry)
  }
}
