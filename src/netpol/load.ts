/**
 * The netpol commands' input: the Kubernetes objects of `--from` files and snapshot directories,
 * read by the same file source and inventory builder as `audit`.
 */
import {buildInventory} from '../inventory/build.js'
import type {KubernetesView} from '../inventory/kubernetes.js'
import {readFileSources} from '../sources/files.js'
import type {PolicyInput} from './types.js'

export async function readKubernetesView(paths: string[]): Promise<{view: KubernetesView; warnings: string[]}> {
  const sources = await readFileSources(paths)
  const inventory = buildInventory(sources.contributions, {files: sources.files, locators: sources.locators})
  return {view: inventory.kubernetes, warnings: sources.warnings}
}

export function policyInput(view: Pick<KubernetesView, 'networkPolicies' | 'namespaces'>): PolicyInput {
  return {policies: view.networkPolicies, namespaces: [...view.namespaces.values()]}
}
