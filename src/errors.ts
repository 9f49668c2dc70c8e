import {type DataPath, formatPath} from './sources/document.js'

/** Exit codes: documented in README and in every command's help. */
export const ExitCode = {
  ok: 0,
  findingsAtOrAboveThreshold: 1,
  badInputOrUsage: 2,
  couldNotComplete: 3,
  /** The reader of stdout stopped reading (`hardenctl audit | head`): 128 + SIGPIPE, as shell tools end. */
  outputClosed: 141,
} as const

/**
 * Something the user can fix in what they gave us: a file, a flag, a policy. Always rendered as
 * one line naming the file, the path inside it and what was expected. Exit code 2.
 */
export class InputError extends Error {
  readonly exitCode = ExitCode.badInputOrUsage
  constructor(
    readonly file: string | undefined,
    readonly problem: string,
    readonly options: {path?: DataPath; line?: number; column?: number; cause?: unknown} = {},
  ) {
    super(formatInputError(file, problem, options), {cause: options.cause})
    this.name = 'InputError'
  }
}

function formatInputError(
  file: string | undefined,
  problem: string,
  {path, line, column}: {path?: DataPath; line?: number; column?: number},
): string {
  let where = file ?? ''
  if (file && line !== undefined) where += `:${line}${column === undefined ? '' : `:${column}`}`
  if (path && path.length > 0) where += `${where ? ' ' : ''}at ${formatPath(path)}`
  return where ? `${where}: ${problem}` : problem
}

/** The run could not finish (an unreachable source, a failed write). Exit code 3. */
export class IncompleteError extends Error {
  readonly exitCode = ExitCode.couldNotComplete
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'IncompleteError'
  }
}
