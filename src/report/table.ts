/**
 * The human report: findings grouped by model (or Kubernetes namespace), then waived findings,
 * rules that could not be evaluated, expired waivers, the guides cited and a one-line summary.
 */
import {dirname} from 'node:path'

import type {Finding, NotEvaluated, Severity} from '../findings/types.js'
import {SEVERITIES, severityRank} from '../findings/types.js'
import type {AuditReport, ExpiredWaiver} from './audit-report.js'
import {columnWidths, padCell} from './columns.js'
import {formatGuide, formatLocation, guideAddressLines, formatNeeds, qualifiedTargetName, targetLabel, wrapText, wrapWords} from './describe.js'
import {ruleSummaryLines} from './rule-summary.js'
import {SEVERITY_STYLE, createStylize, type Stylize} from './style.js'

export interface TableOptions {
  color: boolean
  /** Terminal width; long messages wrap to it. Undefined: no wrapping. */
  width?: number
  /** `--summary`: one row per rule instead of one per finding. */
  byRule?: boolean
  /** `--min-severity`: show only findings at or above it (the summary line still counts all). */
  minSeverity?: Severity
  /**
   * The `hardenctl reconcile --dry-run …` command for the inputs just audited: when given and some
   * unwaived finding is auto-fixable, the report ends by saying how many and what to run.
   */
  reconcileCommand?: string
}

const INDENT = '  '
const GAP = '  '
/** Narrower than this, a message goes on its own line under the row. */
const MIN_MESSAGE_WIDTH = 40
const MAX_TARGETS_LISTED = 5
const AUTO_FIXABLE_MARK = '[auto-fixable]'

interface Layout {
  widths: number[]
  width: number | undefined
  stylize: Stylize
}

export function renderTable(report: AuditReport, options: TableOptions): string {
  const stylize = createStylize(options.color)
  const {minSeverity} = options
  const shown = minSeverity === undefined ? report.findings : report.findings.filter((finding) => severityRank(finding.severity) >= severityRank(minSeverity))
  const active = shown.filter((finding) => !finding.waived)
  const waived = shown.filter((finding) => finding.waived)
  const layout: Layout = {
    widths: columnWidths(shown.map(findingCells)),
    width: options.width,
    stylize,
  }
  const out: string[] = []

  if (active.length === 0) out.push('No findings.', '')
  if (options.byRule) {
    if (active.length > 0) out.push(stylize('bold', 'Findings by rule'), ...ruleSummaryLines(active, stylize), '')
  } else {
    for (const group of groupFindings(active)) {
      out.push(stylize('bold', group.title))
      for (const run of runsSharingAFix(group.findings)) {
        run.forEach((finding, index) => out.push(...findingLines(finding, layout, index === run.length - 1 ? run.length : 0)))
      }
      out.push('')
    }
  }

  if (waived.length > 0 && !options.byRule) {
    out.push(stylize('bold', `Waived (${waived.length})`))
    for (const finding of waived) out.push(...findingLines(finding, layout, 1))
    out.push('')
  }

  if (report.notEvaluated.length > 0 && !options.byRule) {
    out.push(stylize('bold', 'Not evaluated'))
    for (const entry of report.notEvaluated) out.push(...notEvaluatedLines(entry, layout))
    out.push('')
  }

  if (report.expiredWaivers.length > 0 && !options.byRule) {
    out.push(stylize('bold', `Expired waivers (${report.expiredWaivers.length})`))
    for (const waiver of report.expiredWaivers) out.push(...expiredWaiverLines(waiver, layout))
    out.push('')
  }

  if (shown.length > 0 && !options.byRule) {
    // Each finding names its guide and section; the addresses, long and shared, come once here.
    out.push(
      stylize('bold', 'Guides'),
      ...guideAddressLines(
        shown.map((finding) => finding.guide),
        options.width === undefined ? undefined : options.width - INDENT.length,
      ).map((line) => `${INDENT}${line}`),
      '',
    )
  }

  const hidden = report.findings.length - shown.length
  if (hidden > 0 && minSeverity !== undefined) {
    out.push(...wrapText(`${plural(hidden, 'finding', 'findings')} below ${minSeverity} not shown (--min-severity ${minSeverity}).`, options.width), '')
  }
  out.push(...whatNextLines(report, options.reconcileCommand, options.byRule === true, options.width))

  if (report.findings.length > 0 || report.notEvaluated.length > 0 || report.expiredWaivers.length > 0) {
    out.push(summaryLine(report, stylize))
  } else {
    out.pop()
  }
  return `${out.join('\n')}\n`
}

