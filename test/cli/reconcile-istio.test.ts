/**
 * Istio, planned from files as a user runs `reconcile --dry-run`:
 *
 * - An istio-ingress-k8s gateway calls its backends, and its forward-auth provider, from the pods
 *   Istio runs for its Gateway (`gateway.networking.k8s.io/gateway-name: APP`), not from its Juju
 *   unit: those servers admit the pods (src/plan/proxy-pods.ts), and the closes check holds the
 *   paths in use. The estate is the corpus's real cross-model pair (jhack's cmr mocks: model foo's
 *   `trfk` ingresses clite's alertmanager offer) with `trfk` deployed as istio-ingress-k8s instead of
 *   traefik-k8s. foo itself is left as it is (the gateway's pods are no Juju unit), and its relation
 *   into clite is still written on clite's side.
 * - A model namespace in Istio's ambient mesh is left as it is: meshed connections arrive on 15008
 *   from ztunnel or a waypoint, which relation-derived policies would cut.
 * - In both, the audit's default-deny fixes say reconcile leaves the namespace, and are not
 *   counted as reconcile's to make (src/plan/left-by-design.ts).
 */
import {cp, mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {loadInventory} from '../../src/audit/run-audit.js'
import {closedPaths} from '../../src/plan/closes.js'
import {desiredNetworkPolicies} from '../../src/plan/network-policies.js'
import {planReconcile} from '../../src/plan/plan.js'
import {networkPolicyActions, type ReconcilePlan} from '../../src/plan/types.js'
import type {AuditReport} from '../../src/report/audit-report.js'
import {defaultPolicy} from '../../src/policy/schema.js'
import {runCliInWorker} from '../helpers/cli-in-worker.js'
import {kubeList, modelNamespace, writeCmrStatuses} from '../helpers/cmr-estate.js'
import {LIVEPATCH_EXAMPLE} from '../helpers/livepatch-estate.js'
import {plannedPolicy} from '../helpers/planned-policy.js'

type Json = Record<string, unknown>
const GATEWAY_LABEL = 'gateway.networking.k8s.io/gateway-name'

async function dryRun(dir: string): Promise<{plan: ReconcilePlan; stdout: string}> {
  const result = await runCliInWorker(['reconcile', '--dry-run', '--from', dir, '--format', 'json'])
  expect(result.code, result.stderr).toBe(0)
  const text = await runCliInWorker(['reconcile', '--dry-run', '--from', dir])
  expect(text.code, text.stderr).toBe(0)
  return {plan: JSON.parse(result.stdout) as ReconcilePlan, stdout: text.stdout}
}

const list = kubeList
const namespace = modelNamespace
const service = (ns: string, name: string, selector: Record<string, string>, ports: number[], type = 'ClusterIP') => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: {name, namespace: ns, labels: {'app.kubernetes.io/name': name}},
  spec: {type, selector, ports: ports.map((port) => ({name: `tcp-${port}`, port, targetPort: port, protocol: 'TCP'}))},
})
const pod = (ns: string, name: string, labels: Record<string, string>, ports: number[]) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {name, namespace: ns, labels},
  spec: {containers: [{name: 'main', image: 'example', ports: ports.map((containerPort) => ({containerPort, protocol: 'TCP'}))}]},
  status: {phase: 'Running', podIP: '10.1.0.10'},
})

let root: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hardenctl-istio-'))
})
afterAll(async () => {
  await rm(root, {recursive: true, force: true})
})

