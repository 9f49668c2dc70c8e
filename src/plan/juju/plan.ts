/**
 * The Juju side of a reconcile plan: exposure first (a command block added later in the same
 * run must not stop an unexpose), then access revocations, stale users and command blocks, each
 * through the safety rules.
 */
import type {Inventory} from '../../inventory/types.js'
import type {Policy} from '../../policy/schema.js'
import type {ClosedPath, JujuAction, JujuRefusal} from '../types.js'
import {planAccess} from './access.js'
import {planCommandBlocks} from './commands.js'
import {planExposure} from './exposure.js'
import {applySafety, changedUser, type SafetyContext} from './safety.js'

export interface JujuPlanContext extends SafetyContext {
  now: Date
  /** Named in the message of the command blocks hardenctl adds. */
  policyFile?: string
}

export interface JujuPlan {
  actions: JujuAction[]
  refused: JujuRefusal[]
  notes: string[]
  /** What the exposure changes that survive the safety rules close (machine models). */
  closes: ClosedPath[]
}

export function planJuju(inventory: Inventory, policy: Policy, context: JujuPlanContext): JujuPlan {
  const exposure = planExposure(inventory, policy)
  const wanted = [...exposure.actions, ...planAccess(inventory, policy, context.now), ...planCommandBlocks(inventory, policy, context.policyFile)]
  const {actions, refused} = applySafety(wanted, inventory, context)
  const notes = [...exposure.notes]
  if (context.self === undefined && wanted.some((action) => changedUser(action) !== undefined)) {
    notes.push('The user hardenctl will log in as is not known to this offline plan; a live run also refuses any change to its own access.')
  }
  const closes = actions.flatMap((action) => exposure.closes.get(action) ?? [])
  return {actions, refused, notes, closes}
}
