/**
 * The reconcile pipeline: sources → inventory → desired state (NetworkPolicies, Juju access,
 * command blocks and exposure) → plan (against what the estate has) → apply (or dry run) →
 * result. `--from` plans offline, with no cluster and no controller at all.
 *
 * With `reportToCluster`, the audit rules then run over the same inventory (read once, at the
 * start of the run) and their findings are written as PolicyReports after the apply: they
 * describe the estate as it was before this run's changes.
 */
import type {KubeConfig} from '@kubernetes/client-node'

import {type ApplyResult, applyPlan} from '../apply/index.js'
import {applyJujuActions, type JujuApplyResult} from '../apply/juju.js'
import {type PolicyReportsOutcome, writeFindingsToCluster} from '../apply/policy-reports.js'
import {auditInventory, loadInventory} from '../audit/run-audit.js'
import {InputError} from '../errors.js'
import type {Inventory} from '../inventory/types.js'
import {closedPaths} from '../plan/closes.js'
import {planForInventory} from '../plan/plan.js'
import {jujuActions, networkPolicyActions, type ReconcilePlan, type UntouchedNamespace} from '../plan/types.js'
import {type LoadedPolicy, loadPolicy} from '../policy/load.js'
import {describeLiveInputs, type LiveCollection} from '../sources/live.js'

/** Namespaces left as they are on purpose: the run still converged. */
const BY_DESIGN: ReadonlySet<UntouchedNamespace['why']> = new Set(['out-of-scope', 'unmodelled-workloads', 'ambient-mesh'])

export const DEFAULT_MAX_CHANGES = 20

export interface ReconcileOptions {
  from?: string[]
  live?: LiveCollection
  /** Where to apply NetworkPolicies; without it (no cluster inspected) only the Juju side is reconciled. */
  kubeConfig?: KubeConfig
  policyFile?: string
  /** The policy, already loaded (the command checks it before collecting the live estate); else `policyFile` is loaded. */
  policy?: LoadedPolicy
  dryRun: boolean
  forceConflicts: boolean
  /** Apply even when the plan closes a path in use that the policy did not ask to close. */
  allowClosing?: boolean
  /** More enforced Juju changes than this and none is made (default 20). */
  maxChanges?: number
  /**
   * Also audit the inventory and write the findings as one PolicyReport per Juju model namespace
   * (live runs with a cluster only; `dryRun` sends them with `dryRun=All`).
   */
  reportToCluster?: boolean
  /** For the audit report's metadata (`reportToCluster`). */
  toolVersion?: string
  now?: Date
  onProgress?: (message: string) => void
}

export interface ReconcileResult {
  plan: ReconcilePlan
  /** The NetworkPolicy side; undefined when planning offline or when no cluster was inspected. */
  applied?: ApplyResult
  /** The Juju side: what was (or, dry run and unenforced sections, would be) called. */
  juju: JujuApplyResult
  /** `reportToCluster`: the PolicyReports written, or why none were. */
  policyReports?: PolicyReportsOutcome
  warnings: string[]
  /** The estate as read at the start of the run (the HTML report draws its graph). */
  inventory: Inventory
  /** False when something did not converge: a failed or conflicting write, a namespace left alone for lack of a full view, Juju changes held back by --max-changes. */
  converged: boolean
}

export async function runReconcile(options: ReconcileOptions): Promise<ReconcileResult> {
  if (options.from && !options.dryRun) throw new InputError(undefined, '--from plans from a snapshot and cannot apply; add --dry-run')
  const maxChanges = options.maxChanges ?? DEFAULT_MAX_CHANGES
  const now = options.now ?? new Date()
  const {policy, file: policyFile} = options.policy ?? (await loadPolicy(options.policyFile))
  const {inventory, warnings} = await loadInventory({from: options.from, live: options.live, policyInUse: policyFile})
  const login = options.live?.jujuLogin
  const plan = planForInventory(inventory, policy, {
    now,
    policyFile,
    ...(login ? {self: new Map(login.controllers.map((controller) => [controller.name, controller.user]))} : {}),
  })

  // Only where NetworkPolicies are planned: with no cluster inspected, the plan loses them below.
  if (options.from || options.kubeConfig) plan.closes.push(...closedPaths(inventory, policy, plan))
  if (!options.dryRun && !options.allowClosing) refuseUnaskedClosing(plan)

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

  let policyReports: PolicyReportsOutcome | undefined
  if (options.reportToCluster && !options.from) {
    if (options.kubeConfig) {
      // The findings of the inventory read at the start of this run, before its changes.
      const {report, rules} = auditInventory(inventory, {
        policy,
        policyFile,
        now,
        toolVersion: options.toolVersion ?? '',
        inputs: options.live ? describeLiveInputs(options.live) : [],
      })
      const kubernetes = options.live?.kubernetes
      policyReports = await writeFindingsToCluster(options.kubeConfig, {report, inventory, policy, rules, now}, {
        dryRun: options.dryRun,
        onProgress: options.onProgress,
        ...(kubernetes?.inspected ? {description: kubernetes.description} : {}),
      })
    } else {
      warnings.push('--report-to-cluster: no Kubernetes cluster was inspected, so no PolicyReports were written')
    }
  }

  const converged =
    (applied?.failed ?? 0) === 0 &&
    plan.untouched.every((entry) => BY_DESIGN.has(entry.why)) &&
    juju.failed === 0 &&
    juju.heldBack === undefined &&
    (policyReports?.failed.length ?? 0) === 0
  return {plan, applied, juju, ...(policyReports ? {policyReports} : {}), warnings, inventory, converged}
}

/** Before any write: a plan that would cut a path in use the policy did not ask to close is not applied. */
function refuseUnaskedClosing(plan: ReconcilePlan): void {
  const unasked = plan.closes.filter((path) => !path.asked)
  if (unasked.length === 0) return
  const named = unasked.slice(0, 2).map((path) => `${path.from} → ${path.to} ${path.ports} (${path.usedBy})`)
  const more = unasked.length > 2 ? ` and ${unasked.length - 2} more` : ''
  throw new InputError(
    undefined,
    `refusing to apply: the plan closes ${unasked.length === 1 ? 'a path' : `${unasked.length} paths`} in use that the policy does not ask to close: ${named.join('; ')}${more}; nothing was written (see them all with --dry-run; --allow-closing applies anyway)`,
  )
}

function withoutNetworkPolicies(plan: ReconcilePlan): void {
  const skipped = networkPolicyActions(plan).length > 0 || plan.untouched.length > 0
  plan.actions = jujuActions(plan)
  plan.untouched = []
  plan.namespaceLabels = []
  if (skipped) plan.notes.unshift('No Kubernetes cluster was inspected, so no NetworkPolicies were planned or applied.')
}
