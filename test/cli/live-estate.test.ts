/**
 * Both live sides at once — the fake Juju controller over TLS and the loopback Kubernetes API —
 * as `hardenctl audit` and `hardenctl snapshot` see them from a terminal and from CI.
 */
import {mkdir, mkdtemp, readdir, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {corpusEstate} from '../fake-juju/estate.js'
import {type FakeController, startFakeController, writeJujuData} from '../fake-juju/server.js'
import {type FakeKubernetesApi, startFakeKubernetesApi, writeKubeconfig} from '../fake-kubernetes/server.js'
import {REPO_ROOT, runCliInTerminal} from '../helpers/cli.js'
import {runCliInWorker} from '../helpers/cli-in-worker.js'
import {livepatchKubernetesObjects} from '../helpers/livepatch-estate.js'

const KUBERNETES_EXAMPLE = join(REPO_ROOT, 'examples/livepatch-k8s/kubernetes')

interface Finding {
  rule: string
  target: unknown
  message: string
}
const essence = (findings: Finding[]) => findings.map(({rule, target, message}) => ({rule, target, message}))

describe('live audit of Juju and Kubernetes together', () => {
  let home: string
  let controller: FakeController
  let api: FakeKubernetesApi
  let env: Record<string, string>

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'hardenctl-live-estate-'))
    controller = await startFakeController(corpusEstate())
    const objects = await livepatchKubernetesObjects()
    api = await startFakeKubernetesApi(objects, {token: 'kube-token-never-printed'})
    writeJujuData(join(home, 'juju'), [{name: 'prod', controller, user: 'admin', password: 'admin-secret-password'}], 'prod')
    await mkdir(join(home, 'kube'))
    env = {HOME: home, JUJU_DATA: join(home, 'juju'), KUBECONFIG: writeKubeconfig(join(home, 'kube'), [{context: 'prod', url: api.url, token: 'kube-token-never-printed'}])}
  })
  afterAll(async () => {
    await controller.close()
    await api.close()
    await rm(home, {recursive: true, force: true})
  })

  it('audits both sides; the snapshot of both audits the same, finding for finding', async () => {
    const live = await runCliInWorker(['audit', '--format', 'json', '--fail-on', 'never'], {env})
    expect(live.code, live.stderr).toBe(0)
    const report = JSON.parse(live.stdout) as {findings: Finding[]; metadata: {inputs: string[]}}
    expect(report.metadata.inputs).toEqual(['live Juju: controller prod', `live Kubernetes: context prod in ${join(home, 'kube/kubeconfig')}`])
    expect(live.stderr).not.toContain('not inspected')

    const out = join(home, 'snapshot')
    const snapshot = await runCliInWorker(['snapshot', '--out', out], {env})
    expect(snapshot.code, snapshot.stderr).toBe(0)
    expect((await readdir(join(out, 'kubernetes'))).sort()).toContain('pods.json')
    const offline = await runCliInWorker(['audit', '--format', 'json', '--fail-on', 'never', '--from', out])
    expect(essence((JSON.parse(offline.stdout) as {findings: Finding[]}).findings)).toEqual(essence(report.findings))
    expect(`${live.stdout}${live.stderr}${snapshot.stderr}`).not.toMatch(/kube-token-never-printed|admin-secret-password/)
  })

  it('--no-juju and --no-kubernetes skip a side on purpose and say so', async () => {
    const result = await runCliInWorker(['audit', '--format', 'json', '--fail-on', 'never', '--no-juju'], {env})
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain('Juju not inspected: skipped (--no-juju)')
    expect(controller.calls.length).toBeGreaterThan(0)
    const before = controller.calls.length
    await runCliInWorker(['audit', '--format', 'json', '--fail-on', 'never', '--no-juju'], {env})
    expect(controller.calls.length).toBe(before)
  })

  it('shows progress on a terminal, and none off a terminal', async () => {
    const terminal = await runCliInTerminal(['audit', '--fail-on', 'never'], {...env, CI: undefined})
    expect(terminal.code).toBe(0)
    expect(terminal.stdout).toMatch(/Collecting/)
    const plain = await runCliInWorker(['audit', '--fail-on', 'never'], {env})
    expect(plain.stderr).not.toMatch(/Collecting/)
    expect(plain.stdout).not.toMatch(/Collecting/)
  })

  it('one side failing still reports the other, lists the failure as INVENTORY-INCOMPLETE and exits 3; snapshot writes nothing', async () => {
    await mkdir(join(home, 'bad-token'))
    const badEnv = {...env, KUBECONFIG: writeKubeconfig(join(home, 'bad-token'), [{context: 'prod', url: api.url, token: 'expired-token-never-printed'}])}
    const result = await runCliInWorker(['audit', '--format', 'json', '--fail-on', 'never'], {env: badEnv})
    expect(result.code).toBe(3)
    expect(result.stderr).toMatch(/hardenctl: Kubernetes API .*unauthorized/)
    const report = JSON.parse(result.stdout) as {findings: Finding[]; metadata: {inputs: string[]}}
    expect(report.metadata.inputs).toEqual(['live Juju: controller prod'])
    expect(report.findings.some((f) => f.rule === 'INVENTORY-INCOMPLETE' && /could not inspect kubernetes .*unauthorized/.test(f.message))).toBe(true)
    expect(report.findings.some((f) => f.rule === 'JUJU-TRUST')).toBe(true)
    expect(`${result.stdout}${result.stderr}`).not.toContain('expired-token-never-printed')

    const out = join(home, 'half-snapshot')
    const snapshot = await runCliInWorker(['snapshot', '--out', out], {env: badEnv})
    expect(snapshot.code).toBe(3)
    expect(snapshot.stderr).toContain('(no snapshot written)')
    await expect(readdir(out)).rejects.toThrow()
  })

  it('--from excludes the live flags', async () => {
    const result = await runCliInWorker(['audit', '--from', KUBERNETES_EXAMPLE, '--no-juju'], {env})
    expect(result.code).toBe(2)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
  })
})
