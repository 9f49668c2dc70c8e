/**
 * Connections the relation graph implies but no single relation names (src/plan/derived-flows.ts),
 * planned from files as a user runs `reconcile --dry-run`:
 *
 * - COS-Lite: prometheus, loki, alertmanager, catalogue and grafana sit behind traefik, and
 *   prometheus-k8s and loki-k8s hand out their ingress URL (prometheus's datasource and remote-write
 *   URLs, loki's push URL: `most_external_url`, `external_url` in their charm.py), so their clients
 *   connect to traefik.
 * - Tempo's coordinated workers: tempo-coordinator-k8s provides `tempo-cluster` (tempo_cluster,
 *   its charmcraft.yaml in test/fixtures/charms/); its nginx calls the workers, the workers call it and
 *   each other, and Prometheus scrapes the workers directly.
 */
import {cp, mkdtemp, mkdir, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {loadInventory} from '../../src/audit/run-audit.js'
import {closedPaths} from '../../src/plan/closes.js'
import {desiredNetworkPolicies} from '../../src/plan/network-policies.js'
import {planReconcile} from '../../src/plan/plan.js'
import type {ReconcilePlan} from '../../src/plan/types.js'
import {defaultPolicy} from '../../src/policy/schema.js'
import {REPO_ROOT} from '../helpers/cli.js'
import {runCliInWorker} from '../helpers/cli-in-worker.js'
import {plannedPolicy} from '../helpers/planned-policy.js'
import {exampleUnitPod, LIVEPATCH_EXAMPLE} from '../helpers/livepatch-estate.js'

type Json = Record<string, unknown>
const TEMPO_CHARMCRAFT = join(REPO_ROOT, 'test/fixtures/charms/tempo-coordinator-k8s/charmcraft.yaml')

async function dryRun(dir: string): Promise<ReconcilePlan> {
  const result = await runCliInWorker(['reconcile', '--dry-run', '--from', dir, '--format', 'json'])
  expect(result.code, result.stderr).toBe(0)
  return JSON.parse(result.stdout) as ReconcilePlan
}

let root: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hardenctl-derived-'))
})
afterAll(async () => {
  await rm(root, {recursive: true, force: true})
})

/**
 * The Livepatch example plus an observability stack: Tempo (a coordinator and two worker
 * applications), prometheus scraping the coordinator and behind traefik (ingress-per-unit), and
 * grafana using prometheus as a datasource. Relations in the Juju 3 status shape, with interfaces.
 */
