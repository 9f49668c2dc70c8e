/**
 * What a plan closes that the estate shows is in use or intended. The reachability engine judges
 * the cluster's policies now and after the plan (the same computation as `netpol diff`, asked only
 * for the pairs the estate says are used, so it stays linear on a large estate):
 *
 *   exposure    outside (or the source ranges) → an app behind a LoadBalancer/NodePort/externalIPs
 *               Service or `juju expose`, on the exposed ports
 *   relations   client → server, in the direction the planner's `whoServes` gives, on the
 *               server's Service ports (every port where the relation data names them: a
 *               scraper, a proxy), cross-model ones resolved to the offering namespace,
 *               and the flows they imply (derived-flows.ts: coordinated workers, ingress proxies)
 *   Ingress     a known ingress controller (or a Gateway's proxies, for an HTTPRoute or GRPCRoute)
 *               → the backend app, on the backend Service's ports
 *   scrapes     Prometheus Operator's Prometheus pods → an app a ServiceMonitor or PodMonitor
 *               selects, on the ports it names
 *   Juju        every unit's pod of a model → its model operator (17071) and the controller (17070)
 *   DNS         every pod of a model → the pods behind kube-system/kube-dns (53)
 *   API server  networkPolicies.apiServerCidrs → the pods behind a Service in a model namespace
 *               that an admission webhook or aggregated API names, on the ports called
 *
 * A closure is "asked for" only when a switch of the policy narrows that path on purpose: today,
 * `exposure.enforce` narrowing exposure to `exposure.allow`.
 */
import {type ApiServerBackend, apiServerBackends} from '../inventory/api-server-backends.js'
import {gatewayOfProxyPod} from '../inventory/gateway-api.js'
import {kubeScope} from '../inventory/kube-scope.js'
import {APP_NAME_LABEL, type KubeService} from '../inventory/kubernetes.js'
import type {Inventory, Model} from '../inventory/types.js'
import {planMatrices, planReachability} from '../netpol/after-plan.js'
import {comparePair} from '../netpol/diff.js'
import {explain} from '../netpol/explain.js'
import {egressPorts, type Matrix} from '../netpol/matrix.js'
import {ALL_PORTS, formatPorts, intersectPorts, isEmptyPorts, NO_PORTS, type PortSet, portRange, parseProtocol, unionPorts} from '../netpol/ports.js'
import {selectorMatches} from '../netpol/selector.js'
import {OUTSIDE_ID, type PodClass} from '../netpol/types.js'
import {allowedCidrs} from '../policy/exposure.js'
import {isExternalService, serviceSources} from '../policy/kube-exposure.js'
import {isWorldCidr} from '../policy/cidr.js'
import type {Policy} from '../policy/schema.js'
import {relationFlows, relationServerPorts, resolveRemote} from './network-policies.js'
import {indexRouting, isAmong, routedTo} from './routed-backends.js'
import {indexScrapes, scrapesOf} from './monitor-scrapes.js'
import {PROMETHEUS_POD_LABELS} from '../inventory/prometheus-operator.js'
import {portsOf, servicesOf} from './service-ports.js'
import {routedThroughProxyPods} from './proxy-pods.js'
import {derivedFlows, type Flow, flowKey} from './derived-flows.js'
import {apiServerCallsIn} from './api-server-calls.js'
import {clusterDns, DNS_NAMESPACE, DNS_PORT} from './cluster-dns.js'
import {type Resolved, sideOf, whoServes} from './serving.js'
import {type ClosedPath, type NetworkPolicyPort, networkPolicyActions, type ReconcilePlan} from './types.js'

/** A path the estate shows in use: FROM → TO on PORTS (pod classes, or a source for exposure). */
interface UsedPath {
  /** A class id, or for exposure a source CIDR (`0.0.0.0/0`/`::/0` read as `outside`). */
  from: string
  to: PodClass
  ports: PortSet
  usedBy: string
  /** Set when a policy switch asks for this path to close: the why. */
  askedBecause?: string
}

const MODELOPERATOR_PORT = 17071
const JUJU_API_PORT = 17070

