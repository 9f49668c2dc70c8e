/** The machine report: exactly the AuditReport, pretty-printed. Described by docs/report-schema.json. */
import type {AuditReport} from './audit-report.js'

export function renderJson(report: AuditReport): string {
  return `${JSON.stringify(report, null, 2)}\n`
}
