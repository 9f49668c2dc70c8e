import {describe, expect, it} from 'vitest'

import {evaluateRules} from '../../src/rules/engine.js'
import {cite} from '../../src/rules/guides.js'
import type {Rule} from '../../src/rules/rule.js'
import {app, inventory, model, NOW, policy, ref} from './factories.js'

function stub(fields: Partial<Rule> & {evaluate: Rule['evaluate']}): Rule {
  return {
    id: 'TEST-RULE',
    title: 'A test rule',
    severity: 'medium',
    profile: 'juju',
    guide: cite('juju', 'Harden the applications'),
    rationale: 'because',
    remediation: 'fix it',
    autoFixable: false,
    needs: [],
    ...fields,
  }
}

const inv = () => inventory({models: [model('prod', {apps: [app('pg')]})]})

describe('evaluateRules', () => {
  it('turns drafts into findings with the rule metadata, defaults and location', () => {
    const rule = stub({
      evaluate: ({report}) => {
        report({target: {kind: 'application', name: 'pg'}, message: 'm', ref: ref('status.json', 'applications', 'pg')})
        report({target: {kind: 'application', name: 'pg'}, message: 'n', severity: 'critical', remediation: 'exact', evidence: {a: 1}})
      },
    })
    const result = evaluateRules([rule], inv(), policy(), {now: NOW})
    expect(result.findings).toHaveLength(2)
    const [first, second] = result.findings.map((f) => f.finding)
    expect(first).toMatchObject({rule: 'TEST-RULE', title: 'A test rule', severity: 'medium', remediation: 'fix it', evidence: {}, autoFixable: false})
    expect(first?.guide.section).toBe('Harden the applications')
    expect(first?.location).toEqual({file: 'status.json', line: 3})
    expect(second).toMatchObject({severity: 'critical', remediation: 'exact', evidence: {a: 1}})
    expect(second && 'location' in second).toBe(false)
  })

  it('keeps annotations beside the finding, not inside it', () => {
    const rule = stub({evaluate: ({report}) => report({target: {kind: 'Service', name: 's'}, message: 'm', annotations: {'hardenctl.io/waive': 'TEST-RULE=ok'}})})
    const [item] = evaluateRules([rule], inv(), policy(), {now: NOW}).findings
    expect(item?.annotations).toEqual({'hardenctl.io/waive': 'TEST-RULE=ok'})
    expect(item?.finding).not.toHaveProperty('annotations')
  })

  it('passes the injected clock to rules', () => {
    let seen: Date | undefined
    evaluateRules([stub({evaluate: ({now}) => void (seen = now)})], inv(), policy(), {now: NOW})
    expect(seen).toBe(NOW)
  })

  it('does not run host rules and does not report them', () => {
    let ran = false
    const result = evaluateRules([stub({scope: 'host', evaluate: () => void (ran = true)})], inv(), policy(), {now: NOW})
    expect(ran).toBe(false)
    expect(result.findings).toEqual([])
    expect(result.notEvaluated).toEqual([])
  })

  it('does not run a rule whose needed inputs are all absent', () => {
    let ran = false
    const rule = stub({needs: [['charm-metadata', 'k8s-pods']], evaluate: () => void (ran = true)})
    const result = evaluateRules([rule], inv(), policy(), {now: NOW})
    expect(ran).toBe(false)
    expect(result.notEvaluated).toEqual([
      {rule: 'TEST-RULE', needs: ['charm-metadata', 'k8s-pods'], message: 'not evaluated: needs charm metadata or Kubernetes pods'},
    ])
  })

  it('runs a rule when one alternative of each group is present', () => {
    let ran = false
    const rule = stub({needs: [['charm-metadata', 'juju-status']], evaluate: () => void (ran = true)})
    evaluateRules([rule], inv(), policy(), {now: NOW})
    expect(ran).toBe(true)
  })

  it('groups per-target notEvaluated calls into one entry per rule', () => {
    const rule = stub({
      evaluate: ({notEvaluated}) => {
        notEvaluated({kind: 'application', name: 'a'}, ['juju-config'])
        notEvaluated({kind: 'application', name: 'b'}, ['juju-bundle'], 'no bundle')
        notEvaluated({kind: 'application', name: 'a'}, ['juju-config'])
      },
    })
    const [entry] = evaluateRules([rule], inv(), policy(), {now: NOW}).notEvaluated
    expect(entry?.targets?.map((t) => t.name)).toEqual(['a', 'b'])
    expect(entry?.needs).toEqual(['juju-config', 'juju-bundle'])
    expect(entry?.message).toBe('needs juju config; no bundle')
  })

  it('a throwing rule does not stop the others', () => {
    const broken = stub({
      id: 'BROKEN',
      evaluate: ({report}) => {
        report({target: {kind: 'model', name: 'prod'}, message: 'before the throw'})
        throw new Error('boom')
      },
    })
    const fine = stub({id: 'FINE', evaluate: ({report}) => report({target: {kind: 'model', name: 'prod'}, message: 'ok'})})
    const result = evaluateRules([broken, fine], inv(), policy(), {now: NOW})
    expect(result.findings.map((f) => f.finding.rule)).toEqual(['BROKEN', 'FINE'])
    expect(result.errors).toEqual([{rule: 'BROKEN', message: 'boom'}])
    expect(result.notEvaluated).toEqual([{rule: 'BROKEN', needs: [], message: 'rule failed: boom'}])
  })
})
