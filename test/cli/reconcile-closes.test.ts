/**
 * Reconcile says what its plan closes (issue 12): before any write, the reachability engine
 * compares the cluster now and after the plan, and every closed path the estate shows in use or
 * intended is listed under "Closes:" (text) and `closes` (JSON), with why and whether the policy
 * asked for it. A real run that would close one the policy did not ask for refuses (exit 2,
 * nothing written) unless --allow-closing.
 */
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {planMatrices, planReachability} from '../../src/netpol/after-plan.js'
import {loadInventory} from '../../src/audit/run-audit.js'
import {matrixCell} from '../../src/netpol/matrix.js'
import {formatPorts, subtractPorts} from '../../src/netpol/ports.js'
import {OUTSIDE_ID} from '../../src/netpol/types.js'
import type {ClosedPath, ReconcilePlan} from '../../src/plan/types.js'
import {runCliInWorker} from '../helpers/cli-in-worker.js'
import {COS_NAMESPACE, type CosOptions, writeCosEstate} from '../helpers/cos-estate.js'
import {LiveLivepatch} from '../helpers/livepatch-estate.js'

const ENFORCE = 'apiVersion: hardenctl.io/v1\nexposure:\n  enforce: true\n'
const EGRESS = 'apiVersion: hardenctl.io/v1\nnetworkPolicies:\n  egress: true\n'
/** Plans a model namespace where a workload that is no Juju unit serves (left as it is by default). */
const ISOLATE_UNMODELLED = 'apiVersion: hardenctl.io/v1\nnetworkPolicies:\n  unmodelledWorkloads: isolate\n'
const TRAEFIK = `${COS_NAMESPACE}/traefik`

/**
 * A DNS server in kube-system behind the usual kube-dns Service, whose pods are labelled the way
 * the CoreDNS Helm chart labels them, not `k8s-app: kube-dns`.
 */
function dnsObjects(): object[] {
  const labels = {'app.kubernetes.io/name': 'coredns'}
  return [
    {apiVersion: 'v1', kind: 'Namespace', metadata: {name: 'kube-system', labels: {'kubernetes.io/metadata.name': 'kube-system'}}},
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {name: 'coredns-5d78c9869d-x2x7q', namespace: 'kube-system', labels: {...labels, 'pod-template-hash': '5d78c9869d'}},
      spec: {containers: [{name: 'coredns', image: 'coredns/coredns:1.11.1', ports: [{name: 'dns', containerPort: 53, protocol: 'UDP'}, {name: 'dns-tcp', containerPort: 53, protocol: 'TCP'}]}]},
      status: {phase: 'Running'},
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {name: 'kube-dns', namespace: 'kube-system'},
      spec: {type: 'ClusterIP', selector: labels, ports: [{name: 'dns', port: 53, protocol: 'UDP', targetPort: 53}, {name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53}]},
    },
  ]
}

/**
 * A workload that is no Juju application's, installed into the model's namespace (an
 * oauth2-proxy Helm release) and exposed by its own LoadBalancer Service: the namespace's default
 * deny would cut it off, and no planned rule knows it.
 */
function foreignExposedObjects(namespace: string): object[] {
  const labels = {'app.kubernetes.io/name': 'oauth2-proxy', 'app.kubernetes.io/instance': 'oauth2-proxy'}
  return [
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {name: 'oauth2-proxy-7c9d8b6f5-q4r2z', namespace, labels: {...labels, 'pod-template-hash': '7c9d8b6f5'}},
      spec: {containers: [{name: 'oauth2-proxy', image: 'quay.io/oauth2-proxy/oauth2-proxy:v7.6.0', ports: [{name: 'http', containerPort: 4180, protocol: 'TCP'}]}]},
      status: {phase: 'Running'},
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {name: 'oauth2-proxy', namespace, labels},
      spec: {type: 'LoadBalancer', selector: labels, ports: [{name: 'http', port: 80, protocol: 'TCP', targetPort: 'http'}]},
    },
  ]
}

let root: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hardenctl-closes-'))
})
afterAll(async () => {
  await rm(root, {recursive: true, force: true})
})