export function closedPaths(inventory: Inventory, policy: Policy, plan: ReconcilePlan): ClosedPath[] {
  // A NetworkPolicy governs only its own namespace's pods (their ingress and their egress), so a
  // path can close only into or out of a namespace whose policies the plan changes. A plan that
  // changes a few namespaces (a watch pass, a reconcile run again) is judged on those alone.
  const changed = new Set(networkPolicyActions(plan).flatMap((action) => (action.op === 'unchanged' ? [] : [action.object.metadata.namespace])))
  if (changed.size === 0) return []
  const reach = planReachability(inventory.kubernetes, plan)
  const classById = new Map(reach.classes.map((podClass) => [podClass.id, podClass]))
  const touched = usedPaths(inventory, policy, reach.classes, changed).filter(
    (used) => changed.has(used.to.namespace) || changed.has(classById.get(used.from)?.namespace ?? ''),
  )
  if (touched.length === 0) return []
  // The matrices over the classes on those paths only: a cell depends on its two classes alone.
  const involved = new Map<string, PodClass>()
  for (const used of touched) {
    involved.set(used.to.id, used.to)
    const from = classById.get(used.from)
    if (from) involved.set(from.id, from)
  }
  const {before, after} = planMatrices({...reach, classes: [...involved.values()]})
  const closedBetween = (from: string, to: string) => comparePair(before, after, from, to).closed
  const closes: ClosedPath[] = []
  for (const used of touched) {
    // Most sources are classes: only the others may be a CIDR (parsing a class id is a thrown error).
    const fromClass = classById.has(used.from)
    const world = !fromClass && isWorldCidr(used.from)
    const closed =
      world || fromClass
        ? intersectPorts(closedBetween(world ? OUTSIDE_ID : used.from, used.to.id), used.ports)
        : closedFromSource(before, after, used)
    if (isEmptyPorts(closed)) continue
    const from = world ? OUTSIDE_ID : used.from
    closes.push({
      from,
      to: used.to.id,
      ports: formatPorts(closed),
      usedBy: used.usedBy,
      why: used.askedBecause ?? whyClosed(after, classById.get(from), from, used.to, closed),
      asked: used.askedBecause !== undefined,
    })
  }
  return dedupe(closes)
}

/** A source range (not the whole Internet): judged with one address of it, port by port. */
function closedFromSource(before: Matrix, after: Matrix, used: UsedPath): PortSet {
  const ip = used.from.slice(0, used.from.indexOf('/'))
  let closed = NO_PORTS
  for (const protocol of ['TCP', 'UDP', 'SCTP'] as const) {
    for (const [lo, hi] of used.ports[protocol]) {
      // Exposed ports are a handful; a wider range means "every port": its first 65 stand for it.
      for (let port = lo; port <= Math.min(hi, lo + 64); port++) {
        const query = {port, protocol}
        const was = explain(before.index, {outside: true, ip}, used.to, query).allowed
        const is = explain(after.index, {outside: true, ip}, used.to, query).allowed
        if (was && !is) closed = unionPorts(closed, portRange(protocol, port))
      }
    }
  }
  return closed
}

/** Which side of the planned policies stops it: TO's ingress or FROM's egress. */
function whyClosed(after: Matrix, source: PodClass | undefined, from: string, to: PodClass, closed: PortSet): string {
  const egressClosed = source !== undefined && isEmptyPorts(intersectPorts(egressPorts(after, source, to), closed))
  const side = egressClosed ? `${from}'s egress` : `${to.id}'s ingress`
  const by = (egressClosed ? after.egress.get(from) : after.ingress.get(to.id))?.isolatedBy ?? []
  return `no planned rule admits it: ${side} is isolated by ${by.join(', ') || 'the plan'}`
}

/**
 * The paths in use that start or end in a `changed` namespace (the only ones a plan can close): the
 * others are not worked out, which keeps a watch pass after one change from walking every path of
 * the estate.
 */
