/**
 * `npm run bench`: audits a synthetic estate (200 models × 40 apps, 3 pods each: 24k pods), and
 * the same at four times the size, and compares the audit's wall time with merely reading and
 * JSON.parse-ing the same files.
 * Each measurement runs in its own Node process so peak RSS is the measured work's own.
 * `--json` prints the figures as one JSON object on the last line.
 */
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {devNull, tmpdir} from 'node:os'
import {join} from 'node:path'

import {alternatedMedians, type Measurement, measure, measureReadParseJson, printMeasurement, round} from './child-measure.js'
import {writeSyntheticEstate} from './synthetic-estate.js'

const SIZE = {models: 200, appsPerModel: 40, podsPerApp: 3}
const TARGET_RATIO = 1.5
const TARGET_RSS_MB = 512
const RUNS = 3
/** The bench estate, and four times it: the ratio must not grow with the estate. `--quick` runs 1× only. */
const SCALES = process.argv.includes('--quick') ? [1] : [1, 4]

interface AuditMeasurement extends Measurement {
  findings?: number
}

async function main(): Promise<void> {
  const [mode, target] = process.argv.slice(2)
  if (mode === '--child-audit') return printMeasurement(await measureAudit(target!))
  if (mode === '--child-parse') return printMeasurement(await measureReadParseJson(target!))

  const json = process.argv.includes('--json')
  const results = []
  for (const scale of SCALES) results.push(await measureEstate(scale))
  const [base, scaled] = results
  if (base && scaled) {
    // No superlinear step: the ratio at 4× the estate is the ratio at 1×, give or take noise.
    console.log(`ratio at ${scaled.scale}× vs 1×:      ${round(scaled.ratio / base.ratio, 2)} (target ≈ 1: the audit grows as its input does)`)
  }
  if (json) console.log(JSON.stringify({runs: RUNS, ratioTarget: TARGET_RATIO, rssTargetMb: TARGET_RSS_MB, estates: results}))
}

async function measureEstate(scale: number) {
  const size = {...SIZE, models: SIZE.models * scale}
  const dir = await mkdtemp(join(tmpdir(), 'hardenctl-bench-'))
  try {
    const generated = await writeSyntheticEstate(dir, size)
    const {parse, work: audit} = alternatedMedians<AuditMeasurement>(import.meta.url, '--child-audit', dir, RUNS)
    const ratio = audit.ms / parse.ms
    // The memory target is for the bench estate; at 4× it is reported, not judged.
    const judged = scale === 1
    console.log(`${scale}× estate, medians of ${RUNS} runs each`)
    console.log(`  estate: ${size.models} models × ${size.appsPerModel} apps, ${generated.pods} pods, ${generated.files} files`)
    console.log(`  audit wall time:        ${round(audit.ms)} ms (${audit.findings} findings)`)
    console.log(`  read + JSON.parse only: ${round(parse.ms)} ms`)
    console.log(`  ratio:                  ${round(ratio, 2)} (target ≤ ${TARGET_RATIO})${ratio <= TARGET_RATIO ? '' : '  ← above target'}`)
    console.log(`  CPU time:               audit ${round(audit.cpuMs)} ms, read + parse ${round(parse.cpuMs)} ms, ratio ${round(audit.cpuMs / parse.cpuMs, 2)} (less moved by other work on the machine)`)
    console.log(
      `  audit peak RSS:         ${round(audit.peakRssMb)} MB${judged ? ` (target < ${TARGET_RSS_MB})${audit.peakRssMb < TARGET_RSS_MB ? '' : '  ← above target'}` : ` (read + parse alone: ${round(parse.peakRssMb)} MB)`}`,
    )
    return {
      scale,
      estate: {...size, pods: generated.pods, files: generated.files},
      auditMs: round(audit.ms),
      readParseMs: round(parse.ms),
      ratio: round(ratio, 2),
      cpuRatio: round(audit.cpuMs / parse.cpuMs, 2),
      auditPeakRssMb: round(audit.peakRssMb),
      readParsePeakRssMb: round(parse.peakRssMb),
      findings: audit.findings,
    }
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
}

// The child runs in the estate directory (alternatedMedians), so no ./hardenctl.yaml of the repository is read.
async function measureAudit(dir: string): Promise<AuditMeasurement> {
  const {runAudit} = await import('../../src/audit/run-audit.js')
  const {renderReportChunks} = await import('../../src/report/index.js')
  return measure(async () => {
    const result = await runAudit({from: [dir], toolVersion: 'bench', now: new Date('2026-11-01T00:00:00Z')})
    // As `audit --format json -o FILE` writes it: in pieces, as they are made.
    await writeFile(devNull, renderReportChunks('json', result.report, result.rules))
    return {findings: result.report.findings.length}
  })
}

await main()
