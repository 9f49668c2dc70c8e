/**
 * The reconcile pipeline: sources → inventory → desired state (NetworkPolicies, Juju access,
 * command blocks and exposure) → plan (against what the estate has) → apply (or dry run) →
 * result. `--from` plans offline, with no cluster and no controller at all.
 */
import type {KubeConfig} from '@kubernetes/client-node'

import {type ApplyResult, applyPlan} from '../apply/index.js'
import {applyJujuActions, type JujuApplyResult} from '../apply/juju.js'
import {loadInventory} from '../audit/run-audit.js'
import {InputError} from '../errors.js'
import {planForInventory} from '../plan/plan.js'
import {jujuActions, networkPolicyActions, type ReconcilePlan} from '../plan/types.js'
import {loadPolicy} from '../policy/load.js'
import type {LiveCollection} from '../sources/live.js'

export const DEFAULT_MAX_CHANGES = 20

export interface ReconcileOptions {
  from?: string[]
  live?: LiveCollection
  /** Where to apply NetworkPolicies; without it (no cluster inspected) only the Juju side is reconciled. */
  kubeConfig?: KubeConfig
  policyFile?: string
  dryRun: boolean
  forceConflicts: boolean
  /** More enforced Juju changes than this and none is made (default 20). */
  maxChanges?: number
  now?: Date
  onProgress?: (message: string) => void
}

export interface ReconcileResult {
  plan: ReconcilePlan
  /** The NetworkPolicy side; undefined when planning offline or when no cluster was inspected. */
  applied?: ApplyResult
  /** The Juju side: what was (or, dry run and unenforced sections, would be) called. */
  juju: JujuApplyResult
  warnings: string[]
  /** False when something did not converge: a failed or conflicting write, a namespace left alone for lack of a full view, Juju changes held back by --max-changes. */
  converged: boolean
}

export async function runReconcile(options: ReconcileOptions): Promise<ReconcileResult> {
  if (options.from && !options.dryRun) throw new InputError(undefined, '--from plans from a snapshot and cannot apply; add --dry-run')
  const maxChanges = options.maxChanges ?? DEFAULT_MAX_CHANGES
  const {policy, file: policyFile} = await loadPolicy(options.policyFile)
  const {inventory, warnings} = await loadInventory(options)
  const login = options.live?.jujuLogin
  const plan = planForInventory(inventory, policy, {
    now: options.now ?? new Date(),
    policyFile,
    ...(login ? {self: new Map(login.controllers.map((controller) => [controller.name, controller.user]))} : {}),
  })

  let applied: ApplyResult | undefined
  if (!options.from && options.kubeConfig) {
    applied = await applyPlan(options.kubeConfig, plan, {dryRun: options.dryRun, forceConflicts: options.forceConflicts, onProgress: options.onProgress})
  } else if (!options.from) {
    // No cluster was inspected (--no-kubernetes, none configured, or it failed, which the live
    // source reports): NetworkPolicies cannot be planned against it, so only the Juju side runs.
    withoutNetworkPolicies(plan)
  }
  const juju = await applyJujuActions(jujuActions(plan), {
    controllers: login?.controllers ?? [],
    insecureSkipVerify: login?.insecureSkipVerify ?? false,
    dryRun: options.dryRun || options.from !== undefined,
    maxChanges,
    onProgress: options.onProgress,
  })
  const converged =
    (applied?.failed ?? 0) === 0 && plan.untouched.every((entry) => entry.why === 'out-of-scope') && juju.failed === 0 && juju.heldBack === undefined
  return {plan, applied, juju, warnings, converged}
}

function withoutNetworkPolicies(plan: ReconcilePlan): void {
  const skipped = networkPolicyActions(plan).length > 0 || plan.untouched.length > 0
  plan.actions = jujuActions(plan)
  plan.untouched = []
  plan.namespaceLabels = []
  if (skipped) plan.notes.unshift('No Kubernetes cluster was inspected, so no NetworkPolicies were planned or applied.')
}
