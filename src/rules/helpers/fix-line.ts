/**
 * A fix as one shell line: its commands, run in order and joined with `&&`, then what to say
 * about them as one `#` comment. Every note goes after every command: a command after the `#`
 * would not run.
 */
export interface FixParts {
  commands: readonly string[]
  notes: readonly string[]
}

export function fixLine(parts: readonly FixParts[]): string {
  const commands = parts.flatMap((part) => part.commands)
  const notes = parts.flatMap((part) => part.notes).filter((note) => note !== '')
  return commands.join(' && ') + (notes.length > 0 ? `   # ${notes.join('; ')}` : '')
}

/**
 * A deploy that several findings' fixes share (one certificate provider for a model's databases):
 * each fix is run on its own, in any order, so the deploy runs only when the application is not
 * there yet. `juju show-application` exits non-zero for an application the model lacks
 * (cmd/juju/application/show.go: a result's error is returned), and `a || b && c` runs `c` after
 * either, so the commands that follow run in both cases. It must head its line: after `x &&`,
 * bash would run the deploy whenever x failed.
 */
export function deployUnlessPresent(modelArg: string, application: string, deploy: string): string {
  return `juju show-application -m ${modelArg} ${application} || ${deploy}`
}

/** Said once with a fix that holds `deployUnlessPresent`. */
export const DEPLOY_UNLESS_PRESENT_NOTE = 'the show-application check skips the deploy where another fix already made it (its "not found" is then expected)'
