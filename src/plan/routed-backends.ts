/**
 * What routes to an application's Services from outside its model, and who therefore connects to
 * its pods: Kubernetes Ingress objects (nginx-ingress-integrator makes them) and the Gateway API's
 * HTTPRoutes and GRPCRoutes. For each, who carries the traffic decides what the backend admits:
 *
 *   an ingress controller's pods  (ingress-nginx, Traefik, …) from the namespaces they run in; on
 *                                 the host network, from `networkPolicies.nodeCidrs`; none read:
 *                                 from every namespace
 *   a Gateway's proxy pods        (Envoy Gateway, Istio, …) exactly those pods, by namespace and
 *                                 labels; none read: from every namespace
 *   Cilium's ingress or Gateway   every source: its traffic carries Cilium's reserved `ingress`
 *                                 identity, which no NetworkPolicy peer names
 *   a cloud's load balancer       every source: it connects from addresses hardenctl does not know
 *   a Gateway not understood      every source (its class or controller not read or not known)
 *
 * on the backend ports only, each with a plan note saying what would narrow it.
 */
import {type GatewayIndex, gatewayImplementation, gatewayOfProxyPod, indexGateways, proxyPodSelector, routeBackends, routeGateways} from '../inventory/gateway-api.js'
import {groupByNamespace} from '../inventory/group-by.js'
import {
  APP_NAME_LABEL,
  cloudLoadBalancerIngress,
  isIngressControllerPod,
  isUnlistedIngressControllerPod,
  type KubeIngress,
  type KubeIngressClass,
  type KubeRoute,
  type KubeService,
  type KubernetesView,
  type OutsideServedIngress,
  resolveIngressClass,
  servedByCiliumIngress,
} from '../inventory/kubernetes.js'
import type {Application} from '../inventory/types.js'
import type {SourceRef} from '../sources/document.js'
import {isWorldCidr} from '../policy/cidr.js'
import type {Policy} from '../policy/schema.js'
import {NAMESPACE_NAME_LABEL} from '../netpol/policies.js'
import {selectorMatches} from '../netpol/selector.js'
import type {PlanNotes} from './notes.js'
import type {PolicyDraft} from './policy-draft.js'
import {portsBehind, portsOf, portTexts, servicesOf, uniquePorts} from './service-ports.js'
import type {NetworkPolicyPort} from './types.js'

/** gateway-api-integrator labels what it makes with its application's name (src/charm.py, CREATED_BY_LABEL). */
export const GATEWAY_INTEGRATOR_LABEL = 'gateway-api-integrator.charm.juju.is/managed-by'

/**
 * Looked up per application, so indexed once: Ingresses and routes by the namespace of their
 * backends, and where ingress controllers and Gateways' proxies run. (Scanning the lists per app
 * made planning quadratic in the estate.)
 */
export interface RoutingIndex {
  ingressesIn(namespace: string): KubeIngress[]
  /** HTTPRoutes and GRPCRoutes with a backend in the namespace. */
  routesTo(namespace: string): KubeRoute[]
  ingressClasses: readonly KubeIngressClass[]
  gateways: GatewayIndex
  /** Namespaces where known ingress controllers run on the pod network. */
  ingressControllerNamespaces: string[]
  /** Namespaces where they run on the host network: their traffic carries node addresses. */
  hostNetworkIngressControllerNamespaces: string[]
  /** Pods (`namespace/name`) taken for an ingress controller only because they listen on 80/443 on the host network. */
  unlistedIngressControllerPods: string[]
  /** Namespaces running a controller known by its labels (not only such a guess). */
  knownIngressControllerNamespaces: ReadonlySet<string>
  /** The node addresses host-network controllers' pods run at (their status.podIP), sorted. */
  hostNetworkIngressControllerAddresses: string[]
  /** The proxy pods of a Gateway (`namespace/name`): where they run and the labels that single them out. */
  proxiesOf(gateway: string): LabelledPods[]
  /** Where an ingress controller's pods run, by their `app.kubernetes.io/name` (Traefik serves Gateways from its own). */
  controllerNamespacesNamed(name: string): string[]
  /** Cilium agents run in the cluster. */
  cilium: boolean
}

/** Pods in a namespace, singled out by their labels. */
export interface LabelledPods {
  namespace: string
  labels: Record<string, string>
}

/** Whether a pod (or a class of pods) is among these: in one's namespace, with its labels. */
export function isAmong(pod: {namespace: string; labels: Readonly<Record<string, string>>}, among: readonly LabelledPods[]): boolean {
  return among.some((pods) => pods.namespace === pod.namespace && selectorMatches({matchLabels: pods.labels}, {...pod.labels}))
}

