/**
 * Bundles: `juju export-bundle` output or hand-written. Field names follow juju/juju
 * `internal/charm/bundledata.go` (BundleData, ApplicationSpec, OfferSpec, ExposedEndpointSpec).
 *
 * A bundle file is multi-document: the first document is the bundle, later ones are overlays.
 * Readers see one document at a time, so the two are told apart by content and position:
 *   bundle   document 0 whose applications carry `charm` (or that has no applications yet);
 *   overlay  any later document, or a document 0 none of whose applications has a `charm`
 *            (an overlay file given on its own, as with `juju deploy --overlay`).
 * Neither has a top-level `model` key, which every `juju status` has.
 */
import {z} from 'zod'

import type {ApplicationFacts, Contribution, DocumentReader, ReadContext} from '../../inventory/contributions.js'
import type {ApplicationFact, RelationEndpoint} from '../../inventory/types.js'
import type {DataPath, SourceRef} from '../document.js'
import {parseCharmRef} from './charm-url.js'
import {check, compact, compareText, exposedEndpointsSchema, isRecord, parseBase, refAt, toExposedEndpoints} from './common.js'
import {compareEndpoints} from './status-relations.js'

const offerSpecSchema = z.looseObject({
  endpoints: z.array(z.string()).optional(),
  acl: z.record(z.string(), z.string()).optional(),
})

const applicationSpecSchema = z.looseObject({
  charm: z.string().optional(),
  channel: z.string().optional(),
  revision: z.number().int().optional(),
  series: z.string().optional(),
  base: z.string().optional(),
  num_units: z.number().int().optional(),
  scale: z.number().int().optional(),
  trust: z.boolean().optional(),
  expose: z.boolean().optional(),
  options: z.record(z.string(), z.unknown()).nullable().optional(),
  'exposed-endpoints': exposedEndpointsSchema.optional(),
  offers: z.record(z.string(), offerSpecSchema.nullable()).optional(),
})

const bundleSchema = z.looseObject({
  bundle: z.string().optional(),
  series: z.string().optional(),
  'default-base': z.string().optional(),
  applications: z.record(z.string(), applicationSpecSchema.nullable()).optional(),
  services: z.record(z.string(), applicationSpecSchema.nullable()).optional(),
  relations: z.array(z.array(z.string()).length(2)).optional(),
  saas: z.record(z.string(), z.looseObject({url: z.string().optional()}).nullable()).optional(),
})

type Bundle = z.infer<typeof bundleSchema>
type ApplicationSpec = z.infer<typeof applicationSpecSchema>

/** `applications`, or `services` in bundles written before Juju 2. */
function applicationsKey(data: Record<string, unknown>): 'applications' | 'services' | undefined {
  if (isRecord(data.applications)) return 'applications'
  if (isRecord(data.services)) return 'services'
  return undefined
}

function looksLikeBundleFamily(data: unknown): data is Record<string, unknown> {
  if (!isRecord(data) || 'model' in data) return false
  const key = applicationsKey(data)
  if (!key) return false
  // `juju show-application` of an application named `applications` is not a bundle.
  const specs = data[key] as Record<string, unknown>
  return !('principal' in specs && 'remote' in specs)
}

function hasCharms(data: Record<string, unknown>): boolean {
  const specs = Object.values(data[applicationsKey(data)!] as Record<string, unknown>)
  return specs.length === 0 || specs.some((spec) => isRecord(spec) && 'charm' in spec)
}

export const bundleReader: DocumentReader = {
  kind: 'juju bundle',
  recognises: (data, hint) => looksLikeBundleFamily(data) && hint.document === 0 && hasCharms(data),
  read: (data, ctx) => readBundleDocument(data, ctx, false),
}

export const bundleOverlayReader: DocumentReader = {
  kind: 'juju bundle overlay',
  recognises: (data, hint) => looksLikeBundleFamily(data) && (hint.document > 0 || !hasCharms(data)),
  read: (data, ctx) => readBundleDocument(data, ctx, true),
}

