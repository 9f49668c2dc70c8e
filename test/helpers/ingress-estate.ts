/**
 * The Livepatch example (examples/livepatch-k8s) with what routes to it from outside its model
 * added (an ingress controller's pods, IngressClasses, Gateway API objects), planned through the
 * CLI, and the printed plan asked of the reachability engine: who still reaches livepatch on 8080.
 * Shared by the CLI tests of Ingress controllers and Gateway routes.
 */
import {cp, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, expect} from 'vitest'

import {policiesAfterPlan} from '../../src/netpol/after-plan.js'
import {loadNetpolInput} from '../../src/netpol/command-input.js'
import {explain} from '../../src/netpol/explain.js'
import type {ReconcilePlan} from '../../src/plan/types.js'
import {REPO_ROOT} from './cli.js'
import {runCliInWorker} from './cli-in-worker.js'

/** The node the host-network pods below run on. */
export const NODE = '192.168.1.10'

export interface Controller {
  namespace: {metadata: {name: string}}
  pod: unknown
  /** The cluster's IngressClasses; none when absent (the example's are MicroK8s's). */
  ingressClasses?: unknown[]
}

/** The Livepatch example with the controller's namespace and pod added, and the controller's IngressClasses in place of MicroK8s's. */
export async function estateWith(controller: Controller): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hardenctl-ingress-'))
  await cp(join(REPO_ROOT, 'examples', 'livepatch-k8s'), dir, {recursive: true})
  await writeList(dir, 'ingressclasses', controller.ingressClasses ?? [])
  await appendToList(dir, 'pods', [controller.pod])
  await appendToList(dir, 'namespaces', [controller.namespace])
  return dir
}

/** Replaces `kubernetes/PLURAL.json` in the estate with a List of `items`, as `kubectl get -o json` prints it. */
export async function writeList(dir: string, plural: string, items: unknown[]): Promise<void> {
  await writeFile(join(dir, 'kubernetes', `${plural}.json`), JSON.stringify({apiVersion: 'v1', kind: 'List', metadata: {resourceVersion: ''}, items}))
}

/** Adds `items` to the estate's `kubernetes/PLURAL.json`. */
export async function appendToList(dir: string, plural: string, items: unknown[]): Promise<void> {
  const file = join(dir, 'kubernetes', `${plural}.json`)
  const list = JSON.parse(await readFile(file, 'utf8')) as {items: unknown[]}
  list.items.push(...items)
  await writeFile(file, JSON.stringify(list))
}

const dirs: string[] = []
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, {recursive: true, force: true})))
})

/** A describe block's estate: made once before its tests, removed after the file's. */
export function estateBefore(make: () => Promise<string>): () => string {
  let dir = ''
  beforeAll(async () => {
    dir = await make()
    dirs.push(dir)
  }, 60_000)
  return () => dir
}

/**
 * `reconcile --dry-run` on the estate (with `policy`, a hardenctl.yaml text, when given): the
 * plan's text, and who reaches livepatch once the printed plan is applied: an address outside
 * the cluster (on 8080), or the pod named (on 8080 unless another port is given).
 */
export async function plannedEstate(dir: string, policy?: string) {
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
  const podReaches = (pod: string, port = 8080) => {
    const podClass = live.classes.find((candidate) => candidate.pods.includes(pod))
    if (!podClass) throw new Error(`no pod ${pod} in the estate`)
    return explain(input, podClass, livepatch, {port}).allowed
  }
  return {text: text.stdout, plan, fromAddress, podReaches}
}

/**
 * Cilium's agent, as its DaemonSet makes it in kube-system (Canonical Kubernetes's image): what
 * tells hardenctl Cilium runs.
 */
export const CILIUM_AGENT: Controller = {
  namespace: {apiVersion: 'v1', kind: 'Namespace', metadata: {name: 'kube-system', uid: '1a3c5e7f-9b1d-4f3a-8c5e-7f9b1d3f5a7c', labels: {'kubernetes.io/metadata.name': 'kube-system'}}, spec: {finalizers: ['kubernetes']}, status: {phase: 'Active'}} as Controller['namespace'],
  pod: {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {name: 'cilium-7vq2n', generateName: 'cilium-', namespace: 'kube-system', uid: '2b4d6f8a-0c2e-4a6c-9e0a-2c4e6a8c0e2a', labels: {'k8s-app': 'cilium', 'app.kubernetes.io/name': 'cilium-agent', 'app.kubernetes.io/part-of': 'cilium'}},
    spec: {hostNetwork: true, containers: [{name: 'cilium-agent', image: 'ghcr.io/canonical/cilium:1.16.8-ck0', ports: [{name: 'peer-service', containerPort: 4244, hostPort: 4244, protocol: 'TCP'}]}]},
    status: {phase: 'Running', hostIP: NODE, podIP: NODE},
  },
}
