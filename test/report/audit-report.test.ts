import {describe, expect, it} from 'vitest'

import {createAuditReport} from '../../src/report/audit-report.js'
import {
  ALL_FINDINGS,
  GENERATED_AT,
  charmSource,
  emptyReport,
  fullReport,
  loadBalancer,
  notEvaluatedOffers,
  notEvaluatedRoot,
  outdated,
  saOverprivileged,
  trustIngress,
  trustPostgres,
  waivedIngress,
} from './fixtures.js'

describe('createAuditReport', () => {
  it('sorts findings worst first, then by rule id, then by target', () => {
    const report = fullReport()
    expect(report.findings).toEqual([saOverprivileged, trustIngress, trustPostgres, waivedIngress, loadBalancer, charmSource, outdated])
  })

  it('orders targets by controller, model, namespace, kind and name', () => {
    const base = {rule: 'JUJU-TRUST', severity: 'high' as const}
    const findings = [
      {...trustPostgres, ...base, target: {kind: 'application', controller: 'prod', model: 'b', name: 'a'}},
      {...trustPostgres, ...base, target: {kind: 'application', controller: 'prod', model: 'a', name: 'z'}},
      {...trustPostgres, ...base, target: {kind: 'application', controller: 'dev', model: 'z', name: 'z'}},
      {...trustPostgres, ...base, target: {kind: 'application', name: 'no-model'}},
    ]
    const report = createAuditReport({generatedAt: GENERATED_AT, toolVersion: '0', profiles: [], inputs: [], findings})
    expect(report.findings.map((finding) => `${finding.target.controller ?? ''}:${finding.target.model ?? ''}/${finding.target.name}`)).toEqual([
      ':/no-model',
      'dev:z/z',
      'prod:a/z',
      'prod:b/a',
    ])
  })

  it('renders the same whatever order the findings arrive in', () => {
    const forward = fullReport()
    const backward = fullReport({
      findings: [...ALL_FINDINGS].reverse(),
      notEvaluated: [notEvaluatedOffers, notEvaluatedRoot],
    })
    expect(JSON.stringify(backward)).toBe(JSON.stringify(forward))
  })

  it('puts not-evaluated entries in rule order and sorts their targets', () => {
    const report = fullReport()
    expect(report.notEvaluated.map((entry) => entry.rule)).toEqual(['ACCESS-OFFER', 'JUJU-ROOT-CONTAINER'])
    expect(report.notEvaluated[1]?.targets?.map((target) => target.name)).toEqual(['livepatch', 'postgresql-k8s'])
    // The input is not mutated.
    expect(notEvaluatedRoot.targets?.map((target) => target.name)).toEqual(['postgresql-k8s', 'livepatch'])
  })

  it('counts unwaived findings by severity and waived ones apart', () => {
    const {summary} = fullReport()
    expect(summary).toEqual({
      total: 7,
      bySeverity: {critical: 1, high: 3, medium: 1, low: 1, info: 0},
      waived: 1,
      notEvaluated: 2,
      failOn: 'high',
      failed: true,
    })
  })

  it('fails only on unwaived findings at or above failOn', () => {
    expect(fullReport({failOn: 'critical'}).summary.failed).toBe(true)
    expect(fullReport({failOn: 'info'}).summary.failed).toBe(true)
    expect(fullReport({findings: [outdated], failOn: 'low'}).summary.failed).toBe(true)
    expect(fullReport({findings: [outdated], failOn: 'medium'}).summary.failed).toBe(false)
    // A waived high finding does not fail --fail-on high.
    expect(fullReport({findings: [waivedIngress, outdated], failOn: 'high'}).summary.failed).toBe(false)
    const withoutThreshold = fullReport({failOn: undefined}).summary
    expect(withoutThreshold.failed).toBe(false)
    expect('failOn' in withoutThreshold).toBe(false)
  })

  it('counts a rule not evaluated for several targets once', () => {
    const report = fullReport({notEvaluated: [notEvaluatedRoot, {...notEvaluatedRoot, targets: [saOverprivileged.target]}]})
    expect(report.summary.notEvaluated).toBe(1)
  })

  it('fills metadata and leaves out an absent policy', () => {
    const report = fullReport()
    expect(report.apiVersion).toBe('hardenctl.io/v1')
    expect(report.kind).toBe('AuditReport')
    expect(report.metadata).toEqual({
      generatedAt: GENERATED_AT,
      tool: {name: 'hardenctl', version: '0.1.0'},
      profiles: ['juju', 'k8s'],
      inputs: ['examples/livepatch-k8s/juju', 'examples/livepatch-k8s/k8s'],
      policy: 'hardenctl.yaml',
    })
    expect('policy' in emptyReport().metadata).toBe(false)
    const fromDate = createAuditReport({generatedAt: new Date(GENERATED_AT), toolVersion: '1', profiles: [], inputs: ['live'], findings: []})
    expect(fromDate.metadata.generatedAt).toBe(GENERATED_AT)
  })

  it('summarizes an empty audit', () => {
    expect(emptyReport().summary).toEqual({
      total: 0,
      bySeverity: {critical: 0, high: 0, medium: 0, low: 0, info: 0},
      waived: 0,
      notEvaluated: 0,
      failed: false,
    })
  })
})
