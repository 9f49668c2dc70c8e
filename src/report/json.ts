/** The machine report: exactly the AuditReport, pretty-printed. Described by docs/report-schema.json. */
import type {AuditReport} from './audit-report.js'

/** Findings per chunk: about half a megabyte of text, few enough writes to cost nothing. */
const FINDINGS_PER_CHUNK = 500

export function renderJson(report: AuditReport): string {
  return `${JSON.stringify(report, null, 2)}\n`
}

/**
 * The same text as `renderJson` (one string, for callers that keep it), in pieces, so a report of tens of thousands of findings is
 * written as it is made instead of being held whole in memory. Findings are stringified a chunk
 * at a time under a top-level `findings` key, as in the report, so they come out indented in place.
 */
export function* renderJsonChunks(report: AuditReport): Generator<string> {
  if (report.findings.length === 0) {
    yield `${JSON.stringify(report, null, 2)}\n`
    return
  }
  // The report with a placeholder where the findings go: the top-level key with a value no path
  // or message in the rest of the report can hold (a NUL).
  const placeholder = JSON.stringify('\u0000findings\u0000')
  const frame = JSON.stringify({...report, findings: JSON.parse(placeholder) as string}, null, 2)
  const at = frame.indexOf(`${FINDINGS_KEY}${placeholder}`) + FINDINGS_KEY.length
  yield `${frame.slice(0, at)}[`
  for (let start = 0; start < report.findings.length; start += FINDINGS_PER_CHUNK) {
    const chunk = JSON.stringify({findings: report.findings.slice(start, start + FINDINGS_PER_CHUNK)}, null, 2)
    // `{\n  "findings": [` … `\n  ]\n}` around the items, which are already four spaces in.
    const items = chunk.slice(CHUNK_HEAD.length, chunk.length - CHUNK_TAIL.length)
    yield start === 0 ? items : `,${items}`
  }
  yield `${CHUNK_TAIL.slice(0, -2)}${frame.slice(at + placeholder.length)}\n`
}

const FINDINGS_KEY = '\n  "findings": '
const CHUNK_HEAD = `{${FINDINGS_KEY}[`
const CHUNK_TAIL = '\n  ]\n}'