describe("an istio-ingress-k8s gateway's pods reach the applications it routes to", () => {
  let dir: string
  beforeAll(async () => {
    dir = join(root, 'gateway')
    await writeCmrStatuses(dir)
    const fooStatus = join(dir, 'juju/mk8scloud/models/foo/status.json')
    const status = JSON.parse(await readFile(fooStatus, 'utf8')) as {applications: Record<string, Json>; 'application-endpoints': Record<string, Json>}
    status.applications.trfk = {...status.applications.trfk, charm: 'istio-ingress-k8s', 'charm-name': 'istio-ingress-k8s'}
    // trfk also checks every request with an oauth2-proxy that clite offers (forward_auth): its Envoy makes that call too.
    ;(status.applications.trfk!.relations as Record<string, string[]>)['forward-auth'] = ['oauth2-proxy']
    status['application-endpoints']['oauth2-proxy'] = {
      url: 'mk8scloud:admin/clite.oauth2-proxy',
      endpoints: {'forward-auth': {interface: 'forward_auth', role: 'provider'}},
      'application-status': {current: 'active', since: '26 Apr 2023 11:35:16+02:00'},
      relations: {'forward-auth': ['trfk']},
    }
    await writeFile(fooStatus, JSON.stringify(status, null, 2))
    const cliteStatus = join(dir, 'juju/mk8scloud/models/clite/status.json')
    const clite = JSON.parse(await readFile(cliteStatus, 'utf8')) as {applications: Record<string, Json>; offers: Record<string, Json>}
    clite.applications['oauth2-proxy'] = {
      ...clite.applications.alertmanager,
      charm: 'oauth2-proxy-k8s',
      'charm-name': 'oauth2-proxy-k8s',
      relations: {},
      units: {},
      'endpoint-bindings': {'': 'alpha', 'forward-auth': 'alpha'},
    }
    clite.offers['oauth2-proxy'] = {application: 'oauth2-proxy', charm: 'ch:amd64/jammy/oauth2-proxy-k8s-10', endpoints: {'forward-auth': {interface: 'forward_auth', role: 'provider'}}}
    await writeFile(cliteStatus, JSON.stringify(clite, null, 2))
    await mkdir(join(dir, 'kubernetes'))
    await writeFile(join(dir, 'kubernetes/namespaces.json'), list([namespace('clite', '00000000-0000-4000-8000-000000000001'), namespace('foo', '00000000-0000-4000-8000-000000000002')]))
    await writeFile(
      join(dir, 'kubernetes/services.json'),
      list([
        service('clite', 'alertmanager', {'app.kubernetes.io/name': 'alertmanager'}, [9093]),
        service('clite', 'oauth2-proxy', {'app.kubernetes.io/name': 'oauth2-proxy'}, [4180]),
        service('foo', 'trfk', {'app.kubernetes.io/name': 'trfk'}, [65535]),
        // Istio's Service for the Gateway (`APP-istio`): a status port and one per listener.
        service('foo', 'trfk-istio', {[GATEWAY_LABEL]: 'trfk'}, [15021, 80], 'LoadBalancer'),
      ]),
    )
    await writeFile(
      join(dir, 'kubernetes/pods.json'),
      list([
        pod('clite', 'alertmanager-0', {'app.kubernetes.io/name': 'alertmanager'}, [9093]),
        pod('clite', 'oauth2-proxy-0', {'app.kubernetes.io/name': 'oauth2-proxy'}, [4180]),
        pod('foo', 'trfk-0', {'app.kubernetes.io/name': 'trfk'}, []),
        pod('foo', 'trfk-istio-6d8f7c9b5-x2k4q', {[GATEWAY_LABEL]: 'trfk', 'gateway.istio.io/managed': 'istio.io-gateway-controller', 'sidecar.istio.io/inject': 'false'}, [80, 15021]),
      ]),
    )
    await writeFile(join(dir, 'kubernetes/networkpolicies.json'), list([]))
  })

  it("alertmanager admits the gateway's pods from foo, besides trfk's unit, and the plan says why", async () => {
    const {plan} = await dryRun(dir)
    const alertmanager = plannedPolicy(plan, 'hardenctl-app-alertmanager')
    expect(alertmanager?.metadata.namespace).toBe('clite')
    expect(alertmanager?.spec.ingress).toContainEqual({
      from: [{namespaceSelector: {matchLabels: {'kubernetes.io/metadata.name': 'foo'}}, podSelector: {matchLabels: {[GATEWAY_LABEL]: 'trfk'}}}],
    })
    expect(alertmanager?.spec.ingress).toContainEqual({
      from: [{namespaceSelector: {matchLabels: {'kubernetes.io/metadata.name': 'foo'}}, podSelector: {matchLabels: {'app.kubernetes.io/name': 'trfk'}}}],
    })
    expect(alertmanager?.metadata.annotations?.['hardenctl.io/reason']).toContain(`trfk (istio-ingress-k8s) reaches alertmanager from the pods it creates (${GATEWAY_LABEL}=trfk)`)
    expect(plan.notes).toContain(`clite/alertmanager: trfk (istio-ingress-k8s) reaches it from pods it creates (${GATEWAY_LABEL}=trfk), not from its units: those pods are admitted too`)
    // The gateway's Envoy also makes the forward-auth check.
    expect(plannedPolicy(plan, 'hardenctl-app-oauth2-proxy')?.spec.ingress).toContainEqual({
      from: [{namespaceSelector: {matchLabels: {'kubernetes.io/metadata.name': 'foo'}}, podSelector: {matchLabels: {[GATEWAY_LABEL]: 'trfk'}}}],
    })
    // foo holds the gateway's own pods, which no relation describes: it is left as it is.
    expect(plan.untouched).toContainEqual(expect.objectContaining({namespace: 'foo', why: 'unmodelled-workloads'}))
    expect(plan.closes).toEqual([])

    // The audit's default-deny fix for foo says reconcile leaves it; clite's is reconcile's to make.
    const audit = await runCliInWorker(['audit', '--from', dir, '--format', 'json'])
    const defaultDeny = (JSON.parse(audit.stdout) as AuditReport).findings.filter((finding) => finding.rule === 'NET-NO-DEFAULT-DENY')
    const foo = defaultDeny.find((finding) => finding.target.name === 'foo')
    expect(foo).toMatchObject({autoFixable: false})
    expect(foo?.remediation).toContain('the clients of the workloads that are no Juju unit; hardenctl reconcile leaves this namespace as it is unless networkPolicies.unmodelledWorkloads is isolate')
    expect(defaultDeny.find((finding) => finding.target.name === 'clite')).toMatchObject({autoFixable: true})
  }, 60_000)

  it('the closes check holds gateway → alertmanager in use: without the rule, the plan would close it', async () => {
    const {inventory} = await loadInventory({from: [dir]})
    const desired = desiredNetworkPolicies(inventory, defaultPolicy())
    const clite = desired.namespaces.find((ns) => ns.namespace === 'clite')!
    clite.policies = clite.policies.map((object) =>
      object.metadata.name !== 'hardenctl-app-alertmanager' ? object : {...object, spec: {...object.spec, ingress: object.spec.ingress?.filter((rule) => !JSON.stringify(rule.from).includes(GATEWAY_LABEL))}},
    )
    const closes = closedPaths(inventory, defaultPolicy(), planReconcile(desired, inventory.kubernetes.networkPolicies, inventory.kubernetes.namespaces))
    // Every port: the gateway dials the port the ingress relation names.
    expect(closes.map((path) => [path.to, path.ports])).toEqual([['clite/alertmanager', 'all ports']])
    expect(closes[0]!.from).toContain('foo/')
  })
})

