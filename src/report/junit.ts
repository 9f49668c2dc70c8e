/**
 * JUnit XML for CI test reporters (GitLab, Jenkins, GitHub test-report actions): one test suite
 * per audited rule, one test case per finding (a failure), waived findings and rules that could
 * not be evaluated as skipped test cases, and one passing test case for a rule with no findings.
 */
import type {Finding} from '../findings/types.js'
import type {RuleMetadata} from '../rules/rule.js'
import type {AuditReport} from './audit-report.js'
import {auditedRules} from './audited-rules.js'
import {formatGuideWithUrl, formatLocation, formatNeeds, qualifiedTargetName} from './describe.js'
import {escapeXmlText, xmlAttributes} from './xml.js'

/** The test case name of a rule that passed everywhere. */
export const PASSED_CASE_NAME = 'all targets'

interface TestCase {
  name: string
  /** `<failure>` or `<skipped>` element, already serialized; undefined for a pass. */
  outcome?: {kind: 'failure' | 'skipped'; xml: string}
}

export function renderJunit(report: AuditReport, rules: readonly RuleMetadata[]): string {
  const suites: string[] = []
  let tests = 0
  let failures = 0
  let skipped = 0

  for (const rule of auditedRules(report, rules)) {
    const cases: TestCase[] = report.findings.filter((finding) => finding.rule === rule.id).map(findingCase)
    for (const entry of report.notEvaluated.filter((candidate) => candidate.rule === rule.id)) {
      const message = `not evaluated: needs ${formatNeeds(entry.needs)}`
      const body = entry.message ? escapeXmlText(entry.message) : ''
      const xml = `<skipped${xmlAttributes({message})}${body ? `>${body}</skipped>` : '/>'}`
      const targets = entry.targets && entry.targets.length > 0 ? entry.targets.map(qualifiedTargetName) : [PASSED_CASE_NAME]
      for (const name of targets) cases.push({name, outcome: {kind: 'skipped', xml}})
    }
    if (cases.length === 0) cases.push({name: PASSED_CASE_NAME})

    const suiteFailures = cases.filter((testCase) => testCase.outcome?.kind === 'failure').length
    const suiteSkipped = cases.filter((testCase) => testCase.outcome?.kind === 'skipped').length
    tests += cases.length
    failures += suiteFailures
    skipped += suiteSkipped

    const lines = [
      `  <testsuite${xmlAttributes({
        name: `${rule.id}: ${rule.title}`,
        tests: cases.length,
        failures: suiteFailures,
        errors: 0,
        skipped: suiteSkipped,
        timestamp: junitTimestamp(report.metadata.generatedAt),
      })}>`,
    ]
    for (const testCase of cases) {
      const open = `    <testcase${xmlAttributes({classname: rule.id, name: testCase.name})}`
      lines.push(testCase.outcome ? `${open}>\n      ${testCase.outcome.xml}\n    </testcase>` : `${open}/>`)
    }
    lines.push('  </testsuite>')
    suites.push(lines.join('\n'))
  }

  const root = `<testsuites${xmlAttributes({name: 'hardenctl', tests, failures, errors: 0, skipped})}>`
  return ['<?xml version="1.0" encoding="UTF-8"?>', root, ...suites, '</testsuites>', ''].join('\n')
}

/** The JUnit schema's timestamp has no fraction and no zone: `2026-03-01T09:30:00` (UTC). */
function junitTimestamp(iso: string): string {
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? iso : date.toISOString().slice(0, 19)
}

function findingCase(finding: Finding): TestCase {
  const name = qualifiedTargetName(finding.target)
  if (finding.waived) {
    return {name, outcome: {kind: 'skipped', xml: `<skipped${xmlAttributes({message: `waived: ${finding.waived.reason}`})}/>`}}
  }
  const body = [
    finding.message,
    '',
    `Severity: ${finding.severity}`,
    `Target: ${name}`,
    ...(finding.location ? [`Location: ${formatLocation(finding.location)}`] : []),
    `Fix: ${finding.remediation}`,
    `Guide: ${formatGuideWithUrl(finding.guide)}`,
  ].join('\n')
  const xml = `<failure${xmlAttributes({type: finding.severity, message: finding.message})}>${escapeXmlText(body)}</failure>`
  return {name, outcome: {kind: 'failure', xml}}
}
