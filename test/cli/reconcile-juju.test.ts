/**
 * `hardenctl reconcile` on the Juju side, driven as a user would (the CLI, its exit code, what
 * it prints) against the fake controller over a real TLS WebSocket, with jujulib running
 * unmodified. Asserts the exact RPC calls and params the controller receives, the safety
 * refusals, that a dry run and unenforced sections send nothing, idempotence, --max-changes and
 * partial failure.
 */
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {corpusEstate, ESTATE_NOW, type FakeEstate} from '../fake-juju/estate.js'
import {type FakeController, type FakeControllerOptions, type RecordedCall, startFakeController, writeJujuData} from '../fake-juju/server.js'
import {runCli} from '../helpers/cli.js'
import {runCliInWorker} from '../helpers/cli-in-worker.js'

const READS = new Set([
  'Login',
  'RedirectInfo',
  'ListModelSummaries',
  'ModelInfo',
  'UserInfo',
  'ControllerConfig',
  'ListApplicationOffers',
  'FullStatus',
  'ExportBundle',
  'Get',
  'List',
])

const CLITE = '9c2e4f7a-1b3d-4e5f-8a6b-7c8d9e0f1a2b'
const CLITE_CMR = '3d5a7b9c-2e4f-4a6b-9c8d-1e2f3a4b5c6d'
const FOO_K8S_CMR = '7e8f9a0b-3c4d-4e5f-a6b7-c8d9e0f1a2b3'
const FOO_MACHINE = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a92ef4d'

/** Enforces every section; names foo-machine in `commands` so its blocks are applied. */
const ENFORCING_POLICY = `apiVersion: hardenctl.io/v1
access:
  enforce: true
  controller: {superusers: [admin]}
  offers: {"admin/clite-cmr.alertmanager": {consumers: []}}
  staleUserDays: 90
  disableStaleUsers: true
commands:
  foo-machine: [destroy-model, remove-object]
exposure:
  allow: {}
  enforce: true
`

/**
 * The corpus estate with its connection times moved to today, so that the CLI (which judges
 * staleness against the real clock) sees bob idle for 200 days and alice active 3 days ago.
 */
function todaysEstate(): FakeEstate {
  const estate = corpusEstate()
  const shift = Date.now() - Date.parse(ESTATE_NOW)
  const move = (time: string | undefined) => (time === undefined ? undefined : new Date(Date.parse(time) + shift).toISOString())
  for (const user of estate.users) user.lastConnection = move(user.lastConnection)
  for (const model of estate.models) for (const user of model.users) user.lastConnection = move(user.lastConnection)
  return estate
}

let home: string
const running: FakeController[] = []
let counter = 0

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'hardenctl-reconcile-juju-'))
})
afterEach(async () => {
  await Promise.all(running.splice(0).map((controller) => controller.close()))
})
afterAll(async () => {
  await rm(home, {recursive: true, force: true})
})

interface Setup {
  controller: FakeController
  env: Record<string, string>
  policyFile: string
}

async function setup(options: {estate?: FakeEstate; fake?: FakeControllerOptions; user?: string; password?: string; policy?: string} = {}): Promise<Setup> {
  const controller = await startFakeController(options.estate ?? todaysEstate(), options.fake)
  running.push(controller)
  const dir = join(home, `run-${counter++}`)
  const user = options.user ?? 'admin'
  writeJujuData(join(dir, 'juju'), [{name: 'prod', controller, user, password: options.password ?? `${user}-secret-password`}], 'prod')
  const policyFile = join(dir, 'hardenctl.yaml')
  await writeFile(policyFile, options.policy ?? ENFORCING_POLICY)
  return {controller, policyFile, env: {HOME: dir, JUJU_DATA: join(dir, 'juju'), KUBECONFIG: join(dir, 'no-kubeconfig')}}
}

/** The same controller estate served again (a writer changed it), as the next CronJob run sees it. */
async function restart(previous: Setup, fake?: FakeControllerOptions): Promise<Setup> {
  const controller = await startFakeController(previous.controller.estate, fake)
  running.push(controller)
  const dir = join(home, `run-${counter++}`)
  writeJujuData(join(dir, 'juju'), [{name: 'prod', controller, user: 'admin', password: 'admin-secret-password'}], 'prod')
  return {controller, policyFile: previous.policyFile, env: {...previous.env, JUJU_DATA: join(dir, 'juju')}}
}

