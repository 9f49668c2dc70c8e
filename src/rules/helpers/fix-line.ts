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
