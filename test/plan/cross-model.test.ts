/**
 * Cross-model relations: the corpus dumps where model `foo` consumes clite's `alertmanager` offer
 * (traefik `trfk` ingresses it). The consuming model's namespace AND the consuming app's pods must
 * appear in one peer of the offering app's policy.
 */
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {loadInventory} from '../../src/audit/run-audit.js'
import {closedPaths} from '../../src/plan/closes.js'
import {desiredNetworkPolicies} from '../../src/plan/network-policies.js'
import {planReconcile} from '../../src/plan/plan.js'
import {defaultPolicy} from '../../src/policy/schema.js'
import {REPO_ROOT} from '../helpers/cli.js'
import {kubeList, modelNamespace, writeCmrStatuses} from '../helpers/cmr-estate.js'

const namespace = (name: string, uuid: string) => modelNamespace(name, uuid)
const service = (ns: string, app: string, port: number) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: {name: app, namespace: ns, labels: {'app.kubernetes.io/name': app, 'app.kubernetes.io/managed-by': 'juju'}},
  spec: {type: 'ClusterIP', selector: {'app.kubernetes.io/name': app}, ports: [{name: `juju-${port}-tcp`, port, targetPort: port, protocol: 'TCP'}]},
})
const list = kubeList

describe('cross-model relations', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hardenctl-cmr-'))
    await writeCmrStatuses(dir)
    await mkdir(join(dir, 'kubernetes'))
    await writeFile(join(dir, 'kubernetes/namespaces.json'), list([namespace('clite', '00000000-0000-4000-8000-000000000001'), namespace('foo', '00000000-0000-4000-8000-000000000002')]))
    await writeFile(join(dir, 'kubernetes/services.json'), list([service('clite', 'alertmanager', 9093), service('foo', 'trfk', 80)]))
    await writeFile(join(dir, 'kubernetes/networkpolicies.json'), list([]))
  })
  afterAll(async () => {
    await rm(dir, {recursive: true, force: true})
  })

  it('admits the consuming app from its own namespace, in one peer (any port: a proxy dials the port the ingress relation names) — written once, in the offering namespace', async () => {
    const {inventory} = await loadInventory({from: [dir]})
    const desired = desiredNetworkPolicies(inventory, defaultPolicy())
    const clite = desired.namespaces.find((ns) => ns.namespace === 'clite')!
    const alertmanager = clite.policies.find((policy) => policy.metadata.name === 'hardenctl-app-alertmanager')!
    const crossModel = alertmanager.spec.ingress!.filter((rule) => rule.from?.some((peer) => peer.namespaceSelector))
    expect(crossModel).toEqual([
      {
        from: [{namespaceSelector: {matchLabels: {'kubernetes.io/metadata.name': 'foo'}}, podSelector: {matchLabels: {'app.kubernetes.io/name': 'trfk'}}}],
      },
    ])
    expect(alertmanager.metadata.annotations?.['hardenctl.io/reason']).toMatch(/relation .*alertmanager.*trfk.*: trfk connects to alertmanager/)
    // Nothing of the relation itself lands in foo's policies: alertmanager never connects to trfk.
    // (trfk admits alertmanager's clients in clite, which alertmanager hands trfk's URL: below.)
    const foo = desired.namespaces.find((ns) => ns.namespace === 'foo')!
    const fromClite = foo.policies.flatMap((policy) => policy.spec.ingress ?? []).flatMap((rule) => rule.from ?? []).filter((peer) => peer.namespaceSelector)
    expect(fromClite.map((peer) => peer.podSelector?.matchLabels?.['app.kubernetes.io/name'])).not.toContain('alertmanager')
  })
})

