import {cp, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'

import {startFakeKubernetesApi, writeKubeconfig} from '../fake-kubernetes/server.js'
import {REPO_ROOT} from '../helpers/cli.js'
import {runCliInWorker} from '../helpers/cli-in-worker.js'
import {livepatchKubernetesObjects} from '../helpers/livepatch-estate.js'

const EXAMPLE = 'examples/livepatch-k8s/kubernetes'

const selectApp = (name: string) => ({matchLabels: {'app.kubernetes.io/name': name}})
const HARDENING = {
  apiVersion: 'v1',
  kind: 'List',
  items: [
    {apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: {name: 'default-deny', namespace: 'livepatch'}, spec: {podSelector: {}, policyTypes: ['Ingress']}},
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {name: 'postgresql-from-livepatch', namespace: 'livepatch'},
      spec: {podSelector: selectApp('postgresql'), ingress: [{from: [{podSelector: selectApp('livepatch')}], ports: [{protocol: 'TCP', port: 5432}]}]},
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {name: 'ingress-from-outside', namespace: 'livepatch'},
      spec: {podSelector: selectApp('ingress'), ingress: [{from: [{ipBlock: {cidr: '0.0.0.0/0', except: ['10.0.0.0/8']}}], ports: [{port: 443}]}]},
    },
  ],
}

/** No kubeconfig, no in-cluster account, no juju client: nothing live to read. */
const NO_CLUSTER = {HOME: '/nonexistent', KUBECONFIG: '/nonexistent/kubeconfig', JUJU_DATA: '/nonexistent', KUBERNETES_SERVICE_HOST: undefined}

