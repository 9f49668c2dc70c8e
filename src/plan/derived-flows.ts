/**
 * Connections the relation graph implies but no single relation names, found in what charms do
 * with the relation data they exchange:
 *
 * - Coordinated workers (COS's Tempo, Mimir, Loki: CLUSTER_INTERFACES). The coordinator hands its
 *   workers' addresses out as scrape targets and its storage, logging and remote-write settings to
 *   the workers, so each worker takes part in the coordinator's flows: whoever the coordinator
 *   serves may reach the workers, and the workers reach whoever the coordinator connects to. Worker
 *   applications of one coordinator call each other (memberlist, gRPC between components).
 * - Applications behind an ingress proxy (INGRESS_INTERFACES) hand out the proxy's URL:
 *   prometheus-k8s's remote-write and datasource URLs, loki-k8s's push URL, hydra's endpoints once
 *   their ingress is ready. Their clients then connect to the proxy, so every client of such an
 *   application may reach the proxy on the proxy's Service ports.
 *
 * - Scrape relays (prometheus-scrape-config-k8s, "interposing this charm between a scraped target
 *   and the Prometheus charm", its metadata.yaml) pass the targets' scrape jobs on: whoever scrapes
 *   the relay scrapes the targets behind it, on every port.
 *
 * Both the planner and the closes check use these flows, so the proof covers what the plan admits.
 */
import {sideOf, type Resolved} from './network-policies.js'
import {CLUSTER_INTERFACES, INGRESS_INTERFACES, providerOf, type Serving} from './serving.js'

/** One direction of traffic: CLIENT connects to SERVER. */
export interface Flow {
  server: Resolved
  client: Resolved
  serving: Exclude<Serving, {kind: 'none'}>
  /** `relation a:x ↔ b:y (interface)`. */
  label: string
  /** Why a derived flow exists (absent for a relation's own flows): its rule's reason. */
  derivedBecause?: string
  /** The plan note for the derived flows of one cause (one note per coordinator, per proxied application). */
  summary?: string
}

export function derivedFlows(flows: readonly Flow[]): Flow[] {
  return [...coordinatedWorkerFlows(flows), ...ingressProxyFlows(flows), ...scrapeRelayFlows(flows)]
}

const SCRAPE_RELAYS: ReadonlySet<string> = new Set(['prometheus-scrape-config-k8s'])

function scrapeRelayFlows(flows: readonly Flow[]): Flow[] {
  const scrapes = flows.filter((flow) => flow.serving.interfaceName === 'prometheus_scrape')
  const derived: Flow[] = []
  for (const relayed of scrapes) {
    // relayed: the relay scrapes a target (the relay is the client).
    if (!SCRAPE_RELAYS.has(relayed.client.app?.charm ?? '')) continue
    const relay = relayed.client
    for (const scraper of scrapes) {
      if (keyOf(scraper.server) !== keyOf(relay) || keyOf(scraper.client) === keyOf(relayed.server)) continue
      derived.push({
        ...relayed,
        client: scraper.client,
        summary: `${relay.namespace}/${relay.name} relays scrape jobs (${relay.app?.charm}): whoever scrapes it scrapes the targets behind it, on every port`,
        derivedBecause: `${relay.name} relays ${relayed.server.name}'s scrape jobs to ${scraper.client.name} (${relayed.label})`,
      })
    }
  }
  return derived
}

const keyOf = (side: Resolved) => `${side.namespace ?? ''}/${side.name}`

