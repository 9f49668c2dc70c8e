/**
 * Readers for loose charm files, recognised by content: metadata.yaml, charmcraft.yaml (unified
 * or build-only) and config.yaml. Each yields one `charm` contribution named after the charm (or,
 * when the file has no name, after its directory); a build-only charmcraft.yaml without a name
 * yields nothing. A charm directory is better read whole with `readCharmDirectory`.
 */
import type {Contribution, DocumentReader, ReadContext} from '../../inventory/contributions.js'
import {
  type CharmFacts,
  charmFactsFromDocument,
  configFactsFromDocument,
  isCharmConfigDocument,
  isCharmcraftDocument,
  isCharmMetadataDocument,
  nameFromPath,
  toCharmMetadata,
} from './metadata.js'

function contributions(facts: CharmFacts, context: ReadContext): Contribution[] {
  const name = facts.name ?? nameFromPath(context.file, false)
  const out: Contribution[] = []
  if (facts.hasMetadata) out.push({type: 'input', scope: {...context.scope, file: context.file}, input: 'charm-metadata'})
  out.push({type: 'charm', charm: toCharmMetadata(facts, name, context.file)})
  return out
}

export const charmMetadataReader: DocumentReader = {
  kind: 'charm metadata',
  recognises: (data) => isCharmMetadataDocument(data),
  read(data, context) {
    return contributions(charmFactsFromDocument(data, context), context)
  },
}

export const charmcraftReader: DocumentReader = {
  kind: 'charmcraft.yaml',
  recognises: (data) => isCharmcraftDocument(data),
  read(data, context) {
    const facts = charmFactsFromDocument(data, context)
    // Build-only (type, parts, platforms): nothing to say about the charm but, maybe, its name.
    const buildOnly = !facts.hasMetadata && facts.options === undefined
    if (buildOnly && facts.name === undefined) return []
    return contributions(facts, context)
  },
}

export const charmConfigReader: DocumentReader = {
  kind: 'charm config',
  recognises: (data) => isCharmConfigDocument(data),
  read(data, context) {
    return contributions(configFactsFromDocument(data, context), context)
  },
}
