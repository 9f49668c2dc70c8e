/** Kubernetes label selector semantics (matchLabels AND matchExpressions; empty selects all). */
import type {LabelSelector} from '../../inventory/kubernetes-shapes.js'

export function isEmptySelector(selector: LabelSelector | undefined): boolean {
  if (!selector) return true
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0
}

export function selectorMatches(selector: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return true
  const l = labels ?? {}
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (l[key] !== value) return false
  for (const expr of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(l, expr.key)
    const value = l[expr.key]
    const values = expr.values ?? []
    switch (expr.operator) {
      case 'In':
        if (!has || value === undefined || !values.includes(value)) return false
        break
      case 'NotIn':
        if (has && value !== undefined && values.includes(value)) return false
        break
      case 'Exists':
        if (!has) return false
        break
      case 'DoesNotExist':
        if (has) return false
        break
      default:
        return false
    }
  }
  return true
}
