/**
 * A pod's labels for a question about the pods a selector picks (a Service's, or Juju's
 * `app.kubernetes.io/name`): a NetworkPolicy may select those pods by any of their labels, so the
 * labels of one such pod stand for them, and the selector itself when no such pod was read.
 */
import {groupByNamespace} from './group-by.js'
import type {KubePod, KubernetesView} from './kubernetes.js'

const podsByNamespace = new WeakMap<readonly KubePod[], Map<string, KubePod[]>>()

export function podLabelsFor(view: Pick<KubernetesView, 'pods'>, namespace: string, selector: Readonly<Record<string, string>>): Record<string, string> {
  let byNamespace = podsByNamespace.get(view.pods)
  if (!byNamespace) podsByNamespace.set(view.pods, (byNamespace = groupByNamespace(view.pods)))
  const pod = byNamespace.get(namespace)?.find((candidate) => Object.entries(selector).every(([key, value]) => candidate.metadata.labels?.[key] === value))
  return pod?.metadata.labels ?? {...selector}
}
