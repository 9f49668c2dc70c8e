/**
 * Which rules a report covers, for the renderers that list rules (SARIF descriptors, JUnit
 * suites): every catalogued rule the audit ran, plus any rule a finding or not-evaluated entry
 * names that the catalogue passed in does not (described from the finding).
 */
import type {GuideReference, Severity} from '../findings/types.js'
import type {RuleMetadata} from '../rules/rule.js'
import {compareStrings, type AuditReport} from './audit-report.js'

/** A rule as the renderers see it: catalogue metadata, or what a finding tells of its rule. */
export interface AuditedRule {
  id: string
  title: string
  severity: Severity
  guide?: GuideReference
  remediation?: string
  /** Absent when the rule is not in the catalogue passed to the renderer. */
  metadata?: RuleMetadata
}

/**
 * Sorted by id. A catalogued rule is left out when it did not run: a host check (`scope: 'host'`)
 * when the report audited no host, or a rule of a profile the audit did not select; unless
 * something in the report names it.
 */
export function auditedRules(report: AuditReport, rules: readonly RuleMetadata[]): AuditedRule[] {
  const profiles = new Set(report.metadata.profiles)
  const named = new Set([...report.findings.map((finding) => finding.rule), ...report.notEvaluated.map((entry) => entry.rule)])
  const byId = new Map<string, AuditedRule>()
  for (const rule of rules) {
    const ran = (rule.scope !== 'host' || (report.metadata.hosts?.length ?? 0) > 0) && (rule.runsInEveryProfile === true || profiles.size === 0 || profiles.has(rule.profile))
    if (!ran && !named.has(rule.id)) continue
    byId.set(rule.id, {
      id: rule.id,
      title: rule.title,
      severity: rule.severity,
      guide: rule.guide,
      remediation: rule.remediation,
      metadata: rule,
    })
  }
  for (const finding of report.findings) {
    if (byId.has(finding.rule)) continue
    byId.set(finding.rule, {
      id: finding.rule,
      title: finding.title,
      severity: finding.severity,
      guide: finding.guide,
      remediation: finding.remediation,
    })
  }
  for (const entry of report.notEvaluated) {
    if (!byId.has(entry.rule)) byId.set(entry.rule, {id: entry.rule, title: entry.rule, severity: 'info'})
  }
  return [...byId.values()].sort((a, b) => compareStrings(a.id, b.id))
}
