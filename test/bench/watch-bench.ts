/**
 * The `reconcile --watch` part of `npm run bench`, on the synthetic estate of audit-bench (200
 * models × 40 apps, 3 pods each: 88k Kubernetes objects) served by the loopback fakes in this
 * process, as live-bench and reconcile-bench serve it; the built CLI runs in a child process:
 *
 * 1. `hardenctl reconcile --watch --format json`: the time from its start to the end of the first
 *    pass's output (start-up, the first LIST of every kind, the Juju side, the plan, its writes)
 *    and the requests it made;
 * 2. one Service changed (a port added), then the pass that change starts, three times (a
 *    different Service each time): each pass's time (from its "pass N" line to the end of its
 *    output), its Kubernetes LISTs (target: none; the watches keep the cluster), its writes, its
 *    Juju calls (the controller's own; the Juju watch saw no model change, so no model is asked)
 *    and how long the Juju side took. Target: the median pass at most 10 % of the first pass. The
 *    first of the three also reads, for the first time, the policies the first pass created.
 *    The watch's peak RSS is printed too (Linux);
 * 3. for comparison, the same pass as a one-shot `hardenctl reconcile` (what every watch pass
 *    cost before the watches kept the cluster): its time and LISTs.
 *
 * `--json` prints the figures as one JSON object on the last line.
 */