const indexed = new WeakMap<KubernetesView, RoutingIndex>()

/** The routing index of a view, built once: the planner, the closes check and the rules that follow routes share it. */
export function indexRouting(view: KubernetesView): RoutingIndex {
  let index = indexed.get(view)
  if (!index) indexed.set(view, (index = buildRoutingIndex(view)))
  return index
}

function buildRoutingIndex(view: KubernetesView): RoutingIndex {
  const ingresses = groupByNamespace(view.ingresses)
  const routes = new Map<string, KubeRoute[]>()
  for (const route of view.routes) {
    for (const namespace of new Set(routeBackends(route).map((backend) => backend.namespace))) {
      const list = routes.get(namespace)
      if (list) list.push(route)
      else routes.set(namespace, [route])
    }
  }
  const controllers = new Set<string>()
  const hostNetworkControllers = new Set<string>()
  const unlisted: string[] = []
  const known = new Set<string>()
  const nodeAddresses = new Set<string>()
  const proxies = new Map<string, Map<string, LabelledPods>>()
  const byName = new Map<string, Set<string>>()
  let cilium = false
  for (const pod of view.pods) {
    const gateway = pod.metadata.namespace && pod.spec.hostNetwork !== true ? gatewayOfProxyPod(pod.metadata.namespace, pod.metadata.labels) : undefined
    if (gateway) {
      const labels = proxyPodSelector(pod.metadata.labels ?? {})
      const found = proxies.get(gateway) ?? new Map<string, LabelledPods>()
      found.set(`${pod.metadata.namespace}/${JSON.stringify(labels)}`, {namespace: pod.metadata.namespace!, labels})
      proxies.set(gateway, found)
    }
    if (isIngressControllerPod(pod) && pod.metadata.namespace) {
      const name = pod.metadata.labels?.[APP_NAME_LABEL]
      if (name !== undefined) byName.set(name, (byName.get(name) ?? new Set()).add(pod.metadata.namespace))
      const into = pod.spec.hostNetwork === true ? hostNetworkControllers : controllers
      into.add(pod.metadata.namespace)
      if (pod.spec.hostNetwork === true && pod.status?.podIP) nodeAddresses.add(pod.status.podIP)
      if (isUnlistedIngressControllerPod(pod)) unlisted.push(`${pod.metadata.namespace}/${pod.metadata.name}`)
      else known.add(pod.metadata.namespace)
    }
    if (pod.metadata.labels?.['k8s-app'] === 'cilium') cilium = true
  }
  return {
    ingressesIn: (namespace) => ingresses.get(namespace) ?? [],
    routesTo: (namespace) => routes.get(namespace) ?? [],
    ingressClasses: view.ingressClasses,
    gateways: indexGateways(view.gateways, view.gatewayClasses),
    ingressControllerNamespaces: [...controllers].sort(),
    hostNetworkIngressControllerNamespaces: [...hostNetworkControllers].sort(),
    unlistedIngressControllerPods: unlisted.sort(),
    knownIngressControllerNamespaces: known,
    hostNetworkIngressControllerAddresses: [...nodeAddresses].sort(),
    proxiesOf: (gateway) => [...(proxies.get(gateway)?.values() ?? [])],
    controllerNamespacesNamed: (name) => [...(byName.get(name) ?? [])].sort(),
    cilium,
  }
}

/**
 * An Ingress or route to the app, the pod ports it reaches, and who carries its traffic: an ingress
 * controller's pods, a Gateway's proxy pods, or one of those a NetworkPolicy peer cannot name
 * (their rule admits every source).
 */
export interface Routed {
  kind: string
  /** The object's name; `namespace/name` for a route in another namespace than the app. */
  name: string
  ports: NetworkPolicyPort[]
  carrier: Carrier
  /** Where the Ingress or route was read. */
  ref: SourceRef
}

export type Carrier =
  | {by: 'controllers'}
  /** A Gateway's proxies (none read: `proxies` is empty, and every namespace is admitted). */
  | {by: 'proxies'; gateway: string; implementation: string; proxies: LabelledPods[]}
  /** `what` for the rule's reason (`Ingress web (class cilium)`), `servedBy` for the note, `proxy` names it. */
  | {by: 'cilium'; what: string; servedBy: string; proxy: string}
  | {by: 'outside'; qualifier: string; served: OutsideServedIngress}
  | {by: 'unknown'; gateway: string; why: string}

