import {execFile} from 'node:child_process'
import {fileURLToPath} from 'node:url'

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))
const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url))

/** What a developer's shell may set that would change the output the tests read: every run starts without it. */
export const UNSET_FOR_EACH_RUN = {NO_COLOR: undefined, COLUMNS: undefined, HARDENCTL_DEBUG: undefined}

export interface CliResult {
  stdout: string
  stderr: string
  code: number
}

/**
 * Runs the built CLI the way a user does (`hardenctl ARGS`), in its own process, with no TTY.
 * `npm test` builds first (pretest), so this exercises the shipped JavaScript.
 */
export function runCli(args: string[], options: {cwd?: string; env?: Record<string, string | undefined>} = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {cwd: options.cwd ?? REPO_ROOT, env: {...process.env, ...UNSET_FOR_EACH_RUN, ...options.env}, maxBuffer: 64 << 20},
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
        resolve({stdout, stderr, code})
      },
    )
  })
}

/**
 * Runs the CLI under `script(1)` so stdout is a pseudo-terminal, to test what a person at a
 * terminal sees (colour). That terminal reports a width of 0 columns, as some do; pass `COLUMNS`
 * for a width. Its output has `\r\n` line ends.
 */
export function runCliInTerminal(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  const command = [process.execPath, BIN, ...args].map((part) => `'${part.replaceAll("'", "'\\''")}'`).join(' ')
  return new Promise((resolve) => {
    execFile(
      'script',
      ['-qec', command, '/dev/null'],
      {cwd: REPO_ROOT, env: {...process.env, NO_COLOR: undefined, COLUMNS: undefined, TERM: 'xterm-256color', ...env}, maxBuffer: 64 << 20},
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
        resolve({stdout, stderr, code})
      },
    )
  })
}
