/**
 * Access rules from "Harden the user(s)" and "Harden the model(s)" (002): grant access only as
 * needed, revoke or remove users no longer needed.
 */
import {isJuju4} from '../inventory/juju-version.js'
import type {Model} from '../inventory/types.js'
import {
  allowedControllerLevel,
  allowedModelLevel,
  allowedOfferLevel,
  CONTROLLER_ADMIN,
  levelRank,
  MODEL_LEVELS,
  OFFER_LEVELS,
  offerUrl,
  revokeFor,
  staleness,
} from '../policy/access.js'
import {EVERYONE, isDisabledUser, normalizeUser, sameUser} from '../policy/users.js'
import {cite} from './guides.js'
import {controllerTarget, controllerText, jujuModelName, modelTarget, qualifiedModelName, userTarget} from './helpers/targets.js'
import type {Rule} from './rule.js'

/** Who may hold more than the policy grants on the model: a Juju 4 model has no owner. */
function mayHold(model: Model): string {
  if (model.owner) return `the owner (${model.owner}), controller superusers and users listed in access.models`
  return isJuju4(model) ? 'controller superusers and users listed in access.models (a Juju 4 model has no owner)' : 'the owner, controller superusers and users listed in access.models'
}

/** `-c NAME ` for a known controller; nothing when no input named it (a bare `users.json`), so the user name is never taken for the controller. */
function controllerFlag(controller: string): string {
  return controller ? `-c ${controller} ` : ''
}

const USERS = cite('juju', 'Harden the user(s)')
const MODELS = cite('juju', 'Harden the model(s)')

export const accessSuperuser: Rule = {
  id: 'ACCESS-SUPERUSER',
  title: 'Controller superuser outside the allowlist',
  severity: 'high',
  profile: 'juju',
  guide: USERS,
  rationale:
    'A controller superuser can do anything on every model and cloud of the controller. The guide says to use Juju\'s granular access levels and grant access only as needed.',
  remediation: 'Revoke superuser: `juju revoke -c CONTROLLER USER superuser` (the user keeps login), or list the user under `access.controller.superusers` in hardenctl.yaml.',
  autoFixable: true,
  needs: [['juju-users', 'juju-show-user']],
  evaluate({inventory, policy, report, notEvaluated}) {
    const allowed = policy.access.controller.superusers
    for (const controller of inventory.controllers.values()) {
      if (!controller.users) {
        notEvaluated(controllerTarget(controller), ['juju-users'])
        continue
      }
      for (const user of controller.users) {
        if (user.access !== 'superuser' || user.disabled === true) continue
        if (allowedControllerLevel(user.name, policy) === 'superuser') continue
        report({
          target: userTarget(user.name, controller.name),
          message: `${user.name} is a superuser of ${controllerText(controller.name)} but is not on the superuser allowlist (${allowed.join(', ') || 'empty'}).`,
          evidence: {user: user.name, access: user.access, allowed},
          remediation: `juju revoke ${controllerFlag(controller.name)}${user.name} superuser`,
          ...(user.ref ? {ref: user.ref} : {}),
        })
      }
    }
  },
}

export const accessModelAdmin: Rule = {
  id: 'ACCESS-MODEL-ADMIN',
  title: 'Model admin/write access beyond the allowlist',
  severity: 'high',
  profile: 'juju',
  guide: MODELS,
  rationale:
    'Model admin and write let a user deploy, configure, integrate and remove applications. The guide says to restrict user access to a model; `everyone@external` grants access to every user of the identity provider.',
  remediation: 'Downgrade the user to read (`juju revoke USER write MODEL` removes write and admin) or list them under `access.models` in hardenctl.yaml; remove everyone@external (`juju revoke everyone@external read MODEL`).',
  autoFixable: true,
  needs: [['juju-show-model']],
  evaluate({inventory, policy, report, notEvaluated}) {
    for (const model of inventory.models.values()) {
      if (!model.users) {
        if (model.inputs.size > 0) notEvaluated(modelTarget(model), ['juju-show-model'])
        continue
      }
      const c = controllerFlag(model.controller)
      for (const user of model.users) {
        const level = user.access
        const allowed = allowedModelLevel(model, user.name, policy)
        if (levelRank(MODEL_LEVELS, level) <= levelRank(MODEL_LEVELS, allowed)) continue
        if (normalizeUser(user.name) === EVERYONE) {
          report({
            target: userTarget(user.name, model.controller, model.name),
            message: `model ${model.name} grants ${level} access to everyone@external, i.e. to every user the identity provider knows.`,
            evidence: {user: user.name, access: level, owner: model.owner},
            remediation: `juju revoke ${c}${user.name} ${revokeFor(MODEL_LEVELS, allowed)} ${qualifiedModelName(model)}`,
            ...(user.ref ? {ref: user.ref} : {}),
          })
          continue
        }
        const why = allowed === '' ? 'access.models lists the readers of this model and not this user' : `only ${mayHold(model)} may`
        if (isDisabledUser(inventory, model.controller, user.name)) {
          // Juju lowers no level of a disabled user (state.userMayHaveAccess: "user is disabled"),
          // but revoking read takes the user off the model without that check; reconcile leaves it.
          report({
            target: userTarget(user.name, model.controller, model.name),
            severity: 'low',
            message: `${user.name} holds ${level} on model ${model.name} while disabled: no login now, but the access comes back if the user is enabled again; ${why}.`,
            evidence: {user: user.name, access: level, allowed: allowed || 'none', owner: model.owner, disabled: true, lastConnection: user.lastConnection},
            remediation: `juju revoke ${c}${user.name} read ${qualifiedModelName(model)}   # takes all model access away: Juju refuses to lower a disabled user's access any other way; or juju remove-user ${c}${user.name} if the user is no longer needed`,
            autoFixable: false,
            ...(user.ref ? {ref: user.ref} : {}),
          })
          continue
        }
        report({
          target: userTarget(user.name, model.controller, model.name),
          message: `${user.name} holds ${level} on model ${model.name}; ${why}.`,
          evidence: {user: user.name, access: level, allowed: allowed || 'none', owner: model.owner, lastConnection: user.lastConnection},
          remediation: `juju revoke ${c}${user.name} ${revokeFor(MODEL_LEVELS, allowed)} ${qualifiedModelName(model)}   # leaves ${allowed || 'no access'}; or list the user under access.models["${jujuModelName(model)}"] in hardenctl.yaml`,
          ...(user.ref ? {ref: user.ref} : {}),
        })
      }
    }
  },
}

