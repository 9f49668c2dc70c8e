/**
 * `npm run bench` (issue 16): `netpol matrix --from` the bench estate (synthetic-estate.ts: 200
 * models × 40 apps, 3 pods each: 24k pods, 8,000 pod classes, 100 namespaces with a default-deny
 * policy) against reading and JSON.parse-ing the same files. The netpol child does what the
 * command does: validate the policy file, read the snapshot, build the classes, the matrix and its
 * entries, and render the table (the default format). Each measurement runs in its own Node
 * process, modules loaded before the clock starts, so peak RSS is the measured work's own.
 * `--json` prints the figures as one JSON object on the last line.
 */
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {performance} from 'node:perf_hooks'

import {alternatedMedians, type Measurement, measure, measureReadParseJson, printMeasurement, round} from './child-measure.js'
import {writeSyntheticEstate} from './synthetic-estate.js'

const SIZE = {models: 200, appsPerModel: 40, podsPerApp: 3}
// netpol matrix reads the same snapshot audit reads, then answers a question about every pair of
// 8,000 applications: the answer may cost reading the input once more, not more. Past 2× a user
// at this size waits on the tool rather than on the estate's size.
const TARGET_RATIO = 2
// The same input as audit, and the same bound: a laptop or a CI runner next to other work.
const TARGET_RSS_MB = 512
const RUNS = 3

interface NetpolMeasurement extends Measurement {
  classes?: number
  entries?: number
  lines?: number
  /** Of `ms`: reading the snapshot into an inventory and building the classes (loadNetpolInput). */
  loadMs?: number
}

async function main(): Promise<void> {
  const [mode, target] = process.argv.slice(2)
  if (mode === '--child-netpol') return printMeasurement(await measureNetpol(target!))
  if (mode === '--child-parse') return printMeasurement(await measureReadParseJson(target!))

  const json = process.argv.includes('--json')
  const dir = await mkdtemp(join(tmpdir(), 'hardenctl-netpol-bench-'))
  try {
    const generated = await writeSyntheticEstate(dir, SIZE)
    const {parse, work: netpol} = alternatedMedians<NetpolMeasurement>(import.meta.url, '--child-netpol', dir, RUNS)
    const ratio = netpol.ms / parse.ms
    const figures = {
      estate: {...SIZE, pods: generated.pods, files: generated.files},
      netpolMatrixMs: round(netpol.ms),
      loadMs: round(netpol.loadMs ?? 0),
      readParseMs: round(parse.ms),
      ratio: round(ratio, 2),
      ratioTarget: TARGET_RATIO,
      netpolMatrixCpuMs: round(netpol.cpuMs),
      readParseCpuMs: round(parse.cpuMs),
      cpuRatio: round(netpol.cpuMs / parse.cpuMs, 2),
      netpolMatrixPeakRssMb: round(netpol.peakRssMb),
      readParsePeakRssMb: round(parse.peakRssMb),
      rssTargetMb: TARGET_RSS_MB,
      classes: netpol.classes,
      entries: netpol.entries,
      tableLines: netpol.lines,
      runs: RUNS,
    }
    console.log(`netpol matrix: medians of ${RUNS} runs each`)
    console.log(`estate: ${SIZE.models} models × ${SIZE.appsPerModel} apps, ${generated.pods} pods, ${generated.files} files`)
    console.log(`netpol matrix wall time: ${figures.netpolMatrixMs} ms (${netpol.classes} pod classes, ${netpol.entries} entries, ${netpol.lines} table lines)`)
    console.log(`  of which read, inventory and classes (loadNetpolInput): ${figures.loadMs} ms; matrix, entries and table: ${round(netpol.ms - (netpol.loadMs ?? 0))} ms`)
    console.log(`read + JSON.parse only:  ${figures.readParseMs} ms`)
    console.log(`ratio:                   ${figures.ratio} (target ≤ ${TARGET_RATIO})${ratio <= TARGET_RATIO ? '' : '  ← above target'}`)
    console.log(`CPU time:                netpol matrix ${figures.netpolMatrixCpuMs} ms, read + parse ${figures.readParseCpuMs} ms, ratio ${figures.cpuRatio} (less moved by other work on the machine)`)
    console.log(`netpol matrix peak RSS:  ${figures.netpolMatrixPeakRssMb} MB (target < ${TARGET_RSS_MB}; read + parse: ${figures.readParsePeakRssMb} MB)${netpol.peakRssMb < TARGET_RSS_MB ? '' : '  ← above target'}`)
    if (json) console.log(JSON.stringify(figures))
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
}

// The child runs in the estate directory (alternatedMedians), so no ./hardenctl.yaml of the repository is read.
async function measureNetpol(dir: string): Promise<NetpolMeasurement> {
  const {loadNetpolInput, selectNamespaces} = await import('../../src/netpol/command-input.js')
  const {matrixEntries} = await import('../../src/netpol/entries.js')
  const {reachabilityMatrix} = await import('../../src/netpol/matrix.js')
  const {renderMatrixTable} = await import('../../src/netpol/render.js')
  const start = performance.now()
  return measure(async () => {
    const loaded = await loadNetpolInput({from: [dir]})
    const loadMs = performance.now() - start
    const namespaces = selectNamespaces(loaded.namespaces, undefined)
    const matrix = reachabilityMatrix(loaded.input, loaded.classes)
    const entries = matrixEntries(matrix, {})
    const table = renderMatrixTable(matrix, entries, namespaces)
    return {loadMs, classes: loaded.classes.length, entries: entries.length, lines: table.split('\n').length - 1}
  })
}

await main()
