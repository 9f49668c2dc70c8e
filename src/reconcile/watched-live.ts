/**
 * A `reconcile --watch` pass's live estate: the Kubernetes side as the watches keep it
 * (src/sources/kubernetes-api/watch.ts), taken at the start of the pass, and the Juju side
 * collected for the pass as a one-shot run collects it (the controllers have no watch API
 * hardenctl follows). The result is what `collectLive` returns for the same estate: the same
 * documents, warnings, failures and side reports, so the pass plans exactly as a one-shot run.
 */
import type {KubeConfig} from '@kubernetes/client-node'

import {IncompleteError} from '../errors.js'
import {discoverJuju} from '../sources/juju-api/juju-data.js'
import type {KubernetesCollection} from '../sources/kubernetes-api/list.js'
import type {LiveCollection, SideReport} from '../sources/live.js'
import type {SourceDocument} from '../sources/source-document.js'

export interface WatchedPassSources {
  /** The watched cluster now; throws an IncompleteError when that view is not current. */
  cluster: () => KubernetesCollection
  kubeConfig: KubeConfig
  /** How the cluster was found (discoverKubernetes's description). */
  description: string
  /** false: `--no-juju`. */
  juju: false | {controllers?: string[]}
  /** The Juju side alone: collectLive with the Kubernetes side skipped. */
  collectJuju: () => Promise<LiveCollection>
  env?: NodeJS.ProcessEnv
}

interface JujuSide {
  documents: SourceDocument[]
  warnings: string[]
  failures: LiveCollection['failures']
  report: SideReport
  login?: LiveCollection['jujuLogin']
  calls: number
}

export async function collectWatchedPass(sources: WatchedPassSources): Promise<LiveCollection> {
  // First: a view that is not current fails the pass before the controllers are asked anything.
  const kubernetes = sources.cluster()
  const juju = await collectJujuSide(sources)
  return {
    documents: [...juju.documents, ...kubernetes.documents],
    warnings: [...juju.warnings, ...kubernetes.warnings],
    failures: juju.failures,
    juju: juju.report,
    kubernetes: {inspected: true, description: sources.description},
    kubeConfig: sources.kubeConfig,
    ...(juju.login ? {jujuLogin: juju.login} : {}),
    stats: {jujuCalls: juju.calls, kubernetesRequests: kubernetes.requests},
  }
}

/** As collectLive treats the Juju side next to an inspected cluster: skipped, not configured, failed or collected. */
async function collectJujuSide(sources: WatchedPassSources): Promise<JujuSide> {
  const none = {documents: [], failures: [], calls: 0}
  if (sources.juju === false) {
    const reason = 'skipped (--no-juju)'
    return {...none, warnings: [`Juju not inspected: ${reason}`], report: {inspected: false, reason}}
  }
  const found = discoverJuju({controllers: sources.juju.controllers, env: sources.env ?? process.env})
  if (!found.found) return {...none, warnings: [`Juju not inspected: ${found.reason}`], report: {inspected: false, reason: found.reason}}
  try {
    const live = await sources.collectJuju()
    return {
      documents: live.documents,
      // collectLive says the cluster was skipped: here it was read from the watches.
      warnings: live.warnings.filter((warning) => !warning.startsWith('Kubernetes not inspected: ')),
      failures: live.failures,
      report: live.juju,
      ...(live.jujuLogin ? {login: live.jujuLogin} : {}),
      calls: live.stats.jujuCalls,
    }
  } catch (error) {
    // The controllers did not answer: the pass goes on with the cluster, as a one-shot run's would.
    if (!(error instanceof IncompleteError)) throw error
    const name = found.controllers.map((controller) => controller.name).join(',')
    return {
      ...none,
      warnings: [],
      failures: [{message: error.message, gap: {target: {kind: 'juju', name}, message: error.message}}],
      report: {inspected: false, reason: error.message},
    }
  }
}
