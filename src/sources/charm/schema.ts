/**
 * Zod schemas for charm metadata as charmcraft documents it (metadata.yaml, the unified
 * charmcraft.yaml, config.yaml): only the fields hardenctl uses, as loose objects so everything
 * else (summary, links, parts, actions, storage ...) passes through.
 */
import {z} from 'zod'

export const containerSchema = z.looseObject({
  resource: z.string({error: 'expected resource (the name of an oci-image resource)'}).optional(),
  mounts: z
    .array(z.looseObject({storage: z.string({error: 'expected storage (a storage name)'}), location: z.string().optional()}), {
      error: 'expected mounts (a list of {storage, location})',
    })
    .optional(),
  uid: z.number({error: 'expected uid (an integer user id)'}).int({error: 'expected uid (an integer user id)'}).optional(),
  gid: z.number({error: 'expected gid (an integer group id)'}).int({error: 'expected gid (an integer group id)'}).optional(),
})

const endpointObjectSchema = z.looseObject({
  interface: z.string({error: 'expected interface (a string)'}),
  scope: z.enum(['global', 'container'], {error: 'expected scope (global or container)'}).optional(),
  optional: z.boolean({error: 'expected optional (true or false)'}).optional(),
  limit: z.number({error: 'expected limit (a number)'}).optional(),
})

/** Old metadata allows the short form `requires: {db: mysql}` (the value is the interface). */
export const endpointSchema = z.preprocess(
  (value) => (typeof value === 'string' ? {interface: value} : value),
  endpointObjectSchema,
)

const endpointsSchema = z.record(z.string(), endpointSchema, {error: 'expected a map of endpoint name to {interface}'})

export const optionSchema = z.looseObject({
  type: z.string({error: 'expected type (string, int, float, boolean or secret)'}).optional(),
  default: z.unknown().optional(),
  description: z.string({error: 'expected description (a string)'}).optional(),
})

export const optionsSchema = z.record(z.string(), optionSchema, {error: 'expected a map of option name to {type, default, description}'})

export const charmDocumentSchema = z.looseObject({
  name: z.string({error: 'expected name (the charm name, a string)'}).optional(),
  type: z.string().optional(),
  'charm-user': z.string({error: 'expected charm-user (root, sudoer or non-root)'}).optional(),
  subordinate: z.boolean({error: 'expected subordinate (true or false)'}).optional(),
  containers: z.record(z.string(), containerSchema.nullable(), {error: 'expected a map of container name to {resource, uid, gid}'}).nullish(),
  requires: endpointsSchema.nullish(),
  provides: endpointsSchema.nullish(),
  peers: endpointsSchema.nullish(),
  resources: z
    .record(z.string(), z.looseObject({type: z.string({error: 'expected type (oci-image or file)'}).optional()}).nullable(), {
      error: 'expected a map of resource name to {type}',
    })
    .nullish(),
  assumes: z.array(z.unknown(), {error: 'expected assumes (a list)'}).nullish(),
  config: z.looseObject({options: optionsSchema.nullish()}, {error: 'expected config (a map with options)'}).nullish(),
})

export const configDocumentSchema = z.looseObject({options: optionsSchema.nullish()})

export type CharmDocument = z.infer<typeof charmDocumentSchema>
export type ConfigDocument = z.infer<typeof configDocumentSchema>
