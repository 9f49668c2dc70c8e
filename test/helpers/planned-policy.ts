import {type NetworkPolicyObject, networkPolicyActions, type ReconcilePlan} from '../../src/plan/types.js'

/** The NetworkPolicy named NAME among a plan's actions (created, updated or unchanged), if any. */
export function plannedPolicy(plan: Pick<ReconcilePlan, 'actions'>, name: string): NetworkPolicyObject | undefined {
  return networkPolicyActions(plan).find((action) => action.object.metadata.name === name)?.object
}
