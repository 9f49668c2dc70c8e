import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'

import Ajv04 from 'ajv-draft-04'
import addFormats from 'ajv-formats'
import {describe, expect, it} from 'vitest'

import {FINGERPRINT_KEY, renderSarif} from '../../src/report/sarif.js'
import {BUNDLE, RULES, emptyReport, fullReport, loadBalancer, trustPostgres} from './fixtures.js'

// The official SARIF 2.1.0 schema (JSON Schema draft-04), read from disk: no network.
const schemaPath = createRequire(import.meta.url).resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json')
const sarifSchema = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>

function validator() {
  // unicodeRegExp: false: the schema's `language` pattern (`...{2}]?$`) is not valid with the `u` flag.
  const ajv = new Ajv04.default({allErrors: true, strict: false, unicodeRegExp: false})
  addFormats.default(ajv)
  return ajv.compile(sarifSchema)
}

interface SarifResult {
  ruleId: string
  ruleIndex?: number
  level: string
  message: {text: string}
  locations: {
    physicalLocation?: {artifactLocation: {uri: string}; region?: {startLine: number; startColumn?: number}}
    logicalLocations: {fullyQualifiedName: string; name: string}[]
  }[]
  partialFingerprints: Record<string, string>
  suppressions?: {kind: string; justification: string}[]
  properties: Record<string, unknown>
}

interface SarifLog {
  $schema: string
  version: string
  runs: {
    tool: {driver: {name: string; version: string; informationUri?: string; rules: Record<string, unknown>[]}}
    invocations: {executionSuccessful: boolean; toolExecutionNotifications?: {level: string; message: {text: string}; associatedRule?: {id: string; index: number}}[]}[]
    results: SarifResult[]
  }[]
}

function render(...args: Parameters<typeof renderSarif>): {log: SarifLog; text: string} {
  const text = renderSarif(...args)
  return {text, log: JSON.parse(text) as SarifLog}
}

