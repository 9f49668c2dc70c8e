import type {DocumentReader} from '../../inventory/contributions.js'
import {charmConfigReader, charmcraftReader, charmMetadataReader} from './readers.js'

export {isCharmDirectory, readCharmDirectory, readCharmDirectoryFiles, readIfCharmDirectory} from './directory.js'
export {
  flattenAssumes,
  isCharmConfigDocument,
  isCharmcraftDocument,
  isCharmMetadataDocument,
} from './metadata.js'
export {mergeCharmMetadata} from '../../inventory/charm.js'
export {charmConfigReader, charmcraftReader, charmMetadataReader} from './readers.js'

/** Readers for loose charm files: metadata.yaml, charmcraft.yaml (unified or build-only), config.yaml. */
export const charmReaders: DocumentReader[] = [charmMetadataReader, charmcraftReader, charmConfigReader]
