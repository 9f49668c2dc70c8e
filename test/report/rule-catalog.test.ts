import {stripVTControlCharacters} from 'node:util'

import {describe, expect, it} from 'vitest'

import type {Rule} from '../../src/rules/rule.js'
import {renderRulesJson, renderRulesTable} from '../../src/report/rule-catalog.js'
import {JUJU_GUIDE_URL, RULES} from './fixtures.js'

describe('renderRulesTable', () => {
  const text = renderRulesTable(RULES, {color: false})
  const lines = text.trimEnd().split('\n')

  it('lists id, severity, profile, auto-fix, title and guide in aligned columns, then each guide\'s address once', () => {
    expect(lines[0]).toBe('ID                      SEVERITY  PROFILE  AUTO-FIX  TITLE                                       GUIDE')
    expect(lines[1]).toBe(
      'JUJU-TRUST              high      juju     no        Application deployed with --trust           Harden your Juju deployment § Harden the applications',
    )
    expect(lines).toContain(
      'ACCESS-OFFER            medium    juju     yes       ACCESS-OFFER title                          Harden your Juju deployment § Harden the user(s)',
    )
    expect(lines.slice(RULES.length + 1)).toEqual(['', 'Guides', `  Harden your Juju deployment: ${JUJU_GUIDE_URL}`])
  })

  it('colours only when asked', () => {
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/\u001b/)
    const colored = renderRulesTable(RULES, {color: true})
    expect(colored).toContain('\u001b[')
    expect(stripVTControlCharacters(colored)).toBe(text)
  })

  it('says so when there are no rules', () => {
    expect(renderRulesTable([], {color: false})).toBe('No rules.\n')
  })
})

describe('renderRulesJson', () => {
  it('wraps every metadata field, unrenamed, in a RuleCatalog', () => {
    const withFunction: Rule = {...RULES[0]!, evaluate: () => undefined}
    const host = RULES.find((rule) => rule.scope === 'host')!
    const catalog = JSON.parse(renderRulesJson([withFunction, host])) as {apiVersion: string; kind: string; rules: Record<string, unknown>[]}
    expect(catalog.apiVersion).toBe('hardenctl.io/v1')
    expect(catalog.kind).toBe('RuleCatalog')
    expect(catalog.rules[0]).toEqual({
      id: 'JUJU-TRUST',
      title: 'Application deployed with --trust',
      severity: 'high',
      profile: 'juju',
      guide: {title: 'Harden your Juju deployment', url: JUJU_GUIDE_URL, section: 'Harden the applications'},
      rationale: 'A trusted charm can use the Kubernetes API with the rights of its ClusterRole.',
      remediation: 'juju trust APP --remove',
      autoFixable: false,
      needs: [['juju-config', 'juju-bundle', 'k8s-rbac']],
    })
    expect(Object.keys(catalog.rules[0]!)).not.toContain('evaluate')
    expect(catalog.rules[1]?.scope).toBe('host')
  })
})
