/**
 * Prometheus scraping over a relation reaches ports the relation names, not the server's Service
 * ports: postgresql-k8s hands Prometheus scrape jobs for 9187 (postgres_exporter), 9854
 * (pgbackrest exporter) and 8008 (canonical/postgresql-k8s-operator src/charm.py
 * `_generate_metrics_jobs`, src/constants.py) while its Service has only the ports it opens, 5432
 * and 8008. Admitting Prometheus on the Service ports would cut the scrape of 9187 and 9854.
 *
 * The Livepatch example with prometheus-k8s deployed into its model and related to postgresql
 * (metrics-endpoint, interface prometheus_scrape), planned from files as a user runs it.
 */
import {cp, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {loadInventory} from '../../src/audit/run-audit.js'
import {closedPaths} from '../../src/plan/closes.js'
import {desiredNetworkPolicies} from '../../src/plan/network-policies.js'
import {planReconcile} from '../../src/plan/plan.js'
import type {ReconcilePlan} from '../../src/plan/types.js'
import {defaultPolicy} from '../../src/policy/schema.js'
import {runCliInWorker} from '../helpers/cli-in-worker.js'
import {plannedPolicy} from '../helpers/planned-policy.js'
import {exampleUnitPod, LIVEPATCH_EXAMPLE} from '../helpers/livepatch-estate.js'

type Json = Record<string, unknown>
const SCRAPE = {'related-application': 'prometheus', interface: 'prometheus_scrape', scope: 'global'}

/** The example plus prometheus-k8s, related to postgresql over metrics-endpoint, as files under `dir`. */
async function writeScrapeExample(dir: string): Promise<void> {
  await cp(LIVEPATCH_EXAMPLE, dir, {recursive: true})
  const statusFile = join(dir, 'juju/microk8s-prod/models/livepatch/status.json')
  const status = JSON.parse(await readFile(statusFile, 'utf8')) as {applications: Record<string, Json & {relations?: Record<string, unknown[]>}>}
  const postgresql = status.applications.postgresql!
  postgresql.relations = {...postgresql.relations, 'metrics-endpoint': [SCRAPE]}
  status.applications.prometheus = {
    charm: 'prometheus-k8s',
    base: {name: 'ubuntu', channel: '20.04'},
    'charm-origin': 'charmhub',
    'charm-name': 'prometheus-k8s',
    'charm-rev': 247,
    'charm-channel': 'latest/stable',
    scale: 1,
    'provider-id': '5f3a0031-9c1d-4b2e-8f3a-0000011a2c01',
    address: '10.152.183.90',
    exposed: false,
    'application-status': {current: 'active', since: '02 Jun 2025 09:40:02Z'},
    relations: {'metrics-endpoint': [{'related-application': 'postgresql', interface: 'prometheus_scrape', scope: 'global'}]},
    units: {
      'prometheus/0': {
        'workload-status': {current: 'active', since: '02 Jun 2025 09:40:02Z'},
        'juju-status': {current: 'idle', since: '02 Jun 2025 09:40:05Z', version: '3.6.4'},
        leader: true,
        'open-ports': ['9090/tcp'],
        address: '10.1.42.31',
        'provider-id': 'prometheus-0',
      },
    },
    version: '2.52.0',
  }
  await writeFile(statusFile, JSON.stringify(status, null, 2))
  const podsFile = join(dir, 'kubernetes/pods.json')
  const pods = JSON.parse(await readFile(podsFile, 'utf8')) as {items: Json[]}
  pods.items.push(await exampleUnitPod('prometheus', '5f3a0033-9c1d-4b2e-8f3a-0000011a2c03'))
  await writeFile(podsFile, JSON.stringify(pods, null, 2))
}

describe('reconcile: a prometheus_scrape relation', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hardenctl-scrape-'))
    await writeScrapeExample(dir)
  })
  afterAll(async () => {
    await rm(dir, {recursive: true, force: true})
  })

  it('admits the scraper to the target on every port, says why, and closes nothing', async () => {
    const result = await runCliInWorker(['reconcile', '--dry-run', '--from', dir, '--format', 'json'])
    expect(result.code, result.stderr).toBe(0)
    const plan = JSON.parse(result.stdout) as ReconcilePlan
    const postgresql = plannedPolicy(plan, 'hardenctl-app-postgresql')
    // The database client keeps its Service ports; the scraper gets no port list (every port).
    expect(postgresql?.spec.ingress).toContainEqual({from: [{podSelector: {matchLabels: {'app.kubernetes.io/name': 'livepatch'}}}], ports: [{protocol: 'TCP', port: 5432}, {protocol: 'TCP', port: 8008}]})
    expect(postgresql?.spec.ingress).toContainEqual({from: [{podSelector: {matchLabels: {'app.kubernetes.io/name': 'prometheus'}}}]})
    expect(plan.notes).toContain(
      "livepatch/postgresql: prometheus may reach it on any port (relation postgresql:metrics-endpoint ↔ prometheus:metrics-endpoint (prometheus_scrape)): the scrape targets' ports come from the relation's scrape_jobs, which need not be on the Service",
    )
    expect(plan.closes).toEqual([])
  })

  it('the closes check counts every port of the scrape path as in use', async () => {
    const {inventory} = await loadInventory({from: [dir]})
    const desired = desiredNetworkPolicies(inventory, defaultPolicy())
    const livepatch = desired.namespaces.find((ns) => ns.namespace === 'livepatch')!
    // A plan that admitted Prometheus only on the Service ports, as before.
    const narrowed = livepatch.policies.map((object) =>
      object.metadata.name !== 'hardenctl-app-postgresql'
        ? object
        : {...object, spec: {...object.spec, ingress: object.spec.ingress?.map((rule) => (rule.ports ? rule : {...rule, ports: [{protocol: 'TCP' as const, port: 5432}, {protocol: 'TCP' as const, port: 8008}]}))}},
    )
    livepatch.policies = narrowed
    const closes = closedPaths(inventory, defaultPolicy(), planReconcile(desired, inventory.kubernetes.networkPolicies, inventory.kubernetes.namespaces))
    const scrape = closes.find((path) => path.usedBy.includes('prometheus:metrics-endpoint'))
    expect(scrape?.from).toMatch(/^livepatch\//)
    // 9187 and 9854 among them: every port but the two the narrowed rule kept.
    expect(scrape?.ports).toBe('all but 5432/TCP, 8008/TCP')
  })
})
