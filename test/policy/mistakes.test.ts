import {mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'

import {InputError} from '../../src/errors.js'
import {readPolicyFile} from '../../src/policy/load.js'
import {MISTAKES} from './mistakes.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hardenctl-policy-mistakes-'))
})

/**
 * The loader every command uses (audit, review, reconcile, netpol, policy check), in process: each
 * kind of mistake is one line naming the file, line, column and path, and an InputError (exit 2).
 * check.test.ts shows the same lines through the CLI.
 */
describe('a policy with one mistake', () => {
  for (const mistake of MISTAKES) {
    it(mistake.name, async () => {
      const file = join(dir, `${mistake.name}.yaml`)
      await writeFile(file, mistake.text)
      const error = await readPolicyFile(file).then(
        () => undefined,
        (thrown: unknown) => thrown,
      )
      expect(error).toBeInstanceOf(InputError)
      const lines = (error as InputError).message.split('\n')
      expect(lines).toHaveLength(1)
      expect(lines[0]!.startsWith(`${file}${mistake.where}: `), lines[0]).toBe(true)
      expect(lines[0]).toMatch(mistake.says)
    })
  }
})
