/**
 * What the Gateway API's objects say about who connects to a Service: an HTTPRoute or GRPCRoute
 * names its backends and the Gateways it attaches to, a Gateway its class, and a GatewayClass
 * the controller that implements it. Defaults follow gateway.networking.k8s.io/v1
 * (shared_types.go): a parentRef is a Gateway and a backendRef a core Service, each in the
 * route's namespace unless it names another.
 */
import type {KubeGateway, KubeGatewayClass, KubernetesView, KubeRoute, OutsideServedIngress} from './kubernetes.js'

type Listener = KubeGateway['spec']['listeners'][number]

const GATEWAY_API_GROUP = 'gateway.networking.k8s.io'

/** A Service a route sends traffic to, on its Service port when the route names one. */
export interface RouteBackend {
  namespace: string
  name: string
  port: number | undefined
}

export function routeBackends(route: KubeRoute): RouteBackend[] {
  const namespace = route.metadata.namespace ?? 'default'
  return (route.spec.rules ?? []).flatMap((rule) =>
    (rule.backendRefs ?? []).flatMap((ref) =>
      (ref.group ?? '') === '' && (ref.kind ?? 'Service') === 'Service' ? [{namespace: ref.namespace ?? namespace, name: ref.name, port: ref.port}] : [],
    ),
  )
}

type ParentRef = NonNullable<KubeRoute['spec']['parentRefs']>[number]

/** A parentRef naming a Gateway (its default), not a Service (the mesh's routes). */
function isGatewayRef(ref: ParentRef): boolean {
  return (ref.group ?? GATEWAY_API_GROUP) === GATEWAY_API_GROUP && (ref.kind ?? 'Gateway') === 'Gateway'
}

/** The Gateways (`namespace/name`) a route attaches to. */
export function routeGateways(route: KubeRoute): {namespace: string; name: string}[] {
  const namespace = route.metadata.namespace ?? 'default'
  return (route.spec.parentRefs ?? []).flatMap((ref) => (isGatewayRef(ref) ? [{namespace: ref.namespace ?? namespace, name: ref.name}] : []))
}

/**
 * Who carries a Gateway's traffic to the backends, by its class's controller:
 * - `pods`: proxies running as pods on the pod network: the Gateway's own (gatewayOfProxyPod),
 *   or for an implementation that serves every Gateway from its own pods, those (their
 *   `app.kubernetes.io/name` is `servedByPodsNamed`);
 * - `cilium`: Cilium's Envoy, as Cilium's reserved `ingress` identity, which no NetworkPolicy
 *   peer names (the same as Cilium's Ingress; cilium/cilium 04f19e98);
 * - `outside`: a cloud's load balancer, from its own addresses.
 */
export type GatewayImplementation =
  | {connects: 'pods'; name: string; servedByPodsNamed?: string}
  | {connects: 'cilium'; name: string}
  | {connects: 'outside'; served: OutsideServedIngress}

/**
 * Implementations whose data plane runs as pods in the cluster, by GatewayClass controllerName.
 * Envoy Gateway (gateway.envoyproxy.io), Istio (istio.io), Contour's provisioner and kgateway
 * make proxies per Gateway; Traefik maps listeners to the entry points of its own pods.
 */
const IN_CLUSTER_IMPLEMENTATIONS: Readonly<Record<string, {name: string; servedByPodsNamed?: string}>> = {
  'gateway.envoyproxy.io/gatewayclass-controller': {name: 'Envoy Gateway'},
  'istio.io/gateway-controller': {name: 'Istio'},
  'gateway.nginx.org/nginx-gateway-controller': {name: 'NGINX Gateway Fabric'},
  'traefik.io/gateway-controller': {name: 'Traefik', servedByPodsNamed: 'traefik'},
  'projectcontour.io/gateway-controller': {name: 'Contour'},
  'kgateway.dev/kgateway': {name: 'kgateway'},
  'konghq.com/kic-gateway-controller': {name: 'Kong'},
  'konghq.com/gateway-operator': {name: 'Kong'},
}

const CILIUM_GATEWAY_CONTROLLER = 'io.cilium/gateway-controller'