describe('hardenctl netpol matrix', () => {
  it('prints who reaches what in the Livepatch example: no policy, so everyone reaches everything', async () => {
    const result = await runCliInWorker(['netpol', 'matrix', '--from', EXAMPLE])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Reachability under NetworkPolicy: 4 pod classes in 2 namespaces, 0 NetworkPolicies.')
    expect(result.stdout).toContain('livepatch: no NetworkPolicy, nothing isolated\n  * → livepatch/ingress: all ports\n')
    expect(result.stdout).toContain('  * → livepatch/postgresql: all ports\n')
    expect(result.stdout).toContain('  * → livepatch/modeloperator: all ports\n')
    expect(result.stdout).toContain('outside the cluster\n  */* → outside: all ports\n')
  })

  it('prints JSON: classes with their isolation, entries with ports', async () => {
    const result = await runCliInWorker(['netpol', 'matrix', '--from', EXAMPLE, '--namespace', 'livepatch', '--format', 'json'])
    expect(result.code).toBe(0)
    const document = JSON.parse(result.stdout) as {
      kind: string
      namespaces: string[]
      classes: {id: string; ports: unknown[]; ingressIsolatedBy: string[]}[]
      entries: {from: string; to: string; ports: unknown}[]
    }
    expect(document.kind).toBe('ReachabilityMatrix')
    expect(document.namespaces).toEqual(['livepatch'])
    expect(document.classes.map((c) => c.id)).toEqual(['livepatch/ingress', 'livepatch/livepatch', 'livepatch/modeloperator', 'livepatch/postgresql'])
    expect(document.classes[2]!.ports).toEqual([{name: 'api', port: 17071, protocol: 'TCP'}])
    expect(document.entries.filter((e) => e.to === 'livepatch/postgresql')).toEqual([{from: '*', to: 'livepatch/postgresql', ports: {all: true}}])
    // livepatch holds every pod there is, so its pods are every pod.
    expect(document.entries.filter((e) => e.to === 'outside')).toEqual([{from: '*/*', to: 'outside', ports: {all: true}}])
  })

  it('exits 2 with one line when there is no cluster and no --from, or a namespace is unknown', async () => {
    const missing = await runCliInWorker(['netpol', 'matrix'], {env: NO_CLUSTER})
    expect(missing.code).toBe(2)
    expect(missing.stdout).toBe('')
    expect(missing.stderr).toMatch(/^hardenctl: nothing to inspect: .*Pass --from DIR to read a snapshot instead\n$/)

    const unknown = await runCliInWorker(['netpol', 'matrix', '--from', EXAMPLE, '--namespace', 'livepach'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toBe('hardenctl: unknown namespace "livepach"; candidates: livepatch, controller-microk8s-prod\n')
  })

  it('reads only pods, namespaces and NetworkPolicies: a broken RoleBinding elsewhere in the snapshot stops --plan and the picture, not the matrix', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hardenctl-netpol-only-'))
    try {
      await cp('examples/livepatch-k8s', dir, {recursive: true})
      const roleBinding = {apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: {name: 'edit', namespace: 'livepatch'}, subjects: []}
      await writeFile(join(dir, 'kubernetes', 'rolebindings.json'), JSON.stringify({apiVersion: 'v1', kind: 'List', items: [roleBinding]}))

      const matrix = await runCliInWorker(['netpol', 'matrix', '--from', dir], {env: NO_CLUSTER})
      expect(matrix.stderr).toBe('')
      expect(matrix.code).toBe(0)
      expect(matrix.stdout).toContain('Reachability under NetworkPolicy: 4 pod classes in 2 namespaces, 0 NetworkPolicies.')

      const planned = await runCliInWorker(['netpol', 'matrix', '--from', dir, '--plan'], {env: NO_CLUSTER})
      expect(planned.code).toBe(2)
      expect(planned.stderr).toContain('rolebindings.json')
      expect(planned.stderr).toContain('roleRef')
      const picture = await runCliInWorker(['netpol', 'matrix', '--from', dir, '--format', 'html', '-o', join(dir, 'matrix.html')], {env: NO_CLUSTER})
      expect(picture.code).toBe(2)
      expect(picture.stderr).toContain('roleRef')
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  })
})

describe('hardenctl netpol explain', () => {
  it('explains an allowed connection in the Livepatch example', async () => {
    const result = await runCliInWorker(['netpol', 'explain', 'livepatch/livepatch', 'livepatch/postgresql', '5432', '--from', EXAMPLE])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(
      [
        'ALLOWED livepatch/livepatch → livepatch/postgresql on 5432/TCP',
        '  egress:  livepatch/livepatch is not isolated for egress (no policy with policyType Egress selects it)',
        '  ingress: livepatch/postgresql is not isolated for ingress (no policy with policyType Ingress selects it)',
        '',
      ].join('\n'),
    )
  })

  it('resolves a port name against TO, and accepts a pod name', async () => {
    const result = await runCliInWorker(['netpol', 'explain', 'livepatch/livepatch-0', 'livepatch/modeloperator', 'api', '--from', EXAMPLE, '--format', 'json'])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({kind: 'ReachabilityVerdict', allowed: true, from: 'livepatch/livepatch', port: 17071, portName: 'api', protocol: 'TCP'})
  })

  it('exits 2 naming up to 5 candidates for an unknown class', async () => {
    const result = await runCliInWorker(['netpol', 'explain', 'livepatch/postgres', 'livepatch/livepatch', '443', '--from', EXAMPLE])
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe(
      'hardenctl: FROM "livepatch/postgres": no such application (pod class); candidates: livepatch/postgresql, livepatch/livepatch, livepatch/ingress, livepatch/modeloperator\n',
    )
  })

  it('exits 2 for a port that is not one, and for a port name TO does not have', async () => {
    const bad = await runCliInWorker(['netpol', 'explain', 'outside', 'livepatch/ingress', '443/ICMP', '--from', EXAMPLE])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toBe('hardenctl: PORT "443/ICMP": protocol must be TCP, UDP or SCTP\n')
    const unnamed = await runCliInWorker(['netpol', 'explain', 'outside', 'livepatch/modeloperator', 'http', '--from', EXAMPLE])
    expect(unnamed.code).toBe(2)
    expect(unnamed.stderr).toBe('hardenctl: PORT "http": livepatch/modeloperator has no container port of that name; its named ports: api/TCP (17071)\n')
    const noFrom = await runCliInWorker(['netpol', 'explain', 'outside', 'livepatch/ingress', '443'], {env: NO_CLUSTER})
    expect(noFrom.code).toBe(2)
    // Worded on what the inputs lacked; no --no-juju, which the user did not pass.
    expect(noFrom.stderr).toBe(
      'hardenctl: nothing to inspect: Kubernetes KUBECONFIG (/nonexistent/kubeconfig) names no existing file and not running in a cluster; Juju not needed (netpol reads Juju only with --plan). Pass --from DIR to read a snapshot instead\n',
    )
    const noJuju = await runCliInWorker(['netpol', 'explain', 'outside', 'livepatch/ingress', '443', '--no-juju'], {env: NO_CLUSTER})
    expect(noJuju.stderr).toContain('Juju skipped (--no-juju)')
  })

  it('reads a live cluster without a word about Juju, which it does not need without --plan', async () => {
    const api = await startFakeKubernetesApi(await livepatchKubernetesObjects())
    const home = await mkdtemp(join(tmpdir(), 'hardenctl-netpol-live-'))
    try {
      const kubeconfig = writeKubeconfig(home, [{context: 'prod', url: api.url}], 'prod')
      const result = await runCliInWorker(['netpol', 'explain', 'livepatch/livepatch', 'livepatch/postgresql', '5432'], {env: {...NO_CLUSTER, HOME: home, KUBECONFIG: kubeconfig}})
      expect(result.code).toBe(0)
      expect(result.stdout).toMatch(/^ALLOWED/)
      expect(result.stderr).toBe('')
    } finally {
      await api.close()
      await rm(home, {recursive: true, force: true})
    }
  })
})

describe('hardenctl netpol on the example with a default deny added', () => {
  let dir: string

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hardenctl-netpol-'))
    await cp(join(REPO_ROOT, EXAMPLE), dir, {recursive: true})
    await writeFile(join(dir, 'networkpolicies.json'), JSON.stringify(HARDENING, null, 2))
  })

  it('matrix: only livepatch reaches postgresql, on 5432; the Internet reaches ingress on 443', async () => {
    const result = await runCliInWorker(['netpol', 'matrix', '--from', dir, '--namespace', 'livepatch'])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(
      'livepatch: 3 NetworkPolicies (default-deny, postgresql-from-livepatch, ingress-from-outside); isolated for ingress: all; for egress: none\n',
    )
    expect(result.stdout).toContain(
      [
        '  outside → livepatch/ingress: 443/TCP',
        '  (nothing) → livepatch/livepatch',
        '  (nothing) → livepatch/modeloperator',
        '  livepatch/livepatch → livepatch/postgresql: 5432/TCP',
        '',
        'outside the cluster',
        '  */* → outside: all ports',
      ].join('\n'),
    )
  })

  it('explain: a denial names the isolating policies and the rule that came close', async () => {
    const result = await runCliInWorker(['netpol', 'explain', 'livepatch/ingress', 'livepatch/postgresql', '5432/TCP', '--from', dir])
    expect(result.code).toBe(0)
    const lines = result.stdout.split('\n')
    expect(lines[0]).toBe('DENIED livepatch/ingress → livepatch/postgresql on 5432/TCP')
    expect(lines[2]).toBe(
      '  ingress: livepatch/postgresql is isolated for ingress by livepatch/default-deny, livepatch/postgresql-from-livepatch and no ingress rule admits livepatch/ingress on 5432/TCP',
    )
    expect(lines[3]).toContain('livepatch/postgresql-from-livepatch ingress rule 0 allows 5432/TCP but none of its from peers selects livepatch/ingress')
  })

  it('explain: an address outside the cluster, in and out of the except', async () => {
    const allowed = await runCliInWorker(['netpol', 'explain', '203.0.113.7', 'livepatch/ingress', '443', '--from', dir])
    expect(allowed.stdout).toContain('ALLOWED 203.0.113.7 → livepatch/ingress on 443/TCP\n')
    expect(allowed.stdout).toContain('allowed by livepatch/ingress-from-outside ingress rule 0 (peer 0, port 0)')
    const excepted = await runCliInWorker(['netpol', 'explain', '10.2.3.4', 'livepatch/ingress', '443', '--from', dir])
    expect(excepted.stdout).toContain('DENIED 10.2.3.4 → livepatch/ingress on 443/TCP\n')
  })

  it('warns about a policy the API server would reject', async () => {
    const broken = await mkdtemp(join(tmpdir(), 'hardenctl-netpol-'))
    await cp(join(REPO_ROOT, EXAMPLE), broken, {recursive: true})
    const policy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {name: 'mixed', namespace: 'livepatch'},
      spec: {podSelector: {}, ingress: [{from: [{ipBlock: {cidr: '0.0.0.0/0'}, podSelector: {}}]}]},
    }
    await writeFile(join(broken, 'networkpolicies.json'), JSON.stringify({apiVersion: 'v1', kind: 'List', items: [policy]}))
    const result = await runCliInWorker(['netpol', 'matrix', '--from', broken])
    expect(result.code).toBe(0)
    expect(result.stderr).toBe(
      'hardenctl: warning: NetworkPolicy livepatch/mixed: spec.ingress[0].from[0]: ipBlock cannot be combined with podSelector or namespaceSelector (the API server would reject it; treated as matching nothing)\n',
    )
    expect(result.stdout).toContain('  (nothing) → livepatch/postgresql\n')
  })
})

