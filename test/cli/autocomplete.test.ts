/**
 * Shell completion through oclif's autocomplete plugin, driven as a user sets it up: the setup
 * line `hardenctl autocomplete script bash` prints, the cache it builds, and bash completing words.
 */
import {execFile} from 'node:child_process'
import {existsSync} from 'node:fs'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'

let home: string
let env: Record<string, string>
let bashFunctions: string

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'hardenctl-autocomplete-'))
  env = {HOME: home, XDG_CACHE_HOME: join(home, 'cache')}
  bashFunctions = join(home, 'cache', 'hardenctl', 'autocomplete', 'functions', 'bash', 'hardenctl.bash')
})
afterAll(async () => {
  await rm(home, {recursive: true, force: true})
})

/** What bash offers for the words typed so far (the last one being completed). */
function complete(words: string[]): Promise<string[]> {
  const script = `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; _hardenctl_autocomplete; printf '%s\\n' "\${COMPREPLY[@]}"`
  return new Promise((resolve, reject) => {
    execFile('bash', ['-c', script, 'bash', bashFunctions, ...words], (error, stdout) => (error ? reject(error) : resolve(stdout.split('\n').filter(Boolean))))
  })
}

describe('hardenctl autocomplete', () => {
  it('prints the line that sets up bash completion, building its cache', async () => {
    const setup = await runCli(['autocomplete', 'script', 'bash'], {env})
    expect(setup.code).toBe(0)
    expect(setup.stdout).toContain('HARDENCTL_AC_BASH_SETUP_PATH=')
    const refresh = await runCli(['autocomplete', '--refresh-cache'], {env})
    expect(refresh.code).toBe(0)
    expect(existsSync(bashFunctions)).toBe(true)
  })

  it('completes commands, topic subcommands and flags in bash', async () => {
    expect(await complete(['hardenctl', 'ru'])).toEqual(['rules'])
    expect(await complete(['hardenctl', 'netpol', 'ex'])).toEqual(['explain'])
    expect(await complete(['hardenctl', 'rules', '--'])).toEqual(['--format', '--profile', '--output'])
    // A hidden flag is not offered: netpol diff refuses --plan.
    expect(await complete(['hardenctl', 'netpol', 'diff', '--pl'])).toEqual([])
  })
})
