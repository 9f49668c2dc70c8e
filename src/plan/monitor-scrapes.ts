/**
 * Prometheus Operator's scrapes of an application: a ServiceMonitor selecting one of its Services
 * (or a PodMonitor selecting its pods) in the application's namespace makes the operator's
 * Prometheus pods connect to its metrics port. No Juju relation says so (COS scrapes over
 * relations; a kube-prometheus-stack beside Juju does not), so reconcile admits those pods, by
 * their labels (src/inventory/prometheus-operator.ts), on the scraped ports; none read: from every
 * namespace, with a note.
 */
import {APP_NAME_LABEL, type KubeMonitor, type KubernetesView, type KubeService} from '../inventory/kubernetes.js'
import {isPrometheusOperatorPod, PROMETHEUS_POD_LABELS} from '../inventory/prometheus-operator.js'
import type {Application} from '../inventory/types.js'
import {selectorMatches} from '../netpol/selector.js'
import {NAMESPACE_NAME_LABEL} from '../netpol/policies.js'
import type {PlanNotes} from './notes.js'
import type {PolicyDraft} from './policy-draft.js'
import {portsOf, portTexts, servicesOf, uniquePorts} from './service-ports.js'
import type {NetworkPolicyPort} from './types.js'

/** Looked up per application, so indexed once: monitors by the namespaces they select, and where the operator's Prometheus pods run. */
export interface ScrapeIndex {
  monitorsOf(namespace: string): KubeMonitor[]
  /** Namespaces running the operator's Prometheus pods (not a Juju unit named prometheus). */
  prometheusNamespaces: string[]
}

const indexed = new WeakMap<Pick<KubernetesView, 'monitors' | 'pods'>, ScrapeIndex>()

/** The scrape index of a view, built once: the planner and the closes check share it. */
export function indexScrapes(view: Pick<KubernetesView, 'monitors' | 'pods'>): ScrapeIndex {
  let index = indexed.get(view)
  if (!index) indexed.set(view, (index = buildScrapeIndex(view)))
  return index
}

function buildScrapeIndex(view: Pick<KubernetesView, 'monitors' | 'pods'>): ScrapeIndex {
  const prometheus = new Set<string>()
  for (const pod of view.pods) {
    if (pod.metadata.namespace && isPrometheusOperatorPod(pod.metadata)) prometheus.add(pod.metadata.namespace)
  }
  const any: KubeMonitor[] = []
  const byNamespace = new Map<string, KubeMonitor[]>()
  for (const monitor of view.monitors) {
    const selector = monitor.spec.namespaceSelector
    if (selector?.any === true) {
      any.push(monitor)
      continue
    }
    for (const namespace of selector?.matchNames ?? [monitor.metadata.namespace ?? 'default']) byNamespace.set(namespace, [...(byNamespace.get(namespace) ?? []), monitor])
  }
  return {monitorsOf: (namespace) => [...(byNamespace.get(namespace) ?? []), ...any], prometheusNamespaces: [...prometheus].sort()}
}

/** A monitor that scrapes the application, and the pod ports it scrapes. */
export interface Scrape {
  monitor: string
  ports: NetworkPolicyPort[]
}

/** The monitors that scrape the application in `namespace`, each with the pod ports it names. */
export function scrapesOf(app: Application, namespace: string, index: ScrapeIndex): Scrape[] {
  const services = servicesOf(app)
  const podLabels = app.kubernetes?.pods[0]?.metadata.labels ?? {[APP_NAME_LABEL]: app.name}
  const scrapes: Scrape[] = []
  for (const monitor of index.monitorsOf(namespace)) {
    const name = `${monitor.kind} ${monitor.metadata.namespace ?? 'default'}/${monitor.metadata.name}`
    if (monitor.kind === 'PodMonitor') {
      if (!selectorMatches(monitor.spec.selector, podLabels)) continue
      const ports = (monitor.spec.podMetricsEndpoints ?? []).flatMap((endpoint): NetworkPolicyPort[] => {
        const port = endpoint.portNumber ?? endpoint.port ?? endpoint.targetPort
        return port === undefined ? [] : [{protocol: 'TCP', port}]
      })
      scrapes.push({monitor: name, ports})
      continue
    }
    const selected = services.filter((service) => selectorMatches(monitor.spec.selector, service.metadata.labels ?? {}))
    if (selected.length === 0) continue
    scrapes.push({monitor: name, ports: (monitor.spec.endpoints ?? []).flatMap((endpoint) => endpointPorts(endpoint, selected))})
  }
  return scrapes
}

/** A ServiceMonitor endpoint's pod ports: its `targetPort`, or the target of the Service port it names. */
function endpointPorts(endpoint: NonNullable<KubeMonitor['spec']['endpoints']>[number], services: readonly KubeService[]): NetworkPolicyPort[] {
  if (endpoint.targetPort !== undefined) return [{protocol: 'TCP', port: endpoint.targetPort}]
  if (endpoint.port === undefined) return []
  return portsOf(services.map((service) => ({...service, spec: {...service.spec, ports: (service.spec.ports ?? []).filter((port) => port.name === endpoint.port)}})))
}

/** Admits the operator's Prometheus pods to the ports the monitors scraping `app` name (every port when one names none). */
export function monitorScrapeRules(app: Application, namespace: string, index: ScrapeIndex, own: PolicyDraft, notes: PlanNotes): void {
  const scrapes = scrapesOf(app, namespace, index)
  if (scrapes.length === 0) return
  const names = scrapes.map((scrape) => scrape.monitor).join(', ')
  // A monitor whose ports cannot be told (none named, or none found on the Service) may scrape any port.
  const anyPort = scrapes.some((scrape) => scrape.ports.length === 0)
  const ports = anyPort ? undefined : uniquePorts(scrapes.flatMap((scrape) => scrape.ports))
  const where = index.prometheusNamespaces
  const on = ports ? portTexts(ports).join(', ') : 'every port'
  if (where.length === 0) {
    own.ingress.push({peers: [{namespaceSelector: {}, podSelector: {matchLabels: {...PROMETHEUS_POD_LABELS}}}], ports, reason: `${names} ${scrapes.length === 1 ? 'has' : 'have'} Prometheus scrape ${app.name}: the operator's Prometheus pods (namespace unknown) connect`})
    notes.push(`${namespace}/${app.name} is scraped by ${names}, but no Prometheus pod of the Prometheus Operator was read: its pods are admitted from every namespace on ${on}; read the namespace Prometheus runs in, and the rule narrows to it`)
    return
  }
  own.ingress.push({
    peers: where.map((ns) => ({namespaceSelector: {matchLabels: {[NAMESPACE_NAME_LABEL]: ns}}, podSelector: {matchLabels: {...PROMETHEUS_POD_LABELS}}})),
    ports,
    reason: `${names} ${scrapes.length === 1 ? 'has' : 'have'} Prometheus scrape ${app.name}: the operator's Prometheus pods (${where.join(', ')}) connect on ${on}`,
  })
}
