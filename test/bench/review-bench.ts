/**
 * `npm run bench` (issue 16): `review` of a large bundle (the 81-application OpenStack HA shape,
 * synthetic: see openstack-bundle.ts) against reading and YAML-parsing the same bundle with the
 * `yaml` package, which is the least any review must do.
 *
 * One bundle takes milliseconds, below what a shared machine times reliably, so both children do
 * the same fixed number of repetitions over REPETITIONS distinct copies of the bundle (different
 * placeholder values, same shape): the review child runs the whole review per copy (policy, read,
 * inventory, rules, edits, SARIF as a CI gate emits it), the parse child reads and parses each copy.
 * Each measurement runs in its own Node process, modules loaded before the clock starts (start-up
 * is startup-bench's figure), so peak RSS is the measured work's own. Medians of RUNS.
 * `--json` prints the figures as one JSON object on the last line.
 */
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {alternatedMedians, type Measurement, measure, printMeasurement, round} from './child-measure.js'
import {openStackBundle} from './openstack-bundle.js'

const REPETITIONS = 50
// The target: a review costs at most half again what parsing its input costs.
const TARGET_RATIO = 1.5
// A gate runs in CI next to other jobs: one large bundle has no business needing more than a
// small runner's share of memory.
const TARGET_RSS_MB = 256
// Five, not three: the two children are short, and a shared machine moves either by a third.
const RUNS = 5

interface ReviewMeasurement extends Measurement {
  findings?: number
}

async function main(): Promise<void> {
  const [mode, dir] = process.argv.slice(2)
  if (mode === '--child-review') return printMeasurement(await measureReview(dir!))
  if (mode === '--child-parse') return printMeasurement(await measureParse(dir!))

  const json = process.argv.includes('--json')
  const work = await mkdtemp(join(tmpdir(), 'hardenctl-review-bench-'))
  try {
    let shape = openStackBundle(0)
    let bytes = 0
    for (let copy = 0; copy < REPETITIONS; copy++) {
      shape = openStackBundle(copy)
      bytes += Buffer.byteLength(shape.text)
      await writeFile(bundlePath(work, copy), shape.text)
    }
    const {parse, work: review} = alternatedMedians<ReviewMeasurement>(import.meta.url, '--child-review', work, RUNS)
    const ratio = review.ms / parse.ms
    const figures = {
      bundle: {applications: shape.applications, relations: shape.relations, bytes: Math.round(bytes / REPETITIONS)},
      repetitions: REPETITIONS,
      reviewMs: round(review.ms),
      readParseMs: round(parse.ms),
      ratio: round(ratio, 2),
      ratioTarget: TARGET_RATIO,
      reviewCpuMs: round(review.cpuMs),
      readParseCpuMs: round(parse.cpuMs),
      cpuRatio: round(review.cpuMs / parse.cpuMs, 2),
      reviewPeakRssMb: round(review.peakRssMb),
      readParsePeakRssMb: round(parse.peakRssMb),
      rssTargetMb: TARGET_RSS_MB,
      findingsPerReview: review.findings,
      runs: RUNS,
    }
    console.log(`review: medians of ${RUNS} runs each; each run reviews ${REPETITIONS} copies of the bundle one after the other (one review per copy), against reading and YAML.parse-ing the same ${REPETITIONS} files`)
    console.log(`bundle: ${shape.applications} applications, ${shape.relations} relations, ${figures.bundle.bytes} bytes (OpenStack HA shape, synthetic)`)
    console.log(`review × ${REPETITIONS}:          ${figures.reviewMs} ms (${(review.ms / REPETITIONS).toFixed(1)} ms per bundle, ${review.findings} findings each)`)
    console.log(`read + YAML.parse × ${REPETITIONS}: ${figures.readParseMs} ms`)
    console.log(`ratio:                   ${figures.ratio} (target ≤ ${TARGET_RATIO})${ratio <= TARGET_RATIO ? '' : '  ← above target'}`)
    console.log(`CPU time:                review ${figures.reviewCpuMs} ms, read + parse ${figures.readParseCpuMs} ms, ratio ${figures.cpuRatio} (less moved by other work on the machine)`)
    console.log(`review peak RSS:         ${figures.reviewPeakRssMb} MB (target < ${TARGET_RSS_MB}; read + parse: ${figures.readParsePeakRssMb} MB)${review.peakRssMb < TARGET_RSS_MB ? '' : '  ← above target'}`)
    if (json) console.log(JSON.stringify(figures))
  } finally {
    await rm(work, {recursive: true, force: true})
  }
}

function bundlePath(dir: string, copy: number): string {
  return join(dir, `openstack-${String(copy).padStart(3, '0')}.yaml`)
}

// The children run in the work directory (alternatedMedians), so no ./hardenctl.yaml of the repository is read.
async function measureReview(dir: string): Promise<ReviewMeasurement> {
  const {runReview} = await import('../../src/review/run-review.js')
  const {renderReport} = await import('../../src/report/index.js')
  const now = new Date('2026-11-01T00:00:00Z')
  return measure(async () => {
    let findings = 0
    for (let copy = 0; copy < REPETITIONS; copy++) {
      const path = bundlePath(dir, copy)
      const result = await runReview({paths: [path], toolVersion: 'bench', now})
      renderReport('sarif', result.report, result.rules, {fallbackArtifactUri: path})
      findings = result.report.findings.length
    }
    return {findings}
  })
}

async function measureParse(dir: string): Promise<Measurement> {
  const {parse} = await import('yaml')
  return measure(async () => {
    for (let copy = 0; copy < REPETITIONS; copy++) parse(await readFile(bundlePath(dir, copy), 'utf8'))
    return {}
  })
}

await main()
