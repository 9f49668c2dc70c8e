/**
 * The live source: the Juju controllers and the Kubernetes cluster, each inspected when its
 * client configuration is there (or skipped on purpose), collected at the same time, redacted,
 * and returned as snapshot-layout documents.
 */
import type {KubeConfig} from '@kubernetes/client-node'

import {IncompleteError, InputError} from '../errors.js'
import type {InventoryGap} from '../inventory/types.js'
import {Deadline, DEFAULT_DEADLINE_MS} from './deadline.js'
import type {ModelReuse} from './juju-api/collect.js'
import {type ControllerTarget, discoverJuju} from './juju-api/juju-data.js'
import {discoverKubernetes} from './kubernetes-api/discover.js'
import {redactDocuments} from './redact.js'
import type {SourceDocument} from './source-document.js'

export interface LiveOptions {
  /** false: `--no-juju`, or not needed (see `jujuNotNeeded`). */
  juju: false | {controllers?: string[]; models?: string[]; insecureSkipVerify?: boolean; reuse?: ModelReuse | undefined}
  /**
   * Why Juju is not read when the command, not the user, left it out (`netpol` without `--plan`):
   * said instead of "--no-juju", which the user did not pass, and worth no warning.
   */
  jujuNotNeeded?: string
  /** false: `--no-kubernetes`. */
  kubernetes: false | {kubeconfig?: string; context?: string; namespaces?: string[]}
  env?: NodeJS.ProcessEnv
  onProgress?: (message: string) => void
  /** The whole collection's time budget (`--timeout`); default DEFAULT_DEADLINE_MS. */
  timeoutMs?: number
  /** Largest Kubernetes API answer read (HARDENCTL_MAX_RESPONSE_MB). */
  maxResponseBytes?: number
}

export type SideReport = {inspected: true; description: string} | {inspected: false; reason: string}

export interface LiveCollection {
  documents: SourceDocument[]
  warnings: string[]
  /**
   * A configured side that could not be collected (unreachable, login refused) while the other
   * side was: the audit reports what it has, lists these as INVENTORY-INCOMPLETE and exits 3.
   */
  failures: {message: string; gap: InventoryGap}[]
  juju: SideReport
  kubernetes: SideReport
  /** The cluster's client configuration, when the Kubernetes side was collected (reconcile writes through it). */
  kubeConfig?: KubeConfig
  /** The controllers and logins the Juju side was collected with, when it was (reconcile writes through them). */
  jujuLogin?: {controllers: ControllerTarget[]; insecureSkipVerify: boolean}
  /** For the benchmark and `--verbose`. */
  stats: {jujuCalls: number; kubernetesRequests: Record<string, number>}
}

