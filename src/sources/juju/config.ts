/**
 * `juju config APP --format=json|yaml`: `{application, charm, application-config, settings}`
 * (juju/juju `cmd/juju/application/config.go`; entries as built by the Application facade's Get:
 * `{default?, description, source, type, value?}`, see `apiserver/facades/client/application`).
 * `application-config.trust.value` is the trust flag. An option's effective value is `value`,
 * else `default`; an option with neither (source `unset`) is left out.
 */
import {z} from 'zod'

import type {DocumentReader} from '../../inventory/contributions.js'
import type {SourceRef} from '../document.js'
import {parseCharmRef} from './charm-url.js'
import {check, compact, isRecord, refAt} from './common.js'

const KIND = 'juju config'

const settingSchema = z.looseObject({
  value: z.unknown().optional(),
  default: z.unknown().optional(),
  type: z.string().optional(),
  source: z.string().optional(),
})

const configSchema = z.looseObject({
  application: z.string(),
  charm: z.string().optional(),
  'application-config': z
    .looseObject({trust: z.looseObject({value: z.boolean().optional(), default: z.boolean().optional()}).optional()})
    .nullable()
    .optional(),
  settings: z.record(z.string(), settingSchema).nullable().optional(),
})

export const configReader: DocumentReader = {
  kind: KIND,
  recognises: (data) =>
    isRecord(data) && typeof data.application === 'string' && ('settings' in data || 'application-config' in data),
  read(data, ctx) {
    const config = check(configSchema, data, ctx, [], KIND)
    const name = config.application
    const options: Record<string, unknown> = {}
    const optionRefs: Record<string, SourceRef> = {}
    for (const [option, setting] of Object.entries(config.settings ?? {})) {
      const value = 'value' in setting ? setting.value : setting.default
      if (value === undefined) continue
      options[option] = value
      optionRefs[option] = refAt(ctx, ['settings', option, 'value' in setting ? 'value' : 'default'])
    }
    const trust = config['application-config']?.trust
    const trustValue = trust?.value ?? trust?.default
    return [
      {type: 'input', scope: ctx.scope, input: 'juju-config'},
      {
        type: 'application',
        scope: ctx.scope,
        facts: compact({
          name,
          charm: config.charm === undefined ? undefined : parseCharmRef(config.charm).charm,
          trust: trustValue,
          options: config.settings == null ? undefined : options,
          optionRefs: config.settings == null ? undefined : optionRefs,
          refs: compact({
            definition: refAt(ctx, ['application']),
            trust: trust === undefined ? undefined : refAt(ctx, ['application-config', 'trust', trust.value === undefined ? 'default' : 'value']),
          }),
        }),
      },
    ]
  },
}