/** Admits whoever carries the Ingresses and routes to `app` (see the module comment). */
export function routedBackendRules(app: Application, namespace: string, routing: RoutingIndex, policy: Policy, own: PolicyDraft, notes: PlanNotes): void {
  const carried: Routed[] = []
  for (const routed of routedTo(app, namespace, routing)) {
    const {carrier} = routed
    const what = `${routed.kind} ${routed.name}`
    if (carrier.by === 'controllers') carried.push(routed)
    else if (carrier.by === 'proxies') proxyRules(app, namespace, what, carrier, routed.ports, own, notes)
    else if (carrier.by === 'cilium') ciliumRules(app, namespace, carrier, routed.ports, own, notes)
    else if (carrier.by === 'outside') outsideServedRules(app, namespace, what, carrier, routed.ports, own, notes)
    else unknownGatewayRules(app, namespace, what, carrier, routed.ports, own, notes)
  }
  controllerRules(app, namespace, routing, policy, carried, own, notes)
}

/** The Ingresses and routes to the app's Services, in that order, each with who carries it. */
export function routedTo(app: Application, namespace: string, routing: RoutingIndex): Routed[] {
  const services = new Map(servicesOf(app).map((service) => [service.metadata.name, service]))
  if (services.size === 0) return []
  return [...ingressesTo(namespace, routing, services), ...gatewayRoutesTo(namespace, routing, services)]
}

/** Whether a known ingress controller's pods were read outside the namespace. */
function controllerSeen(routing: RoutingIndex, namespace: string): boolean {
  // A guessed controller (a pod on 80/443 on the host network) adds its nodes but does not stand in
  // for the one not read: without a known controller, every namespace stays admitted too.
  return routing.ingressControllerNamespaces.some((ns) => ns !== namespace) || routing.hostNetworkIngressControllerNamespaces.some((ns) => routing.knownIngressControllerNamespaces.has(ns))
}

/**
 * Who serves each Ingress: a cloud's load balancer or Cilium's ingress, by its class (the
 * IngressClass's controller when read, else the class's name); with no other controller's pods
 * and no default IngressClass read, Cilium's also for an Ingress naming no class, since Cilium's
 * may be the default class; else an in-cluster controller's pods.
 */
function ingressesTo(namespace: string, routing: RoutingIndex, services: ReadonlyMap<string, KubeService>): Routed[] {
  const ciliumByDefault = routing.cilium && !controllerSeen(routing, namespace)
  const routed: Routed[] = []
  for (const ingress of routing.ingressesIn(namespace)) {
    const backends = ingressBackends(ingress).flatMap((name) => (services.has(name) ? [services.get(name)!] : []))
    if (backends.length === 0) continue
    const name = ingress.metadata.name
    const ports = portsOf(backends)
    const resolved = resolveIngressClass(ingress, routing.ingressClasses)
    const cloud = cloudLoadBalancerIngress(ingress, routing.ingressClasses)
    let carrier: Carrier = {by: 'controllers'}
    if (cloud) {
      carrier = {by: 'outside', qualifier: `class ${cloud.class}`, served: cloud}
    } else if (servedByCiliumIngress(ingress, routing.ingressClasses)) {
      carrier = resolved.byDefault
        ? {by: 'cilium', what: `Ingress ${name} (no class; the default class ${resolved.name} is Cilium's)`, servedBy: `Ingress ${name} names no ingress class, and the default IngressClass ${resolved.name} is Cilium's ingress controller`, proxy: "Cilium's ingress"}
        : {by: 'cilium', what: `Ingress ${name} (class ${resolved.name})`, servedBy: `Ingress ${name} is served by Cilium's ingress controller`, proxy: "Cilium's ingress"}
    } else if (ciliumByDefault && resolved.name === undefined) {
      carrier = {
        by: 'cilium',
        what: `Ingress ${name} (no class, Cilium the only controller seen)`,
        servedBy: `Ingress ${name} names no ingress class, no other ingress controller's pods were read, and Cilium runs, whose ingress controller may be the default class: taken for Cilium's`,
        proxy: "Cilium's ingress",
      }
    }
    routed.push({kind: 'Ingress', name, ports, carrier, ref: ingress.ref})
  }
  return routed
}

/**
 * HTTPRoutes and GRPCRoutes to the app's Services, once per Gateway (or Gateway implementation
 * admitting every source) they attach to. A
 * route gateway-api-integrator made is left to its relation's rule (proxy-pods.ts, "unseen data
 * path"), which holds whether or not the Gateway API was read.
 */
