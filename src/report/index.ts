/** Report rendering: one entry point for `hardenctl audit --format`, plus each renderer. */
import type {Inventory} from '../inventory/types.js'
import type {RuleMetadata} from '../rules/rule.js'
import type {AuditReport} from './audit-report.js'
import {renderAuditHtml} from './html/index.js'
import {renderJson, renderJsonChunks} from './json.js'
import {renderJunit} from './junit.js'
import {renderSarif} from './sarif.js'
import {renderTable, type TableOptions} from './table.js'

export const REPORT_FORMATS = ['table', 'json', 'sarif', 'junit', 'html'] as const
export type ReportFormat = (typeof REPORT_FORMATS)[number]

export interface RenderOptions {
  /** Table only: colour (the caller checks for a TTY and NO_COLOR). */
  color?: boolean
  /** Table only: terminal width to wrap to. */
  width?: number
  /** Table only: `--summary`, `--min-severity` and the reconcile command to suggest (see TableOptions). */
  table?: Pick<TableOptions, 'byRule' | 'minSeverity' | 'reconcileCommand'>
  /** SARIF only: `tool.driver.informationUri`. */
  informationUri?: string
  /** SARIF only: the file to anchor findings without a location to (see SarifOptions). */
  fallbackArtifactUri?: string
  /** HTML only: which command's page, and the inventory its graph is drawn from. */
  html?: {kind: 'audit' | 'review'; inventory: Inventory}
}

/** As `renderReport`, in pieces to write one after another: JSON (the big one at scale) streams. */
export function renderReportChunks(format: ReportFormat, report: AuditReport, rules: readonly RuleMetadata[], options: RenderOptions = {}): Iterable<string> {
  return format === 'json' ? renderJsonChunks(report) : [renderReport(format, report, rules, options)]
}

export function renderReport(format: ReportFormat, report: AuditReport, rules: readonly RuleMetadata[], options: RenderOptions = {}): string {
  switch (format) {
    case 'table':
      return renderTable(report, {...options.table, color: options.color ?? false, ...(options.width === undefined ? {} : {width: options.width})})
    case 'json':
      return renderJson(report)
    case 'sarif':
      return renderSarif(report, rules, {
        ...(options.informationUri === undefined ? {} : {informationUri: options.informationUri}),
        ...(options.fallbackArtifactUri === undefined ? {} : {fallbackArtifactUri: options.fallbackArtifactUri}),
      })
    case 'junit':
      return renderJunit(report, rules)
    case 'html':
      if (!options.html) throw new Error('renderReport: --format html needs the inventory')
      return renderAuditHtml(options.html.kind, report, rules, options.html.inventory)
  }
}

export {createAuditReport, type AuditReport, type AuditReportParts, type AuditReportSummary, type ExpiredWaiver} from './audit-report.js'
export {renderJson, renderJsonChunks} from './json.js'
export {renderJunit} from './junit.js'
export {renderSarif, type SarifOptions} from './sarif.js'
export {renderTable, type TableOptions} from './table.js'
export {renderRulesJson, renderRulesTable, ruleCatalog, type RuleCatalog} from './rule-catalog.js'
export {renderRuleDetail} from './rule-detail.js'
