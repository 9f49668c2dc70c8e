/**
 * `hardenctl audit` and `hardenctl snapshot` against a Juju controller over a real TLS WebSocket:
 * the fake controller in test/fake-juju serves the corpus `juju status` dumps, jujulib runs
 * unmodified in the built CLI (run in the test worker; the first snapshot in a process of its own),
 * and the tests read what a user would see.
 */
import {mkdtemp, readdir, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {corpusEstate, type FakeEstate} from '../fake-juju/estate.js'
import {type FakeController, type FakeControllerOptions, startFakeController, writeJujuData} from '../fake-juju/server.js'
import {generateTestPki} from '../fake-juju/tls.js'
import {runCli} from '../helpers/cli.js'
import {runCliInWorker} from '../helpers/cli-in-worker.js'

const ADMIN_PASSWORD = 'admin-secret-password'

interface Finding {
  rule: string
  target: {model?: string; name?: string; kind?: string}
  message: string
}
const essence = (findings: Finding[]) => findings.map(({rule, target, message}) => ({rule, target, message}))

let home: string
const running: FakeController[] = []

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'hardenctl-live-juju-'))
})
afterEach(async () => {
  await Promise.all(running.splice(0).map((controller) => controller.close()))
})
afterAll(async () => {
  await rm(home, {recursive: true, force: true})
})

let counter = 0
/** A fake controller plus a JUJU_DATA that logs in as `user`; returns the env for the CLI. */
async function estateWith(
  options: {estate?: FakeEstate; fake?: FakeControllerOptions; user?: string; password?: string; caCert?: string} = {},
): Promise<{controller: FakeController; env: Record<string, string>}> {
  const controller = await startFakeController(options.estate ?? corpusEstate(), options.fake)
  running.push(controller)
  const jujuData = join(home, `juju-data-${counter++}`)
  writeJujuData(jujuData, [{name: 'prod', controller, user: options.user ?? 'admin', password: options.password ?? ADMIN_PASSWORD}], 'prod')
  if (options.caCert) {
    const file = join(jujuData, 'controllers.yaml')
    const text = await readFile(file, 'utf8')
    const {writeFile} = await import('node:fs/promises')
    await writeFile(file, text.replace(/ca-cert: [|>][-+]?\n(?: {6}.*\n)+/, `ca-cert: |\n${options.caCert.trim().split('\n').map((line) => `      ${line}`).join('\n')}\n`))
  }
  // No kubeconfig anywhere: the Kubernetes side is not configured.
  return {controller, env: {HOME: home, JUJU_DATA: jujuData, KUBECONFIG: join(home, 'no-kubeconfig')}}
}

function auditJson(env: Record<string, string>, extra: string[] = []) {
  return runCliInWorker(['audit', '--format', 'json', '--fail-on', 'never', ...extra], {env})
}

