/**
 * SARIF 2.1.0 for code-scanning services (GitHub code scanning first). One run; every audited
 * rule is a reportingDescriptor; every finding a result. Rules that could not be evaluated and
 * expired waivers become tool execution notifications.
 */
import {createHash} from 'node:crypto'
import type {Finding, Severity, Target} from '../findings/types.js'
import type {RuleMetadata} from '../rules/rule.js'
import type {AuditReport} from './audit-report.js'
import {auditedRules, type AuditedRule} from './audited-rules.js'
import {formatGuide, formatNeeds, pathToUriReference, qualifiedTargetName} from './describe.js'

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json'

/** The `partialFingerprints` key; bump the suffix if the hashed identity ever changes. */
export const FINGERPRINT_KEY = 'hardenctlTarget/v1'

export type SarifLevel = 'error' | 'warning' | 'note'

export const SARIF_LEVEL: Record<Severity, SarifLevel> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
}

/** GitHub code scanning reads `security-severity` (a number as a string) to rank alerts. */
export const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '0.0',
}

export interface SarifOptions {
  /** Where users learn about the tool: `tool.driver.informationUri`. Omitted when not given. */
  informationUri?: string
  /**
   * A file (e.g. the policy file) to anchor findings that have no location of their own. GitHub
   * code scanning rejects a whole SARIF file when any result lacks a physical location; without
   * this option such findings carry only a logical location.
   */
  fallbackArtifactUri?: string
}

type Json = Record<string, unknown>

export function renderSarif(report: AuditReport, rules: readonly RuleMetadata[], options: SarifOptions = {}): string {
  const audited = auditedRules(report, rules)
  const ruleIndex = new Map(audited.map((rule, index) => [rule.id, index]))
  const reference = (id: string): Json => ({id, index: ruleIndex.get(id)})

  const driver: Json = {
    name: 'hardenctl',
    version: report.metadata.tool.version,
    ...(options.informationUri === undefined ? {} : {informationUri: options.informationUri}),
    rules: audited.map(reportingDescriptor),
  }

  const notifications: Json[] = [
    ...report.notEvaluated.map((entry) => ({
      level: 'note',
      message: {
        text: `${entry.rule} not evaluated: needs ${formatNeeds(entry.needs)}, for ${
          entry.targets && entry.targets.length > 0 ? entry.targets.map(qualifiedTargetName).join(', ') : 'all targets'
        }. ${entry.message}`.trim(),
      },
      associatedRule: reference(entry.rule),
    })),
    ...report.expiredWaivers.map((waiver) => ({
      level: 'warning',
      message: {text: `Waiver for ${waiver.rule} on ${waiver.target} expired ${waiver.expires} (${waiver.source}): ${waiver.reason}`},
      ...(ruleIndex.has(waiver.rule) ? {associatedRule: reference(waiver.rule)} : {}),
    })),
  ]

  const log = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {driver},
        invocations: [
          {
            executionSuccessful: true,
            endTimeUtc: report.metadata.generatedAt,
            ...(notifications.length > 0 ? {toolExecutionNotifications: notifications} : {}),
          },
        ],
        columnKind: 'utf16CodeUnits',
        results: report.findings.map((finding) => result(finding, ruleIndex.get(finding.rule), options.fallbackArtifactUri)),
        properties: {
          profiles: report.metadata.profiles,
          inputs: report.metadata.inputs,
          ...(report.metadata.policy === undefined ? {} : {policy: report.metadata.policy}),
          summary: report.summary,
        },
      },
    ],
  }
  return `${JSON.stringify(log, null, 2)}\n`
}

function reportingDescriptor(rule: AuditedRule): Json {
  const {metadata} = rule
  const markdown: string[] = []
  if (rule.remediation) markdown.push(`**Fix:** ${rule.remediation}`)
  if (metadata?.rationale) markdown.push(`**Why:** ${metadata.rationale}`)
  if (rule.guide) markdown.push(`**Guide:** [${rule.guide.title}](${rule.guide.url}) § ${rule.guide.section}`)
  const tags = ['security', 'hardening', ...(metadata ? [metadata.profile] : [])]
  return {
    id: rule.id,
    name: pascalCase(rule.id),
    shortDescription: {text: rule.title},
    ...(metadata?.rationale ? {fullDescription: {text: metadata.rationale}} : {}),
    ...(rule.remediation ? {help: {text: rule.remediation, markdown: markdown.join('\n\n')}} : {}),
    ...(rule.guide ? {helpUri: rule.guide.url} : {}),
    defaultConfiguration: {level: SARIF_LEVEL[rule.severity]},
    properties: {
      severity: rule.severity,
      ...(metadata ? {profile: metadata.profile} : {}),
      ...(rule.guide ? {guide: formatGuide(rule.guide)} : {}),
      tags,
      'security-severity': SECURITY_SEVERITY[rule.severity],
    },
  }
}

function result(finding: Finding, ruleIndex: number | undefined, fallbackArtifactUri: string | undefined): Json {
  const fullyQualifiedName = qualifiedTargetName(finding.target)
  const logicalLocations = [{name: finding.target.name, fullyQualifiedName, kind: 'resource'}]
  const location: Json = {logicalLocations}
  if (finding.location) {
    const {file, line, column} = finding.location
    const region = line !== undefined && line >= 1 ? {startLine: line, ...(column !== undefined && column >= 1 ? {startColumn: column} : {})} : undefined
    location.physicalLocation = {
      artifactLocation: {uri: pathToUriReference(file)},
      ...(region ? {region} : {}),
    }
  } else if (fallbackArtifactUri !== undefined) {
    location.physicalLocation = {artifactLocation: {uri: pathToUriReference(fallbackArtifactUri)}}
  }
  return {
    ruleId: finding.rule,
    ...(ruleIndex === undefined ? {} : {ruleIndex}),
    level: SARIF_LEVEL[finding.severity],
    message: {text: finding.message},
    locations: [location],
    partialFingerprints: {[FINGERPRINT_KEY]: fingerprint(finding.rule, finding.target)},
    ...(finding.waived
      ? {suppressions: [{kind: 'external', status: 'accepted', justification: `${finding.waived.reason} (waived by ${finding.waived.by}: ${finding.waived.source})`}]}
      : {}),
    properties: {
      'security-severity': SECURITY_SEVERITY[finding.severity],
      severity: finding.severity,
      target: fullyQualifiedName,
      autoFixable: finding.autoFixable,
      evidence: finding.evidence,
    },
  }
}

/** Stable across runs: the rule and the target's identity only, never the message or line. */
export function fingerprint(rule: string, target: Target): string {
  const identity = [rule, target.controller ?? '', target.model ?? '', target.namespace ?? '', target.kind, target.name]
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex')
}

/** `JUJU-TRUST` → `JujuTrust`: SARIF wants `name` to be an identifier-like word. */
function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1).toLowerCase())
    .join('')
}