import {execFile, spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {performance} from 'node:perf_hooks'

import {startFakeController, writeJujuData} from '../fake-juju/server.js'
import {type FakeKubernetesApi, type FakeRequest, startFakeKubernetesApi, writeKubeconfig} from '../fake-kubernetes/server.js'
import {childFlags} from './child-measure.js'
import {ADMIN_PASSWORD, CONTROLLER, syntheticLiveEstate} from './live-bench.js'

const SIZE = {models: 200, appsPerModel: 40, podsPerApp: 3}
const BIN = fileURLToPath(new URL('../../../bin/run.js', import.meta.url))
/** The pass after one Service change, as a share of the first pass's time. */
const TARGET_SHARE = 0.1
const TARGET_LISTS = 0
/** Passes after one Service change each: the figure is their median. */
const CHANGES = 3

/** One Service changed and the pass it started. */
interface ChangePass {
  changed: string
  ms: number
  jujuMs: number
  traffic: Traffic
  ops: Record<Op, number> | undefined
  reason: string
}

type Op = 'create' | 'update' | 'delete' | 'unchanged'

interface PlanJson {
  actions: {op: Op | 'juju'}[]
  /** The NetworkPolicies a watch pass leaves unchanged, by name. */
  unchanged?: {namespace: string; name: string}[]
}

/** What a stretch of the run cost, as the fakes saw it. */
interface Traffic {
  lists: number
  watches: number
  writes: number
  jujuCalls: number
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json')
  const dir = await mkdtemp(join(tmpdir(), 'hardenctl-watch-bench-'))
  try {
    const {generated, objects, estate} = await syntheticLiveEstate(join(dir, 'estate'), SIZE)
    const controller = await startFakeController(estate)
    const kubernetes = await startFakeKubernetesApi(objects)
    try {
      const jujuData = join(dir, 'juju-data')
      writeJujuData(jujuData, [{name: CONTROLLER, controller, user: 'admin', password: ADMIN_PASSWORD}], CONTROLLER)
      const env = {HOME: dir, KUBECONFIG: writeKubeconfig(dir, [{context: CONTROLLER, url: kubernetes.url}], CONTROLLER), JUJU_DATA: jujuData}
      const traffic = (fromRequest: number, fromCall: number): Traffic => ({
        ...kubernetesTraffic(kubernetes.requests.slice(fromRequest)),
        jujuCalls: controller.calls.length - fromCall,
      })

      // 1: the first pass.
      const cli = startWatch(dir, {...env, HARDENCTL_WATCH_MAX_PASSES: String(1 + CHANGES)})
      await cli.outputs(1)
      const firstMs = cli.outputAt[0]! - cli.startedAt
      const listedMs = cli.passStartedAt[0]! - cli.startedAt
      const first = traffic(0, 0)
      const firstOps = countOps(cli.plans[0])

      // 2: one Service changed, then the pass that change starts, CHANGES times (a different Service
      // each time; one pass on this shared machine varies by a third). Each pass starts after the
      // debounce and is counted from its own start.
      const changes: ChangePass[] = []
      for (let n = 0; n < CHANGES; n++) {
        const pass = n + 2
        const changed = changeOneService(kubernetes, n)
        const jujuWindow = watchJujuCalls(() => controller.calls.length)
        await cli.passStarted(pass)
        const requestsAtStart = kubernetes.requests.length
        const callsAtStart = controller.calls.length
        jujuWindow.reset()
        await cli.outputs(pass)
        changes.push({
          changed,
          ms: cli.outputAt[pass - 1]! - cli.passStartedAt[pass - 1]!,
          jujuMs: jujuWindow.stop(),
          traffic: traffic(requestsAtStart, callsAtStart),
          ops: countOps(cli.plans[pass - 1]),
          reason: cli.passReason(pass),
        })
      }
      const peakRssMb = cli.peakRssMb()
      const code = await cli.exited

      // 3: the same pass, one-shot.
      const oneShotRequests = kubernetes.requests.length
      const oneShotCalls = controller.calls.length
      const oneShotStart = performance.now()
      const oneShot = await runOnce(dir, env)
      const oneShotMs = performance.now() - oneShotStart
      const oneShotTraffic = traffic(oneShotRequests, oneShotCalls)

      report({
        json,
        generated,
        objects: objects.length,
        code,
        peakRssMb,
        stderr: cli.stderr(),
        first: {ms: firstMs, listedMs, traffic: first, ops: firstOps},
        changes,
        oneShot: {ms: oneShotMs, code: oneShot.code, peakRssMb: oneShot.peakRssMb, traffic: oneShotTraffic},
      })
    } finally {
      await Promise.all([controller.close(), kubernetes.close()])
    }
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
}

/** Adds a port to the `nth` application's Service: its policy admits the new port. */
function changeOneService(kubernetes: FakeKubernetesApi, nth: number): string {
  const services = kubernetes.objects('Service') as {metadata: {name: string; namespace: string}; spec: {clusterIP?: string; ports: object[]}}[]
  const service = services.filter((s) => s.spec.clusterIP !== 'None' && s.metadata.namespace !== undefined)[nth]!
  kubernetes.mutate({...service, spec: {...service.spec, ports: [...service.spec.ports, {name: 'metrics', port: 9090, protocol: 'TCP', targetPort: 9090}]}})
  return `${service.metadata.namespace}/${service.metadata.name}`
}

function kubernetesTraffic(requests: FakeRequest[]): Omit<Traffic, 'jujuCalls'> {
  const counts = {lists: 0, watches: 0, writes: 0}
  for (const request of requests) {
    if (request.method === 'PATCH' || request.method === 'DELETE') counts.writes++
    else if (request.query.watch === '1' || request.query.watch === 'true') counts.watches++
    else if (request.method === 'GET') counts.lists++
  }
  return counts
}

/** When the Juju calls of a pass begin and end, seen from the fake controller's call count. */
function watchJujuCalls(count: () => number): {reset: () => void; stop: () => number} {
  let last = count()
  let firstAt: number | undefined
  let lastAt: number | undefined
  const timer = setInterval(() => {
    const now = count()
    if (now === last) return
    const at = performance.now()
    firstAt ??= at
    lastAt = at
    last = now
  }, 5)
  return {
    reset() {
      last = count()
      firstAt = undefined
      lastAt = undefined
    },
    stop() {
      clearInterval(timer)
      return firstAt === undefined || lastAt === undefined ? 0 : lastAt - firstAt
    },
  }
}

interface WatchRun {
  /** The child's peak RSS so far, in MB (Linux: VmHWM of /proc/PID/status), read every 100 ms. */
  peakRssMb: () => number | undefined
  startedAt: number
  passStartedAt: number[]
  outputAt: number[]
  plans: (PlanJson | undefined)[]
  outputs(n: number): Promise<void>
  passStarted(n: number): Promise<void>
  passReason(n: number): string
  stderr(): string
  exited: Promise<number | null>
}

/** `hardenctl reconcile --watch --format json` in a child: when each pass starts (stderr) and its output ends (stdout). */
function startWatch(cwd: string, env: Record<string, string>): WatchRun {
  const childEnv: NodeJS.ProcessEnv = {...process.env}
  for (const name of Object.keys(childEnv)) if (name.startsWith('HARDENCTL_')) delete childEnv[name]
  const startedAt = performance.now()
  const child = spawn(process.execPath, [...childFlags(), BIN, 'reconcile', '--watch', '--interval', '1h', '--format', 'json'], {
    cwd,
    env: {...childEnv, ...env},
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const rss = followPeakRss(child.pid)
  const run: WatchRun = {
    peakRssMb: () => rss.peakMb,
    startedAt,
    passStartedAt: [],
    outputAt: [],
    plans: [],
    outputs: (n) => until(() => run.outputAt.length >= n),
    passStarted: (n) => until(() => run.passStartedAt.length >= n),
    passReason: (n) => new RegExp(`^hardenctl: pass ${n} \\((.*)\\) at `, 'm').exec(stderr)?.[1] ?? '?',
    stderr: () => stderr,
    exited: new Promise((resolve) =>
      child.on('close', (code) => {
        clearInterval(rss.timer)
        resolve(code)
      }),
    ),
  }
  let stderr = ''
  const waiters = new Set<() => void>()
  const until = (predicate: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (predicate()) {
          waiters.delete(check)
          resolve()
        }
      }
      waiters.add(check)
      check()
      void run.exited.then(() => {
        if (waiters.delete(check)) reject(new Error(`the CLI exited first:\n${stderr.slice(-2000)}`))
      })
    })
  // Chunks are kept apart and joined once: a growing string read at every chunk is quadratic, and
  // this process also serves the fakes the CLI is talking to.
  let chunks: string[] = []
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    // A watch pass's JSON plan is one line.
    let lineEnd = chunk.indexOf('\n')
    while (lineEnd !== -1) {
      chunks.push(chunk.slice(0, lineEnd))
      run.outputAt.push(performance.now())
      try {
        run.plans.push(JSON.parse(chunks.join('')) as PlanJson)
      } catch {
        run.plans.push(undefined)
      }
      chunks = []
      chunk = chunk.slice(lineEnd + 1)
      lineEnd = chunk.indexOf('\n')
    }
    if (chunk !== '') chunks.push(chunk)
    for (const check of [...waiters]) check()
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    const before = (stderr.match(/^hardenctl: pass \d+ \(/gm) ?? []).length
    stderr += chunk
    const after = (stderr.match(/^hardenctl: pass \d+ \(/gm) ?? []).length
    for (let pass = before; pass < after; pass++) run.passStartedAt.push(performance.now())
    for (const check of [...waiters]) check()
  })
  return run
}

function runOnce(cwd: string, env: Record<string, string>): Promise<{code: number; peakRssMb: number | undefined}> {
  const childEnv: NodeJS.ProcessEnv = {...process.env, ...env}
  for (const name of Object.keys(childEnv)) if (name.startsWith('HARDENCTL_')) delete childEnv[name]
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, 'reconcile', '--format', 'json'], {cwd, env: childEnv, maxBuffer: 1 << 30}, (error) => {
      clearInterval(rss.timer)
      resolve({code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, peakRssMb: rss.peakMb})
    })
    const rss = followPeakRss(child.pid)
  })
}

