/**
 * The relation graph of `juju status`. The CLI prints relations per application and endpoint, in
 * one of two shapes:
 *   before Juju 3.4  `"relations": {"ingress": ["traefik"]}`
 *   since Juju 3.4   `"relations": {"ingress": [{"related-application": "traefik", "interface": "ingress", "scope": "global"}]}`
 * Neither says which endpoint of the related application is at the other end, so each relation
 * is seen twice, as two "halves", and the halves are paired here. Both shapes yield the same graph:
 * one Relation per relation, endpoints sorted by application then endpoint.
 */
import {z} from 'zod'

import type {ReadContext} from '../../inventory/contributions.js'
import type {Relation, RelationEndpoint, RelationRole} from '../../inventory/types.js'
import type {DataPath, SourceRef} from '../document.js'
import {compareText, refAt} from './common.js'

export const statusRelationsSchema = z.record(
  z.string(),
  z.array(
    z.union(
      [
        z.string(),
        z.looseObject({
          'related-application': z.string(),
          interface: z.string().optional(),
          scope: z.string().optional(),
        }),
      ],
      {error: 'expected an application name or {related-application, interface, scope}'},
    ),
  ),
)

/** One application's view of one relation: "my endpoint `endpoint` is related to `related`". */
export interface RelationHalf {
  application: string
  endpoint: string
  related: string
  interface?: string
  scope?: string
  ref: SourceRef
}

/** What `application-endpoints` says about a remote application's endpoints. */
export interface RemoteEndpoints {
  endpoints: Map<string, {interface?: string; role?: string}>
}

export function relationHalves(
  application: string,
  relations: z.infer<typeof statusRelationsSchema> | undefined,
  basePath: DataPath,
  ctx: ReadContext,
): RelationHalf[] {
  const halves: RelationHalf[] = []
  for (const [endpoint, entries] of Object.entries(relations ?? {})) {
    const ref = refAt(ctx, [...basePath, endpoint])
    for (const entry of entries) {
      if (typeof entry === 'string') halves.push({application, endpoint, related: entry, ref})
      else {
        halves.push({
          application,
          endpoint,
          related: entry['related-application'],
          interface: entry.interface,
          scope: entry.scope,
          ref,
        })
      }
    }
  }
  return halves
}

/**
 * Pairs the halves into relations.
 *
 * - An application related to itself is a peer relation: one `peer` endpoint. (Status cannot tell
 *   a peer relation from a relation between two endpoints of the same application; the latter is
 *   rare enough that every self-reference is read as a peer.)
 * - Halves of applications A and B are matched within groups of the same interface when every
 *   half names one (3.4+), else within one group (before 3.4). Inside a group, endpoints with the
 *   same name on both sides are paired first (`grafana-dashboard` ↔ `grafana-dashboard`); the rest
 *   are paired in sorted endpoint order (`alerting` ↔ `alertmanager`, `self-metrics-endpoint` ↔
 *   `metrics-endpoint`). This is a heuristic where status is ambiguous (several endpoints of A
 *   related to several of B with nothing to tell them apart) but it is deterministic: the same
 *   status always gives the same graph, whatever the order of its keys.
 * - A half with no counterpart (the other application is not in the output, or lists fewer
 *   relations) keeps the other side's endpoint when that side uses exactly one endpoint in the
 *   group, else leaves it unknown.
 */
export function pairRelations(halves: RelationHalf[], remote: Map<string, RemoteEndpoints>): Relation[] {
  const relations: Relation[] = []
  const peers = new Set<string>()
  const groups = new Map<string, {a: string; b: string; left: RelationHalf[]; right: RelationHalf[]}>()

  for (const half of halves) {
    if (half.related === half.application) {
      const key = JSON.stringify([half.application, half.endpoint])
      if (peers.has(key)) continue
      peers.add(key)
      relations.push({
        endpoints: [{application: half.application, endpoint: half.endpoint, role: 'peer'}],
        interface: half.interface,
        scope: toScope(half.scope),
        ref: half.ref,
      })
      continue
    }
    const [a, b] = [half.application, half.related].sort(compareText) as [string, string]
    const key = JSON.stringify([a, b])
    let group = groups.get(key)
    if (!group) groups.set(key, (group = {a, b, left: [], right: []}))
    ;(half.application === a ? group.left : group.right).push(half)
  }

  for (const group of groups.values()) {
    for (const [left, right] of pairGroup(group.left, group.right)) {
      relations.push(toRelation(left, right, group, remote))
    }
  }
  const keys = new Map(relations.map((relation) => [relation, relationKey(relation)]))
  return relations.sort((x, y) => compareText(keys.get(x)!, keys.get(y)!))
}

