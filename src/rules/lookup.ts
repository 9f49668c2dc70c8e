/** Finding a rule by the id a person typed, and the ids they most likely meant when none matches. */
import type {RuleMetadata} from './rule.js'

/** The rule with this id, in any letter case (`juju-trust` is JUJU-TRUST). */
export function findRule<T extends RuleMetadata>(rules: readonly T[], id: string): T | undefined {
  const wanted = id.trim().toUpperCase()
  return rules.find((rule) => rule.id === wanted)
}

/**
 * Up to `limit` ids closest to `id`: within a third of its length in edits, or containing it
 * (`TRUST` suggests JUJU-TRUST), nearest first.
 */
export function closestRuleIds(rules: readonly RuleMetadata[], id: string, limit = 3): string[] {
  const wanted = id.trim().toUpperCase()
  if (wanted === '') return []
  const maxEdits = Math.max(2, Math.floor(wanted.length / 3))
  return rules
    .map((rule) => ({id: rule.id, score: rule.id.includes(wanted) ? 0 : editDistance(wanted, rule.id)}))
    .filter((entry) => entry.score <= maxEdits)
    .sort((a, b) => a.score - b.score || a.id.localeCompare(b.id))
    .slice(0, limit)
    .map((entry) => entry.id)
}

function editDistance(a: string, b: string): number {
  const row = Array.from({length: b.length + 1}, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1))
      diagonal = above
    }
  }
  return row[b.length]!
}