function readBundleDocument(data: unknown, ctx: ReadContext, overlay: boolean): Contribution[] {
  const what = overlay ? 'juju bundle overlay' : 'juju bundle'
  const bundle = check(bundleSchema, data, ctx, [], what)
  const scope = ctx.scope
  const out: Contribution[] = []
  if (!overlay) {
    out.push({type: 'input', scope, input: 'juju-bundle'})
    // BundleData.Type: "kubernetes" for a Kubernetes bundle, absent for a machine bundle.
    const kubernetes = bundle.bundle?.toLowerCase() === 'kubernetes'
    out.push({type: 'model', scope, facts: {type: kubernetes ? 'caas' : 'iaas'}, ref: refAt(ctx, bundle.bundle === undefined ? [] : ['bundle'])})
  }

  const key = bundle.applications !== undefined ? 'applications' : 'services'
  for (const [name, spec] of Object.entries(bundle[key] ?? {})) {
    const path = [key, name]
    const app = spec ?? {}
    out.push({type: 'application', scope, facts: applicationFacts(name, app, bundle, path, ctx, overlay)})
    for (const [offer, offerSpec] of Object.entries(app.offers ?? {})) {
      out.push({
        type: 'offer',
        scope,
        offer: compact({
          name: offer,
          application: name,
          endpoints: (offerSpec?.endpoints ?? []).map((endpoint) => ({name: endpoint})),
          users:
            offerSpec?.acl === undefined
              ? undefined
              : Object.entries(offerSpec.acl)
                  .sort(([a], [b]) => compareText(a, b))
                  .map(([user, access]) => ({name: user, access})),
          ref: refAt(ctx, [...path, 'offers', offer]),
        }),
      })
    }
  }

  for (const [index, pair] of (bundle.relations ?? []).entries()) {
    const endpoints = pair.map(parseRelationEndpoint).sort(compareEndpoints)
    out.push({type: 'relation', scope, relation: {endpoints, ref: refAt(ctx, ['relations', index])}})
  }

  for (const [name, saas] of Object.entries(bundle.saas ?? {})) {
    if (saas?.url === undefined) continue
    out.push({type: 'consumed-offer', scope, consumed: {name, url: saas.url, endpoints: [], ref: refAt(ctx, ['saas', name])}})
  }
  return out
}

/**
 * In the bundle document, a missing `trust` or `expose` means false: that is how the application
 * is deployed, and `juju export-bundle` leaves both out when false. In an overlay a missing key
 * says nothing. Per-endpoint exposure (overlay-only) implies the application is exposed.
 */
function applicationFacts(name: string, app: ApplicationSpec, bundle: Bundle, path: DataPath, ctx: ReadContext, overlay: boolean): ApplicationFacts {
  const at = (field: string): SourceRef => refAt(ctx, [...path, field])
  const refs: Partial<Record<ApplicationFact, SourceRef>> = {}
  if (!overlay) refs.definition = refAt(ctx, path)
  const charm = app.charm === undefined ? undefined : parseCharmRef(app.charm)
  if (app.charm !== undefined) refs.charm = at('charm')
  if (app.channel !== undefined) refs.channel = at('channel')
  if (app.trust !== undefined) refs.trust = at('trust')
  if (app.expose !== undefined) refs.expose = at('expose')
  const baseText = app.base ?? (overlay ? undefined : bundle['default-base'])
  if (app.base !== undefined) refs.base = at('base')

  const exposedEndpoints = app['exposed-endpoints'] === undefined ? undefined : toExposedEndpoints(app['exposed-endpoints'])
  if (exposedEndpoints !== undefined) {
    refs['exposed-endpoints'] = at('exposed-endpoints')
    refs.expose ??= at('exposed-endpoints')
  }
  let exposed = app.expose ?? (overlay ? undefined : false)
  if (exposedEndpoints !== undefined && Object.keys(exposedEndpoints).length > 0) exposed = true

  const options = app.options ?? undefined
  return compact({
    name,
    charm: charm?.charm,
    charmOrigin: charm?.origin,
    channel: app.channel,
    revision: app.revision ?? charm?.revision,
    base: baseText === undefined ? undefined : parseBase(baseText),
    series: app.series ?? (overlay ? undefined : bundle.series),
    scale: app.scale ?? app.num_units,
    exposed,
    exposedEndpoints,
    trust: app.trust ?? (overlay ? undefined : false),
    options: options === undefined ? undefined : {...options},
    optionRefs: options === undefined ? undefined : Object.fromEntries(Object.keys(options).map((option) => [option, refAt(ctx, [...path, 'options', option])])),
    refs,
  })
}

/** `app:endpoint`, or just `app` when the bundle leaves Juju to infer the endpoint. */
function parseRelationEndpoint(text: string): RelationEndpoint {
  const colon = text.indexOf(':')
  if (colon === -1) return {application: text}
  return {application: text.slice(0, colon), endpoint: text.slice(colon + 1)}
}
