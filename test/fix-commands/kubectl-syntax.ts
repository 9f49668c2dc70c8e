/**
 * The kubectl subcommands hardenctl prints, with their flags (cobra/pflag: `--flag value`,
 * `--flag=value`, `-f value`; flags may come anywhere). From kubernetes/kubernetes
 * staging/src/k8s.io/kubectl/pkg/cmd (read with the search tool):
 * - patch/patch.go@040f689d2abf42fbc253b28323f06e0c384a0e22: `patch (-f FILENAME | TYPE NAME) [-p PATCH|--patch-file FILE]`,
 *   --type one of json, merge, strategic (default strategic); --patch or --patch-file is required
 * - create/create_secret_tls.go@00db146e77e008b1f2dbd5c6b28ac1c3cb3f9a48: `tls NAME --cert=... --key=...` (both required)
 * - label/label.go: `label [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N`; without --overwrite a key
 *   the object already has is an error ("'%s' already has a value (%s), and --overwrite is false")
 * - annotate, apply (`-f FILENAME | -k DIRECTORY`), delete, get, edit, rollout restart: their Use lines and flags.
 * Plus the global flags of every kubectl command (-n/--namespace, --context, --kubeconfig, ...).
 */
import type {FlagSpec} from './juju-syntax.js'
import type {Word} from './shell.js'

export interface KubectlCommand {
  /** `create secret tls` and `rollout restart` are written with their sub-words. */
  name: string
  usage: string
  flags: Record<string, FlagSpec>
}

const s: FlagSpec = {value: 'string'}
const b: FlagSpec = {value: 'bool'}
const oneOf = (...values: string[]): FlagSpec => ({value: 'string', enum: values})

const GLOBAL: Record<string, FlagSpec> = {
  n: s,
  namespace: s,
  context: s,
  kubeconfig: s,
  cluster: s,
  user: s,
  s,
  server: s,
  as: s,
  'as-group': s,
  'request-timeout': s,
  'insecure-skip-tls-verify': b,
  v: s,
}
const PRINT: Record<string, FlagSpec> = {o: s, output: s, template: s, 'allow-missing-template-keys': b, 'show-managed-fields': b}
const FILES: Record<string, FlagSpec> = {f: s, filename: s, k: s, kustomize: s, R: b, recursive: b}
const DRY_RUN: Record<string, FlagSpec> = {'dry-run': oneOf('none', 'client', 'server')}

const command = (name: string, usage: string, flags: Record<string, FlagSpec>): KubectlCommand => ({name, usage, flags: {...GLOBAL, ...flags}})

/** `kubectl label` and `kubectl annotate` take the same flags (kubectl's label.go and annotate.go). */
const LABEL_OR_ANNOTATE: Record<string, FlagSpec> = {
  ...PRINT,
  ...FILES,
  ...DRY_RUN,
  overwrite: b,
  all: b,
  A: b,
  'all-namespaces': b,
  l: s,
  selector: s,
  'field-selector': s,
  list: b,
  local: b,
  'resource-version': s,
  'field-manager': s,
}

export const KUBECTL_COMMANDS: readonly KubectlCommand[] = [
  command('label', 'label [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N', LABEL_OR_ANNOTATE),
  command('annotate', 'annotate [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N', LABEL_OR_ANNOTATE),
  command('patch', 'patch (-f FILENAME | TYPE NAME) [-p PATCH|--patch-file FILE]', {
    ...PRINT,
    ...FILES,
    ...DRY_RUN,
    p: s,
    patch: s,
    'patch-file': s,
    type: oneOf('json', 'merge', 'strategic'),
    local: b,
    'field-manager': s,
    subresource: s,
  }),
  command('apply', 'apply (-f FILENAME | -k DIRECTORY)', {
    ...PRINT,
    ...FILES,
    ...DRY_RUN,
    'server-side': b,
    'force-conflicts': b,
    'field-manager': s,
    prune: b,
    l: s,
    selector: s,
    all: b,
    overwrite: b,
    validate: s,
    force: b,
    'grace-period': s,
    wait: b,
    timeout: s,
    cascade: s,
  }),
  command('delete', 'delete ([-f FILENAME] | [-k DIRECTORY] | TYPE [(NAME | -l label | --all)])', {
    ...FILES,
    ...DRY_RUN,
    o: s,
    output: s,
    l: s,
    selector: s,
    all: b,
    A: b,
    'all-namespaces': b,
    cascade: s,
    force: b,
    'grace-period': s,
    now: b,
    wait: b,
    timeout: s,
    'ignore-not-found': b,
    'field-selector': s,
    i: b,
    interactive: b,
    raw: s,
  }),
  command('get', 'get [(-o|--output=)...] (TYPE[.VERSION][.GROUP] [NAME | -l label] | TYPE[.VERSION][.GROUP]/NAME ...)', {
    ...PRINT,
    ...FILES,
    l: s,
    selector: s,
    A: b,
    'all-namespaces': b,
    w: b,
    watch: b,
    'watch-only': b,
    'field-selector': s,
    'show-labels': b,
    L: s,
    'label-columns': s,
    'sort-by': s,
    'ignore-not-found': b,
    'chunk-size': s,
    'no-headers': b,
    'show-kind': b,
    raw: s,
    subresource: s,
    'output-watch-events': b,
    'server-print': b,
  }),
  command('edit', 'edit (RESOURCE/NAME | -f FILENAME)', {
    ...PRINT,
    ...FILES,
    'output-patch': b,
    'windows-line-endings': b,
    validate: s,
    'save-config': b,
    'field-manager': s,
    subresource: s,
  }),
  command('create secret tls', 'create secret tls NAME --cert=path/to/cert/file --key=path/to/key/file [--dry-run=server|client|none]', {
    ...PRINT,
    ...DRY_RUN,
    cert: s,
    key: s,
    'append-hash': b,
    'save-config': b,
    validate: s,
    'field-manager': s,
  }),
  command('rollout restart', 'rollout restart RESOURCE', {...PRINT, ...FILES, ...DRY_RUN, l: s, selector: s, 'field-manager': s}),
]

