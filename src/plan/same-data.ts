/**
 * Whether two pieces of JSON-shaped data say the same: key order does not count, and a key whose
 * value is undefined is no key (JSON from the API and objects built here differ in both ways).
 * One walk, no sorted copies: the plan compares thousands of policies with the cluster's.
 */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, index) => sameData(item, b[index]))
  if (Array.isArray(b)) return false
  const left = a as Record<string, unknown>
  const right = b as Record<string, unknown>
  let keys = 0
  for (const key in left) {
    if (left[key] === undefined) continue
    keys++
    if (!Object.hasOwn(right, key) || !sameData(left[key], right[key])) return false
  }
  for (const key in right) if (right[key] !== undefined) keys--
  return keys === 0
}
