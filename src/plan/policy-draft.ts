/** NetworkPolicies while the planner assembles them: per policy, its rules, each with the reason it exists. */
import type {LabelSelector, NetworkPolicyPeer, NetworkPolicyPort} from './types.js'

/** One rule: its peers (undefined: every source) and ports (undefined: every port), and why. */
export interface RuleDraft {
  peers: NetworkPolicyPeer[] | undefined
  ports: NetworkPolicyPort[] | undefined
  reason: string
}

export class PolicyDraft {
  readonly ingress: RuleDraft[] = []
  readonly egress: RuleDraft[] = []
  constructor(
    readonly name: string,
    readonly podSelector: LabelSelector,
  ) {}
}

/** The draft of policy NAME in NAMESPACE, made on first use. */
export type DraftOf = (namespace: string, name: string, podSelector: LabelSelector) => PolicyDraft