describe('reconcile -n NS: a namespace read alone plans the same policies', () => {
  // A live run with -n lists only that namespace's objects (cluster-scoped kinds whole) and every
  // Juju model; the audit's default-deny fix is `hardenctl reconcile -n NS`. Emulated here by
  // leaving the other namespace's objects out of the files.
  const write = async (keep: (namespace: string) => boolean): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'hardenctl-cmr-one-'))
    await writeCmrStatuses(dir)
    await mkdir(join(dir, 'kubernetes'))
    const namespaces = [namespace('clite', '00000000-0000-4000-8000-000000000001'), namespace('foo', '00000000-0000-4000-8000-000000000002')]
    await writeFile(join(dir, 'kubernetes/namespaces.json'), list(namespaces.filter((ns) => keep(ns.metadata.name))))
    await writeFile(join(dir, 'kubernetes/services.json'), list([service('clite', 'alertmanager', 9093), service('foo', 'trfk', 80)].filter((s) => keep(s.metadata.namespace))))
    await writeFile(join(dir, 'kubernetes/networkpolicies.json'), list([]))
    return dir
  }
  const dirs: string[] = []
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, {recursive: true, force: true})))
  })

  it.each(['clite', 'foo'])('%s: the policies of the whole view', async (only) => {
    const whole = await write(() => true)
    const alone = await write((ns) => ns === only)
    dirs.push(whole, alone)
    const plan = async (dir: string) => {
      const desired = desiredNetworkPolicies((await loadInventory({from: [dir]})).inventory, defaultPolicy())
      return {
        policies: desired.namespaces.find((ns) => ns.namespace === only)?.policies.map((policy) => ({name: policy.metadata.name, spec: policy.spec})),
        untouched: desired.untouched.filter((entry) => entry.namespace === only),
      }
    }
    const expected = await plan(whole)
    expect(expected.policies?.length).toBeGreaterThan(0)
    expect(await plan(alone)).toEqual(expected)
  })
})

describe('an offer consumed from a model hardenctl did not inspect', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hardenctl-cmr-unseen-'))
    await writeCmrStatuses(dir, ['clite'])
    // `juju offers`: one consumer, in a model of another controller.
    await writeFile(
      join(dir, 'juju/mk8scloud/models/clite/offers.json'),
      JSON.stringify({alertmanager: {application: 'alertmanager', store: 'mk8scloud', 'offer-url': 'admin/clite.alertmanager', endpoints: {ingress: {interface: 'ingress', role: 'requirer'}}, connections: [{'source-model-uuid': '99999999-0000-4000-8000-000000000009', username: 'admin', endpoint: 'ingress'}]}}),
    )
    await mkdir(join(dir, 'kubernetes'))
    await writeFile(join(dir, 'kubernetes/namespaces.json'), list([namespace('clite', '00000000-0000-4000-8000-000000000001')]))
    await writeFile(join(dir, 'kubernetes/services.json'), list([service('clite', 'alertmanager', 9093)]))
    await writeFile(join(dir, 'kubernetes/networkpolicies.json'), list([]))
  })
  afterAll(async () => {
    await rm(dir, {recursive: true, force: true})
  })

  it('is not cut off: the offered app admits every namespace on its ports, and the plan says why', async () => {
    const {inventory} = await loadInventory({from: [dir]})
    const desired = desiredNetworkPolicies(inventory, defaultPolicy())
    const alertmanager = desired.namespaces.find((ns) => ns.namespace === 'clite')!.policies.find((policy) => policy.metadata.name === 'hardenctl-app-alertmanager')!
    expect(alertmanager.spec.ingress).toContainEqual({from: [{namespaceSelector: {}}], ports: [{protocol: 'TCP', port: 9093}]})
    expect(desired.notes.some((note) => note.includes('99999999-0000-4000-8000-000000000009'))).toBe(true)
  })
})

