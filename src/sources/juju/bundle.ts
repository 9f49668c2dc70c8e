/**
 * Bundles: `juju export-bundle` output or hand-written, with their overlays. Field names follow
 * juju/juju `internal/charm/bundledata.go` (BundleData, ApplicationSpec, OfferSpec,
 * ExposedEndpointSpec).
 *
 * A bundle is the base document plus overlays applied over it (bundle-merge.ts). Documents are told
 * apart by content and place:
 *   bundle   document 0 of its file, whose every application has a `charm` (or that has no
 *            applications yet);
 *   overlay  any later document; a document 0 with an application that has no `charm` (it changes
 *            one the base defines) or that is set to null (it removes one); a document with only
 *            `relations` or `saas`; a file given with `review --overlay`.
 * Neither has a top-level `model` key, which every `juju status` has, and their applications are
 * maps, unlike `juju dump-model`'s list.
 *
 * The file source collects every bundle document and merges them before reading (see
 * bundle-groups.ts); `read` here reads one document on its own, as a bundle or as an overlay.
 */
import {z} from 'zod'

import type {ApplicationFacts, Contribution, DocumentReader, ReadContext, Scope} from '../../inventory/contributions.js'
import {JUJU_MODEL_NAME} from '../../inventory/model-name.js'
import type {ApplicationFact, RelationEndpoint} from '../../inventory/types.js'
import type {SourceRef} from '../document.js'
import {type BundleDocument, type Located, type MergedApplication, type MergedBundle, mergeBundleDocuments} from './bundle-merge.js'
import {parseCharmRef} from './charm-url.js'
import {check, compact, compareText, exposedEndpointsSchema, isRecord, parseBase, toExposedEndpoints} from './common.js'
import {compareEndpoints} from './status-relations.js'

const offerSpecSchema = z.looseObject({
  endpoints: z.array(z.string()).optional(),
  acl: z.record(z.string(), z.string()).nullable().optional(),
})

const applicationSpecSchema = z.looseObject({
  charm: z.string().nullable().optional(),
  channel: z.string().nullable().optional(),
  revision: z.number().int().nullable().optional(),
  series: z.string().nullable().optional(),
  base: z.string().nullable().optional(),
  num_units: z.number().int().nullable().optional(),
  scale: z.number().int().nullable().optional(),
  trust: z.boolean().nullable().optional(),
  expose: z.boolean().nullable().optional(),
  options: z.record(z.string(), z.unknown()).nullable().optional(),
  'exposed-endpoints': exposedEndpointsSchema.nullable().optional(),
  offers: z.record(z.string(), offerSpecSchema.nullable()).nullable().optional(),
})

const bundleSchema = z.looseObject({
  bundle: z.string().optional(),
  name: z.string().optional(),
  series: z.string().optional(),
  'default-base': z.string().optional(),
  applications: z.record(z.string(), applicationSpecSchema.nullable()).nullable().optional(),
  services: z.record(z.string(), applicationSpecSchema.nullable()).nullable().optional(),
  relations: z.array(z.array(z.string()).length(2, {error: 'expected a relation of two ends ("app:endpoint" or "app"); juju deploy refuses another count'})).nullable().optional(),
  // Juju's bundle verifier refuses machine ids that are not whole numbers and specs of another
  // shape (juju/juju internal/charm/bundledata.go: MachineSpec, "invalid machine id").
  machines: z
    .record(
      z.string(),
      z
        .looseObject({
          constraints: z.string().optional(),
          series: z.string().optional(),
          base: z.string().optional(),
          annotations: z.record(z.string(), z.string()).optional(),
        })
        .nullable(),
    )
    .superRefine((machines, context) => {
      for (const id of Object.keys(machines)) {
        if (!/^\d+$/.test(id)) context.addIssue({code: 'custom', path: [id], message: `machine id ${JSON.stringify(id)} is not a whole number ("0", "1"); juju deploy refuses it`})
      }
    })
    .nullable()
    .optional(),
  saas: z.record(z.string(), z.looseObject({url: z.string().optional()}).nullable()).nullable().optional(),
})

