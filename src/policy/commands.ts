/**
 * Which `juju disable-command` sets a model must have, from the policy's `commands` section
 * (default: destroy-model and remove-object on every production model). JUJU-DISABLED-COMMANDS
 * reports the missing ones and `reconcile` switches them on, so both read it from here.
 */
import type {Model} from '../inventory/types.js'
import {modelCandidates} from './candidates.js'
import {anyGlobMatches, matchingKeys} from './glob.js'
import type {Policy} from './schema.js'

export type CommandSet = 'destroy-model' | 'remove-object' | 'all'

/** Which `disable-command` sets also block a command set (juju help disable-command). */
const COVERED_BY: Record<CommandSet, CommandSet[]> = {
  'destroy-model': ['destroy-model', 'remove-object', 'all'],
  'remove-object': ['remove-object', 'all'],
  all: ['all'],
}

/** The Block facade's name for each command set (`Block.SwitchBlockOn` type). */
export const BLOCK_TYPES: Record<CommandSet, 'BlockDestroy' | 'BlockRemove' | 'BlockChange'> = {
  'destroy-model': 'BlockDestroy',
  'remove-object': 'BlockRemove',
  all: 'BlockChange',
}

export const DEFAULT_COMMAND_BLOCKS: CommandSet[] = ['destroy-model', 'remove-object']

export type CommandBlocks =
  | {status: 'non-production'}
  | {status: 'unknown'}
  /** `keys`: the policy `commands` entries that named the model (empty: the default applied). */
  | {status: 'known'; required: CommandSet[]; present: string[]; missing: CommandSet[]; keys: string[]}

export function commandBlocks(model: Model, policy: Policy): CommandBlocks {
  const candidates = modelCandidates(model)
  if (anyGlobMatches(policy.nonProductionModels, candidates)) return {status: 'non-production'}
  if (!model.disabledCommands) return {status: 'unknown'}
  const keys = policy.commands ? matchingKeys(policy.commands, candidates) : []
  const required: CommandSet[] = keys.length > 0 ? [...new Set(keys.flatMap((key) => policy.commands?.[key] ?? []))] : DEFAULT_COMMAND_BLOCKS
  const present = model.disabledCommands.map((command) => command.commandSet)
  const missing = required.filter((set) => !COVERED_BY[set].some((covering) => present.includes(covering)))
  return {status: 'known', required, present, missing, keys}
}
