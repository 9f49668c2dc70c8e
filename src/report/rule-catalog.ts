/** `hardenctl rules`: the rule catalogue as a table or as JSON. */
import type {RuleMetadata} from '../rules/rule.js'
import {REPORT_API_VERSION} from './audit-report.js'
import {columnWidths, padCell} from './columns.js'
import {formatGuide, guideAddressLines} from './describe.js'
import {SEVERITY_STYLE, createStylize} from './style.js'

export interface RuleCatalog {
  apiVersion: typeof REPORT_API_VERSION
  kind: 'RuleCatalog'
  rules: RuleMetadata[]
}

const HEADERS = ['ID', 'SEVERITY', 'PROFILE', 'AUTO-FIX', 'TITLE', 'GUIDE']

export function renderRulesTable(rules: readonly RuleMetadata[], options: {color: boolean}): string {
  const stylize = createStylize(options.color)
  if (rules.length === 0) return 'No rules.\n'
  const rows = rules.map((rule) => [rule.id, rule.severity, rule.profile, rule.autoFixable ? 'yes' : 'no', rule.title, formatGuide(rule.guide)])
  const widths = columnWidths([HEADERS, ...rows])
  const last = HEADERS.length - 1
  const pad = (cells: readonly string[]) => cells.map((cell, index) => (index === last ? cell : padCell(cell, widths[index] ?? 0)))
  const out = [stylize('bold', pad(HEADERS).join('  '))]
  rules.forEach((rule, index) => {
    const cells = pad(rows[index] ?? [])
    // Colour the padded severity cell, so escape codes never skew the alignment.
    cells[1] = stylize(SEVERITY_STYLE[rule.severity], cells[1] ?? '')
    out.push(cells.join('  '))
  })
  out.push('', stylize('bold', 'Guides'), ...guideAddressLines(rules.map((rule) => rule.guide)).map((line) => `  ${line}`))
  return `${out.join('\n')}\n`
}

/** Every metadata field, none renamed; functions (a rule's `evaluate`) are left out. */
export function ruleCatalog(rules: readonly RuleMetadata[]): RuleCatalog {
  return {
    apiVersion: REPORT_API_VERSION,
    kind: 'RuleCatalog',
    rules: rules.map((rule) => ({
      id: rule.id,
      title: rule.title,
      severity: rule.severity,
      profile: rule.profile,
      guide: {title: rule.guide.title, url: rule.guide.url, section: rule.guide.section},
      rationale: rule.rationale,
      remediation: rule.remediation,
      autoFixable: rule.autoFixable,
      needs: rule.needs.map((alternatives) => [...alternatives]),
      ...(rule.scope === undefined ? {} : {scope: rule.scope}),
    })),
  }
}

export function renderRulesJson(rules: readonly RuleMetadata[]): string {
  return `${JSON.stringify(ruleCatalog(rules), null, 2)}\n`
}