/** BundleData's keys (bundledata.go), plus the metadata keys Charmhub bundles carry. */
const BUNDLE_KEYS = new Set(['bundle', 'name', 'summary', 'description', 'series', 'default-base', 'applications', 'services', 'machines', 'relations', 'saas', 'tags'])

/**
 * Bundle-level keys that mark a document as a bundle rather than an overlay. Juju ignores an
 * overlay's `bundle`, `name`, `default-base` and `description`; an overlay's `series` and `machines`
 * replace the bundle's (overlay.go applyOverlay), which bundle-verify.ts follows for machines.
 */
const BASE_KEYS = ['bundle', 'name', 'series', 'default-base', 'machines', 'description'] as const

/** `applications`, or `services` in bundles written before Juju 2. */
function applicationSpecs(data: Record<string, unknown>): Record<string, unknown> | undefined {
  if (isRecord(data.applications)) return data.applications
  if (isRecord(data.services)) return data.services
  return undefined
}

/** Whether a document is a bundle or an overlay at all (whatever its place). Must not throw. */
export function isBundleDocument(data: unknown): data is Record<string, unknown> {
  if (!isRecord(data) || 'model' in data || 'apiVersion' in data) return false
  const specs = applicationSpecs(data)
  if (specs) {
    // `juju show-application` of an application named `applications` is not a bundle.
    if ('principal' in specs && 'remote' in specs) return false
    // `juju dump-model` has `applications: {version: 5, applications: [...]}`.
    return !(typeof specs.version === 'number' && Array.isArray(specs.applications))
  }
  // A relations-only or saas-only overlay.
  const relations = data.relations
  const onlyRelations = Array.isArray(relations) && relations.length > 0 && relations.every((pair) => Array.isArray(pair))
  return (onlyRelations || isRecord(data.saas)) && Object.keys(data).every((key) => BUNDLE_KEYS.has(key))
}

/** What `--overlay` accepts: any bundle data, even an overlay that only sets `series`. */
export function isOverlayDocument(data: unknown): data is Record<string, unknown> {
  if (isBundleDocument(data)) return true
  return isRecord(data) && Object.keys(data).length > 0 && Object.keys(data).every((key) => BUNDLE_KEYS.has(key))
}

/**
 * A base bundle: every application names its charm, and every relation joins applications (or
 * `saas` entries) the document defines — Juju refuses a bundle whose relations name an undefined
 * application, so a document that relates to others (`aws-integrator` ↔ `kubernetes-worker`) can
 * only be an overlay. `later`: the documents after it in its file, which Juju merges into the first
 * before it checks the relations (juju/juju ReadAndMergeBundleData: "Treat the first part as the
 * base bundle"), so what they define counts too.
 */
export function isBaseBundleDocument(data: unknown, later: readonly unknown[] = []): boolean {
  if (!isBundleDocument(data)) return false
  if (later.length > 0) return judgeBaseBundle(data, later)
  // Asked by the readers' recognisers and the grouping of bundle files alike: judged once.
  let verdict = baseBundleVerdicts.get(data)
  if (verdict === undefined) baseBundleVerdicts.set(data, (verdict = judgeBaseBundle(data, later)))
  return verdict
}

const baseBundleVerdicts = new WeakMap<object, boolean>()

function judgeBaseBundle(data: Record<string, unknown>, later: readonly unknown[]): boolean {
  const specs = applicationSpecs(data)
  if (!specs) return false
  if (!Object.values(specs).every((spec) => isRecord(spec) && typeof spec.charm === 'string')) return false
  const defined = new Set(definedNames(data))
  for (const overlay of later) if (isBundleDocument(overlay)) for (const name of definedNames(overlay)) defined.add(name)
  return relationApplications(data.relations).every((app) => defined.has(app))
}

/** The applications and `saas` entries a bundle document defines. */
function definedNames(data: Record<string, unknown>): string[] {
  return [...Object.keys(applicationSpecs(data) ?? {}), ...(isRecord(data.saas) ? Object.keys(data.saas) : [])]
}

/** The application names a `relations` list mentions (`app` or `app:endpoint`). */
function relationApplications(relations: unknown): string[] {
  if (!Array.isArray(relations)) return []
  return relations.flatMap((pair) => (Array.isArray(pair) ? pair : [])).flatMap((end) => (typeof end === 'string' ? [end.split(':')[0]!] : []))
}

