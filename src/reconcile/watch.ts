/**
 * `reconcile --watch`: reconcile passes one at a time, every interval and soon after a Namespace,
 * Service, Ingress, Gateway route (or another kind of REPORTED_KINDS) is added, changed or deleted,
 * until stopped. Changes wait a short debounce so a burst
 * of them is one pass; changes during a pass make the next one. A pass that fails is reported and
 * the loop goes on. Stopping lets the current pass finish (each of its writes is atomic) and
 * starts no other.
 *
 * The cluster is listed once and then followed with watches (src/sources/kubernetes-api/watch.ts):
 * each pass reads its Kubernetes side from what the watches keep, not from a new LIST. The Juju
 * controllers' models are watched too (src/sources/juju-api/watch-models.ts): a relation added or
 * an application exposed starts a pass as a new Service does.
 */
import type {KubeConfig} from '@kubernetes/client-node'

import {IncompleteError, InputError} from '../errors.js'
import {collectGarbageNow} from '../sources/input-memory.js'
import type {JujuWatch, JujuWatchOptions} from '../sources/juju-api/watch-models.js'
import type {KubernetesCollection} from '../sources/kubernetes-api/list.js'
import type {Change, ClusterWatch} from '../sources/kubernetes-api/watch.js'

export interface WatchLoopOptions {
  /** Between the end of a pass and the next one, when nothing changes. */
  intervalMs: number
  /** A pass starts this long after the first change it is for. */
  debounceMs?: number
  /** Stop after this many passes (a test seam; default: never). */
  maxPasses?: number
  /** Listed and watched; without it, passes only run every interval (and read no cluster view). */
  kubeConfig?: KubeConfig
  /** Names the credentials in messages (discoverKubernetes's description). */
  kubernetesDescription?: string
  /** Only objects in these namespaces are kept, and only their changes start a pass (`--namespace`). */
  namespaces?: string[]
  /** Controllers whose models are watched (src/sources/juju-api/watch-models.ts): their changes start a pass too. */
  juju?: Omit<JujuWatchOptions, 'signal' | 'onChange' | 'onProblem'>
  /** Every kind is listed again this often (`--resync`); default that of watch.ts, an hour. */
  resyncMs?: number
  /** Largest LIST page read (HARDENCTL_MAX_RESPONSE_MB). */
  maxResponseBytes?: number
  /** Stops the loop: the current pass finishes, no other starts. Its reason (e.g. `SIGTERM`) is logged. */
  signal: AbortSignal
  /**
   * One pass (inventory, plan, apply, print); throws to report a failed pass. `cluster` is the
   * watched cluster as it is now (with `kubeConfig`); it throws when that view is not current.
   */
  pass: (pass: number, cluster: (() => KubernetesCollection) | undefined, context: PassContext) => Promise<void>
  /** One line for stderr, without the newline. */
  log: (line: string) => void
}

export interface PassContext {
  /** The first pass, or one the interval brought: it collects everything afresh. False: changes brought it. */
  scheduled: boolean
  /** With `juju`: the model watch's version of a model (JujuWatch.modelVersion), undefined when it vouches for nothing. */
  jujuModelVersion: (controller: string, modelUuid: string) => string | undefined
}

export const DEFAULT_DEBOUNCE_MS = 5000
/** setTimeout's limit; longer waits are taken in parts. */
const MAX_TIMER_MS = 2 ** 31 - 1

