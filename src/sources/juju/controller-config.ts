/**
 * `juju controller-config --format=json|yaml`: a flat map of controller settings (`api-port`,
 * `controller-uuid`, `controller-name`, `audit-log-*`, ...). Recognised conservatively: it must
 * have both `controller-uuid` and `api-port` at the top level.
 */
import {z} from 'zod'

import type {DocumentReader} from '../../inventory/contributions.js'
import {check, fillScope, isRecord} from './common.js'

const KIND = 'juju controller-config'

const controllerConfigSchema = z.looseObject({
  'controller-uuid': z.string(),
  'controller-name': z.string().optional(),
  'api-port': z.union([z.number().int(), z.string()]),
})

export const controllerConfigReader: DocumentReader = {
  kind: KIND,
  recognises: (data) => isRecord(data) && 'controller-uuid' in data && 'api-port' in data,
  read(data, ctx) {
    const config = check(controllerConfigSchema, data, ctx, [], KIND)
    const scope = fillScope(ctx.scope, {controller: config['controller-name']})
    return [
      {type: 'input', scope, input: 'juju-controller-config'},
      {type: 'controller-config', scope, config: {...(data as Record<string, unknown>)}},
    ]
  },
}