describe('live Juju audit', () => {
  it('audits every model over the Juju API with O(models) calls and says Kubernetes was not inspected', async () => {
    const {controller, env} = await estateWith()
    const result = await auditJson(env)
    expect(result.stderr).toContain('Kubernetes not inspected')
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout) as {findings: Finding[]; metadata: {inputs: string[]}}
    expect(report.metadata.inputs).toEqual(['live Juju: controller prod'])
    const rules = new Set(report.findings.map((finding) => finding.rule))
    // The estate's planted problems: trust on clite/traefik, kafka exposed to 0.0.0.0/0, bob idle for 200 days.
    expect(report.findings.some((f) => f.rule === 'JUJU-TRUST' && f.target.model === 'clite' && f.target.name === 'traefik')).toBe(true)
    expect(report.findings.some((f) => f.rule === 'JUJU-EXPOSED' && f.target.name === 'kafka')).toBe(true)
    expect(report.findings.some((f) => f.rule === 'ACCESS-STALE-USER' && f.message.includes('bob'))).toBe(true)
    expect(rules.has('INVENTORY-INCOMPLETE')).toBe(false)

    const models = controller.estate.models.length
    const byRequest = new Map<string, number>()
    for (const call of controller.calls) byRequest.set(`${call.type}.${call.request}`, (byRequest.get(`${call.type}.${call.request}`) ?? 0) + 1)
    expect(byRequest.get('Client.FullStatus')).toBe(models)
    expect(byRequest.get('Bundle.ExportBundle')).toBe(models)
    expect(byRequest.get('Block.List')).toBe(models)
    expect(byRequest.get('ModelManager.ModelInfo')).toBe(1)
    expect(byRequest.get('ApplicationOffers.ListApplicationOffers')).toBe(1)
    expect(byRequest.get('Application.Get')).toBeUndefined()
    // Per controller: login + 5 calls; per model: login + 3 calls.
    expect(controller.callCount()).toBe(6 + models * 4)
  })

  it('snapshot then audit --from finds exactly what the live audit found, in the same order, with no secrets on disk', async () => {
    const {env} = await estateWith()
    const live = await auditJson(env)
    const out = join(home, 'snapshot')
    // A process of its own: a live run must end once its work is done (no socket left open keeps it).
    const snapshot = await runCli(['snapshot', '--out', out], {env})
    expect(snapshot.code, snapshot.stderr).toBe(0)
    expect(snapshot.stderr).toMatch(/wrote \d+ files/)
    const files = (await readdir(out, {recursive: true})).map(String).sort()
    expect(files).toEqual(
      expect.arrayContaining([
        'juju/prod/users.json',
        'juju/prod/controller-config.json',
        'juju/prod/models/clite/status.json',
        'juju/prod/models/clite/show-model.json',
        'juju/prod/models/clite/bundle.yaml',
        'juju/prod/models/clite-cmr/offers.json',
        'juju/prod/models/foo-machine/disabled-commands.json',
      ]),
    )
    for (const file of files.filter((name) => /\.(json|yaml)$/.test(name))) {
      expect(await readFile(join(out, file), 'utf8')).not.toContain('secret-password')
    }
    const offline = await auditJson({}, ['--from', out])
    expect(offline.code, offline.stderr).toBe(0)
    const liveFindings = (JSON.parse(live.stdout) as {findings: Finding[]}).findings
    expect(liveFindings.length).toBeGreaterThan(5)
    expect(essence((JSON.parse(offline.stdout) as {findings: Finding[]}).findings)).toEqual(essence(liveFindings))
  })

  it('speaks the facade versions of Juju 3.1 as well as 3.6', async () => {
    const estate = {...corpusEstate(), jujuVersion: '3.1' as const}
    const {controller, env} = await estateWith({estate})
    const result = await auditJson(env)
    expect(result.code, result.stderr).toBe(0)
    expect(controller.calls.find((call) => call.request === 'FullStatus')?.version).toBe(6)
    expect(controller.calls.find((call) => call.request === 'ListModelSummaries')?.version).toBe(9)
  })

  it('audits a Juju 4 controller (models qualified, not owned; offers filtered by model-qualifier) to the same findings as Juju 3.6', async () => {
    const juju36 = await auditJson((await estateWith()).env)
    expect(juju36.code, juju36.stderr).toBe(0)
    // A Juju 4 controller's models run Juju 4 agents.
    const estate4 = corpusEstate()
    for (const model of estate4.models) model.agentVersion = '4.0.10'
    const {controller, env} = await estateWith({estate: {...estate4, jujuVersion: '4.0'}})
    const result = await auditJson(env)
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).not.toMatch(/cannot read|unexpected answer/)
    expect(controller.calls.find((call) => call.request === 'ListModelSummaries')?.version).toBe(11)
    const offers = controller.calls.find((call) => call.request === 'ListApplicationOffers')
    expect(offers?.version).toBe(6)
    expect((offers?.params as {filters: Record<string, string>[]}).filters).toContainEqual(expect.objectContaining({'model-name': 'clite-cmr', 'model-qualifier': 'admin'}))
    const findings = (run: {stdout: string}) => (JSON.parse(run.stdout) as {findings: Finding[]}).findings
    const what = (run: {stdout: string}) => findings(run).map(({rule, target}) => ({rule, target}))
    expect(what(result)).toEqual(what(juju36))
    // A Juju 4 model has no owner to exempt: the access findings say who may instead.
    const alice = findings(result).find((f) => f.rule === 'ACCESS-MODEL-ADMIN' && f.target.name === 'alice')
    expect(alice?.message).toBe('alice holds write on model clite; only controller superusers and users listed in access.models (a Juju 4 model has no owner) may.')

    const out = join(home, 'snapshot-juju4')
    const snapshot = await runCliInWorker(['snapshot', '--out', out], {env})
    expect(snapshot.code, snapshot.stderr).toBe(0)
    // As Juju 4's show-model prints it: the qualifier in the name, no owner (a qualifier is no user).
    const showModel = JSON.parse(await readFile(join(out, 'juju/prod/models/clite/show-model.json'), 'utf8')) as Record<string, {name: string; owner?: string}>
    expect(showModel.clite?.name).toBe('admin/clite')
    expect(showModel.clite).not.toHaveProperty('owner')
    // Juju 4 removed `juju export-bundle`; the snapshot still writes the bundle, from the API's Bundle.ExportBundle.
    expect(await readFile(join(out, 'juju/prod/models/clite/bundle.yaml'), 'utf8')).toMatch(/^applications:|\napplications:/)
  })

  it('takes the newest facade version both sides know (jujulib alone would take ModelManager 9 of 9 and 10: its lists are in string order)', async () => {
    const {controller, env} = await estateWith({fake: {facades: {ModelManager: [9, 10], ApplicationOffers: [4, 5]}}})
    const result = await auditJson(env)
    expect(result.code, result.stderr).toBe(0)
    expect(controller.calls.find((call) => call.request === 'ListModelSummaries')?.version).toBe(10)
    expect(controller.calls.find((call) => call.request === 'ListApplicationOffers')?.version).toBe(5)
  })

  it('--model limits the audit to the named models', async () => {
    const {controller, env} = await estateWith()
    const result = await auditJson(env, ['--model', 'foo-machine'])
    expect(result.code, result.stderr).toBe(0)
    expect(controller.calls.filter((call) => call.request === 'FullStatus')).toHaveLength(1)
    const models = new Set((JSON.parse(result.stdout) as {findings: Finding[]}).findings.map((f) => f.target.model).filter(Boolean))
    expect([...models]).toEqual(['foo-machine'])
    const unknown = await auditJson(env, ['--model', 'nope'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('--model nope: no such model on controller prod')
  })

  it('reads the controller from the HARDENCTL_JUJU_* environment (the CronJob way)', async () => {
    const {controller} = await estateWith()
    const result = await auditJson({
      HOME: home,
      JUJU_DATA: join(home, 'absent'),
      KUBECONFIG: join(home, 'no-kubeconfig'),
      HARDENCTL_JUJU_ENDPOINTS: `${controller.host}:${controller.port}`,
      HARDENCTL_JUJU_CA_CERT: controller.caCert,
      HARDENCTL_JUJU_USER: 'admin',
      HARDENCTL_JUJU_PASSWORD: ADMIN_PASSWORD,
      HARDENCTL_JUJU_CONTROLLER: 'prod',
    })
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout).metadata.inputs).toEqual(['live Juju: controller prod'])
  })
})

