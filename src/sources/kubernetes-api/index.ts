/** The live Kubernetes source: find the cluster, then list what `kubectl get <kind> -A -o json` would print. */
export {discoverKubernetes, type DiscoveryOptions, type KubernetesDiscovery} from './discover.js'
export {
  collectKubernetes,
  KUBERNETES_LISTS,
  type CollectOptions,
  type KubernetesCollection,
  type KubernetesList,
  type ListProgress,
} from './list.js'
