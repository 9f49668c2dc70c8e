/**
 * What the benches share: each measurement runs in a child process of its own (so its peak RSS is
 * its own work's), prints one JSON line, and the parent keeps the median of several runs.
 */
import {execFileSync} from 'node:child_process'
import {readdir, readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {performance} from 'node:perf_hooks'
import {fileURLToPath} from 'node:url'

export interface Measurement {
  ms: number
  /** CPU time of the child (all its threads): less moved than wall time by other work on the machine. */
  cpuMs: number
  peakRssMb: number
}

/** Runs `script MODE DIR` in a child (in DIR) and returns the measurement it printed last. */
export function runChild<M extends Measurement>(script: string, mode: string, dir: string): M {
  const output = execFileSync(process.execPath, [...childFlags(), fileURLToPath(script), mode, dir], {cwd: dir, encoding: 'utf8', maxBuffer: 1 << 20})
  return JSON.parse(output.trim().split('\n').pop()!) as M
}

/**
 * The work child and the read + parse child (`--child-parse`), alternated `runs` times each in
 * DIR, and the median of each: single runs on a shared 2-core machine vary by a factor of two.
 */
export function alternatedMedians<M extends Measurement>(script: string, workMode: string, dir: string, runs: number): {parse: Measurement; work: M} {
  const parseRuns: Measurement[] = []
  const workRuns: M[] = []
  for (let run = 0; run < runs; run++) {
    parseRuns.push(runChild(script, '--child-parse', dir))
    workRuns.push(runChild<M>(script, workMode, dir))
  }
  return {parse: median(parseRuns), work: median(workRuns)}
}

/** `HARDENCTL_BENCH_NODE_FLAGS="--cpu-prof"` profiles the children. */
export function childFlags(): string[] {
  return (process.env.HARDENCTL_BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean)
}

/** Times `work` in this (child) process: wall time, CPU time and the process's peak RSS. */
export async function measure<T extends object>(work: () => Promise<T> | T): Promise<Measurement & T> {
  const start = performance.now()
  const cpuStart = process.cpuUsage()
  const extra = await work()
  const {user, system} = process.cpuUsage(cpuStart)
  return {...extra, ms: performance.now() - start, cpuMs: (user + system) / 1000, peakRssMb: process.resourceUsage().maxRSS / 1024}
}

/** The floor the audit and netpol are judged against: read every file under DIR and JSON.parse it. */
export function measureReadParseJson(dir: string): Promise<Measurement> {
  return measure(async () => {
    for (const file of await listFiles(dir)) JSON.parse(await readFile(file, 'utf8'))
    return {}
  })
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, {withFileTypes: true, recursive: true})
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name)).sort()
}

/** The run with the median time, with the median CPU time and peak RSS of all runs. */
export function median<M extends Measurement>(runs: M[]): M {
  const middle = <T>(values: T[], by: (value: T) => number): T => [...values].sort((a, b) => by(a) - by(b))[values.length >> 1]!
  return {...middle(runs, (run) => run.ms), cpuMs: middle(runs, (run) => run.cpuMs).cpuMs, peakRssMb: middle(runs, (run) => run.peakRssMb).peakRssMb}
}

export function printMeasurement(measurement: Measurement): void {
  console.log(JSON.stringify(measurement))
}

export function round(value: number, digits = 0): number {
  const factor = 10 ** digits
  return Math.round(value * factor) / factor
}