describe('several controllers', () => {
  it('--controller repeats; a --model need only exist on one of them', async () => {
    const prod = await startFakeController(corpusEstate())
    const labEstate = corpusEstate()
    labEstate.controllerName = 'lab'
    labEstate.models = labEstate.models.filter((model) => model.name === 'foo-machine')
    const lab = await startFakeController(labEstate)
    running.push(prod, lab)
    const jujuData = join(home, 'two-controllers')
    writeJujuData(jujuData, [
      {name: 'prod', controller: prod, user: 'admin', password: ADMIN_PASSWORD},
      {name: 'lab', controller: lab, user: 'admin', password: ADMIN_PASSWORD},
    ], 'prod')
    const env = {HOME: home, JUJU_DATA: jujuData, KUBECONFIG: join(home, 'no-kubeconfig')}

    const both = await auditJson(env, ['--controller', 'prod', '--controller', 'lab', '--model', 'clite'])
    expect(both.code, both.stderr).toBe(0)
    expect(JSON.parse(both.stdout).metadata.inputs).toEqual(['live Juju: controller prod, controller lab'])
    expect(prod.calls.filter((call) => call.request === 'FullStatus')).toHaveLength(1)
    expect(lab.calls.filter((call) => call.request === 'ListModelSummaries')).toHaveLength(1)
    expect(lab.calls.filter((call) => call.request === 'FullStatus')).toHaveLength(0)

    const nowhere = await auditJson(env, ['--controller', 'prod', '--controller', 'lab', '--model', 'nope'])
    expect(nowhere.code).toBe(2)
    expect(nowhere.stderr).toContain('--model nope: no such model on controllers prod, lab')
  })
})

describe('live Juju redirects', () => {
  it('follows a model that moved to another controller', async () => {
    const target = await startFakeController(corpusEstate())
    running.push(target)
    const moved = target.estate.models.find((model) => model.name === 'foo-machine')!
    const {controller, env} = await estateWith({
      fake: {redirects: [{modelUuid: moved.uuid, to: {host: target.host, port: target.port, caCert: target.caCert}}]},
    })
    const result = await auditJson(env)
    expect(result.code, result.stderr).toBe(0)
    expect(controller.calls.filter((call) => call.endpoint === moved.uuid && call.request === 'FullStatus')).toHaveLength(0)
    expect(target.calls.filter((call) => call.endpoint === moved.uuid && call.request === 'FullStatus')).toHaveLength(1)
    expect((JSON.parse(result.stdout) as {findings: Finding[]}).findings.some((f) => f.rule === 'JUJU-EXPOSED' && f.target.model === 'foo-machine')).toBe(true)
  })
})

