/**
 * What the policy's `access` section allows: the highest access level each user may hold on
 * the controller, a model or an offer, and which users are stale. The ACCESS-* audit rules
 * report what exceeds it and `reconcile` revokes exactly that, so both read it from here.
 *
 * Juju's levels, lowest first: models read < write < admin; offers read < consume < admin;
 * the controller login < superuser. Revoking a level leaves the one below it (revoking read,
 * or login, removes access), so one revoke takes a user to any lower level.
 */
import {isJuju4} from '../inventory/juju-version.js'
import {jujuModelName, modelQualifier} from '../inventory/model-name.js'
import type {ControllerUser, Model, Offer} from '../inventory/types.js'
import {parseOfferUrl} from '../sources/juju/offers.js'
import {modelCandidates} from './candidates.js'
import {matchingKeys} from './glob.js'
import {daysBetween, parseLastConnection} from './last-connection.js'
import type {Policy} from './schema.js'
import {EVERYONE, normalizeUser, sameUser, userListed} from './users.js'

export const MODEL_LEVELS = ['', 'read', 'write', 'admin'] as const
export const OFFER_LEVELS = ['', 'read', 'consume', 'admin'] as const
export const CONTROLLER_LEVELS = ['', 'login', 'superuser'] as const

/** The controller's built-in administrator: reconcile never downgrades or disables it (the audit still reports it). */
export const CONTROLLER_ADMIN = 'admin'

/** Position of a level in its ladder; unknown levels (a newer Juju) rank as -1, so nothing is done with them. */
export function levelRank(ladder: readonly string[], level: string | undefined): number {
  return ladder.indexOf(level ?? '')
}

/** The revoke that takes a user from a higher level down to `to`: revoke the level just above it. */
export function revokeFor(ladder: readonly string[], to: string): string {
  return ladder[levelRank(ladder, to) + 1] ?? ladder[ladder.length - 1]!
}

/** `everyone@external` is allowed only where a list names it literally, never through a glob such as `*`. */
function named(list: readonly string[], user: string): boolean {
  return normalizeUser(user) === EVERYONE ? list.includes(EVERYONE) : userListed(list, user)
}

/**
 * The highest level the policy lets `user` hold on `model`. The owner and allowed
 * superusers: admin. A model matched by `access.models`: its admins, writers and (when
 * `readers` is given) readers; unmatched models: read for anyone. everyone@external: only what
 * a list names it for.
 */
export function allowedModelLevel(model: Model, user: string, policy: Policy): (typeof MODEL_LEVELS)[number] {
  if (normalizeUser(user) !== EVERYONE) {
    if (sameUser(user, model.owner) || userListed(policy.access.controller.superusers, user)) return 'admin'
  }
  const entries = matchingKeys(policy.access.models, modelCandidates(model)).map((key) => policy.access.models[key] ?? {})
  const admins = entries.flatMap((entry) => entry.admins ?? [])
  const writers = entries.flatMap((entry) => entry.writers ?? [])
  if (named(admins, user)) return 'admin'
  if (named(writers, user)) return 'write'
  if (normalizeUser(user) === EVERYONE) {
    return named(entries.flatMap((entry) => entry.readers ?? []), user) ? 'read' : ''
  }
  const readersGiven = entries.some((entry) => entry.readers !== undefined)
  if (!readersGiven) return 'read'
  return named(entries.flatMap((entry) => entry.readers ?? []), user) ? 'read' : ''
}

/** How policy globs may spell an offer: `offer`, `model.offer`, `owner/model.offer`, its URL. */
export function offerCandidates(model: Model, offer: Offer): string[] {
  const out = [offer.name, `${model.name}.${offer.name}`]
  const qualifier = modelQualifier(model)
  if (qualifier) out.push(`${qualifier}/${model.name}.${offer.name}`)
  if (offer.url) out.push(offer.url, offerUrlWithoutSource(offer.url))
  return out
}

/** `prod:admin/db.postgresql` → `admin/db.postgresql`. */
export function offerUrlWithoutSource(url: string): string {
  return url.replace(/^[^:/]+:/, '')
}

/**
 * The offer's URL as `juju offers` prints it (with its controller prefix when known). With no input
 * naming the model's owner or qualifier it is `model.offer`, which juju and the API qualify with the
 * logged-in user, as they do a bare `-m model` (guessing `admin/` would name another user's offer).
 */
export function offerUrl(model: Model, offer: Offer): string {
  if (offer.url) return offer.url
  const qualifier = modelQualifier(model)
  return `${qualifier ? `${qualifier}/` : ''}${jujuModelName(model)}.${offer.name}`
}

/** The model owner and allowed superusers administer offers; listed consumers consume; everyone else reads. */
export function allowedOfferLevel(model: Model, offer: Offer, user: string, policy: Policy): (typeof OFFER_LEVELS)[number] {
  if (normalizeUser(user) !== EVERYONE) {
    // The offer's URL (`owner/model.offer`) names the model's owner when nothing else read did (`juju offers` alone);
    // on Juju 4 it names the model's qualifier, which is no user.
    const owner = model.owner ?? (offer.url && !isJuju4(model) ? parseOfferUrl(offer.url)?.owner : undefined)
    if (sameUser(user, owner) || userListed(policy.access.controller.superusers, user)) return 'admin'
  }
  const consumers = matchingKeys(policy.access.offers, offerCandidates(model, offer)).flatMap((key) => policy.access.offers[key]?.consumers ?? [])
  return named(consumers, user) ? 'consume' : 'read'
}

export function allowedControllerLevel(user: string, policy: Policy): (typeof CONTROLLER_LEVELS)[number] {
  return userListed(policy.access.controller.superusers, user) ? 'superuser' : 'login'
}

export type Staleness =
  | {stale: false}
  | {stale: true; never: boolean; idleDays?: number}
  /** The last connection is missing or unreadable: the user is left alone. */
  | {stale: undefined; why: string}

/** ACCESS-STALE-USER: enabled, and never connected or idle longer than `access.staleUserDays`. */
export function staleness(user: ControllerUser, policy: Policy, now: Date): Staleness {
  if (user.disabled === true) return {stale: false}
  if (user.lastConnection === undefined) return {stale: undefined, why: 'the last connection of this user is not known'}
  const parsed = parseLastConnection(user.lastConnection, now)
  if (!parsed) return {stale: undefined, why: `cannot read last-connection "${user.lastConnection}"`}
  if (parsed.never) return {stale: true, never: true}
  const idleDays = daysBetween(parsed.at, now)
  return idleDays > policy.access.staleUserDays ? {stale: true, never: false, idleDays} : {stale: false}
}
