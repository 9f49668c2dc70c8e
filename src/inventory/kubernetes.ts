import type {z} from 'zod'

import type {SourceRef} from '../sources/document.js'
import type {
  apiServiceSchema,
  cronJobSchema,
  genericObjectSchema,
  ingressSchema,
  LabelSelector,
  namespaceSchema,
  networkPolicySchema,
  podSchema,
  roleBindingSchema,
  roleSchema,
  serviceAccountSchema,
  serviceSchema,
  webhookConfigurationSchema,
  workloadSchema,
} from './kubernetes-shapes.js'

/** Labels and annotations Juju and hardenctl put on Kubernetes objects (see DOMAIN.md). */
export const JUJU_MODEL_LABEL = 'model.juju.is/name'
export const JUJU_MODEL_ID_LABEL = 'model.juju.is/id'
export const JUJU_CONTROLLER_ID_LABEL = 'controller.juju.is/id'
export const JUJU_IS_CONTROLLER_ANNOTATION = 'controller.juju.is/is-controller'
export const APP_NAME_LABEL = 'app.kubernetes.io/name'

/** Juju's placeholder port on the Service of an application that opened none. */
export const JUJU_PLACEHOLDER_PORT = 65535

/**
 * The ports of a Juju 4 controller Service that publish its SSH server beside the API, for `juju ssh`
 * (port name `ssh-server`, ssh-server-port, default 17022; juju/juju internal/provider/kubernetes/bootstrap.go@01da0d29).
 */
export function controllerSshServerPorts<P extends {name?: string | undefined}>(service: {spec: {ports?: P[] | undefined}}): P[] {
  return (service.spec.ports ?? []).filter((port) => port.name === 'ssh-server')
}

/**
 * Ingress controllers whose pods carry `app.kubernetes.io/name` (the upstream Helm charts set it).
 * RKE2 ships its own chart, `rke2-ingress-nginx` in kube-system; RKE2's hardening guide admits
 * Ingress backends from exactly that label (rancher/rke2 issue 3195).
 */
export const INGRESS_CONTROLLERS: ReadonlySet<string> = new Set([
  'ingress-nginx',
  'nginx-ingress',
  'nginx-ingress-microk8s',
  'rke2-ingress-nginx',
  'traefik',
  'haproxy-ingress',
  'contour',
  'istio-ingressgateway',
])

/**
 * A pod of a known ingress controller, by its `app.kubernetes.io/name`, that is no Juju unit:
 * a Juju application named `traefik` (COS's) serves its relations, not Ingress objects. Juju's
 * sidecar units carry the model's uuid in the `model.juju.is/id` annotation.
 */
export function isIngressControllerPod(metadata: {labels?: unknown; annotations?: unknown}): boolean {
  const labels = (typeof metadata.labels === 'object' && metadata.labels !== null ? metadata.labels : {}) as Record<string, unknown>
  const annotations = (typeof metadata.annotations === 'object' && metadata.annotations !== null ? metadata.annotations : {}) as Record<string, unknown>
  return INGRESS_CONTROLLERS.has(String(labels[APP_NAME_LABEL])) && annotations[JUJU_MODEL_ID_LABEL] === undefined
}
export const WAIVE_ANNOTATION = 'hardenctl.io/waive'

/**
 * A Kubernetes object as read and validated at the edge, plus where it came from. `kind` and
 * `apiVersion` are always filled in, also for items of a typed list (`PodList`), whose items
 * carry neither.
 */
export type Kube<Schema extends z.ZodType> = z.infer<Schema> & {apiVersion: string; kind: string; ref: SourceRef}

export type KubeNamespace = Kube<typeof namespaceSchema>
export type KubePod = Kube<typeof podSchema>
export type KubeWorkload = Kube<typeof workloadSchema>
export type KubeCronJob = Kube<typeof cronJobSchema>
export type KubeService = Kube<typeof serviceSchema>
export type KubeIngress = Kube<typeof ingressSchema>
/** The reader gives every policy its podSelector: an absent one is the empty selector, as the API server decodes it. */
export type KubeNetworkPolicy = Kube<typeof networkPolicySchema> & {spec: {podSelector: LabelSelector}}
export type KubeServiceAccount = Kube<typeof serviceAccountSchema>
export type KubeRole = Kube<typeof roleSchema>
export type KubeRoleBinding = Kube<typeof roleBindingSchema>
export type KubeWebhookConfiguration = Kube<typeof webhookConfigurationSchema>
export type KubeApiService = Kube<typeof apiServiceSchema>
export type KubeObject = Kube<typeof genericObjectSchema>

export interface KubernetesView {
  namespaces: Map<string, KubeNamespace>
  pods: KubePod[]
  /**
   * Deployments, StatefulSets, DaemonSets, CronJobs (and ReplicaSets, Jobs if given). A CronJob is
   * kept as a copy whose `spec.template` is its `spec.jobTemplate.spec.template`.
   */
  workloads: KubeWorkload[]
  services: KubeService[]
  ingresses: KubeIngress[]
  networkPolicies: KubeNetworkPolicy[]
  serviceAccounts: KubeServiceAccount[]
  roles: KubeRole[]
  clusterRoles: KubeRole[]
  roleBindings: KubeRoleBinding[]
  clusterRoleBindings: KubeRoleBinding[]
  /** Validating and mutating admission webhook configurations (cluster-scoped). */
  webhookConfigurations: KubeWebhookConfiguration[]
  /** Aggregated APIs (cluster-scoped). */
  apiServices: KubeApiService[]
  /** Any other kind (ConfigMaps, CRs): kept so nothing read is silently dropped; no rule reads them. */
  other: KubeObject[]
}

export function emptyKubernetesView(): KubernetesView {
  return {
    namespaces: new Map(),
    pods: [],
    workloads: [],
    services: [],
    ingresses: [],
    networkPolicies: [],
    serviceAccounts: [],
    roles: [],
    clusterRoles: [],
    roleBindings: [],
    clusterRoleBindings: [],
    webhookConfigurations: [],
    apiServices: [],
    other: [],
  }
}
