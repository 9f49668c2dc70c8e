/** Juju user names: local users may be written `bob` or `bob@local`; external ones `bob@external`. */
import type {Inventory} from '../inventory/types.js'
import {anyGlobMatches} from './glob.js'

export function normalizeUser(name: string): string {
  return name.endsWith('@local') ? name.slice(0, -'@local'.length) : name
}

export function sameUser(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && normalizeUser(a) === normalizeUser(b)
}

/** Whether a user is named by a policy list (globs; `bob` and `bob@local` are the same user). */
export function userListed(list: readonly string[], user: string): boolean {
  const normalized = normalizeUser(user)
  return anyGlobMatches(list.map(normalizeUser), [normalized])
}

export const EVERYONE = 'everyone@external'

/** The controller's user list (juju users) says this user is disabled. */
export function isDisabledUser(inventory: Pick<Inventory, 'controllers'>, controller: string, user: string): boolean {
  return inventory.controllers.get(controller)?.users?.some((entry) => sameUser(entry.name, user) && entry.disabled === true) ?? false
}
