/**
 * `hardenctl reconcile` against a live estate over real sockets: the fake Juju controller serving
 * the Livepatch example's model, and the loopback Kubernetes API serving its objects and taking
 * server-side applies. Asserts on the requests the cluster saw and on what a user reads.
 */
import {writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import type {FakeKubernetesApi, FakeKubernetesOptions} from '../fake-kubernetes/server.js'
import {runCli} from '../helpers/cli.js'
import {runCliInWorker} from '../helpers/cli-in-worker.js'
import {useLiveLivepatch} from '../helpers/livepatch-estate.js'

const PASSWORD = 'reconcile-admin-password'

describe('reconcile against a live estate', () => {
  const live = useLiveLivepatch('hardenctl-reconcile-', PASSWORD)

  const cluster = (options?: FakeKubernetesOptions) => live().cluster(options)

  const policies = (api: FakeKubernetesApi) => (api.objects('NetworkPolicy') as {metadata: {namespace: string; name: string}}[]).map((p) => `${p.metadata.namespace}/${p.metadata.name}`).sort()

  it('--dry-run validates every write with the API server (dryRun=All) and persists nothing', async () => {
    const {api, env} = await cluster()
    const result = await runCliInWorker(['reconcile', '--dry-run'], {env})
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain('7 to create, 0 to update, 0 to delete, 0 unchanged: validated by the API server (dry run), nothing changed.')
    expect(api.writes().length).toBe(7)
    for (const write of api.writes()) expect(write.query.dryRun).toBe('All')
    expect(policies(api)).toEqual([])
  })

  it('applies allow policies before default-deny, and a second run writes nothing', async () => {
    const {api, env} = await cluster()
    // A process of its own: a live run must end once its work is done (no socket left open keeps it).
    const first = await runCli(['reconcile'], {env})
    expect(first.code, first.stderr).toBe(0)
    const names = api.writes().map((write) => write.path.split('/').slice(-3).join('/'))
    for (const namespace of ['livepatch', 'controller-microk8s-prod']) {
      const mine = names.filter((name) => name.startsWith(`${namespace}/`))
      expect(mine.at(-1)).toBe(`${namespace}/networkpolicies/hardenctl-default-deny`)
    }
    for (const write of api.writes()) {
      expect(write.method).toBe('PATCH')
      expect(write.query.fieldManager).toBe('hardenctl')
      expect(write.query.force).toBeUndefined()
    }
    expect(policies(api)).toEqual([
      'controller-microk8s-prod/hardenctl-default-deny',
      'controller-microk8s-prod/hardenctl-juju-controller',
      'livepatch/hardenctl-app-ingress',
      'livepatch/hardenctl-app-livepatch',
      'livepatch/hardenctl-app-postgresql',
      'livepatch/hardenctl-default-deny',
      'livepatch/hardenctl-juju-agents',
    ])

    const before = api.writes().length
    const second = await runCliInWorker(['reconcile'], {env})
    expect(second.code, second.stderr).toBe(0)
    expect(api.writes().length).toBe(before)
    expect(second.stdout).toContain('0 to create, 0 to update, 0 to delete, 7 unchanged')
  })

  it('keeps the audit\'s promise: each finding marked [auto-fixable] is gone after one reconcile with the switches that enable it', async () => {
    const {env} = await cluster()
    const policyFile = join(live().home, 'promise-policy.yaml')
    await writeFile(policyFile, 'apiVersion: hardenctl.io/v1\npsa: {enabled: true}\nexposure: {allow: {}, enforce: true}\naccess: {enforce: true}\ncommands: {"*": [destroy-model, remove-object]}\n')
    const audit = async () => {
      const result = await runCliInWorker(['audit', '--policy', policyFile, '--format', 'json', '--fail-on', 'never'], {env})
      expect(result.code, result.stderr).toBe(0)
      return (JSON.parse(result.stdout) as {findings: {rule: string; target: {name: string; model?: string; namespace?: string}; autoFixable: boolean}[]}).findings
    }
    const key = (finding: {rule: string; target: {name: string; model?: string; namespace?: string}}) => `${finding.rule} ${finding.target.model ?? finding.target.namespace ?? ''}/${finding.target.name}`
    const promised = (await audit()).filter((finding) => finding.autoFixable).map(key)
    expect(promised.length).toBeGreaterThan(0)
    const applied = await runCliInWorker(['reconcile', '--policy', policyFile, '--allow-closing'], {env})
    expect(applied.code, `${applied.stdout}\n${applied.stderr}`).toBe(0)
    const after = new Set((await audit()).map(key))
    expect(promised.filter((finding) => after.has(finding))).toEqual([])
  })

  it("the audit's default-deny fix, run as printed (hardenctl reconcile -n NS), writes that namespace's policies, allows first, and settles the findings", async () => {
    const {api, env} = await cluster()
    const audit = async () => {
      const result = await runCliInWorker(['audit', '--format', 'json', '--fail-on', 'never'], {env})
      expect(result.code, result.stderr).toBe(0)
      return (JSON.parse(result.stdout) as {findings: {rule: string; target: {name: string; namespace?: string}; remediation: string}[]}).findings
    }
    const inLivepatch = (findings: Awaited<ReturnType<typeof audit>>) =>
      findings.filter((finding) => (finding.rule === 'NET-NO-DEFAULT-DENY' || finding.rule === 'NET-UNRESTRICTED-POD') && (finding.target.namespace ?? finding.target.name) === 'livepatch')
    const before = await audit()
    expect(inLivepatch(before).map((finding) => finding.rule)).toEqual(expect.arrayContaining(['NET-NO-DEFAULT-DENY', 'NET-UNRESTRICTED-POD']))
    const denyFix = before.find((finding) => finding.rule === 'NET-NO-DEFAULT-DENY' && finding.target.name === 'livepatch')!.remediation
    const command = denyFix.split('#')[0]!.trim()
    expect(command).toBe('hardenctl reconcile -n livepatch')
    const result = await runCliInWorker(command.split(' ').slice(1), {env})
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0)
    // Only that namespace, its default deny last.
    const written = api.writes().map((write) => write.path.split('/').slice(-3).join('/'))
    expect(written.every((name) => name.startsWith('livepatch/'))).toBe(true)
    expect(written.at(-1)).toBe('livepatch/networkpolicies/hardenctl-default-deny')
    expect(inLivepatch(await audit())).toEqual([])
  })

  it('reconcile -n keeps an Ingress working behind a host-network ingress controller in another namespace: its pods are read from every namespace, and its nodes admitted', async () => {
    const controller = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {name: 'ingress-nginx-controller-7xk2p', namespace: 'ingress-nginx', uid: '0e5c1a52-3f7d-4c11-9a2b-6d8e4f1a2b3c', labels: {'app.kubernetes.io/name': 'ingress-nginx'}},
      spec: {hostNetwork: true, containers: [{name: 'controller', image: 'registry.k8s.io/ingress-nginx/controller:v1.10.0'}]},
      status: {phase: 'Running', podIP: '192.168.1.10'},
    }
    const {api, env} = await live().cluster({}, [controller])
    const result = await runCliInWorker(['reconcile', '-n', 'livepatch'], {env})
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0)
    expect(result.stdout).toContain('the ingress controller in ingress-nginx runs on the host network and connects from its nodes\' addresses: admitted from networkPolicies.nodeCidrs')
    expect(result.stdout).toContain('Closes: nothing the estate shows in use or intended.')
    const livepatchPolicy = (api.objects('NetworkPolicy') as {metadata: {name: string}; spec: {ingress?: {from?: {ipBlock?: {cidr: string}}[]}[]}}[]).find((p) => p.metadata.name === 'hardenctl-app-livepatch')!
    expect(livepatchPolicy.spec.ingress!.some((rule) => rule.from?.some((peer) => peer.ipBlock?.cidr === '0.0.0.0/0'))).toBe(true)
  })

  it('a namespace that fails is reported (exit 3) while the other finishes; a re-run converges', async () => {
    const {api, env} = await cluster({failWrites: [{namespace: 'livepatch', status: 403, times: 1}]})
    const first = await runCliInWorker(['reconcile'], {env})
    expect(first.code).toBe(3)
    expect(first.stdout).toMatch(/forbidden/)
    expect(first.stdout).toContain('1 failed; run again once the cause is fixed')
    // The failing namespace never got its default-deny; the other one is complete.
    expect(policies(api)).toContain('controller-microk8s-prod/hardenctl-default-deny')
    expect(policies(api)).not.toContain('livepatch/hardenctl-default-deny')

    const second = await runCliInWorker(['reconcile'], {env})
    expect(second.code, second.stdout + second.stderr).toBe(0)
    expect(policies(api)).toContain('livepatch/hardenctl-default-deny')
  })

  it('a field another manager owns is a reported conflict (exit 3), taken over only with --force-conflicts', async () => {
    // Someone edited hardenctl's policy with kubectl: it still carries hardenctl's labels, but kubectl owns the spec.
    const edited = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {
        name: 'hardenctl-app-postgresql',
        namespace: 'livepatch',
        uid: 'edited-uid',
        resourceVersion: '77',
        labels: {'app.kubernetes.io/managed-by': 'hardenctl', 'hardenctl.io/model': 'livepatch'},
        managedFields: [{manager: 'kubectl-edit', operation: 'Update', apiVersion: 'networking.k8s.io/v1', fieldsType: 'FieldsV1', fieldsV1: {'f:spec': {}}}],
      },
      spec: {podSelector: {matchLabels: {'app.kubernetes.io/name': 'postgresql'}}, policyTypes: ['Ingress'], ingress: [{}]},
    }
    const {api, env} = await live().cluster({}, [edited])

    const first = await runCliInWorker(['reconcile'], {env})
    expect(first.code).toBe(3)
    expect(first.stdout).toMatch(/~ update NetworkPolicy hardenctl-app-postgresql \(allow\)\s+\[conflict: conflict with "kubectl-edit"/)
    // Nothing is denied in a namespace whose allows did not all land.
    expect(policies(api)).not.toContain('livepatch/hardenctl-default-deny')

    const forced = await runCliInWorker(['reconcile', '--force-conflicts'], {env})
    expect(forced.code, forced.stdout).toBe(0)
    expect(api.writes().filter((write) => write.query.force === 'true').length).toBeGreaterThan(0)
    expect(policies(api)).toContain('livepatch/hardenctl-default-deny')
  })

  it('with psa enabled, sets only the pod-security labels on the namespaces (Juju\'s labels stay), once', async () => {
    const {api, env} = await cluster()
    const policyFile = join(live().home, 'psa.yaml')
    await writeFile(policyFile, 'apiVersion: hardenctl.io/v1\npsa:\n  enabled: true\n')
    const first = await runCliInWorker(['reconcile', '--policy', policyFile], {env})
    expect(first.code, first.stdout + first.stderr).toBe(0)
    expect(first.stdout).toContain('~ label namespace livepatch: pod-security.kubernetes.io/audit=restricted, pod-security.kubernetes.io/warn=restricted  [applied]')
    const namespaceWrites = api.writes().filter((write) => write.path === '/api/v1/namespaces/livepatch')
    expect(namespaceWrites).toHaveLength(1)
    expect(namespaceWrites[0]!.body).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {name: 'livepatch', labels: {'pod-security.kubernetes.io/audit': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted'}},
    })
    const livepatch = (api.objects('Namespace') as {metadata: {name: string; labels: Record<string, string>}}[]).find((ns) => ns.metadata.name === 'livepatch')!
    expect(livepatch.metadata.labels).toMatchObject({'model.juju.is/name': 'livepatch', 'pod-security.kubernetes.io/warn': 'restricted'})
    expect(livepatch.metadata.labels['pod-security.kubernetes.io/enforce']).toBeUndefined()

    const before = api.writes().length
    const second = await runCliInWorker(['reconcile', '--policy', policyFile], {env})
    expect(second.code, second.stdout).toBe(0)
    expect(api.writes().length).toBe(before)
  })

  it('netpol diff and matrix --plan read the live estate and show what a reconcile would close', async () => {
    const {api, env} = await cluster()
    const diff = await runCliInWorker(['netpol', 'diff'], {env})
    expect(diff.code, diff.stderr).toBe(0)
    expect(diff.stdout).toContain('  outside → livepatch/postgresql: all ports')
    const planned = await runCliInWorker(['netpol', 'matrix', '--plan', '--namespace', 'livepatch', '--format', 'json'], {env})
    expect(planned.code, planned.stderr).toBe(0)
    const entries = (JSON.parse(planned.stdout) as {entries: {from: string; to: string}[]}).entries
    expect(entries.filter((entry) => entry.to === 'livepatch/postgresql').map((entry) => entry.from)).toEqual(['livepatch/livepatch', 'livepatch/postgresql'])
    // Reading is all netpol does.
    expect(api.writes()).toEqual([])
  })

  it('--format json prints the plan and the result of each write', async () => {
    const {env} = await cluster()
    const result = await runCliInWorker(['reconcile', '--format', 'json'], {env})
    expect(result.code, result.stderr).toBe(0)
    const document = JSON.parse(result.stdout) as {kind: string; writes: number; results: {status: string}[]}
    expect(document.kind).toBe('ReconcilePlan')
    expect(document.writes).toBe(7)
    expect(document.results.every((entry) => entry.status === 'applied')).toBe(true)
  })
})
