/**
 * `juju show-application APP --format=json|yaml`: `{<app>: ApplicationInfo}` (juju/juju
 * `cmd/juju/application/show.go`: charm, base (a string, `ubuntu@22.04`; `series` before 3.x),
 * channel, constraints, principal, exposed, exposed-endpoints, remote, life, endpoint-bindings).
 * A remote (consumed) application is not one of the model's applications and is skipped.
 */
import {z} from 'zod'

import type {Contribution, DocumentReader} from '../../inventory/contributions.js'
import type {ApplicationFact} from '../../inventory/types.js'
import type {SourceRef} from '../document.js'
import {parseCharmRef} from './charm-url.js'
import {check, compact, everyValue, exposedEndpointsSchema, isRecord, parseBase, refAt, toExposedEndpoints} from './common.js'

const KIND = 'juju show-application'

const applicationInfoSchema = z.looseObject({
  charm: z.string().optional(),
  base: z.string().optional(),
  series: z.string().optional(),
  channel: z.string().optional(),
  principal: z.boolean().optional(),
  exposed: z.boolean().optional(),
  'exposed-endpoints': exposedEndpointsSchema.optional(),
  remote: z.boolean().optional(),
})

export const showApplicationReader: DocumentReader = {
  kind: KIND,
  recognises: (data) => everyValue(data, (info) => isRecord(info) && 'principal' in info && 'remote' in info),
  read(data, ctx) {
    const out: Contribution[] = [{type: 'input', scope: ctx.scope, input: 'juju-show-application'}]
    for (const [name, raw] of Object.entries(check(z.record(z.string(), z.unknown()), data, ctx, [], KIND))) {
      const info = check(applicationInfoSchema, raw, ctx, [name], KIND)
      if (info.remote) continue
      const at = (field: string): SourceRef => refAt(ctx, [name, field])
      const refs: Partial<Record<ApplicationFact, SourceRef>> = {definition: refAt(ctx, [name])}
      if (info.charm !== undefined) refs.charm = at('charm')
      if (info.channel !== undefined) refs.channel = at('channel')
      if (info.base !== undefined) refs.base = at('base')
      if (info.exposed !== undefined) refs.expose = at('exposed')
      if (info['exposed-endpoints'] !== undefined) refs['exposed-endpoints'] = at('exposed-endpoints')
      const charm = info.charm === undefined ? undefined : parseCharmRef(info.charm)
      out.push({
        type: 'application',
        scope: ctx.scope,
        facts: compact({
          name,
          charm: charm?.charm,
          channel: info.channel,
          base: info.base === undefined ? undefined : parseBase(info.base),
          series: info.series,
          exposed: info.exposed,
          // Exposed with no per-endpoint settings means every endpoint, to everyone: say so only
          // when Juju printed the settings.
          exposedEndpoints: info['exposed-endpoints'] === undefined ? undefined : toExposedEndpoints(info['exposed-endpoints']),
          refs,
        }),
      })
    }
    return out
  },
}
