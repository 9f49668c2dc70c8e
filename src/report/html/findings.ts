/** Findings as the page lists them: grouped by model → application, with guide link, location and fix. */
import type {Finding, Target} from '../../findings/types.js'
import type {AuditReport} from '../audit-report.js'
import {guideLink} from './guide-link.js'
import type {GuideLink, HtmlFinding, SummaryData} from './types.js'

export function htmlFindings(findings: readonly Finding[], nodeOf: (target: Target) => string | undefined): {findings: HtmlFinding[]; guides: GuideLink[]} {
  const guides: GuideLink[] = []
  const guideIndex = new Map<string, number>()
  const indexOf = (guide: GuideLink): number => {
    const key = JSON.stringify(guide)
    let index = guideIndex.get(key)
    if (index === undefined) {
      index = guides.push(guide) - 1
      guideIndex.set(key, index)
    }
    return index
  }
  const listed = findings.map((finding): HtmlFinding => {
    const node = nodeOf(finding.target)
    const location = finding.location ? [finding.location.file, finding.location.line, finding.location.column].filter((part) => part !== undefined).join(':') : undefined
    return {
      severity: finding.severity,
      rule: finding.rule,
      title: finding.title,
      message: finding.message,
      model: modelOf(finding.target),
      subject: subjectOf(finding.target),
      ...(node ? {node} : {}),
      guide: indexOf(guideLink(finding.guide)),
      ...(location ? {location} : {}),
      fix: finding.remediation,
      autoFixable: finding.autoFixable,
      ...(finding.waived ? {waived: `${finding.waived.reason} (${finding.waived.source}${finding.waived.expires ? `, until ${finding.waived.expires}` : ''})`} : {}),
    }
  })
  return {findings: listed, guides}
}

function modelOf(target: Target): string {
  if (target.model !== undefined) return `${target.controller ? `${target.controller}:` : ''}${target.model}`
  if (target.namespace !== undefined) return `namespace ${target.namespace}`
  if (target.controller !== undefined) return `controller ${target.controller}`
  // `hardenctl host` on this host or a copy: no model, one group for the hosts read.
  if (target.kind === 'host') return 'hosts'
  return 'estate'
}

function subjectOf(target: Target): string {
  if (target.kind === 'application') return target.name
  if (target.kind === 'unit') return target.name.split('/')[0]!
  return `${target.kind} ${target.name}`
}

export function auditSummary(report: AuditReport, ruleTitles: ReadonlyMap<string, string>): SummaryData {
  const counts = new Map<string, number>()
  for (const finding of report.findings) counts.set(finding.rule, (counts.get(finding.rule) ?? 0) + 1)
  const notEvaluated = new Map<string, string>()
  for (const entry of report.notEvaluated) if (!notEvaluated.has(entry.rule)) notEvaluated.set(entry.rule, entry.message)
  return {
    bySeverity: report.summary.bySeverity,
    total: report.summary.total,
    waived: report.summary.waived,
    rules: [...counts].map(([rule, count]) => ({rule, title: ruleTitles.get(rule) ?? '', count})),
    notEvaluated: [...notEvaluated].map(([rule, message]) => ({rule, message})),
    inputs: report.metadata.inputs,
    ...(report.metadata.policy === undefined ? {} : {policy: report.metadata.policy}),
    profiles: report.metadata.profiles,
    generatedAt: report.metadata.generatedAt,
    tool: `${report.metadata.tool.name} ${report.metadata.tool.version}`,
  }
}
