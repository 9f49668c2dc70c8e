/**
 * `juju add-secret` commands that Juju accepts. Secret keys must match Juju's
 * `^([a-z](?:-?[a-z0-9]){2,})$` (core/secrets: lower case, single dashes, no underscores, three
 * characters at least), so charm option names (`admin_password`, `api.token`) are mapped to keys.
 */
import type {CharmMetadata} from '../../inventory/charm.js'
import type {Application} from '../../inventory/types.js'
import type {FixParts} from './fix-line.js'
import {appModelArg, list} from './targets.js'

export const SECRET_KEY_PATTERN = /^([a-z](?:-?[a-z0-9]){2,})$/

/** `admin_password` → `admin-password`, `API.Token` → `api-token`, `pw` → `pw-value`. */
export function secretKeyFor(option: string): string {
  let key = option
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '')
  if (key === '') key = 'value'
  while (!SECRET_KEY_PATTERN.test(key)) key = `${key}-value`
  return key
}

/** One key per option, made unique (`a_b` and `a-b` would both be `a-b`). */
export function secretKeysFor(options: readonly string[]): Map<string, string> {
  const keys = new Map<string, string>()
  const used = new Set<string>()
  for (const option of options) {
    const base = secretKeyFor(option)
    let key = base
    for (let n = 2; used.has(key); n++) key = `${base}-${n}`
    used.add(key)
    keys.set(option, key)
  }
  return keys
}

/** The secret's name: `grafana-credentials`. Juju's names follow the same rule as its keys. */
export function secretNameFor(app: Application): string {
  return secretKeyFor(`${app.name}-credentials`)
}

/** Options of type `secret`: the charm takes a Juju secret's URI there. */
export function secretTypedOptions(metadata: CharmMetadata | undefined): string[] {
  return Object.entries(metadata?.options ?? {})
    .filter(([, option]) => option.type === 'secret')
    .map(([name]) => name)
    .sort()
}

/**
 * Moves `options` into a Juju secret. Each value is read from a file (`KEY#file=PATH`), so it
 * stays out of the shell history; `add-secret` prints the URI, which goes to the charm's
 * secret-typed option when it has exactly one, and only then are the plain options reset.
 */
export function moveToSecret(app: Application, metadata: CharmMetadata | undefined, options: readonly string[], reset: boolean): FixParts {
  const m = appModelArg(app)
  const name = secretNameFor(app)
  const keys = secretKeysFor(options)
  const pairs = options.map((o) => `${keys.get(o)}#file=${keys.get(o)}.txt`).join(' ')
  const add = `uri=$(juju add-secret -m ${m} ${name} ${pairs})`
  const grant = `juju grant-secret -m ${m} ${name} ${app.name}`
  const secretOptions = secretTypedOptions(metadata)
  const resetCommand = `juju config -m ${m} ${app.name} --reset ${options.join(',')}`
  if (secretOptions.length === 1) {
    return {commands: [add, grant, `juju config -m ${m} ${app.name} ${secretOptions[0]}="$uri"`, ...(reset ? [resetCommand] : [])], notes: []}
  }
  const where =
    secretOptions.length > 1
      ? `set the one of ${list(secretOptions)} that takes them to "$uri"`
      : `the charm has no option of type secret${metadata ? '' : ' that hardenctl knows of'}: use a revision that takes a Juju secret and set that option to "$uri"`
  return {commands: [add, grant], notes: [`${where}${reset ? `; only then: ${resetCommand}` : ''}`]}
}
