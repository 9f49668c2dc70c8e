/**
 * Connections the relation graph implies but no single relation names, found in what charms do
 * with the relation data they exchange:
 *
 * - Clusters of applications (CLUSTER_INTERFACES: COS's coordinated workers, MongoDB's config-server
 *   and shards, `peer_cluster`). A coordinator hands its members' addresses out (as scrape targets,
 *   to mongos) and its storage, logging and remote-write settings to them, so each member takes
 *   part in the coordinator's flows: whoever the coordinator serves may reach the members, and the
 *   members reach whoever the coordinator connects to. Members of one cluster call each other
 *   (memberlist, gRPC between components, chunk migration between shards). Over `peer_cluster`
 *   the orchestrator also reaches whoever its members connect to (Kafka's balancer, their ZooKeeper).
 * - Applications behind an ingress proxy (INGRESS_INTERFACES) hand out the proxy's URL:
 *   prometheus-k8s's remote-write and datasource URLs, loki-k8s's push URL, hydra's endpoints once
 *   their ingress is ready. Their clients then connect to the proxy, so every client of such an
 *   application may reach the proxy on the proxy's Service ports.
 * - Scrape relays (prometheus-scrape-config-k8s, "interposing this charm between a scraped target
 *   and the Prometheus charm", its metadata.yaml) pass the targets' scrape jobs on: whoever scrapes
 *   the relay scrapes the targets behind it, on every port.
 *
 * Both the planner and the closes check use these flows, so the proof covers what the plan admits.
 */
import {CLUSTER_INTERFACES, INGRESS_INTERFACES, providerOf, type Resolved, type Serving, sideOf} from './serving.js'

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

/** One flow's identity: its two ends, its relation and, when derived, why. */
export function flowKey(flow: Flow): string {
  return [flow.server.namespace, flow.server.name, flow.client.namespace, flow.client.name, flow.label, flow.derivedBecause ?? ''].join('\u0000')
}

export function derivedFlows(flows: readonly Flow[]): Flow[] {
  return [...clusterMemberFlows(flows), ...ingressProxyFlows(flows), ...scrapeRelayFlows(flows)]
}

const keyOf = (side: Resolved) => `${side.namespace ?? ''}/${side.name}`

/** kafka-k8s's split deployments: brokers and a balancer (or KRaft controllers) as separate applications. */
const PEER_CLUSTER = 'peer_cluster'

/** The coordinator's end of a cluster relation, by name: mongodb's `config-server` (its members' is `sharding`), kafka-k8s's `peer-cluster-orchestrator`. */
const COORDINATOR_ENDPOINTS: ReadonlySet<string> = new Set(['config-server', 'peer-cluster-orchestrator'])

function clusterMemberFlows(flows: readonly Flow[]): Flow[] {
  // Coordinator → its members, from the cluster relations (in either direction: they are both ways).
  const clusters = new Map<string, {coordinator: Resolved; members: Resolved[]; interfaceName: string}>()
  for (const flow of flows) {
    if (!CLUSTER_INTERFACES.has(flow.serving.interfaceName ?? '')) continue
    // The coordinator provides the cluster endpoint; without roles or metadata, its endpoint's name
    // (MongoDB's config-server, a peer_cluster orchestrator) or a COS coordinator's charm name says it.
    const sides = [flow.server, flow.client]
    const provider =
      providerOf(sideOf(flow.server), sideOf(flow.client))?.name ??
      sides.find((side) => COORDINATOR_ENDPOINTS.has(side.endpoint.endpoint ?? ''))?.name ??
      sides.find((side) => /-coordinator(-k8s)?$/.test(side.app?.charm ?? ''))?.name
    if (!provider) continue
    const [coordinator, member] = provider === flow.server.name ? [flow.server, flow.client] : [flow.client, flow.server]
    const cluster = clusters.get(keyOf(coordinator)) ?? {coordinator, members: [], interfaceName: flow.serving.interfaceName ?? ''}
    if (!cluster.members.some((known) => keyOf(known) === keyOf(member))) cluster.members.push(member)
    clusters.set(keyOf(coordinator), cluster)
  }
  const derived: Flow[] = []
  for (const {coordinator, members, interfaceName} of clusters.values()) {
    const because = `${members.map((member) => member.name).join(', ')} ${members.length === 1 ? 'is' : 'are'} in ${coordinator.name}'s cluster (${interfaceName})`
    const summary = `${coordinator.namespace}/${coordinator.name}: ${because}; each member takes part in ${coordinator.name}'s flows (its clients may reach the members, the members reach what it reaches${interfaceName === PEER_CLUSTER ? `, and ${coordinator.name} reaches what they reach` : ''})${members.length > 1 ? ', and the members reach each other on every port' : ''}`
    for (const flow of flows) {
      if (CLUSTER_INTERFACES.has(flow.serving.interfaceName ?? '')) continue
      // A member takes the coordinator's place on either side of its other flows.
      if (keyOf(flow.server) === keyOf(coordinator)) {
        for (const member of members) derived.push({...flow, server: member, summary, derivedBecause: `${because}: whoever reaches ${coordinator.name} over ${flow.label} may reach its members`})
      }
      if (keyOf(flow.client) === keyOf(coordinator)) {
        for (const member of members) derived.push({...flow, client: member, summary, derivedBecause: `${because}: its members reach what ${coordinator.name} reaches over ${flow.label}`})
      }
      // Over peer_cluster the orchestrator also reaches what its peers reach: kafka-k8s's balancer
      // (Cruise Control) connects to its brokers' ZooKeeper (`zookeeper.connect` from the `zk-uris`
      // they hand over the relation), and early revisions made the balancer the orchestrator, later
      // ones the brokers.
      if (interfaceName === PEER_CLUSTER && members.some((member) => keyOf(flow.client) === keyOf(member))) {
        derived.push({...flow, client: coordinator, summary, derivedBecause: `${because}: over ${PEER_CLUSTER}, ${coordinator.name} reaches what its peers reach over ${flow.label}`})
      }
    }
    for (const a of members) {
      for (const b of members) {
        if (a === b) continue
        derived.push({
          server: a,
          client: b,
          serving: {kind: 'both', basis: 'members of one cluster', portsInRelationData: 'members of one cluster talk on ports no Service lists'},
          label: `members of ${coordinator.name}'s cluster`,
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
