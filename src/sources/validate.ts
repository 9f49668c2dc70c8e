import type {z} from 'zod'

import {InputError} from '../errors.js'
import type {DataPath, Locator} from './document.js'

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
  throw new InputError(where.file, `${issue.message} (reading ${where.what})`, {
    path,
    line: position?.line,
    column: position?.column,
  })
}