interface DryRun {
  dir: string
  text: string
  plan: ReconcilePlan
}

async function dryRun(name: string, options: CosOptions, extra: object[] = []): Promise<DryRun> {
  const dir = join(root, name)
  await writeCosEstate(dir, options)
  if (extra.length > 0) await addObjects(dir, extra)
  const policy = options.policy ? ['--policy', join(dir, 'policy.yaml')] : []
  const text = await runCliInWorker(['reconcile', '--dry-run', '--from', dir, ...policy])
  expect(text.code, text.stderr).toBe(0)
  const json = await runCliInWorker(['reconcile', '--dry-run', '--from', dir, '--format', 'json', ...policy])
  expect(json.code, json.stderr).toBe(0)
  return {dir, text: text.stdout, plan: JSON.parse(json.stdout) as ReconcilePlan}
}

/** Adds objects to the snapshot's lists, by kind. */
async function addObjects(dir: string, objects: object[]): Promise<void> {
  const files: Record<string, string> = {Namespace: 'namespaces.json', Pod: 'pods.json', Service: 'services.json'}
  for (const object of objects as {kind: string}[]) {
    const file = join(dir, 'kubernetes', files[object.kind]!)
    const list = JSON.parse(await readFile(file, 'utf8')) as {items: object[]}
    list.items.push(object)
    await writeFile(file, JSON.stringify(list))
  }
}

