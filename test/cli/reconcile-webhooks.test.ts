/**
 * reconcile keeps what the Kubernetes API server calls in a model namespace reachable: Charmed
 * Kubeflow's admission-webhook charm (test/helpers/webhook-estate.ts) serves a mutating webhook
 * for every pod CREATE in profile namespaces, `failurePolicy: Fail`. A default deny that admits
 * only the relation graph would make the API server refuse all those pods.
 *
 * From files (`--dry-run --from`), then live against the fake Kubernetes API (the new kinds are
 * listed, the policy is applied, a second run writes nothing), and the closes check's own proof.
 */
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {loadInventory} from '../../src/audit/run-audit.js'
import {closedPaths} from '../../src/plan/closes.js'
import {desiredNetworkPolicies} from '../../src/plan/network-policies.js'
import {planReconcile} from '../../src/plan/plan.js'
import type {NetworkPolicyObject, ReconcilePlan} from '../../src/plan/types.js'
import {defaultPolicy} from '../../src/policy/schema.js'
import {runCliInWorker} from '../helpers/cli-in-worker.js'
import {plannedPolicy} from '../helpers/planned-policy.js'
import {useLiveLivepatch} from '../helpers/livepatch-estate.js'
import {admissionWebhookObjects, WEBHOOK_APP, WEBHOOK_CONFIGURATION, WEBHOOK_PORT, withAdmissionWebhook, writeWebhookExample} from '../helpers/webhook-estate.js'

const POLICY_NAME = `hardenctl-apiserver-${WEBHOOK_APP}`
const CALLER = `MutatingWebhookConfiguration ${WEBHOOK_CONFIGURATION} (webhook admission-webhook.kubeflow.org)`

describe('reconcile --dry-run --from: a webhook served from a model namespace', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hardenctl-webhooks-'))
    await writeWebhookExample(join(dir, 'estate'))
  })
  afterAll(async () => {
    await rm(dir, {recursive: true, force: true})
  })

  it('admits the API server to the webhook pods on the port the webhook is called on, and says it is open to anywhere', async () => {
    const result = await runCliInWorker(['reconcile', '--dry-run', '--from', join(dir, 'estate'), '--format', 'json'])
    expect(result.stderr).not.toMatch(/Error|at .*\.js/)
    const plan = JSON.parse(result.stdout) as ReconcilePlan
    const webhook = plannedPolicy(plan, POLICY_NAME)
    expect(webhook?.metadata.namespace).toBe('livepatch')
    expect(webhook?.spec).toEqual({
      podSelector: {matchLabels: {'app.kubernetes.io/name': WEBHOOK_APP}},
      policyTypes: ['Ingress'],
      ingress: [{from: [{ipBlock: {cidr: '0.0.0.0/0'}}, {ipBlock: {cidr: '::/0'}}], ports: [{protocol: 'TCP', port: WEBHOOK_PORT}]}],
    })
    expect(webhook?.metadata.annotations?.['hardenctl.io/reason']).toContain(`the Kubernetes API server calls ${CALLER} through Service ${WEBHOOK_APP}`)
    expect(plan.notes).toContain(
      `livepatch/${WEBHOOK_APP}: the Kubernetes API server calls it (${CALLER}) from its nodes' addresses: admitted from anywhere on ${WEBHOOK_PORT}/TCP; set networkPolicies.apiServerCidrs to the control-plane nodes' addresses to narrow it`,
    )
    // The default deny still goes in, and nothing in use closes.
    expect(plannedPolicy(plan, 'hardenctl-default-deny')).toBeDefined()
    expect(plan.closes).toEqual([])
    // metrics-server's APIService is in kube-system (not a model namespace), the other webhook is called by URL.
    expect(JSON.stringify(plan)).not.toMatch(/metrics-server|external-policy-check/)
  })

  it('narrows the source to networkPolicies.apiServerCidrs', async () => {
    const policy = join(dir, 'narrow.yaml')
    await writeFile(policy, 'apiVersion: hardenctl.io/v1\nnetworkPolicies:\n  apiServerCidrs: ["10.20.0.0/24"]\n')
    const result = await runCliInWorker(['reconcile', '--dry-run', '--from', join(dir, 'estate'), '--policy', policy, '--format', 'json'])
    const plan = JSON.parse(result.stdout) as ReconcilePlan
    expect(plannedPolicy(plan, POLICY_NAME)?.spec.ingress).toEqual([{from: [{ipBlock: {cidr: '10.20.0.0/24'}}], ports: [{protocol: 'TCP', port: WEBHOOK_PORT}]}])
    expect(plan.notes.some((note) => note.includes('admitted from anywhere'))).toBe(false)
    expect(plan.closes).toEqual([])
  })

  it('says so when webhook configurations and APIServices were not read', async () => {
    const estate = join(dir, 'without-webhooks')
    await writeWebhookExample(estate)
    for (const file of ['mutatingwebhookconfigurations.json', 'validatingwebhookconfigurations.json', 'apiservices.json']) await rm(join(estate, 'kubernetes', file))
    const result = await runCliInWorker(['reconcile', '--dry-run', '--from', estate])
    expect(result.stdout).toContain('admission webhook configurations and APIServices were not read: a webhook or aggregated API served from a model namespace would be cut off by its default deny')
    expect(result.stdout).not.toContain(POLICY_NAME)
  })
})