function usedPaths(inventory: Inventory, policy: Policy, classes: readonly PodClass[], changed: ReadonlySet<string>): UsedPath[] {
  const scope = kubeScope(inventory, policy)
  const used: UsedPath[] = []
  // Indexed once: an estate has thousands of apps.
  const byApp = new Map<string, PodClass[]>()
  const byNamespace = new Map<string, PodClass[]>()
  for (const podClass of classes) {
    const app = `${podClass.namespace}/${podClass.labels[APP_NAME_LABEL] ?? ''}`
    push(byApp, app, podClass)
    push(byNamespace, podClass.namespace, podClass)
  }
  const routing = indexRouting(inventory.kubernetes)
  const services = new Map<string, KubeService[]>()
  for (const service of inventory.kubernetes.services) push(services, service.metadata.namespace ?? '', service)
  const appClasses = (namespace: string | undefined, app: string) => byApp.get(`${namespace}/${app}`) ?? []
  const classIds = (namespace: string) => (byNamespace.get(namespace) ?? []).map((c) => c.id)
  const controllers = scope.namespaces.filter((ns) => scope.isController(ns)).flatMap((ns) => appClasses(ns, 'controller'))
  const dns = dnsClasses(inventory, classes)
  const ingressControllers = classes.filter((c) => c.ingressController)
  const gatewayProxies = classes.filter((c) => gatewayOfProxyPod(c.namespace, c.labels) !== undefined)
  const scrapes = indexScrapes(inventory.kubernetes)
  const prometheusPods = scrapes.prometheusNamespaces.map((namespace) => ({namespace, labels: {...PROMETHEUS_POD_LABELS}}))
  const prometheus = classes.filter((c) => isAmong(c, prometheusPods))
  const apiServerCalls = apiServerBackends(inventory.kubernetes)

  const useFlow = (flow: Flow) => {
    const {server, client, serving, label, derivedBecause} = flow
    if (!changed.has(server.namespace ?? '') && !changed.has(client.namespace ?? '')) return
    // A proxy whose data path runs in pods it created (an Istio gateway) calls the server from those.
    const proxyPods = routedThroughProxyPods(flow)
    const callers = [
      ...appClasses(client.namespace, client.name),
      ...(proxyPods.length > 0 ? (byNamespace.get(client.namespace ?? '') ?? []).filter((c) => proxyPods.some((selector) => selectorMatches(selector, c.labels))) : []),
    ]
    for (const to of appClasses(server.namespace, server.name)) {
      for (const from of callers) used.push({from: from.id, to, ports: portSet(relationServerPorts(serving, server.app), to), usedBy: derivedBecause ?? label})
    }
  }
  const byModel: {flows: Flow[]; derived: Flow[]}[] = []

  for (const namespace of scope.namespaces) {
    if (scope.role(namespace) !== 'model') continue
    const model = scope.modelOf(namespace)
    if (!model) continue
    const here = changed.has(namespace)
    const pods = classIds(namespace)
    // Only Juju's units talk to Juju; a workload someone else put in the namespace does not.
    const units = (byNamespace.get(namespace) ?? []).filter((c) => model.applications.has(c.labels[APP_NAME_LABEL] ?? '')).map((c) => c.id)
    for (const operator of here ? (byNamespace.get(namespace) ?? []).filter((c) => c.labels['operator.juju.is/name'] === 'modeloperator') : []) {
      for (const from of units) used.push({from, to: operator, ports: portRange('TCP', MODELOPERATOR_PORT), usedBy: `Juju: units reach the model operator`})
    }
    for (const controller of controllers) {
      if (!here && !changed.has(controller.namespace)) continue
      for (const from of units) used.push({from, to: controller, ports: portRange('TCP', JUJU_API_PORT), usedBy: 'Juju: agents reach the controller API'})
    }
    for (const server of dns.servers) {
      if (!here && !changed.has(server.namespace)) continue
      for (const from of pods) used.push({from, to: server, ports: unionPorts(portRange('UDP', DNS_PORT), portRange('TCP', DNS_PORT)), usedBy: dns.usedBy})
    }

    // Exposure and Ingress paths end in this namespace; an Ingress path starts at an ingress controller, maybe in a changed namespace.
    const controllerChanged = [...ingressControllers, ...gatewayProxies, ...prometheus].some((source) => changed.has(source.namespace))
    for (const app of here || controllerChanged ? model.applications.values() : []) {
      const targets = appClasses(namespace, app.name)
      if (targets.length === 0) continue
      const services = servicesOf(app)
      const allowed = allowedCidrs(app, policy)
      const askedBecause = () =>
        policy.exposure.enforce ? (allowed && allowed.length > 0 ? `exposure.enforce, outside exposure.allow (${allowed.join(', ')})` : 'exposure.enforce, not on exposure.allow') : undefined
      // Services let outside traffic in; `juju expose` does not on Kubernetes (see exposeEffect).
      const exposures = services
        .filter(isExternalService)
        .map((service) => ({usedBy: `${service.spec.type ?? 'ClusterIP'} Service ${service.metadata.name}`, sources: serviceSources(service), ports: portsOf([service])}))
      for (const exposure of here ? exposures : []) {
        for (const to of targets) {
          const ports = portSet(exposure.ports, to)
          for (const source of exposure.sources) {
            const because = askedBecause()
            used.push({from: source, to, ports, usedBy: exposure.usedBy, ...(because ? {askedBecause: because} : {})})
          }
        }
      }
      // Prometheus Operator's scrapes of the app: the operator's Prometheus pods connect.
      for (const scrape of scrapesOf(app, namespace, scrapes)) {
        for (const to of targets) {
          for (const from of prometheus) {
            if (from.namespace === namespace || (!here && !changed.has(from.namespace))) continue
            used.push({from: from.id, to, ports: scrape.ports.length > 0 ? portSet(scrape.ports, to) : ALL_PORTS, usedBy: scrape.monitor})
          }
        }
      }
      // Ingresses and Gateway routes to the app that in-cluster controllers carry (the planner's
      // own reading, routed-backends.ts): the controller's pods connect; on the host network, from
      // its nodes' addresses (networkPolicies.nodeCidrs), which no selector names.
      for (const routed of routedTo(app, namespace, routing)) {
        const {carrier} = routed
        if (carrier.by === 'proxies') {
          // A Gateway's own proxies, as the planner admits them.
          const proxies = classes.filter((c) => isAmong(c, carrier.proxies))
          for (const to of targets) {
            for (const proxy of proxies) {
              if (proxy.namespace === namespace || (!here && !changed.has(proxy.namespace))) continue
              used.push({from: proxy.id, to, ports: portSet(routed.ports, to), usedBy: `${routed.kind} ${routed.name}`})
            }
          }
          continue
        }
        if (carrier.by !== 'controllers') continue
        for (const to of targets) {
          for (const controller of ingressControllers) {
            if (controller.namespace === namespace || (!here && !changed.has(controller.namespace))) continue
            const sources = controller.hostNetwork ? policy.networkPolicies.nodeCidrs : [controller.id]
            for (const from of sources) used.push({from, to, ports: portSet(routed.ports, to), usedBy: `${routed.kind} ${routed.name}`})
          }
        }
      }
    }

    if (here) {
      used.push(...foreignExposure(namespace, model, services.get(namespace) ?? [], byNamespace.get(namespace) ?? []))
      used.push(...apiServerPaths(namespace, apiServerCalls, services.get(namespace) ?? [], byNamespace.get(namespace) ?? [], policy))
    }

    const flows: Flow[] = []
    for (const relation of model.relations) {
      if (relation.endpoints.length !== 2) continue
      const [first, second] = relation.endpoints as [(typeof relation.endpoints)[0], (typeof relation.endpoints)[0]]
      if (first.application === second.application) continue
      const sides = [first, second].map((endpoint): Resolved =>
        endpoint.remote ? resolveRemote(model, endpoint.application, inventory, scope, endpoint) : {namespace, app: model.applications.get(endpoint.application), name: endpoint.application, endpoint},
      ) as [Resolved, Resolved]
      if (sides.some((side) => side.namespace === undefined)) continue
      const serving = whoServes(sideOf(sides[0]), sideOf(sides[1]), relation.interface)
      if (serving.kind === 'none') continue
      flows.push(...relationFlows(sides[0], sides[1], serving, `relation ${first.application}:${first.endpoint ?? '?'} ↔ ${second.application}:${second.endpoint ?? '?'}`))
    }
    const derived = derivedFlows(flows)
    byModel.push({flows, derived})
    for (const flow of [...flows, ...derived]) useFlow(flow)
  }
  // Flows derived across models (a cross-model ingress proxy's URL), as the planner derives them.
  const seen = new Set(byModel.flatMap((model) => model.derived.map(flowKey)))
  for (const flow of derivedFlows(byModel.flatMap((model) => model.flows))) if (!seen.has(flowKey(flow))) useFlow(flow)
  return used
}

