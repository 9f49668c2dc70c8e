/**
 * `juju show-model --format=json|yaml`: `{<short name>: ModelInfo}`. Field names follow juju/juju
 * `cmd/juju/common/model.go` (ModelInfo, ModelUserInfo, ModelCredential; the key is the short
 * name, see `cmd/juju/model/show.go`). `name` is qualified (`admin/cos`); Juju 4 drops `owner`.
 * `last-connection` is human text ("never connected", "2 hours ago") and is kept as a string.
 */
import {z} from 'zod'

import type {Contribution, DocumentReader} from '../../inventory/contributions.js'
import type {ModelUser} from '../../inventory/types.js'
import {check, compact, compareText, everyValue, fillScope, isRecord, refAt} from './common.js'

const KIND = 'juju show-model'

const modelInfoSchema = z.looseObject({
  name: z.string().optional(),
  'short-name': z.string().optional(),
  'model-uuid': z.string(),
  'model-type': z.enum(['iaas', 'caas']).optional(),
  'controller-name': z.string().optional(),
  owner: z.string().optional(),
  cloud: z.string().optional(),
  region: z.string().optional(),
  'agent-version': z.string().optional(),
  users: z
    .record(
      z.string(),
      z.looseObject({
        'display-name': z.string().optional(),
        access: z.string(),
        'last-connection': z.string().optional(),
      }),
    )
    .optional(),
  credential: z
    .looseObject({name: z.string().optional(), owner: z.string().optional(), cloud: z.string().optional()})
    .optional(),
})

const showModelSchema = z.record(z.string(), z.unknown())

export const showModelReader: DocumentReader = {
  kind: KIND,
  recognises: (data) => everyValue(data, (info) => isRecord(info) && 'model-uuid' in info && ('model-type' in info || 'controller-uuid' in info)),
  read(data, ctx) {
    const out: Contribution[] = []
    for (const [key, raw] of Object.entries(check(showModelSchema, data, ctx, [], KIND))) {
      const info = check(modelInfoSchema, raw, ctx, [key], KIND)
      const name = info['short-name'] ?? unqualified(info.name) ?? unqualified(key)
      const scope = fillScope(ctx.scope, {model: name, controller: info['controller-name']})
      out.push({type: 'input', scope, input: 'juju-show-model'})
      out.push({
        type: 'model',
        scope,
        facts: compact({
          uuid: info['model-uuid'],
          type: info['model-type'],
          cloud: info.cloud,
          region: info.region,
          version: info['agent-version'],
          owner: info.owner,
          // `name` is QUALIFIER/NAME on Juju 3 (the owner) and Juju 4 (the qualifier, with no owner field).
          qualifier: qualifierOf(info.name) ?? info.owner,
          credential: info.credential === undefined ? undefined : compact({name: info.credential.name, owner: info.credential.owner, cloud: info.credential.cloud}),
        }),
        ref: refAt(ctx, [key]),
      })
      const users: ModelUser[] = Object.entries(info.users ?? {})
        .sort(([a], [b]) => compareText(a, b))
        .map(([user, details]) =>
          compact({
            name: user,
            access: details.access,
            lastConnection: details['last-connection'],
            displayName: details['display-name'],
            ref: refAt(ctx, [key, 'users', user]),
          }),
        )
      if (info.users !== undefined) out.push({type: 'model-users', scope, users})
    }
    return out
  },
}

/** `admin/cos` → `admin`; undefined for a name without one. */
function qualifierOf(name: string | undefined): string | undefined {
  const slash = name?.lastIndexOf('/') ?? -1
  return name !== undefined && slash > 0 ? name.slice(0, slash) : undefined
}

/** `admin/cos` → `cos`. */
function unqualified(name: string | undefined): string | undefined {
  return name === undefined ? undefined : name.slice(name.lastIndexOf('/') + 1)
}
