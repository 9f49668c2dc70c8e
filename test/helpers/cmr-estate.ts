/**
 * Pieces of the cross-model estates tests build from files: the corpus's real cross-model pair
 * (jhack's cmr mocks: model `foo` consumes model `clite`'s alertmanager offer, which foo's `trfk`
 * ingresses), and the Kubernetes Lists and Juju model Namespaces beside them.
 */
import {copyFile, mkdir} from 'node:fs/promises'
import {join} from 'node:path'

import {REPO_ROOT} from './cli.js'

const CORPUS = join(REPO_ROOT, 'test/corpus/status')

export const CMR_STATUS_FILES = {
  clite: join(CORPUS, 'jhack__jhack__tests__utils__test_show_relation__mocks__cmrs__full_status_clite.json'),
  foo: join(CORPUS, 'jhack__jhack__tests__utils__test_show_relation__mocks__cmrs__full_status_None.json'),
} as const

/** Copies the status of each named model of the pair to `DIR/juju/mk8scloud/models/MODEL/status.json`. */
export async function writeCmrStatuses(dir: string, models: readonly (keyof typeof CMR_STATUS_FILES)[] = ['clite', 'foo']): Promise<void> {
  for (const model of models) {
    await mkdir(join(dir, 'juju/mk8scloud/models', model), {recursive: true})
    await copyFile(CMR_STATUS_FILES[model], join(dir, 'juju/mk8scloud/models', model, 'status.json'))
  }
}

/** A Juju model's Namespace, labelled as Juju labels it. */
export function modelNamespace(name: string, uuid: string, labels: Record<string, string> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {name, labels: {'kubernetes.io/metadata.name': name, 'model.juju.is/name': name, 'model.juju.is/id': uuid, ...labels}},
  }
}

/** The text of a `kubectl get -o json` List of these items. */
export function kubeList(items: object[]): string {
  return `${JSON.stringify({apiVersion: 'v1', kind: 'List', metadata: {resourceVersion: ''}, items}, null, 2)}\n`
}
