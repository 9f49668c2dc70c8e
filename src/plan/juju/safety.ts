/**
 * The safety rules every Juju change passes before it enters a plan. hardenctl never revokes,
 * downgrades or disables:
 * - the user it is logged in as (it would lock itself out half-way through a run);
 * - the controller's `admin` (the bootstrap user, the way back in);
 * - the last admin of a model (a model nobody can administer is only recoverable by a superuser).
 * It also leaves the model access of disabled users alone: Juju refuses to downgrade it ("user
 * is disabled"), and a disabled user cannot log in to use it.
 * A refused change is listed with its reason; the audit keeps reporting the finding.
 */
import type {Inventory} from '../../inventory/types.js'
import {CONTROLLER_ADMIN} from '../../policy/access.js'
import {isDisabledUser, normalizeUser, sameUser} from '../../policy/users.js'
import type {JujuAction, JujuRefusal} from '../types.js'
import {modelLabel} from './action.js'

export interface SafetyContext {
  /** Controller name → the user hardenctl logs in as; undefined when not known (offline plans). */
  self?: ReadonlyMap<string, string>
}

/** The user an access or user action changes, from its wire params. */
export function changedUser(action: JujuAction): string | undefined {
  const params = action.params as {changes?: {'user-tag'?: string}[]; entities?: {tag?: string}[]}
  const tag = params.changes?.[0]?.['user-tag'] ?? params.entities?.[0]?.tag
  return tag?.startsWith('user-') ? tag.slice('user-'.length) : undefined
}

export function applySafety(actions: JujuAction[], inventory: Inventory, context: SafetyContext): {actions: JujuAction[]; refused: JujuRefusal[]} {
  const kept: JujuAction[] = []
  const refused: JujuRefusal[] = []
  const refuse = (action: JujuAction, reason: string): void => {
    refused.push({
      rule: action.rule,
      controller: action.controller,
      ...(action.model ? {model: action.model} : {}),
      target: action.target,
      wanted: `${action.facade}.${action.method}: ${action.before} → ${action.after}`,
      reason,
    })
  }

  // Model admins the plan would leave, per model: a downgrade that would leave none is refused.
  const adminsLeft = new Map<string, Set<string>>()
  for (const model of inventory.models.values()) {
    adminsLeft.set(modelLabel(model), new Set((model.users ?? []).filter((user) => user.access === 'admin').map((user) => normalizeUser(user.name))))
  }

  for (const action of actions) {
    const user = changedUser(action)
    if (user !== undefined) {
      const self = context.self?.get(action.controller)
      if (self !== undefined && sameUser(user, self)) {
        refuse(action, `hardenctl is logged in to controller ${action.controller} as ${self}; it never changes its own access`)
        continue
      }
      if (sameUser(user, CONTROLLER_ADMIN)) {
        refuse(action, `${CONTROLLER_ADMIN} is the controller's administrator; hardenctl never downgrades or disables it`)
        continue
      }
    }
    if (action.facade === 'ModelManager' && user !== undefined && isDisabledUser(inventory, action.controller, user)) {
      refuse(action, `${user} is disabled, and Juju does not change the model access of a disabled user; remove the user (juju remove-user) if it is no longer needed`)
      continue
    }
    if (action.facade === 'ModelManager' && user !== undefined && action.model !== undefined) {
      const label = modelLabel({controller: action.controller, name: action.model})
      const admins = adminsLeft.get(label)
      if (action.before === 'admin' && admins?.has(normalizeUser(user)) && admins.size === 1) {
        refuse(action, `${user} is the last admin of model ${label}`)
        continue
      }
      admins?.delete(normalizeUser(user))
    }
    if (action.facade === 'UserManager' && user !== undefined) {
      const onThisController = (label: string) => (action.controller ? label.startsWith(`${action.controller}:`) : !label.includes(':'))
      const lastAdminOf = [...adminsLeft]
        .filter(([label, admins]) => onThisController(label) && admins.size === 1 && admins.has(normalizeUser(user)))
        .map(([label]) => label)
      if (lastAdminOf.length > 0) {
        refuse(action, `${user} is the last admin of model ${lastAdminOf.join(', ')}`)
        continue
      }
    }
    kept.push(action)
  }
  return {actions: kept, refused}
}
