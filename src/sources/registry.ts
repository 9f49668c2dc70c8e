import type {DocumentReader} from '../inventory/contributions.js'
import {charmReaders} from './charm/index.js'
import {jujuReaders} from './juju/index.js'
import {kubernetesReaders} from './kubernetes/index.js'

/**
 * Every document reader, in the order recognition is tried. Readers recognise by content and are
 * written to be mutually exclusive (a test checks that for the corpus); the order only matters
 * for speed: Kubernetes objects are by far the most numerous.
 */
export const ALL_READERS: DocumentReader[] = [...kubernetesReaders, ...jujuReaders, ...charmReaders]
