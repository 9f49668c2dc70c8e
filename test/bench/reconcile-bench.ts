/**
 * The reconcile half of `npm run bench`, on the synthetic estate of audit-bench (200 models × 40
 * apps, 3 pods each: 8,000 apps, 24k pods):
 *
 * 1. planning: `desiredNetworkPolicies` + `planReconcile` from an inventory loaded (untimed) from
 *    the snapshot directory;
 * 2. the reachability matrix of the policies the plan would leave (`netpol matrix --plan`):
 *    `podClasses` + `reachabilityMatrix`, and `matrixEntries` over every namespace apart;
 * 3. writes: the estate served by the loopback fakes (as in live-bench), `hardenctl reconcile`
 *    (the built CLI) run twice; the first's time (median of 3, each against a fresh cluster) and
 *    writes (target: one per create, update or delete of its plan, exit 0), and the second's
 *    writes (target: exactly 0: a converged estate is left alone).
 *
 * 1 and 2 run in a child process (medians of 3 runs there, after one untimed load), so its peak
 * RSS is the measured work's own; the CLI runs in a child while the fakes answer from this process.
 * About 2 minutes on 2 cores.
 * `--json` prints the figures as one JSON object on the last line.
 */
import {execFile, execFileSync} from 'node:child_process'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {performance} from 'node:perf_hooks'

import {networkPolicyActions} from '../../src/plan/types.js'
import {startFakeController, writeJujuData} from '../fake-juju/server.js'
import {type FakeRequest, startFakeKubernetesApi, writeKubeconfig} from '../fake-kubernetes/server.js'
import {ADMIN_PASSWORD, CONTROLLER, fakeEstate, readKubernetesObjects} from './live-bench.js'
import {writeSyntheticEstate} from './synthetic-estate.js'

const SIZE = {models: 200, appsPerModel: 40, podsPerApp: 3}
const RUNS = 3
const SECOND_RUN_WRITES_TARGET = 0
const BIN = fileURLToPath(new URL('../../../bin/run.js', import.meta.url))
/** What a diagnosis of unexpected writes prints at most. */
const SHOWN = 10

type Op = 'create' | 'update' | 'delete' | 'unchanged'

/** What the planning child measures. */
interface PlanMeasurement {
  loadMs: number
  planMs: number[]
  classesMs: number[]
  matrixMs: number[]
  entriesMs: number[]
  namespacesPlanned: number
  policiesPlanned: number
  ops: Record<Op, number>
  untouched: {namespace: string; why: string; reason: string}[]
  notes: number
  livePolicies: number
  policiesAfterPlan: number
  classes: number
  entries: number
  peakRssMb: number
}

/** The JSON `hardenctl reconcile --format json` prints (the parts read here). */
interface PlanJson {
  actions: {op: Op | 'juju'; phase: string; object: {metadata: {namespace: string; name: string; labels?: Record<string, string>; annotations?: Record<string, string>}; spec: unknown}}[]
  untouched: {namespace: string; why: string; reason: string}[]
  results?: {op: Op; namespace: string; name: string; status: string; message?: string}[]
  writes?: number
}

/** One `hardenctl reconcile` as the fakes and the caller saw it. */
interface CliRun {
  code: number
  wallMs: number
  /** How much of wallMs this process's event loop (the fakes) was busy. */
  fakesBusyMs: number
  writes: FakeRequest[]
  /** Kubernetes requests other than writes (the LISTs), and Juju API calls, logins included. */
  kubernetesReads: number
  jujuCalls: number
  plan?: PlanJson
  stderr: string
}

