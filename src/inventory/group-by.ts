/** Lists grouped by a key, each group in the items' order. */

export function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const key = keyOf(item)
    const group = groups.get(key)
    if (group) group.push(item)
    else groups.set(key, [item])
  }
  return groups
}

/** Kubernetes objects by namespace ('' for cluster-scoped ones). */
export function groupByNamespace<T extends {metadata: {namespace?: string | undefined}}>(objects: readonly T[]): Map<string, T[]> {
  return groupBy(objects, (object) => object.metadata.namespace ?? '')
}