async function writeTempoExample(dir: string): Promise<void> {
  await cp(LIVEPATCH_EXAMPLE, dir, {recursive: true})
  await mkdir(join(dir, 'charms/tempo-coordinator-k8s'), {recursive: true})
  await writeFile(join(dir, 'charms/tempo-coordinator-k8s/charmcraft.yaml'), await readFile(TEMPO_CHARMCRAFT, 'utf8'))
  const statusFile = join(dir, 'juju/microk8s-prod/models/livepatch/status.json')
  const status = JSON.parse(await readFile(statusFile, 'utf8')) as {applications: Record<string, Json>}
  const app = (charm: string, relations: Record<string, {'related-application': string; interface: string; scope: string}[]>, index: number): Json => ({
    charm,
    base: {name: 'ubuntu', channel: '22.04'},
    'charm-origin': 'charmhub',
    'charm-name': charm,
    'charm-rev': 100 + index,
    'charm-channel': 'latest/stable',
    scale: 1,
    'provider-id': `5f3a0041-9c1d-4b2e-8f3a-0000011a2d0${index}`,
    address: `10.152.183.1${index}0`,
    exposed: false,
    'application-status': {current: 'active', since: '02 Jun 2025 09:50:02Z'},
    relations,
    units: {},
    version: '2.7.1',
  })
  const rel = (related: string, iface: string) => ({'related-application': related, interface: iface, scope: 'global'})
  status.applications.tempo = app('tempo-coordinator-k8s', {'tempo-cluster': [rel('tempo-querier', 'tempo_cluster'), rel('tempo-ingester', 'tempo_cluster')], 'metrics-endpoint': [rel('prometheus', 'prometheus_scrape')]}, 1)
  status.applications['tempo-querier'] = app('tempo-worker-k8s', {'tempo-cluster': [rel('tempo', 'tempo_cluster')]}, 2)
  status.applications['tempo-ingester'] = app('tempo-worker-k8s', {'tempo-cluster': [rel('tempo', 'tempo_cluster')]}, 3)
  status.applications.prometheus = app('prometheus-k8s', {'metrics-endpoint': [rel('tempo', 'prometheus_scrape'), rel('scrape-config', 'prometheus_scrape')], ingress: [rel('traefik', 'ingress_per_unit')], 'grafana-source': [rel('grafana', 'grafana_datasource')]}, 4)
  status.applications.traefik = app('traefik-k8s', {'ingress-per-unit': [rel('prometheus', 'ingress_per_unit')]}, 5)
  status.applications.grafana = app('grafana-k8s', {'grafana-source': [rel('prometheus', 'grafana_datasource')]}, 6)
  // A standby PostgreSQL cluster replicating from the example's (postgresql_async), and a data-integrator on its database endpoint.
  status.applications['postgresql-standby'] = app('postgresql-k8s', {replication: [rel('postgresql', 'postgresql_async')]}, 7)
  status.applications['data-integrator'] = app('data-integrator', {postgresql: [rel('postgresql', 'postgresql_client')]}, 8)
  const postgresql = status.applications.postgresql as {relations: Record<string, unknown[]>}
  postgresql.relations['replication-offer'] = [rel('postgresql-standby', 'postgresql_async')]
  // A sharded MongoDB: a config-server, two shards, and mongos routing through the config-server.
  status.applications['mongo-config'] = app('mongodb-k8s', {'config-server': [rel('shard-a', 'shards'), rel('shard-b', 'shards')], cluster: [rel('mongos', 'config-server')]}, 10)
  status.applications['shard-a'] = app('mongodb-k8s', {sharding: [rel('mongo-config', 'shards')]}, 11)
  status.applications['shard-b'] = app('mongodb-k8s', {sharding: [rel('mongo-config', 'shards')]}, 12)
  status.applications.mongos = app('mongos-k8s', {cluster: [rel('mongo-config', 'config-server')]}, 13)
  // Kafka 3.6 split in two applications, as its early revisions related them: the balancer (Cruise
  // Control) is the peer-cluster orchestrator; only the brokers are related to ZooKeeper, and they hand
  // the balancer its zk-uris over peer_cluster.
  status.applications.kafka = app('kafka-k8s', {'peer-cluster': [rel('cruise-control', 'peer_cluster')], zookeeper: [rel('zookeeper', 'zookeeper')]}, 14)
  status.applications['cruise-control'] = app('kafka-k8s', {'peer-cluster-orchestrator': [rel('kafka', 'peer_cluster')]}, 15)
  status.applications.zookeeper = app('zookeeper-k8s', {zookeeper: [rel('kafka', 'zookeeper')]}, 16)
  // prometheus scrapes postgresql through a scrape-config relay.
  status.applications['scrape-config'] = app('prometheus-scrape-config-k8s', {'configurable-scrape-jobs': [rel('postgresql', 'prometheus_scrape')], 'metrics-endpoint': [rel('prometheus', 'prometheus_scrape')]}, 9)
  postgresql.relations['metrics-endpoint'] = [rel('scrape-config', 'prometheus_scrape')]
  postgresql.relations.database = [...(postgresql.relations.database ?? []), rel('data-integrator', 'postgresql_client')]
  await writeFile(statusFile, JSON.stringify(status, null, 2))
  const podsFile = join(dir, 'kubernetes/pods.json')
  const pods = JSON.parse(await readFile(podsFile, 'utf8')) as {items: Json[]}
  for (const [name, index] of [['tempo', 1], ['tempo-querier', 2], ['tempo-ingester', 3], ['prometheus', 4], ['traefik', 5], ['grafana', 6]] as const) {
    pods.items.push(await exampleUnitPod(name, `5f3a0043-9c1d-4b2e-8f3a-0000011a2e0${index}`))
  }
  await writeFile(podsFile, JSON.stringify(pods, null, 2))
  // traefik's Juju Service with the ports traefik-k8s opens, and prometheus's.
  const servicesFile = join(dir, 'kubernetes/services.json')
  const services = JSON.parse(await readFile(servicesFile, 'utf8')) as {items: Json[]}
  const service = (name: string, ports: number[]) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {name, namespace: 'livepatch', labels: {'app.kubernetes.io/managed-by': 'juju', 'app.kubernetes.io/name': name}},
    spec: {type: 'ClusterIP', selector: {'app.kubernetes.io/name': name}, ports: ports.map((port) => ({name: `juju-${port}-tcp`, port, protocol: 'TCP', targetPort: port}))},
  })
  services.items.push(service('traefik', [80, 443]), service('prometheus', [9090]))
  await writeFile(servicesFile, JSON.stringify(services, null, 2))
}