/**
 * A LoadBalancer/NodePort/externalIPs Service in a model's namespace whose pods are no Juju
 * application's (a Helm release or hand-applied workload living there): the namespace's default
 * deny cuts it off and no planned rule knows it, so its exposure is a path in use that closes.
 * Only planned with `networkPolicies.unmodelledWorkloads: isolate`: by default such a namespace is
 * left as it is (left-by-design.ts).
 */
function foreignExposure(namespace: string, model: Model, services: readonly KubeService[], classes: readonly PodClass[]): UsedPath[] {
  const jujuServices = new Set([...model.applications.values()].flatMap((app) => servicesOf(app).map((service) => service.metadata.name)))
  const used: UsedPath[] = []
  for (const service of services) {
    const selector = service.spec.selector ?? {}
    if (!isExternalService(service) || jujuServices.has(service.metadata.name) || Object.keys(selector).length === 0) continue
    const targets = classes.filter((c) => selectorMatches({matchLabels: selector}, c.labels) && !model.applications.has(c.labels[APP_NAME_LABEL] ?? ''))
    for (const to of targets) {
      for (const source of serviceSources(service)) {
        used.push({from: source, to, ports: portSet(portsOf([service]), to), usedBy: `${service.spec.type ?? 'ClusterIP'} Service ${service.metadata.name}, not a Juju application's`})
      }
    }
  }
  return used
}