describe('renderSarif', () => {
  const {log, text} = render(fullReport(), RULES, {informationUri: 'https://example.org/hardenctl'})
  const run = log.runs[0]!
  const byRule = (rule: string, name?: string) =>
    run.results.find((result) => result.ruleId === rule && (name === undefined || result.locations[0]?.logicalLocations[0]?.name === name))!

  it('validates against the official SARIF 2.1.0 schema', () => {
    const validate = validator()
    for (const sarif of [text, renderSarif(emptyReport(), []), renderSarif(fullReport(), [])]) {
      const valid = validate(JSON.parse(sarif))
      expect(validate.errors ?? []).toEqual([])
      expect(valid).toBe(true)
    }
    // The validator does catch mistakes.
    expect(validate({...log, version: '2.0.0'})).toBe(false)
    const badLevel = structuredClone(log)
    badLevel.runs[0]!.results[0]!.level = 'critical'
    expect(validate(badLevel)).toBe(false)
    const badRegion = structuredClone(log)
    badRegion.runs[0]!.results[1]!.locations[0]!.physicalLocation!.region!.startLine = 0
    expect(validate(badRegion)).toBe(false)
  })

  it('has one run with the hardenctl driver', () => {
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json')
    expect(log.version).toBe('2.1.0')
    expect(log.runs).toHaveLength(1)
    expect(run.tool.driver).toMatchObject({name: 'hardenctl', version: '0.1.0', informationUri: 'https://example.org/hardenctl'})
  })

  it('describes every rule that ran, and leaves out the rest', () => {
    const ids = run.tool.driver.rules.map((rule) => rule.id)
    expect(ids).toEqual([
      'ACCESS-OFFER',
      'JUJU-CHARM-OUTDATED',
      'JUJU-CHARM-SOURCE',
      'JUJU-DISABLED-COMMANDS',
      'JUJU-ROOT-CONTAINER',
      'JUJU-TRUST',
      'K8S-INGRESS-NO-TLS',
      'K8S-LOADBALANCER',
      'K8S-SA-OVERPRIVILEGED',
    ])
    expect(run.tool.driver.rules.find((rule) => rule.id === 'JUJU-TRUST')).toEqual({
      id: 'JUJU-TRUST',
      name: 'JujuTrust',
      shortDescription: {text: 'Application deployed with --trust'},
      fullDescription: {text: 'A trusted charm can use the Kubernetes API with the rights of its ClusterRole.'},
      help: {
        text: 'juju trust APP --remove',
        markdown:
          '**Fix:** juju trust APP --remove\n\n**Why:** A trusted charm can use the Kubernetes API with the rights of its ClusterRole.\n\n' +
          '**Guide:** [Harden your Juju deployment](https://documentation.ubuntu.com/juju/3.6/howto/manage-your-juju-deployment/harden-your-juju-deployment/) § Harden the applications',
      },
      helpUri: 'https://documentation.ubuntu.com/juju/3.6/howto/manage-your-juju-deployment/harden-your-juju-deployment/',
      defaultConfiguration: {level: 'error'},
      properties: {
        severity: 'high',
        profile: 'juju',
        guide: 'Harden your Juju deployment § Harden the applications',
        tags: ['security', 'hardening', 'juju'],
        'security-severity': '8.0',
      },
    })
  })

  it('describes a rule from its finding when the catalogue lacks it', () => {
    const {log: bare} = render(fullReport(), [])
    const descriptor = bare.runs[0]!.tool.driver.rules.find((rule) => rule.id === 'K8S-LOADBALANCER')
    expect(descriptor).toMatchObject({shortDescription: {text: 'Service reachable from outside the cluster'}, defaultConfiguration: {level: 'error'}})
    expect(bare.runs[0]!.tool.driver.informationUri).toBeUndefined()
  })

  it('points ruleIndex at the rule descriptor', () => {
    for (const result of run.results) expect(run.tool.driver.rules[result.ruleIndex!]?.id).toBe(result.ruleId)
  })

  it('maps severities to levels and security-severity', () => {
    const levels = run.results.map((result) => [result.ruleId, result.level, result.properties['security-severity']])
    expect(levels).toEqual([
      ['K8S-SA-OVERPRIVILEGED', 'error', '9.5'],
      ['JUJU-TRUST', 'error', '8.0'],
      ['JUJU-TRUST', 'error', '8.0'],
      ['K8S-INGRESS-NO-TLS', 'error', '8.0'],
      ['K8S-LOADBALANCER', 'error', '8.0'],
      ['JUJU-CHARM-SOURCE', 'warning', '5.5'],
      ['JUJU-CHARM-OUTDATED', 'note', '3.0'],
    ])
    const info = render(fullReport({findings: [{...loadBalancer, severity: 'info'}]}), RULES).log.runs[0]!.results[0]!
    expect([info.level, info.properties['security-severity']]).toEqual(['note', '0.0'])
  })

  it('gives a physical location when the finding has one', () => {
    const trust = byRule('JUJU-TRUST', 'postgresql-k8s')
    expect(trust.message.text).toBe(trustPostgres.message)
    expect(trust.locations).toEqual([
      {
        logicalLocations: [{name: 'postgresql-k8s', fullyQualifiedName: 'prod:livepatch/postgresql-k8s', kind: 'resource'}],
        physicalLocation: {artifactLocation: {uri: BUNDLE}, region: {startLine: 18, startColumn: 5}},
      },
    ])
    // Windows separators become forward slashes; no column, no startColumn.
    expect(byRule('K8S-SA-OVERPRIVILEGED').locations[0]?.physicalLocation).toEqual({
      artifactLocation: {uri: 'manifests/rbac.yaml'},
      region: {startLine: 3},
    })
  })

  it('gives a logical location when the finding has no file', () => {
    const service = byRule('K8S-LOADBALANCER')
    expect(service.locations).toEqual([{logicalLocations: [{name: 'traefik', fullyQualifiedName: 'cos/Service/traefik', kind: 'resource'}]}])
  })

  it('anchors findings without a file to a fallback artifact when asked (GitHub needs one)', () => {
    const anchored = render(fullReport(), RULES, {fallbackArtifactUri: './hardenctl.yaml'}).log.runs[0]!
    const service = anchored.results.find((result) => result.ruleId === 'K8S-LOADBALANCER')!
    expect(service.locations[0]?.physicalLocation).toEqual({artifactLocation: {uri: 'hardenctl.yaml'}})
    expect(anchored.results.every((result) => result.locations[0]?.physicalLocation)).toBe(true)
    // Findings with their own file keep it.
    const trust = anchored.results.find((result) => result.ruleId === 'JUJU-TRUST')!
    expect(trust.locations[0]?.physicalLocation?.artifactLocation.uri).toBe(BUNDLE)
    expect(validator()(JSON.parse(renderSarif(fullReport(), RULES, {fallbackArtifactUri: 'hardenctl.yaml'})))).toBe(true)
  })

  it('fingerprints the rule and target, stable across runs and line moves', () => {
    const trust = byRule('JUJU-TRUST', 'postgresql-k8s')
    expect(trust.partialFingerprints[FINGERPRINT_KEY]).toMatch(/^[0-9a-f]{64}$/)
    const moved = {...trustPostgres, message: 'reworded', location: {file: BUNDLE, line: 40}}
    const again = render(fullReport({findings: [moved], generatedAt: '2027-01-01T00:00:00.000Z'}), RULES).log.runs[0]!.results[0]!
    expect(again.partialFingerprints).toEqual(trust.partialFingerprints)
    const fingerprints = run.results.map((result) => result.partialFingerprints[FINGERPRINT_KEY])
    expect(new Set(fingerprints).size).toBe(fingerprints.length)
  })

  it('marks waived findings as externally suppressed', () => {
    expect(byRule('K8S-INGRESS-NO-TLS').suppressions).toEqual([
      {kind: 'external', status: 'accepted', justification: 'TLS is terminated at the edge proxy (waived by annotation: Ingress cos/grafana)'},
    ])
    expect(run.results.filter((result) => result.suppressions)).toHaveLength(1)
  })

  it('reports rules not evaluated and expired waivers as notifications', () => {
    const notifications = run.invocations[0]?.toolExecutionNotifications ?? []
    expect(notifications.map((notification) => [notification.level, notification.associatedRule?.id])).toEqual([
      ['note', 'ACCESS-OFFER'],
      ['note', 'JUJU-ROOT-CONTAINER'],
      ['warning', undefined],
    ])
    expect(notifications[1]?.message.text).toBe(
      'JUJU-ROOT-CONTAINER not evaluated: needs charm-metadata or k8s-pods, for prod:livepatch/livepatch, prod:livepatch/postgresql-k8s. ' +
        'Neither the charm metadata nor the pods of these applications were given.',
    )
    expect(notifications[2]?.message.text).toContain('Waiver for JUJU-EXPOSED on prod:livepatch/haproxy expired 2026-01-31')
  })
})