/** Cloud load balancers that implement Gateways, by controllerName: they connect from their own addresses. */
const OUTSIDE_IMPLEMENTATIONS: Readonly<Record<string, Omit<OutsideServedIngress, 'class'>>> = {
  'networking.gke.io/gateway': {
    servedBy: "Google Cloud's load balancer (GKE Gateway)",
    name: "Google Cloud's load balancer",
    from: "Google's front ends, 130.211.0.0/22 and 35.191.0.0/16, or the region's proxy-only subnet (internal classes)",
    narrow: "ipBlocks of 130.211.0.0/22 and 35.191.0.0/16 (or the proxy-only subnet)",
  },
  'gateway.k8s.aws/alb': {
    servedBy: 'the AWS Application Load Balancer (AWS Load Balancer Controller)',
    name: 'the AWS Application Load Balancer',
    from: 'its own addresses in its subnets',
    narrow: "an ipBlock of the load balancer's subnets",
  },
  'gateway.k8s.aws/nlb': {
    servedBy: 'the AWS Network Load Balancer (AWS Load Balancer Controller)',
    name: 'the AWS Network Load Balancer',
    from: "its own addresses in its subnets, or the clients' own addresses when it preserves them",
    narrow: "an ipBlock of the load balancer's subnets (or of its clients)",
  },
  'application-networking.k8s.aws/gateway-api-controller': {
    servedBy: 'Amazon VPC Lattice (AWS Gateway API Controller)',
    name: 'Amazon VPC Lattice',
    from: "VPC Lattice's link-local and managed prefix addresses",
    narrow: "an ipBlock of VPC Lattice's managed prefix list",
  },
  'alb.networking.azure.io/alb-controller': {
    servedBy: 'Azure Application Gateway for Containers',
    name: 'Azure Application Gateway for Containers',
    from: "its association subnet",
    narrow: "an ipBlock of the association subnet",
  },
}

/** The implementation of a GatewayClass's controller; undefined for one hardenctl does not know. */
export function gatewayImplementation(controllerName: string): GatewayImplementation | undefined {
  if (controllerName === CILIUM_GATEWAY_CONTROLLER) return {connects: 'cilium', name: 'Cilium'}
  const inCluster = IN_CLUSTER_IMPLEMENTATIONS[controllerName]
  if (inCluster) return {connects: 'pods', ...inCluster}
  const outside = OUTSIDE_IMPLEMENTATIONS[controllerName]
  return outside ? {connects: 'outside', served: {class: controllerName, ...outside}} : undefined
}

/**
 * The Gateway (`namespace/name`) whose proxy a pod is, by the labels its implementation gives it;
 * undefined for any other pod. Envoy Gateway names the Gateway and its namespace
 * (`gateway.envoyproxy.io/owning-gateway-name`, `-namespace`; the proxies run in
 * envoy-gateway-system by default). The Gateway API asks every implementation to label what it
 * generates `gateway.networking.k8s.io/gateway-name` (apis/v1/well_known_labels.go@b23ec22b);
 * Istio does on its proxy pods, in the Gateway's namespace (kube-gateway.yaml@03404d0f).
 */
export function gatewayOfProxyPod(namespace: string, labels: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const owner = labels?.[ENVOY_GATEWAY_NAME_LABEL]
  const ownerNamespace = labels?.[ENVOY_GATEWAY_NAMESPACE_LABEL]
  if (typeof owner === 'string' && typeof ownerNamespace === 'string') return `${ownerNamespace}/${owner}`
  const name = labels?.[GATEWAY_NAME_LABEL]
  return typeof name === 'string' ? `${namespace}/${name}` : undefined
}

const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name'
const ENVOY_GATEWAY_NAME_LABEL = 'gateway.envoyproxy.io/owning-gateway-name'
const ENVOY_GATEWAY_NAMESPACE_LABEL = 'gateway.envoyproxy.io/owning-gateway-namespace'

/** The labels that single out a Gateway's proxies among the pods of their namespace. */
export function proxyPodSelector(labels: Readonly<Record<string, unknown>>): Record<string, string> {
  const selector: Record<string, string> = {}
  for (const key of [ENVOY_GATEWAY_NAME_LABEL, ENVOY_GATEWAY_NAMESPACE_LABEL]) if (typeof labels[key] === 'string') selector[key] = labels[key]
  if (Object.keys(selector).length === 2) return selector
  return typeof labels[GATEWAY_NAME_LABEL] === 'string' ? {[GATEWAY_NAME_LABEL]: labels[GATEWAY_NAME_LABEL]} : {}
}

/** Index of the Gateway API objects read: Gateways by `namespace/name`, classes by name. */
export interface GatewayIndex {
  gateway(namespace: string, name: string): KubeGateway | undefined
  gatewayClass(name: string): KubeGatewayClass | undefined
}