describe('live Juju failures: one clear line, the right exit code, no secrets', () => {
  it.each([
    ['a wrong password', {password: 'wrong-password'}, 'login as admin failed: unknown user or wrong password'],
    ['an unknown user', {user: 'mallory', password: 'whatever-password'}, 'login as mallory failed: unknown user or wrong password'],
    ['a user without login access', {user: 'carol', password: 'carol-secret-password'}, 'login as carol failed: permission denied'],
    ['a disabled user', {user: 'dave', password: 'dave-secret-password'}, 'login as dave failed'],
  ])('%s', async (_, account, expected) => {
    const {env} = await estateWith(account)
    const result = await runCliInWorker(['audit', '--format', 'json'], {env: {...env, HARDENCTL_DEBUG: '1'}})
    expect(result.code).toBe(3)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain(`hardenctl: juju controller prod: ${expected}`)
    expect(result.stderr).not.toMatch(/secret-password|wrong-password|whatever-password/)
  })

  it('refuses a controller whose certificate the configured CA did not sign, unless told to skip verification (loudly)', async () => {
    const {env} = await estateWith({caCert: generateTestPki().otherCaCert})
    const refused = await runCliInWorker(['audit'], {env})
    expect(refused.code).toBe(3)
    expect(refused.stderr.trim().split('\n')).toHaveLength(1)
    expect(refused.stderr).toContain('TLS: the controller certificate is not signed by the expected CA')

    const skipped = await runCliInWorker(['audit', '--format', 'json', '--fail-on', 'never', '--juju-insecure-skip-verify'], {env})
    expect(skipped.code, skipped.stderr).toBe(0)
    expect(skipped.stderr).toContain('WARNING: --juju-insecure-skip-verify')
  })

  it('a model whose status call fails is reported and the other models are still audited', async () => {
    const {env} = await estateWith({fake: {faults: {errorOn: [{request: 'FullStatus', model: 'clite', message: 'cannot read the model: mongo timeout'}]}}})
    const result = await auditJson(env)
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain('model prod:clite: cannot read status: cannot read the model: mongo timeout')
    const findings = (JSON.parse(result.stdout) as {findings: Finding[]}).findings
    expect(findings.some((f) => f.rule === 'INVENTORY-INCOMPLETE' && f.message.includes('mongo timeout'))).toBe(true)
    expect(findings.some((f) => f.rule === 'JUJU-EXPOSED' && f.target.model === 'foo-machine')).toBe(true)
  })

  it('a model whose bundle cannot be exported still has its trust read, application by application', async () => {
    const estate = corpusEstate()
    estate.models.find((model) => model.name === 'clite')!.bundleError = 'cannot export bundle: unsupported feature'
    const {controller, env} = await estateWith({estate})
    const result = await auditJson(env)
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toMatch(/model prod:clite: cannot export the bundle \(cannot export bundle: unsupported feature\); reading trust and options of 6 applications one by one/)
    const findings = (JSON.parse(result.stdout) as {findings: Finding[]}).findings
    expect(findings.some((f) => f.rule === 'JUJU-TRUST' && f.target.model === 'clite' && f.target.name === 'traefik')).toBe(true)
    const clite = estate.models.find((model) => model.name === 'clite')!.uuid
    expect(controller.calls.filter((call) => call.endpoint === clite && call.request === 'Get')).toHaveLength(6)
    expect(controller.calls.filter((call) => call.endpoint !== clite && call.request === 'Get')).toHaveLength(0)
  })

  it('a socket closed in the middle of collection is a clear error with exit 3', async () => {
    const {env} = await estateWith({fake: {faults: {closeOn: {request: 'FullStatus', model: 'foo-machine'}}}})
    const result = await runCliInWorker(['audit'], {env})
    expect(result.code).toBe(3)
    expect(result.stdout).toBe('')
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toMatch(/juju model prod:foo-machine: connection closed by the controller .* during Client\.fullStatus/)
  })

  it('an unreachable controller is exit 3 naming the address', async () => {
    const {controller, env} = await estateWith()
    await controller.close()
    const result = await runCliInWorker(['audit'], {env})
    expect(result.code).toBe(3)
    expect(result.stderr).toContain(`cannot connect to ${controller.host}:${controller.port}: connection refused`)
  })
})
