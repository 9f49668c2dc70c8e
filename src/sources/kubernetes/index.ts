import type {DocumentReader} from '../../inventory/contributions.js'
import {kubernetesReader} from './reader.js'

export {apiGroup, inputsFromFileName, KIND_SPECS, specFor, type KindSpec} from '../../inventory/kubernetes-kinds.js'
export {isKubernetesDocument, kubernetesReader} from './reader.js'

/** Readers for `kubectl get ... -o json|yaml` output: lists (`kind: List`, `PodList`) and single objects. */
export const kubernetesReaders: DocumentReader[] = [kubernetesReader]
