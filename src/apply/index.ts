/** Applying a ReconcilePlan to the cluster: server-side apply and conditional deletes, phase by phase. */
export {
  applyPlan,
  type ActionResult,
  type ActionStatus,
  type ApplyOptions,
  type ApplyResult,
  type RetryOptions,
} from './apply.js'
export type {LabelResult} from './namespace-labels.js'
