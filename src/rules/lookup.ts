/** Finding a rule by the id a person typed, and the ids they most likely meant when none matches. */
import {closestNames} from '../cli/closest.js'
import type {RuleMetadata} from './rule.js'

/** The rule with this id, in any letter case (`juju-trust` is JUJU-TRUST). */
export function findRule<T extends RuleMetadata>(rules: readonly T[], id: string): T | undefined {
  const wanted = id.trim().toUpperCase()
  return rules.find((rule) => rule.id === wanted)
}

/** Up to `limit` ids closest to `id`, a few edits away or containing it (`TRUST`: JUJU-TRUST). */
export function closestRuleIds(rules: readonly RuleMetadata[], id: string, limit = 3): string[] {
  return closestNames(id, rules.map((rule) => rule.id), limit)
}
