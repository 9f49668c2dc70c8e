/**
 * `npm run bench` (issue 14): large and hostile inputs, each read by `readFileSources` (what every
 * command reads --from with) in its own Node process, so its peak RSS is its own. Each figure is
 * printed next to its bound; a figure above its bound is marked and makes the run exit 1.
 *   fifo, /dev/zero, /dev/urandom, a 1 GiB .charm: refused without reading them
 *   200 MB of YAML: refused by the YAML limit from its size, not parsed
 *   200 MB JSON pod list: read whole
 *   juju status YAML of 16,000 and 32,000 applications: linear (twice the input, at most 2.6× the time)
 * `--json` prints the figures as one JSON object on the last line.
 */
import {execFileSync} from 'node:child_process'
import {createWriteStream} from 'node:fs'
import {mkdtemp, rm, truncate, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {performance} from 'node:perf_hooks'

interface Measurement {
  ms: number
  peakRssMb: number
  outcome: string
}

interface Bound {
  ms?: number
  peakRssMb?: number
}

const MB = 1024 * 1024

async function main(): Promise<void> {
  const [mode, target] = process.argv.slice(2)
  if (mode === '--child') return measure(target!)

  const json = process.argv.includes('--json')
  const dir = await mkdtemp(join(tmpdir(), 'hardenctl-large-bench-'))
  const figures: Record<string, Measurement & {bound: Bound; within: boolean}> = {}
  let failed = false
  const run = (name: string, path: string, bound: Bound): Measurement => {
    const measured = runChild(path)
    const within = (bound.ms === undefined || measured.ms <= bound.ms) && (bound.peakRssMb === undefined || measured.peakRssMb <= bound.peakRssMb)
    if (!within) failed = true
    figures[name] = {...measured, bound, within}
    const limits = [bound.ms === undefined ? '' : `≤ ${bound.ms} ms`, bound.peakRssMb === undefined ? '' : `≤ ${bound.peakRssMb} MB`].filter(Boolean).join(', ')
    console.log(`${name.padEnd(28)} ${String(Math.round(measured.ms)).padStart(7)} ms  ${String(Math.round(measured.peakRssMb)).padStart(5)} MB peak  (bound ${limits})${within ? '' : '  ← above bound'}  ${measured.outcome}`)
    return measured
  }
  try {
    const fifo = join(dir, 'pipe.json')
    execFileSync('mkfifo', [fifo])
    run('FIFO', fifo, {ms: 2000, peakRssMb: 200})
    run('/dev/zero', '/dev/zero', {ms: 2000, peakRssMb: 200})
    run('/dev/urandom', '/dev/urandom', {ms: 2000, peakRssMb: 200})
    // Sparse: 1 GiB long, nothing on disk. Read whole before the fix; now only its last 64 KiB.
    const charm = join(dir, 'huge.charm')
    await writeFile(charm, '')
    await truncate(charm, 1024 * MB)
    run('1 GiB .charm', charm, {ms: 2000, peakRssMb: 200})

    const bigYaml = join(dir, 'status-200mb.yaml')
    await writeStatusYaml(bigYaml, 400_000)
    run('200 MB YAML (refused)', bigYaml, {ms: 5000, peakRssMb: 600})

    const pods = join(dir, 'pods-200mb.json')
    await writePodList(pods, 200 * MB)
    run('200 MB JSON pod list', pods, {ms: 20_000, peakRssMb: 3000})

    const small = join(dir, 'status-16k.yaml')
    const large = join(dir, 'status-32k.yaml')
    await writeStatusYaml(small, 16_000)
    await writeStatusYaml(large, 32_000)
    const sixteen = run('status YAML, 16k apps', small, {peakRssMb: 1500})
    const thirtyTwo = run('status YAML, 32k apps', large, {peakRssMb: 2500})
    const ratio = thirtyTwo.ms / sixteen.ms
    const linear = ratio <= 2.6
    if (!linear) failed = true
    console.log(`32k / 16k time ratio          ${ratio.toFixed(2)} (bound ≤ 2.6: linear)${linear ? '' : '  ← above bound'}`)
    if (json) console.log(JSON.stringify({...figures, statusYamlRatio: {ratio, bound: 2.6, within: linear}}))
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
  if (failed) process.exitCode = 1
}

function runChild(path: string): Measurement {
  const output = execFileSync(process.execPath, ['--max-old-space-size=4096', fileURLToPath(import.meta.url), '--child', path], {encoding: 'utf8', maxBuffer: 1 << 20})
  return JSON.parse(output.trim().split('\n').pop()!) as Measurement
}

async function measure(path: string): Promise<void> {
  const {readFileSources} = await import('../../src/sources/files.js')
  const start = performance.now()
  let outcome: string
  try {
    const result = await readFileSources([path])
    outcome = `read: ${result.contributions.length} contributions`
  } catch (error) {
    outcome = `refused: ${(error as Error).message.replace(path, '<file>').slice(0, 90)}`
  }
  console.log(JSON.stringify({ms: performance.now() - start, peakRssMb: process.resourceUsage().maxRSS / 1024, outcome}))
}

/** A `juju status --format yaml` of one model with `apps` applications (about 500 bytes each). */
async function writeStatusYaml(file: string, apps: number): Promise<void> {
  const out = createWriteStream(file)
  out.write('model:\n  name: big\n  type: caas\n  controller: bench\n  cloud: k8s\n  version: 3.6.1\n  model-status:\n    current: available\nmachines: {}\napplications:\n')
  for (let a = 0; a < apps; a++) {
    const chunk =
      `  app-${a}:\n    charm: postgresql-k8s\n    charm-origin: charmhub\n    charm-name: postgresql-k8s\n    charm-rev: ${a}\n    charm-channel: latest/stable\n` +
      `    scale: 1\n    exposed: ${a % 20 === 0}\n    application-status:\n      current: active\n    relations:\n      backend:\n      - related-application: app-${(a + 1) % apps}\n` +
      `        interface: http\n        scope: global\n    units:\n      app-${a}/0:\n        workload-status:\n          current: active\n        juju-status:\n          current: idle\n` +
      `        leader: true\n        address: 10.1.${a % 250}.${(a >> 8) % 250}\n`
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()))
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())))
}

/** A `kubectl get pods -A -o json` of at least `bytes` bytes. */
async function writePodList(file: string, bytes: number): Promise<void> {
  const out = createWriteStream(file)
  out.write('{"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": [\n')
  let written = 0
  for (let i = 0; written < bytes; i++) {
    const pod = JSON.stringify(
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {name: `app-${i}-0`, namespace: `model-${i % 200}`, uid: `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`, labels: {'app.kubernetes.io/name': `app-${i}`}},
        spec: {
          serviceAccountName: `app-${i}`,
          automountServiceAccountToken: true,
          containers: [
            {name: 'charm', image: 'jujusolutions/charm-base:ubuntu-22.04', securityContext: {runAsUser: 170, runAsGroup: 170}},
            {name: 'workload', image: 'registry.example/app:1.0', ports: [{containerPort: 8080, protocol: 'TCP'}], securityContext: {runAsUser: 0}},
          ],
        },
        status: {phase: 'Running', podIP: `10.1.${i % 250}.${(i >> 8) % 250}`},
      },
      null,
      2,
    )
    const chunk = `${i === 0 ? '' : ',\n'}${pod}`
    written += chunk.length
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()))
  }
  out.write('\n]}\n')
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())))
}

await main()
