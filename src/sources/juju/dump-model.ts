/**
 * `juju dump-model`: the model as juju/description serialises it for migration (`model.go`):
 * `version`, `type`, `owner`, `config` (with the model's `name` and `uuid`), `cloud`,
 * `cloud-region`, `blocks`, and versioned lists: `users: {version, users: [...]}`,
 * `machines: {version, machines: [...]}`, `applications: {version, applications: [...]}`,
 * `relations: {version, relations: [...]}`, `remote-applications`, `spaces`, ...
 *
 * It is a whole model, so it is read as what it is: the model, its users and command blocks, its
 * machines, applications (dump-model-applications.ts) and relations. It also holds what must never
 * reach a report: `password-hash` of units, machines and applications, the cloud credential's
 * attributes, relation settings, secrets, macaroons. None of those are read.
 */
import {z} from 'zod'

import type {Contribution, DocumentReader, ReadContext, Scope} from '../../inventory/contributions.js'
import type {DisabledCommand, ModelUser, Relation, RelationEndpoint} from '../../inventory/types.js'
import type {DataPath} from '../document.js'
import {check, compact, compareText, fillScope, isRecord, parseBase, refAt} from './common.js'
import {portsByUnit, readDumpApplications, type SpaceNames} from './dump-model-applications.js'
import {compareEndpoints} from './status-relations.js'

const KIND = 'juju dump-model'

/** `{version, <key>: [...]}`, the shape of every list in the dump. */
const versionedList = <T extends z.ZodType>(key: string, item: T) => z.looseObject({[key]: z.array(item).nullable().optional()})

const userSchema = z.looseObject({
  name: z.string(),
  access: z.string(),
  'display-name': z.string().optional(),
  'last-connection': z.string().optional(),
})

const machineSchema = z.looseObject({
  id: z.string(),
  series: z.string().optional(),
  base: z.string().optional(),
  containers: z.array(z.unknown()).nullable().optional(),
  'opened-port-ranges': z.unknown().optional(),
})

const endpointSchema = z.looseObject({
  'application-name': z.string(),
  name: z.string(),
  role: z.string().optional(),
  interface: z.string().optional(),
  scope: z.string().optional(),
})

const relationSchema = z.looseObject({
  key: z.string().optional(),
  endpoints: versionedList('endpoints', endpointSchema).optional(),
})

const remoteApplicationSchema = z.looseObject({
  name: z.string(),
  url: z.string().optional(),
  'is-consumer-proxy': z.boolean().optional(),
  endpoints: versionedList('endpoints', z.looseObject({name: z.string(), role: z.string().optional(), interface: z.string().optional()})).optional(),
})

const modelSchema = z.looseObject({
  version: z.number(),
  type: z.enum(['iaas', 'caas']).optional(),
  owner: z.string().optional(),
  config: z.looseObject({name: z.string(), uuid: z.string().optional(), type: z.string().optional(), 'agent-version': z.string().optional()}),
  cloud: z.string().optional(),
  'cloud-region': z.string().optional(),
  // Only the credential's name; its attributes are the cloud's secrets.
  'cloud-credential': z.looseObject({name: z.string().optional(), owner: z.string().optional(), cloud: z.string().optional()}).optional(),
  blocks: z.record(z.string(), z.string()).nullable().optional(),
  users: versionedList('users', userSchema).optional(),
  machines: versionedList('machines', z.unknown()).optional(),
  applications: versionedList('applications', z.unknown()).optional(),
  relations: versionedList('relations', relationSchema).optional(),
  'remote-applications': versionedList('remote-applications', remoteApplicationSchema).optional(),
  spaces: versionedList('spaces', z.looseObject({id: z.union([z.string(), z.number()]).optional(), name: z.string()})).optional(),
})

type DumpModel = z.infer<typeof modelSchema>

export const dumpModelReader: DocumentReader = {
  kind: KIND,
  recognises: (data) =>
    isRecord(data) &&
    typeof data.version === 'number' &&
    isRecord(data.config) &&
    typeof data.config.name === 'string' &&
    (typeof data.owner === 'string' || (isRecord(data.applications) && Array.isArray(data.applications.applications))),
  read(data, ctx) {
    const dump = check(modelSchema, data, ctx, [], KIND)
    const scope = fillScope(ctx.scope, {model: dump.config.name})
    const out: Contribution[] = [
      {type: 'input', scope, input: 'juju-bundle'},
      {type: 'input', scope, input: 'juju-config'},
      {type: 'input', scope, input: 'juju-offers'},
      {type: 'input', scope, input: 'juju-disabled-commands'},
      {type: 'model', scope, facts: modelFacts(dump), ref: refAt(ctx, [])},
      {type: 'disabled-commands', scope, commands: disabledCommands(dump.blocks), ref: refAt(ctx, dump.blocks ? ['blocks'] : [])},
    ]
    if (dump.users?.users) {
      out.push({type: 'input', scope, input: 'juju-show-model'})
      out.push({type: 'model-users', scope, users: modelUsers(dump.users.users, ctx)})
    }
    const machinePorts = new Map<string, string[]>()
    out.push(...readMachines(dump.machines?.machines ?? [], ['machines', 'machines'], {ctx, scope, machinePorts}))
    const relations = readRelations(dump.relations?.relations ?? [], ctx)
    out.push(...readDumpApplications(dump.applications?.applications ?? [], {ctx, scope, relations, spaces: spaceNames(dump), machinePorts}))
    out.push(...relations.map((relation): Contribution => ({type: 'relation', scope, relation})))
    out.push(...readRemoteApplications(dump, ctx, scope))
    return out
  },
}