export function kubectlCommand(words: readonly string[]): {command: KubectlCommand; consumed: number} | undefined {
  for (const c of KUBECTL_COMMANDS) {
    const parts = c.name.split(' ')
    if (parts.every((p, i) => words[i] === p)) return {command: c, consumed: parts.length}
  }
  return undefined
}

export interface ParsedKubectl {
  command: KubectlCommand
  flags: {name: string; value: string | undefined}[]
  positionals: Word[]
  problems: {check: string; problem: string}[]
}

/**
 * Splits kubectl's words into the subcommand (global flags such as `-n NS` may come first),
 * its flags and its arguments.
 */
export function parseKubectl(words: readonly Word[]): ParsedKubectl | {unknown: string} {
  const flags: ParsedKubectl['flags'] = []
  const rest: Word[] = []
  const problems: ParsedKubectl['problems'] = []
  const pending: Word[] = []
  // Global flags before the subcommand: take them with their values, then find the subcommand.
  let i = 0
  for (; i < words.length; i++) {
    const text = words[i]!.value
    if (!text.startsWith('-') || words[i]!.quoted) break
    const name = text.replace(/^--?/, '').split('=')[0]!
    const flag = GLOBAL[name]
    if (!flag) {
      problems.push({check: 'unknown-flag', problem: `kubectl has no global flag ${text}`})
      continue
    }
    const value = text.includes('=') ? text.slice(text.indexOf('=') + 1) : flag.value === 'bool' ? undefined : words[++i]?.value
    flags.push({name, value})
  }
  const found = kubectlCommand(words.slice(i).map((w) => w.value))
  if (!found) return {unknown: words[i]?.value ?? ''}
  const {command} = found
  pending.push(...words.slice(i + found.consumed))
  for (let j = 0; j < pending.length; j++) {
    const word = pending[j]!
    const text = word.value
    if (!text.startsWith('-') || text === '-' || word.quoted) {
      rest.push(word)
      continue
    }
    const long = text.startsWith('--')
    const eq = text.indexOf('=')
    const name = text.slice(long ? 2 : 1, eq < 0 ? undefined : eq)
    const flag = command.flags[name]
    if (!flag || (long && name.length === 1) || (!long && name.length > 1)) {
      problems.push({check: 'unknown-flag', problem: `kubectl ${command.name} has no flag ${text.slice(0, eq < 0 ? undefined : eq)}`})
      continue
    }
    let value: string | undefined
    if (eq >= 0) value = text.slice(eq + 1)
    else if (flag.value !== 'bool') {
      const next = pending[j + 1]
      if (next === undefined) problems.push({check: 'flag-value', problem: `flag ${text} of kubectl ${command.name} needs a value`})
      else {
        value = next.value
        j++
      }
    }
    if (flag.enum && value !== undefined && !flag.enum.includes(value)) problems.push({check: 'flag-value', problem: `flag --${name} of kubectl ${command.name} takes ${flag.enum.join(', ')}, not "${value}"`})
    flags.push({name, value})
  }
  return {command, flags, positionals: rest, problems}
}

export function kubeFlag(parsed: ParsedKubectl, ...names: string[]): string | undefined {
  return [...parsed.flags].reverse().find((f) => names.includes(f.name))?.value
}

export function kubeBool(parsed: ParsedKubectl, ...names: string[]): boolean {
  return parsed.flags.some((f) => names.includes(f.name) && f.value !== 'false')
}
