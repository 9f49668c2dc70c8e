/**
 * hardenctl audits its own manifests clean, and the clean result means something: copies with
 * one hardening step undone each report the finding that step prevents. Runs the built CLI.
 */
import {mkdtemp, rm, writeFile, mkdir} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {stringify} from 'yaml'

import type {AuditReport} from '../../src/report/audit-report.js'
import {runCliInWorker} from '../helpers/cli-in-worker.js'
import {find, IMAGE, type Manifest, parseManifests, SCHEDULE} from './render.js'

type Json = Record<string, any>

let work: string
let policy: string
let rendered: Manifest[]

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'hardenctl-self-audit-'))
  policy = join(work, 'policy.yaml')
  await writeFile(policy, 'apiVersion: hardenctl.io/v1\nkind: Policy\nkubernetes:\n  namespaces: [hardenctl-system]\n')
  const result = await runCliInWorker(['manifests', '--image', IMAGE, '--schedule', SCHEDULE])
  expect(result.code).toBe(0)
  rendered = parseManifests(result.stdout)
})

afterAll(async () => {
  await rm(work, {recursive: true, force: true})
})

/**
 * hardenctl creates no Services and no Ingresses: empty lists say so (as `kubectl get` would
 * print them), so the rules about them are evaluated rather than "not evaluated".
 */
const NONE_OF = [
  {apiVersion: 'v1', kind: 'ServiceList', items: []},
  {apiVersion: 'networking.k8s.io/v1', kind: 'IngressList', items: []},
]

/** Writes the objects to a fresh directory and audits it with the policy scoping hardenctl-system. */
async function audit(name: string, objects: object[]): Promise<AuditReport> {
  const dir = join(work, name)
  await mkdir(dir)
  await writeFile(join(dir, 'hardenctl.yaml'), [...objects, ...NONE_OF].map((object) => `---\n${stringify(object)}`).join(''))
  const result = await runCliInWorker(['audit', '--from', dir, '--policy', policy, '--format', 'json'])
  expect(result.stderr).toBe('')
  expect(result.code).toBe(0)
  return JSON.parse(result.stdout) as AuditReport
}

/** A deep copy with one change. */
function mutated(change: (objects: Json[]) => Json[] | void): Manifest[] {
  const copy = structuredClone(rendered) as Json[]
  return (change(copy) ?? copy) as Manifest[]
}

const object = (objects: Json[], kind: string, name: string): Json => find(objects as Manifest[], kind, name)
const podSpec = (objects: Json[]): Json => object(objects, 'CronJob', 'hardenctl').spec.jobTemplate.spec.template.spec
const findingsOf = (report: AuditReport) => report.findings.map((finding) => `${finding.rule} ${finding.target.kind}/${finding.target.name}`).sort()

describe('hardenctl audit of its own manifests', () => {
  it('reports zero findings on the rendered manifests, with hardenctl-system in scope and every kind read', async () => {
    const report = await audit('clean', rendered)
    expect(report.findings).toEqual([])
    expect(report.metadata.profiles).toContain('k8s')
    // Every Kubernetes rule was evaluated (only Juju rules, with no Juju input, were not).
    const kubernetesRules = /^(K8S|NET)-/
    expect(report.notEvaluated.filter((entry) => kubernetesRules.test(entry.rule))).toEqual([])
    expect(report.metadata.policy).toBe(policy)
  })

  it('finds a CronJob container allowed to escalate privileges (K8S-PRIVILEGED), the way it would on a Deployment', async () => {
    const report = await audit(
      'escalation',
      mutated((objects) => {
        delete podSpec(objects).containers[0].securityContext.allowPrivilegeEscalation
      }),
    )
    expect(findingsOf(report)).toEqual(['K8S-PRIVILEGED CronJob/hardenctl'])
    expect(report.findings[0]!.target.namespace).toBe('hardenctl-system')
    expect(report.findings[0]!.message).toContain('allowPrivilegeEscalation not set to false')
  })

  it('finds a CronJob pod on the host network (K8S-HOST-ACCESS)', async () => {
    const report = await audit(
      'host-network',
      mutated((objects) => {
        podSpec(objects).hostNetwork = true
      }),
    )
    // On the host network no NetworkPolicy reaches it, the one the manifests give it included.
    expect(findingsOf(report)).toEqual(['K8S-HOST-ACCESS CronJob/hardenctl', 'NET-UNRESTRICTED-POD CronJob/hardenctl'])
  })

  it('finds a wildcard rule added to the ClusterRole (K8S-SA-OVERPRIVILEGED on the hardenctl ServiceAccount)', async () => {
    const report = await audit(
      'wildcard',
      mutated((objects) => {
        object(objects, 'ClusterRole', 'hardenctl').rules.push({apiGroups: ['*'], resources: ['*'], verbs: ['*']})
      }),
    )
    expect(findingsOf(report)).toEqual(['K8S-SA-OVERPRIVILEGED ServiceAccount/hardenctl'])
  })

  it('finds the namespace open without its NetworkPolicies (NET-NO-DEFAULT-DENY, NET-UNRESTRICTED-POD)', async () => {
    const report = await audit(
      'no-network-policies',
      // An empty list, as `kubectl get networkpolicies -n hardenctl-system -o json` prints it: there are none.
      [...mutated((objects) => objects.filter((candidate) => candidate.kind !== 'NetworkPolicy')), {apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicyList', items: []}],
    )
    expect(findingsOf(report)).toEqual(['NET-NO-DEFAULT-DENY namespace/hardenctl-system', 'NET-UNRESTRICTED-POD CronJob/hardenctl'])
  })

  it('finds the namespace without Pod Security Admission labels (NET-NAMESPACE-PSA)', async () => {
    const report = await audit(
      'no-psa',
      mutated((objects) => {
        const labels = object(objects, 'Namespace', 'hardenctl-system').metadata.labels as Record<string, string>
        for (const key of Object.keys(labels)) if (key.startsWith('pod-security.kubernetes.io/')) delete labels[key]
      }),
    )
    expect(findingsOf(report)).toEqual(['NET-NAMESPACE-PSA namespace/hardenctl-system'])
  })
})
