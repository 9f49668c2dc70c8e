import type {z} from 'zod'

import type {SourceRef} from '../sources/document.js'
import type {
  apiServiceSchema,
  cronJobSchema,
  gatewayClassSchema,
  gatewaySchema,
  genericObjectSchema,
  ingressClassSchema,
  ingressSchema,
  LabelSelector,
  monitorSchema,
  namespaceSchema,
  networkPolicySchema,
  podSchema,
  roleBindingSchema,
  routeSchema,
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
const INGRESS_CONTROLLERS: ReadonlySet<string> = new Set([
  'ingress-nginx',
  'nginx-ingress',
  'rke2-ingress-nginx',
  'traefik',
  'haproxy-ingress',
  'contour',
  'istio-ingressgateway',
])

/**
 * Pod labels (or a Service's selector) of a known ingress controller: a name from
 * INGRESS_CONTROLLERS, or Charmed Kubernetes's. Its kubernetes-worker charm names its ingress-nginx
 * after the application, `ingress-nginx-<app>` in both `app.kubernetes.io/name` and
 * `app.kubernetes.io/part-of` (charmed-kubernetes/charm-kubernetes-worker
 * templates/ingress-daemon-set.yaml@127fea57), and runs it on the host network.
 */
export function hasIngressControllerLabels(labels: Readonly<Record<string, unknown>> | undefined): boolean {
  const name = labels?.[APP_NAME_LABEL]
  if (typeof name === 'string' && (INGRESS_CONTROLLERS.has(name) || charmedKubernetesIngressApplication(labels) !== undefined)) return true
  return INGRESS_CONTROLLERS_BY_NAME_LABEL.has(String(labels?.name))
}

/**
 * Controllers whose pods carry only a `name` label: MicroK8s's ingress add-on (`microk8s enable
 * ingress`) labels its ingress-nginx DaemonSet's pods `name: nginx-ingress-microk8s` and nothing else
 * (canonical/microk8s-core-addons addons/ingress/ingress.yaml@6656a216).
 */
const INGRESS_CONTROLLERS_BY_NAME_LABEL: ReadonlySet<string> = new Set(['nginx-ingress-microk8s'])

/** The kubernetes-worker application whose charm runs this Charmed Kubernetes ingress-nginx pod, by its labels. */
export function charmedKubernetesIngressApplication(labels: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const name = labels?.[APP_NAME_LABEL]
  if (typeof name !== 'string' || !name.startsWith(CHARMED_KUBERNETES_INGRESS_PREFIX) || labels?.[PART_OF_LABEL] !== name) return undefined
  return name.slice(CHARMED_KUBERNETES_INGRESS_PREFIX.length) || undefined
}

const CHARMED_KUBERNETES_INGRESS_PREFIX = 'ingress-nginx-'
const PART_OF_LABEL = 'app.kubernetes.io/part-of'

/**
 * A pod that serves the cluster's Ingress objects, as far as its object tells:
 * - a known controller by its labels (hasIngressControllerLabels), or
 * - a pod on the host network that listens on 80 or 443: an edge proxy under a name not listed
 *   (an in-house chart, a renamed release). Reconcile admits its nodes to Ingress backends rather
 *   than cut it off; taking a node-local web server for one admits more, never less.
 *
 * Never a Juju unit: a Juju application named `traefik` (COS's) serves its relations, not Ingress
 * objects. Juju's sidecar units carry the model's uuid in the `model.juju.is/id` annotation.
 */
export function isIngressControllerPod(pod: {metadata: {labels?: unknown; annotations?: unknown}; spec?: unknown}): boolean {
  const annotations = recordOf(pod.metadata.annotations)
  if (annotations[JUJU_MODEL_ID_LABEL] !== undefined) return false
  return hasIngressControllerLabels(recordOf(pod.metadata.labels)) || isHostNetworkWebServer(pod.spec)
}

/** Whether the pod is an ingress controller only because it listens on 80/443 on the host network. */
export function isUnlistedIngressControllerPod(pod: {metadata: {labels?: unknown; annotations?: unknown}; spec?: unknown}): boolean {
  return isIngressControllerPod(pod) && !hasIngressControllerLabels(recordOf(pod.metadata.labels))
}

const WEB_PORTS: ReadonlySet<unknown> = new Set([80, 443])

function isHostNetworkWebServer(spec: unknown): boolean {
  const pod = recordOf(spec)
  if (pod.hostNetwork !== true || !Array.isArray(pod.containers)) return false
  return pod.containers.some((container) => {
    const ports = recordOf(container).ports
    return Array.isArray(ports) && ports.some((port) => WEB_PORTS.has(recordOf(port).containerPort))
  })
}

function recordOf(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {}
}

/** An Ingress Cilium's ingress controller serves: by its class's controller when the IngressClass was read, else by the class's name. */
export function servedByCiliumIngress(ingress: KubeIngress, classes: readonly KubeIngressClass[] = []): boolean {
  const resolved = resolveIngressClass(ingress, classes)
  return resolved.controller === undefined ? CILIUM_INGRESS_CLASSES.has(resolved.name) : resolved.controller === CILIUM_INGRESS_CONTROLLER
}

/** An Ingress controller whose connections to the backends come from no pod a NetworkPolicy peer can select. */
export interface OutsideServedIngress {
  class: string
  /** "the AWS Application Load Balancer (AWS Load Balancer Controller)" */
  servedBy: string
  /** Short, for a rule's reason. */
  name: string
  /** Where its connections come from. */
  from: string
  /** What would admit only them, in place of every source. */
  narrow: string
  /** The annotation on the Ingress that is its own source allowlist, if it reads one. */
  allowlistAnnotation?: string
  /** What that annotation is, for a fix's comment. */
  allowlistIs?: string
}

/**
 * Cloud load balancers that connect to the backends themselves, by Ingress class: the AWS Load
 * Balancer Controller's ALB targets pod addresses directly (target type ip) or the nodes
 * (instance) (kubernetes-sigs/aws-load-balancer-controller docs); GKE's load balancers connect
 * from Google's front ends (130.211.0.0/22, 35.191.0.0/16) or a proxy-only subnet; AGIC's
 * Application Gateway from its own subnet. No controller pod connects.
 */
const CLOUD_LOAD_BALANCER_CLASSES: Readonly<Record<string, Omit<OutsideServedIngress, 'class'>>> = {
  alb: {
    servedBy: 'the AWS Application Load Balancer (AWS Load Balancer Controller)',
    name: 'the AWS Application Load Balancer',
    from: 'its own addresses in its subnets (target type ip) or through the nodes (instance)',
    narrow: "an ipBlock of the load balancer's subnets",
    allowlistAnnotation: 'alb.ingress.kubernetes.io/inbound-cidrs',
    allowlistIs: "the AWS Load Balancer Controller's source allowlist",
  },
  gce: {
    servedBy: "Google Cloud's external Application Load Balancer (GKE Ingress)",
    name: "Google Cloud's load balancer",
    from: "Google's front ends, 130.211.0.0/22 and 35.191.0.0/16 (container-native load balancing), or through the nodes",
    narrow: "ipBlocks of 130.211.0.0/22 and 35.191.0.0/16 (and the nodes' addresses without container-native load balancing)",
  },
  'gce-internal': {
    servedBy: "Google Cloud's internal Application Load Balancer (GKE Ingress)",
    name: "Google Cloud's load balancer",
    from: "the region's proxy-only subnet, or through the nodes",
    narrow: "an ipBlock of the region's proxy-only subnet",
  },
  'azure-application-gateway': {
    servedBy: 'Azure Application Gateway (AGIC)',
    name: 'Azure Application Gateway',
    from: "the Application Gateway's subnet",
    narrow: "an ipBlock of the Application Gateway's subnet",
  },
}

/** The same load balancers by the controller their IngressClass names (GKE Ingress has no IngressClass). */
const CLOUD_LOAD_BALANCER_CONTROLLERS: Readonly<Record<string, string>> = {
  'ingress.k8s.aws/alb': 'alb',
  'azure/application-gateway': 'azure-application-gateway',
}

/** The cloud load balancer that serves the Ingress, by its class's controller or its class's name; undefined for any other. */
export function cloudLoadBalancerIngress(ingress: KubeIngress, classes: readonly KubeIngressClass[] = []): OutsideServedIngress | undefined {
  const {name, controller} = resolveIngressClass(ingress, classes)
  // The IngressClass read decides; without it, the class's conventional name.
  const known = controller === undefined ? name : CLOUD_LOAD_BALANCER_CONTROLLERS[controller]
  const served = known === undefined ? undefined : CLOUD_LOAD_BALANCER_CLASSES[known]
  return served && name ? {class: name, ...served} : undefined
}

/** The class an Ingress names (`spec.ingressClassName`, or the annotation that preceded it); undefined for the cluster's default. */
export function ingressClassOf(ingress: KubeIngress): string | undefined {
  return ingress.spec?.ingressClassName ?? ingress.metadata.annotations?.['kubernetes.io/ingress.class']
}

/**
 * The class that serves an Ingress and its controller, as far as the IngressClasses read tell: the
 * class it names, else the one IngressClass marked the cluster's default (the API server gives a
 * new Ingress without a class that one, and the controller whose class is the default serves
 * those made before, as Cilium's does with ingressController.default; with several marked, none is
 * certain). `controller` is undefined when the class was not read.
 */
export function resolveIngressClass(ingress: KubeIngress, classes: readonly KubeIngressClass[]): {name: string | undefined; controller: string | undefined; byDefault: boolean} {
  const named = ingressClassOf(ingress)
  const defaults = named === undefined ? classes.filter((candidate) => candidate.metadata.annotations?.[DEFAULT_INGRESS_CLASS_ANNOTATION] === 'true') : []
  const name = named ?? (defaults.length === 1 ? defaults[0]!.metadata.name : undefined)
  const controller = name === undefined ? undefined : classes.find((candidate) => candidate.metadata.name === name)?.spec?.controller
  return {name, controller, byDefault: named === undefined && name !== undefined}
}

const DEFAULT_INGRESS_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class'
/**
 * The IngressClasses of Cilium's ingress controller, by name, for when the IngressClass itself was
 * not read: Cilium's chart installs `cilium` (install/kubernetes/cilium/templates/cilium-ingress-class.yaml),
 * Canonical Kubernetes's `k8s enable ingress` installs `ck-ingress` (canonical/k8s-snap
 * k8s/manifests/charts/ck-ingress-cilium/ingresscontroller.yaml@958a6ec2).
 */
const CILIUM_INGRESS_CLASSES: ReadonlySet<string | undefined> = new Set(['cilium', 'ck-ingress'])
const CILIUM_INGRESS_CONTROLLER = 'cilium.io/ingress-controller'

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
export type KubeIngressClass = Kube<typeof ingressClassSchema>
export type KubeGatewayClass = Kube<typeof gatewayClassSchema>
export type KubeGateway = Kube<typeof gatewaySchema>
/** An HTTPRoute or a GRPCRoute (`kind` tells which). */
export type KubeRoute = Kube<typeof routeSchema>
/** A ServiceMonitor or a PodMonitor (`kind` tells which). */
export type KubeMonitor = Kube<typeof monitorSchema>
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
  /** Which controller serves which Ingress class, and the default one (cluster-scoped). */
  ingressClasses: KubeIngressClass[]
  /** The Gateway API: classes (cluster-scoped), Gateways, and HTTPRoutes and GRPCRoutes. */
  gatewayClasses: KubeGatewayClass[]
  gateways: KubeGateway[]
  routes: KubeRoute[]
  /** Prometheus Operator's ServiceMonitors and PodMonitors. */
  monitors: KubeMonitor[]
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
    ingressClasses: [],
    gatewayClasses: [],
    gateways: [],
    routes: [],
    monitors: [],
    other: [],
  }
}
