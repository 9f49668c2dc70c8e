/**
 * `juju status --format=json|yaml`. Field names follow juju/juju `cmd/juju/status/formatted.go`
 * (formattedStatus, applicationStatus, unitStatus, machineStatus, remoteApplicationStatus,
 * offerStatus); any entity may be `{"status-error": "..."}` instead (errorStatus), which becomes a
 * gap, not an error.
 */
import {basename} from 'node:path'

import {z} from 'zod'

import type {Contribution, DocumentReader, ReadContext, Scope} from '../../inventory/contributions.js'
import type {InventoryGap} from '../../inventory/types.js'
import type {DataPath} from '../document.js'
import {check, compact, fillScope, isRecord, refAt, statusError} from './common.js'
import {pairRelations} from './status-relations.js'
import {readStatusApplications} from './status-applications.js'
import {readStatusMachines, readStatusOffers, readStatusRemoteApplications} from './status-entities.js'

const KIND = 'juju status'
/** `juju status` prints `{}` when it has nothing to say; only a file named like a status dump may be that empty. */
const STATUS_FILE = /^status[^/\\]*\.(json|ya?ml)$/i

const topSchema = z.looseObject({
  model: z.unknown().optional(),
  machines: z.record(z.string(), z.unknown()).optional(),
  applications: z.record(z.string(), z.unknown()).optional(),
  'application-endpoints': z.record(z.string(), z.unknown()).optional(),
  offers: z.record(z.string(), z.unknown()).optional(),
})

const modelSchema = z.looseObject({
  name: z.string().optional(),
  type: z.enum(['iaas', 'caas']).optional(),
  controller: z.string().optional(),
  cloud: z.string().optional(),
  region: z.string().optional(),
  version: z.string().optional(),
})

export const statusReader: DocumentReader = {
  kind: KIND,
  recognises(data, hint) {
    if (!isRecord(data)) return false
    if (Object.keys(data).length === 0) return STATUS_FILE.test(basename(hint.file))
    // The whole status call failed: `{"status-error": "..."}` and nothing else.
    if (statusError(data) !== undefined && Object.keys(data).length === 1) return true
    const model = data.model
    if (!isRecord(model) || 'model-uuid' in model) return false
    return 'applications' in data || 'machines' in data || typeof model.name === 'string' || 'status-error' in model
  },
  read(data, ctx) {
    const top = check(topSchema, data, ctx, [], KIND)
    const out: Contribution[] = []
    let scope: Scope = ctx.scope

    const topError = statusError(data)
    if (topError !== undefined) {
      scope = fillScope(ctx.scope, modelNamed(top.model))
      out.push(gap(scope, 'model', scope.model ?? '', topError, [], ctx))
    }
    if (top.model !== undefined) {
      const error = statusError(top.model)
      if (error !== undefined) {
        // The model part errored; it may still carry its name.
        scope = fillScope(ctx.scope, modelNamed(top.model))
        out.push(gap(scope, 'model', scope.model ?? '', error, ['model'], ctx))
      } else {
        const model = check(modelSchema, top.model, ctx, ['model'], KIND)
        scope = fillScope(ctx.scope, {model: model.name, controller: model.controller})
        out.push({
          type: 'model',
          scope,
          facts: compact({type: model.type, cloud: model.cloud, region: model.region, version: model.version}),
          ref: refAt(ctx, ['model']),
        })
        // The model's own status can fail while its name and type are still reported.
        const statusFailure = statusError((top.model as Record<string, unknown>)['model-status'])
        if (statusFailure !== undefined) out.push(gap(scope, 'model', scope.model ?? '', statusFailure, ['model', 'model-status'], ctx))
      }
    }

    const gaps: Contribution[] = []
    const onGap = (kind: string, name: string, message: string, path: DataPath): void => {
      gaps.push(gap(scope, kind, name, message, path, ctx))
    }

    out.push(...readStatusMachines(top.machines, ctx, scope, onGap))
    const applications = readStatusApplications(top.applications, ctx, scope, onGap)
    const remote = readStatusRemoteApplications(top['application-endpoints'], ctx, scope, onGap)
    out.push(...applications.contributions, ...remote.contributions)

    for (const relation of pairRelations([...applications.halves, ...remote.halves], remote.endpoints)) {
      out.push({type: 'relation', scope, relation})
    }

    out.push(...readStatusOffers(top.offers, ctx, scope, onGap))
    return [{type: 'input', scope, input: 'juju-status'}, ...out, ...gaps]
  },
}

function modelNamed(model: unknown): {model?: string; controller?: string} {
  if (!isRecord(model)) return {}
  return {
    ...(typeof model.name === 'string' && model.name !== '' ? {model: model.name} : {}),
    ...(typeof model.controller === 'string' && model.controller !== '' ? {controller: model.controller} : {}),
  }
}

function gap(scope: Scope, kind: string, name: string, message: string, path: DataPath, ctx: ReadContext): Contribution {
  const target: InventoryGap['target'] = {kind, name}
  if (scope.controller !== undefined) target.controller = scope.controller
  if (scope.model !== undefined) target.model = scope.model
  return {type: 'gap', scope, gap: {target, message: `status-error: ${message}`, ref: refAt(ctx, path)}}
}
