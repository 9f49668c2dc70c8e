/**
 * A CronJob's pod template (`spec.jobTemplate.spec.template`) is judged exactly as a
 * Deployment's (`spec.template`), from files and from the live API.
 */
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {stringify} from 'yaml'

import type {AuditReport} from '../../src/report/audit-report.js'
import {inputsFromFileName} from '../../src/inventory/kubernetes-kinds.js'
import {startFakeKubernetesApi, writeKubeconfig} from '../fake-kubernetes/server.js'
import {runCli} from '../helpers/cli.js'

const NAMESPACE = 'batch-jobs'

/** A pod template that breaks every workload rule. */
function badTemplate(name: string) {
  return {
    metadata: {labels: {'app.kubernetes.io/name': name}},
    spec: {
      serviceAccountName: name,
      hostNetwork: true,
      volumes: [{name: 'root', hostPath: {path: '/'}}],
      containers: [{name: 'main', image: 'busybox', securityContext: {privileged: true, capabilities: {add: ['SYS_ADMIN']}}}],
    },
  }
}

const cronJob = {
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: {name: 'backup', namespace: NAMESPACE},
  spec: {schedule: '0 3 * * *', jobTemplate: {spec: {template: badTemplate('backup')}}},
}
const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {name: 'backup', namespace: NAMESPACE},
  spec: {selector: {matchLabels: {'app.kubernetes.io/name': 'backup'}}, template: badTemplate('backup')},
}
/** The same ServiceAccount bound to cluster-admin, so K8S-SA-OVERPRIVILEGED names who uses it. */
const rbac = [
  {apiVersion: 'v1', kind: 'Namespace', metadata: {name: NAMESPACE, labels: {'pod-security.kubernetes.io/warn': 'restricted'}}},
  {apiVersion: 'v1', kind: 'ServiceAccount', metadata: {name: 'backup', namespace: NAMESPACE}},
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: {name: 'backup-admin'},
    roleRef: {apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin'},
    subjects: [{kind: 'ServiceAccount', name: 'backup', namespace: NAMESPACE}],
  },
  {apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicyList', items: []},
]

let work: string
let policy: string

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'hardenctl-cronjob-'))
  policy = join(work, 'policy.yaml')
  await writeFile(policy, `apiVersion: hardenctl.io/v1\nkubernetes:\n  namespaces: [${NAMESPACE}]\n`)
})

afterAll(async () => {
  await rm(work, {recursive: true, force: true})
})

async function auditFiles(name: string, objects: object[]): Promise<AuditReport> {
  const file = join(work, `${name}.yaml`)
  await writeFile(file, objects.map((object) => `---\n${stringify(object)}`).join(''))
  const result = await runCli(['audit', '--from', file, '--policy', policy, '--format', 'json', '--profile', 'k8s'])
  expect(result.stderr).toBe('')
  expect(result.code).toBe(0)
  return JSON.parse(result.stdout) as AuditReport
}

/** Findings with the workload kind taken out, so a CronJob's and a Deployment's compare. */
function essence(report: AuditReport, kind: string) {
  return report.findings.map((finding) => ({
    rule: finding.rule,
    severity: finding.severity,
    target: {...finding.target, kind: finding.target.kind === kind ? 'WORKLOAD' : finding.target.kind},
    message: finding.message.replaceAll(kind, 'WORKLOAD'),
    evidence: JSON.parse(JSON.stringify(finding.evidence).replaceAll(kind, 'WORKLOAD')) as unknown,
  }))
}

describe('CronJob in the inventory', () => {
  it('a cronjobs file name proves workloads were listed, like deployments', () => {
    expect(inputsFromFileName('cronjobs.json')).toEqual(['k8s-workloads'])
    expect(inputsFromFileName('deployments,cronjobs.json')).toEqual(['k8s-workloads'])
  })

  it('from files: a CronJob gets exactly the findings of a Deployment with the same pod template', async () => {
    const [fromCronJob, fromDeployment] = await Promise.all([auditFiles('cronjob', [...rbac, cronJob]), auditFiles('deployment', [...rbac, deployment])])
    const rules = fromCronJob.findings.map((finding) => finding.rule)
    expect(rules).toEqual(expect.arrayContaining(['K8S-PRIVILEGED', 'K8S-HOST-ACCESS', 'K8S-SA-OVERPRIVILEGED', 'NET-UNRESTRICTED-POD', 'NET-NO-DEFAULT-DENY']))
    const privileged = fromCronJob.findings.find((finding) => finding.rule === 'K8S-PRIVILEGED')!
    expect(privileged.target).toMatchObject({kind: 'CronJob', name: 'backup', namespace: NAMESPACE})
    expect(privileged.severity).toBe('high')
    const overprivileged = fromCronJob.findings.find((finding) => finding.rule === 'K8S-SA-OVERPRIVILEGED')!
    expect(overprivileged.evidence).toMatchObject({usedBy: ['CronJob/backup']})
    expect(essence(fromCronJob, 'CronJob')).toEqual(essence(fromDeployment, 'Deployment'))
  })

  it('a CronJob without its pod template is bad input naming the path (exit 2)', async () => {
    const file = join(work, 'broken.json')
    await writeFile(file, JSON.stringify({...cronJob, spec: {schedule: '0 3 * * *', jobTemplate: {spec: {}}}}))
    const result = await runCli(['audit', '--from', file])
    expect(result.code).toBe(2)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toContain('spec.jobTemplate.spec.template')
  })

  it('live: CronJobs are listed (batch/v1 cronjobs, once) and judged like the same objects read from files', async () => {
    const objects = [...rbac.filter((object) => object.kind !== 'NetworkPolicyList'), cronJob]
    const api = await startFakeKubernetesApi(objects)
    try {
      const kubeconfig = writeKubeconfig(work, [{context: 'batch', url: api.url}], 'batch')
      const env = {HOME: work, KUBECONFIG: kubeconfig, JUJU_DATA: join(work, 'no-juju'), HARDENCTL_JUJU_ENDPOINTS: ''}
      const live = await runCli(['audit', '--no-juju', '--policy', policy, '--format', 'json', '--profile', 'k8s'], {env})
      expect(live.code).toBe(0)
      expect(api.requestsByPlural().cronjobs).toBe(1)
      expect(api.requests.some((request) => request.path === '/apis/batch/v1/cronjobs')).toBe(true)
      const fromLive = JSON.parse(live.stdout) as AuditReport
      const fromFiles = await auditFiles('same-as-live', [...rbac, cronJob])
      const core = (report: AuditReport) => report.findings.map(({rule, target, message}) => ({rule, target, message}))
      expect(core(fromLive)).toEqual(core(fromFiles))
      expect(fromLive.findings.some((finding) => finding.rule === 'K8S-PRIVILEGED' && finding.target.kind === 'CronJob')).toBe(true)
    } finally {
      await api.close()
    }
  })
})
