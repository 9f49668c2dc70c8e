/**
 * The applications of `juju dump-model` (juju/description `application.go`): charm URL and origin,
 * `exposed` and `exposed-endpoints`, `application-config` (where `trust` lives), `settings` (the
 * charm options set), units, offers with their ACL, opened port ranges, and the charm's own
 * metadata and config (`charm-metadata`, `charm-configs`), so charm rules can judge it.
 * `password-hash`, leadership settings, resources and status history are never read.
 */
import {z} from 'zod'

import type {CharmContainer, CharmEndpoint, CharmMetadata, CharmOption} from '../../inventory/charm.js'
import type {Contribution, ReadContext, Scope} from '../../inventory/contributions.js'
import type {ApplicationFact, ExposedEndpoint, Relation, Unit} from '../../inventory/types.js'
import type {DataPath, SourceRef} from '../document.js'
import {parseCharmRef} from './charm-url.js'
import {check, compact, compareNatural, compareText, refAt} from './common.js'

const KIND = 'juju dump-model'

export type SpaceNames = Map<string, string>

const portRangesSchema = z.looseObject({
  'machine-port-ranges': z
    .record(z.string(), z.looseObject({'unit-port-ranges': z.record(z.string(), z.array(z.looseObject({'from-port': z.number(), 'to-port': z.number(), protocol: z.string()}))).optional()}))
    .nullable()
    .optional(),
})

const charmMetadataSchema = z.looseObject({
  name: z.string().optional(),
  subordinate: z.boolean().optional(),
  'run-as': z.string().optional(),
  assumes: z.string().optional(),
  relations: z
    .record(z.string(), z.looseObject({name: z.string().optional(), role: z.string(), interface: z.string(), optional: z.boolean().optional(), scope: z.string().optional()}))
    .nullable()
    .optional(),
  containers: z.record(z.string(), z.looseObject({resource: z.string().optional(), uid: z.number().int().optional(), gid: z.number().int().optional()})).nullable().optional(),
})

const applicationSchema = z.looseObject({
  name: z.string(),
  type: z.enum(['iaas', 'caas']).optional(),
  subordinate: z.boolean().optional(),
  'charm-url': z.string(),
  'cs-channel': z.string().optional(),
  series: z.string().optional(),
  exposed: z.boolean().optional(),
  'exposed-endpoints': z
    .record(z.string(), z.looseObject({'expose-to-spaces': z.array(z.string()).optional(), 'expose-to-cidrs': z.array(z.string()).optional()}).nullable())
    .nullable()
    .optional(),
  settings: z.record(z.string(), z.unknown()).nullable().optional(),
  'application-config': z.record(z.string(), z.unknown()).nullable().optional(),
  'desired-scale': z.number().int().optional(),
  units: z.looseObject({units: z.array(z.looseObject({name: z.string(), machine: z.string().optional()})).nullable().optional()}).optional(),
  offers: z
    .looseObject({
      offers: z
        .array(
          z.looseObject({
            'offer-name': z.string(),
            endpoints: z.union([z.record(z.string(), z.string()), z.array(z.string())]).optional(),
            acl: z.record(z.string(), z.string()).nullable().optional(),
          }),
        )
        .nullable()
        .optional(),
    })
    .optional(),
  'opened-port-ranges': portRangesSchema.optional(),
  'charm-origin': z.looseObject({source: z.string().optional(), revision: z.number().int().optional(), channel: z.string().optional(), platform: z.string().optional()}).optional(),
  'charm-metadata': charmMetadataSchema.optional(),
  'charm-configs': z
    .looseObject({configs: z.record(z.string(), z.looseObject({type: z.string().optional(), default: z.unknown().optional(), description: z.string().optional()})).nullable().optional()})
    .optional(),
})

type DumpApplication = z.infer<typeof applicationSchema>

export interface DumpContext {
  ctx: ReadContext
  scope: Scope
  relations: Relation[]
  spaces: SpaceNames
  /** Ports opened on machines, by unit (machine models keep them there). */
  machinePorts: Map<string, string[]>
}

export function readDumpApplications(applications: unknown[], dump: DumpContext): Contribution[] {
  const out: Contribution[] = []
  for (const [index, raw] of applications.entries()) {
    const path: DataPath = ['applications', 'applications', index]
    const app = check(applicationSchema, raw, dump.ctx, path, KIND)
    out.push(...readApplication(app, path, dump))
  }
  return out
}

/** charm-origin `source` (corecharm.Source) → the origin status prints. */
const ORIGINS: Record<string, string> = {'charm-hub': 'charmhub', local: 'local', 'charm-store': 'charmstore'}