/** `inProcess`: a process of its own, which must end once its Juju writes are done (no session left open keeps it). */
function reconcile(run: Setup, extra: string[] = [], how: {inProcess?: boolean} = {}) {
  return (how.inProcess ? runCli : runCliInWorker)(['reconcile', '--no-kubernetes', '--policy', run.policyFile, ...extra], {env: run.env})
}

const writes = (calls: RecordedCall[]) =>
  calls.filter((call) => !READS.has(call.request)).map((call) => ({endpoint: call.endpoint, call: `${call.type}.${call.request}`, params: call.params}))

/** The writes the enforcing policy makes on the corpus estate, in the order they are made. */
const EXPECTED_WRITES = [
  {endpoint: FOO_MACHINE, call: 'Application.Unexpose', params: {application: 'kafka', 'exposed-endpoints': []}},
  {endpoint: 'controller', call: 'ModelManager.ModifyModelAccess', params: {changes: [{'user-tag': 'user-alice', action: 'revoke', access: 'write', 'model-tag': `model-${CLITE}`}]}},
  {endpoint: 'controller', call: 'ModelManager.ModifyModelAccess', params: {changes: [{'user-tag': 'user-alice', action: 'revoke', access: 'write', 'model-tag': `model-${CLITE_CMR}`}]}},
  {endpoint: 'controller', call: 'ApplicationOffers.ModifyOfferAccess', params: {changes: [{'user-tag': 'user-bob', action: 'revoke', access: 'consume', 'offer-url': 'admin/clite-cmr.alertmanager'}]}},
  {endpoint: 'controller', call: 'ModelManager.ModifyModelAccess', params: {changes: [{'user-tag': 'user-bob', action: 'revoke', access: 'write', 'model-tag': `model-${FOO_K8S_CMR}`}]}},
  {endpoint: 'controller', call: 'UserManager.DisableUser', params: {entities: [{tag: 'user-bob'}]}},
  // carol lost her login access and never connected: stale as well.
  {endpoint: 'controller', call: 'UserManager.DisableUser', params: {entities: [{tag: 'user-carol'}]}},
  {endpoint: FOO_MACHINE, call: 'Block.SwitchBlockOn', params: {type: 'BlockRemove', message: 'disabled by hardenctl: hardenctl.yaml commands["foo-machine"]'}},
]

