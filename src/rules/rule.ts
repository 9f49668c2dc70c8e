import type {Finding, GuideReference, Profile, Severity, Target} from '../findings/types.js'
import type {InputKind, Inventory} from '../inventory/types.js'
import type {Policy} from '../policy/schema.js'
import type {SourceRef} from '../sources/document.js'

/** The static description of a rule: what `hardenctl rules` lists. Ids are stable once released. */
export interface RuleMetadata {
  id: string
  title: string
  /** The default severity; a finding may raise or lower it (e.g. JUJU-TRUST is critical with a wildcard ClusterRole). */
  severity: Severity
  profile: Profile
  guide: GuideReference
  rationale: string
  remediation: string
  autoFixable: boolean
  /**
   * The inputs the rule reads. Each inner list is alternatives: `[['charm-metadata', 'k8s-pods']]`
   * means "charm metadata or Kubernetes pods".
   */
  needs: InputKind[][]
  /** Host checks (`hardenctl host`) are catalogued but not run by `audit`. */
  scope?: 'estate' | 'host'
  /** Runs whatever profiles are selected (rules about the audit itself, not one product). */
  runsInEveryProfile?: boolean
}

/** What a finding needs beyond the rule's metadata; the engine fills in the rest. */
export interface FindingDraft {
  target: Target
  message: string
  evidence?: Record<string, unknown>
  /** Overrides the rule's default severity for this finding. */
  severity?: Severity
  /** Overrides the rule's remediation when a more exact command is known for this target. */
  remediation?: string
  /** Overrides the rule's autoFixable: false where reconcile leaves this target as it is. */
  autoFixable?: boolean
  /** Where the offending input lives; resolved to file:line by the engine. */
  ref?: SourceRef
  /** Kubernetes annotations of the target, for `hardenctl.io/waive`. */
  annotations?: Record<string, string>
}

export interface RuleContext {
  inventory: Inventory
  policy: Policy
  /** Time of the audit (injected so tests are deterministic). */
  now: Date
  report(draft: FindingDraft): void
  /** The rule could not be judged for this target: it lacks one of `needs`. */
  notEvaluated(target: Target, needs: InputKind[], message?: string): void
}

export interface Rule extends RuleMetadata {
  evaluate(context: RuleContext): void
}

export type {Finding}
