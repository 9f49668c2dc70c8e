import {XMLParser, XMLValidator} from 'fast-xml-parser'
import {describe, expect, it} from 'vitest'

import {PASSED_CASE_NAME, renderJunit} from '../../src/report/junit.js'
import {RULES, emptyReport, fullReport, loadBalancer, trustPostgres} from './fixtures.js'

interface Outcome {
  '@_message': string
  '@_type'?: string
  '#text'?: string
}

interface TestCase {
  '@_classname': string
  '@_name': string
  failure?: Outcome
  skipped?: Outcome | ''
}

interface TestSuite {
  '@_name': string
  '@_tests': string
  '@_failures': string
  '@_skipped': string
  '@_timestamp': string
  testcase: TestCase[]
}

interface Parsed {
  testsuites: {'@_name': string; '@_tests': string; '@_failures': string; '@_skipped': string; '@_errors': string; testsuite: TestSuite[]}
}

function parse(xml: string): Parsed {
  expect(XMLValidator.validate(xml)).toBe(true)
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    htmlEntities: true,
    parseAttributeValue: false,
    trimValues: false,
    isArray: (name) => name === 'testsuite' || name === 'testcase',
  })
  return parser.parse(xml) as Parsed
}

describe('renderJunit', () => {
  const xml = renderJunit(fullReport(), RULES)
  const {testsuites} = parse(xml)
  const suite = (id: string) => testsuites.testsuite.find((candidate) => candidate['@_name'].startsWith(`${id}: `))!

  it('is an XML document with a testsuites root named hardenctl', () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="hardenctl"')).toBe(true)
    expect(testsuites['@_name']).toBe('hardenctl')
  })

  it('stamps suites with the audit time in the JUnit format (no fraction, no zone)', () => {
    expect(testsuites.testsuite.every((candidate) => candidate['@_timestamp'] === '2026-03-01T09:30:00')).toBe(true)
  })

  it('counts tests, failures and skips', () => {
    // 6 failing findings, 1 waived, 3 not evaluated (1 rule-wide + 2 targets), 1 passing rule.
    expect(testsuites['@_tests']).toBe('11')
    expect(testsuites['@_failures']).toBe('6')
    expect(testsuites['@_skipped']).toBe('4')
    expect(testsuites['@_errors']).toBe('0')
    const cases = testsuites.testsuite.flatMap((candidate) => candidate.testcase)
    expect(cases).toHaveLength(11)
    expect(cases.filter((testCase) => testCase.failure)).toHaveLength(6)
    expect(cases.filter((testCase) => testCase.skipped !== undefined)).toHaveLength(4)
    for (const candidate of testsuites.testsuite) {
      expect(Number(candidate['@_tests'])).toBe(candidate.testcase.length)
      expect(Number(candidate['@_failures'])).toBe(candidate.testcase.filter((testCase) => testCase.failure).length)
      expect(Number(candidate['@_skipped'])).toBe(candidate.testcase.filter((testCase) => testCase.skipped !== undefined).length)
    }
  })

  it('has one suite per rule that ran, named by id and title', () => {
    expect(testsuites.testsuite.map((candidate) => candidate['@_name'])).toEqual([
      'ACCESS-OFFER: ACCESS-OFFER title',
      'JUJU-CHARM-OUTDATED: JUJU-CHARM-OUTDATED title',
      'JUJU-CHARM-SOURCE: JUJU-CHARM-SOURCE title',
      'JUJU-DISABLED-COMMANDS: JUJU-DISABLED-COMMANDS title',
      'JUJU-ROOT-CONTAINER: JUJU-ROOT-CONTAINER title',
      'JUJU-TRUST: Application deployed with --trust',
      'K8S-INGRESS-NO-TLS: K8S-INGRESS-NO-TLS title',
      'K8S-LOADBALANCER: Service reachable from outside the cluster',
      'K8S-SA-OVERPRIVILEGED: K8S-SA-OVERPRIVILEGED title',
    ])
  })

  it('fails one test case per finding, with the fix, guide and location in the body', () => {
    const trust = suite('JUJU-TRUST').testcase
    expect(trust.map((testCase) => [testCase['@_classname'], testCase['@_name']])).toEqual([
      ['JUJU-TRUST', 'prod:livepatch/ingress'],
      ['JUJU-TRUST', 'prod:livepatch/postgresql-k8s'],
    ])
    const failure = trust[1]!.failure!
    expect(failure['@_type']).toBe('high')
    expect(failure['@_message']).toBe(trustPostgres.message)
    expect(failure['#text']).toBe(
      [
        trustPostgres.message,
        '',
        'Severity: high',
        'Target: prod:livepatch/postgresql-k8s',
        'Location: examples/livepatch-k8s/juju/bundle/bundle.yaml:18',
        'Fix: juju trust postgresql-k8s --remove -m prod:livepatch',
        'Guide: Harden your Juju deployment § Harden the applications (https://documentation.ubuntu.com/juju/3.6/howto/manage-your-juju-deployment/harden-your-juju-deployment/)',
      ].join('\n'),
    )
    expect(suite('K8S-LOADBALANCER').testcase[0]!['@_name']).toBe('cos/Service/traefik')
  })

  it('skips waived findings and rules not evaluated', () => {
    const waived = suite('K8S-INGRESS-NO-TLS').testcase[0]!
    expect(waived.failure).toBeUndefined()
    expect((waived.skipped as Outcome)['@_message']).toBe('waived: TLS is terminated at the edge proxy')

    const offers = suite('ACCESS-OFFER').testcase
    expect(offers).toHaveLength(1)
    expect(offers[0]!['@_name']).toBe(PASSED_CASE_NAME)
    expect((offers[0]!.skipped as Outcome)['@_message']).toBe('not evaluated: needs juju-offers')
    expect((offers[0]!.skipped as Outcome)['#text']).toBe('No `juju offers --format=json` output was given.')

    const root = suite('JUJU-ROOT-CONTAINER').testcase
    expect(root.map((testCase) => testCase['@_name'])).toEqual(['prod:livepatch/livepatch', 'prod:livepatch/postgresql-k8s'])
    expect(root.every((testCase) => (testCase.skipped as Outcome)['@_message'] === 'not evaluated: needs charm-metadata or k8s-pods')).toBe(true)
  })

  it('passes a rule that ran and found nothing', () => {
    expect(suite('JUJU-DISABLED-COMMANDS').testcase).toEqual([{'@_classname': 'JUJU-DISABLED-COMMANDS', '@_name': PASSED_CASE_NAME}])
    const empty = parse(renderJunit(emptyReport(), RULES)).testsuites
    // Profile juju only: the k8s and maas rules and the host check did not run.
    expect(empty.testsuite.map((candidate) => candidate['@_name'].split(':')[0])).toEqual([
      'ACCESS-OFFER',
      'JUJU-CHARM-OUTDATED',
      'JUJU-CHARM-SOURCE',
      'JUJU-DISABLED-COMMANDS',
      'JUJU-ROOT-CONTAINER',
      'JUJU-TRUST',
    ])
    expect([empty['@_tests'], empty['@_failures'], empty['@_skipped']]).toEqual(['6', '0', '0'])
  })

  it('escapes markup, quotes and control characters', () => {
    const message = `Service "traefik" exposes <80> & <443> to 'everyone'\u0007 now`
    const nasty = {
      ...loadBalancer,
      message,
      target: {...loadBalancer.target, name: 'a<b>&"c"'},
      remediation: 'kubectl patch svc traefik -p \'{"spec":{"type":"ClusterIP"}}\' && echo </failure>\r\ndone',
    }
    const text = renderJunit(fullReport({findings: [nasty]}), RULES)
    expect(text).not.toContain('\u0007')
    expect(text).not.toContain('echo </failure>')
    expect(text).toContain('message="Service &quot;traefik&quot; exposes &lt;80&gt; &amp; &lt;443&gt; to &apos;everyone&apos;\\u0007 now"')

    const testCase = parse(text).testsuites.testsuite.find((candidate) => candidate['@_name'].startsWith('K8S-LOADBALANCER'))!.testcase[0]!
    expect(testCase['@_name']).toBe('cos/Service/a<b>&"c"')
    expect(testCase.failure!['@_message']).toBe(message.replace('\u0007', '\\u0007'))
    expect(testCase.failure!['#text']).toContain('Fix: kubectl patch svc traefik -p \'{"spec":{"type":"ClusterIP"}}\' && echo </failure>\r\ndone')
  })

  it('keeps newlines and tabs in attributes', () => {
    const text = renderJunit(fullReport({findings: [{...loadBalancer, message: 'line one\nline\ttwo'}]}), RULES)
    expect(text).toContain('message="line one&#10;line&#9;two"')
    const testCase = parse(text).testsuites.testsuite.find((candidate) => candidate['@_name'].startsWith('K8S-LOADBALANCER'))!.testcase[0]!
    expect(testCase.failure!['@_message']).toBe('line one\nline\ttwo')
  })
})
