/** A value from a policy file as an error message quotes it: `"yes"`, `0`, `a list`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'an empty value'
  if (value === undefined) return 'nothing'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  if (typeof value === 'string') return value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}…` : JSON.stringify(value)
  return String(value)
}
