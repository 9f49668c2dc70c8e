import {describe, expect, it} from 'vitest'

import {jujuDisabledCommands, jujuObservability} from '../../src/rules/juju-models.js'
import {app, findings, inventory, model, policy, relation, run} from './factories.js'

describe('JUJU-DISABLED-COMMANDS', () => {
  it('flags a production model without destroy-model and remove-object blocks', () => {
    const m = model('prod-db', {inputs: ['juju-disabled-commands'], disabledCommands: [{commandSet: 'destroy-model'}]})
    const [f] = findings(jujuDisabledCommands, inventory({models: [m]}))
    expect(f).toMatchObject({rule: 'JUJU-DISABLED-COMMANDS', severity: 'medium', target: {kind: 'model', name: 'prod-db', controller: 'prod'}, evidence: {missing: ['remove-object']}})
    expect(f?.message).toContain('does not block remove-object')
    expect(f?.remediation).toBe('juju disable-command -m prod:prod-db remove-object "hardenctl: production model"')
  })

  it('accepts remove-object (which covers destroy-model) or all', () => {
    const a = model('a', {inputs: ['juju-disabled-commands'], disabledCommands: [{commandSet: 'remove-object'}]})
    const b = model('b', {inputs: ['juju-disabled-commands'], disabledCommands: [{commandSet: 'all', message: 'frozen'}]})
    expect(findings(jujuDisabledCommands, inventory({models: [a, b]}))).toEqual([])
  })

  it('skips non-production models and uses the policy command sets', () => {
    const dev = model('dev-1', {inputs: ['juju-disabled-commands'], disabledCommands: []})
    const prod = model('prod', {inputs: ['juju-disabled-commands'], disabledCommands: [{commandSet: 'remove-object'}]})
    const pol = policy({nonProductionModels: ['dev-*'], commands: {prod: ['all']}})
    const fs = findings(jujuDisabledCommands, inventory({models: [dev, prod]}), pol)
    expect(fs.map((f) => [f.target.name, f.evidence.missing])).toEqual([['prod', ['all']]])
  })

  it('is not evaluated for models whose disabled commands were not read', () => {
    const inv = inventory({models: [model('x'), model('y', {inputs: ['juju-disabled-commands'], disabledCommands: [{commandSet: 'all'}]})]})
    expect(run(jujuDisabledCommands, inv).notEvaluated[0]?.targets?.map((t) => t.name)).toEqual(['x'])
  })
})

describe('JUJU-OBSERVABILITY', () => {
  it('flags a model with applications and no observability relation', () => {
    const m = model('web', {apps: [app('web'), app('postgresql')], relations: [relation('web:db', 'postgresql:database', 'postgresql_client')]})
    const [f] = findings(jujuObservability, inventory({models: [m]}))
    expect(f).toMatchObject({rule: 'JUJU-OBSERVABILITY', severity: 'low', target: {kind: 'model', name: 'web'}})
    expect(f?.message).toContain('not observed')
    expect(f?.remediation).toContain('juju deploy -m prod:web opentelemetry-collector')
  })

  it('accepts grafana-agent, cos-agent and consumed COS offers', () => {
    const a = model('a', {apps: [app('web'), app('agent', {charm: 'grafana-agent'})], relations: [relation('web', 'agent')]})
    const b = model('b', {apps: [app('web')], relations: [relation('web:cos-agent', 'otel:cos-agent')]})
    const c = model('c', {type: 'caas', apps: [app('web')], consumed: [{name: 'prometheus', url: 'prod:admin/cos.prometheus-receive-remote-write', endpoints: []}]})
    expect(findings(jujuObservability, inventory({models: [a, b, c]}))).toEqual([])
  })

  it('ignores empty models', () => {
    expect(findings(jujuObservability, inventory({models: [model('empty')]}))).toEqual([])
  })
})