/** How many findings `hardenctl reconcile` fixes, and the command that shows what it would change. */
function whatNextLines(report: AuditReport, reconcileCommand: string | undefined, byRule: boolean, width: number | undefined): string[] {
  if (reconcileCommand === undefined) return []
  // Counted over every unwaived finding, like the summary line, whatever --min-severity hides.
  const unwaived = report.findings.filter((finding) => !finding.waived)
  const fixable = unwaived.filter((finding) => finding.autoFixable).length
  if (fixable === 0) return []
  const which = byRule ? 'AUTO-FIXABLE above' : `marked ${AUTO_FIXABLE_MARK}`
  // Some sections (Juju access, PSA labels) are only applied when the policy switches them on.
  const what = `hardenctl reconcile can fix ${unwaived.length === 1 ? 'the finding' : `${fixable} of the ${unwaived.length} findings`} (${which}; some only where hardenctl.yaml enables it). See what it would change:`
  // The command is never wrapped: it is there to be pasted.
  return [...wrapText(what, width), `${INDENT}${reconcileCommand}`, '']
}

function findingCells(finding: Finding): string[] {
  return [finding.severity.toUpperCase(), finding.rule, targetLabel(finding.target)]
}

interface Group {
  title: string
  findings: Finding[]
}

/** Groups in order of first appearance: findings are sorted worst first, so the worst group leads. */
function groupFindings(findings: readonly Finding[]): Group[] {
  const groups = new Map<string, Group>()
  for (const finding of findings) {
    const title = groupTitle(finding)
    let group = groups.get(title)
    if (!group) {
      group = {title, findings: []}
      groups.set(title, group)
    }
    group.findings.push(finding)
  }
  return [...groups.values()]
}

function groupTitle({target, location}: Finding): string {
  if (target.model !== undefined) {
    return `Model ${target.controller === undefined ? target.model : `${target.controller}:${target.model}`}`
  }
  if (target.namespace !== undefined) return `Namespace ${target.namespace}`
  if (target.kind === 'namespace') return `Namespace ${target.name}`
  if (target.kind === 'host') return `Host ${target.name}`
  if (target.controller !== undefined) return `Controller ${target.controller}`
  if (target.kind === 'controller') return `Controller ${target.name}`
  // A charm reviewed on its own: its name, and the directory or archive it was read from.
  if (target.kind === 'charm') return location ? `Charm ${target.name} (${dirname(location.file)})` : `Charm ${target.name}`
  return 'Outside any model or namespace'
}

/**
 * Findings that share an identical fix, each run printed with the fix once under its last finding.
 * A run starts where its worst finding sits (findings come worst first); the others with the same
 * fix move up to join it.
 */
function runsSharingAFix(findings: readonly Finding[]): Finding[][] {
  const runs = new Map<string, Finding[]>()
  for (const finding of findings) {
    // Auto-fixable or not is part of the key: the mark on the fix line must hold for every finding it is for.
    const key = `${finding.autoFixable ? 'auto' : 'manual'} ${finding.remediation}`
    const run = runs.get(key)
    if (run) run.push(finding)
    else runs.set(key, [finding])
  }
  return [...runs.values()]
}

/**
 * The row, then location and guide, then the fix (or the waiver) when `fixFor` > 0: the number of
 * findings, this one and those just above, that the fix is for. The fix and the location are never
 * wrapped: a command broken across lines runs as something else when pasted, and a broken
 * `path:line` cannot be clicked. Long ones overflow instead.
 */
