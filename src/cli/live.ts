/**
 * Shared by `audit` (without --from) and `snapshot`: turns the live flags into a collection,
 * with progress on a terminal and the warnings a user must see on stderr.
 */
import type {NetpolSource} from '../netpol/command-input.js'
import {durationSchema, positiveWholeSchema, readVariable} from '../sources/environment.js'
import type {ModelReuse} from '../sources/juju-api/collect.js'
import {loadPolicy} from '../policy/load.js'
import {collectLive, type LiveCollection} from '../sources/live.js'
import type {LiveFlagValues} from './flags.js'
import {createProgress} from './progress.js'

/** `reconcile --watch` collects every pass; the warning is worth saying once. */
let warnedInsecure = false

export async function collectLiveFromFlags(flags: LiveFlagValues, options: {jujuNotNeeded?: string; jujuReuse?: ModelReuse} = {}): Promise<LiveCollection> {
  if (flags['juju-insecure-skip-verify'] && !flags['no-juju'] && !warnedInsecure) {
    warnedInsecure = true
    process.stderr.write(
      'hardenctl: WARNING: --juju-insecure-skip-verify: the Juju controller certificate is NOT verified; ' +
        'anyone on the network path can impersonate the controller and read the password hardenctl logs in with\n',
    )
  }
  const limits = liveLimits(flags.timeout, process.env)
  const progress = createProgress('Collecting')
  try {
    return await collectLive({
      ...limits,
      juju: flags['no-juju'] ? false : {controllers: flags.controller, models: flags.model, insecureSkipVerify: flags['juju-insecure-skip-verify'], reuse: options.jujuReuse},
      kubernetes: flags['no-kubernetes'] ? false : {kubeconfig: flags.kubeconfig, context: flags.context, namespaces: flags.namespace},
      onProgress: (message) => progress.update(message),
      ...(options.jujuNotNeeded === undefined ? {} : {jujuNotNeeded: options.jujuNotNeeded}),
    })
  } finally {
    progress.done()
  }
}

/** `--timeout` (else HARDENCTL_TIMEOUT) and HARDENCTL_MAX_RESPONSE_MB, checked before anything is asked of a server. */
export function liveLimits(timeout: string | undefined, env: NodeJS.ProcessEnv): {timeoutMs?: number; maxResponseBytes?: number} {
  const limits: {timeoutMs?: number; maxResponseBytes?: number} = {}
  if (timeout !== undefined) limits.timeoutMs = readVariable(durationSchema, '--timeout', timeout)
  else if (env.HARDENCTL_TIMEOUT) limits.timeoutMs = readVariable(durationSchema, 'HARDENCTL_TIMEOUT', env.HARDENCTL_TIMEOUT)
  if (env.HARDENCTL_MAX_RESPONSE_MB) limits.maxResponseBytes = readVariable(positiveWholeSchema, 'HARDENCTL_MAX_RESPONSE_MB', env.HARDENCTL_MAX_RESPONSE_MB) * (1 << 20)
  return limits
}

/**
 * `--from`, or the live estate: the cluster always, Juju only when the plan needs the relation
 * graph. The policy is loaded and validated first, as every command that takes --policy does,
 * even when only --plan reads it: a missing or malformed one is refused before anything is collected.
 */
export async function netpolSourceFromFlags(flags: LiveFlagValues & {from?: string[]; plan: boolean; policy?: string}, needsPlan = flags.plan): Promise<NetpolSource> {
  const policy = await loadPolicy(flags.policy)
  if (flags.from?.length) return {from: flags.from, plan: needsPlan, policy}
  // --namespace narrows what netpol prints, not what it reads: sources in other namespaces count.
  // Without --plan, netpol reads only the cluster: say so, rather than name a --no-juju the user did not pass.
  const jujuNotNeeded = !needsPlan && !flags['no-juju'] ? {jujuNotNeeded: 'not needed (netpol reads Juju only with --plan)'} : {}
  const live = await collectLiveFromFlags({...flags, namespace: undefined, 'no-juju': flags['no-juju'] || !needsPlan}, jujuNotNeeded)
  return {live, plan: needsPlan, policy}
}

export function printWarnings(warnings: string[]): void {
  for (const warning of warnings) process.stderr.write(`hardenctl: warning: ${warning}\n`)
}