function gatewayRoutesTo(namespace: string, routing: RoutingIndex, services: ReadonlyMap<string, KubeService>): Routed[] {
  const routed: Routed[] = []
  for (const route of routing.routesTo(namespace)) {
    if (route.metadata.labels?.[GATEWAY_INTEGRATOR_LABEL] !== undefined) continue
    const ports = uniquePorts(routeBackends(route).flatMap((backend) => (backend.namespace === namespace && services.has(backend.name) ? portsBehind(services.get(backend.name)!, backend.port) : [])))
    if (ports.length === 0) continue
    const name = route.metadata.namespace === namespace ? route.metadata.name : `${route.metadata.namespace}/${route.metadata.name}`
    for (const carrier of routeCarriers(`${route.kind} ${name}`, route, routing)) routed.push({kind: route.kind, name, ports, carrier, ref: route.ref})
  }
  return routed
}

/** Who carries a route's traffic: once per distinct Gateway implementation (or per Gateway not understood). */
function routeCarriers(what: string, route: KubeRoute, routing: RoutingIndex): Carrier[] {
  const {gateways} = routing
  const carriers = new Map<string, Carrier>()
  for (const parent of routeGateways(route)) {
    const gateway = `${parent.namespace}/${parent.name}`
    const read = gateways.gateway(parent.namespace, parent.name)
    const gatewayClass = read ? gateways.gatewayClass(read.spec.gatewayClassName) : undefined
    const implementation = gatewayClass ? gatewayImplementation(gatewayClass.spec.controllerName) : undefined
    let key = gateway
    let carrier: Carrier
    if (implementation?.connects === 'pods') {
      const shared = implementation.servedByPodsNamed
      const proxies = shared ? routing.controllerNamespacesNamed(shared).map((ns) => ({namespace: ns, labels: {[APP_NAME_LABEL]: shared}})) : routing.proxiesOf(gateway)
      carrier = {by: 'proxies', gateway, implementation: implementation.name, proxies}
    } else if (implementation?.connects === 'cilium') {
      key = 'cilium'
      carrier = {by: 'cilium', what: `${what} (Gateway ${gateway}, Cilium)`, servedBy: `${what} attaches to Gateway ${gateway}, which Cilium implements`, proxy: "Cilium's Gateway"}
    } else if (implementation?.connects === 'outside') {
      key = implementation.served.class
      carrier = {by: 'outside', qualifier: `Gateway ${gateway}`, served: implementation.served}
    } else if (!read) {
      carrier = {by: 'unknown', gateway, why: `Gateway ${gateway} was not read`}
    } else if (!gatewayClass) {
      carrier = {by: 'unknown', gateway, why: `its GatewayClass ${read.spec.gatewayClassName} was not read`}
    } else {
      carrier = {by: 'unknown', gateway, why: `its GatewayClass ${gatewayClass.metadata.name} is implemented by ${gatewayClass.spec.controllerName}, which hardenctl does not know`}
    }
    if (!carriers.has(key)) carriers.set(key, carrier)
  }
  return [...carriers.values()]
}

/**
 * In-cluster controllers' pods carry these Ingresses and routes: admitted from the namespaces
 * that run a known ingress controller or Gateway proxy, else from every namespace, on the backend
 * ports only. A controller on the host network connects from its node's address, which no
 * namespace selector names: it is admitted from `networkPolicies.nodeCidrs` (as the API server is
 * from `apiServerCidrs`), or its backends would be cut off on every node but its own.
 */
