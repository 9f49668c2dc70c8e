/**
 * An ingress controller on the host network (ingress-nginx with `hostNetwork: true`, as RKE2 and
 * many bare-metal installs run it) connects to its Ingress backends from node addresses, which no
 * namespace or pod selector names. Before, reconcile admitted its namespace by selector; that rule
 * let nothing in, and the closes check refused the plan. Now the backends are admitted from
 * `networkPolicies.nodeCidrs`, proved with the reachability engine on the plan the CLI prints.
 */
import {cp, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {policiesAfterPlan} from '../../src/netpol/after-plan.js'
import {loadNetpolInput} from '../../src/netpol/command-input.js'
import {explain} from '../../src/netpol/explain.js'
import type {ReconcilePlan} from '../../src/plan/types.js'
import {REPO_ROOT} from '../helpers/cli.js'
import {runCliInWorker} from '../helpers/cli-in-worker.js'

const NODE = '192.168.1.10'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hardenctl-hostnet-ingress-'))
  await cp(join(REPO_ROOT, 'examples', 'livepatch-k8s'), dir, {recursive: true})
  const pods = JSON.parse(await readFile(join(dir, 'kubernetes', 'pods.json'), 'utf8')) as {items: unknown[]}
  pods.items.push({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {name: 'ingress-nginx-controller-7xk2p', namespace: 'ingress-nginx', uid: '0e5c1a52-3f7d-4c11-9a2b-6d8e4f1a2b3c', labels: {'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller'}},
    spec: {hostNetwork: true, containers: [{name: 'controller', image: 'registry.k8s.io/ingress-nginx/controller:v1.10.0', ports: [{containerPort: 80, hostPort: 80, protocol: 'TCP'}, {containerPort: 443, hostPort: 443, protocol: 'TCP'}]}]},
    status: {phase: 'Running', hostIP: NODE, podIP: NODE},
  })
  await writeFile(join(dir, 'kubernetes', 'pods.json'), JSON.stringify(pods))
  const namespaces = JSON.parse(await readFile(join(dir, 'kubernetes', 'namespaces.json'), 'utf8')) as {items: unknown[]}
  namespaces.items.push({apiVersion: 'v1', kind: 'Namespace', metadata: {name: 'ingress-nginx', uid: '5b1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f', labels: {'kubernetes.io/metadata.name': 'ingress-nginx'}}, spec: {finalizers: ['kubernetes']}, status: {phase: 'Active'}})
  await writeFile(join(dir, 'kubernetes', 'namespaces.json'), JSON.stringify(namespaces))
}, 60_000)
afterAll(async () => {
  await rm(dir, {recursive: true, force: true})
})

async function planned(policy?: string) {
  const args = ['reconcile', '--dry-run', '--from', dir]
  if (policy) {
    await writeFile(join(dir, 'policy.yaml'), policy)
    args.push('--policy', join(dir, 'policy.yaml'))
  }
  const text = await runCliInWorker(args)
  expect(text.code, text.stderr).toBe(0)
  const json = await runCliInWorker([...args, '--format', 'json'])
  const plan = JSON.parse(json.stdout) as ReconcilePlan
  const live = await loadNetpolInput({from: [dir]})
  const input = {...live.input, policies: policiesAfterPlan(live.input.policies, plan)}
  const livepatch = live.classes.find((podClass) => podClass.id === 'livepatch/livepatch')!
  const fromAddress = (ip: string) => explain(input, {outside: true, ip}, livepatch, {port: 8080}).allowed
  // The controller's own class: host network, its node's address from the pod's status.
  const controller = live.classes.find((podClass) => podClass.id === 'ingress-nginx/ingress-nginx')!
  const controllerReaches = explain(input, controller, livepatch, {port: 8080}).allowed
  return {text: text.stdout, fromAddress, controllerReaches}
}

describe('an Ingress backend behind a host-network ingress controller', () => {
  it('is admitted from networkPolicies.nodeCidrs, the plan closes nothing, and a note says how to narrow it', async () => {
    const {text, fromAddress, controllerReaches} = await planned()
    expect(controllerReaches).toBe(true)
    expect(text).toContain('the ingress controller in ingress-nginx runs on the host network and connects from its nodes\' addresses: admitted from networkPolicies.nodeCidrs (0.0.0.0/0, ::/0)')
    expect(text).toContain('Closes: nothing the estate shows in use or intended.')
    expect(text).toContain('set networkPolicies.nodeCidrs to the nodes\' addresses to narrow it')
    expect(text).not.toContain('the ingress controller (ingress-nginx) connects')
    expect(fromAddress(NODE)).toBe(true)
  }, 60_000)

  it('with networkPolicies.nodeCidrs set, only the nodes reach it, and the note is gone', async () => {
    const {text, fromAddress, controllerReaches} = await planned('apiVersion: hardenctl.io/v1\nnetworkPolicies:\n  nodeCidrs: [192.168.1.0/24]\n')
    expect(controllerReaches).toBe(true)
    expect(text).toContain('admitted from networkPolicies.nodeCidrs (192.168.1.0/24)')
    expect(text).toContain('Closes: nothing the estate shows in use or intended.')
    expect(text).not.toContain('to narrow it')
    expect(fromAddress(NODE)).toBe(true)
    expect(fromAddress('203.0.113.9')).toBe(false)
  }, 60_000)
})
