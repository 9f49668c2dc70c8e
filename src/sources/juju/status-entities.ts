/**
 * The smaller sections of `juju status`: `machines` (with nested `containers`),
 * `application-endpoints` (remote applications this model consumes) and `offers`.
 */
import {z} from 'zod'

import type {Contribution, ReadContext, Scope} from '../../inventory/contributions.js'
import type {DataPath} from '../document.js'
import {baseObjectSchema, check, compact, compareNatural, endpointMapSchema, refAt, statusError, toEndpointList} from './common.js'
import type {OnGap} from './status-applications.js'
import {type RelationHalf, relationHalves, type RemoteEndpoints, statusRelationsSchema} from './status-relations.js'

const KIND = 'juju status'

const machineSchema = z.looseObject({
  base: baseObjectSchema.optional(),
  series: z.string().optional(),
  containers: z.record(z.string(), z.unknown()).optional(),
})

const remoteApplicationSchema = z.looseObject({
  url: z.string(),
  endpoints: endpointMapSchema.optional(),
  relations: statusRelationsSchema.optional(),
})

const offerSchema = z.looseObject({
  application: z.string(),
  charm: z.string().optional(),
  endpoints: endpointMapSchema.optional(),
  'total-connected-count': z.number().int().nonnegative().optional(),
})

export function readStatusMachines(
  machines: Record<string, unknown> | undefined,
  ctx: ReadContext,
  scope: Scope,
  onGap: OnGap,
): Contribution[] {
  const out: Contribution[] = []
  const visit = (id: string, raw: unknown, path: DataPath): void => {
    const error = statusError(raw)
    if (error !== undefined) return onGap('machine', id, error, path)
    const machine = check(machineSchema, raw, ctx, path, KIND)
    out.push({
      type: 'machine',
      scope,
      machine: compact({
        id,
        base: machine.base === undefined ? undefined : {name: machine.base.name, channel: machine.base.channel},
        series: machine.series,
        ref: refAt(ctx, path),
      }),
    })
    for (const [container, rawContainer] of sortedEntries(machine.containers)) visit(container, rawContainer, [...path, 'containers', container])
  }
  for (const [id, raw] of sortedEntries(machines)) visit(id, raw, ['machines', id])
  return out
}

export function readStatusRemoteApplications(
  remoteApplications: Record<string, unknown> | undefined,
  ctx: ReadContext,
  scope: Scope,
  onGap: OnGap,
): {contributions: Contribution[]; halves: RelationHalf[]; endpoints: Map<string, RemoteEndpoints>} {
  const contributions: Contribution[] = []
  const halves: RelationHalf[] = []
  const endpoints = new Map<string, RemoteEndpoints>()
  for (const [name, raw] of Object.entries(remoteApplications ?? {})) {
    const path = ['application-endpoints', name]
    const error = statusError(raw)
    if (error !== undefined) {
      onGap('remote-application', name, error, path)
      continue
    }
    const remote = check(remoteApplicationSchema, raw, ctx, path, KIND)
    contributions.push({
      type: 'consumed-offer',
      scope,
      consumed: {name, url: remote.url, endpoints: toEndpointList(remote.endpoints), ref: refAt(ctx, path)},
    })
    endpoints.set(name, {endpoints: new Map(Object.entries(remote.endpoints ?? {}))})
    halves.push(...relationHalves(name, remote.relations, [...path, 'relations'], ctx))
  }
  return {contributions, halves, endpoints}
}

export function readStatusOffers(
  offers: Record<string, unknown> | undefined,
  ctx: ReadContext,
  scope: Scope,
  onGap: OnGap,
): Contribution[] {
  const out: Contribution[] = []
  for (const [name, raw] of Object.entries(offers ?? {})) {
    const path = ['offers', name]
    const error = statusError(raw)
    if (error !== undefined) {
      onGap('offer', name, error, path)
      continue
    }
    const offer = check(offerSchema, raw, ctx, path, KIND)
    out.push({
      type: 'offer',
      scope,
      offer: compact({name, application: offer.application, endpoints: toEndpointList(offer.endpoints), connectedCount: offer['total-connected-count'], ref: refAt(ctx, path)}),
    })
  }
  return out
}

function sortedEntries(map: Record<string, unknown> | undefined): [string, unknown][] {
  return Object.entries(map ?? {}).sort(([a], [b]) => compareNatural(a, b))
}
