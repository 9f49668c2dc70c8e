/**
 * `--report-to-cluster` end to end: the built CLI against the fake Juju controller serving the
 * Livepatch example's model and the loopback Kubernetes API taking server-side applies of
 * PolicyReports (or, with `policyReportCrd: false`, not serving them at all).
 */
import {writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import type {FakeKubernetesApi} from '../fake-kubernetes/server.js'
import {runCli} from '../helpers/cli.js'
import {runCliInWorker} from '../helpers/cli-in-worker.js'
import {useLiveLivepatch} from '../helpers/livepatch-estate.js'

const PASSWORD = 'report-to-cluster-admin-password'
const REPORTS = '/apis/wgpolicyk8s.io/v1alpha2/policyreports'
const CRD_MISSING =
  'hardenctl: warning: PolicyReport CRD (wgpolicyk8s.io/v1alpha2) not installed: findings not written to the cluster; install it from ' +
  'https://github.com/kubernetes-sigs/wg-policy-prototypes/tree/master/policy-report/crd/v1alpha2 (Kyverno and Policy Reporter install it too)'

interface Report {
  metadata: {namespace: string; name: string; labels: Record<string, string>; resourceVersion: string; uid: string}
  summary: Record<string, number>
  results: {policy: string; result: string}[]
}

describe('--report-to-cluster against a live estate', () => {
  const live = useLiveLivepatch('hardenctl-polr-', PASSWORD)

  const reports = (api: FakeKubernetesApi) => api.objects('PolicyReport') as unknown as Report[]
  const reportWrites = (api: FakeKubernetesApi) => api.writes().filter((write) => write.path.includes('/policyreports/'))
  const networkPolicyWrites = (api: FakeKubernetesApi) => api.writes().filter((write) => write.path.includes('/networkpolicies/'))

  it('reconcile writes one PolicyReport per Juju model namespace after the apply, says so, and updates them in place', async () => {
    const {api, env} = await live().cluster()
    const first = await runCliInWorker(['reconcile', '--report-to-cluster'], {env})
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toContain('7 to create')
    expect(first.stderr).toContain(
      'hardenctl: PolicyReport hardenctl (wgpolicyk8s.io/v1alpha2), one per audited namespace: 2 written (controller-microk8s-prod, livepatch), 0 unchanged, 0 stale deleted\n',
    )
    // One cluster-wide LIST of the reports, then one apply per namespace, after the NetworkPolicies.
    const listed = api.requests.filter((request) => request.path === REPORTS)
    expect(listed.map((request) => request.query)).toEqual([{fieldSelector: 'metadata.name=hardenctl', limit: '500'}])
    const writes = api.writes()
    expect(writes.slice(-2).map((write) => write.path)).toEqual([
      '/apis/wgpolicyk8s.io/v1alpha2/namespaces/controller-microk8s-prod/policyreports/hardenctl',
      '/apis/wgpolicyk8s.io/v1alpha2/namespaces/livepatch/policyreports/hardenctl',
    ])
    for (const write of reportWrites(api)) expect(write.query).toEqual({fieldManager: 'hardenctl', force: 'true'})

    const [controllerReport, livepatchReport] = reports(api).sort((a, b) => a.metadata.namespace.localeCompare(b.metadata.namespace))
    expect(controllerReport?.metadata).toMatchObject({name: 'hardenctl', namespace: 'controller-microk8s-prod', labels: {'app.kubernetes.io/managed-by': 'hardenctl', 'hardenctl.io/model': 'controller'}})
    expect(livepatchReport?.metadata.labels).toEqual({'app.kubernetes.io/managed-by': 'hardenctl', 'hardenctl.io/model': 'livepatch'})
    // The findings of the estate as read at the start: no default deny yet.
    expect(livepatchReport?.results.map((result) => result.policy)).toContain('NET-NO-DEFAULT-DENY')
    expect(livepatchReport?.summary.fail).toBeGreaterThan(0)

    // The next run sees the NetworkPolicies: the same two reports, updated in place.
    const second = await runCliInWorker(['reconcile', '--report-to-cluster'], {env})
    expect(second.code, second.stderr).toBe(0)
    const after = reports(api).sort((a, b) => a.metadata.namespace.localeCompare(b.metadata.namespace))
    expect(after.map((report) => [report.metadata.namespace, report.metadata.uid])).toEqual([
      ['controller-microk8s-prod', controllerReport?.metadata.uid],
      ['livepatch', livepatchReport?.metadata.uid],
    ])
    expect(after[1]?.metadata.resourceVersion).not.toBe(livepatchReport?.metadata.resourceVersion)
    expect(after[1]?.results.map((result) => result.policy)).not.toContain('NET-NO-DEFAULT-DENY')
    expect(networkPolicyWrites(api)).toHaveLength(7)

    // Nothing changed since: no write at all.
    const before = api.writes().length
    const third = await runCliInWorker(['reconcile', '--report-to-cluster', '--format', 'json'], {env})
    expect(third.code, third.stderr).toBe(0)
    expect(api.writes()).toHaveLength(before)
    expect(third.stderr).toContain('0 written, 2 unchanged, 0 stale deleted')
    // The JSON result says the same.
    expect((JSON.parse(third.stdout) as {policyReports: unknown}).policyReports).toEqual({
      state: 'done',
      dryRun: false,
      written: [],
      unchanged: ['controller-microk8s-prod', 'livepatch'],
      deleted: [],
      foreign: [],
      failed: [],
    })
  })

  it('CRD absent: one warning, no write to it, and the run exits as it would have', async () => {
    const {api, env} = await live().cluster({policyReportCrd: false})
    const result = await runCliInWorker(['reconcile', '--report-to-cluster'], {env})
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr.split('\n').filter((line) => line.includes('PolicyReport'))).toEqual([CRD_MISSING])
    expect(api.requests.filter((request) => request.path.includes('policyreports'))).toHaveLength(1)
    expect(reportWrites(api)).toEqual([])
    expect(networkPolicyWrites(api)).toHaveLength(7)
    expect(result.stdout).toContain('7 to create')
  })

  it('reconcile --dry-run validates the reports with dryRun=All and persists nothing', async () => {
    const {api, env} = await live().cluster()
    const result = await runCliInWorker(['reconcile', '--dry-run', '--report-to-cluster'], {env})
    expect(result.code, result.stderr).toBe(0)
    expect(reportWrites(api).map((write) => write.query)).toEqual([
      {fieldManager: 'hardenctl', force: 'true', dryRun: 'All'},
      {fieldManager: 'hardenctl', force: 'true', dryRun: 'All'},
    ])
    expect(reports(api)).toEqual([])
    expect(result.stderr).toContain('2 to write (controller-microk8s-prod, livepatch), 0 unchanged, 0 stale to delete; dry run: validated by the API server, nothing persisted')
  })

  it('audit --report-to-cluster prints the report as usual and writes the same findings; a foreign report is left alone', async () => {
    const foreign = {
      apiVersion: 'wgpolicyk8s.io/v1alpha2',
      kind: 'PolicyReport',
      metadata: {name: 'hardenctl', namespace: 'controller-microk8s-prod', labels: {team: 'platform'}},
      summary: {pass: 3, fail: 0, warn: 0, error: 0, skip: 0},
    }
    const {api, env} = await live().cluster({}, [foreign])
    // A process of its own: a live run must end once its PolicyReports are written (no socket left open keeps it).
    const result = await runCli(['audit', '--report-to-cluster', '--format', 'json'], {env})
    expect(result.code, result.stderr).toBe(0)
    const printed = JSON.parse(result.stdout) as {findings: {rule: string; target: {namespace?: string; model?: string}}[]}
    const written = reports(api).filter((report) => report.metadata.labels['app.kubernetes.io/managed-by'] === 'hardenctl')
    expect(written.map((report) => report.metadata.namespace)).toEqual(['livepatch'])
    expect(written[0]?.results.filter((r) => r.result === 'fail').map((r) => r.policy)).toEqual(
      printed.findings.filter((finding) => finding.target.namespace === 'livepatch' || finding.target.model === 'livepatch').map((finding) => finding.rule),
    )
    expect(reports(api).find((report) => report.metadata.namespace === 'controller-microk8s-prod')?.summary.pass).toBe(3)
    expect(result.stderr).toContain("hardenctl: warning: PolicyReport hardenctl left alone in controller-microk8s-prod: it is not hardenctl's")
    expect(result.stderr).toContain('1 written (livepatch), 0 unchanged, 0 stale deleted, 1 left alone')
  })

  it('audit --report-to-cluster also reports on the namespaces the policy audits, and prunes one it no longer audits', async () => {
    const namespaceObject = (name: string) => ({apiVersion: 'v1', kind: 'Namespace', metadata: {name, labels: {'kubernetes.io/metadata.name': name}}})
    // A Deployment applied by hand, running as root: the kind of workload kubescape and Polaris flag.
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {name: 'ingress-nginx-controller', namespace: 'ingress-nginx', labels: {'app.kubernetes.io/name': 'ingress-nginx'}},
      spec: {
        selector: {matchLabels: {'app.kubernetes.io/name': 'ingress-nginx'}},
        template: {
          metadata: {labels: {'app.kubernetes.io/name': 'ingress-nginx'}},
          spec: {containers: [{name: 'controller', image: 'registry.k8s.io/ingress-nginx/controller:v1.11.2', securityContext: {runAsUser: 0, allowPrivilegeEscalation: false}}]},
        },
      },
    }
    const stale = {
      apiVersion: 'wgpolicyk8s.io/v1alpha2',
      kind: 'PolicyReport',
      metadata: {name: 'hardenctl', namespace: 'team-a', uid: 'uid-polr-team-a', resourceVersion: '5', labels: {'app.kubernetes.io/managed-by': 'hardenctl'}},
      summary: {pass: 0, fail: 1, warn: 0, error: 0, skip: 0},
    }
    const {api, env} = await live().cluster({}, [namespaceObject('ingress-nginx'), namespaceObject('team-a'), deployment, stale])
    const policyFile = join(env.HOME!, 'namespaces-policy.yaml')
    await writeFile(policyFile, 'apiVersion: hardenctl.io/v1\nkind: Policy\nkubernetes:\n  namespaces: [ingress-nginx]\n')
    const result = await runCliInWorker(['audit', '--report-to-cluster', '--policy', policyFile], {env})
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain('K8S-RUN-AS-ROOT')
    expect(result.stderr).toContain('3 written (controller-microk8s-prod, ingress-nginx, livepatch), 0 unchanged, 1 stale deleted (team-a)')
    const written = reports(api).find((report) => report.metadata.namespace === 'ingress-nginx')
    expect(written?.metadata.labels).toEqual({'app.kubernetes.io/managed-by': 'hardenctl'})
    expect(written?.results.map((r) => [r.policy, r.result])).toContainEqual(['K8S-RUN-AS-ROOT', 'fail'])
    expect(reports(api).map((report) => report.metadata.namespace)).not.toContain('team-a')
  })

  it('with --from it is a usage error, one line', async () => {
    for (const command of ['audit', 'reconcile']) {
      const extra = command === 'reconcile' ? ['--dry-run'] : []
      const result = await runCliInWorker([command, ...extra, '--from', 'examples/livepatch-k8s', '--report-to-cluster'])
      expect(result.code).toBe(2)
      expect(result.stderr).toBe('hardenctl: --report-to-cluster writes to the live cluster; it cannot be used with --from (a snapshot)\n')
      expect(result.stdout).toBe('')
    }
  })
})
