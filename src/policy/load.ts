import {access} from 'node:fs/promises'

import {InputError} from '../errors.js'
import {readAndParse} from '../sources/parse-file.js'
import {validate} from '../sources/validate.js'
import {defaultPolicy, type Policy, policySchema} from './schema.js'

export const DEFAULT_POLICY_FILE = 'hardenctl.yaml'

export interface LoadedPolicy {
  policy: Policy
  /** The file it came from; undefined when the defaults apply. */
  file?: string
}

/**
 * Loads `--policy FILE`, or `./hardenctl.yaml` when present, or the guides' defaults.
 * A policy that names itself but fails validation is an InputError, never silently ignored.
 */
export async function loadPolicy(file: string | undefined): Promise<LoadedPolicy> {
  const path = file ?? ((await exists(DEFAULT_POLICY_FILE)) ? DEFAULT_POLICY_FILE : undefined)
  if (path === undefined) return {policy: defaultPolicy()}
  const parsed = await readAndParse(path)
  if (parsed.documents.length !== 1) throw new InputError(path, 'a policy file holds exactly one YAML document')
  const policy = validate(policySchema, parsed.documents[0]!.data, {
    file: path,
    document: parsed.documents[0]!.index,
    locator: parsed.locator,
    what: 'a hardenctl policy',
  })
  return {policy, file: path}
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path)
    return true
  } catch {
    return false
  }
}
