import type {z} from 'zod'

import {InputError} from '../errors.js'
import type {DataPath, Locator} from './document.js'
import {isShellPlaceholder, shellTemplateProblem} from './shell-placeholders.js'

/**
 * Validates external data with a zod schema and turns the first problem into a one-line
 * InputError: `file:line:col at path: expected ...`.
 */
export function validate<T extends z.ZodType>(
  schema: T,
  data: unknown,
  where: {file: string; document?: number; basePath?: DataPath; locator?: Locator; what: string},
): z.infer<T> {
  const result = schema.safeParse(data)
  if (result.success) return result.data
  const issue = result.error.issues[0]!
  const path = [...(where.basePath ?? []), ...(issue.path as (string | number)[])]
  const position = where.locator?.locate(where.document ?? 0, path)
  const value = valueAt(data, issue.path as (string | number)[])
  const problem = isShellPlaceholder(value) ? `${issue.message}: ${shellTemplateProblem(value)}` : issue.message
  throw new InputError(where.file, `${problem} (reading ${where.what})`, {
    path,
    line: position?.line,
    column: position?.column,
  })
}

function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  let value = data
  for (const key of path) value = typeof value === 'object' && value !== null ? (value as Record<string | number, unknown>)[key] : undefined
  return value
}

const frozenResults = new WeakMap<object, WeakMap<object, unknown>>()

/**
 * `validated()` for `data` against `schema`, once per deeply frozen object: what passed once
 * passes again, so its result is given again (`reconcile --watch` hands every pass the same frozen
 * objects from its stores and its kept Juju models). Data that is not frozen, or that failed, is
 * validated every time. Only deeply frozen data may come here frozen: a shallow freeze could hide
 * a change below.
 */
export function onceIfFrozen<R>(schema: object, data: unknown, validated: () => R): R {
  if (typeof data !== 'object' || data === null || !Object.isFrozen(data)) return validated()
  let results = frozenResults.get(schema)
  if (!results) frozenResults.set(schema, (results = new WeakMap()))
  if (results.has(data)) return results.get(data) as R
  const result = validated()
  results.set(data, result)
  return result
}
