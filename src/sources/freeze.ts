/** Freezes a value and everything below it: data kept between `reconcile --watch` passes cannot be changed by one of them. */
export function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return
  for (const item of Object.values(value)) deepFreeze(item)
  Object.freeze(value)
}
