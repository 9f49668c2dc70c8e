/**
 * What hardenctl reads from the Juju API answers, checked with zod before use. Field names are
 * Juju's `apiserver/params` JSON tags, as in jujulib's generated facade types (Juju 3.1–3.6). Only
 * the fields the conversion to CLI output uses are listed; the schemas are loose so newer fields
 * pass through.
 */
import {z} from 'zod'

import {IncompleteError} from '../../errors.js'

const detailedStatus = z.looseObject({status: z.string().optional(), info: z.string().optional(), since: z.string().nullable().optional(), version: z.string().optional()})
const base = z.looseObject({name: z.string(), channel: z.string()})
const exposedEndpoints = z.record(
  z.string(),
  z.looseObject({'expose-to-cidrs': z.array(z.string()).nullable().optional(), 'expose-to-spaces': z.array(z.string()).nullable().optional()}),
)
const relationMap = z.record(z.string(), z.array(z.string()))

export interface ApiUnit {
  address?: string | undefined
  'agent-status'?: z.infer<typeof detailedStatus> | undefined
  'workload-status'?: z.infer<typeof detailedStatus> | undefined
  leader?: boolean | undefined
  machine?: string | undefined
  'opened-ports'?: string[] | null | undefined
  'provider-id'?: string | undefined
  'public-address'?: string | undefined
  subordinates?: Record<string, ApiUnit> | null | undefined
}
const unit: z.ZodType<ApiUnit> = z.lazy(() =>
  z.looseObject({
    address: z.string().optional(),
    'agent-status': detailedStatus.optional(),
    'workload-status': detailedStatus.optional(),
    leader: z.boolean().optional(),
    machine: z.string().optional(),
    'opened-ports': z.array(z.string()).nullable().optional(),
    'provider-id': z.string().optional(),
    'public-address': z.string().optional(),
    subordinates: z.record(z.string(), unit).nullable().optional(),
  }),
)

export interface ApiMachine {
  id?: string | undefined
  base?: z.infer<typeof base> | undefined
  'agent-status'?: z.infer<typeof detailedStatus> | undefined
  'instance-status'?: z.infer<typeof detailedStatus> | undefined
  'dns-name'?: string | undefined
  'instance-id'?: string | undefined
  hostname?: string | undefined
  'ip-addresses'?: string[] | null | undefined
  constraints?: string | undefined
  hardware?: string | undefined
  containers?: Record<string, ApiMachine> | null | undefined
}
const machine: z.ZodType<ApiMachine> = z.lazy(() =>
  z.looseObject({
    id: z.string().optional(),
    base: base.optional(),
    'agent-status': detailedStatus.optional(),
    'instance-status': detailedStatus.optional(),
    'dns-name': z.string().optional(),
    'instance-id': z.string().optional(),
    hostname: z.string().optional(),
    'ip-addresses': z.array(z.string()).nullable().optional(),
    constraints: z.string().optional(),
    hardware: z.string().optional(),
    containers: z.record(z.string(), machine).nullable().optional(),
  }),
)

const application = z.looseObject({
  charm: z.string(),
  'charm-channel': z.string().optional(),
  'charm-rev': z.number().int().optional(),
  'charm-version': z.string().optional(),
  base: base.optional(),
  'can-upgrade-to': z.string().optional(),
  exposed: z.boolean().optional(),
  'exposed-endpoints': exposedEndpoints.nullable().optional(),
  /** Scale: Juju's params.ApplicationStatus tags it `int`. */
  int: z.number().int().optional(),
  'provider-id': z.string().optional(),
  'public-address': z.string().optional(),
  relations: relationMap.nullable().optional(),
  status: detailedStatus.optional(),
  'subordinate-to': z.array(z.string()).nullable().optional(),
  units: z.record(z.string(), unit).nullable().optional(),
  'workload-version': z.string().optional(),
  'endpoint-bindings': z.record(z.string(), z.string()).nullable().optional(),
  err: z.unknown().optional(),
})

const remoteEndpoint = z.looseObject({name: z.string(), role: z.string().optional(), interface: z.string().optional(), limit: z.number().optional()})

export const fullStatusSchema = z.looseObject({
  model: z.looseObject({
    name: z.string(),
    type: z.string().optional(),
    'cloud-tag': z.string().optional(),
    region: z.string().optional(),
    version: z.string().optional(),
    'model-status': detailedStatus.optional(),
  }),
  machines: z.record(z.string(), machine).nullable().optional(),
  applications: z.record(z.string(), application).nullable().optional(),
  'remote-applications': z
    .record(
      z.string(),
      z.looseObject({
        'offer-url': z.string(),
        endpoints: z.array(remoteEndpoint).nullable().optional(),
        relations: relationMap.nullable().optional(),
        status: detailedStatus.optional(),
        err: z.unknown().optional(),
      }),
    )
    .nullable()
    .optional(),
  offers: z
    .record(
      z.string(),
      z.looseObject({
        'application-name': z.string(),
        charm: z.string().optional(),
        endpoints: z.record(z.string(), remoteEndpoint).nullable().optional(),
        'active-connected-count': z.number().optional(),
        'total-connected-count': z.number().optional(),
        err: z.unknown().optional(),
      }),
    )
    .nullable()
    .optional(),
  relations: z
    .array(
      z.looseObject({
        id: z.number().optional(),
        interface: z.string().optional(),
        scope: z.string().optional(),
        endpoints: z.array(z.looseObject({application: z.string(), name: z.string(), role: z.string().optional()})).nullable().optional(),
      }),
    )
    .nullable()
    .optional(),
})
export type ApiFullStatus = z.infer<typeof fullStatusSchema>
export type ApiApplication = z.infer<typeof application>

