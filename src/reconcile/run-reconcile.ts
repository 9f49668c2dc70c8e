/**
 * The reconcile pipeline: sources → inventory → desired NetworkPolicies → plan (against the
 * policies the cluster has) → apply (or server-side dry run) → result. `--from` plans offline,
 * with no cluster at all.
 */
import type {KubeConfig} from '@kubernetes/client-node'

import {type ApplyResult, applyPlan} from '../apply/index.js'
import {loadInventory} from '../audit/run-audit.js'
import {InputError} from '../errors.js'
import {planForInventory} from '../plan/plan.js'
import type {ReconcilePlan} from '../plan/types.js'
import {loadPolicy} from '../policy/load.js'
import type {LiveCollection} from '../sources/live.js'

export interface ReconcileOptions {
  from?: string[]
  live?: LiveCollection
  /** Where to apply; required unless `from` (offline planning). */
  kubeConfig?: KubeConfig
  policyFile?: string
  dryRun: boolean
  forceConflicts: boolean
  onProgress?: (message: string) => void
}

export interface ReconcileResult {
  plan: ReconcilePlan
  /** Undefined when planning offline. */
  applied?: ApplyResult
  warnings: string[]
  /** False when something did not converge: a failed or conflicting write, a namespace left alone for lack of a full view. */
  converged: boolean
}

export async function runReconcile(options: ReconcileOptions): Promise<ReconcileResult> {
  if (options.from && !options.dryRun) throw new InputError(undefined, '--from plans from a snapshot and cannot apply; add --dry-run')
  const {policy} = await loadPolicy(options.policyFile)
  const {inventory, warnings} = await loadInventory(options)
  const plan = planForInventory(inventory, policy)

  let applied: ApplyResult | undefined
  if (!options.from) {
    if (!options.kubeConfig) throw new InputError(undefined, 'reconcile needs a Kubernetes cluster (kubeconfig or in-cluster service account), or --from DIR with --dry-run')
    applied = await applyPlan(options.kubeConfig, plan, {dryRun: options.dryRun, forceConflicts: options.forceConflicts, onProgress: options.onProgress})
  }
  const converged = (applied?.failed ?? 0) === 0 && plan.untouched.every((entry) => entry.why === 'out-of-scope')
  return {plan, applied, warnings, converged}
}