/** A base bundle with keys only a base uses (`bundle: kubernetes`, `series`, `machines`, ...). */
export function hasBaseKeys(data: Record<string, unknown>): boolean {
  return BASE_KEYS.some((key) => key in data)
}

export const bundleReader: DocumentReader = {
  kind: 'juju bundle',
  recognises: (data, hint) => hint.document === 0 && isBaseBundleDocument(data, hint.later),
  read: (data, ctx) => bundleContributions(mergeBundleDocuments(bundleDocument(data, ctx), [])),
}

export const bundleOverlayReader: DocumentReader = {
  kind: 'juju bundle overlay',
  recognises: (data, hint) => isBundleDocument(data) && (hint.document > 0 || !isBaseBundleDocument(data, hint.later)),
  read: (data, ctx) => bundleContributions(mergeBundleDocuments(undefined, [bundleDocument(data, ctx)])),
}

export function isBundleReader(reader: DocumentReader): boolean {
  return reader === bundleReader || reader === bundleOverlayReader
}

/** Validates one document (so errors name its file, line and path) for merging. */
export function bundleDocument(data: unknown, ctx: ReadContext): BundleDocument {
  check(bundleSchema, data, ctx, [], 'juju bundle')
  return {data: data as Record<string, unknown>, ctx}
}

/**
 * The merged bundle as contributions. With a base, what the bundle leaves out is how it deploys:
 * no `trust` or `expose` means false (`juju export-bundle` leaves both out when false). Overlays
 * read without their base (applied to a model read from elsewhere) say nothing about what they
 * leave out.
 */
export function bundleContributions(merged: MergedBundle): Contribution[] {
  const first = merged.base ?? merged.documents[0]
  if (!first) return []
  const scope = bundleScope(merged, first.ctx.scope)
  const hasBase = merged.base !== undefined
  const out: Contribution[] = []
  if (hasBase) {
    out.push({type: 'input', scope, input: 'juju-bundle'})
    // BundleData.Type: "kubernetes" for a Kubernetes bundle, absent for a machine bundle.
    const kubernetes = merged.type?.value.toLowerCase() === 'kubernetes'
    out.push({type: 'model', scope, facts: {type: kubernetes ? 'caas' : 'iaas'}, ref: merged.type?.ref ?? refOf(merged.base!, [])})
  }

  for (const [name, app] of merged.applications) {
    out.push({type: 'application', scope, facts: applicationFacts(name, app, merged, hasBase)})
    for (const [offer, spec] of app.maps.get('offers') ?? []) {
      const offerSpec = isRecord(spec.value) ? spec.value : {}
      const endpoints = Array.isArray(offerSpec.endpoints) ? offerSpec.endpoints.filter((e): e is string => typeof e === 'string') : []
      const acl = isRecord(offerSpec.acl) ? offerSpec.acl : undefined
      out.push({
        type: 'offer',
        scope,
        offer: compact({
          name: offer,
          application: name,
          endpoints: endpoints.map((endpoint) => ({name: endpoint})),
          users:
            acl === undefined
              ? undefined
              : Object.entries(acl)
                  .sort(([a], [b]) => compareText(a, b))
                  .map(([user, access]) => ({name: user, access: String(access)})),
          ref: spec.ref,
        }),
      })
    }
  }

  for (const relation of merged.relations) {
    const endpoints = relation.value.map(parseRelationEndpoint).sort(compareEndpoints)
    out.push({type: 'relation', scope, relation: {endpoints, ref: relation.ref}})
  }

  for (const [name, saas] of merged.saas) {
    if (saas.url === undefined) continue
    out.push({type: 'consumed-offer', scope, consumed: {name, url: saas.url.value, endpoints: [], ref: saas.ref}})
  }
  return out
}

function bundleScope(merged: MergedBundle, scope: Scope): Scope {
  const name = merged.name?.value
  return name !== undefined && JUJU_MODEL_NAME.test(name) ? {...scope, defaultModel: name} : scope
}

function refOf(document: BundleDocument, path: (string | number)[]): SourceRef {
  return {file: document.ctx.file, document: document.ctx.document, path}
}