/** Runs passes until the signal aborts (or `maxPasses`); resolves with the number of passes run. */
export async function reconcileLoop(options: WatchLoopOptions): Promise<number> {
  const {signal, log} = options
  const debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS
  const every = formatDuration(options.intervalMs)

  let pending: string[] = []
  let firstPendingAt = 0
  let wake: (() => void) | undefined
  const notify = (reason: string): void => {
    if (pending.length === 0) firstPendingAt = Date.now()
    pending.push(reason)
    wake?.()
  }

  let running: number | undefined
  const onStop = (): void => {
    const why = typeof signal.reason === 'string' ? `${signal.reason}: ` : ''
    log(`hardenctl: ${why}stopping${running === undefined ? '' : ` after pass ${running}`}`)
    wake?.()
  }
  signal.addEventListener('abort', onStop, {once: true})

  // Ends the watch when the loop ends, stopped or not (maxPasses).
  const watching = new AbortController()
  const stopWatching = (): void => watching.abort()
  signal.addEventListener('abort', stopWatching, {once: true})
  let watcher: ClusterWatch | undefined
  if (options.kubeConfig) {
    // The HTTP client loads only for a run that watches.
    const {watchCluster} = await import('../sources/kubernetes-api/watch.js')
    watcher = watchCluster(options.kubeConfig, {
      signal: watching.signal,
      namespaces: options.namespaces,
      ...(options.kubernetesDescription === undefined ? {} : {description: options.kubernetesDescription}),
      ...(options.resyncMs === undefined ? {} : {resyncMs: options.resyncMs}),
      ...(options.maxResponseBytes === undefined ? {} : {maxBodyBytes: options.maxResponseBytes}),
      onChange: (change) => notify(describeChange(change)),
      // The stores may be behind meanwhile: passes say so and fail rather than plan from them.
      onProblem: (message) => log(`hardenctl: warning: ${message}; retrying (until it works again, passes fail rather than plan from a view that may be behind)`),
    })
  }
  let jujuWatch: JujuWatch | undefined
  if (options.juju && options.juju.controllers.length > 0) {
    const {watchJuju} = await import('../sources/juju-api/watch-models.js')
    jujuWatch = watchJuju({
      ...options.juju,
      signal: watching.signal,
      onChange: notify,
      onProblem: (message) => log(`hardenctl: warning: ${message}`),
    })
  }
  const cluster = watcher ? () => watcher.snapshot() : undefined

  let passes = 0
  try {
    // The first pass reads the first lists, and every change after them is in the stores or makes
    // a pass: none falls between the lists and the first pass.
    await watcher?.ready
    let next: {reason: string; scheduled: boolean} | undefined = {reason: 'start', scheduled: true}
    const jujuModelVersion = (controller: string, modelUuid: string) => jujuWatch?.modelVersion(controller, modelUuid)
    while (next !== undefined && !signal.aborted) {
      passes++
      running = passes
      pending = []
      log(`hardenctl: pass ${passes} (${next.reason}) at ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}`)
      try {
        await options.pass(passes, cluster, {scheduled: next.scheduled, jujuModelVersion})
      } catch (error) {
        log(`hardenctl: pass ${passes} failed: ${describeError(error)}`)
      }
      running = undefined
      if (options.maxPasses !== undefined && passes >= options.maxPasses) break
      collectGarbageNow()
      next = await nextReason(Date.now())
    }
  } finally {
    signal.removeEventListener('abort', onStop)
    signal.removeEventListener('abort', stopWatching)
    watching.abort()
    await Promise.all([watcher?.stopped, jujuWatch?.stopped])
  }
  return passes

  /** What the next pass is for, once it is due; undefined when stopped. The interval counts from the end of the last pass. */
  async function nextReason(lastEnd: number): Promise<{reason: string; scheduled: boolean} | undefined> {
    while (!signal.aborted) {
      const at = Date.now()
      const changesDue = pending.length > 0 ? firstPendingAt + debounceMs : Number.POSITIVE_INFINITY
      const intervalDue = lastEnd + options.intervalMs
      if (changesDue <= at) return {reason: describeChanges(pending), scheduled: false}
      if (intervalDue <= at) return {reason: pending.length > 0 ? describeChanges(pending) : `${every} since the last pass`, scheduled: true}
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(Math.min(changesDue, intervalDue) - at, MAX_TIMER_MS))
        wake = done
        function done(): void {
          clearTimeout(timer)
          wake = undefined
          resolve()
        }
      })
    }
    return undefined
  }
}

/** `--interval` (or `--resync`): `30s`, `5m`, `1h`, `1h30m` or plain seconds; at least one second. */
export function parseInterval(text: string, flag = '--interval'): number {
  const value = text.trim()
  const units = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value)
  let ms = Number.NaN
  if (/^\d+$/.test(value)) ms = Number(value) * 1000
  else if (units && value !== '') ms = Number(units[1] ?? 0) * 3_600_000 + Number(units[2] ?? 0) * 60_000 + Number(units[3] ?? 0) * 1000
  if (!Number.isSafeInteger(ms) || ms < 1000) {
    throw new InputError(undefined, `${flag} ${text}: expected a duration of at least 1s such as 30s, 5m, 1h or 1h30m, or plain seconds`)
  }
  return ms
}

/** `5m`, `1h30m`, `45s`: how --interval would say it. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000)
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`
}

function describeChange(change: Change): string {
  const what = change.kind === 'Namespace' ? 'namespace' : change.kind === 'Service' ? 'service' : change.kind
  return `${what} ${change.namespace === undefined ? '' : `${change.namespace}/`}${change.name} ${change.type}`
}

/** The first change and how many more: `service livepatch/web added and 3 more changes`. */
function describeChanges(changes: string[]): string {
  const unique = [...new Set(changes)]
  const more = unique.length - 1
  return more === 0 ? (unique[0] ?? 'a change') : `${unique[0]} and ${more} more change${more === 1 ? '' : 's'}`
}

function describeError(error: unknown): string {
  // An invalid policy has one line per problem: the log keeps one line per pass.
  if (error instanceof InputError || error instanceof IncompleteError) return error.message.split('\n').join('; ')
  const message = error instanceof Error ? error.message : String(error)
  if (process.env.HARDENCTL_DEBUG === '1' && error instanceof Error && error.stack) return `${error.stack}`
  const first = message.split('\n').find((line) => line.trim() !== '')?.trim() ?? message
  return `internal error: ${first} (set HARDENCTL_DEBUG=1 for details)`
}