async function main(): Promise<void> {
  const [mode, target] = process.argv.slice(2)
  if (mode === '--child-plan') return console.log(JSON.stringify(await measurePlan(target!)))

  const json = process.argv.includes('--json')
  const dir = await mkdtemp(join(tmpdir(), 'hardenctl-reconcile-bench-'))
  try {
    const estateDir = join(dir, 'estate')
    const generated = await writeSyntheticEstate(estateDir, SIZE)

    // 1 and 2, before the fakes exist: nothing else runs meanwhile.
    const planning = JSON.parse(
      execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child-plan', estateDir], {cwd: dir, encoding: 'utf8', maxBuffer: 1 << 24})
        .trim()
        .split('\n')
        .pop()!,
    ) as PlanMeasurement

    // 3: the estate served live. A first reconcile against a fresh cluster RUNS times (its time is
    // the median's), and after the last one a second reconcile, which should write nothing.
    const objects = await readKubernetesObjects(join(estateDir, 'kubernetes'))
    const estate = await fakeEstate(join(estateDir, 'juju', CONTROLLER, 'models'), objects)
    const controller = await startFakeController(estate)
    try {
      const jujuData = join(dir, 'juju-data')
      writeJujuData(jujuData, [{name: CONTROLLER, controller, user: 'admin', password: ADMIN_PASSWORD}], CONTROLLER)
      const firsts: CliRun[] = []
      let second: CliRun | undefined
      let afterFirst: Record<string, unknown>[] = []
      for (let run = 0; run < RUNS; run++) {
        // The fake keeps what reconcile writes: each first run gets a cluster of its own.
        const kubernetes = await startFakeKubernetesApi(objects)
        try {
          const env = {HOME: dir, KUBECONFIG: writeKubeconfig(dir, [{context: CONTROLLER, url: kubernetes.url}], CONTROLLER), JUJU_DATA: jujuData}
          const reconcile = async (): Promise<CliRun> => {
            const writesBefore = kubernetes.writes().length
            const requestsBefore = kubernetes.requests.length
            const callsBefore = controller.calls.length
            const loopBefore = performance.eventLoopUtilization()
            const start = performance.now()
            const result = await runCli(['reconcile', '--format', 'json'], dir, env)
            const wallMs = performance.now() - start
            const writes = kubernetes.writes().slice(writesBefore)
            return {
              ...result,
              wallMs,
              fakesBusyMs: performance.eventLoopUtilization(loopBefore).active,
              writes,
              kubernetesReads: kubernetes.requests.length - requestsBefore - writes.length,
              jujuCalls: controller.calls.length - callsBefore,
            }
          }
          firsts.push(await reconcile())
          if (run === RUNS - 1) {
            // What the cluster holds after the first run, to explain any write of the second.
            afterFirst = kubernetes.objects('NetworkPolicy')
            second = await reconcile()
          }
        } finally {
          await kubernetes.close()
        }
      }
      report({planning, firsts, second: second!, afterFirst, generated, objects: objects.length, json})
    } finally {
      await controller.close()
    }
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
}

/** The child of 1 and 2: load once, untimed, then RUNS timed passes of each step. */
async function measurePlan(dir: string): Promise<PlanMeasurement> {
  const {loadInventory} = await import('../../src/audit/run-audit.js')
  const {loadPolicy} = await import('../../src/policy/load.js')
  const {desiredNetworkPolicies} = await import('../../src/plan/network-policies.js')
  const {planReconcile} = await import('../../src/plan/plan.js')
  const {policiesAfterPlan} = await import('../../src/netpol/after-plan.js')
  const {policyInput} = await import('../../src/netpol/load.js')
  const {podClasses, reachabilityMatrix, matrixEntries} = await import('../../src/netpol/index.js')

  const loadStart = performance.now()
  const {inventory} = await loadInventory({from: [dir]})
  // The cwd is the bench's temporary directory: no hardenctl.yaml, so the guides' defaults.
  const {policy} = await loadPolicy(undefined)
  const loadMs = performance.now() - loadStart
  const view = inventory.kubernetes

  const planMs: number[] = []
  let desired!: ReturnType<typeof desiredNetworkPolicies>
  let plan!: ReturnType<typeof planReconcile>
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now()
    desired = desiredNetworkPolicies(inventory, policy)
    plan = planReconcile(desired, view.networkPolicies)
    planMs.push(performance.now() - start)
  }

  // As `netpol matrix --plan` (src/netpol/command-input.ts): the live policies with the plan
  // applied; classes distinguish whatever either set selects on.
  const before = policyInput(view)
  const input = {...before, policies: policiesAfterPlan(before.policies, plan)}
  const classesMs: number[] = []
  const matrixMs: number[] = []
  let classes!: ReturnType<typeof podClasses>
  let matrix!: ReturnType<typeof reachabilityMatrix>
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now()
    classes = podClasses(view, {policies: [...input.policies, ...before.policies]})
    const classed = performance.now()
    matrix = reachabilityMatrix(input, classes)
    classesMs.push(classed - start)
    matrixMs.push(performance.now() - classed)
  }
  const entriesMs: number[] = []
  let entries = 0
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now()
    entries = matrixEntries(matrix).length
    entriesMs.push(performance.now() - start)
  }

  const ops: Record<Op, number> = {create: 0, update: 0, delete: 0, unchanged: 0}
  for (const action of networkPolicyActions(plan)) ops[action.op]++
  return {
    loadMs,
    planMs,
    classesMs,
    matrixMs,
    entriesMs,
    namespacesPlanned: desired.namespaces.length,
    policiesPlanned: desired.namespaces.reduce((n, namespace) => n + namespace.policies.length, 0),
    ops,
    untouched: plan.untouched,
    notes: plan.notes.length,
    livePolicies: before.policies.length,
    policiesAfterPlan: input.policies.length,
    classes: classes.length,
    entries,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  }
}