function applicationFacts(name: string, app: MergedApplication, merged: MergedBundle, hasBase: boolean): ApplicationFacts {
  const field = <T>(key: string, test: (value: unknown) => value is T): Located<T> | undefined => {
    const found = app.fields.get(key)
    return found && test(found.value) ? (found as Located<T>) : undefined
  }
  const charmField = field('charm', isString)
  const channel = field('channel', isString)
  const revision = field('revision', isNumber)
  const series = field('series', isString)
  const base = field('base', isString)
  const trust = field('trust', isBoolean) ?? legacyTrustOption(app)
  const expose = field('expose', isBoolean)
  const scale = field('scale', isNumber) ?? field('num_units', isNumber)

  const refs: Partial<Record<ApplicationFact, SourceRef>> = {}
  // An overlay read without its base only changes an application defined elsewhere.
  if (hasBase || charmField) refs.definition = app.definition
  if (charmField) refs.charm = charmField.ref
  if (channel) refs.channel = channel.ref
  if (trust) refs.trust = trust.ref
  if (expose) refs.expose = expose.ref
  if (base) refs.base = base.ref

  const endpointsMap = app.maps.get('exposed-endpoints')
  const exposedEndpoints = endpointsMap === undefined ? undefined : toExposedEndpoints(Object.fromEntries([...endpointsMap].map(([key, entry]) => [key, exposedEndpointSpec(entry.value)])))
  if (exposedEndpoints !== undefined) {
    refs['exposed-endpoints'] = app.mapRefs.get('exposed-endpoints')!
    refs.expose ??= refs['exposed-endpoints']
  }
  let exposed = expose?.value ?? (hasBase ? false : undefined)
  // Per-endpoint exposure (overlay-only) exposes the application.
  if (exposedEndpoints !== undefined && Object.keys(exposedEndpoints).length > 0) exposed = true

  const optionsMap = app.maps.get('options')
  const charm = charmField === undefined ? undefined : parseCharmRef(charmField.value)
  const baseText = base?.value ?? (hasBase ? merged.defaultBase?.value : undefined)
  return compact({
    name,
    charm: charm?.charm,
    charmOrigin: charm?.origin,
    channel: channel?.value,
    revision: revision?.value ?? charm?.revision,
    base: baseText === undefined ? undefined : parseBase(baseText),
    series: series?.value ?? (hasBase ? merged.series?.value : undefined),
    scale: scale?.value,
    exposed,
    exposedEndpoints,
    trust: trust?.value ?? (hasBase ? false : undefined),
    options: optionsMap === undefined ? undefined : Object.fromEntries([...optionsMap].map(([option, entry]) => [option, entry.value])),
    optionRefs: optionsMap === undefined ? undefined : Object.fromEntries([...optionsMap].map(([option, entry]) => [option, entry.ref])),
    refs,
  })
}

/**
 * `options: {trust: true}`: how bundles granted trust before the `trust:` key (Juju's own test
 * bundle `aws-integrator-trust-conf-param`); `trust` is an application setting, not a charm option.
 */
function legacyTrustOption(app: MergedApplication): Located<boolean> | undefined {
  const option = app.maps.get('options')?.get('trust')
  if (!option) return undefined
  const value = option.value === true || option.value === 'true' ? true : option.value === false || option.value === 'false' ? false : undefined
  return value === undefined ? undefined : {value, ref: option.ref}
}

function exposedEndpointSpec(value: unknown): z.infer<typeof exposedEndpointsSchema>[string] {
  if (!isRecord(value)) return null
  const strings = (list: unknown): string[] | undefined => (Array.isArray(list) ? list.filter(isString) : undefined)
  return compact({'expose-to-cidrs': strings(value['expose-to-cidrs']), 'expose-to-spaces': strings(value['expose-to-spaces'])})
}

const isString = (value: unknown): value is string => typeof value === 'string'
const isNumber = (value: unknown): value is number => typeof value === 'number'
const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean'

/** `app:endpoint`, or just `app` when the bundle leaves Juju to infer the endpoint. */
function parseRelationEndpoint(text: string): RelationEndpoint {
  const colon = text.indexOf(':')
  if (colon === -1) return {application: text}
  return {application: text.slice(0, colon), endpoint: text.slice(colon + 1)}
}