function readApplication(app: DumpApplication, path: DataPath, dump: DumpContext): Contribution[] {
  const {ctx, scope} = dump
  const at = (...keys: string[]): SourceRef => refAt(ctx, [...path, ...keys])
  const charm = parseCharmRef(app['charm-url'])
  const origin = app['charm-origin']
  const channel = origin?.channel || app['cs-channel'] || undefined
  const trust = trustOf(app['application-config'])
  const exposedEndpoints = app['exposed-endpoints'] ? exposedEndpointsOf(app['exposed-endpoints'], dump.spaces) : undefined

  const refs: Partial<Record<ApplicationFact, SourceRef>> = {definition: refAt(ctx, path), charm: at('charm-url')}
  if (channel !== undefined) refs.channel = at(origin?.channel ? 'charm-origin' : 'cs-channel')
  if (trust.ref) refs.trust = at(...trust.ref)
  if (app.exposed !== undefined) refs.expose = at('exposed')
  if (exposedEndpoints !== undefined) refs['exposed-endpoints'] = at('exposed-endpoints')
  if (origin?.platform) refs.base = at('charm-origin')

  const settings = app.settings ?? {}
  const units = unitsOf(app, dump)
  const out: Contribution[] = [
    {
      type: 'application',
      scope,
      facts: compact({
        name: app.name,
        charm: app['charm-metadata']?.name ?? charm.charm,
        charmOrigin: (origin?.source && ORIGINS[origin.source]) ?? charm.origin,
        channel,
        revision: origin?.revision ?? charm.revision,
        base: baseOf(origin?.platform),
        series: app.series || undefined,
        scale: app['desired-scale'] ?? units.length,
        // `exposed` is left out when false; the dump is the whole model, so absent means no.
        exposed: app.exposed ?? (exposedEndpoints !== undefined && Object.keys(exposedEndpoints).length > 0),
        exposedEndpoints,
        trust: trust.value,
        options: {...settings},
        optionRefs: Object.fromEntries(Object.keys(settings).map((option) => [option, at('settings', option)])),
        subordinateTo: app.subordinate ? principalsOf(app.name, dump.relations) : undefined,
        units,
        refs,
      }),
    },
  ]
  out.push(...offersOf(app, path, dump))
  const metadata = charmMetadataOf(app, charm.charm, path, ctx)
  if (metadata) {
    out.push({type: 'input', scope: {...scope, file: ctx.file}, input: 'charm-metadata'})
    out.push({type: 'charm', charm: metadata})
  }
  return out
}

/** `application-config: {trust: true}`; not set means Juju's default, false. */
function trustOf(config: Record<string, unknown> | null | undefined): {value: boolean; ref?: string[]} {
  const value = config?.trust
  if (value === true || value === 'true') return {value: true, ref: ['application-config', 'trust']}
  if (value === false || value === 'false') return {value: false, ref: ['application-config', 'trust']}
  return {value: false}
}

function exposedEndpointsOf(
  endpoints: Record<string, {'expose-to-spaces'?: string[]; 'expose-to-cidrs'?: string[]} | null>,
  spaces: SpaceNames,
): Record<string, ExposedEndpoint> {
  const out: Record<string, ExposedEndpoint> = {}
  for (const [endpoint, spec] of Object.entries(endpoints)) {
    out[endpoint] = {cidrs: [...(spec?.['expose-to-cidrs'] ?? [])], spaces: (spec?.['expose-to-spaces'] ?? []).map((id) => spaces.get(id) ?? id)}
  }
  return out
}

/** charm-origin `platform`: `amd64/ubuntu/22.04` (arch/os/channel). */
function baseOf(platform: string | undefined): {name: string; channel: string} | undefined {
  const [, os, channel] = platform?.split('/') ?? []
  return os && channel && os !== 'unknown' ? {name: os, channel} : undefined
}

/** A subordinate's principals: the applications at the other end of its container-scoped relations. */
function principalsOf(name: string, relations: Relation[]): string[] | undefined {
  const principals = new Set<string>()
  for (const relation of relations) {
    if (relation.scope !== 'container' || !relation.endpoints.some((end) => end.application === name)) continue
    for (const end of relation.endpoints) if (end.application !== name) principals.add(end.application)
  }
  return principals.size > 0 ? [...principals].sort(compareText) : undefined
}

