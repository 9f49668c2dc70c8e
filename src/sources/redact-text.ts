/**
 * Credentials inside values, whatever the key they sit under: the password of a URL
 * (`postgres://u:SECRET@db`), the value of a credential flag (`--password=SECRET`, `--token X`),
 * a credential variable set in a shell line (`PGPASSWORD=SECRET psql`). Only the secret part is
 * replaced, so the snapshot still says which database, which flag, which command.
 */
import {isCredentialOption} from '../inventory/charm-options.js'

export const REDACTED = '<redacted>'

/** `scheme://user:password@` (user may be empty: `redis://:password@`). */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/]*):([^\s@/]+)@/gi
/** `--name=value` and `-name=value`, the value quoted or not. */
const FLAG_WITH_VALUE = /(^|\s|["'])(--?[A-Za-z][\w.-]*)=("[^"]*"|'[^']*'|[^\s"']+)/g
/** `--name value` in one string (a shell line). */
const FLAG_THEN_VALUE = /(^|\s)(--?[A-Za-z][\w.-]*)(\s+)("[^"]*"|'[^']*'|[^\s"'-][^\s"']*)/g
/** `NAME=value` of a shell line or an env file. */
const ASSIGNMENT = /(^|\s|;|&&|\|\||export\s+)([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|[^\s"';]+)/g

/** Whether `flag` (`--db-password`, `-token`) names a credential. */
export function isCredentialFlag(flag: string): boolean {
  return isCredentialOption(flag.replace(/^-+/, ''))
}

/** A reference to a value kept elsewhere (`$(DB_PASSWORD)`, `${TOKEN}`, `$TOKEN`), not the value. */
function isReference(value: string): boolean {
  return /^["']?\$(\([A-Za-z_][A-Za-z0-9_]*\)|\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)["']?$/.test(value)
}

function redactedLike(value: string): string {
  const quote = value[0] === '"' || value[0] === "'" ? value[0] : ''
  return `${quote}${REDACTED}${quote}`
}

export function redactCredentialsInText(text: string): string {
  if (text === REDACTED) return text
  let out = text.replace(URL_PASSWORD, (match, head: string, password: string) => (password === REDACTED ? match : `${head}:${REDACTED}@`))
  out = out.replace(FLAG_WITH_VALUE, (match, lead: string, flag: string, value: string) =>
    isCredentialFlag(flag) && !isReference(value) && !value.includes(REDACTED) ? `${lead}${flag}=${redactedLike(value)}` : match,
  )
  out = out.replace(FLAG_THEN_VALUE, (match, lead: string, flag: string, space: string, value: string) =>
    isCredentialFlag(flag) && !isReference(value) && !value.includes(REDACTED) ? `${lead}${flag}${space}${redactedLike(value)}` : match,
  )
  out = out.replace(ASSIGNMENT, (match, lead: string, name: string, value: string) =>
    isCredentialOption(name) && !isReference(value) && !value.includes(REDACTED) ? `${lead}${name}=${redactedLike(value)}` : match,
  )
  return out
}

/**
 * A container's `command` or `args`: each element as text, and the element after a credential
 * flag that takes its value separately (`["--password", "SECRET"]`).
 */
export function redactArguments(args: unknown): unknown {
  if (!Array.isArray(args)) return args
  return args.map((arg, index) => {
    if (typeof arg !== 'string') return arg
    const previous = args[index - 1]
    if (typeof previous === 'string' && /^--?[A-Za-z][\w.-]*$/.test(previous) && isCredentialFlag(previous) && !arg.startsWith('-') && !isReference(arg)) {
      return REDACTED
    }
    return redactCredentialsInText(arg)
  })
}
