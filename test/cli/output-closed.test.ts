import {execFile} from 'node:child_process'
import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {promisify} from 'node:util'

import {describe, expect, it} from 'vitest'

import {REPO_ROOT} from '../helpers/cli.js'

const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url))

/** `hardenctl ARGS | head -c 100` in bash: hardenctl's exit code, its stderr, and what head printed. */
async function pipedIntoHead(args: string[]): Promise<{code: number; stderr: string; head: string}> {
  const scratch = await mkdtemp(join(tmpdir(), 'hardenctl-output-closed-'))
  try {
    const stderrFile = join(scratch, 'stderr')
    const command = [process.execPath, BIN, ...args].map((part) => `'${part}'`).join(' ')
    // PIPESTATUS is read first: any command after the pipeline replaces it.
    const script = `${command} 2>"$1" | head -c 100; status=\${PIPESTATUS[0]}; echo; echo "exit $status"`
    const {stdout} = await promisify(execFile)('bash', ['-c', script, 'bash', stderrFile], {cwd: REPO_ROOT, env: {...process.env, HARDENCTL_DEBUG: undefined}})
    const [head, exit] = stdout.split('\nexit ')
    return {code: Number(exit), stderr: await readFile(stderrFile, 'utf8'), head: head!}
  } finally {
    await rm(scratch, {recursive: true, force: true})
  }
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
