/**
 * Label selectors as NetworkPolicy uses them: matchLabels AND matchExpressions (In, NotIn,
 * Exists, DoesNotExist); empty or absent selects everything (DOMAIN rule 2). Over structural
 * types, so live and planned policies both fit; the audit rules use it too.
 */
import type {SelectorLike} from './types.js'

export function isEmptySelector(selector: SelectorLike | undefined): boolean {
  if (!selector) return true
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0
}

export function selectorMatches(selector: SelectorLike | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true
  for (const key in selector.matchLabels) if (labels[key] !== selector.matchLabels[key]) return false
  for (const expression of selector.matchExpressions ?? []) {
    const value = Object.hasOwn(labels, expression.key) ? labels[expression.key] : undefined
    const values = expression.values ?? []
    switch (expression.operator) {
      case 'In':
        if (value === undefined || !values.includes(value)) return false
        break
      case 'NotIn':
        if (value !== undefined && values.includes(value)) return false
        break
      case 'Exists':
        if (value === undefined) return false
        break
      case 'DoesNotExist':
        if (value !== undefined) return false
        break
      default:
        return false
    }
  }
  return true
}
