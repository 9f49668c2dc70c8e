/**
 * Model namespaces reconcile leaves exactly as they are on purpose (the run still converges), and
 * why. The planner skips them; the audit's NetworkPolicy fixes say so instead of promising that
 * reconcile will apply them.
 */
import {groupByNamespace} from '../inventory/group-by.js'
import {kubeScope} from '../inventory/kube-scope.js'
import {APP_NAME_LABEL, type KubePod, type KubeService, type KubernetesView} from '../inventory/kubernetes.js'
import type {Inventory, Model} from '../inventory/types.js'
import type {Policy} from '../policy/schema.js'
import {MANAGED_BY_LABEL, MANAGED_BY_VALUE, type UntouchedNamespace} from './types.js'

export type LeftByDesign = UntouchedNamespace & {why: 'unmodelled-workloads' | 'ambient-mesh'}

const DATAPLANE_MODE_LABEL = 'istio.io/dataplane-mode'

/** Why reconcile leaves this model namespace as it is, given its pods and Services; undefined when it plans it. */
function leftByDesign(
  namespace: string,
  model: Model,
  view: Pick<KubernetesView, 'namespaces' | 'networkPolicies'>,
  pods: readonly KubePod[],
  services: readonly KubeService[],
  policy: Policy,
): LeftByDesign | undefined {
  const unmodelled = policy.networkPolicies.unmodelledWorkloads === 'leave-namespace' ? unmodelledServices(model, pods, services) : []
  if (unmodelled.length > 0) {
    return {
      namespace,
      why: 'unmodelled-workloads',
      reason: `pods that are no Juju unit serve Service ${unmodelled.join(', ')} here (a charm-created Deployment, a Helm release): the relation graph does not say who talks to them or whom they call, so a default deny would cut traffic hardenctl cannot see; left as it is (networkPolicies.unmodelledWorkloads: isolate plans it anyway)`,
    }
  }
  const mesh = ambientMesh(namespace, view, pods)
  if (!mesh) return undefined
  const earlier = view.networkPolicies.filter((candidate) => candidate.metadata.namespace === namespace && candidate.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE).length
  return {
    namespace,
    why: 'ambient-mesh',
    reason:
      `${mesh} is in Istio's ambient mesh: connections between its pods arrive on 15008 (HBONE) from ztunnel or a waypoint, not on the relation's ports from the related pods, so relation-derived policies would cut them; left as it is (the mesh's own AuthorizationPolicies, which istio-beacon-k8s derives from the relations, are what restricts it)` +
      (earlier > 0
        ? `. ${earlier} NetworkPolicies an earlier hardenctl run applied are still here and may cut the mesh's traffic: kubectl -n ${namespace} delete networkpolicy -l ${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`
        : ''),
  }
}

const computed = new WeakMap<Inventory, WeakMap<Policy, ReadonlyMap<string, LeftByDesign>>>()

/** Every model namespace in scope that reconcile leaves as it is on purpose, by namespace (worked out once per inventory and policy: the planner and two rules ask). */
export function modelNamespacesLeftByDesign(inventory: Inventory, policy: Policy): ReadonlyMap<string, LeftByDesign> {
  let byPolicy = computed.get(inventory)
  if (!byPolicy) computed.set(inventory, (byPolicy = new WeakMap()))
  let left = byPolicy.get(policy)
  if (!left) byPolicy.set(policy, (left = findLeftByDesign(inventory, policy)))
  return left
}

function findLeftByDesign(inventory: Inventory, policy: Policy): Map<string, LeftByDesign> {
  const scope = kubeScope(inventory, policy)
  const view = inventory.kubernetes
  const left = new Map<string, LeftByDesign>()
  const models = scope.namespaces.filter((namespace) => scope.role(namespace) === 'model' && scope.modelOf(namespace))
  if (models.length === 0) return left
  const pods = groupByNamespace(view.pods)
  const services = groupByNamespace(view.services)
  for (const namespace of models) {
    const why = leftByDesign(namespace, scope.modelOf(namespace)!, view, pods.get(namespace) ?? [], services.get(namespace) ?? [], policy)
    if (why) left.set(namespace, why)
  }
  return left
}

/**
 * Services in a model namespace whose pods are no Juju unit (nor Juju's model operator or an
 * operator pod): workloads a charm created (Charmed Kubeflow's istio gateway and istiod) or a Helm
 * release put there. Their traffic is not in the relation graph.
 */
function unmodelledServices(model: Model, pods: readonly KubePod[], services: readonly KubeService[]): string[] {
  const foreign = pods.filter((pod) => {
    const labels = pod.metadata.labels ?? {}
    return !model.applications.has(labels[APP_NAME_LABEL] ?? '') && labels['operator.juju.is/name'] === undefined
  })
  if (foreign.length === 0) return []
  return services
    .filter((service) => {
      const selector = Object.entries(service.spec.selector ?? {})
      return selector.length > 0 && foreign.some((pod) => selector.every(([key, value]) => pod.metadata.labels?.[key] === value))
    })
    .map((service) => service.metadata.name)
    .sort()
}

/**
 * Istio's ambient mesh (istio-k8s with istio-beacon-k8s: `model-on-mesh` labels the namespace, else
 * the related charms' pods): ztunnel carries a meshed pod's connections to the destination pod's
 * port 15008 (HBONE), and through a waypoint the source is the waypoint's pod, so a policy that
 * admits the related application on its Service ports matches none of it (Istio's "Ambient and
 * Kubernetes NetworkPolicy" page: allow 15008). A pod is meshed by its own label, or by its
 * namespace's unless the pod opts out (`istio.io/dataplane-mode: none`), so a labelled namespace
 * whose pods all opt out is planned as usual. What is enrolled, for the reason; undefined when
 * nothing is.
 */
function ambientMesh(namespace: string, view: Pick<KubernetesView, 'namespaces'>, pods: readonly KubePod[]): string | undefined {
  const byNamespace = view.namespaces.get(namespace)?.metadata.labels?.[DATAPLANE_MODE_LABEL] === 'ambient'
  const meshed = pods.filter((pod) => {
    const mode = pod.metadata.labels?.[DATAPLANE_MODE_LABEL]
    return mode === 'ambient' || (byNamespace && mode !== 'none')
  })
  // Without the pods (not read), the namespace's label is all there is to go by.
  if (byNamespace && (pods.length === 0 || meshed.length > 0)) {
    const optedOut = pods.length - meshed.length
    return `namespace ${namespace} (label ${DATAPLANE_MODE_LABEL}=ambient${optedOut > 0 ? `; ${optedOut} of its ${pods.length} pods opt out with ${DATAPLANE_MODE_LABEL}=none` : ''})`
  }
  if (meshed.length === 0) return undefined
  const names = meshed.map((pod) => pod.metadata.name).sort()
  return `pod${names.length === 1 ? '' : 's'} ${names.slice(0, 3).join(', ')}${names.length > 3 ? ` and ${names.length - 3} more` : ''} (label ${DATAPLANE_MODE_LABEL}=ambient)`
}