function controllerRules(app: Application, namespace: string, routing: RoutingIndex, policy: Policy, carried: Routed[], own: PolicyDraft, notes: PlanNotes): void {
  if (carried.length === 0) return
  const seen = controllerSeen(routing, namespace)
  const names = describeCarried(carried)
  const ports = uniquePorts(carried.flatMap((entry) => entry.ports))
  const controllerNamespaces = routing.ingressControllerNamespaces.filter((candidate) => candidate !== namespace)
  const hostNetwork = routing.hostNetworkIngressControllerNamespaces
  if (!seen) {
    notes.push(
      hostNetwork.length > 0
        ? `${namespace}/${app.name} is behind ${names}, and no known ingress controller's pods were read: besides the nodes of the pods taken for one, every namespace is admitted on its backend ports`
        : `${namespace}/${app.name} is behind ${names}, but no ingress controller's pods were read: admitted from every namespace on its backend ports. A controller on the host network would not be admitted: read its namespace too (a known controller, or any pod listening on 80 or 443 on the host network, counts), and networkPolicies.nodeCidrs admits it`,
    )
  }
  if (controllerNamespaces.length > 0 || !seen) {
    own.ingress.push({
      peers: seen ? controllerNamespaces.map((ns) => ({namespaceSelector: {matchLabels: {[NAMESPACE_NAME_LABEL]: ns}}})) : [{namespaceSelector: {}}],
      ports,
      reason: `${names} ${carried.length === 1 ? 'routes' : 'route'} to ${app.name}: the ingress controller (${seen ? controllerNamespaces.join(', ') : 'namespace unknown'}) connects`,
    })
  }
  if (hostNetwork.length > 0) {
    const cidrs = policy.networkPolicies.nodeCidrs
    own.ingress.push({
      peers: cidrs.map((cidr) => ({ipBlock: {cidr}})),
      ports,
      reason: `${names} ${carried.length === 1 ? 'routes' : 'route'} to ${app.name}: the ingress controller in ${hostNetwork.join(', ')} runs on the host network and connects from its nodes' addresses: admitted from networkPolicies.nodeCidrs (${cidrs.join(', ')})`,
    })
    const on = portTexts(ports).join(', ') || 'every port'
    const unlisted = routing.unlistedIngressControllerPods
    const unlistedNote = `${unlisted.join(', ')} ${unlisted.length === 1 ? 'listens' : 'listen'} on 80 or 443 on the host network, under a name hardenctl does not know as an ingress controller: taken for one, so Ingress backends admit networkPolicies.nodeCidrs rather than be cut off`
    if (unlisted.length > 0 && !notes.includes(unlistedNote)) notes.push(unlistedNote)
    if (cidrs.some(isWorldCidr)) {
      notes.push(`${namespace}/${app.name}: the ingress controller in ${hostNetwork.join(', ')} runs on the host network, so it connects from node addresses, which no selector names: admitted from anywhere on ${on}; set networkPolicies.nodeCidrs to the nodes' addresses to narrow it${nodeCidrsHint(routing.hostNetworkIngressControllerAddresses)}`)
    }
    if (routing.cilium) {
      notes.push(`${namespace}/${app.name}: Cilium runs in this cluster, and its ipBlocks match node addresses only from Cilium 1.15 with policy-cidr-match-mode: nodes; without that, the host-network ingress controller in ${hostNetwork.join(', ')} reaches ${app.name} only from its own node`)
    }
  }
}

/** `Ingress web, api and HTTPRoute shop`: the names grouped by kind, in the order met. */
function describeCarried(carried: readonly Routed[]): string {
  const byKind = new Map<string, Set<string>>()
  for (const entry of carried) {
    const names = byKind.get(entry.kind) ?? new Set<string>()
    names.add(entry.name)
    byKind.set(entry.kind, names)
  }
  return [...byKind].map(([kind, names]) => `${kind} ${[...names].join(', ')}`).join(' and ')
}

/** The nodeCidrs that would hold the controller's nodes as read, for the plan's note. */
function nodeCidrsHint(addresses: readonly string[]): string {
  if (addresses.length === 0) return ''
  if (addresses.length > 5) return ` (its pods run at ${addresses.length} node addresses, such as ${addresses[0]}: a subnet holding them all, as nodeCidrs, admits them)`
  const cidrs = addresses.map((address) => (address.includes(':') ? `${address}/128` : `${address}/32`))
  return ` (its pods run at ${addresses.join(', ')}: nodeCidrs: [${cidrs.join(', ')}] admits exactly those nodes; a node added later needs adding)`
}

/**
 * A route through a Gateway whose proxies run as pods: admitted from exactly those pods, by their
 * namespace and the labels that single them out; when none was read, from every namespace (a
 * proxy on the pod network is in one of them), with a note.
 */
function proxyRules(app: Application, namespace: string, what: string, carrier: Extract<Carrier, {by: 'proxies'}>, ports: NetworkPolicyPort[], own: PolicyDraft, notes: PlanNotes): void {
  const through = `Gateway ${carrier.gateway} (${carrier.implementation})`
  if (carrier.proxies.length === 0) {
    own.ingress.push({peers: [{namespaceSelector: {}}], ports, reason: `${what} routes to ${app.name} through ${through}: its proxies (namespace unknown) connect`})
    notes.push(
      `${namespace}/${app.name} is behind ${what} through ${through}, but no proxy pod of that Gateway was read: admitted from every namespace on ${portTexts(ports).join(', ') || 'every port'}; read the namespace its proxies run in, and the rule narrows to them`,
    )
    return
  }
  own.ingress.push({
    peers: carrier.proxies.map((proxy) => ({namespaceSelector: {matchLabels: {[NAMESPACE_NAME_LABEL]: proxy.namespace}}, podSelector: {matchLabels: proxy.labels}})),
    ports,
    reason: `${what} routes to ${app.name} through ${through}: its proxies (${[...new Set(carrier.proxies.map((proxy) => proxy.namespace))].join(', ')}) connect`,
  })
}

