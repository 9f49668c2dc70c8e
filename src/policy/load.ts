import {access} from 'node:fs/promises'

import {InputError} from '../errors.js'
import {readAndParse} from '../sources/parse-file.js'
import {InvalidPolicyError} from './invalid-policy.js'
import {validatePolicyData} from './problems.js'
import {defaultPolicy, type Policy} from './schema.js'

export const DEFAULT_POLICY_FILE = 'hardenctl.yaml'

export interface LoadedPolicy {
  policy: Policy
  /** The file it came from; undefined when the defaults apply. */
  file?: string
}

/**
 * Loads `--policy FILE`, or `./hardenctl.yaml` when present, or the guides' defaults. Every
 * command that takes `--policy` loads it here, so all of them refuse the same mistakes.
 */
export async function loadPolicy(file: string | undefined): Promise<LoadedPolicy> {
  const path = file ?? ((await exists(DEFAULT_POLICY_FILE)) ? DEFAULT_POLICY_FILE : undefined)
  if (path === undefined) return {policy: defaultPolicy()}
  return {policy: await readPolicyFile(path), file: path}
}

/**
 * Reads and validates one policy file. A policy that fails validation is an InvalidPolicyError
 * listing every problem (exit 2), never silently ignored.
 */
export async function readPolicyFile(path: string): Promise<Policy> {
  const parsed = await readAndParse(path)
  if (parsed.documents.length !== 1) throw new InputError(path, 'a policy file holds exactly one YAML document')
  const {index, data} = parsed.documents[0]!
  const result = validatePolicyData(data)
  if (!result.ok) throw new InvalidPolicyError(path, result.problems, parsed.locator, index)
  return result.policy
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path)
    return true
  } catch {
    return false
  }
}