describe('reconcile --dry-run on a COS-Lite model says what the plan closes', () => {
  it('by default it closes nothing in use, and says so', async () => {
    const planned = await dryRun('default', {})
    expect(planned.plan.closes).toEqual([])
    expect(planned.text).toContain('Closes: nothing the estate shows in use or intended.')
  }, 60_000)

  it('with exposure.enforce, exactly outside → traefik 80/TCP and 443/TCP close, as the policy asks', async () => {
    const planned = await dryRun('enforced', {policy: ENFORCE})
    const expected: ClosedPath = {
      from: OUTSIDE_ID,
      to: TRAEFIK,
      ports: '80/TCP, 443/TCP',
      usedBy: 'LoadBalancer Service traefik-lb',
      why: 'exposure.enforce, not on exposure.allow',
      asked: true,
    }
    expect(planned.plan.closes).toEqual([expected])
    expect(planned.text).toContain('Closes:\n  outside → clite/traefik 80/TCP, 443/TCP (exposure.enforce, not on exposure.allow; LoadBalancer Service traefik-lb)\n')
    expect(planned.text).not.toContain('not asked for')

    // The engine agrees: those are exactly the ports outside loses to traefik.
    const {inventory} = await loadInventory({from: [planned.dir]})
    const {before, after} = planMatrices(planReachability(inventory.kubernetes, planned.plan))
    expect(formatPorts(subtractPorts(matrixCell(before, OUTSIDE_ID, TRAEFIK), matrixCell(after, OUTSIDE_ID, TRAEFIK)))).toBe('all ports')
  }, 60_000)

  it('a LoadBalancer with loadBalancerSourceRanges: its ranges stay open by default; enforce closes them, asked for', async () => {
    const kept = await dryRun('ranges', {loadBalancerSourceRanges: ['192.0.2.0/24']})
    expect(kept.plan.closes).toEqual([])

    const narrowed = await dryRun('ranges-enforced', {loadBalancerSourceRanges: ['192.0.2.0/24'], policy: `${ENFORCE}  allow:\n    traefik: [203.0.113.0/24]\n`})
    expect(narrowed.plan.closes).toEqual([
      {from: '192.0.2.0/24', to: TRAEFIK, ports: '80/TCP, 443/TCP', usedBy: 'LoadBalancer Service traefik-lb', why: 'exposure.enforce, outside exposure.allow (203.0.113.0/24)', asked: true},
    ])
  }, 60_000)

  it('under egress isolation DNS stays open to the pods the kube-dns Service selects, whatever their labels', async () => {
    const planned = await dryRun('dns', {policy: EGRESS}, dnsObjects())
    expect(planned.plan.closes).toEqual([])
    const {inventory} = await loadInventory({from: [planned.dir]})
    const {before, after} = planMatrices(planReachability(inventory.kubernetes, planned.plan))
    for (const app of ['grafana', 'traefik']) {
      expect(formatPorts(matrixCell(before, `${COS_NAMESPACE}/${app}`, 'kube-system/coredns'))).toBe('all ports')
      expect(formatPorts(matrixCell(after, `${COS_NAMESPACE}/${app}`, 'kube-system/coredns'))).toBe('53/TCP, 53/UDP')
    }
    expect(planned.text).toContain('DNS (UDP and TCP 53 to kube-system/kube-dns)')
  }, 60_000)

  it('with no DNS Service read, the plan says which label it assumes for DNS', async () => {
    const planned = await dryRun('dns-unknown', {policy: EGRESS})
    expect(planned.plan.notes).toContain(
      'DNS egress goes to kube-system pods labelled k8s-app=kube-dns: no kube-system Service on port 53 was read, so the cluster\'s DNS pods could not be named; check that label before a real run',
    )
  }, 60_000)

  it('a workload in the namespace that is no Juju application\'s: by default the namespace is left as it is, naming its Service', async () => {
    const planned = await dryRun('foreign-left', {}, foreignExposedObjects(COS_NAMESPACE))
    expect(planned.plan.closes).toEqual([])
    expect(planned.plan.untouched).toContainEqual({
      namespace: COS_NAMESPACE,
      why: 'unmodelled-workloads',
      reason:
        'pods that are no Juju unit serve Service oauth2-proxy here (a charm-created Deployment, a Helm release): the relation graph does not say who talks to them or whom they call, so a default deny would cut traffic hardenctl cannot see; left as it is (networkPolicies.unmodelledWorkloads: isolate plans it anyway)',
    })
    expect(planned.plan.actions.filter((action) => 'object' in action && action.object.metadata.namespace === COS_NAMESPACE)).toEqual([])
  }, 60_000)

  it('a charm-created workload behind a ClusterIP Service (Charmed Kubeflow\'s istiod) leaves the namespace as it is too', async () => {
    // istio-pilot applies Istio's own istiod Deployment and Service into the model's namespace:
    // every sidecar in the cluster fetches its configuration from it (15012), and the API server
    // calls its injection webhook. No relation says so.
    const labels = {app: 'istiod', istio: 'pilot'}
    const istiod = [
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {name: 'istiod-6c8f7d9b4d-x2w7k', namespace: COS_NAMESPACE, labels: {...labels, 'istio.io/rev': 'default', 'pod-template-hash': '6c8f7d9b4d'}},
        spec: {containers: [{name: 'discovery', image: 'docker.io/istio/pilot:1.22.0', ports: [{containerPort: 8080, protocol: 'TCP'}, {containerPort: 15010, protocol: 'TCP'}, {containerPort: 15017, protocol: 'TCP'}]}]},
        status: {phase: 'Running'},
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: {name: 'istiod', namespace: COS_NAMESPACE, labels: {...labels, 'istio.io/rev': 'default'}},
        spec: {
          type: 'ClusterIP',
          selector: labels,
          ports: [
            {name: 'grpc-xds', port: 15010, protocol: 'TCP', targetPort: 15010},
            {name: 'https-dns', port: 15012, protocol: 'TCP', targetPort: 15012},
            {name: 'https-webhook', port: 443, protocol: 'TCP', targetPort: 15017},
            {name: 'http-monitoring', port: 15014, protocol: 'TCP', targetPort: 15014},
          ],
        },
      },
    ]
    const planned = await dryRun('foreign-clusterip', {}, istiod)
    expect(planned.plan.untouched.find((entry) => entry.namespace === COS_NAMESPACE)).toMatchObject({why: 'unmodelled-workloads', reason: expect.stringMatching(/^pods that are no Juju unit serve Service istiod here/)})
    expect(planned.text).toContain(`Left exactly as they are:\n  ${COS_NAMESPACE}: pods that are no Juju unit serve Service istiod here`)
  }, 60_000)

  it('with unmodelledWorkloads: isolate, such a workload exposed by a LoadBalancer is listed as closing, not asked for', async () => {
    const planned = await dryRun('foreign', {policy: ISOLATE_UNMODELLED}, foreignExposedObjects(COS_NAMESPACE))
    expect(planned.plan.closes).toEqual([
      {
        from: OUTSIDE_ID,
        to: `${COS_NAMESPACE}/oauth2-proxy`,
        ports: '4180/TCP',
        usedBy: 'LoadBalancer Service oauth2-proxy, not a Juju application\'s',
        why: `no planned rule admits it: ${COS_NAMESPACE}/oauth2-proxy's ingress is isolated by ${COS_NAMESPACE}/hardenctl-default-deny`,
        asked: false,
      },
    ])
    expect(planned.text).toContain(
      `Closes:\n  outside → ${COS_NAMESPACE}/oauth2-proxy 4180/TCP (no planned rule admits it: ${COS_NAMESPACE}/oauth2-proxy's ingress is isolated by ${COS_NAMESPACE}/hardenctl-default-deny; LoadBalancer Service oauth2-proxy, not a Juju application's) [not asked for by the policy: a real run refuses without --allow-closing]\n`,
    )
  }, 60_000)

  it('the legacy source-ranges annotation counts like spec.loadBalancerSourceRanges', async () => {
    const planned = await dryRun('annotated', {policy: ENFORCE, sourceRangesAnnotation: '192.0.2.0/24, 198.51.100.0/24'})
    expect(planned.plan.closes.map((path) => path.from)).toEqual(['192.0.2.0/24', '198.51.100.0/24'])
  }, 60_000)
})