describe('a relation whose other model was not read', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hardenctl-cmr-half-'))
    // Only the offering model: its offer is consumed by trfk in model foo, whose status is not here.
    await writeCmrStatuses(dir, ['foo'])
    await mkdir(join(dir, 'kubernetes'))
    await writeFile(join(dir, 'kubernetes/namespaces.json'), list([namespace('foo', '00000000-0000-4000-8000-000000000002')]))
    await writeFile(join(dir, 'kubernetes/services.json'), list([service('foo', 'trfk', 80)]))
    await writeFile(join(dir, 'kubernetes/networkpolicies.json'), list([]))
  })
  afterAll(async () => {
    await rm(dir, {recursive: true, force: true})
  })

  it('opens nothing extra on the side that only connects out (trfk connects to the offered alertmanager)', async () => {
    const {inventory} = await loadInventory({from: [dir]})
    const desired = desiredNetworkPolicies(inventory, defaultPolicy())
    const trfk = desired.namespaces.find((ns) => ns.namespace === 'foo')!.policies.find((policy) => policy.metadata.name === 'hardenctl-app-trfk')!
    expect(trfk.spec.ingress).toEqual([{from: [{podSelector: {matchLabels: {'app.kubernetes.io/name': 'trfk'}}}]}])
  })
})

describe('a served relation whose consuming side was not read', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hardenctl-cmr-served-'))
    // postgresql serves `lp`, a consumed offer from model `far`, which is not in the inputs.
    const status = {
      model: {name: 'db', type: 'caas', controller: 'c', cloud: 'microk8s', region: 'localhost', version: '3.6.1'},
      machines: {},
      applications: {
        postgresql: {
          charm: 'postgresql-k8s',
          'charm-name': 'postgresql-k8s',
          'charm-origin': 'charmhub',
          scale: 1,
          exposed: false,
          relations: {database: [{'related-application': 'lp', interface: 'postgresql_client', scope: 'global'}]},
          units: {'postgresql/0': {address: '10.1.0.5', 'provider-id': 'postgresql-0'}},
        },
      },
      'application-endpoints': {
        lp: {url: 'c:admin/far.livepatch', endpoints: {database: {interface: 'postgresql_client', role: 'requirer'}}, relations: {database: ['postgresql']}},
      },
    }
    await mkdir(join(dir, 'juju/c/models/db'), {recursive: true})
    await writeFile(join(dir, 'juju/c/models/db/status.json'), JSON.stringify(status))
    await mkdir(join(dir, 'kubernetes'))
    await writeFile(join(dir, 'kubernetes/namespaces.json'), list([namespace('db', '00000000-0000-4000-8000-000000000003')]))
    await writeFile(join(dir, 'kubernetes/services.json'), list([service('db', 'postgresql', 5432)]))
    await writeFile(join(dir, 'kubernetes/networkpolicies.json'), list([]))
  })
  afterAll(async () => {
    await rm(dir, {recursive: true, force: true})
  })

  it('keeps the local server reachable from every namespace on its ports, and says so', async () => {
    const {inventory} = await loadInventory({from: [dir]})
    const desired = desiredNetworkPolicies(inventory, defaultPolicy())
    const postgresql = desired.namespaces.find((ns) => ns.namespace === 'db')!.policies.find((policy) => policy.metadata.name === 'hardenctl-app-postgresql')!
    expect(postgresql.spec.ingress).toContainEqual({from: [{namespaceSelector: {}}], ports: [{protocol: 'TCP', port: 5432}]})
    expect(desired.notes.some((note) => note.includes('the other model\'s namespace is unknown; postgresql admits every namespace'))).toBe(true)
  })
})

