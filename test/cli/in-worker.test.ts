/**
 * Most CLI tests run the CLI in their worker (test/helpers/cli-in-worker.ts) instead of a process
 * of its own. That is only sound while a run in the worker prints what the process prints and
 * ends with the code the shell sees: this holds the two to the same output, byte for byte, for a
 * run of each kind (findings, every format, a report to a file, help, the version, a usage error,
 * bad input, a missing file, an unknown command), and shows that a run leaves the worker as it
 * found it.
 */
import {mkdtemp, readFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {beforeAll, describe, expect, it} from 'vitest'

import {type CliResult, REPO_ROOT, runCli} from '../helpers/cli.js'
import {runCliInWorker} from '../helpers/cli-in-worker.js'

const LIVEPATCH = 'examples/livepatch-k8s'
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hardenctl-in-worker-'))
})

/** The report's generation time differs between two runs; nothing else may. */
function comparable(result: CliResult): CliResult {
  const timeless = (text: string) => text.replaceAll(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, 'TIME')
  return {stdout: timeless(result.stdout), stderr: timeless(result.stderr), code: result.code}
}

describe('a run in the worker is the run of a process', () => {
  it.each([
    ['findings as a table, exit 1 at --fail-on high', ['audit', '--from', LIVEPATCH, '--fail-on', 'high']],
    ['JSON', ['audit', '--from', LIVEPATCH, '--format', 'json', '--fail-on', 'never']],
    ['SARIF', ['audit', '--from', LIVEPATCH, '--format', 'sarif']],
    ['a review', ['review', 'test/fixtures/bad-input/template.yaml']],
    ['the rules', ['rules']],
    ['help', ['audit', '--help']],
    ['the version', ['--version']],
    ['a usage error', ['audit', '--from', LIVEPATCH, '--fail-on', 'severe']],
    ['bad input', ['audit', '--from', 'test/fixtures/bad-input/malformed.json']],
    ['a missing file', ['audit', '--from', 'no/such/dir']],
    ['an unknown command', ['audt', '--from', LIVEPATCH]],
  ])('%s', async (_, args) => {
    const inWorker = await runCliInWorker(args)
    const inProcess = await runCli(args)
    expect(comparable(inWorker)).toEqual(comparable(inProcess))
  })

  it('a report written to -o FILE: the same file, the same summary line', async () => {
    const [workerFile, processFile] = [join(dir, 'worker.json'), join(dir, 'process.json')]
    const inWorker = await runCliInWorker(['audit', '--from', LIVEPATCH, '--format', 'json', '-o', workerFile])
    const inProcess = await runCli(['audit', '--from', LIVEPATCH, '--format', 'json', '-o', processFile])
    expect(inWorker.code).toBe(inProcess.code)
    expect(inWorker.stdout).toBe('')
    expect(inWorker.stderr.replace(workerFile, 'FILE')).toBe(inProcess.stderr.replace(processFile, 'FILE'))
    const report = async (file: string) => {
      const parsed = JSON.parse(await readFile(file, 'utf8')) as {metadata: {generatedAt?: string}}
      delete parsed.metadata.generatedAt
      return parsed
    }
    expect(await report(workerFile)).toEqual(await report(processFile))
  })

  it('the environment and the working directory are the run\'s own, and are given back after it', async () => {
    const cwd = process.cwd()
    const env = {...process.env}
    const fromElsewhere = await runCliInWorker(['audit', '--from', join(REPO_ROOT, LIVEPATCH), '--format', 'json', '--fail-on', 'never'], {cwd: dir, env: {HARDENCTL_FAIL_ON: 'high'}})
    // HARDENCTL_FAIL_ON is overridden by the flag; the run read from another directory all the same.
    expect(fromElsewhere.code).toBe(0)
    const relative = await runCliInWorker(['audit', '--from', LIVEPATCH], {cwd: dir})
    expect(relative.code).toBe(2)
    expect(process.cwd()).toBe(cwd)
    expect(process.env).toEqual(env)
    expect(process.stdout.listenerCount('error')).toBeLessThan(3)
  })

  it('a run leaves nothing listening on stdout: twelve runs in a row, and no listener warning in the last', async () => {
    const before = {error: process.stdout.listenerCount('error'), drain: process.stdout.listenerCount('drain')}
    let last = {stderr: '', code: -1}
    for (let i = 0; i < 12; i++) last = await runCliInWorker(['rules', '--format', 'json'])
    expect(last).toMatchObject({stderr: '', code: 0})
    expect({error: process.stdout.listenerCount('error'), drain: process.stdout.listenerCount('drain')}).toEqual(before)
  })

  it('runs called together take turns: each gets its own output', async () => {
    const [json, table] = await Promise.all([
      runCliInWorker(['audit', '--from', LIVEPATCH, '--format', 'json', '--fail-on', 'never']),
      runCliInWorker(['audit', '--from', LIVEPATCH, '--fail-on', 'never']),
    ])
    expect(() => JSON.parse(json.stdout) as unknown).not.toThrow()
    expect(table.stdout).toMatch(/^Model /)
  })
})
