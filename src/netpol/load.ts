/** The engine's policy input from an inventory's Kubernetes view. */
import type {KubernetesView} from '../inventory/kubernetes.js'
import type {PolicyInput} from './types.js'

export function policyInput(view: Pick<KubernetesView, 'networkPolicies' | 'namespaces'>): PolicyInput {
  return {policies: view.networkPolicies, namespaces: [...view.namespaces.values()]}
}
