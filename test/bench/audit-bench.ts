/**
 * `npm run bench`: audits a synthetic estate (200 models × 40 apps, 3 pods each: 24k pods) and
 * compares the audit's wall time with merely reading and JSON.parse-ing the same files.
 * Each measurement runs in its own Node process so peak RSS is the measured work's own.
 * `--json` prints the figures as one JSON object on the last line.
 */
import {execFileSync} from 'node:child_process'
import {readdir, readFile, rm, writeFile} from 'node:fs/promises'
import {mkdtemp} from 'node:fs/promises'
import {devNull, tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {performance} from 'node:perf_hooks'

import {writeSyntheticEstate} from './synthetic-estate.js'

const SIZE = {models: 200, appsPerModel: 40, podsPerApp: 3}
const TARGET_RATIO = 1.5
const TARGET_RSS_MB = 512
const RUNS = 3

interface Measurement {
  ms: number
  peakRssMb: number
  findings?: number
}

async function main(): Promise<void> {
  const [mode, target] = process.argv.slice(2)
  if (mode === '--child-audit') return printMeasurement(await measureAudit(target!))
  if (mode === '--child-parse') return printMeasurement(await measureParse(target!))

  const json = process.argv.includes('--json')
  const dir = await mkdtemp(join(tmpdir(), 'hardenctl-bench-'))
  try {
    const generated = await writeSyntheticEstate(dir, SIZE)
    // Alternate the two, three times each, and keep the medians: single runs on a shared 2-core
    // machine vary by a factor of two.
    const parseRuns: Measurement[] = []
    const auditRuns: Measurement[] = []
    for (let run = 0; run < RUNS; run++) {
      parseRuns.push(runChild('--child-parse', dir))
      auditRuns.push(runChild('--child-audit', dir))
    }
    const parse = median(parseRuns)
    const audit = median(auditRuns)
    const ratio = audit.ms / parse.ms
    const figures = {
      estate: {...SIZE, pods: generated.pods, files: generated.files},
      auditMs: round(audit.ms),
      readParseMs: round(parse.ms),
      ratio: round(ratio, 2),
      ratioTarget: TARGET_RATIO,
      auditPeakRssMb: round(audit.peakRssMb),
      readParsePeakRssMb: round(parse.peakRssMb),
      rssTargetMb: TARGET_RSS_MB,
      findings: audit.findings,
      runs: RUNS,
    }
    console.log(`medians of ${RUNS} runs each`)
    console.log(`estate: ${SIZE.models} models × ${SIZE.appsPerModel} apps, ${generated.pods} pods, ${generated.files} files`)
    console.log(`audit wall time:        ${figures.auditMs} ms (${audit.findings} findings)`)
    console.log(`read + JSON.parse only: ${figures.readParseMs} ms`)
    console.log(`ratio:                  ${figures.ratio} (target ≤ ${TARGET_RATIO})${ratio <= TARGET_RATIO ? '' : '  ← above target'}`)
    console.log(`audit peak RSS:         ${figures.auditPeakRssMb} MB (target < ${TARGET_RSS_MB})${audit.peakRssMb < TARGET_RSS_MB ? '' : '  ← above target'}`)
    if (json) console.log(JSON.stringify(figures))
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
}

function runChild(mode: string, dir: string): Measurement {
  const output = execFileSync(process.execPath, [fileURLToPath(import.meta.url), mode, dir], {encoding: 'utf8', maxBuffer: 1 << 20})
  return JSON.parse(output.trim().split('\n').pop()!) as Measurement
}

async function measureAudit(dir: string): Promise<Measurement> {
  const {runAudit} = await import('../../src/audit/run-audit.js')
  const {renderReportChunks} = await import('../../src/report/index.js')
  const start = performance.now()
  const result = await runAudit({from: [dir], toolVersion: 'bench', now: new Date('2026-11-01T00:00:00Z')})
  // As `audit --format json -o FILE` writes it: in pieces, as they are made.
  await writeFile(devNull, renderReportChunks('json', result.report, result.rules))
  return {ms: performance.now() - start, peakRssMb: peakRssMb(), findings: result.report.findings.length}
}

async function measureParse(dir: string): Promise<Measurement> {
  const start = performance.now()
  for (const file of await listFiles(dir)) JSON.parse(await readFile(file, 'utf8'))
  return {ms: performance.now() - start, peakRssMb: peakRssMb()}
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, {withFileTypes: true, recursive: true})
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name)).sort()
}

/** The run with the median time, with the median peak RSS of all runs. */
function median(runs: Measurement[]): Measurement {
  const middle = <T>(values: T[], by: (value: T) => number): T => [...values].sort((a, b) => by(a) - by(b))[values.length >> 1]!
  return {...middle(runs, (run) => run.ms), peakRssMb: middle(runs, (run) => run.peakRssMb).peakRssMb}
}

function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024
}

function printMeasurement(measurement: Measurement): void {
  console.log(JSON.stringify(measurement))
}

function round(value: number, digits = 0): number {
  const factor = 10 ** digits
  return Math.round(value * factor) / factor
}

await main()