/** A child's peak RSS so far, in MB (Linux: VmHWM of /proc/PID/status), read every 100 ms. */
function followPeakRss(pid: number | undefined): {timer: NodeJS.Timeout; peakMb: number | undefined} {
  const state: {timer: NodeJS.Timeout; peakMb: number | undefined} = {
    peakMb: undefined,
    timer: setInterval(() => {
      try {
        const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
        if (kb !== undefined) state.peakMb = Number(kb) / 1024
      } catch {
        // Gone, or not Linux.
      }
    }, 100),
  }
  return state
}

function countOps(plan: PlanJson | undefined): Record<Op, number> | undefined {
  if (!plan) return undefined
  const ops: Record<Op, number> = {create: 0, update: 0, delete: 0, unchanged: 0}
  for (const action of plan.actions) if (action.op !== 'juju') ops[action.op]++
  ops.unchanged += plan.unchanged?.length ?? 0
  return ops
}

function report(context: {
  json: boolean
  generated: {pods: number}
  objects: number
  code: number | null
  peakRssMb: number | undefined
  stderr: string
  first: {ms: number; listedMs: number; traffic: Traffic; ops: Record<Op, number> | undefined}
  changes: ChangePass[]
  oneShot: {ms: number; code: number; peakRssMb: number | undefined; traffic: Traffic}
}): void {
  const {first, changes, oneShot} = context
  const medianMs = [...changes.map((change) => change.ms)].sort((a, b) => a - b)[Math.floor(changes.length / 2)]!
  const share = medianMs / first.ms
  const lists = Math.max(...changes.map((change) => change.traffic.lists))
  const round = (ms: number) => Math.round(ms)
  const mark = (ok: boolean) => (ok ? '' : '  ← off target')
  const ops = (o: Record<Op, number> | undefined) => (o ? `${o.create} to create, ${o.update} to update, ${o.delete} to delete, ${o.unchanged} unchanged` : 'no plan read')
  const line = (t: Traffic) => `${t.lists} Kubernetes LISTs, ${t.watches} watches, ${t.writes} writes, ${t.jujuCalls} Juju calls`
  console.log(`reconcile --watch against the loopback fakes: ${SIZE.models} models × ${SIZE.appsPerModel} apps, ${context.generated.pods} pods, ${context.objects} Kubernetes objects`)
  console.log(`  first pass:             ${round(first.ms)} ms from the start (${round(first.listedMs)} ms to the first lists of every kind); ${line(first.traffic)}`)
  console.log(`                          plan: ${ops(first.ops)}`)
  console.log(
    `  pass after one change:  ${round(medianMs)} ms, median of ${changes.length} (${changes.map((change) => round(change.ms)).join(', ')}) ` +
      `(${(share * 100).toFixed(1)} % of the first pass; target ≤ ${TARGET_SHARE * 100} %)${mark(share <= TARGET_SHARE)}; ` +
      `at most ${lists} LISTs (target ${TARGET_LISTS})${mark(lists === TARGET_LISTS)}`,
  )
  for (const change of changes) {
    console.log(`                          ${round(change.ms)} ms: ${change.reason} (service ${change.changed} given port 9090); ${line(change.traffic)}; plan: ${ops(change.ops)}; the Juju side (first to last call) ${round(change.jujuMs)} ms`)
  }
  console.log('                          (the models the Juju watch saw unchanged are not asked again)')
  const mb = (value: number | undefined) => (value === undefined ? '?' : `${round(value)} MB`)
  console.log(`  peak RSS:               the watch ${mb(context.peakRssMb)} (its stores hold the cluster between passes); the one-shot pass ${mb(oneShot.peakRssMb)}`)
  console.log(`  the same, one-shot:     ${round(oneShot.ms)} ms, exit ${oneShot.code}; ${line(oneShot.traffic)} (what a watch pass cost when every pass listed the cluster)`)
  if (context.code !== 0) console.log(`  the watch exited ${context.code}${mark(false)}: ${context.stderr.trim().split('\n').slice(-5).join(' | ')}`)
  if (context.json) {
    console.log(
      JSON.stringify({
        watch: {
          firstPassMs: round(first.ms),
          firstListsMs: round(first.listedMs),
          firstPass: first.traffic,
          firstOps: first.ops ?? null,
          afterOneChangeMs: round(medianMs),
          afterOneChangeEachMs: changes.map((change) => round(change.ms)),
          afterOneChangeShare: Number(share.toFixed(3)),
          afterOneChangeShareTarget: TARGET_SHARE,
          afterOneChange: changes.map((change) => change.traffic),
          afterOneChangeListsTarget: TARGET_LISTS,
          afterOneChangeJujuMs: changes.map((change) => round(change.jujuMs)),
          afterOneChangeOps: changes.map((change) => change.ops ?? null),
          oneShotMs: round(oneShot.ms),
          oneShotPeakRssMb: oneShot.peakRssMb === undefined ? null : round(oneShot.peakRssMb),
          oneShot: oneShot.traffic,
          peakRssMb: context.peakRssMb === undefined ? null : round(context.peakRssMb),
          exitCode: context.code,
        },
      }),
    )
  }
}

await main()