describe('a consumed offer whose offering model was not read, under egress isolation', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hardenctl-cmr-client-'))
    // livepatch consumes `pg`, a PostgreSQL offered by model `far` (another cluster or machines).
    const status = {
      model: {name: 'lp', type: 'caas', controller: 'c', cloud: 'microk8s', region: 'localhost', version: '3.6.1'},
      machines: {},
      applications: {
        livepatch: {
          charm: 'canonical-livepatch-server-k8s',
          'charm-name': 'canonical-livepatch-server-k8s',
          'charm-origin': 'charmhub',
          scale: 1,
          exposed: false,
          relations: {database: [{'related-application': 'pg', interface: 'postgresql_client', scope: 'global'}]},
          units: {'livepatch/0': {address: '10.1.0.7', 'provider-id': 'livepatch-0'}},
        },
      },
      'application-endpoints': {
        pg: {url: 'c:admin/far.postgresql', endpoints: {database: {interface: 'postgresql_client', role: 'provider'}}, relations: {database: ['livepatch']}},
      },
    }
    await mkdir(join(dir, 'juju/c/models/lp'), {recursive: true})
    await writeFile(join(dir, 'juju/c/models/lp/status.json'), JSON.stringify(status))
    await mkdir(join(dir, 'kubernetes'))
    await writeFile(join(dir, 'kubernetes/namespaces.json'), list([namespace('lp', '00000000-0000-4000-8000-000000000004')]))
    await writeFile(join(dir, 'kubernetes/services.json'), list([service('lp', 'livepatch', 8080)]))
    await writeFile(join(dir, 'kubernetes/networkpolicies.json'), list([]))
  })
  afterAll(async () => {
    await rm(dir, {recursive: true, force: true})
  })

  it('keeps the consumer\'s egress open (the offer\'s address is not known), and says so', async () => {
    const {inventory} = await loadInventory({from: [dir]})
    const policy = defaultPolicy()
    policy.networkPolicies.egress = true
    const desired = desiredNetworkPolicies(inventory, policy)
    const livepatch = desired.namespaces.find((ns) => ns.namespace === 'lp')!.policies.find((p) => p.metadata.name === 'hardenctl-app-livepatch')!
    expect(livepatch.spec.egress).toContainEqual({})
    expect(desired.notes).toContain('relation livepatch:database ↔ pg:database (postgresql_client) in model lp: the other side\'s address is unknown; livepatch\'s egress is not isolated')

    // Without egress isolation nothing changes.
    const plain = desiredNetworkPolicies(inventory, defaultPolicy())
    expect(plain.namespaces.find((ns) => ns.namespace === 'lp')!.policies.find((p) => p.metadata.name === 'hardenctl-app-livepatch')!.spec.egress).toBeUndefined()
  })
})

describe('an ingress proxy in the consuming model hands its URL to the offering model\'s clients', () => {
  // test/real-world-reconcile's estate: foo's trfk ingresses clite's alertmanager offer, and
  // alertmanager's clients in clite (prometheus, loki, grafana) then connect to trfk.
  const ESTATE = join(REPO_ROOT, 'test/real-world-reconcile/estate')
  const fromClite = (rule: {from?: {namespaceSelector?: {matchLabels?: Record<string, string>}}[]}) => rule.from?.some((peer) => peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'clite') ?? false

  it("trfk admits them, and the closes check holds those paths in use: without the rule, the plan would close them", async () => {
    const {inventory} = await loadInventory({from: [ESTATE]})
    const desired = desiredNetworkPolicies(inventory, defaultPolicy())
    const foo = desired.namespaces.find((ns) => ns.namespace === 'foo')!
    const trfk = foo.policies.find((policy) => policy.metadata.name === 'hardenctl-app-trfk')!
    const clients = new Set(trfk.spec.ingress!.filter(fromClite).flatMap((rule) => rule.from!.map((peer) => (peer as {podSelector?: {matchLabels?: Record<string, string>}}).podSelector?.matchLabels?.['app.kubernetes.io/name'])))
    // The status names no interfaces, so catalogue, related to alertmanager both ways, counts as a client too
    // (traefik does not: its `ingress` end with a known proxy charm is read as ingress, traefik → alertmanager).
    expect([...clients].sort()).toEqual(['catalogue', 'grafana', 'loki', 'prometheus'])
    expect(desired.notes).toContain("clite/alertmanager is behind trfk and hands its clients trfk's URL: its clients may reach trfk on trfk's Service ports")

    foo.policies = foo.policies.map((object) => (object !== trfk ? object : {...object, spec: {...object.spec, ingress: object.spec.ingress?.filter((rule) => !fromClite(rule))}}))
    const closes = closedPaths(inventory, defaultPolicy(), planReconcile(desired, inventory.kubernetes.networkPolicies, inventory.kubernetes.namespaces))
    expect([...new Set(closes.map((path) => `${path.from} → ${path.to}`))].sort()).toEqual([...clients].sort().map((client) => `clite/${client} → foo/trfk`))
  })
})