function report(context: {
  planning: PlanMeasurement
  firsts: CliRun[]
  second: CliRun
  afterFirst: Record<string, unknown>[]
  generated: {pods: number; files: number}
  objects: number
  json: boolean
}): void {
  const {planning: p, firsts, second, generated} = context
  // The median-time first run stands for all; exit codes and write counts must agree between them.
  const first = [...firsts].sort((a, b) => a.wallMs - b.wallMs)[firsts.length >> 1]!
  const odd = firsts.filter((run) => run.code !== first.code || run.writes.length !== first.writes.length)
  const firstOps = countOps(first.plan)
  const secondOps = countOps(second.plan)
  const firstTarget = firstOps ? firstOps.create + firstOps.update + firstOps.delete : undefined
  const plan = median(p.planMs)
  // The parts of the median run, so that they add up.
  const matrixRuns = p.classesMs.map((ms, i) => ms + p.matrixMs[i]!)
  const medianRun = matrixRuns.indexOf(median(matrixRuns))
  const classesAndMatrix = matrixRuns[medianRun]!
  const classes = p.classesMs[medianRun]!
  const matrix = p.matrixMs[medianRun]!
  const entries = median(p.entriesMs)

  const figures = {
    estate: {...SIZE, apps: SIZE.models * SIZE.appsPerModel, pods: generated.pods, kubernetesObjects: context.objects},
    inventoryLoadMs: round(p.loadMs),
    planningMs: round(plan),
    planningRunsMs: p.planMs.map((ms) => round(ms)),
    policiesPlanned: p.policiesPlanned,
    namespacesPlanned: p.namespacesPlanned,
    planOps: p.ops,
    untouched: p.untouched.length,
    notes: p.notes,
    matrixMs: round(classesAndMatrix),
    podClassesMs: round(classes),
    reachabilityMatrixMs: round(matrix),
    matrixRunsMs: matrixRuns.map((ms) => round(ms)),
    matrixEntriesMs: round(entries),
    matrixEntriesRunsMs: p.entriesMs.map((ms) => round(ms)),
    classes: p.classes,
    policiesAfterPlan: p.policiesAfterPlan,
    livePolicies: p.livePolicies,
    entries: p.entries,
    planningPeakRssMb: round(p.peakRssMb),
    firstReconcile: {
      ...runFigures(first),
      runsMs: firsts.map((run) => round(run.wallMs)),
      runsWrites: firsts.map((run) => run.writes.length),
      runsExitCodes: firsts.map((run) => run.code),
      writesTarget: firstTarget ?? null,
      ops: firstOps ?? null,
    },
    secondReconcile: {...runFigures(second), writesTarget: SECOND_RUN_WRITES_TARGET, ops: secondOps ?? null},
    runs: RUNS,
  }

  const mark = (ok: boolean, what = 'target') => (ok ? '' : `  ← off ${what}`)
  const runs = (values: number[]) => values.map((ms) => round(ms)).join(' / ')
  console.log(`reconcile, planning and matrix: medians of ${RUNS} runs in one process after an untimed load (${figures.inventoryLoadMs} ms)`)
  console.log(`estate: ${SIZE.models} models × ${SIZE.appsPerModel} apps = ${figures.estate.apps} apps, ${generated.pods} pods, ${context.objects} Kubernetes objects`)
  console.log(`planning time:          ${figures.planningMs} ms (desiredNetworkPolicies + planReconcile; runs ${runs(p.planMs)} ms)`)
  console.log(
    `policies planned:       ${p.policiesPlanned} in ${p.namespacesPlanned} namespaces ` +
      `(${p.ops.create} to create, ${p.ops.update} to update, ${p.ops.delete} to delete, ${p.ops.unchanged} unchanged; ${p.notes} notes)`,
  )
  if (p.untouched.length > 0) printUntouched('  left alone by the plan', p.untouched)
  console.log(
    `matrix time:            ${figures.matrixMs} ms (podClasses ${figures.podClassesMs} + reachabilityMatrix ${figures.reachabilityMatrixMs}; runs ${figures.matrixRunsMs.join(' / ')} ms): ` +
      `${p.classes} classes, ${p.policiesAfterPlan} policies after the plan (${p.livePolicies} live)`,
  )
  console.log(`matrixEntries time:     ${figures.matrixEntriesMs} ms (all namespaces; runs ${runs(p.entriesMs)} ms): ${p.entries} entries`)
  console.log(`planning peak RSS:      ${figures.planningPeakRssMb} MB (the child: load, plan and matrix)`)
  console.log(`hardenctl reconcile against the loopback fakes (Kubernetes API and one Juju controller with the ${SIZE.models} models):`)
  console.log(
    `  first run:            ${round(first.wallMs)} ms (median; runs ${runs(firsts.map((run) => run.wallMs))} ms, each on a fresh cluster), exit ${first.code}${mark(first.code === 0, 'target (exit 0)')}, ` +
      `${first.writes.length} writes (target ${firstTarget ?? '?'}: one per create, update or delete planned)` +
      `${mark(firstTarget !== undefined && first.writes.length === firstTarget)}`,
  )
  if (firstOps) console.log(`                        ${opsLine(firstOps)}`)
  console.log(`                        ${trafficLine(first)}`)
  if (odd.length > 0) {
    console.log(`    the first runs disagree: exit codes ${firsts.map((run) => run.code).join(' / ')}, writes ${firsts.map((run) => run.writes.length).join(' / ')}  ← off target (the same every time)`)
  }
  for (const run of [first, ...odd]) explainRun(run)
  console.log(
    `  second run:           ${round(second.wallMs)} ms, exit ${second.code}${mark(second.code === 0, 'target (exit 0)')}, ` +
      `${second.writes.length} writes (target exactly ${SECOND_RUN_WRITES_TARGET})${mark(second.writes.length === SECOND_RUN_WRITES_TARGET)}`,
  )
  if (secondOps) console.log(`                        ${opsLine(secondOps)}`)
  console.log(`                        ${trafficLine(second)}`)
  explainRun(second)
  if (second.writes.length > 0) explainSecondWrites(second, context.afterFirst)
  if (context.json) console.log(JSON.stringify(figures))
}