describe('clients of an application behind traefik reach traefik, and Tempo\'s coordinator and workers reach each other', () => {
  let dir: string
  beforeAll(async () => {
    dir = join(root, 'observability')
    await writeTempoExample(dir)
  })

  it('the coordinator and each worker reach each other, the workers each other, and prometheus the workers, on every port', async () => {
    const plan = await dryRun(dir)
    const from = (app: string) => ({from: [{podSelector: {matchLabels: {'app.kubernetes.io/name': app}}}]})
    for (const worker of ['tempo-querier', 'tempo-ingester']) {
      const policy = plannedPolicy(plan, `hardenctl-app-${worker}`)
      expect(policy?.spec.ingress).toContainEqual(from('tempo'))
      expect(policy?.spec.ingress).toContainEqual(from('prometheus'))
      expect(policy?.spec.ingress).toContainEqual(from(worker === 'tempo-querier' ? 'tempo-ingester' : 'tempo-querier'))
    }
    expect(plannedPolicy(plan, 'hardenctl-app-tempo')?.spec.ingress).toContainEqual(from('tempo-querier'))
    expect(plan.notes).toContain(
      "livepatch/tempo: tempo-ingester, tempo-querier are in tempo's cluster (tempo_cluster); each member takes part in tempo's flows (its clients may reach the members, the members reach what it reaches), and the members reach each other on every port",
    )
    expect(plan.closes).toEqual([])
  }, 60_000)

  it('grafana, a client of prometheus, reaches traefik, which prometheus hands out as its URL', async () => {
    const plan = await dryRun(dir)
    const traefik = plannedPolicy(plan, 'hardenctl-app-traefik')
    expect(traefik?.spec.ingress).toContainEqual({from: [{podSelector: {matchLabels: {'app.kubernetes.io/name': 'grafana'}}}], ports: [{protocol: 'TCP', port: 80}, {protocol: 'TCP', port: 443}]})
    expect(traefik?.metadata.annotations?.['hardenctl.io/reason']).toContain("prometheus is behind traefik and hands its clients traefik's URL (grafana:grafana-source ↔ prometheus:grafana-source (grafana_datasource))")
    expect(plan.notes).toContain("livepatch/prometheus is behind traefik and hands its clients traefik's URL: its clients may reach traefik on traefik's Service ports")
    expect(plan.closes).toEqual([])
  }, 60_000)

  it('asynchronous replication is admitted both ways, and data-integrator\'s database from every namespace', async () => {
    const plan = await dryRun(dir)
    const from = (app: string) => [{podSelector: {matchLabels: {'app.kubernetes.io/name': app}}}]
    const postgresql = plannedPolicy(plan, 'hardenctl-app-postgresql')
    expect(postgresql?.spec.ingress).toContainEqual({from: from('postgresql-standby'), ports: [{protocol: 'TCP', port: 5432}, {protocol: 'TCP', port: 8008}]})
    expect(plannedPolicy(plan, 'hardenctl-app-postgresql-standby')?.spec.ingress).toContainEqual({from: from('postgresql')})
    expect(postgresql?.spec.ingress).toContainEqual({from: [{namespaceSelector: {}}], ports: [{protocol: 'TCP', port: 5432}, {protocol: 'TCP', port: 8008}]})
    expect(plan.notes).toContain('livepatch/postgresql: data-integrator (data-integrator) hands its address and credentials to clients Juju does not model; admitted from every namespace on 5432/TCP, 8008/TCP')
  }, 60_000)

  it('a sharded MongoDB: the config-server and its shards reach each other, the shards each other, and mongos every shard', async () => {
    const plan = await dryRun(dir)
    const from = (app: string) => ({from: [{podSelector: {matchLabels: {'app.kubernetes.io/name': app}}}]})
    for (const [shard, other] of [['shard-a', 'shard-b'], ['shard-b', 'shard-a']]) {
      const ingress = plannedPolicy(plan, `hardenctl-app-${shard}`)?.spec.ingress
      expect(ingress).toContainEqual(from('mongo-config'))
      expect(ingress).toContainEqual(from(other!))
      expect(ingress?.some((rule) => JSON.stringify(rule.from) === JSON.stringify(from('mongos').from))).toBe(true)
    }
    expect(plannedPolicy(plan, 'hardenctl-app-mongo-config')?.spec.ingress).toContainEqual(from('shard-a'))
    expect(plan.notes).toContain(
      "livepatch/mongo-config: shard-a, shard-b are in mongo-config's cluster (shards); each member takes part in mongo-config's flows (its clients may reach the members, the members reach what it reaches), and the members reach each other on every port",
    )
  }, 60_000)

  it('a Kafka balancer reaches the ZooKeeper its brokers hand it over peer_cluster, whichever side orchestrates', async () => {
    const plan = await dryRun(dir)
    const from = (app: string) => JSON.stringify([{podSelector: {matchLabels: {'app.kubernetes.io/name': app}}}])
    const zookeeper = plannedPolicy(plan, 'hardenctl-app-zookeeper')?.spec.ingress ?? []
    expect(zookeeper.some((rule) => JSON.stringify(rule.from) === from('kafka'))).toBe(true)
    expect(zookeeper.some((rule) => JSON.stringify(rule.from) === from('cruise-control'))).toBe(true)
    expect(plannedPolicy(plan, 'hardenctl-app-zookeeper')?.metadata.annotations?.['hardenctl.io/reason']).toContain('over peer_cluster, cruise-control reaches what its peers reach')
    expect(plannedPolicy(plan, 'hardenctl-app-kafka')?.spec.ingress).toContainEqual({from: [{podSelector: {matchLabels: {'app.kubernetes.io/name': 'cruise-control'}}}]})
  }, 60_000)

  it('prometheus scrapes the target behind a scrape-config relay on every port', async () => {
    const plan = await dryRun(dir)
    const postgresql = plannedPolicy(plan, 'hardenctl-app-postgresql')
    expect(postgresql?.spec.ingress).toContainEqual({from: [{podSelector: {matchLabels: {'app.kubernetes.io/name': 'prometheus'}}}]})
    expect(postgresql?.metadata.annotations?.['hardenctl.io/reason']).toContain("scrape-config relays postgresql's scrape jobs to prometheus")
    expect(plan.notes).toContain('livepatch/scrape-config relays scrape jobs (prometheus-scrape-config-k8s): whoever scrapes it scrapes the targets behind it, on every port')
  }, 60_000)

  it('the closes check holds those flows in use', async () => {
    const {inventory} = await loadInventory({from: [dir]})
    const desired = desiredNetworkPolicies(inventory, defaultPolicy())
    const livepatch = desired.namespaces.find((ns) => ns.namespace === 'livepatch')!
    // A plan without the derived rules: only the relations' own flows.
    livepatch.policies = livepatch.policies.map((object) =>
      object.metadata.name !== 'hardenctl-app-tempo-querier'
        ? object
        : {...object, spec: {...object.spec, ingress: object.spec.ingress?.filter((rule) => JSON.stringify(rule.from).includes('"tempo"') || JSON.stringify(rule.from).includes('tempo-querier'))}},
    )
    const closes = closedPaths(inventory, defaultPolicy(), planReconcile(desired, inventory.kubernetes.networkPolicies, inventory.kubernetes.namespaces))
    expect(closes.map((path) => `${path.from} → ${path.to}`).sort()).toEqual(['livepatch/prometheus → livepatch/tempo-querier', 'livepatch/tempo-ingester → livepatch/tempo-querier'])
  })
})
