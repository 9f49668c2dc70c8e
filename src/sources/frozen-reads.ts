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

/**
 * The contributions of a merged bundle, made once per set of deeply frozen documents (the exported
 * bundles of the models `reconcile --watch` saw unchanged), as `readFrozenOnce` does for one document.
 */
export function mergeFrozenOnce(documents: readonly {data: unknown; ctx: ReadContext}[], merge: () => Contribution[]): readonly Contribution[] {
  const first = documents[0]?.data
  if (typeof first !== 'object' || first === null || !documents.every(({data}) => typeof data === 'object' && data !== null && Object.isFrozen(data))) return merge()
  const key = documents.map(({ctx}) => contextKey(ctx)).join('\n')
  const last = keptMerges.get(first)
  if (last?.key === key && last.data.length === documents.length && last.data.every((data, i) => data === documents[i]!.data)) return last.contributions
  const contributions = merge()
  deepFreeze(contributions)
  keptMerges.set(first, {key, data: documents.map(({data}) => data), contributions})
  return contributions
}

const keptMerges = new WeakMap<object, {key: string; data: unknown[]; contributions: readonly Contribution[]}>()

/** Everything of the context a reader's contributions depend on; the locator is the file's. */
function contextKey({file, document, scope, kubernetesKindsOnly}: ReadContext): string {
  return JSON.stringify([file, document, scope, kubernetesKindsOnly ? [...kubernetesKindsOnly].sort() : null])
}