function findingLines(finding: Finding, {widths, width, stylize}: Layout, fixFor: number): string[] {
  const cells = findingCells(finding)
  const severityCell = stylize(SEVERITY_STYLE[finding.severity], padCell(cells[0] ?? '', widths[0] ?? 0))
  const otherCells = cells.slice(1).map((cell, index) => padCell(cell, widths[index + 1] ?? 0))
  const row = `${INDENT}${[severityCell, ...otherCells].join(GAP)}`
  const prefixWidth = cells.reduce((sum, _cell, index) => sum + (widths[index] ?? 0) + GAP.length, INDENT.length)
  // Details line up under the rule column.
  const detailIndent = ' '.repeat(INDENT.length + (widths[0] ?? 0) + GAP.length)
  const detailWidth = width === undefined ? undefined : Math.max(MIN_MESSAGE_WIDTH, width - detailIndent.length)

  const lines: string[] = []
  if (width !== undefined && width - prefixWidth < MIN_MESSAGE_WIDTH) {
    // Too narrow for a message column: the message goes under the row.
    lines.push(row.trimEnd())
    for (const line of wrapText(finding.message, detailWidth)) lines.push(`${detailIndent}${line}`)
  } else {
    const messageWidth = width === undefined ? undefined : width - prefixWidth
    const [first = '', ...rest] = wrapText(finding.message, messageWidth)
    lines.push(`${row}${GAP}${first}`.trimEnd())
    for (const line of rest) lines.push(`${' '.repeat(prefixWidth)}${line}`)
  }

  const dim = (line: string) => `${detailIndent}${stylize('dim', line)}`
  const guideWords = `guide: ${formatGuide(finding.guide)}`.split(' ')
  const whereAndGuide = finding.location ? [`${formatLocation(finding.location)} ·`, ...guideWords] : guideWords
  lines.push(...wrapWords(whereAndGuide, detailWidth).map(dim))
  if (finding.waived) {
    const {by, source, reason, expires} = finding.waived
    const waiver = `waived by ${by} (${source}): ${reason}${expires === undefined ? '' : ` · expires ${expires}`}`
    lines.push(...wrapText(waiver, detailWidth).map(dim))
  } else if (fixFor > 0) {
    const label = `${fixFor === 1 ? 'fix' : `fix for the ${fixFor} above`}${finding.autoFixable ? ` ${AUTO_FIXABLE_MARK}` : ''}`
    lines.push(...`${label}: ${finding.remediation}`.split(/\r?\n/).map(dim))
  }
  return lines
}

function notEvaluatedLines(entry: NotEvaluated, {width, stylize}: Layout): string[] {
  let scope = 'all targets'
  if (entry.targets && entry.targets.length > 0) {
    const names = entry.targets.map(qualifiedTargetName)
    const listed = names.slice(0, MAX_TARGETS_LISTED).join(', ')
    const more = names.length - MAX_TARGETS_LISTED
    scope = more > 0 ? `${listed} and ${more} more` : listed
  }
  const lines: string[] = []
  const why = entry.message || `not evaluated: needs ${formatNeeds(entry.needs)}`
  const bodyWidth = width === undefined ? undefined : Math.max(MIN_MESSAGE_WIDTH, width - INDENT.length * 2)
  wrapText(`${entry.rule} (${scope}): ${why}`, bodyWidth).forEach((line, index) => lines.push(`${INDENT}${index === 0 ? '' : INDENT}${line}`))
  return lines
}

function expiredWaiverLines(waiver: ExpiredWaiver, {width, stylize}: Layout): string[] {
  const bodyWidth = width === undefined ? undefined : Math.max(MIN_MESSAGE_WIDTH, width - INDENT.length * 2)
  const lines = wrapText(`${waiver.rule} on ${waiver.target}: expired ${waiver.expires} (${waiver.source})`, bodyWidth).map(
    (line, index) => `${INDENT}${index === 0 ? '' : INDENT}${line}`,
  )
  for (const line of wrapText(waiver.reason, bodyWidth)) lines.push(`${INDENT}${INDENT}${stylize('dim', line)}`)
  return lines
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`
}

/** `12 findings: 2 critical, 5 high · 1 waived · 3 rules not evaluated`. The count excludes waived findings. */
export function summaryLine(report: AuditReport, stylize: Stylize = createStylize(false)): string {
  const {summary} = report
  const unwaived = summary.total - summary.waived
  const bySeverity = SEVERITIES.filter((severity: Severity) => summary.bySeverity[severity] > 0).map(
    (severity) => `${summary.bySeverity[severity]} ${severity}`,
  )
  const parts = [`${plural(unwaived, 'finding', 'findings')}${bySeverity.length > 0 ? `: ${bySeverity.join(', ')}` : ''}`]
  if (summary.waived > 0) parts.push(`${summary.waived} waived`)
  if (summary.notEvaluated > 0) parts.push(plural(summary.notEvaluated, 'rule not evaluated', 'rules not evaluated'))
  if (report.expiredWaivers.length > 0) parts.push(plural(report.expiredWaivers.length, 'expired waiver', 'expired waivers'))
  if (summary.failOn !== undefined) {
    const threshold = `${summary.failOn} or worse`
    parts.push(summary.failed ? stylize(['bold', 'red'], `failed (${threshold})`) : `passed (nothing ${threshold})`)
  }
  return parts.join(' · ')
}

