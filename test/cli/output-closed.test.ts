import {execFile} from 'node:child_process'
import {fileURLToPath} from 'node:url'

import {describe, expect, it} from 'vitest'

import {REPO_ROOT} from '../helpers/cli.js'

const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url))

/** `hardenctl ARGS | head -c 100` in bash: hardenctl's exit code, its stderr, and what head printed. */
function pipedIntoHead(args: string[]): Promise<{code: number; stderr: string; head: string}> {
  const command = [process.execPath, BIN, ...args].map((part) => `'${part}'`).join(' ')
  const script = `${command} 2>"$1" | head -c 100; status=\${PIPESTATUS[0]}; echo; echo "exit $status"`
  const stderrFile = `${REPO_ROOT}/.output-closed-stderr`
  return new Promise((resolve, reject) => {
    execFile('bash', ['-c', script, 'bash', stderrFile], {cwd: REPO_ROOT, env: {...process.env, HARDENCTL_DEBUG: undefined}}, async (error, stdout) => {
      if (error) return reject(error)
      const {readFile, rm} = await import('node:fs/promises')
      const stderr = await readFile(stderrFile, 'utf8')
      await rm(stderrFile, {force: true})
      const [head, exit] = stdout.split('\nexit ')
      resolve({code: Number(exit), stderr, head: head!})
    })
  })
}

describe('a reader that stops reading stdout', () => {
  it('ends the run quietly with 141, as a shell tool ends on SIGPIPE, not with an internal error', async () => {
    // 160 KB of SARIF: more than a pipe holds, so hardenctl is still writing when head has gone.
    const result = await pipedIntoHead(['audit', '--from', 'examples', '--format', 'sarif'])
    expect(result.head).toContain('"$schema"')
    expect(result.stderr).toBe('')
    expect(result.code).toBe(141)
  })
})
