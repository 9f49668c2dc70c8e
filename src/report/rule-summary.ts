/**
 * `--summary`: one row per rule instead of one per finding, for a compact view of a large estate.
 * Rules come in report order (worst severity first, then rule id).
 */
import type {Finding, Severity} from '../findings/types.js'
import {severityRank} from '../findings/types.js'
import {columnWidths, padCell} from './columns.js'
import {SEVERITY_STYLE, type Stylize} from './style.js'

interface RuleRow {
  rule: string
  /** The worst severity among its findings (a rule can raise or lower its default). */
  severity: Severity
  title: string
  findings: number
  autoFixable: number
}

const HEADER = ['SEVERITY', 'RULE', 'FINDINGS', 'AUTO-FIXABLE', 'TITLE']

export function ruleSummaryLines(findings: readonly Finding[], stylize: Stylize): string[] {
  const rows = new Map<string, RuleRow>()
  for (const finding of findings) {
    let row = rows.get(finding.rule)
    if (!row) {
      row = {rule: finding.rule, severity: finding.severity, title: finding.title, findings: 0, autoFixable: 0}
      rows.set(finding.rule, row)
    }
    row.findings++
    if (finding.autoFixable) row.autoFixable++
    if (severityRank(finding.severity) > severityRank(row.severity)) row.severity = finding.severity
  }
  const cells = [...rows.values()].map((row) => [row.severity.toUpperCase(), row.rule, String(row.findings), autoFixableCell(row), row.title])
  const widths = columnWidths([HEADER, ...cells])
  const line = (row: string[], severity?: Severity) =>
    `  ${row
      .map((cell, index) => {
        const padded = index === row.length - 1 ? cell : padCell(cell, widths[index] ?? 0)
        return index === 0 && severity ? stylize(SEVERITY_STYLE[severity], padded) : padded
      })
      .join('  ')}`.trimEnd()
  return [line(HEADER), ...[...rows.values()].map((row, index) => line(cells[index] ?? [], row.severity))]
}

function autoFixableCell({findings, autoFixable}: RuleRow): string {
  if (autoFixable === 0) return 'no'
  return autoFixable === findings ? 'yes' : `${autoFixable} of ${findings}`
}
