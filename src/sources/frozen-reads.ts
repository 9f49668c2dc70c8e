import type {Contribution, DocumentReader, ReadContext} from '../inventory/contributions.js'
import {deepFreeze} from './freeze.js'

interface Kept {
  reader: DocumentReader
  key: string
  contributions: readonly Contribution[]
}

const kept = new WeakMap<object, Kept>()

/**
 * What `reader` makes of `data`, made once per deeply frozen document and read context:
 * `reconcile --watch` hands every pass the same frozen documents of the Juju models its watch saw
 * unchanged, and reading one again makes the same contributions. They are kept frozen, so no later
 * step can change what the next pass is given (one that tried would throw). Data that is not frozen
 * is read every time.
 */
export function readFrozenOnce(reader: DocumentReader, data: unknown, context: ReadContext): readonly Contribution[] {
  if (typeof data !== 'object' || data === null || !Object.isFrozen(data)) return reader.read(data, context)
  const key = contextKey(context)
  const last = kept.get(data)
  if (last?.reader === reader && last.key === key) return last.contributions
  const contributions = reader.read(data, context)
  deepFreeze(contributions)
  kept.set(data, {reader, key, contributions})
  return contributions
}

/** Everything of the context a reader's contributions depend on; the locator is the file's. */
function contextKey({file, document, scope, kubernetesKindsOnly}: ReadContext): string {
  return JSON.stringify([file, document, scope, kubernetesKindsOnly ? [...kubernetesKindsOnly].sort() : null])
}