function runFigures(run: CliRun) {
  return {
    exitCode: run.code,
    ms: round(run.wallMs),
    fakesBusyMs: round(run.fakesBusyMs),
    writes: run.writes.length,
    kubernetesReads: run.kubernetesReads,
    jujuCalls: run.jujuCalls,
  }
}

function trafficLine(run: CliRun): string {
  return `${run.kubernetesReads} Kubernetes reads, ${run.jujuCalls} Juju calls; fakes busy ${round(run.fakesBusyMs)} ms of it (this process's event loop)`
}

function opsLine(ops: Record<Op, number>): string {
  return `plan: ${ops.create} to create, ${ops.update} to update, ${ops.delete} to delete, ${ops.unchanged} unchanged`
}

function countOps(plan: PlanJson | undefined): Record<Op, number> | undefined {
  if (!plan) return undefined
  const ops: Record<Op, number> = {create: 0, update: 0, delete: 0, unchanged: 0}
  for (const action of plan.actions) if (action.op !== 'juju') ops[action.op as Op]++
  return ops
}

/** Why a run did not exit 0: the namespaces it left alone, the writes that failed, or what it said on stderr. */
function explainRun(run: CliRun): void {
  if (run.code === 0) return
  if (!run.plan) {
    console.log(`    no plan printed; stderr: ${run.stderr.trim().split('\n').slice(-5).join(' | ')}`)
    return
  }
  const untouched = run.plan.untouched.filter((entry) => entry.why !== 'out-of-scope')
  if (untouched.length > 0) printUntouched('    did not converge: namespaces left alone', untouched)
  const failed = (run.plan.results ?? []).filter((result) => result.status === 'failed' || result.status === 'conflict')
  if (failed.length > 0) {
    console.log(`    ${failed.length} write${failed.length === 1 ? '' : 's'} failed or conflicted:`)
    for (const result of failed.slice(0, SHOWN)) console.log(`      ${result.namespace}/${result.name} (${result.op}): ${result.status}${result.message ? `: ${result.message}` : ''}`)
  }
  if (untouched.length === 0 && failed.length === 0) {
    console.log(`    nothing left alone and no write failed; stderr: ${run.stderr.trim().split('\n').slice(-5).join(' | ') || '(empty)'}`)
  }
}