const errorResult = z.looseObject({message: z.string(), code: z.string().optional()})

// Juju 3 qualifies a model's name by its owner (`owner-tag`: user-admin); Juju 4's ModelManager v11
// by a `qualifier` instead ("Qualifier disambiguates the model name", juju/juju rpc/params/model.go@80c1f484).
const modelSummary = z
  .looseObject({name: z.string(), uuid: z.string(), type: z.string().optional(), 'owner-tag': z.string().optional(), qualifier: z.string().optional()})
  .refine((summary) => summary['owner-tag'] !== undefined || summary.qualifier !== undefined, {message: 'expected owner-tag (Juju 3) or qualifier (Juju 4)', path: ['owner-tag']})
export const modelSummariesSchema = z.looseObject({
  results: z.array(z.looseObject({result: modelSummary.nullable().optional(), error: errorResult.nullable().optional()})).nullable().optional(),
})
export type ApiModelSummary = z.infer<typeof modelSummary>

const modelInfo = z.looseObject({
  name: z.string(),
  uuid: z.string(),
  type: z.string().optional(),
  'owner-tag': z.string().optional(),
  qualifier: z.string().optional(),
  'cloud-tag': z.string().optional(),
  'cloud-region': z.string().optional(),
  'cloud-credential-tag': z.string().optional(),
  'controller-uuid': z.string().optional(),
  'is-controller': z.boolean().optional(),
  'provider-type': z.string().optional(),
  'agent-version': z.string().optional(),
  life: z.string().optional(),
  status: z.looseObject({status: z.string().optional(), since: z.string().nullable().optional()}).nullable().optional(),
  users: z
    .array(z.looseObject({user: z.string(), 'display-name': z.string().optional(), access: z.string(), 'last-connection': z.string().nullable().optional()}))
    .nullable()
    .optional(),
})
export const modelInfoResultsSchema = z.looseObject({
  results: z.array(z.looseObject({result: modelInfo.nullable().optional(), error: errorResult.nullable().optional()})),
})
export type ApiModelInfo = z.infer<typeof modelInfo>

const userInfo = z.looseObject({
  username: z.string(),
  'display-name': z.string().optional(),
  access: z.string().optional(),
  'created-by': z.string().optional(),
  'date-created': z.string().nullable().optional(),
  'last-connection': z.string().nullable().optional(),
  disabled: z.boolean().optional(),
})
export const userInfoResultsSchema = z.looseObject({
  results: z.array(z.looseObject({result: userInfo.nullable().optional(), error: errorResult.nullable().optional()})).nullable().optional(),
})
export type ApiUserInfo = z.infer<typeof userInfo>

const offerDetails = z.looseObject({
  'offer-name': z.string(),
  'offer-url': z.string(),
  'application-name': z.string(),
  'charm-url': z.string().optional(),
  'source-model-tag': z.string().optional(),
  endpoints: z.array(remoteEndpoint).nullable().optional(),
  users: z.array(z.looseObject({user: z.string(), 'display-name': z.string().optional(), access: z.string()})).nullable().optional(),
  connections: z
    .array(
      z.looseObject({
        'source-model-tag': z.string().optional(),
        'relation-id': z.number().optional(),
        username: z.string().optional(),
        endpoint: z.string().optional(),
        status: z.looseObject({status: z.string().optional()}).nullable().optional(),
      }),
    )
    .nullable()
    .optional(),
})
export const offersResultsSchema = z.looseObject({results: z.array(offerDetails).nullable().optional()})
export type ApiOffer = z.infer<typeof offerDetails>

export const blockResultsSchema = z.looseObject({
  results: z
    .array(z.looseObject({result: z.looseObject({type: z.string(), message: z.string().optional()}).nullable().optional(), error: errorResult.nullable().optional()}))
    .nullable()
    .optional(),
})

export const stringResultSchema = z.looseObject({result: z.string().optional(), error: errorResult.nullable().optional()})
export const controllerConfigSchema = z.looseObject({config: z.record(z.string(), z.unknown()).nullable().optional()})

/**
 * What qualifies a model's name (`QUALIFIER/NAME`, as `juju models` shows it): Juju 4's qualifier,
 * else Juju 3's owner (`owner-tag` without its `user-`).
 */
export function apiModelQualifier(model: {'owner-tag'?: string | undefined; qualifier?: string | undefined}): string | undefined {
  if (model.qualifier !== undefined) return model.qualifier
  const tag = model['owner-tag']
  return tag?.startsWith('user-') ? tag.slice('user-'.length) : tag
}

/** Checks an API answer; a controller that answers in another shape cannot be audited. */
export function checkAnswer<T extends z.ZodType>(schema: T, data: unknown, where: string, call: string): z.infer<T> {
  const result = schema.safeParse(data)
  if (result.success) return result.data
  const issue = result.error.issues[0]!
  const path = issue.path.map(String).join('.')
  throw new IncompleteError(`juju ${where}: unexpected answer to ${call} at ${path || '(top)'}: ${issue.message}`)
}

const configEntry = z.looseObject({value: z.unknown().optional(), default: z.unknown().optional(), type: z.string().optional(), source: z.string().optional()})
export const applicationGetSchema = z.looseObject({
  application: z.string(),
  charm: z.string().optional(),
  config: z.record(z.string(), configEntry).nullable().optional(),
  'application-config': z.record(z.string(), configEntry).nullable().optional(),
})
