/**
 * The live half of `npm run bench`: the synthetic estate of audit-bench (200 models × 40 apps,
 * 3 pods each: 24k pods) served by the loopback fakes (test/fake-kubernetes, test/fake-juju) in
 * this process, and a live audit of it in a child process: collection time, total time (collection,
 * audit, JSON report), peak RSS, and the API traffic against its targets: Kubernetes requests per
 * kind ceil(objects / 500) (one page of the default page size; 1 for an empty kind), Juju calls
 * 6 per controller + 4 per model, logins included.
 * Then the hostile servers of issue 14 (test/bad-input/live/hostile-servers.ts), one child each,
 * each with its bound printed next to its figure: an endless body (stopped at the response limit,
 * 64 MiB by default), a server that never answers and a Juju controller that never answers the
 * WebSocket handshake (both given up on at the --timeout deadline, HOSTILE_DEADLINE_MS here), a
 * connection closed mid-body (said at once, retried with backoff only), `Retry-After: 3600` (not
 * waited for).
 * `--json` prints the figures as one JSON object on the last line.
 */
import {execFile} from 'node:child_process'
import {realpathSync} from 'node:fs'
import {mkdir, mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises'
import {devNull, tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {performance} from 'node:perf_hooks'
import {promisify} from 'node:util'

import {KUBERNETES_LISTS} from '../../src/sources/kubernetes-api/list.js'
import type {FakeEstate, FakeModel} from '../fake-juju/estate.js'
import {startFakeController, writeJujuData} from '../fake-juju/server.js'
import {startFakeKubernetesApi, writeKubeconfig} from '../fake-kubernetes/server.js'
import {type Misbehaviour, startHostileServer} from '../bad-input/live/hostile-servers.js'
import {writeSyntheticEstate} from './synthetic-estate.js'

const SIZE = {models: 200, appsPerModel: 40, podsPerApp: 3}
const TARGET_RSS_MB = 512
const RUNS = 3
/** collectKubernetes's default page size. */
const PAGE_SIZE = 500
/** Per controller: login, ListModelSummaries, ModelInfo, UserInfo, ControllerConfig, ListApplicationOffers. */
const CALLS_PER_CONTROLLER = 6
/** Per model: login, FullStatus, ExportBundle, Block.List. */
const CALLS_PER_MODEL = 4
export const CONTROLLER = 'bench'
export const ADMIN_PASSWORD = 'bench-admin-password'
const NOW = '2026-11-01T00:00:00Z'
/** The --timeout the hostile cases run with. */
const HOSTILE_DEADLINE_MS = 5_000
/** The backstop's grace past the deadline (src/sources/live.ts) plus process start-up slack. */
const DEADLINE_SLACK_MS = 1_500
/** Peak RSS an endless body may cost: the limit, its copy as a string, and Node's own. */
const ENDLESS_RSS_BOUND_MB = 400
/** 4 waits of the default backoff (0.5, 1, 2, 4 s, halved to full jitter) plus slack; never a 30 s timeout. */
const MID_BODY_BOUND_MS = 7_500 + DEADLINE_SLACK_MS
/** Retry-After: 3600 is not waited for at all. */
const RETRY_AFTER_BOUND_MS = 1_000

/** What the child measures. */
interface Measurement {
  collectionMs: number
  totalMs: number
  peakRssMb: number
  jujuCalls: number
  kubernetesRequests: Record<string, number>
  findings: number
  documents: number
  warnings: string[]
}

/** One run: the child's measurement and what the fakes saw meanwhile. */
interface Run extends Measurement {
  served: {jujuCalls: number; kubernetesRequests: Record<string, number>}
  /** Wall time of the child as seen from here, and how much of it this process (the fakes) was busy. */
  wallMs: number
  fakesBusyMs: number
}

async function main(): Promise<void> {
  const [mode, target] = process.argv.slice(2)
  if (mode === '--child-live') return console.log(JSON.stringify(await measureLive(target!)))
  if (mode === '--child-hostile') return console.log(JSON.stringify(await measureHostile(target!, process.argv[4] as Misbehaviour)))

  if (mode === '--hostile-only') return hostileOnly()
  const json = process.argv.includes('--json')
  const dir = await mkdtemp(join(tmpdir(), 'hardenctl-live-bench-'))
  try {
    const {generated, objects, estate} = await syntheticLiveEstate(join(dir, 'estate'), SIZE)

    const setupStart = performance.now()
    const kubernetes = await startFakeKubernetesApi(objects)
    const controller = await startFakeController(estate)
    const setupMs = performance.now() - setupStart
    try {
      writeKubeconfig(dir, [{context: CONTROLLER, url: kubernetes.url}], CONTROLLER)
      writeJujuData(join(dir, 'juju-data'), [{name: CONTROLLER, controller, user: 'admin', password: ADMIN_PASSWORD}], CONTROLLER)

      const runs: Run[] = []
      for (let run = 0; run < RUNS; run++) {
        const callsBefore = controller.calls.length
        const requestsBefore = kubernetes.requests.length
        const loopBefore = performance.eventLoopUtilization()
        const start = performance.now()
        const measurement = await runChild(dir)
        const wallMs = performance.now() - start
        const loop = performance.eventLoopUtilization(loopBefore)
        runs.push({
          ...measurement,
          served: {
            jujuCalls: controller.calls.length - callsBefore,
            kubernetesRequests: byPlural(kubernetes.requests.slice(requestsBefore).map((request) => request.path)),
          },
          wallMs,
          fakesBusyMs: loop.active,
        })
      }
      const hostile = await hostileCases(dir)
      report(runs, {estate, objects, generated, setupMs, json, hostile})
    } finally {
      await Promise.all([controller.close(), kubernetes.close()])
    }
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
}

function report(
  runs: Run[],
  context: {estate: FakeEstate; objects: object[]; generated: {pods: number; files: number}; setupMs: number; json: boolean; hostile: HostileFigure[]},
): void {
  const {estate, objects, generated} = context
  const served = countByPlural(objects)
  const models = estate.models.length
  const jujuTarget = CALLS_PER_CONTROLLER + CALLS_PER_MODEL * models
  // Counts do not vary between runs unless something retried: report the most-requests run's.
  const heaviest = [...runs].sort((a, b) => sum(b.served.kubernetesRequests) - sum(a.served.kubernetesRequests) || b.served.jujuCalls - a.served.jujuCalls)[0]!
  const jujuCalls = Math.max(...runs.map((run) => run.served.jujuCalls))
  const clientJujuCalls = Math.max(...runs.map((run) => run.jujuCalls))

  const kinds = KUBERNETES_LISTS.map((spec) => {
    const objectsServed = served[spec.plural] ?? 0
    const target = Math.max(1, Math.ceil(objectsServed / PAGE_SIZE))
    const requests = heaviest.served.kubernetesRequests[spec.plural] ?? 0
    const clientRequests = heaviest.kubernetesRequests[spec.plural] ?? 0
    return {kind: spec.plural, objects: objectsServed, requests, clientRequests, target}
  })
  const collection = medianOf(runs, (run) => run.collectionMs)
  const total = medianOf(runs, (run) => run.totalMs)
  const rss = medianOf(runs, (run) => run.peakRssMb)
  const wall = medianOf(runs, (run) => run.wallMs)
  const fakesBusy = medianOf(runs, (run) => run.fakesBusyMs)
  const last = runs[runs.length - 1]!

  const figures = {
    estate: {...SIZE, pods: generated.pods, kubernetesObjects: objects.length, controllers: 1},
    collectionMs: round(collection),
    totalMs: round(total),
    auditMs: round(total - collection),
    peakRssMb: round(rss),
    rssTargetMb: TARGET_RSS_MB,
    childWallMs: round(wall),
    fakesBusyMs: round(fakesBusy),
    fakesSetupMs: round(context.setupMs),
    kubernetesRequests: Object.fromEntries(kinds.map((k) => [k.kind, {objects: k.objects, requests: k.requests, target: k.target}])),
    kubernetesRequestsTotal: sum(heaviest.served.kubernetesRequests),
    kubernetesRequestsTarget: kinds.reduce((n, k) => n + k.target, 0),
    jujuCalls,
    jujuCallsTarget: jujuTarget,
    jujuCallsByClient: clientJujuCalls,
    findings: last.findings,
    documents: last.documents,
    warnings: last.warnings.length,
    runs: RUNS,
    hostile: Object.fromEntries(context.hostile.map((h) => [h.kind, {ms: h.ms, boundMs: h.boundMs, peakRssMb: h.peakRssMb, rssBoundMb: h.rssBoundMb, served: h.served, message: h.message}])),
  }

  const mark = (ok: boolean, what = 'target') => (ok ? '' : `  ← off ${what}`)
  console.log(`live audit, medians of ${RUNS} runs`)
  console.log(
    `estate: ${SIZE.models} models × ${SIZE.appsPerModel} apps, ${generated.pods} pods, ${objects.length} Kubernetes objects, ` +
      `served by the loopback fakes (Kubernetes API and one Juju controller, started in ${round(context.setupMs)} ms)`,
  )
  console.log(`collection time:        ${figures.collectionMs} ms`)
  console.log(`total time:             ${figures.totalMs} ms (collection + audit + JSON report; audit ${figures.auditMs} ms, ${figures.findings} findings)`)
  console.log(`peak RSS:               ${figures.peakRssMb} MB (target < ${TARGET_RSS_MB})${rss < TARGET_RSS_MB ? '' : '  ← above target'}`)
  console.log(`fakes busy:             ${figures.fakesBusyMs} ms of the child's ${figures.childWallMs} ms (this process's event loop)`)
  console.log('Kubernetes requests per kind (target ceil(objects / 500), 1 when empty):')
  const width = Math.max(...kinds.map((k) => k.kind.length))
  for (const k of kinds) {
    const client = k.clientRequests === k.requests ? '' : ` (client counted ${k.clientRequests})`
    console.log(`  ${k.kind.padEnd(width)}  ${String(k.requests).padStart(3)} (target ${k.target}, ${k.objects} objects)${client}${mark(k.requests === k.target)}`)
  }
  console.log(
    `Juju API calls:         ${jujuCalls} (target ${CALLS_PER_CONTROLLER} + ${CALLS_PER_MODEL} × ${models} models = ${jujuTarget})` +
      `${clientJujuCalls === jujuCalls ? '' : ` (client counted ${clientJujuCalls})`}${mark(jujuCalls === jujuTarget)}`,
  )
  if (last.warnings.length > 0) {
    console.log(`collection warnings:    ${last.warnings.length}`)
    for (const warning of last.warnings.slice(0, 5)) console.log(`  ${warning}`)
  }
  printHostile(context.hostile)
  if (context.json) console.log(JSON.stringify(figures))
}

/** The synthetic estate written to `estateDir`, as the loopback fakes serve it: the Kubernetes objects and the controller. */
export async function syntheticLiveEstate(estateDir: string, size: Parameters<typeof writeSyntheticEstate>[1]) {
  const generated = await writeSyntheticEstate(estateDir, size)
  const objects = await readKubernetesObjects(join(estateDir, 'kubernetes'))
  const estate = await fakeEstate(join(estateDir, 'juju', CONTROLLER, 'models'), objects)
  return {generated, objects, estate}
}

/** Every object of the estate's `kubernetes/*.json` lists, kind and apiVersion included. */
export async function readKubernetesObjects(kubeDir: string): Promise<object[]> {
  const objects: object[] = []
  for (const file of (await readdir(kubeDir)).filter((name) => name.endsWith('.json')).sort()) {
    const list = JSON.parse(await readFile(join(kubeDir, file), 'utf8')) as {items?: object[]}
    for (const item of list.items ?? []) objects.push(item)
  }
  return objects
}

/**
 * The controller for the estate: one caas model per `juju/bench/models/<model>/status.json`, with
 * the UUID its namespace's `model.juju.is/id` label carries, owned by admin, shared with alice.
 */
export async function fakeEstate(modelsDir: string, objects: object[]): Promise<FakeEstate> {
  const uuids = new Map<string, string>()
  for (const object of objects as {kind?: string; metadata?: {name?: string; labels?: Record<string, string>}}[]) {
    const id = object.metadata?.labels?.['model.juju.is/id']
    if (object.kind === 'Namespace' && object.metadata?.name && id) uuids.set(object.metadata.name, id)
  }
  const recent = '2026-10-31T09:00:00Z'
  const models: FakeModel[] = []
  for (const name of (await readdir(modelsDir)).sort()) {
    const status = JSON.parse(await readFile(join(modelsDir, name, 'status.json'), 'utf8')) as Record<string, unknown>
    const cliModel = (status.model ?? {}) as {version?: string; cloud?: string; region?: string}
    const uuid = uuids.get(name)
    if (!uuid) throw new Error(`live bench: no namespace labelled for model ${name}`)
    models.push({
      name,
      uuid,
      owner: 'admin',
      type: 'caas',
      cloud: cliModel.cloud ?? 'microk8s',
      region: cliModel.region ?? 'localhost',
      agentVersion: cliModel.version ?? '3.6.1',
      status,
      users: [
        {user: 'admin', access: 'admin', lastConnection: recent},
        {user: 'alice', access: 'write', lastConnection: '2026-10-28T15:30:00Z'},
      ],
    })
  }
  // The controller UUID the synthetic pods carry in `controller.juju.is/id`.
  const controllerUuid = '00000000-0000-4000-8000-000000000001'
  return {
    controllerName: CONTROLLER,
    controllerUuid,
    jujuVersion: '3.6',
    cloud: {name: 'microk8s', region: 'localhost', type: 'kubernetes'},
    users: [
      {name: 'admin', password: ADMIN_PASSWORD, displayName: 'admin', access: 'superuser', lastConnection: recent, dateCreated: '2026-01-05T10:00:00Z', createdBy: 'admin'},
      {name: 'alice', password: 'bench-alice-password', displayName: 'Alice', access: 'login', lastConnection: '2026-10-28T15:30:00Z', dateCreated: '2026-02-01T10:00:00Z', createdBy: 'admin'},
    ],
    models,
    controllerConfig: {
      'api-port': 17070,
      'audit-log-capture-args': false,
      'audit-log-exclude-methods': 'ReadOnlyMethods',
      'audit-log-max-backups': 10,
      'audit-log-max-size': '300M',
      'auditing-enabled': true,
      'controller-name': CONTROLLER,
      'controller-uuid': controllerUuid,
      'max-debug-log-duration': '24h0m0s',
      'state-port': 37017,
    },
  }
}

/** The measured work, in the child: collect from the fakes, then audit and render as `hardenctl audit --format json` would. */
async function measureLive(dir: string): Promise<Measurement> {
  const {collectLive} = await import('../../src/sources/live.js')
  const {runAudit} = await import('../../src/audit/run-audit.js')
  const {renderReportChunks} = await import('../../src/report/index.js')
  const env: NodeJS.ProcessEnv = {...process.env, JUJU_DATA: join(dir, 'juju-data'), KUBECONFIG: join(dir, 'kubeconfig'), HOME: dir}
  // Whatever the caller's shell points at, the bench inspects the fakes only.
  for (const name of Object.keys(env)) if (name.startsWith('HARDENCTL_JUJU_')) delete env[name]
  const start = performance.now()
  const collection = await collectLive({juju: {}, kubernetes: {}, env})
  const collectionMs = performance.now() - start
  const result = await runAudit({live: collection, toolVersion: 'bench', now: new Date(NOW)})
  // As `audit --format json -o FILE` writes it: in pieces, as they are made.
  await writeFile(devNull, renderReportChunks('json', result.report, result.rules))
  return {
    collectionMs,
    totalMs: performance.now() - start,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    jujuCalls: collection.stats.jujuCalls,
    kubernetesRequests: collection.stats.kubernetesRequests,
    findings: result.report.findings.length,
    documents: collection.documents.length,
    warnings: collection.warnings,
  }
}

interface HostileFigure {
  kind: Misbehaviour
  ms: number
  boundMs: number
  peakRssMb: number
  rssBoundMb?: number
  /** What the server saw: requests, and bytes for the endless body. */
  served: string
  message: string
}

const HOSTILE_BOUNDS: Record<Misbehaviour, {boundMs: number; rssBoundMb?: number}> = {
  'endless-body': {boundMs: HOSTILE_DEADLINE_MS + DEADLINE_SLACK_MS, rssBoundMb: ENDLESS_RSS_BOUND_MB},
  'mid-body-close': {boundMs: MID_BODY_BOUND_MS},
  'never-answers': {boundMs: HOSTILE_DEADLINE_MS + DEADLINE_SLACK_MS},
  'retry-after-hour': {boundMs: RETRY_AFTER_BOUND_MS},
  'silent-tcp': {boundMs: HOSTILE_DEADLINE_MS + DEADLINE_SLACK_MS},
}

/** Each hostile server in this process, a live collection against it in a child. */
async function hostileCases(dir: string): Promise<HostileFigure[]> {
  const figures: HostileFigure[] = []
  for (const kind of Object.keys(HOSTILE_BOUNDS) as Misbehaviour[]) {
    const server = await startHostileServer(kind)
    try {
      const caseDir = join(dir, `hostile-${kind}`)
      if (kind !== 'silent-tcp') writeKubeconfig(await mkdirp(caseDir), [{context: kind, url: server.url}])
      else await mkdirp(caseDir)
      const measured = await runHostileChild(caseDir, kind, server.url)
      const sent = server.bytesSent() > 0 ? `, ${Math.round(server.bytesSent() / (1 << 20))} MiB sent` : ''
      figures.push({kind, ...HOSTILE_BOUNDS[kind], ms: round(measured.ms), peakRssMb: round(measured.peakRssMb), served: `${server.requests()} request${server.requests() === 1 ? '' : 's'}${sent}`, message: measured.message})
    } finally {
      await server.close()
    }
  }
  return figures
}

async function mkdirp(path: string): Promise<string> {
  await mkdir(path, {recursive: true})
  return path
}

/** `--hostile-only`: just the hostile cases, printed as in the full report. */
async function hostileOnly(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'hardenctl-live-bench-'))
  try {
    printHostile(await hostileCases(dir))
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
}

function printHostile(hostile: HostileFigure[]): void {
  console.log(`hostile servers (issue 14; --timeout ${HOSTILE_DEADLINE_MS / 1000}s where a deadline bounds it):`)
  for (const h of hostile) {
    const within = h.ms <= h.boundMs && (h.rssBoundMb === undefined || h.peakRssMb <= h.rssBoundMb)
    const rss = h.rssBoundMb === undefined ? `peak RSS ${h.peakRssMb} MB` : `peak RSS ${h.peakRssMb} MB (bound ${h.rssBoundMb} MB)`
    console.log(`  ${h.kind.padEnd(17)} ${String(h.ms).padStart(6)} ms (bound ${h.boundMs} ms), ${rss}, ${h.served}${within ? '' : '  ← off bound'}`)
    console.log(`  ${''.padEnd(17)} ${h.message}`)
  }
}

/** In the child: one live collection against a hostile server, with the defaults but for --timeout. */
async function measureHostile(dir: string, kind: Misbehaviour): Promise<{ms: number; peakRssMb: number; message: string}> {
  const {collectLive} = await import('../../src/sources/live.js')
  const url = process.argv[5] ?? ''
  const env: NodeJS.ProcessEnv = {HOME: dir, KUBECONFIG: join(dir, 'kubeconfig'), JUJU_DATA: join(dir, 'no-juju')}
  if (kind === 'silent-tcp') Object.assign(env, {HARDENCTL_JUJU_ENDPOINTS: url, HARDENCTL_JUJU_USER: 'admin', HARDENCTL_JUJU_PASSWORD: ADMIN_PASSWORD})
  const start = performance.now()
  let message = 'collected (unexpected)'
  try {
    await collectLive({juju: kind === 'silent-tcp' ? {} : false, kubernetes: kind === 'silent-tcp' ? false : {}, env, timeoutMs: HOSTILE_DEADLINE_MS})
  } catch (error) {
    message = error instanceof Error ? error.message : String(error)
  }
  return {ms: performance.now() - start, peakRssMb: process.resourceUsage().maxRSS / 1024, message}
}

async function runHostileChild(dir: string, kind: Misbehaviour, url: string): Promise<{ms: number; peakRssMb: number; message: string}> {
  const {stdout} = await execFileAsync(process.execPath, [fileURLToPath(import.meta.url), '--child-hostile', dir, kind, url], {encoding: 'utf8', maxBuffer: 1 << 24})
  return JSON.parse(stdout.trim().split('\n').pop()!) as {ms: number; peakRssMb: number; message: string}
}

const execFileAsync = promisify(execFile)

/** Asynchronously: the fakes answering the child live in this process's event loop. */
async function runChild(dir: string): Promise<Measurement> {
  const {stdout} = await execFileAsync(process.execPath, [fileURLToPath(import.meta.url), '--child-live', dir], {encoding: 'utf8', maxBuffer: 1 << 24})
  return JSON.parse(stdout.trim().split('\n').pop()!) as Measurement
}

function countByPlural(objects: object[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const object of objects as {kind?: string; apiVersion?: string}[]) {
    const spec = KUBERNETES_LISTS.find((s) => s.kind === object.kind && s.apiVersion === object.apiVersion)
    const plural = spec?.plural ?? `${object.apiVersion}/${object.kind}`
    counts[plural] = (counts[plural] ?? 0) + 1
  }
  return counts
}

function byPlural(paths: string[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const path of paths) {
    const plural = KUBERNETES_LISTS.find((spec) => spec.path === path)?.plural ?? path
    counts[plural] = (counts[plural] ?? 0) + 1
  }
  return counts
}

function medianOf<T>(values: T[], by: (value: T) => number): number {
  return values.map(by).sort((a, b) => a - b)[values.length >> 1]!
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((n, count) => n + count, 0)
}

function round(value: number, digits = 0): number {
  const factor = 10 ** digits
  return Math.round(value * factor) / factor
}

// reconcile-bench imports the fakes' setup from here; only running this file runs the bench.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) await main()