type Pair = [RelationHalf | undefined, RelationHalf | undefined]

function pairGroup(left: RelationHalf[], right: RelationHalf[]): Pair[] {
  const all = [...left, ...right]
  const byInterface = all.every((half) => half.interface !== undefined)
  const bucketOf = (half: RelationHalf): string => (byInterface ? half.interface! : '')
  const buckets = [...new Set(all.map(bucketOf))].sort(compareText)
  const pairs: Pair[] = []
  for (const bucket of buckets) {
    const l = left.filter((half) => bucketOf(half) === bucket).sort(byEndpoint)
    const r = right.filter((half) => bucketOf(half) === bucket).sort(byEndpoint)
    pairs.push(...pairBucket(l, r))
  }
  return pairs
}

function pairBucket(left: RelationHalf[], right: RelationHalf[]): Pair[] {
  const pairs: Pair[] = []
  const usedRight = new Set<number>()
  const restLeft: RelationHalf[] = []
  for (const half of left) {
    const match = right.findIndex((other, index) => !usedRight.has(index) && other.endpoint === half.endpoint)
    if (match === -1) restLeft.push(half)
    else {
      usedRight.add(match)
      pairs.push([half, right[match]])
    }
  }
  const restRight = right.filter((_, index) => !usedRight.has(index))
  const paired = Math.min(restLeft.length, restRight.length)
  for (let i = 0; i < paired; i++) pairs.push([restLeft[i], restRight[i]])
  const soleLeft = new Set(left.map((half) => half.endpoint)).size === 1 ? left[0] : undefined
  const soleRight = new Set(right.map((half) => half.endpoint)).size === 1 ? right[0] : undefined
  for (const half of restLeft.slice(paired)) pairs.push([half, soleRight])
  for (const half of restRight.slice(paired)) pairs.push([soleLeft, half])
  return pairs
}

function toRelation(
  left: RelationHalf | undefined,
  right: RelationHalf | undefined,
  group: {a: string; b: string},
  remote: Map<string, RemoteEndpoints>,
): Relation {
  const endpoints = [endpointOf(group.a, left, remote), endpointOf(group.b, right, remote)]
  // A remote application's endpoint roles are known (`application-endpoints`); the local side
  // of a provider is a requirer and the other way round.
  for (const [i, endpoint] of endpoints.entries()) {
    const other = endpoints[1 - i]!
    const role = other.remote && other.role ? counterpart(other.role) : undefined
    if (endpoint.role === undefined && role) endpoint.role = role
  }
  const remoteInterface = endpoints
    .map((endpoint) => (endpoint.endpoint === undefined ? undefined : remote.get(endpoint.application)?.endpoints.get(endpoint.endpoint)?.interface))
    .find((value) => value !== undefined)
  // A relation is container-scoped when either side says so (a subordinate's juju-info, say).
  const scopes = [toScope(left?.scope), toScope(right?.scope)]
  return {
    endpoints: endpoints.sort(compareEndpoints),
    interface: left?.interface ?? right?.interface ?? remoteInterface,
    scope: scopes.includes('container') ? 'container' : (scopes[0] ?? scopes[1]),
    ref: (left ?? right)!.ref,
  }
}

function endpointOf(application: string, half: RelationHalf | undefined, remote: Map<string, RemoteEndpoints>): RelationEndpoint {
  const endpoint: RelationEndpoint = {application, endpoint: half?.endpoint}
  const remoteApp = remote.get(application)
  if (remoteApp) {
    endpoint.remote = true
    const role = half ? toRole(remoteApp.endpoints.get(half.endpoint)?.role) : undefined
    if (role) endpoint.role = role
  }
  return endpoint
}

function counterpart(role: RelationRole): RelationRole | undefined {
  return role === 'provider' ? 'requirer' : role === 'requirer' ? 'provider' : undefined
}

function toRole(role: string | undefined): RelationRole | undefined {
  return role === 'provider' || role === 'requirer' || role === 'peer' ? role : undefined
}

function toScope(scope: string | undefined): 'global' | 'container' | undefined {
  return scope === 'global' || scope === 'container' ? scope : undefined
}

function byEndpoint(x: RelationHalf, y: RelationHalf): number {
  return compareText(x.endpoint, y.endpoint)
}

export function compareEndpoints(x: RelationEndpoint, y: RelationEndpoint): number {
  return compareText(x.application, y.application) || compareText(x.endpoint ?? '', y.endpoint ?? '')
}

export function relationKey(relation: Relation): string {
  return relation.endpoints.map((endpoint) => `${endpoint.application}:${endpoint.endpoint ?? ''}`).join(' ')
}
