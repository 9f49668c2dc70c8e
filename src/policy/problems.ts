/**
 * Everything wrong with a policy document at once, each problem with its path inside the file:
 * zod's issues in words a policy author reads (what was expected, what was found), an unknown key
 * with the known key it most likely meant. The schema (./schema.ts) says what is valid.
 */
import {z} from 'zod'

import type {DataPath} from '../sources/document.js'
import {closestName} from './closest.js'
import {describeValue} from './describe-value.js'
import {ownCopy, type Policy, policySchema} from './schema.js'

export interface PolicyProblem {
  path: DataPath
  message: string
}

export type PolicyValidation = {ok: true; policy: Policy} | {ok: false; problems: PolicyProblem[]}

export function validatePolicyData(data: unknown): PolicyValidation {
  const result = policySchema.safeParse(data, {error: describeIssue})
  if (result.success) return {ok: true, policy: ownCopy(result.data)}
  return {ok: false, problems: result.error.issues.flatMap(toProblems)}
}

function toProblems(issue: z.core.$ZodIssue): PolicyProblem[] {
  const path = issue.path as (string | number)[]
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeys(policySchema, path)
    return issue.keys.map((key) => {
      const suggestion = closestName(key, known)
      return {path: [...path, key], message: `unknown key${suggestion ? `; did you mean ${suggestion}?` : `; expected one of ${known.join(', ')}`}`}
    })
  }
  // A record key (a glob) that failed its own check: say why, not "Invalid key in record".
  if (issue.code === 'invalid_key') return [{path, message: issue.issues.map((inner) => inner.message).join('; ')}]
  return [{path, message: issue.message}]
}

/** The per-parse error map: schema-level messages (CIDRs, globs, rule ids, enums) take precedence. */
function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return `missing: expected ${noun(issue.expected)}`
    if ((issue.path ?? []).length === 0) return `expected a mapping of policy keys (apiVersion, exposure, waivers, …), got ${describeValue(issue.input)}`
    return `expected ${noun(issue.expected)}, got ${describeValue(issue.input)}`
  }
  if (issue.code === 'too_small' && issue.origin === 'number') {
    return `expected a number ${issue.inclusive ? 'of at least' : 'above'} ${String(issue.minimum)}, got ${describeValue(issue.input)}`
  }
  return undefined
}

function noun(expected: string): string {
  const nouns: Record<string, string> = {
    object: 'a mapping',
    record: 'a mapping',
    array: 'a list',
    string: 'text',
    boolean: 'true or false',
    number: 'a number',
    int: 'a whole number',
  }
  return nouns[expected] ?? expected
}

/** The keys a strict object at `path` of the schema accepts, for "did you mean". */
export function knownKeys(schema: z.ZodType, path: readonly (string | number)[]): string[] {
  let node: z.ZodType | undefined = unwrap(schema)
  for (const segment of path) {
    if (node instanceof z.ZodObject) node = node.shape[segment] as z.ZodType | undefined
    else if (node instanceof z.ZodRecord) node = node.valueType as z.ZodType
    else if (node instanceof z.ZodArray && typeof segment === 'number') node = node.element as z.ZodType
    else return []
    node = node === undefined ? undefined : unwrap(node)
  }
  return node instanceof z.ZodObject ? Object.keys(node.shape) : []
}

/** Through `.default()` and `.optional()` to the schema that describes the value. */
export function unwrap(schema: z.ZodType): z.ZodType {
  let node = schema
  while (node instanceof z.ZodDefault || node instanceof z.ZodOptional) node = node.unwrap() as z.ZodType
  return node
}
