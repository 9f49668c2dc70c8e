import {InputError} from '../errors.js'
import type {Locator} from '../sources/document.js'
import type {PolicyProblem} from './problems.js'

/** More lines than this and the rest is counted, not printed: a wrong file given as a policy should not flood the terminal. */
const MAX_LINES = 50

/**
 * A policy with problems: every one of them, in file order, one `file:line:col at path: problem`
 * line each (the CLI prints each line after `hardenctl: `), so one run shows all there is to fix.
 */
export class InvalidPolicyError extends InputError {
  readonly problems: readonly InputError[]

  constructor(file: string, problems: readonly PolicyProblem[], locator: Locator, document: number) {
    const located = problems
      .map((problem) => ({problem, position: locator.locate(document, problem.path)}))
      .sort((a, b) => (a.position?.line ?? Infinity) - (b.position?.line ?? Infinity) || (a.position?.column ?? 0) - (b.position?.column ?? 0))
      .map(({problem, position}) => new InputError(file, problem.message, {path: problem.path, line: position?.line, column: position?.column}))
    const first = located[0]!
    super(file, first.problem, first.options)
    this.name = 'InvalidPolicyError'
    this.problems = located
    const shown = located.slice(0, MAX_LINES).map((problem) => problem.message)
    if (located.length > MAX_LINES) shown.push(`${file}: ${located.length - MAX_LINES} more problems not shown`)
    this.message = shown.join('\n')
  }
}