describe('audit: the default-deny fix for a namespace that serves a webhook', () => {
  it('says to admit the API server to the webhook before the deny goes in', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hardenctl-webhooks-audit-'))
    try {
      await writeWebhookExample(dir)
      const result = await runCliInWorker(['audit', '--from', dir, '--format', 'json'])
      const report = JSON.parse(result.stdout) as {findings: {rule: string; target: {name: string}; remediation: string}[]}
      const finding = report.findings.find((candidate) => candidate.rule === 'NET-NO-DEFAULT-DENY' && candidate.target.name === 'livepatch')
      expect(finding?.remediation).toContain(
        `hardenctl reconcile -n livepatch   # with the audit's policy: writes what the model needs (agents to the modeloperator, TCP 17071; traffic between related applications; the Kubernetes API server (from its nodes' addresses) to Service ${WEBHOOK_APP} port ${WEBHOOK_PORT} (${CALLER})) before the namespace's default deny`,
      )
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  })
})

describe('the closes check proves the API server path', () => {
  it('reports the webhook path as closed when a plan leaves it out, and not when the planner admits it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hardenctl-webhooks-closes-'))
    try {
      await writeWebhookExample(dir)
      const {inventory} = await loadInventory({from: [dir]})
      const policy = defaultPolicy()
      const desired = desiredNetworkPolicies(inventory, policy)
      const view = inventory.kubernetes
      expect(closedPaths(inventory, policy, planReconcile(desired, view.networkPolicies, view.namespaces))).toEqual([])

      const livepatch = desired.namespaces.find((ns) => ns.namespace === 'livepatch')!
      livepatch.policies = livepatch.policies.filter((object) => object.metadata.name !== POLICY_NAME)
      const closes = closedPaths(inventory, policy, planReconcile(desired, view.networkPolicies, view.namespaces))
      expect(closes).toEqual([
        expect.objectContaining({from: 'outside', ports: `${WEBHOOK_PORT}/TCP`, usedBy: `the API server calls ${CALLER}`, asked: false, to: expect.stringMatching(/^livepatch\//)}),
      ])
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  })
})

describe('reconcile against a live cluster serving the webhook', () => {
  const PASSWORD = 'webhook-admin-password'
  const live = useLiveLivepatch('hardenctl-webhooks-live-', PASSWORD, withAdmissionWebhook)

  it('lists the webhook configurations and APIServices, applies the policy, and a second run writes nothing', {timeout: 60_000}, async () => {
    const added = await admissionWebhookObjects()
    const {api, env} = await live().cluster({}, [...added.pods, ...added.services, ...added.mutating, ...added.validating, ...added.apiServices])
    const first = await runCliInWorker(['reconcile'], {env})
    expect(first.code, first.stderr).toBe(0)
    expect(first.stderr).not.toMatch(/could not inspect/)
    expect(first.stdout).toContain('Closes: nothing the estate shows in use or intended.')
    const requests = api.requestsByPlural()
    expect([requests.validatingwebhookconfigurations, requests.mutatingwebhookconfigurations, requests.apiservices]).toEqual([1, 1, 1])
    const applied = api.objects('NetworkPolicy').find((object) => (object.metadata as {name: string}).name === POLICY_NAME) as unknown as NetworkPolicyObject | undefined
    expect(applied?.metadata.namespace).toBe('livepatch')
    expect(applied?.spec.ingress).toEqual([{from: [{ipBlock: {cidr: '0.0.0.0/0'}}, {ipBlock: {cidr: '::/0'}}], ports: [{protocol: 'TCP', port: WEBHOOK_PORT}]}])

    const writes = api.writes().length
    const second = await runCliInWorker(['reconcile'], {env})
    expect(second.code, second.stderr).toBe(0)
    expect(api.writes().length).toBe(writes)
  })
})
