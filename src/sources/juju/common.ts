/**
 * Small helpers shared by the Juju readers: type guards for recognition (which must never throw),
 * SourceRefs, scope filling and the shapes several Juju outputs have in common.
 */
import {z} from 'zod'

import type {ReadContext, Scope} from '../../inventory/contributions.js'
export {compact} from '../../inventory/compact.js'
import type {ExposedEndpoint} from '../../inventory/types.js'
import {cidrProblem} from '../../policy/cidr.js'
import type {DataPath, SourceRef} from '../document.js'
import {deepFreeze} from '../freeze.js'
import {onceIfFrozen, validate} from '../validate.js'

export type JsonRecord = Record<string, unknown>

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** True when `value` is a non-empty map whose every value passes `test`. */
export function everyValue(value: unknown, test: (entry: unknown) => boolean): value is JsonRecord {
  if (!isRecord(value)) return false
  const entries = Object.values(value)
  return entries.length > 0 && entries.every(test)
}

/** The message of a `{"status-error": "..."}` entry, which Juju prints in place of any entity it failed to read. */
export function statusError(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined
  const message = value['status-error']
  return typeof message === 'string' ? message : undefined
}

export function refAt(ctx: ReadContext, path: DataPath): SourceRef {
  return {file: ctx.file, document: ctx.document, path: [...path]}
}

/** The context's scope, with controller and model taken from the data where the context lacks them. */
export function fillScope(scope: Scope, from: {controller?: string; model?: string}): Scope {
  const filled: Scope = {...scope}
  if (filled.controller === undefined && from.controller) filled.controller = from.controller
  if (filled.model === undefined && from.model) filled.model = from.model
  return filled
}

/** zod-validates `data` found at `basePath` of the document, so an error names the full path. */
export function check<T extends z.ZodType>(schema: T, data: unknown, ctx: ReadContext, basePath: DataPath, what: string): z.infer<T> {
  // `reconcile --watch` reads the documents of models that did not change again, deeply frozen
  // (src/reconcile/unchanged-models.ts): each is validated once per schema, and its result
  // (frozen, so no reader can change what the next pass is given) serves every pass.
  return onceIfFrozen(schema, data, () => {
    const result = validate(schema, data, {file: ctx.file, document: ctx.document, locator: ctx.locator, basePath, what})
    if (Object.isFrozen(data)) deepFreeze(result)
    return result
  })
}

/** Sorts unit and machine names the way people read them: `app/2` before `app/10`. */
const natural = new Intl.Collator('en', {numeric: true})
export function compareNatural(a: string, b: string): number {
  return natural.compare(a, b)
}

/** Plain code-point order, for keys that must sort the same everywhere. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * A base written as a string (`ubuntu@22.04`, `ubuntu@22.04/stable`), as bundles and
 * `show-application` print it. The risk after `/` is dropped so the channel compares equal to the
 * `{name, channel}` object `juju status` prints (`{"name": "ubuntu", "channel": "22.04"}`).
 */
export function parseBase(text: string): {name: string; channel: string} | undefined {
  const at = text.indexOf('@')
  if (at <= 0 || at === text.length - 1) return undefined
  const channel = text.slice(at + 1).split('/')[0]!
  return channel ? {name: text.slice(0, at), channel} : undefined
}

export const baseObjectSchema = z.looseObject({name: z.string(), channel: z.string()})

/** A CIDR as Juju parses one (net.ParseCIDR): a bundle with any other in expose-to-cidrs is refused by juju deploy. */
const exposeToCidr = z.string().superRefine((value, context) => {
  const problem = cidrProblem(value)
  if (problem !== undefined) context.addIssue({code: 'custom', message: `${JSON.stringify(value)} is not a CIDR (${problem}): juju deploy refuses it`})
})

/** `exposed-endpoints` as `show-application`, status and bundle overlays print it; key `""` is every endpoint. */
export const exposedEndpointsSchema = z.record(
  z.string(),
  z
    .looseObject({
      'expose-to-cidrs': z.array(exposeToCidr).optional(),
      'expose-to-spaces': z.array(z.string()).optional(),
    })
    .nullable(),
)

export function toExposedEndpoints(data: z.infer<typeof exposedEndpointsSchema>): Record<string, ExposedEndpoint> {
  const out: Record<string, ExposedEndpoint> = {}
  for (const [endpoint, spec] of Object.entries(data)) {
    out[endpoint] = {cidrs: [...(spec?.['expose-to-cidrs'] ?? [])], spaces: [...(spec?.['expose-to-spaces'] ?? [])]}
  }
  return out
}

/** `{<endpoint>: {interface, role}}`, as in status offers, `application-endpoints` and `juju offers`. */
export const endpointMapSchema = z.record(
  z.string(),
  z.looseObject({interface: z.string().optional(), role: z.string().optional()}),
)

export function toEndpointList(data: z.infer<typeof endpointMapSchema> | undefined): {name: string; interface?: string; role?: string}[] {
  return Object.entries(data ?? {})
    .sort(([a], [b]) => compareText(a, b))
    .map(([name, endpoint]) => ({name, interface: endpoint.interface, role: endpoint.role}))
}