export function indexGateways(gateways: readonly KubeGateway[], classes: readonly KubeGatewayClass[]): GatewayIndex {
  const byKey = new Map(gateways.map((gateway) => [`${gateway.metadata.namespace ?? 'default'}/${gateway.metadata.name}`, gateway]))
  const byName = new Map(classes.map((gatewayClass) => [gatewayClass.metadata.name, gatewayClass]))
  return {gateway: (namespace, name) => byKey.get(`${namespace}/${name}`), gatewayClass: (name) => byName.get(name)}
}

/**
 * The listeners of a Gateway a route attaches to: the one its parentRef names (`sectionName`),
 * those on the port it names, or else all of them.
 */
export function attachedListeners(route: KubeRoute, gateway: KubeGateway): Listener[] {
  const namespace = route.metadata.namespace ?? 'default'
  const gatewayNamespace = gateway.metadata.namespace ?? 'default'
  const refs = (route.spec.parentRefs ?? []).filter((ref) => isGatewayRef(ref) && ref.name === gateway.metadata.name && (ref.namespace ?? namespace) === gatewayNamespace)
  const attached = new Set<Listener>()
  for (const ref of refs) {
    for (const listener of gateway.spec.listeners) {
      if ((ref.sectionName === undefined || ref.sectionName === listener.name) && (ref.port === undefined || ref.port === listener.port)) attached.add(listener)
    }
  }
  return [...attached]
}

/** Whether every rule of the route only redirects to HTTPS (a RequestRedirect with scheme https): it serves nothing in clear. */
export function onlyRedirectsToHttps(route: KubeRoute): boolean {
  const rules = route.spec.rules ?? []
  return rules.length > 0 && rules.every((rule) => (rule.filters ?? []).some((filter) => filter.type === 'RequestRedirect' && filter.requestRedirect?.scheme === 'https'))
}

/** Listener protocols that carry a route's traffic in clear (HTTPRoute over HTTP, GRPCRoute over h2c). */
export function isPlaintextListener(listener: Listener): boolean {
  return listener.protocol === 'HTTP'
}

/** A Gateway a route attaches to, the listeners it is attached to there, and the index of the parentRef that attaches it. */
export interface AttachedGateway {
  gateway: KubeGateway
  listeners: Listener[]
  parentRef: number
}

export interface PlaintextRoute {
  route: KubeRoute
  /** The Services it sends to, `namespace/name`. */
  backends: string[]
  /** Each Gateway it is served in clear on, with those HTTP listeners only. */
  through: AttachedGateway[]
}

/**
 * Routes served in clear: an HTTPRoute or GRPCRoute attached to a Gateway listener of protocol
 * HTTP, other than one that only redirects to HTTPS. The Gateway API has no redirect of its own
 * (ingress-nginx redirects an Ingress with `tls` by default; a Gateway serves what a route attaches
 * to each listener), so content on an HTTP listener travels in clear whether or not an HTTPS
 * listener serves it too. A route whose Gateway was not read is not judged.
 */
export function plaintextRoutes(view: Pick<KubernetesView, 'routes' | 'gateways' | 'gatewayClasses'>): PlaintextRoute[] {
  const gateways = indexGateways(view.gateways, view.gatewayClasses)
  const found: PlaintextRoute[] = []
  for (const route of view.routes) {
    if (onlyRedirectsToHttps(route)) continue
    const through = routeListeners(route, gateways).flatMap((attached) => {
      const listeners = attached.listeners.filter(isPlaintextListener)
      return listeners.length > 0 ? [{...attached, listeners}] : []
    })
    if (through.length === 0) continue
    found.push({route, backends: [...new Set(routeBackends(route).map((backend) => `${backend.namespace}/${backend.name}`))], through})
  }
  return found
}

/** Each Gateway read that a route attaches to, once. */
export function routeListeners(route: KubeRoute, gateways: GatewayIndex): AttachedGateway[] {
  const namespace = route.metadata.namespace ?? 'default'
  const attached: AttachedGateway[] = []
  const seen = new Set<KubeGateway>()
  ;(route.spec.parentRefs ?? []).forEach((ref, index) => {
    if (!isGatewayRef(ref)) return
    const gateway = gateways.gateway(ref.namespace ?? namespace, ref.name)
    if (!gateway || seen.has(gateway)) return
    seen.add(gateway)
    attached.push({gateway, listeners: attachedListeners(route, gateway), parentRef: index})
  })
  return attached
}

/** The namespaces a route touches: its own and its backends'. */
export function routeNamespaces(route: KubeRoute): string[] {
  return [...new Set([route.metadata.namespace ?? 'default', ...routeBackends(route).map((backend) => backend.namespace)])]
}