describe("an offer whose consumers `juju status` only counts (total-connected-count, no `juju offers`)", () => {
  async function estate(models: ('clite' | 'foo')[]): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'hardenctl-cmr-count-'))
    await writeCmrStatuses(dir, models)
    // The status's offer section, as Juju prints it, with the relation count the jhack mock left out.
    const file = join(dir, 'juju/mk8scloud/models/clite/status.json')
    const status = JSON.parse(await readFile(file, 'utf8')) as {offers: Record<string, Record<string, unknown>>}
    status.offers.alertmanager = {...status.offers.alertmanager, 'active-connected-count': 1, 'total-connected-count': 1}
    await writeFile(file, JSON.stringify(status, null, 2))
    await mkdir(join(dir, 'kubernetes'))
    await writeFile(join(dir, 'kubernetes/namespaces.json'), list([namespace('clite', '00000000-0000-4000-8000-000000000001'), namespace('foo', '00000000-0000-4000-8000-000000000002')]))
    await writeFile(join(dir, 'kubernetes/services.json'), list([service('clite', 'alertmanager', 9093), service('foo', 'trfk', 80)]))
    await writeFile(join(dir, 'kubernetes/networkpolicies.json'), list([]))
    return dir
  }
  const everyNamespace = {from: [{namespaceSelector: {}}], ports: [{protocol: 'TCP', port: 9093}]}
  const alertmanagerOf = (desired: ReturnType<typeof desiredNetworkPolicies>) =>
    desired.namespaces.find((ns) => ns.namespace === 'clite')!.policies.find((policy) => policy.metadata.name === 'hardenctl-app-alertmanager')!

  it('a connection from a model not read keeps the offered app reachable from every namespace, and the plan says why', async () => {
    const dir = await estate(['clite'])
    const {inventory} = await loadInventory({from: [dir]})
    const desired = desiredNetworkPolicies(inventory, defaultPolicy())
    expect(alertmanagerOf(desired).spec.ingress).toContainEqual(everyNamespace)
    expect(desired.notes).toContain(
      'clite/alertmanager: offer alertmanager has consumers hardenctl did not inspect (1 of its 1 connections (juju status counts them; their models were not read)); admitted from every namespace on its ports until they are inspected too',
    )
    await rm(dir, {recursive: true, force: true})
  })

  it('an offers listing that names fewer connections than the status counts does not outvote the count', async () => {
    // A Juju 4 controller's ListApplicationOffers may fill no connections (juju/juju applicationoffers.go@ee603fa9:
    // "TODO (cmr) Add offer connections"), while its status still counts them.
    const dir = await estate(['clite'])
    await writeFile(
      join(dir, 'juju/mk8scloud/models/clite/offers.json'),
      JSON.stringify({alertmanager: {application: 'alertmanager', store: 'mk8scloud', 'offer-url': 'admin/clite.alertmanager', endpoints: {ingress: {interface: 'ingress', role: 'requirer'}}, connections: []}}),
    )
    const {inventory} = await loadInventory({from: [dir]})
    expect(inventory.models.get('mk8scloud/clite')?.offers.find((offer) => offer.name === 'alertmanager')).toMatchObject({connections: [], connectedCount: 1})
    expect(alertmanagerOf(desiredNetworkPolicies(inventory, defaultPolicy())).spec.ingress).toContainEqual(everyNamespace)
    await rm(dir, {recursive: true, force: true})
  })

  it('with the consuming model read, its relation accounts for the connection: no every-namespace rule', async () => {
    const dir = await estate(['clite', 'foo'])
    const {inventory} = await loadInventory({from: [dir]})
    const desired = desiredNetworkPolicies(inventory, defaultPolicy())
    expect(alertmanagerOf(desired).spec.ingress).not.toContainEqual(everyNamespace)
    expect(desired.notes.some((note) => note.includes('did not inspect'))).toBe(false)
    await rm(dir, {recursive: true, force: true})
  })
})