describe('reconcile: Juju access, command blocks and exposure', () => {
  it('--dry-run prints the exact calls and makes none', async () => {
    const run = await setup()
    const result = await reconcile(run, ['--dry-run'])
    expect(result.code, result.stderr).toBe(0)
    expect(writes(run.controller.calls)).toEqual([])
    expect(result.stdout).toContain('Juju controller prod')
    expect(result.stdout).toContain('ModelManager.ModifyModelAccess user bob on model prod:foo-k8s-cmr: write → read  [dry run: would call]')
    expect(result.stdout).toContain(`{"changes":[{"user-tag":"user-bob","action":"revoke","access":"write","model-tag":"model-${FOO_K8S_CMR}"}]}`)
    expect(result.stdout).toContain('Application.Unexpose application kafka in model prod:foo-machine: endpoint kafka-client to 0.0.0.0/0 → not exposed')
    expect(result.stdout).toMatch(/8 to make \(dry run, nothing changed\)/)
  })

  it('--dry-run --format json puts the calls in the ReconcilePlan as {op: "juju", facade, method, params}', async () => {
    const run = await setup()
    const result = await reconcile(run, ['--dry-run', '--format', 'json'])
    expect(result.code, result.stderr).toBe(0)
    const plan = JSON.parse(result.stdout) as {kind: string; actions: {op: string; facade: string; method: string; params: unknown; enforced: boolean}[]; refused: {target: string; reason: string}[]}
    expect(plan.kind).toBe('ReconcilePlan')
    const enforced = plan.actions.filter((action) => action.op === 'juju' && action.enforced)
    expect(enforced.map(({facade, method, params}) => ({call: `${facade}.${method}`, params}))).toEqual(EXPECTED_WRITES.map(({call, params}) => ({call, params})))
    expect(writes(run.controller.calls)).toEqual([])
  })

  it('applies exactly the planned calls, reports before and after, and a second run makes none', async () => {
    const run = await setup()
    const first = await reconcile(run, [], {inProcess: true})
    expect(first.code, `${first.stdout}\n${first.stderr}`).toBe(0)
    expect(writes(run.controller.calls)).toEqual(EXPECTED_WRITES)
    expect(first.stdout).toContain('ModelManager.ModifyModelAccess user alice on model prod:clite: write → read  [applied]')
    expect(first.stdout).toContain('UserManager.DisableUser user bob on controller prod: enabled → disabled  [applied]')
    expect(first.stdout).toMatch(/8 applied/)

    const again = await restart(run)
    const second = await reconcile(again)
    expect(second.code, `${second.stdout}\n${second.stderr}`).toBe(0)
    expect(writes(again.controller.calls)).toEqual([])
    expect(second.stdout).not.toContain('[applied]')
  })

  it('makes the same writes on a Juju 4 controller (models qualified, offers by model-qualifier), and a second run none', async () => {
    const run = await setup({estate: {...todaysEstate(), jujuVersion: '4.0'}})
    const first = await reconcile(run)
    expect(first.code, `${first.stdout}\n${first.stderr}`).toBe(0)
    expect(writes(run.controller.calls)).toEqual(EXPECTED_WRITES)
    expect(run.controller.calls.find((call) => call.request === 'ModifyOfferAccess')?.version).toBe(6)
    const again = await restart(run)
    const second = await reconcile(again)
    expect(second.code, `${second.stdout}\n${second.stderr}`).toBe(0)
    expect(writes(again.controller.calls)).toEqual([])
  })

  it('refuses to touch its own login, the controller admin and disabled users, and says why', async () => {
    const estate = todaysEstate()
    estate.users.push({name: 'ops', password: 'ops-secret-password', access: 'superuser', lastConnection: new Date().toISOString()})
    const run = await setup({estate, user: 'ops', policy: ENFORCING_POLICY.replace('superusers: [admin]', 'superusers: [bob]')})
    const result = await reconcile(run, ['--format', 'json'])
    expect(result.code, result.stderr).toBe(0)
    const plan = JSON.parse(result.stdout) as {refused: {target: string; wanted: string; reason: string}[]}
    expect(plan.refused).toEqual(
      expect.arrayContaining([
        expect.objectContaining({target: 'user admin on controller prod', reason: "admin is the controller's administrator; hardenctl never downgrades or disables it"}),
        expect.objectContaining({target: 'user ops on controller prod', reason: 'hardenctl is logged in to controller prod as ops; it never changes its own access'}),
        expect.objectContaining({target: 'user dave on model prod:foo-machine', wanted: 'ModelManager.ModifyModelAccess: write → read'}),
      ]),
    )
    const sent = writes(run.controller.calls).flatMap((write) => JSON.stringify(write.params))
    expect(sent.some((params) => params.includes('user-admin') || params.includes('user-ops') || params.includes('user-dave'))).toBe(false)
  })

  it('without enforce, plans only and says how to switch it on', async () => {
    const run = await setup({policy: 'apiVersion: hardenctl.io/v1\naccess: {offers: {"admin/clite-cmr.alertmanager": {consumers: []}}}\n'})
    const result = await reconcile(run)
    expect(result.code, result.stderr).toBe(0)
    expect(writes(run.controller.calls)).toEqual([])
    expect(result.stdout).toContain('[planned only: needs access.enforce: true]')
    expect(result.stdout).toContain('Access: planned only — reconcile makes these changes with access.enforce: true in hardenctl.yaml.')
    expect(result.stdout).toContain('Exposure: planned only — reconcile makes these changes with exposure.enforce: true in hardenctl.yaml.')
  })

  it('--max-changes: above it nothing is applied, the plan is printed and the run exits 3', async () => {
    const run = await setup()
    const result = await reconcile(run, ['--max-changes', '3'])
    expect(result.code).toBe(3)
    expect(writes(run.controller.calls)).toEqual([])
    expect(result.stdout).toContain('8 Juju changes exceed --max-changes 3: none were made')
    expect(result.stdout).toContain('[held back: over --max-changes]')
  })

  it('one failing call does not stop the others: exit 3, the failure listed, and the re-run converges', async () => {
    const run = await setup({fake: {faults: {errorOn: [{request: 'ModifyOfferAccess', message: 'permission denied', code: 'unauthorized access'}]}}})
    const first = await reconcile(run)
    expect(first.code).toBe(3)
    expect(writes(run.controller.calls)).toHaveLength(EXPECTED_WRITES.length)
    expect(first.stdout).toContain('ApplicationOffers.ModifyOfferAccess user bob on offer admin/clite-cmr.alertmanager: consume → read  [failed: permission denied]')
    expect(first.stdout).toMatch(/7 applied, 1 failed/)

    const again = await restart(run)
    const second = await reconcile(again)
    expect(second.code, second.stdout).toBe(0)
    expect(writes(again.controller.calls)).toEqual([EXPECTED_WRITES[3]])
  })

  it('on a machine model narrows an allowlisted exposure to the allowed CIDRs, once', async () => {
    const policy = 'apiVersion: hardenctl.io/v1\nexposure: {allow: {"foo-machine/kafka": ["10.0.0.0/8"]}, enforce: true}\n'
    const run = await setup({policy})
    const first = await reconcile(run)
    expect(first.code, `${first.stdout}\n${first.stderr}`).toBe(0)
    expect(writes(run.controller.calls)).toEqual([
      {endpoint: FOO_MACHINE, call: 'Application.Expose', params: {application: 'kafka', 'exposed-endpoints': {'kafka-client': {'expose-to-cidrs': ['10.0.0.0/8']}}}},
    ])
    expect(first.stdout).toContain('Application.Expose application kafka in model prod:foo-machine: endpoint kafka-client to 0.0.0.0/0 → endpoint kafka-client to 10.0.0.0/8  [applied]')

    const again = await restart(run)
    const second = await reconcile(again)
    expect(second.code, second.stdout).toBe(0)
    expect(writes(again.controller.calls)).toEqual([])
    const audit = await runCliInWorker(['audit', '--no-kubernetes', '--policy', run.policyFile, '--format', 'json', '--fail-on', 'never'], {env: again.env})
    const findings = (JSON.parse(audit.stdout) as {findings: {rule: string}[]}).findings
    expect(findings.filter((finding) => finding.rule === 'JUJU-EXPOSED')).toEqual([])
  })

  it('keeps the audit\'s promise: with every section enforced, each Juju finding marked [auto-fixable] is gone after one reconcile', async () => {
    // Blocks are applied only where a commands entry names the model: here, every model.
    const run = await setup({policy: ENFORCING_POLICY.replace('  foo-machine: [destroy-model, remove-object]', '  "*": [destroy-model, remove-object]')})
    const audit = async (env: Record<string, string>) => {
      const result = await runCliInWorker(['audit', '--no-kubernetes', '--policy', run.policyFile, '--format', 'json', '--fail-on', 'never'], {env})
      expect(result.code, result.stderr).toBe(0)
      return (JSON.parse(result.stdout) as {findings: {rule: string; target: {name: string; model?: string}; autoFixable: boolean}[]}).findings
    }
    const key = (finding: {rule: string; target: {name: string; model?: string}}) => `${finding.rule} ${finding.target.model ?? ''}/${finding.target.name}`
    const promised = (await audit(run.env)).filter((finding) => finding.autoFixable).map(key)
    expect(promised.length).toBeGreaterThan(0)
    const applied = await reconcile(run)
    expect(applied.code, `${applied.stdout}\n${applied.stderr}`).toBe(0)
    const after = new Set((await audit((await restart(run)).env)).map(key))
    expect(promised.filter((finding) => after.has(finding))).toEqual([])
  })

  it('plans from an offline snapshot with --from, with the same calls', async () => {
    const run = await setup()
    const snapshot = join(home, `snapshot-${counter++}`)
    const taken = await runCliInWorker(['snapshot', '--no-kubernetes', '--out', snapshot], {env: run.env})
    expect(taken.code, taken.stderr).toBe(0)
    const result = await runCliInWorker(['reconcile', '--dry-run', '--from', snapshot, '--policy', run.policyFile, '--format', 'json'], {env: run.env})
    expect(result.code, result.stderr).toBe(0)
    const plan = JSON.parse(result.stdout) as {actions: {op: string; facade: string; method: string; params: unknown; enforced: boolean}[]; notes: string[]}
    const calls = plan.actions.filter((action) => action.op === 'juju' && action.enforced).map(({facade, method, params}) => ({call: `${facade}.${method}`, params}))
    expect(calls).toEqual(EXPECTED_WRITES.map(({call, params}) => ({call, params})))
    expect(plan.notes.some((note) => note.includes('not known to this offline plan'))).toBe(true)
  })
})
