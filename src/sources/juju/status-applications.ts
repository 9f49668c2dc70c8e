/**
 * The `applications` section of `juju status`: application facts with their units (subordinate
 * units, which status nests under their principal unit, are filed under their own application)
 * and each application's relation halves for status-relations.ts.
 */
import {z} from 'zod'

import type {Contribution, ReadContext, Scope} from '../../inventory/contributions.js'
import type {ApplicationFact, Unit} from '../../inventory/types.js'
import type {DataPath, SourceRef} from '../document.js'
import {parseCharmRef} from './charm-url.js'
import {
  baseObjectSchema,
  check,
  compact,
  compareNatural,
  exposedEndpointsSchema,
  refAt,
  statusError,
  toExposedEndpoints,
} from './common.js'
import {type RelationHalf, relationHalves, statusRelationsSchema} from './status-relations.js'

const KIND = 'juju status'

export type OnGap = (kind: string, name: string, message: string, path: DataPath) => void

const unitSchema = z.looseObject({
  machine: z.string().optional(),
  'open-ports': z.array(z.string()).optional(),
  address: z.string().optional(),
  'public-address': z.string().optional(),
  'provider-id': z.string().optional(),
  subordinates: z.record(z.string(), z.unknown()).optional(),
})

const applicationSchema = z.looseObject({
  charm: z.string().optional(),
  'charm-name': z.string().optional(),
  'charm-origin': z.string().optional(),
  'charm-channel': z.string().optional(),
  'charm-rev': z.number().int().optional(),
  'can-upgrade-to': z.string().optional(),
  base: baseObjectSchema.optional(),
  series: z.string().optional(),
  scale: z.number().int().optional(),
  exposed: z.boolean().optional(),
  'exposed-endpoints': exposedEndpointsSchema.optional(),
  'subordinate-to': z.array(z.string()).optional(),
  'endpoint-bindings': z.record(z.string(), z.string()).optional(),
  relations: statusRelationsSchema.optional(),
  units: z.record(z.string(), z.unknown()).optional(),
})

type StatusApplication = z.infer<typeof applicationSchema>

export function readStatusApplications(
  applications: Record<string, unknown> | undefined,
  ctx: ReadContext,
  scope: Scope,
  onGap: OnGap,
): {contributions: Contribution[]; halves: RelationHalf[]} {
  const valid: [string, StatusApplication][] = []
  const units = new Map<string, Unit[]>()

  const collectUnit = (name: string, raw: unknown, path: DataPath, principalMachine: string | undefined): void => {
    const error = statusError(raw)
    if (error !== undefined) return onGap('unit', name, error, path)
    const unit = check(unitSchema, raw, ctx, path, KIND)
    const machine = unit.machine ?? principalMachine
    const application = name.split('/')[0]!
    let list = units.get(application)
    if (!list) units.set(application, (list = []))
    list.push(
      compact({
        name,
        machine,
        openPorts: [...(unit['open-ports'] ?? [])],
        address: unit.address,
        publicAddress: unit['public-address'],
        providerId: unit['provider-id'],
      }),
    )
    for (const [subordinate, rawSubordinate] of Object.entries(unit.subordinates ?? {})) {
      collectUnit(subordinate, rawSubordinate, [...path, 'subordinates', subordinate], machine)
    }
  }

  for (const [name, raw] of Object.entries(applications ?? {})) {
    const path = ['applications', name]
    const error = statusError(raw)
    if (error !== undefined) {
      onGap('application', name, error, path)
      continue
    }
    const application = check(applicationSchema, raw, ctx, path, KIND)
    valid.push([name, application])
    for (const [unit, rawUnit] of Object.entries(application.units ?? {})) {
      collectUnit(unit, rawUnit, [...path, 'units', unit], undefined)
    }
  }

  const contributions: Contribution[] = []
  const halves: RelationHalf[] = []
  for (const [name, application] of valid) {
    const path = ['applications', name]
    contributions.push({
      type: 'application',
      scope,
      facts: applicationFacts(name, application, (units.get(name) ?? []).sort((a, b) => compareNatural(a.name, b.name)), path, ctx),
    })
    halves.push(...relationHalves(name, application.relations, [...path, 'relations'], ctx))
  }
  return {contributions, halves}
}

function applicationFacts(name: string, app: StatusApplication, units: Unit[], path: DataPath, ctx: ReadContext) {
  const charm = app.charm === undefined ? undefined : parseCharmRef(app.charm)
  const refs: Partial<Record<ApplicationFact, SourceRef>> = {definition: refAt(ctx, path)}
  const at = (key: string): SourceRef => refAt(ctx, [...path, key])
  if (app['charm-name'] !== undefined) refs.charm = at('charm-name')
  else if (app.charm !== undefined) refs.charm = at('charm')
  if (app['charm-channel'] !== undefined) refs.channel = at('charm-channel')
  if (app.base !== undefined) refs.base = at('base')
  if (app['can-upgrade-to'] !== undefined) refs['can-upgrade-to'] = at('can-upgrade-to')
  if (app.exposed !== undefined) refs.expose = at('exposed')
  if (app['exposed-endpoints'] !== undefined) refs['exposed-endpoints'] = at('exposed-endpoints')
  return compact({
    name,
    charm: app['charm-name'] ?? charm?.charm,
    charmOrigin: app['charm-origin'] ?? charm?.origin,
    channel: app['charm-channel'],
    revision: app['charm-rev'] ?? charm?.revision,
    canUpgradeTo: app['can-upgrade-to'],
    base: app.base === undefined ? undefined : {name: app.base.name, channel: app.base.channel},
    series: app.series,
    scale: app.scale,
    exposed: app.exposed,
    exposedEndpoints: app['exposed-endpoints'] === undefined ? undefined : toExposedEndpoints(app['exposed-endpoints']),
    subordinateTo: app['subordinate-to'] === undefined ? undefined : [...app['subordinate-to']],
    // The "" key is the application's default space, not an endpoint.
    endpointNames: app['endpoint-bindings'] === undefined ? undefined : Object.keys(app['endpoint-bindings']).filter((name) => name !== '').sort(),
    units,
    refs,
  })
}
