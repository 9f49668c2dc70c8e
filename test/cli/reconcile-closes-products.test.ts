/**
 * What reconcile closes on the two product estates of examples/ (issue 12), with and without
 * `exposure.enforce`, against the fake controller (and, for Livepatch, the fake Kubernetes API):
 *
 * - Landscape on machines: haproxy, the reverse proxy, is exposed to everyone on 80 and 443; the
 *   rest is internal. By default nothing closes and nothing is written; `exposure.enforce` closes
 *   outside → haproxy (asked for), with the exact Application.Unexpose or Expose call.
 * - COS-Lite on Kubernetes: traefik behind its LoadBalancer, routing to the others over
 *   traefik-route, ingress and ingress-per-unit. By default nothing closes and a real run applies;
 *   `exposure.enforce` closes outside → traefik 80/443, asked for, and a real run applies too.
 * - Livepatch on Kubernetes: nothing is exposed (the Ingress has no controller in view). Default
 *   deny goes in either way; the reachability engine shows no relation path loses a port.
 */
import {mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {loadInventory} from '../../src/audit/run-audit.js'
import {planMatrices, planReachability} from '../../src/netpol/after-plan.js'
import {matrixCell} from '../../src/netpol/matrix.js'
import {containsPort} from '../../src/netpol/ports.js'
import type {ClosedPath, ReconcilePlan} from '../../src/plan/types.js'
import type {FakeEstate} from '../fake-juju/estate.js'
import {type FakeController, type RecordedCall, startFakeController, writeJujuData} from '../fake-juju/server.js'
import {startFakeKubernetesApi, writeKubeconfig} from '../fake-kubernetes/server.js'
import {REPO_ROOT} from '../helpers/cli.js'
import {runCliInWorker} from '../helpers/cli-in-worker.js'
import {COS_MODEL_UUID, COS_NAMESPACE, COS_STATUS, writeCosEstate} from '../helpers/cos-estate.js'
import {LIVEPATCH_EXAMPLE, LiveLivepatch} from '../helpers/livepatch-estate.js'

const LANDSCAPE_STATUS = join(REPO_ROOT, 'examples/landscape-machines/juju/lxd-prod/models/landscape/status.json')
const LANDSCAPE_UUID = '6b2c9e4f-8a1d-4f3e-b5c7-2d9e0f1a3b4c'
const ENFORCE = 'apiVersion: hardenctl.io/v1\nexposure:\n  enforce: true\n'
const ENFORCE_ALLOW_HAPROXY = 'apiVersion: hardenctl.io/v1\nexposure:\n  enforce: true\n  allow:\n    haproxy: [10.0.0.0/8]\n'
const DEFAULT = 'apiVersion: hardenctl.io/v1\n'

/** A controller with one model whose `juju status` is STATUS; `admin` logs in with PASSWORD. */
async function oneModelEstate(
  controller: {name: string; uuid: string; jujuVersion: FakeEstate['jujuVersion']},
  model: Omit<FakeEstate['models'][number], 'status' | 'users' | 'owner'>,
  status: string,
  password: string,
): Promise<FakeEstate> {
  return {
    controllerName: controller.name,
    controllerUuid: controller.uuid,
    jujuVersion: controller.jujuVersion,
    users: [{name: 'admin', password, access: 'superuser'}],
    models: [{...model, owner: 'admin', status: JSON.parse(await readFile(status, 'utf8')) as Record<string, unknown>, users: [{user: 'admin', access: 'admin'}]}],
    controllerConfig: {'controller-uuid': controller.uuid, 'api-port': 17070},
  }
}

function landscapeEstate(password: string): Promise<FakeEstate> {
  return oneModelEstate(
    {name: 'lxd-prod', uuid: 'e4b7a1c2-3d5f-4a6b-8c9d-0e1f2a3b4c5d', jujuVersion: '3.6'},
    {name: 'landscape', uuid: LANDSCAPE_UUID, type: 'iaas', cloud: 'localhost', region: 'localhost', agentVersion: '3.6.4'},
    LANDSCAPE_STATUS,
    password,
  )
}

const jujuWrites = (calls: RecordedCall[]) => calls.filter((call) => /^(Expose|Unexpose|ModifyModelAccess|SwitchBlockOn|DisableUser)$/.test(call.request)).map((call) => `${call.type}.${call.request} ${JSON.stringify(call.params)}`)

describe('Landscape on machines: haproxy exposed, the rest internal', () => {
  const PASSWORD = 'landscape-admin-password'
  let home: string
  let controller: FakeController
  let counter = 0

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'hardenctl-closes-landscape-'))
  })
  afterEach(async () => {
    await controller.close()
  })
  afterAll(async () => {
    await rm(home, {recursive: true, force: true})
  })

  async function run(policy: string, args: string[]) {
    controller = await startFakeController(await landscapeEstate(PASSWORD))
    const dir = join(home, `run-${counter++}`)
    writeJujuData(join(dir, 'juju'), [{name: 'lxd-prod', controller, user: 'admin', password: PASSWORD}], 'lxd-prod')
    const policyFile = join(dir, 'hardenctl.yaml')
    await writeFile(policyFile, policy)
    const env = {HOME: dir, JUJU_DATA: join(dir, 'juju'), KUBECONFIG: join(dir, 'no-kubeconfig')}
    return runCliInWorker(['reconcile', '--no-kubernetes', '--policy', policyFile, ...args], {env})
  }

  it('by default: the dry run closes nothing, and a real run writes nothing', async () => {
    const preview = await run(DEFAULT, ['--dry-run', '--format', 'json'])
    expect(preview.code, preview.stderr).toBe(0)
    expect((JSON.parse(preview.stdout) as ReconcilePlan).closes).toEqual([])
    const text = await run(DEFAULT, ['--dry-run'])
    expect(text.stdout).toContain('Closes: nothing the estate shows in use or intended.')

    const applied = await run(DEFAULT, [])
    expect(applied.code, applied.stderr).toBe(0)
    expect(jujuWrites(controller.calls)).toEqual([])
  }, 60_000)

  it('with exposure.enforce: outside → haproxy 80/443 closes, asked for, and a real run unexposes it without --allow-closing', async () => {
    const expected: ClosedPath = {
      from: 'outside',
      to: 'lxd-prod:landscape/haproxy',
      ports: '80/tcp, 443/tcp',
      usedBy: 'juju expose, all endpoints',
      why: 'exposure.enforce: not on exposure.allow',
      asked: true,
    }
    const preview = await run(ENFORCE, ['--dry-run', '--format', 'json'])
    expect(preview.code, preview.stderr).toBe(0)
    expect((JSON.parse(preview.stdout) as ReconcilePlan).closes).toEqual([expected])
    const text = await run(ENFORCE, ['--dry-run'])
    expect(text.stdout).toContain('Closes:\n  outside → lxd-prod:landscape/haproxy 80/tcp, 443/tcp (exposure.enforce: not on exposure.allow; juju expose, all endpoints)\n')
    expect(text.stdout).not.toContain('not asked for')

    const applied = await run(ENFORCE, [])
    expect(applied.code, applied.stderr).toBe(0)
    expect(jujuWrites(controller.calls)).toEqual(['Application.Unexpose {"application":"haproxy","exposed-endpoints":[]}'])
  }, 60_000)

  it('with exposure.enforce and haproxy allowed from 10.0.0.0/8: the rest of the Internet closes, and Juju is told exactly that', async () => {
    const preview = await run(ENFORCE_ALLOW_HAPROXY, ['--dry-run', '--format', 'json'])
    expect(preview.code, preview.stderr).toBe(0)
    expect((JSON.parse(preview.stdout) as ReconcilePlan).closes).toEqual([
      {from: 'outside', to: 'lxd-prod:landscape/haproxy', ports: '80/tcp, 443/tcp', usedBy: 'juju expose, all endpoints', why: 'exposure.enforce: exposure.allow["haproxy"]: 10.0.0.0/8', asked: true},
    ])
    const applied = await run(ENFORCE_ALLOW_HAPROXY, [])
    expect(applied.code, applied.stderr).toBe(0)
    expect(jujuWrites(controller.calls)).toEqual(['Application.Expose {"application":"haproxy","exposed-endpoints":{"":{"expose-to-cidrs":["10.0.0.0/8"]}}}'])
  }, 60_000)
})

