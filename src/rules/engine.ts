/**
 * Runs rules over an inventory. Each rule gets a RuleContext; its drafts become Findings carrying
 * the rule's metadata. Rules whose inputs are all absent do not run and are reported once as not
 * evaluated; host rules (`scope: 'host'`) run only on an inventory that holds hosts
 * (`hardenctl host`, a snapshot's hosts/) and are not reported otherwise. A rule that throws does not stop the others: it becomes a NotEvaluated naming the
 * error, and is listed in `errors` so the caller can decide how loud to be.
 */
import type {Finding, NotEvaluated, Target} from '../findings/types.js'
import type {InputKind, Inventory} from '../inventory/types.js'
import type {SourceRef} from '../sources/document.js'
import type {Policy} from '../policy/schema.js'
import {describeAlternatives, describeMissing, missingNeeds} from './needs.js'
import type {FindingDraft, Rule, RuleContext} from './rule.js'

export interface EvaluateOptions {
  /** Time of the audit; rules that judge age (ACCESS-STALE-USER) measure from it. */
  now: Date
}

export interface RuleError {
  rule: string
  message: string
}

/**
 * A finding plus the Kubernetes annotations of its target (for `hardenctl.io/waive`), kept out of
 * Finding so the JSON report contract does not change.
 */
export interface EvaluatedFinding {
  finding: Finding
  annotations?: Record<string, string>
  /** Where the finding points; turned into `finding.location` once every rule ran (`placeFindings`). */
  ref?: SourceRef
}

export interface EvaluationResult {
  /** In catalog order, then in the order each rule reported them. */
  findings: EvaluatedFinding[]
  notEvaluated: NotEvaluated[]
  /** Rules that threw; each also has a NotEvaluated entry with the error message. */
  errors: RuleError[]
}

export function evaluateRules(rules: readonly Rule[], inventory: Inventory, policy: Policy, options: EvaluateOptions): EvaluationResult {
  const result: EvaluationResult = {findings: [], notEvaluated: [], errors: []}

  for (const rule of rules) {
    if (rule.scope === 'host' && !inventory.inputs.has('host')) continue

    const missing = missingNeeds(rule.needs, inventory.inputs)
    if (missing.length > 0) {
      result.notEvaluated.push({rule: rule.id, needs: missing.flat(), message: `not evaluated: ${describeMissing(missing)}`})
      continue
    }

    const findings: EvaluatedFinding[] = []
    const skipped = new NotEvaluatedCollector(rule.id)
    const context: RuleContext = {
      inventory,
      policy,
      now: options.now,
      report(draft: FindingDraft) {
        const item: EvaluatedFinding = {finding: toFinding(rule, draft)}
        if (draft.annotations && Object.keys(draft.annotations).length > 0) item.annotations = {...draft.annotations}
        if (draft.ref) item.ref = draft.ref
        findings.push(item)
      },
      notEvaluated(target: Target, needs: InputKind[], message?: string) {
        skipped.add(target, needs, message)
      },
    }

    try {
      rule.evaluate(context)
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      // Findings reported before the throw are true findings and are kept; the NotEvaluated entry
      // says the rule did not finish.
      result.findings.push(...findings)
      result.errors.push({rule: rule.id, message})
      result.notEvaluated.push({rule: rule.id, needs: [], message: `rule failed: ${message}`})
      continue
    }
    result.findings.push(...findings)
    const entry = skipped.entry()
    if (entry) result.notEvaluated.push(entry)
  }
  placeFindings(result.findings, inventory)
  return result
}

/**
 * Gives findings their file:line in one batch: a file is read again and scanned once for all the
 * findings in it, then let go (a 24k-pod list's text is not held while other rules run).
 */
function placeFindings(findings: readonly EvaluatedFinding[], inventory: Inventory): void {
  const locations = inventory.locateAll(findings.map((item) => item.ref))
  findings.forEach(({finding}, index) => {
    const location = locations[index]
    if (location) finding.location = location
  })
}

function toFinding(rule: Rule, draft: FindingDraft): Finding {
  const finding: Finding = {
    rule: rule.id,
    severity: draft.severity ?? rule.severity,
    title: rule.title,
    target: {...draft.target},
    message: draft.message,
    evidence: draft.evidence ?? {},
    guide: {...rule.guide},
    remediation: draft.remediation ?? rule.remediation,
    autoFixable: draft.autoFixable ?? rule.autoFixable,
  }
  return finding
}

function targetKey(t: Target): string {
  return [t.kind, t.controller ?? '', t.model ?? '', t.namespace ?? '', t.name].join('\u0000')
}

/** Groups a rule's notEvaluated calls into one NotEvaluated with every target. */
class NotEvaluatedCollector {
  private readonly targets = new Map<string, Target>()
  private readonly needs = new Set<InputKind>()
  private readonly messages = new Set<string>()

  constructor(private readonly rule: string) {}

  add(target: Target, needs: InputKind[], message?: string): void {
    const key = targetKey(target)
    if (!this.targets.has(key)) this.targets.set(key, {...target})
    for (const n of needs) this.needs.add(n)
    this.messages.add(message ?? `needs ${describeAlternatives(needs)}`)
  }

  entry(): NotEvaluated | undefined {
    if (this.targets.size === 0) return undefined
    const messages = [...this.messages]
    const message = messages.length <= 3 ? messages.join('; ') : `${messages.slice(0, 3).join('; ')}; and ${messages.length - 3} more`
    return {rule: this.rule, targets: [...this.targets.values()], needs: [...this.needs], message}
  }
}
