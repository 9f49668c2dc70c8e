/**
 * The "what next" command an audit suggests: `hardenctl reconcile --dry-run` for exactly the
 * estate just audited (the same snapshot, or the same live controllers, models and context) and
 * the same policy, quoted so it can be pasted into a POSIX shell.
 */
import type {LiveFlagValues} from './flags.js'

export interface AuditedInputs extends Partial<LiveFlagValues> {
  from?: string[] | undefined
  policy?: string | undefined
}

export function reconcileDryRunCommand(bin: string, inputs: AuditedInputs): string {
  const words = [bin, 'reconcile', '--dry-run']
  const repeat = (flag: string, values: readonly string[] | undefined) => {
    for (const value of values ?? []) words.push(flag, value)
  }
  if (inputs.from?.length) {
    repeat('--from', inputs.from)
  } else {
    if (inputs['no-juju']) words.push('--no-juju')
    if (inputs['no-kubernetes']) words.push('--no-kubernetes')
    repeat('--controller', inputs.controller)
    repeat('--model', inputs.model)
    if (inputs['juju-insecure-skip-verify']) words.push('--juju-insecure-skip-verify')
    if (inputs.kubeconfig !== undefined) words.push('--kubeconfig', inputs.kubeconfig)
    if (inputs.context !== undefined) words.push('--context', inputs.context)
    repeat('--namespace', inputs.namespace)
  }
  if (inputs.policy !== undefined) words.push('--policy', inputs.policy)
  return words.map(shellQuote).join(' ')
}

/** Leaves plain words alone; single-quotes anything a shell would split or expand. */
export function shellQuote(word: string): string {
  if (/^[\w@%+=:,./-]+$/.test(word)) return word
  return `'${word.replaceAll("'", `'\\''`)}'`
}