describe('hardenctl netpol with the reconcile plan', () => {
  it('diff lists what the plan closes, and matrix --plan shows the result', async () => {
    const diff = await runCliInWorker(['netpol', 'diff', '--from', 'examples/livepatch-k8s'])
    expect(diff.code, diff.stderr).toBe(0)
    expect(diff.stdout).toMatch(/^0 pairs opened, \d+ pairs closed\./)
    expect(diff.stdout).toContain('  outside → livepatch/postgresql: all ports')
    expect(diff.stdout).toContain('  livepatch/livepatch → livepatch/postgresql: all but 5432/TCP, 8008/TCP')

    const planned = await runCliInWorker(['netpol', 'matrix', '--from', 'examples/livepatch-k8s', '--plan', '--namespace', 'livepatch', '--format', 'json'])
    expect(planned.code, planned.stderr).toBe(0)
    const document = JSON.parse(planned.stdout) as {entries: {from: string; to: string; ports: unknown}[]}
    expect(document.entries.filter((entry) => entry.to === 'livepatch/postgresql')).toEqual([
      {from: 'livepatch/livepatch', to: 'livepatch/postgresql', ports: {ports: [{protocol: 'TCP', from: 5432, to: 5432}, {protocol: 'TCP', from: 8008, to: 8008}]}},
      {from: 'livepatch/postgresql', to: 'livepatch/postgresql', ports: {all: true}},
    ])
  })
})

describe('hardenctl netpol diff --plan', () => {
  it('is refused (exit 2, one line): diff always judges the plan, so --plan would be ignored', async () => {
    const result = await runCliInWorker(['netpol', 'diff', '--plan', '--from', 'examples/livepatch-k8s'])
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe(
      'hardenctl: netpol diff always compares the policies now with those the reconcile plan would leave: drop --plan (netpol matrix --plan shows the planned policies alone)\n',
    )
    const help = await runCliInWorker(['netpol', 'diff', '--help'])
    expect(help.stdout).not.toContain('--plan ')
  })
})