export const accessStaleUser: Rule = {
  id: 'ACCESS-STALE-USER',
  title: 'Enabled user idle or never connected',
  severity: 'medium',
  profile: 'juju',
  guide: USERS,
  rationale:
    'An account nobody uses keeps its access and its credentials (password, macaroons) valid. The guide says to revoke or remove any users that are no longer needed.',
  remediation: 'Disable or remove the user: `juju disable-user USER` or `juju remove-user USER`.',
  autoFixable: true,
  needs: [['juju-users', 'juju-show-user']],
  evaluate({inventory, policy, now, report, notEvaluated}) {
    const limit = policy.access.staleUserDays
    for (const controller of inventory.controllers.values()) {
      if (!controller.users) {
        notEvaluated(controllerTarget(controller), ['juju-users'])
        continue
      }
      for (const user of controller.users) {
        const target = userTarget(user.name, controller.name)
        const stale = staleness(user, policy, now)
        if (stale.stale === undefined) {
          notEvaluated(target, ['juju-users'], stale.why)
          continue
        }
        if (!stale.stale) continue
        const idleDays = stale.idleDays
        report({
          target,
          message: stale.never
            ? `${user.name} on ${controllerText(controller.name)} has never connected and is still enabled.`
            : `${user.name} on ${controllerText(controller.name)} last connected ${idleDays} days ago (limit ${limit}) and is still enabled.`,
          evidence: {user: user.name, lastConnection: user.lastConnection, idleDays: idleDays ?? null, staleUserDays: limit, access: user.access},
          ...(sameUser(user.name, CONTROLLER_ADMIN)
            ? {
                // Juju refuses both for the controller's owner ("cannot disable controller model owner",
                // state/user.go User.Disable), and reconcile never touches it.
                remediation: `juju change-user-password ${controllerFlag(controller.name)}${user.name}   # ${user.name} owns the controller: Juju refuses to disable or remove it, so rotate its password and keep it for recovery`,
                autoFixable: false,
              }
            : {remediation: `juju disable-user ${controllerFlag(controller.name)}${user.name}   # or: juju remove-user ${controllerFlag(controller.name)}${user.name}`}),
          ...(user.ref ? {ref: user.ref} : {}),
        })
      }
    }
  },
}

export const accessOffer: Rule = {
  id: 'ACCESS-OFFER',
  title: 'Offer consume/admin access beyond the allowlist',
  severity: 'medium',
  profile: 'juju',
  guide: USERS,
  rationale:
    'A user with consume on an offer can relate their own applications to it from another model; admin can also grant access to others. The guide says to grant access to application offers only as needed.',
  remediation: 'Revoke it: `juju revoke USER consume OFFER-URL` (leaves read), or list the user under `access.offers` in hardenctl.yaml.',
  autoFixable: true,
  needs: [['juju-offers', 'juju-bundle']],
  evaluate({inventory, policy, report, notEvaluated}) {
    for (const model of inventory.models.values()) {
      for (const offer of model.offers) {
        const url = offerUrl(model, offer)
        const target = {kind: 'offer', name: offer.name, model: model.name, ...(model.controller ? {controller: model.controller} : {})}
        if (!offer.users) {
          notEvaluated(target, ['juju-offers'])
          continue
        }
        for (const user of offer.users) {
          const allowed = allowedOfferLevel(model, offer, user.name, policy)
          if (levelRank(OFFER_LEVELS, user.access) <= levelRank(OFFER_LEVELS, allowed)) continue
          report({
            target,
            message: `${user.name} holds ${user.access} on offer ${url}${user.access === 'admin' ? `; only ${isJuju4(model) ? 'superusers (a Juju 4 model has no owner)' : 'the model owner and superusers'} should administer an offer` : ' but is not an allowed consumer'}.`,
            evidence: {offer: url, user: user.name, access: user.access, allowed},
            remediation: `juju revoke ${controllerFlag(model.controller)}${user.name} ${revokeFor(OFFER_LEVELS, allowed)} ${url}`,
            ...(offer.ref ? {ref: offer.ref} : {}),
          })
        }
      }
    }
  },
}

export const ACCESS_RULES: Rule[] = [accessSuperuser, accessModelAdmin, accessStaleUser, accessOffer]