export async function collectLive(options: LiveOptions): Promise<LiveCollection> {
  const env = options.env ?? process.env
  if (options.juju === false && options.kubernetes === false) {
    throw new InputError(undefined, '--no-juju and --no-kubernetes leave nothing to inspect')
  }
  const jujuFound = options.juju === false ? undefined : discoverJuju({controllers: options.juju.controllers, env})
  const kubernetesFound = options.kubernetes === false ? undefined : await discoverKubernetes({...options.kubernetes, env})

  const result: LiveCollection = {
    documents: [],
    warnings: [],
    failures: [],
    juju: {inspected: false, reason: jujuFound === undefined ? (options.jujuNotNeeded ?? 'skipped (--no-juju)') : jujuFound.found ? '' : jujuFound.reason},
    kubernetes: {inspected: false, reason: kubernetesFound === undefined ? 'skipped (--no-kubernetes)' : kubernetesFound.found ? '' : kubernetesFound.reason},
    stats: {jujuCalls: 0, kubernetesRequests: {}},
  }
  const jujuSide = () => `Juju ${notInspected(result.juju)}`
  const kubernetesSide = () => `Kubernetes ${notInspected(result.kubernetes)}`
  if (!jujuFound?.found && !kubernetesFound?.found) {
    throw new InputError(
      undefined,
      // What the input lacked comes first: Kubernetes, when Juju was not even needed.
      `nothing to inspect: ${(options.jujuNotNeeded === undefined ? [jujuSide, kubernetesSide] : [kubernetesSide, jujuSide]).map((side) => side()).join('; ')}. Pass --from DIR to read a snapshot instead`,
    )
  }

  const jujuOptions = options.juju === false ? {} : options.juju
  const kubernetesOptions = options.kubernetes === false ? {} : options.kubernetes
  // The collectors (jujulib, ws, the HTTP client) load only for a live run: offline runs start faster.
  const [{collectJuju}, {collectKubernetes}] = await Promise.all([import('./juju-api/collect.js'), import('./kubernetes-api/list.js')])
  const deadline = new Deadline(options.timeoutMs ?? DEFAULT_DEADLINE_MS)
  let juju: Awaited<ReturnType<typeof collectJuju>> | IncompleteError | undefined
  let kubernetes: Awaited<ReturnType<typeof collectKubernetes>> | IncompleteError | undefined
  try {
    ;[juju, kubernetes] = await Promise.all([
      jujuFound?.found
        ? settle(
            collectJuju(jujuFound.controllers, {
              models: jujuOptions.models,
              insecureSkipVerify: jujuOptions.insecureSkipVerify,
              ...(jujuOptions.reuse ? {reuse: jujuOptions.reuse} : {}),
              deadline,
              onProgress: (event) => options.onProgress?.(`juju ${event.controller}${event.model ? `:${event.model}` : ''}: ${event.step}`),
            }),
            deadline,
            `juju ${jujuFound.controllers.map((controller) => controller.name).join(', ')}`,
          )
        : undefined,
      kubernetesFound?.found
        ? settle(
            collectKubernetes(kubernetesFound.config, {
              namespaces: kubernetesOptions.namespaces,
              description: kubernetesFound.description,
              deadline,
              maxBodyBytes: options.maxResponseBytes,
              onProgress: (event) => options.onProgress?.(`kubernetes ${event.kind}: page ${event.page}, ${event.items} objects`),
            }),
            deadline,
            `Kubernetes API (${kubernetesFound.description})`,
          )
        : undefined,
    ])
  } finally {
    deadline.dispose()
  }
  // One side failing is worth a report of the other; both failing (or the only one) is not.
  const failed = [juju, kubernetes].filter((side) => side instanceof IncompleteError)
  if (failed.length > 0 && failed.length === [juju, kubernetes].filter((side) => side !== undefined).length) throw failed[0]!

  if (juju instanceof IncompleteError) {
    result.juju = {inspected: false, reason: juju.message}
    result.failures.push(sideFailure('juju', jujuFound?.found ? jujuFound.controllers.map((c) => c.name).join(',') : 'juju', juju))
  } else if (juju && jujuFound?.found) {
    result.documents.push(...juju.documents)
    result.warnings.push(...juju.warnings)
    result.stats.jujuCalls = juju.calls
    result.juju = {inspected: true, description: jujuFound.controllers.map((controller) => `controller ${controller.name}`).join(', ')}
    result.jujuLogin = {controllers: jujuFound.controllers, insecureSkipVerify: jujuOptions.insecureSkipVerify ?? false}
  } else if (options.juju !== false || options.jujuNotNeeded === undefined) {
    result.warnings.push(`Juju not inspected: ${notInspected(result.juju)}`)
  }
  if (kubernetes instanceof IncompleteError) {
    result.kubernetes = {inspected: false, reason: kubernetes.message}
    result.failures.push(sideFailure('kubernetes', kubernetesFound?.found ? kubernetesFound.description : 'kubernetes', kubernetes))
  } else if (kubernetes && kubernetesFound?.found) {
    for (const document of kubernetes.documents) result.documents.push(document)
    result.warnings.push(...kubernetes.warnings)
    result.stats.kubernetesRequests = kubernetes.requests
    result.kubernetes = {inspected: true, description: kubernetesFound.description}
    result.kubeConfig = kubernetesFound.config
  } else {
    result.warnings.push(`Kubernetes not inspected: ${notInspected(result.kubernetes)}`)
  }
  result.documents = redactDocuments(result.documents)
  return result
}

function sideFailure(kind: string, name: string, error: IncompleteError): LiveCollection['failures'][number] {
  return {message: error.message, gap: {target: {kind, name}, message: error.message}}
}

const BACKSTOP_GRACE_MS = 500

/**
 * The side's result, or its IncompleteError; anything else (a bug, bad input) still throws. Each
 * side bounds its own requests by the deadline; this is the backstop should one still be waiting
 * when it passes (the side's sockets are left to the process exit).
 */
async function settle<T>(collection: Promise<T>, deadline: Deadline, side: string): Promise<T | IncompleteError> {
  let grace: NodeJS.Timeout | undefined
  let onDeadline: (() => void) | undefined
  const passed = new Promise<IncompleteError>((resolve) => {
    // A moment's grace, so the side's own message (which request, which attempt) wins the race.
    onDeadline = () => (grace = setTimeout(() => resolve(new IncompleteError(`${side}: not finished at ${deadline.describe()}`)), BACKSTOP_GRACE_MS))
    deadline.signal.addEventListener('abort', onDeadline, {once: true})
  })
  // Past the deadline the side may still fail later: nobody is waiting for it then.
  collection.catch(() => undefined)
  try {
    return await Promise.race([collection, passed])
  } catch (error) {
    if (error instanceof IncompleteError) return error
    throw error
  } finally {
    clearTimeout(grace)
    if (onDeadline) deadline.signal.removeEventListener('abort', onDeadline)
  }
}

function notInspected(side: SideReport): string {
  return side.inspected ? 'inspected' : side.reason
}

/** What the report lists as its inputs for a live run. */
export function describeLiveInputs(collection: LiveCollection): string[] {
  const inputs: string[] = []
  if (collection.juju.inspected) inputs.push(`live Juju: ${collection.juju.description}`)
  if (collection.kubernetes.inspected) inputs.push(`live Kubernetes: ${collection.kubernetes.description}`)
  return inputs
}