describe("a model namespace in Istio's ambient mesh is left as it is", () => {
  async function estate(name: string, change: (files: {namespaces: {items: Json[]}; pods: {items: Json[]}; policies: {items: Json[]}}) => void): Promise<string> {
    const dir = join(root, name)
    await cp(LIVEPATCH_EXAMPLE, dir, {recursive: true})
    const read = async (file: string) => JSON.parse(await readFile(join(dir, 'kubernetes', file), 'utf8')) as {items: Json[]}
    const files = {namespaces: await read('namespaces.json'), pods: await read('pods.json'), policies: await read('networkpolicies.json')}
    change(files)
    await writeFile(join(dir, 'kubernetes/namespaces.json'), JSON.stringify(files.namespaces, null, 2))
    await writeFile(join(dir, 'kubernetes/pods.json'), JSON.stringify(files.pods, null, 2))
    await writeFile(join(dir, 'kubernetes/networkpolicies.json'), JSON.stringify(files.policies, null, 2))
    return dir
  }
  const labelsOf = (object: Json) => ((object.metadata as Json).labels ??= {}) as Record<string, string>
  const named = (objects: Json[], name: string) => objects.find((object) => (object.metadata as Json).name === name)!

  it('enrolled by its namespace label (istio-beacon-k8s model-on-mesh): no policy planned, exit 0, and the text says why', async () => {
    const dir = await estate('ambient-namespace', ({namespaces}) => {
      labelsOf(named(namespaces.items, 'livepatch'))['istio.io/dataplane-mode'] = 'ambient'
    })
    const {plan, stdout} = await dryRun(dir)
    expect(plan.untouched).toContainEqual({
      namespace: 'livepatch',
      why: 'ambient-mesh',
      reason: expect.stringMatching(/^namespace livepatch \(label istio\.io\/dataplane-mode=ambient\) is in Istio's ambient mesh: connections between its pods arrive on 15008 \(HBONE\)/),
    })
    expect(networkPolicyActions(plan).filter((action) => action.object.metadata.namespace === 'livepatch')).toEqual([])
    expect(stdout).toContain("Left exactly as they are:\n  livepatch: namespace livepatch (label istio.io/dataplane-mode=ambient) is in Istio's ambient mesh")

    // The audit's fixes for that namespace say so, and are not counted as reconcile's to make.
    const audit = await runCliInWorker(['audit', '--from', dir, '--format', 'json'])
    const findings = (JSON.parse(audit.stdout) as AuditReport).findings
    const defaultDeny = findings.find((finding) => finding.rule === 'NET-NO-DEFAULT-DENY' && finding.target.name === 'livepatch')
    expect(defaultDeny).toMatchObject({autoFixable: false})
    expect(defaultDeny?.remediation).toContain("# its pods are in Istio's ambient mesh: first allow TCP 15008 (HBONE) from the meshed pods and waypoints")
    expect(defaultDeny?.remediation).toContain('hardenctl reconcile leaves this namespace as it is')
    const unrestricted = findings.filter((finding) => finding.rule === 'NET-UNRESTRICTED-POD' && finding.target.namespace === 'livepatch')
    expect(unrestricted.length).toBeGreaterThan(0)
    expect(unrestricted.every((finding) => !finding.autoFixable)).toBe(true)
  }, 60_000)

  it('a labelled namespace whose pods all opt out (istio.io/dataplane-mode=none) is not in the mesh: planned as usual; one pod still meshed keeps it left', async () => {
    const all = await estate('ambient-opted-out', ({namespaces, pods}) => {
      labelsOf(named(namespaces.items, 'livepatch'))['istio.io/dataplane-mode'] = 'ambient'
      for (const pod of pods.items) if ((pod.metadata as Json).namespace === 'livepatch') labelsOf(pod)['istio.io/dataplane-mode'] = 'none'
    })
    const planned = await dryRun(all)
    expect(planned.plan.untouched.map((entry) => entry.namespace)).not.toContain('livepatch')
    expect(networkPolicyActions(planned.plan).some((action) => action.object.metadata.namespace === 'livepatch')).toBe(true)

    const one = await estate('ambient-one-meshed', ({namespaces, pods}) => {
      labelsOf(named(namespaces.items, 'livepatch'))['istio.io/dataplane-mode'] = 'ambient'
      for (const pod of pods.items) if ((pod.metadata as Json).namespace === 'livepatch' && (pod.metadata as Json).name !== 'postgresql-0') labelsOf(pod)['istio.io/dataplane-mode'] = 'none'
    })
    const left = await dryRun(one)
    const entry = left.plan.untouched.find((candidate) => candidate.namespace === 'livepatch')
    expect(entry?.why).toBe('ambient-mesh')
    expect(entry?.reason).toMatch(/^namespace livepatch \(label istio\.io\/dataplane-mode=ambient; \d+ of its \d+ pods opt out with istio\.io\/dataplane-mode=none\) is in Istio's ambient mesh/)
    expect(networkPolicyActions(left.plan).filter((action) => action.object.metadata.namespace === 'livepatch')).toEqual([])
  }, 60_000)

  it('enrolled pod by pod; policies an earlier run applied are named with the command that removes them', async () => {
    const dir = await estate('ambient-pods', ({pods, policies}) => {
      labelsOf(named(pods.items, 'postgresql-0'))['istio.io/dataplane-mode'] = 'ambient'
      policies.items.push({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: {name: 'hardenctl-default-deny', namespace: 'livepatch', labels: {'app.kubernetes.io/managed-by': 'hardenctl', 'hardenctl.io/model': 'livepatch'}},
        spec: {podSelector: {}, policyTypes: ['Ingress']},
      })
    })
    const {plan} = await dryRun(dir)
    const entry = plan.untouched.find((candidate) => candidate.namespace === 'livepatch')
    expect(entry?.why).toBe('ambient-mesh')
    expect(entry?.reason).toMatch(/^pod postgresql-0 \(label istio\.io\/dataplane-mode=ambient\) is in Istio's ambient mesh/)
    expect(entry?.reason).toContain('1 NetworkPolicies an earlier hardenctl run applied are still here and may cut the mesh\'s traffic: kubectl -n livepatch delete networkpolicy -l app.kubernetes.io/managed-by=hardenctl')
  }, 60_000)
})