/** The API server (from networkPolicies.apiServerCidrs) → the pods of each Service a webhook or aggregated API in the namespace names. */
function apiServerPaths(namespace: string, backends: readonly ApiServerBackend[], services: readonly KubeService[], classes: readonly PodClass[], policy: Policy): UsedPath[] {
  const byName = new Map(services.map((service) => [service.metadata.name, service]))
  const used: UsedPath[] = []
  for (const call of apiServerCallsIn(namespace, backends, (name) => byName.get(name))) {
    const selector = call.selector
    if (!selector || call.ports.length === 0) continue
    for (const to of classes.filter((c) => selectorMatches({matchLabels: selector}, c.labels))) {
      for (const source of policy.networkPolicies.apiServerCidrs) used.push({from: source, to, ports: portSet(call.ports, to), usedBy: `the API server calls ${call.callers}`})
    }
  }
  return used
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}

/** The pods behind the cluster's DNS Services, by the Services' own selectors (see cluster-dns.ts). */
function dnsClasses(inventory: Inventory, classes: readonly PodClass[]): {servers: PodClass[]; usedBy: string} {
  const dns = clusterDns(inventory.kubernetes)
  if (dns.services.length === 0) return {servers: [], usedBy: ''}
  const servers = classes.filter((c) => c.namespace === DNS_NAMESPACE && dns.selectors.some((matchLabels) => selectorMatches({matchLabels}, c.labels)))
  return {servers, usedBy: `DNS (${dns.services.join(', ')})`}
}

/** The ports a rule built from Service ports admits on TO (named target ports resolved on its pods); none given: every port. */
function portSet(ports: readonly NetworkPolicyPort[], to: PodClass): PortSet {
  if (ports.length === 0) return ALL_PORTS
  let set = NO_PORTS
  for (const port of ports) {
    const protocol = parseProtocol(port.protocol) ?? 'TCP'
    const number = typeof port.port === 'number' ? port.port : to.ports.find((candidate) => candidate.name === port.port && candidate.protocol === protocol)?.port
    if (number !== undefined) set = unionPorts(set, portRange(protocol, number))
  }
  return set
}

/** One line per path, reason and ports: sources of one exposure (0.0.0.0/0 and ::/0) fold into `outside`. */
function dedupe(closes: ClosedPath[]): ClosedPath[] {
  const seen = new Map<string, ClosedPath>()
  for (const path of closes) {
    const key = JSON.stringify([path.from, path.to, path.ports, path.usedBy])
    if (!seen.has(key)) seen.set(key, path)
  }
  return [...seen.values()].sort((a, b) => Number(a.asked) - Number(b.asked) || a.to.localeCompare(b.to) || a.from.localeCompare(b.from))
}