describe('Livepatch on Kubernetes: nothing exposed, relations inside the model', () => {
  it.each([
    ['by default', DEFAULT],
    ['with exposure.enforce', ENFORCE],
  ])('%s: the dry run closes nothing, and no relation path loses a port', async (_name, policy) => {
    const dir = await mkdtemp(join(tmpdir(), 'hardenctl-closes-livepatch-'))
    try {
      const policyFile = join(dir, 'hardenctl.yaml')
      await writeFile(policyFile, policy)
      const result = await runCliInWorker(['reconcile', '--dry-run', '--from', LIVEPATCH_EXAMPLE, '--policy', policyFile, '--format', 'json'])
      expect(result.code, result.stderr).toBe(0)
      const plan = JSON.parse(result.stdout) as ReconcilePlan
      expect(plan.closes).toEqual([])
      expect(plan.actions.some((action) => action.op === 'create')).toBe(true)

      const {inventory} = await loadInventory({from: [LIVEPATCH_EXAMPLE]})
      const {before, after} = planMatrices(planReachability(inventory.kubernetes, plan))
      // What the model uses: the database relation and every unit's agent → the model operator.
      for (const [from, to, port] of [
        ['livepatch/livepatch', 'livepatch/postgresql', 5432],
        ['livepatch/livepatch', 'livepatch/modeloperator', 17071],
        ['livepatch/postgresql', 'livepatch/modeloperator', 17071],
        ['livepatch/ingress', 'livepatch/modeloperator', 17071],
      ] as const) {
        expect(containsPort(matrixCell(before, from, to), port, 'TCP'), `${from} → ${to} before`).toBe(true)
        expect(containsPort(matrixCell(after, from, to), port, 'TCP'), `${from} → ${to} after`).toBe(true)
      }
      // What no relation uses does close: the ingress charm never talks to the database.
      expect(containsPort(matrixCell(before, 'livepatch/ingress', 'livepatch/postgresql'), 5432, 'TCP')).toBe(true)
      expect(containsPort(matrixCell(after, 'livepatch/ingress', 'livepatch/postgresql'), 5432, 'TCP')).toBe(false)
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  }, 60_000)

  it('live, by default and with exposure.enforce: a real run applies without --allow-closing', async () => {
    const live = await LiveLivepatch.start('hardenctl-closes-livepatch-live-', 'livepatch-admin-password')
    try {
      for (const policy of [DEFAULT, ENFORCE]) {
        const policyFile = join(live.home, 'hardenctl.yaml')
        await writeFile(policyFile, policy)
        const {api, env} = await live.cluster()
        const result = await runCliInWorker(['reconcile', '--policy', policyFile], {env})
        expect(result.code, result.stderr).toBe(0)
        expect(result.stdout).toContain('Closes: nothing the estate shows in use or intended.')
        expect(api.writes().length).toBeGreaterThan(0)
        await live.closeClusters()
      }
    } finally {
      await live.close()
    }
  }, 90_000)
})

describe('COS-Lite live: traefik behind a LoadBalancer, the rest behind it', () => {
  const PASSWORD = 'cos-admin-password'
  let home: string

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'hardenctl-closes-cos-'))
    await writeCosEstate(join(home, 'snapshot'))
  })
  afterAll(async () => {
    await rm(home, {recursive: true, force: true})
  })

  function cosEstate(): Promise<FakeEstate> {
    return oneModelEstate(
      {name: 'mk8scloud', uuid: '4f1e2d3c-5b6a-4798-8a0b-1c2d3e4f5a6b', jujuVersion: '3.1'},
      {name: COS_NAMESPACE, uuid: COS_MODEL_UUID, type: 'caas', cloud: 'microk8s', region: 'localhost', agentVersion: '3.1.2', trust: ['traefik']},
      COS_STATUS,
      PASSWORD,
    )
  }

  async function cosObjects(): Promise<object[]> {
    const dir = join(home, 'snapshot/kubernetes')
    const objects: object[] = []
    for (const file of (await readdir(dir)).sort()) objects.push(...(JSON.parse(await readFile(join(dir, file), 'utf8')) as {items: object[]}).items)
    return objects
  }

  it.each([
    ['by default', DEFAULT, []],
    [
      'with exposure.enforce',
      ENFORCE,
      [{from: 'outside', to: `${COS_NAMESPACE}/traefik`, ports: '80/TCP, 443/TCP', usedBy: 'LoadBalancer Service traefik-lb', why: 'exposure.enforce, not on exposure.allow', asked: true}],
    ],
  ] as const)('%s: the dry run lists exactly what closes, and a real run applies', async (name, policy, closes) => {
    const controller = await startFakeController(await cosEstate())
    const api = await startFakeKubernetesApi(await cosObjects())
    try {
      const dir = join(home, name.replace(/\W+/g, '-'))
      writeJujuData(join(dir, 'juju'), [{name: 'mk8scloud', controller, user: 'admin', password: PASSWORD}], 'mk8scloud')
      const policyFile = join(dir, 'hardenctl.yaml')
      await writeFile(policyFile, policy)
      const env = {HOME: dir, JUJU_DATA: join(dir, 'juju'), KUBECONFIG: writeKubeconfig(dir, [{context: 'cos', url: api.url}])}

      const preview = await runCliInWorker(['reconcile', '--dry-run', '--format', 'json', '--policy', policyFile], {env})
      expect(preview.code, preview.stderr).toBe(0)
      expect((JSON.parse(preview.stdout) as ReconcilePlan).closes).toEqual(closes)

      const applied = await runCliInWorker(['reconcile', '--policy', policyFile], {env})
      expect(applied.code, applied.stderr).toBe(0)
      expect(api.writes().filter((write) => write.query.dryRun === undefined).length).toBeGreaterThan(0)
    } finally {
      await api.close()
      await controller.close()
    }
  }, 90_000)
})
