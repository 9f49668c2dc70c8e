import {describe, expect, it} from 'vitest'

import {REPORT_FORMATS, renderJson, renderJunit, renderReport, renderSarif, renderTable} from '../../src/report/index.js'
import {RULES, fullReport} from './fixtures.js'

describe('renderReport', () => {
  const report = fullReport()

  it('dispatches each format to its renderer', () => {
    expect(REPORT_FORMATS).toEqual(['table', 'json', 'sarif', 'junit', 'html'])
    expect(renderReport('table', report, RULES, {color: false, width: 100})).toBe(renderTable(report, {color: false, width: 100}))
    expect(renderReport('json', report, RULES)).toBe(renderJson(report))
    expect(renderReport('sarif', report, RULES, {informationUri: 'https://example.org'})).toBe(
      renderSarif(report, RULES, {informationUri: 'https://example.org'}),
    )
    expect(renderReport('junit', report, RULES)).toBe(renderJunit(report, RULES))
  })

  it('renders the table without colour by default', () => {
    expect(renderReport('table', report, RULES)).toBe(renderTable(report, {color: false}))
  })
})
