/**
 * `node dist/test/bench/host-log-bench.js [SIZE_MB] [--json]`: writes a regiond.log of SIZE_MB
 * (default 512; the case is 5120) in a host root and runs `hardenctl host --root` over it
 * in a child process, twice: with the default policy (logs read back 168 h from the newest line,
 * so only the newest part of the file is read) and with the whole file inside the lookback (every
 * line read). Prints wall time and peak RSS next to the bound (< 200 MB). The log has one request
 * per second and a burst of failed logins every few hours, as regiond writes them.
 */
import {execFileSync} from 'node:child_process'
import {createWriteStream} from 'node:fs'
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {performance} from 'node:perf_hooks'
import {fileURLToPath} from 'node:url'

const RSS_BOUND_MB = 200

interface Measurement {
  ms: number
  peakRssMb: number
  findings: number
  linesRead: number
}

async function main(): Promise<void> {
  const [first, second, third] = process.argv.slice(2)
  if (first === '--child') return console.log(JSON.stringify(await measure(second!, third!)))
  const sizeMb = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 512)
  const json = process.argv.includes('--json')
  const dir = await mkdtemp(join(tmpdir(), 'hardenctl-host-bench-'))
  try {
    const lines = await writeRoot(dir, sizeMb)
    const policies = {window: join(dir, 'default.yaml'), whole: join(dir, 'whole.yaml')}
    await writeFile(policies.window, 'apiVersion: hardenctl.io/v1\n')
    await writeFile(policies.whole, 'apiVersion: hardenctl.io/v1\nhost:\n  logLookbackHours: 1000000\n')
    const window = runChild(dir, policies.window)
    const whole = runChild(dir, policies.whole)
    const figures = {sizeMb, lines, window, whole, rssBoundMb: RSS_BOUND_MB}
    console.log(`regiond.log: ${sizeMb} MB, ${lines} lines`)
    for (const [name, m] of [['newest 168 h (default policy)', window], ['whole file in the lookback ', whole]] as const) {
      const over = m.peakRssMb >= RSS_BOUND_MB ? '  ← above bound' : ''
      console.log(`${name}: ${Math.round(m.ms)} ms, ${m.linesRead} lines read, ${m.findings} findings, peak RSS ${Math.round(m.peakRssMb)} MB (bound < ${RSS_BOUND_MB} MB)${over}`)
    }
    if (json) console.log(JSON.stringify(figures))
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
}

function runChild(root: string, policy: string): Measurement {
  const output = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', root, policy], {encoding: 'utf8', maxBuffer: 16 << 20})
  return JSON.parse(output.trim().split('\n').pop()!) as Measurement
}

async function measure(root: string, policyFile: string): Promise<Measurement> {
  const {runHostAudit} = await import('../../src/host/run-host.js')
  const {renderReport} = await import('../../src/report/index.js')
  const start = performance.now()
  const result = await runHostAudit({roots: [{dir: root, display: root, target: {kind: 'host', name: 'bench'}, source: root}], policyFile, toolVersion: 'bench'})
  renderReport('json', result.report, result.rules)
  const linesRead = result.inventory.hosts?.[0]?.maas?.regiondLog?.linesRead ?? 0
  return {ms: performance.now() - start, peakRssMb: process.resourceUsage().maxRSS / 1024, findings: result.report.findings.length, linesRead}
}

/** A region host whose regiond.log grows to `sizeMb`: one request a second, a burst of 20 failures every 6 hours. */
async function writeRoot(dir: string, sizeMb: number): Promise<number> {
  await mkdir(join(dir, 'etc/maas'), {recursive: true})
  await writeFile(join(dir, 'etc/maas/regiond.conf'), 'database_name: maasdb\n', {mode: 0o640})
  await mkdir(join(dir, 'var/log/maas'), {recursive: true})
  const out = createWriteStream(join(dir, 'var/log/maas/regiond.log'))
  const limit = sizeMb * 1024 * 1024
  let written = 0
  let lines = 0
  let time = Date.UTC(2024, 0, 1)
  const agent = '(referrer: http://10.132.172.231:5240/MAAS/r/; agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/80.0.3987.149 Safari/537.36)'
  let chunk: string[] = []
  while (written < limit) {
    const stamp = new Date(time).toISOString().slice(0, 19).replace('T', ' ')
    const burst = lines % 21_600 < 20
    const line = burst
      ? `${stamp} regiond: [info] 203.0.113.${lines % 7} POST /MAAS/accounts/login/ HTTP/1.1 --> 400 BAD_REQUEST ${agent}\n`
      : `${stamp} regiond: [info] 10.132.172.1 GET /MAAS/api/2.0/machines/ HTTP/1.1 --> 200 OK ${agent}\n`
    chunk.push(line)
    written += line.length
    lines++
    time += 1000
    if (chunk.length === 10_000) {
      if (!out.write(chunk.join(''))) await new Promise<void>((resolve) => out.once('drain', () => resolve()))
      chunk = []
    }
  }
  out.write(chunk.join(''))
  await new Promise<void>((resolve) => out.end(() => resolve()))
  return lines
}

await main()