function modelFacts(dump: DumpModel) {
  const credential = dump['cloud-credential']
  // Before description v4 the dump had no type; a Kubernetes cloud's provider type says caas.
  const type = dump.type ?? (dump.config.type === 'kubernetes' ? 'caas' : undefined)
  return compact({
    uuid: dump.config.uuid,
    type,
    cloud: dump.cloud,
    region: dump['cloud-region'],
    version: dump.config['agent-version'],
    owner: dump.owner,
    credential: credential === undefined ? undefined : compact({name: credential.name, owner: credential.owner, cloud: credential.cloud}),
  })
}

/** Block types as the dump names them (state/block.go MigrationValue) → the command sets `juju disabled-commands` prints. */
const BLOCK_COMMAND_SETS: Record<string, string> = {'destroy-model': 'destroy-model', 'remove-object': 'remove-object', 'all-changes': 'all'}

function disabledCommands(blocks: Record<string, string> | null | undefined): DisabledCommand[] {
  return Object.entries(blocks ?? {})
    .sort(([a], [b]) => compareText(a, b))
    .map(([type, message]) => compact({commandSet: BLOCK_COMMAND_SETS[type] ?? type, message: message === '' ? undefined : message}))
}

function modelUsers(users: z.infer<typeof userSchema>[], ctx: ReadContext): ModelUser[] {
  return users
    .map((user, index) =>
      compact({
        name: user.name,
        access: user.access,
        lastConnection: user['last-connection'],
        displayName: user['display-name'],
        ref: refAt(ctx, ['users', 'users', index]),
      }),
    )
    .sort((a, b) => compareText(a.name, b.name))
}

function readMachines(machines: unknown[], path: DataPath, read: {ctx: ReadContext; scope: Scope; machinePorts: Map<string, string[]>}): Contribution[] {
  const {ctx, scope} = read
  const out: Contribution[] = []
  for (const [index, raw] of machines.entries()) {
    const machinePath = [...path, index]
    const machine = check(machineSchema, raw, ctx, machinePath, KIND)
    out.push({
      type: 'machine',
      scope,
      machine: compact({
        id: machine.id,
        base: machine.base === undefined ? undefined : parseBase(machine.base),
        series: machine.series === '' ? undefined : machine.series,
        ref: refAt(ctx, machinePath),
      }),
    })
    for (const [unit, ports] of portsByUnit(machine['opened-port-ranges'])) read.machinePorts.set(unit, ports)
    out.push(...readMachines(machine.containers ?? [], [...machinePath, 'containers'], read))
  }
  return out
}

/** Relations with their roles and scopes, as the dump gives them (no pairing needed, unlike status). */
function readRelations(relations: z.infer<typeof relationSchema>[], ctx: ReadContext): Relation[] {
  return relations.map((relation, index) => {
    const ends = relation.endpoints?.endpoints ?? []
    const endpoints: RelationEndpoint[] = ends.map((end) => compact({application: end['application-name'], endpoint: end.name, role: toRole(end.role)}))
    const scope = ends.some((end) => end.scope === 'container') ? 'container' : ends[0]?.scope === 'global' ? 'global' : undefined
    return compact({endpoints: endpoints.sort(compareEndpoints), interface: ends[0]?.interface, scope, ref: refAt(ctx, ['relations', 'relations', index])})
  })
}

function toRole(role: string | undefined): RelationEndpoint['role'] {
  return role === 'provider' || role === 'requirer' || role === 'peer' ? role : undefined
}

/** Offers this model consumes. Consumer proxies stand for other models using this model's offers and are left out. */
function readRemoteApplications(dump: DumpModel, ctx: ReadContext, scope: Scope): Contribution[] {
  const out: Contribution[] = []
  for (const [index, remote] of (dump['remote-applications']?.['remote-applications'] ?? []).entries()) {
    if (remote['is-consumer-proxy'] || !remote.url) continue
    out.push({
      type: 'consumed-offer',
      scope,
      consumed: {
        name: remote.name,
        url: remote.url,
        endpoints: (remote.endpoints?.endpoints ?? []).map((endpoint) => compact({name: endpoint.name, interface: endpoint.interface, role: endpoint.role})),
        ref: refAt(ctx, ['remote-applications', 'remote-applications', index]),
      },
    })
  }
  return out
}

/** The dump names spaces in exposed-endpoints by id; `alpha` (id 0) is the default space. */
function spaceNames(dump: DumpModel): SpaceNames {
  const names = new Map<string, string>([['0', 'alpha']])
  for (const space of dump.spaces?.spaces ?? []) if (space.id !== undefined) names.set(String(space.id), space.name)
  return names
}