function coordinatedWorkerFlows(flows: readonly Flow[]): Flow[] {
  // Coordinator → its workers, from the cluster relations (in either direction: they are both ways).
  const clusters = new Map<string, {coordinator: Resolved; workers: Resolved[]}>()
  for (const flow of flows) {
    if (!CLUSTER_INTERFACES.has(flow.serving.interfaceName ?? '')) continue
    // The coordinator provides the cluster endpoint; without roles or metadata, its charm's name says it.
    const provider = providerOf(sideOf(flow.server), sideOf(flow.client))?.name ?? [flow.server, flow.client].find((side) => /-coordinator(-k8s)?$/.test(side.app?.charm ?? ''))?.name
    if (!provider) continue
    const [coordinator, worker] = provider === flow.server.name ? [flow.server, flow.client] : [flow.client, flow.server]
    const cluster = clusters.get(keyOf(coordinator)) ?? {coordinator, workers: []}
    if (!cluster.workers.some((known) => keyOf(known) === keyOf(worker))) cluster.workers.push(worker)
    clusters.set(keyOf(coordinator), cluster)
  }
  const derived: Flow[] = []
  for (const {coordinator, workers} of clusters.values()) {
    const because = `${workers.map((w) => w.name).join(', ')} ${workers.length === 1 ? 'is a worker' : 'are workers'} of ${coordinator.name} (coordinated workers)`
    const summary = `${coordinator.namespace}/${coordinator.name}: ${because}; each worker takes part in ${coordinator.name}'s flows (its clients may reach the workers, the workers reach what it reaches)${workers.length > 1 ? ', and the workers reach each other on every port' : ''}`
    for (const flow of flows) {
      if (CLUSTER_INTERFACES.has(flow.serving.interfaceName ?? '')) continue
      // A worker takes the coordinator's place on either side of its other flows.
      if (keyOf(flow.server) === keyOf(coordinator)) {
        for (const worker of workers) derived.push({...flow, server: worker, summary, derivedBecause: `${because}: whoever reaches ${coordinator.name} over ${flow.label} may reach its workers`})
      }
      if (keyOf(flow.client) === keyOf(coordinator)) {
        for (const worker of workers) derived.push({...flow, client: worker, summary, derivedBecause: `${because}: its workers reach what ${coordinator.name} reaches over ${flow.label}`})
      }
    }
    for (const a of workers) {
      for (const b of workers) {
        if (a === b) continue
        derived.push({
          server: a,
          client: b,
          serving: {kind: 'both', basis: 'workers of one coordinator', portsInRelationData: "workers of one coordinator talk on their components' ports, which no Service lists"},
          label: `workers of ${coordinator.name}`,
          summary,
          derivedBecause: `${because}: they call each other`,
        })
      }
    }
  }
  return derived
}

function ingressProxyFlows(flows: readonly Flow[]): Flow[] {
  // Application → the proxies in front of it (over an ingress interface the proxy connects to the application).
  const proxiesOf = new Map<string, Resolved[]>()
  for (const flow of flows) {
    if (!INGRESS_INTERFACES.has(flow.serving.interfaceName ?? '') || flow.serving.kind !== 'one-way') continue
    const proxies = proxiesOf.get(keyOf(flow.server)) ?? []
    if (!proxies.some((known) => keyOf(known) === keyOf(flow.client))) proxies.push(flow.client)
    proxiesOf.set(keyOf(flow.server), proxies)
  }
  const derived: Flow[] = []
  for (const flow of flows) {
    if (INGRESS_INTERFACES.has(flow.serving.interfaceName ?? '')) continue
    for (const proxy of proxiesOf.get(keyOf(flow.server)) ?? []) {
      if (keyOf(proxy) === keyOf(flow.client)) continue
      derived.push({
        server: proxy,
        client: flow.client,
        // The proxy's own Service ports: the client reaches it as any client of the proxy does.
        serving: {kind: 'one-way', server: proxy.name, client: flow.client.name, basis: `${flow.server.name} hands out ${proxy.name}'s URL`},
        label: flow.label,
        summary: `${flow.server.namespace}/${flow.server.name} is behind ${proxy.name} and hands its clients ${proxy.name}'s URL: its clients may reach ${proxy.name} on ${proxy.name}'s Service ports`,
        derivedBecause: `${flow.server.name} is behind ${proxy.name} and hands its clients ${proxy.name}'s URL (${flow.label})`,
      })
    }
  }
  return derived
}
