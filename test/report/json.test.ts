import {readFileSync} from 'node:fs'

import {Ajv2020} from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import {describe, expect, it} from 'vitest'

import {SEVERITIES} from '../../src/findings/types.js'
import {INPUT_KIND_DESCRIPTIONS} from '../../src/inventory/types.js'
import {renderJson, renderJsonChunks} from '../../src/report/json.js'
import {emptyReport, fullReport, loadBalancer} from './fixtures.js'

const schema = JSON.parse(readFileSync(new URL('../../docs/report-schema.json', import.meta.url), 'utf8')) as {
  $defs: {severity: {enum: string[]}; inputKind: {enum: string[]}}
}

function validator() {
  const ajv = new Ajv2020({allErrors: true, strict: true})
  addFormats.default(ajv)
  return ajv.compile(schema)
}

describe('renderJson', () => {
  it('is exactly the report, pretty-printed', () => {
    const report = fullReport()
    const text = renderJson(report)
    expect(text.endsWith('}\n')).toBe(true)
    expect(text).toContain('\n  "apiVersion": "hardenctl.io/v1",\n')
    expect(JSON.parse(text)).toEqual(report)
  })

  it('streams exactly the text JSON.stringify makes, across chunk boundaries', () => {
    const full = fullReport()
    for (const count of [0, 1, 499, 500, 501, 1234]) {
      const findings = Array.from({length: count}, (_, index) => ({...full.findings[index % full.findings.length]!, message: `finding ${index} "quoted"\nnewline`}))
      const report = {...full, findings}
      const chunks = [...renderJsonChunks(report)]
      expect(chunks.join(''), `${count} findings`).toBe(`${JSON.stringify(report, null, 2)}\n`)
      // Written in pieces: about one per 500 findings, not one string for the whole report.
      expect(chunks.length).toBe(count === 0 ? 1 : Math.ceil(count / 500) + 2)
    }
  })

  it('validates against docs/report-schema.json', () => {
    const validate = validator()
    for (const report of [fullReport(), emptyReport(), fullReport({failOn: undefined, policy: undefined})]) {
      const valid = validate(JSON.parse(renderJson(report)))
      expect(validate.errors ?? []).toEqual([])
      expect(valid).toBe(true)
    }
  })

  it('is rejected by the schema when a field is wrong or unknown', () => {
    const validate = validator()
    const report = JSON.parse(renderJson(fullReport())) as Record<string, unknown> & {findings: Record<string, unknown>[]}
    const badSeverity = {...report, findings: [{...report.findings[0], severity: 'urgent'}]}
    expect(validate(badSeverity)).toBe(false)
    const extraField = {...report, findings: [{...report.findings[0], score: 3}]}
    expect(validate(extraField)).toBe(false)
    const {summary: _summary, ...noSummary} = report
    expect(validate(noSummary)).toBe(false)
    const badLocation = {...report, findings: [{...loadBalancer, location: {line: 3}}]}
    expect(validate(badLocation)).toBe(false)
  })

  it('keeps the schema enums in step with the code', () => {
    expect(schema.$defs.severity.enum).toEqual([...SEVERITIES])
    expect([...schema.$defs.inputKind.enum].sort()).toEqual(Object.keys(INPUT_KIND_DESCRIPTIONS).sort())
  })
})
