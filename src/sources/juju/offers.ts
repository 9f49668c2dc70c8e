/**
 * `juju offers --format=json|yaml`: `{<offer name>: ListOfferItem}`. Field names follow juju/juju
 * `cmd/juju/crossmodel/list.go` (ListOfferItem, offerConnectionDetails), `remoteendpoints.go`
 * (RemoteEndpoint) and `show.go` (OfferUser). `store` is the hosting controller. A connection
 * names its consumer by `source-model-uuid`; `source-model` is accepted too.
 */
import {basename} from 'node:path'

import {z} from 'zod'

import type {Contribution, DocumentReader} from '../../inventory/contributions.js'
import {check, compact, compareText, endpointMapSchema, everyValue, fillScope, isRecord, refAt, toEndpointList} from './common.js'

const KIND = 'juju offers'
const OFFERS_FILE = /^offers[^/\\]*\.(json|ya?ml)$/i

const offerItemSchema = z.looseObject({
  application: z.string(),
  store: z.string().optional(),
  charm: z.string().optional(),
  'offer-url': z.string(),
  endpoints: endpointMapSchema.nullable().optional(),
  connections: z
    .array(
      z.looseObject({
        'source-model-uuid': z.string().optional(),
        'source-model': z.string().optional(),
        username: z.string().optional(),
        'relation-id': z.number().int().optional(),
        endpoint: z.string().optional(),
      }),
    )
    .nullable()
    .optional(),
  users: z
    .record(z.string(), z.looseObject({'display-name': z.string().optional(), access: z.string()}))
    .nullable()
    .optional(),
})

export const offersReader: DocumentReader = {
  kind: KIND,
  recognises: (data, hint) =>
    everyValue(data, (item) => isRecord(item) && typeof item['offer-url'] === 'string' && 'application' in item) ||
    // `juju offers` prints `{}` for a model that offers nothing; only a file named like it may be that empty.
    (isRecord(data) && Object.keys(data).length === 0 && OFFERS_FILE.test(basename(hint.file))),
  read(data, ctx) {
    const out: Contribution[] = []
    const inputScopes = new Set<string>()
    if (isRecord(data) && Object.keys(data).length === 0) return [{type: 'input', scope: ctx.scope, input: 'juju-offers'}]
    for (const [name, raw] of Object.entries(check(z.record(z.string(), z.unknown()), data, ctx, [], KIND))) {
      const item = check(offerItemSchema, raw, ctx, [name], KIND)
      const url = parseOfferUrl(item['offer-url'])
      // `offer-url` names the controller only when it was given one; `store` always does.
      const scope = fillScope(ctx.scope, {controller: url?.controller ?? item.store, model: url?.model})
      const scopeKey = JSON.stringify([scope.controller, scope.model])
      if (!inputScopes.has(scopeKey)) {
        inputScopes.add(scopeKey)
        out.push({type: 'input', scope, input: 'juju-offers'})
      }
      out.push({
        type: 'offer',
        scope,
        offer: compact({
          name,
          application: item.application,
          url: item['offer-url'],
          endpoints: toEndpointList(item.endpoints ?? undefined),
          // Only offer admins see the users; absent means not known.
          users:
            item.users == null
              ? undefined
              : Object.entries(item.users)
                  .sort(([a], [b]) => compareText(a, b))
                  .map(([user, details]) => ({name: user, access: details.access})),
          connections: (item.connections ?? []).map((connection) =>
            compact({
              sourceModel: connection['source-model-uuid'] ?? connection['source-model'],
              username: connection.username,
              endpoint: connection.endpoint,
            }),
          ),
          ref: refAt(ctx, [name]),
        }),
      })
    }
    return out
  },
}

/**
 * `[<controller>:]<owner>/<model>.<offer>`; Juju 4 writes a qualifier where 3.x has the owner.
 * Model names cannot contain dots, so the model ends at the first one after the slash.
 */
export function parseOfferUrl(url: string): {controller?: string; owner: string; model: string; offer: string} | undefined {
  const match = /^(?:([^:/]+):)?([^/]+)\/([^./]+)\.(.+)$/.exec(url)
  if (!match) return undefined
  return compact({controller: match[1], owner: match[2]!, model: match[3]!, offer: match[4]!})
}
