/**
 * Start-up cost, as a user pays it: whole-process wall time (median of 5) of `node -e ''`,
 * `hardenctl --help`, `hardenctl rules` and a small offline audit (examples/livepatch-k8s).
 * Target: `--help` within 3× a bare Node start (issue 16). Printed, never asserted.
 */
import {spawnSync} from 'node:child_process'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {performance} from 'node:perf_hooks'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..')
const RUN = join(ROOT, 'bin/run.js')
const RUNS = 5
const TARGET_HELP_RATIO = 3

function medianMs(args: string[]): number {
  const times: number[] = []
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now()
    const result = spawnSync(process.execPath, args, {cwd: ROOT, stdio: 'ignore', env: {...process.env, HARDENCTL_POLICY: ''}})
    if (result.error) throw result.error
    times.push(performance.now() - start)
  }
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!
}

const node = medianMs(['-e', ''])
const help = medianMs([RUN, '--help'])
const rules = medianMs([RUN, 'rules'])
const audit = medianMs([RUN, 'audit', '--from', join(ROOT, 'examples/livepatch-k8s'), '--fail-on', 'never'])
const ratio = help / node
const round = (ms: number) => Math.round(ms)
console.log(`start-up, whole process, median of ${RUNS}`)
console.log(`node -e '':                      ${round(node)} ms`)
console.log(`hardenctl --help:                ${round(help)} ms (${ratio.toFixed(1)}× node; target ≤ ${TARGET_HELP_RATIO}×)${ratio <= TARGET_HELP_RATIO ? '' : '  ← above target'}`)
console.log(`hardenctl rules:                 ${round(rules)} ms`)
console.log(`hardenctl audit --from example:  ${round(audit)} ms`)
if (process.argv.includes('--json')) console.log(JSON.stringify({nodeMs: round(node), helpMs: round(help), helpRatio: Number(ratio.toFixed(2)), helpRatioTarget: TARGET_HELP_RATIO, rulesMs: round(rules), smallAuditMs: round(audit)}))
