/**
 * `hardenctl audit` with no --from against a Kubernetes API over a real socket (the loopback fake
 * in test/fake-kubernetes), driven as a user would: a kubeconfig and the built CLI (in the test
 * worker; the first audit in a process of its own).
 */
import {mkdir, mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {KUBERNETES_LISTS} from '../../src/sources/kubernetes-api/list.js'
import {type FakeKubernetesApi, startFakeKubernetesApi, writeKubeconfig} from '../fake-kubernetes/server.js'
import {REPO_ROOT, runCli} from '../helpers/cli.js'
import {runCliInWorker} from '../helpers/cli-in-worker.js'
import {livepatchKubernetesObjects} from '../helpers/livepatch-estate.js'

const EXAMPLE = join(REPO_ROOT, 'examples/livepatch-k8s/kubernetes')

interface Finding {
  rule: string
  target: unknown
  message: string
}

const essence = (findings: Finding[]) => findings.map(({rule, target, message}) => ({rule, target, message}))

describe('audit of a live Kubernetes cluster', () => {
  let api: FakeKubernetesApi
  let home: string
  let env: Record<string, string>

  beforeAll(async () => {
    api = await startFakeKubernetesApi(await livepatchKubernetesObjects(), {token: 'cluster-token-do-not-print', forbidden: ['clusterrolebindings']})
    home = await mkdtemp(join(tmpdir(), 'hardenctl-live-k8s-'))
    const kubeconfig = writeKubeconfig(home, [{context: 'prod', url: api.url, token: 'cluster-token-do-not-print'}], 'prod')
    // HOME without ~/.local/share/juju: the Juju side has no configuration.
    env = {HOME: home, KUBECONFIG: kubeconfig, JUJU_DATA: join(home, 'no-juju'), HARDENCTL_JUJU_ENDPOINTS: ''}
  })
  afterAll(async () => {
    await api.close()
    await rm(home, {recursive: true, force: true})
  })

  it('audits what the API serves, names the side it could not inspect, and lists each kind once per page', async () => {
    api.requests.length = 0
    // A process of its own: a live run must end once its work is done (no socket left open keeps it).
    const live = await runCli(['audit', '--format', 'json', '--fail-on', 'never', '--profile', 'k8s'], {env})
    expect(live.stderr).toContain('Juju not inspected: no Juju client configuration')
    expect(live.stderr).toContain('could not inspect clusterrolebindings: forbidden')
    expect(live.code).toBe(0)
    const report = JSON.parse(live.stdout) as {findings: Finding[]; metadata: {inputs: string[]}}
    expect(report.metadata.inputs).toEqual(['live Kubernetes: context prod in ' + join(home, 'kubeconfig')])
    expect(report.findings.some((finding) => finding.rule === 'INVENTORY-INCOMPLETE' && finding.message.includes('clusterrolebindings'))).toBe(true)

    const byPlural = api.requestsByPlural()
    for (const count of Object.values(byPlural)) expect(count).toBe(1)
    expect(Object.keys(byPlural).sort()).toEqual(KUBERNETES_LISTS.map((spec) => spec.plural).sort())
    expect(Object.keys(byPlural)).toHaveLength(24)
    expect(JSON.stringify(report)).not.toContain('cluster-token-do-not-print')
    expect(live.stderr).not.toContain('cluster-token-do-not-print')
  })

  it('finds exactly what the same objects find as files, in the same order', async () => {
    const complete = await startFakeKubernetesApi(await livepatchKubernetesObjects())
    try {
      await mkdir(join(home, 'complete'), {recursive: true})
      const kubeconfig = writeKubeconfig(join(home, 'complete'), [{context: 'complete', url: complete.url}], 'complete')
      const live = await runCliInWorker(['audit', '--format', 'json', '--fail-on', 'never', '--profile', 'k8s'], {env: {...env, KUBECONFIG: kubeconfig}})
      const files = await runCliInWorker(['audit', '--format', 'json', '--fail-on', 'never', '--profile', 'k8s', '--from', EXAMPLE])
      const fromLive = (JSON.parse(live.stdout) as {findings: Finding[]}).findings
      expect(fromLive.length).toBeGreaterThan(5)
      expect(essence(fromLive)).toEqual(essence((JSON.parse(files.stdout) as {findings: Finding[]}).findings))
    } finally {
      await complete.close()
    }
  })

  it('--no-kubernetes and no Juju configuration leaves nothing to inspect (exit 2, one line)', async () => {
    const result = await runCliInWorker(['audit', '--no-kubernetes'], {env})
    expect(result.code).toBe(2)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toContain('nothing to inspect')
  })

  it('--context that the kubeconfig lacks is a usage error naming the file', async () => {
    const result = await runCliInWorker(['audit', '--context', 'staging', '--no-juju'], {env})
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/kubeconfig.*staging/)
  })
})