function unitsOf(app: DumpApplication, dump: DumpContext): Unit[] {
  const appPorts = portsByUnit(app['opened-port-ranges'])
  return (app.units?.units ?? [])
    .map((unit) => compact({name: unit.name, machine: unit.machine || undefined, openPorts: appPorts.get(unit.name) ?? dump.machinePorts.get(unit.name) ?? []}))
    .sort((a, b) => compareNatural(a.name, b.name))
}

/**
 * `opened-port-ranges` (port_ranges.go), on an application (Kubernetes) or a machine:
 * `{machine-port-ranges: {<unit>: {unit-port-ranges: {<endpoint>: [{from-port, to-port, protocol}]}}}}`,
 * as the `80/tcp`, `8000-8010/tcp` strings status prints.
 */
export function portsByUnit(ranges: unknown): Map<string, string[]> {
  const out = new Map<string, string[]>()
  const parsed = portRangesSchema.safeParse(ranges)
  if (!parsed.success) return out
  for (const [unit, byEndpoint] of Object.entries(parsed.data['machine-port-ranges'] ?? {})) {
    const all = Object.values(byEndpoint['unit-port-ranges'] ?? {}).flat()
    const text = all.map((r) => (r['from-port'] === r['to-port'] ? `${r['from-port']}/${r.protocol}` : `${r['from-port']}-${r['to-port']}/${r.protocol}`))
    out.set(unit, [...new Set([...(out.get(unit) ?? []), ...text])])
  }
  return out
}

function offersOf(app: DumpApplication, path: DataPath, {ctx, scope}: DumpContext): Contribution[] {
  return (app.offers?.offers ?? []).map((offer, index): Contribution => {
    const endpoints = Array.isArray(offer.endpoints) ? offer.endpoints : Object.keys(offer.endpoints ?? {})
    return {
      type: 'offer',
      scope,
      offer: compact({
        name: offer['offer-name'],
        application: app.name,
        endpoints: [...endpoints].sort(compareText).map((endpoint) => ({name: endpoint})),
        users: offer.acl ? Object.entries(offer.acl).sort(([a], [b]) => compareText(a, b)).map(([user, access]) => ({name: user, access})) : undefined,
        ref: refAt(ctx, [...path, 'offers', 'offers', index]),
      }),
    }
  })
}

const ROLES: Record<string, CharmEndpoint['role']> = {provider: 'provides', requirer: 'requires', peer: 'peers'}

/** The charm's metadata as the controller stored it (charmmetadata.go, charmconfigs.go). */
function charmMetadataOf(app: DumpApplication, charm: string, path: DataPath, ctx: ReadContext): CharmMetadata | undefined {
  const meta = app['charm-metadata']
  if (!meta) return undefined
  const base = [...path, 'charm-metadata']
  const at = (...keys: string[]): SourceRef => refAt(ctx, [...base, ...keys])
  const containers: CharmContainer[] = Object.entries(meta.containers ?? {})
    .sort(([a], [b]) => compareText(a, b))
    .map(([name, container]) => compact({name, resource: container.resource, uid: container.uid, gid: container.gid, ref: at('containers', name)}))
  const endpoints: CharmEndpoint[] = Object.entries(meta.relations ?? {})
    .filter(([, relation]) => ROLES[relation.role] !== undefined)
    .sort(([a], [b]) => compareText(a, b))
    .map(([name, relation]) => compact({name, role: ROLES[relation.role]!, interface: relation.interface, scope: relation.scope || undefined, optional: relation.optional, ref: at('relations', name)}))
  const configs = app['charm-configs']?.configs
  const options: Record<string, CharmOption> | undefined = configs
    ? Object.fromEntries(
        Object.entries(configs).map(([name, option]) => [
          name,
          compact({type: option.type, default: option.default, description: option.description, ref: refAt(ctx, [...path, 'charm-configs', 'configs', name])}),
        ]),
      )
    : undefined
  // run-as: root, sudoer, non-root; "default" or unset is root.
  const runAs = meta['run-as'] && meta['run-as'] !== 'default' ? meta['run-as'] : undefined
  const metadata: CharmMetadata = {
    name: meta.name ?? charm,
    containers,
    endpoints,
    // The dump carries `assumes` as one serialised expression; only k8s-api matters here.
    assumes: meta.assumes?.includes('k8s-api') ? ['k8s-api'] : [],
    source: ctx.file,
    refs: compact({definition: at(), charmUser: runAs === undefined ? undefined : at('run-as'), containers: meta.containers ? at('containers') : undefined}),
  }
  if (runAs !== undefined) metadata.charmUser = runAs
  if (options !== undefined) metadata.options = options
  if (meta.subordinate !== undefined) metadata.subordinate = meta.subordinate
  return metadata
}
