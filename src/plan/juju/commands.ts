/**
 * Command blocks (002 "Harden the model(s)"): one Block.SwitchBlockOn per command set a model
 * should block and does not (JUJU-DISABLED-COMMANDS). Blocks are only ever added. They are
 * applied when the policy's `commands` section names the model; the guide's default
 * (destroy-model and remove-object everywhere) is planned but not applied, so a reconcile run
 * for NetworkPolicies never locks models nobody asked to lock.
 */
import {basename} from 'node:path'

import type {Inventory} from '../../inventory/types.js'
import {BLOCK_TYPES, commandBlocks} from '../../policy/commands.js'
import type {Policy} from '../../policy/schema.js'
import type {JujuAction} from '../types.js'
import {modelLabel, modelScope} from './action.js'

export function planCommandBlocks(inventory: Inventory, policy: Policy, policyFile: string | undefined): JujuAction[] {
  const actions: JujuAction[] = []
  for (const model of inventory.models.values()) {
    const blocks = commandBlocks(model, policy)
    if (blocks.status !== 'known') continue
    const named = blocks.keys.length > 0
    const source = named ? `commands[${blocks.keys.map((key) => JSON.stringify(key)).join(', ')}]` : 'the hardening guide default for production models'
    const message = named ? `disabled by hardenctl: ${policyFile ? basename(policyFile) : 'hardenctl.yaml'} ${source}` : `disabled by hardenctl: ${source}`
    for (const set of blocks.missing) {
      actions.push({
        op: 'juju',
        section: 'commands',
        rule: 'JUJU-DISABLED-COMMANDS',
        ...modelScope(model),
        connection: 'model',
        facade: 'Block',
        method: 'SwitchBlockOn',
        params: {type: BLOCK_TYPES[set], message},
        target: `model ${modelLabel(model)}`,
        before: blocks.present.length > 0 ? `blocked: ${blocks.present.join(', ')}` : 'no commands disabled',
        after: `${set} disabled`,
        reason: source,
        enforced: named,
      })
    }
  }
  return actions
}
