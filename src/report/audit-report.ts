/**
 * The audit report: the one document every renderer (table, JSON, SARIF, JUnit) reads.
 * `createAuditReport` is the only way to build one: it fixes the order of everything and computes
 * the summary, so two audits of the same estate render byte for byte the same.
 */
import {SEVERITIES, severityRank, type Finding, type NotEvaluated, type Severity, type Target} from '../findings/types.js'

export const REPORT_API_VERSION = 'hardenctl.io/v1'

/** A policy waiver whose `expires` date has passed: it no longer waives anything. */
export interface ExpiredWaiver {
  rule: string
  /** The target as written in the policy, e.g. `prod:livepatch/postgresql` or `*`. */
  target: string
  reason: string
  /** ISO date. */
  expires: string
  /** The policy file the waiver came from. */
  source: string
}

export interface AuditReportSummary {
  /** Every finding in `findings`, waived or not: `sum(bySeverity) + waived`. */
  total: number
  /** Unwaived findings by severity; every severity is present, zero when none. */
  bySeverity: Record<Severity, number>
  /** Findings with a waiver. */
  waived: number
  /** Distinct rules with at least one `notEvaluated` entry. */
  notEvaluated: number
  failOn?: Severity
  /** Some unwaived finding is at or above `failOn`. Always false without `failOn`. */
  failed: boolean
}

export interface AuditReport {
  apiVersion: typeof REPORT_API_VERSION
  kind: 'AuditReport'
  metadata: {
    /** ISO 8601 timestamp. */
    generatedAt: string
    tool: {name: 'hardenctl'; version: string}
    profiles: string[]
    /** Input files, or `live`. */
    inputs: string[]
    /** Policy file path. */
    policy?: string
    /** The hosts audited (`hardenctl host`, a snapshot's hosts/); absent when none. */
    hosts?: string[]
  }
  summary: AuditReportSummary
  /** Worst severity first, then rule id, then target (controller, model, namespace, kind, name). */
  findings: Finding[]
  notEvaluated: NotEvaluated[]
  expiredWaivers: ExpiredWaiver[]
}

export interface AuditReportParts {
  generatedAt: Date | string
  toolVersion: string
  profiles: readonly string[]
  inputs: readonly string[]
  policy?: string
  hosts?: readonly string[]
  findings: readonly Finding[]
  notEvaluated?: readonly NotEvaluated[]
  expiredWaivers?: readonly ExpiredWaiver[]
  failOn?: Severity
}

export function createAuditReport(parts: AuditReportParts): AuditReport {
  const findings = [...parts.findings].sort(compareFindings)
  const notEvaluated = [...(parts.notEvaluated ?? [])]
    .map((entry) => (entry.targets ? {...entry, targets: [...entry.targets].sort(compareTargets)} : entry))
    .sort(compareNotEvaluated)
  const expiredWaivers = [...(parts.expiredWaivers ?? [])].sort(compareExpiredWaivers)
  const generatedAt = typeof parts.generatedAt === 'string' ? parts.generatedAt : parts.generatedAt.toISOString()

  const metadata: AuditReport['metadata'] = {
    generatedAt,
    tool: {name: 'hardenctl', version: parts.toolVersion},
    profiles: [...parts.profiles],
    inputs: [...parts.inputs],
  }
  if (parts.policy !== undefined) metadata.policy = parts.policy
  if (parts.hosts !== undefined) metadata.hosts = [...parts.hosts]

  return {
    apiVersion: REPORT_API_VERSION,
    kind: 'AuditReport',
    metadata,
    summary: summarize(findings, notEvaluated, parts.failOn),
    findings,
    notEvaluated,
    expiredWaivers,
  }
}

function summarize(findings: readonly Finding[], notEvaluated: readonly NotEvaluated[], failOn: Severity | undefined): AuditReportSummary {
  const bySeverity = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>
  let waived = 0
  let failed = false
  for (const finding of findings) {
    if (finding.waived) {
      waived++
      continue
    }
    bySeverity[finding.severity]++
    if (failOn !== undefined && severityRank(finding.severity) >= severityRank(failOn)) failed = true
  }
  return {
    total: findings.length,
    bySeverity,
    waived,
    notEvaluated: new Set(notEvaluated.map((entry) => entry.rule)).size,
    ...(failOn === undefined ? {} : {failOn}),
    failed,
  }
}

/** Code-unit order, not locale order: the same on every machine. */
export function compareStrings(a: string | undefined, b: string | undefined): number {
  const left = a ?? ''
  const right = b ?? ''
  return left < right ? -1 : left > right ? 1 : 0
}

export function compareTargets(a: Target, b: Target): number {
  return (
    compareStrings(a.controller, b.controller) ||
    compareStrings(a.model, b.model) ||
    compareStrings(a.namespace, b.namespace) ||
    compareStrings(a.kind, b.kind) ||
    compareStrings(a.name, b.name)
  )
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    compareStrings(a.rule, b.rule) ||
    compareTargets(a.target, b.target) ||
    compareStrings(a.message, b.message) ||
    compareStrings(a.location?.file, b.location?.file) ||
    (a.location?.line ?? 0) - (b.location?.line ?? 0) ||
    (a.location?.column ?? 0) - (b.location?.column ?? 0)
  )
}

function compareNotEvaluated(a: NotEvaluated, b: NotEvaluated): number {
  const firstA = a.targets?.[0]
  const firstB = b.targets?.[0]
  return (
    compareStrings(a.rule, b.rule) ||
    // Entries for every target ("could not run at all") before per-target entries.
    (firstA ? 1 : 0) - (firstB ? 1 : 0) ||
    (firstA && firstB ? compareTargets(firstA, firstB) : 0) ||
    compareStrings(a.message, b.message)
  )
}

function compareExpiredWaivers(a: ExpiredWaiver, b: ExpiredWaiver): number {
  return compareStrings(a.rule, b.rule) || compareStrings(a.target, b.target) || compareStrings(a.expires, b.expires) || compareStrings(a.source, b.source)
}
