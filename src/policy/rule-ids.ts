/** Rule ids a policy may name (waivers): the catalog's, so a typo is refused instead of waiving nothing. */
import {ALL_RULES} from '../rules/catalog.js'
import {closestName} from './closest.js'

export function ruleIdProblem(id: string): string | undefined {
  if (ALL_RULES.some((rule) => rule.id === id)) return undefined
  const suggestion = closestName(id, ALL_RULES.map((rule) => rule.id))
  return `unknown rule id ${JSON.stringify(id)}; ${suggestion ? `did you mean ${suggestion}?` : 'hardenctl rules lists them'}`
}