/**
 * Cilium's ingress controller (`ingressClassName: cilium`; Canonical Kubernetes's `k8s enable
 * ingress` turns it on) and its Gateway (`k8s enable gateway`) proxy in the Cilium agents' Envoy,
 * and their traffic reaches the backends as Cilium's reserved `ingress` identity (cilium/cilium
 * 04f19e98, docs issue 25665), which no NetworkPolicy peer (selector or ipBlock) names: only a
 * rule without `from` admits it. The backends are admitted from every source on their ports, and
 * a note says how to narrow that.
 */
function ciliumRules(app: Application, namespace: string, carrier: Extract<Carrier, {by: 'cilium'}>, ports: NetworkPolicyPort[], own: PolicyDraft, notes: PlanNotes): void {
  own.ingress.push({
    peers: undefined,
    ports,
    reason: `${carrier.what} routes to ${app.name}: ${carrier.proxy} connects as its own identity, which no NetworkPolicy peer names, so every source is admitted on the backend ports`,
  })
  notes.push(
    `${namespace}/${app.name}: ${carrier.servedBy}, whose traffic carries Cilium's \`ingress\` identity: a Kubernetes NetworkPolicy cannot name it, so ${app.name} admits every source on ${portTexts(ports).join(', ') || 'every port'}; a CiliumNetworkPolicy admitting fromEntities: [ingress] on those ports, with this rule removed, narrows it (hardenctl writes no Cilium policies)`,
  )
}

/**
 * An Ingress or route a cloud's load balancer serves: it connects from addresses outside the pod
 * network that hardenctl does not know, so the backends admit every source on their ports, and a
 * note says what would narrow it.
 */
function outsideServedRules(app: Application, namespace: string, what: string, carrier: Extract<Carrier, {by: 'outside'}>, ports: NetworkPolicyPort[], own: PolicyDraft, notes: PlanNotes): void {
  const {served} = carrier
  own.ingress.push({
    peers: undefined,
    ports,
    reason: `${what} (${carrier.qualifier}) routes to ${app.name}: ${served.name} connects from addresses hardenctl does not know, so every source is admitted on the backend ports`,
  })
  notes.push(
    `${namespace}/${app.name}: ${what} is served by ${served.servedBy}, which connects from ${served.from}: ${app.name} admits every source on ${portTexts(ports).join(', ') || 'every port'}; ${served.narrow}, with this rule removed, narrows it`,
  )
}

/** A route through a Gateway whose implementation is not known: whoever connects is admitted, from every source. */
function unknownGatewayRules(app: Application, namespace: string, what: string, carrier: Extract<Carrier, {by: 'unknown'}>, ports: NetworkPolicyPort[], own: PolicyDraft, notes: PlanNotes): void {
  own.ingress.push({
    peers: undefined,
    ports,
    reason: `${what} routes to ${app.name} through Gateway ${carrier.gateway}, whose implementation is not known (${carrier.why}): every source is admitted on the backend ports`,
  })
  notes.push(
    `${namespace}/${app.name}: ${what} routes to it through Gateway ${carrier.gateway}, but ${carrier.why}, so hardenctl cannot tell who connects: ${app.name} admits every source on ${portTexts(ports).join(', ') || 'every port'} rather than cut the route; once the Gateway and its GatewayClass are read (a known implementation), the rule narrows to its proxies`,
  )
}

/** The Services an Ingress sends to, by name (its rules' paths and its default backend). */
export function ingressBackends(ingress: KubeIngress): string[] {
  const spec = (ingress.spec ?? {}) as {defaultBackend?: {service?: {name?: string}}; rules?: {http?: {paths?: {backend?: {service?: {name?: string}}}[]}}[]}
  const names = [spec.defaultBackend?.service?.name, ...(spec.rules ?? []).flatMap((rule) => (rule.http?.paths ?? []).map((path) => path.backend?.service?.name))]
  return names.filter((name): name is string => typeof name === 'string')
}
