import {parse} from 'yaml'
import {z} from 'zod'
import {describe, expect, it} from 'vitest'

import {unwrap, validatePolicyData} from '../../src/policy/problems.js'
import {defaultPolicy, policySchema} from '../../src/policy/schema.js'
import {STARTER_POLICY} from '../../src/policy/starter.js'

interface SchemaKey {
  path: string[]
  /** Must be written out in the starter (a key with a default); the others (unset by default, or inside a map value or list entry) may be named in a comment instead. */
  written: boolean
}

/** Every key the schema knows: those of the policy's own sections, and those of map values and list entries. */
function schemaKeys(schema: z.ZodType, path: string[] = [], inEntry = false): SchemaKey[] {
  const node = unwrap(schema)
  if (node instanceof z.ZodRecord) return schemaKeys(node.valueType as z.ZodType, [...path, '*'], true)
  if (node instanceof z.ZodArray) return schemaKeys(node.element as z.ZodType, [...path, '[]'], true)
  if (!(node instanceof z.ZodObject)) return []
  return Object.entries(node.shape as Record<string, z.ZodType>).flatMap(([key, child]) => {
    const unset = child instanceof z.ZodOptional
    return [{path: [...path, key], written: !inEntry && !unset}, ...schemaKeys(child, [...path, key], inEntry)]
  })
}

function has(data: unknown, path: readonly string[]): boolean {
  let node = data
  for (const key of path) {
    if (typeof node !== 'object' || node === null || !(key in node)) return false
    node = (node as Record<string, unknown>)[key]
  }
  return true
}

describe('the starter policy (hardenctl policy init)', () => {
  const written = parse(STARTER_POLICY) as unknown

  it('is valid and holds exactly the defaults: as printed it changes nothing', () => {
    const result = validatePolicyData(written)
    expect(result.ok).toBe(true)
    expect(result.ok && result.policy).toEqual({...defaultPolicy(), apiVersion: 'hardenctl.io/v1', kind: 'Policy'})
  })

  it('writes out every key that has a default, and names the others in a comment', () => {
    const keys = schemaKeys(policySchema)
    expect(keys.length).toBeGreaterThan(30)
    for (const key of keys) {
      const name = key.path.at(-1)!
      if (key.written) expect(has(written, key.path), key.path.join('.')).toBe(true)
      else if (!has(written, key.path)) expect(STARTER_POLICY, key.path.join('.')).toMatch(new RegExp(`#.*\\b${name}:`))
    }
  })

  it('comments every key it writes', () => {
    const undocumented = STARTER_POLICY.split('\n').filter((line, i, lines) => {
      if (!/^\s*[\w-]+:/.test(line) || line.includes('#')) return false
      // A section heading is documented by the comment above it, or by its keys' comments.
      return !(lines[i - 1] ?? '').trimStart().startsWith('#') && !/:\s*$/.test(line)
    })
    expect(undocumented).toEqual([])
  })
})
