/**
 * Runs the built CLI (`bin/run.js`'s oclif entry, the same argv parsing, commands and output) in
 * this test worker instead of a process of its own. A process costs about half a second of CPU to
 * start oclif and load the commands; most CLI tests run a small offline command and read what it
 * printed, and spent most of their time starting. What only a process shows (the exit code as the
 * shell sees it, a closed stdout, signals, a terminal, `reconcile --watch`) is still tested with
 * `runCli` from ./cli.ts.
 *
 * One run at a time per worker: a run owns process.stdout/stderr, the environment and the working
 * directory until it ends, and a second call waits for the first.
 */
import {format} from 'node:util'

import {flush, run} from '@oclif/core'
import {Exit, handle} from '@oclif/core/handle'

import {type CliResult, REPO_ROOT, UNSET_FOR_EACH_RUN} from './cli.js'

const BIN_URL = new URL('../../bin/run.js', import.meta.url).href

let previous: Promise<unknown> = Promise.resolve()

export function runCliInWorker(args: string[], options: {cwd?: string; env?: Record<string, string | undefined>} = {}): Promise<CliResult> {
  const result = previous.then(() => runNow(args, options))
  previous = result.catch(() => undefined)
  return result
}

type Write = typeof process.stdout.write

async function runNow(args: string[], options: {cwd?: string; env?: Record<string, string | undefined>}): Promise<CliResult> {
  const saved = {
    env: process.env,
    cwd: process.cwd(),
    stdoutWrite: process.stdout.write,
    stderrWrite: process.stderr.write,
    exitCode: process.exitCode,
    stdoutListeners: {error: process.stdout.listeners('error'), drain: process.stdout.listeners('drain')},
    consoleLog: console.log,
    consoleError: console.error,
    consoleWarn: console.warn,
  }
  const stdout: string[] = []
  const stderr: string[] = []
  process.env = environment(saved.env, {...UNSET_FOR_EACH_RUN, ...options.env})
  process.chdir(options.cwd ?? REPO_ROOT)
  process.stdout.write = capture(stdout)
  process.stderr.write = capture(stderr)
  // oclif prints help and version with console.log, as a process's console writes to its stdout.
  console.log = (...parts: unknown[]) => void stdout.push(`${format(...parts)}\n`)
  console.error = (...parts: unknown[]) => void stderr.push(`${format(...parts)}\n`)
  console.warn = console.error
  process.exitCode = undefined
  let code: number
  try {
    await run(args, BIN_URL)
    await flush()
    code = typeof process.exitCode === 'number' ? process.exitCode : 0
  } catch (error) {
    // As bin/run.js's execute() ends a run: oclif's handler prints what no command caught and
    // exits with the error's code; its exit is oclif's own seam for tests.
    let exited = 1
    const exit = Exit.exit
    Exit.exit = ((exitCode = 0) => {
      exited = exitCode
    }) as typeof Exit.exit
    try {
      await handle(error as Error)
    } finally {
      Exit.exit = exit
    }
    code = exited
  } finally {
    process.env = saved.env
    process.chdir(saved.cwd)
    process.stdout.write = saved.stdoutWrite
    process.stderr.write = saved.stderrWrite
    process.exitCode = saved.exitCode
    console.log = saved.consoleLog
    console.error = saved.consoleError
    console.warn = saved.consoleWarn
    // A process has one run, this worker many: what each run leaves listening on stdout goes with
    // it. BaseCommand listens for a closed stdout ('error'); oclif's flush() waits for a 'drain'
    // that never comes when its write went through, and leaves the listener (after ten, Node warns
    // on stderr, into whichever run is capturing it).
    for (const event of ['error', 'drain'] as const) {
      for (const listener of process.stdout.listeners(event)) {
        if (!saved.stdoutListeners[event].includes(listener)) process.stdout.off(event, listener as (...args: unknown[]) => void)
      }
    }
  }
  return {stdout: stdout.join(''), stderr: stderr.join(''), code}
}

function environment(base: NodeJS.ProcessEnv, changes: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {...base}
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete env[name]
    else env[name] = value
  }
  return env
}

function capture(into: string[]): Write {
  return ((chunk: string | Uint8Array, encodingOrCallback?: BufferEncoding | ((error?: Error | null) => void), callback?: (error?: Error | null) => void) => {
    into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
    const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback
    if (done) process.nextTick(done)
    return true
  }) as Write
}
