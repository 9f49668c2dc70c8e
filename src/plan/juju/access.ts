/**
 * Access fixes (002 "Harden the user(s)", "Harden the model(s)"): one revoke per user whose
 * controller, model or offer access exceeds what the policy allows (ACCESS-SUPERUSER,
 * ACCESS-MODEL-ADMIN, ACCESS-OFFER), and a DisableUser per stale user (ACCESS-STALE-USER).
 * Nothing is ever granted. Safety (own access, controller admin, last model admin) is applied
 * afterwards by ./safety.ts, on every planner's output alike.
 */
import type {Inventory} from '../../inventory/types.js'
import {
  allowedControllerLevel,
  allowedModelLevel,
  allowedOfferLevel,
  CONTROLLER_LEVELS,
  levelRank,
  MODEL_LEVELS,
  OFFER_LEVELS,
  offerUrl,
  offerUrlWithoutSource,
  revokeFor,
  staleness,
} from '../../policy/access.js'
import type {Policy} from '../../policy/schema.js'
import type {JujuAction} from '../types.js'
import {modelLabel, modelScope, userTag} from './action.js'

export function planAccess(inventory: Inventory, policy: Policy, now: Date): JujuAction[] {
  const enforced = policy.access.enforce
  const actions: JujuAction[] = []

  for (const controller of inventory.controllers.values()) {
    for (const user of controller.users ?? []) {
      if (user.disabled === true) continue
      if (user.access === 'superuser' && allowedControllerLevel(user.name, policy) !== 'superuser') {
        actions.push({
          op: 'juju',
          section: 'access',
          rule: 'ACCESS-SUPERUSER',
          controller: controller.name,
          connection: 'controller',
          facade: 'Controller',
          method: 'ModifyControllerAccess',
          params: {changes: [{'user-tag': userTag(user.name), action: 'revoke', access: revokeFor(CONTROLLER_LEVELS, 'login')}]},
          target: `user ${user.name} on controller ${controller.name}`,
          before: 'superuser',
          after: 'login',
          reason: `not in access.controller.superusers (${policy.access.controller.superusers.join(', ') || 'empty'})`,
          enforced,
        })
      }
    }
  }

  for (const model of inventory.models.values()) {
    for (const user of model.users ?? []) {
      const allowed = allowedModelLevel(model, user.name, policy)
      if (levelRank(MODEL_LEVELS, user.access) <= levelRank(MODEL_LEVELS, allowed)) continue
      actions.push({
        op: 'juju',
        section: 'access',
        rule: 'ACCESS-MODEL-ADMIN',
        ...modelScope(model),
        connection: 'controller',
        facade: 'ModelManager',
        method: 'ModifyModelAccess',
        params: {changes: [{'user-tag': userTag(user.name), action: 'revoke', access: revokeFor(MODEL_LEVELS, allowed), 'model-tag': `model-${model.uuid ?? ''}`}]},
        target: `user ${user.name} on model ${modelLabel(model)}`,
        before: user.access,
        after: allowed || 'no access',
        reason: allowed === '' ? `access.models does not let ${user.name} read ${model.name}` : `the policy allows ${user.name} at most ${allowed} on ${model.name}`,
        enforced,
      })
    }
    for (const offer of model.offers) {
      const url = offerUrlWithoutSource(offerUrl(model, offer))
      for (const user of offer.users ?? []) {
        const allowed = allowedOfferLevel(model, offer, user.name, policy)
        if (levelRank(OFFER_LEVELS, user.access) <= levelRank(OFFER_LEVELS, allowed)) continue
        actions.push({
          op: 'juju',
          section: 'access',
          rule: 'ACCESS-OFFER',
          ...modelScope(model),
          connection: 'controller',
          facade: 'ApplicationOffers',
          method: 'ModifyOfferAccess',
          params: {changes: [{'user-tag': userTag(user.name), action: 'revoke', access: revokeFor(OFFER_LEVELS, allowed), 'offer-url': url}]},
          target: `user ${user.name} on offer ${url}`,
          before: user.access,
          after: allowed,
          reason: allowed === 'consume' ? 'only the model owner and superusers administer an offer' : `not in access.offers consumers of ${url}`,
          enforced,
        })
      }
    }
  }

  for (const controller of inventory.controllers.values()) {
    for (const user of controller.users ?? []) {
      const stale = staleness(user, policy, now)
      if (stale.stale !== true) continue
      actions.push({
        op: 'juju',
        section: 'stale-users',
        rule: 'ACCESS-STALE-USER',
        controller: controller.name,
        connection: 'controller',
        facade: 'UserManager',
        method: 'DisableUser',
        params: {entities: [{tag: userTag(user.name)}]},
        target: `user ${user.name} on controller ${controller.name}`,
        before: 'enabled',
        after: 'disabled',
        reason: stale.never ? 'never connected' : `last connected ${stale.idleDays} days ago (access.staleUserDays ${policy.access.staleUserDays})`,
        enforced: enforced && policy.access.disableStaleUsers,
      })
    }
  }
  return actions
}