function printUntouched(title: string, untouched: {namespace: string; why: string; reason: string}[]): void {
  const byReason = new Map<string, string[]>()
  for (const entry of untouched) byReason.set(`${entry.why}: ${entry.reason}`, [...(byReason.get(`${entry.why}: ${entry.reason}`) ?? []), entry.namespace])
  console.log(`${title} (${untouched.length}):`)
  for (const [reason, namespaces] of byReason) {
    const shown = namespaces.slice(0, SHOWN).join(', ') + (namespaces.length > SHOWN ? `, … (${namespaces.length} in all)` : '')
    console.log(`${title.match(/^ */)![0]}  ${shown}: ${reason}`)
  }
}

/** A second run should write nothing: show what it wrote and how the planned object differs from the cluster's. */
function explainSecondWrites(second: CliRun, afterFirst: Record<string, unknown>[]): void {
  console.log('    the second run wrote:')
  for (const write of second.writes.slice(0, SHOWN)) console.log(`      ${write.method} ${write.path}`)
  if (second.writes.length > SHOWN) console.log(`      … (${second.writes.length} in all)`)
  const live = new Map(
    afterFirst.map((object) => {
      const metadata = object.metadata as {namespace?: string; name?: string}
      return [`${metadata.namespace}/${metadata.name}`, object]
    }),
  )
  const changed = (second.plan?.actions ?? []).filter((action) => action.op !== 'unchanged')
  for (const action of changed.slice(0, SHOWN)) {
    const id = `${action.object.metadata.namespace}/${action.object.metadata.name}`
    const current = live.get(id) as {metadata?: {labels?: unknown; annotations?: unknown}; spec?: unknown} | undefined
    if (!current) {
      console.log(`      ${action.op} ${id}: not in the cluster after the first run`)
      continue
    }
    const differences = [
      ...differ('metadata.labels', action.object.metadata.labels ?? {}, current.metadata?.labels ?? {}),
      ...differ('metadata.annotations', action.object.metadata.annotations ?? {}, current.metadata?.annotations ?? {}),
      ...differ('spec', action.object.spec, current.spec),
    ]
    console.log(`      ${action.op} ${id}: ${differences.slice(0, 5).join('; ') || 'no difference in labels, annotations or spec'}`)
  }
}

/** Paths where the planned and the live value differ (planned → live). */
function differ(path: string, planned: unknown, live: unknown): string[] {
  if (JSON.stringify(planned) === JSON.stringify(live)) return []
  const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null
  if (isObject(planned) && isObject(live) && Array.isArray(planned) === Array.isArray(live)) {
    const keys = [...new Set([...Object.keys(planned), ...Object.keys(live)])]
    const inner = keys.flatMap((key) => differ(`${path}.${key}`, planned[key], live[key]))
    if (inner.length > 0) return inner
  }
  return [`${path}: planned ${JSON.stringify(planned)?.slice(0, 120)}, live ${JSON.stringify(live)?.slice(0, 120)}`]
}

/** The built CLI in its own process, asynchronously: the fakes answering it live in this event loop. */
function runCli(args: string[], cwd: string, env: Record<string, string>): Promise<{code: number; plan?: PlanJson; stderr: string}> {
  const childEnv: NodeJS.ProcessEnv = {...process.env, ...env}
  // Whatever the caller's shell points at, the bench reconciles the fakes with the default policy.
  for (const name of Object.keys(childEnv)) if (name.startsWith('HARDENCTL_')) delete childEnv[name]
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], {cwd, env: childEnv, encoding: 'utf8', maxBuffer: 1 << 30}, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
      let plan: PlanJson | undefined
      try {
        plan = JSON.parse(stdout) as PlanJson
      } catch {
        plan = undefined
      }
      resolve({code, stderr, ...(plan ? {plan} : {})})
    })
  })
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[values.length >> 1]!
}

function round(value: number, digits = 0): number {
  const factor = 10 ** digits
  return Math.round(value * factor) / factor
}

await main()