describe('a real run refuses to close a path in use the policy did not ask to close', () => {
  const PASSWORD = 'closes-admin-password'
  let live: LiveLivepatch
  let policyFile: string

  beforeAll(async () => {
    live = await LiveLivepatch.start('hardenctl-closes-live-', PASSWORD)
    policyFile = join(live.home, 'egress.yaml')
    await writeFile(policyFile, `${EGRESS}  unmodelledWorkloads: isolate\n`)
  })
  afterEach(async () => {
    await live.closeClusters()
  })
  afterAll(async () => {
    await live.close()
  })

  it('exit 2, one line naming the path and --allow-closing, and the cluster receives no write', async () => {
    const {api, env} = await live.cluster({}, foreignExposedObjects('livepatch'))
    const result = await runCliInWorker(['reconcile', '--policy', policyFile], {env})
    expect(result.code).toBe(2)
    expect(api.writes()).toEqual([])
    const lines = result.stderr.trim().split('\n')
    expect(lines.at(-1)).toBe(
      "hardenctl: refusing to apply: the plan closes a path in use that the policy does not ask to close: outside → livepatch/oauth2-proxy 4180/TCP (LoadBalancer Service oauth2-proxy, not a Juju application's); nothing was written (see them all with --dry-run; --allow-closing applies anyway)",
    )
    expect(result.stdout).toBe('')
  }, 60_000)

  it('--dry-run shows the same paths and exits 0; --allow-closing applies', async () => {
    const {api, env} = await live.cluster({}, foreignExposedObjects('livepatch'))
    const preview = await runCliInWorker(['reconcile', '--dry-run', '--policy', policyFile], {env})
    expect(preview.code, preview.stderr).toBe(0)
    expect(preview.stdout).toMatch(/outside → livepatch\/oauth2-proxy 4180\/TCP .*\[not asked for by the policy/)

    const applied = await runCliInWorker(['reconcile', '--allow-closing', '--policy', policyFile], {env})
    expect(applied.code, applied.stderr).toBe(0)
    expect(api.writes().filter((write) => write.query.dryRun === undefined).length).toBeGreaterThan(0)
  }, 60_000)

  it('without a closing plan a real run applies as before', async () => {
    const {api, env} = await live.cluster()
    const result = await runCliInWorker(['reconcile', '--policy', policyFile], {env})
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain('Closes: nothing the estate shows in use or intended.')
    expect(api.writes().length).toBeGreaterThan(0)
  }, 60_000)
})
