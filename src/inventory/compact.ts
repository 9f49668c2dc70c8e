/**
 * A copy without the keys whose value is undefined. Facts are merged field by field, so a reader
 * must leave out what its input does not say rather than set it to undefined, and a merge must
 * not let an absent field erase a present one.
 */
export function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {}
  for (const key in value) {
    const field = value[key]
    if (field !== undefined) out[key] = field
  }
  return out as T
}
