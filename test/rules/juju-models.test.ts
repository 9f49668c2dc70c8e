import {describe, expect, it} from 'vitest'

import {jujuDisabledCommands, jujuObservability} from '../../src/rules/juju-models.js'
import {app, charm, endpoint, findings, inventory, model, policy, relation, run} from './factories.js'

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

  it('on machines deploys the collector subordinate without --trust, on the principals\' base, over cos-agent where the charm has it', () => {
    const pg = charm('postgresql', {endpoints: [endpoint('cos-agent', 'provides', 'cos_agent'), endpoint('database', 'provides', 'postgresql_client')]})
    const m = model('landscape', {
      type: 'iaas',
      apps: [
        app('landscape-server', {series: 'jammy'}),
        app('haproxy', {series: 'jammy'}),
        app('postgresql', {series: 'jammy'}),
        app('landscape-client', {subordinateTo: ['landscape-server']}),
      ],
    })
    const [f] = findings(jujuObservability, inventory({models: [m], charms: [pg]}))
    expect(f?.remediation).toBe(
      'juju deploy -m prod:landscape opentelemetry-collector --base ubuntu@22.04' +
        ' && juju integrate -m prod:landscape opentelemetry-collector:cos-agent postgresql:cos-agent' +
        ' && juju integrate -m prod:landscape opentelemetry-collector:juju-info landscape-server && juju integrate -m prod:landscape opentelemetry-collector:juju-info haproxy' +
        ' && juju consume -m prod:landscape admin/cos.prometheus-receive-remote-write' +
        ' && juju integrate -m prod:landscape opentelemetry-collector:send-remote-write prometheus-receive-remote-write' +
        '   # a machine subordinate: no --trust needed; admin/cos.prometheus-receive-remote-write is where COS\'s documentation puts it: use the URL `juju find-offers --interface prometheus_remote_write` shows for your COS',
    )
    // The fix does not itself become a JUJU-TRUST finding.
    expect(f?.remediation?.split('   # ')[0]).not.toContain('--trust')
  })

  it('on machines attaches opentelemetry-collector where its base (22.04, 24.04) and Juju (3.6) allow, grafana-agent where only that runs, and says what comes first', () => {
    const m = model('mixed', {type: 'iaas', apps: [app('web', {series: 'jammy'}), app('legacy', {series: 'focal'})]})
    const [f] = findings(jujuObservability, inventory({models: [m]}))
    expect(f?.remediation).toMatch(/^juju deploy -m prod:mixed opentelemetry-collector --base ubuntu@22\.04 && juju integrate -m prod:mixed opentelemetry-collector:juju-info web && /)
    expect(f?.remediation).not.toContain('opentelemetry-collector:juju-info legacy')
    // grafana-agent is built for 20.04 too: legacy is observed now, with the way forward said.
    expect(f?.remediation).toContain('juju deploy -m prod:mixed grafana-agent --base ubuntu@20.04 && juju integrate -m prod:mixed grafana-agent:juju-info legacy && ')
    expect(f?.remediation).toContain(
      '   # grafana-agent, not opentelemetry-collector, for legacy: opentelemetry-collector is built for ubuntu@22.04 and ubuntu@24.04 only (it runs on ubuntu@20.04); Grafana Agent reached its upstream end of life on 1 November 2025: move to opentelemetry-collector once it runs on ubuntu@22.04 or later',
    )
    // One consume, one send-remote-write per collector.
    expect(f?.remediation.match(/juju consume/g)).toHaveLength(1)
    expect(f?.remediation).toContain('juju integrate -m prod:mixed opentelemetry-collector:send-remote-write prometheus-receive-remote-write && juju integrate -m prod:mixed grafana-agent:send-remote-write prometheus-receive-remote-write')
    // A Juju older than 3.6 (an OpenStack on focal and Juju 3.4): grafana-agent for every principal, not a series upgrade of each.
    const openstack = {...model('openstack', {type: 'iaas', apps: [app('keystone', {series: 'focal'}), app('nova-compute', {series: 'jammy'})]}), version: '3.4.2'}
    const [g] = findings(jujuObservability, inventory({models: [openstack]}))
    expect(g?.remediation).toMatch(/^juju deploy -m prod:openstack grafana-agent && juju integrate -m prod:openstack grafana-agent:juju-info keystone && juju integrate -m prod:openstack grafana-agent:juju-info nova-compute && /)
    expect(g?.remediation).toContain('grafana-agent, not opentelemetry-collector, for every principal: opentelemetry-collector needs Juju 3.6 or later (this model runs Juju 3.4.2) and is built for ubuntu@22.04 and ubuntu@24.04 only (keystone runs on ubuntu@20.04)')
    expect(g?.remediation).toContain('move to opentelemetry-collector once the controller and the model run Juju 3.6')
    expect(g?.remediation).toContain('the principals of grafana-agent run on ubuntu@20.04 and ubuntu@22.04: deploy one per base (--base)')
    // None on a base either collector runs on: moving the base is the first command.
    const [old] = findings(jujuObservability, inventory({models: [model('old', {type: 'iaas', apps: [app('legacy', {series: 'bionic'})]})]}))
    expect(old?.remediation).toMatch(/^juju set-application-base -m prod:old legacy ubuntu@24\.04 {3}# no application here can take a collector yet: legacy runs on ubuntu@18\.04, which neither collector is built for: a newer base first/)
    // A Juju 2 model (Charm Store charms): migrating to a Juju 3.6 controller comes first.
    const juju2 = model('old', {type: 'iaas', apps: [app('legacy', {series: 'bionic', charmOrigin: 'charmstore'})]})
    const [migrate] = findings(jujuObservability, inventory({models: [juju2]}))
    expect(migrate?.remediation).toMatch(/^juju migrate old NEW-CONTROLLER {3}# a Juju 2 controller cannot be upgraded to Juju 3 in place/)
  })

  it('on Kubernetes says the collector needs --trust and how the policy allows it, unless it already does', () => {
    const pg = charm('postgresql-k8s', {endpoints: [endpoint('metrics-endpoint', 'provides', 'prometheus_scrape')]})
    const m = model('livepatch', {type: 'caas', apps: [app('livepatch', {charm: 'canonical-livepatch-server-k8s'}), app('postgresql', {charm: 'postgresql-k8s'})]})
    const [f] = findings(jujuObservability, inventory({models: [m], charms: [pg]}))
    expect(f?.remediation).toContain('juju deploy -m prod:livepatch opentelemetry-collector-k8s --trust && juju integrate -m prod:livepatch opentelemetry-collector-k8s:metrics-endpoint postgresql:metrics-endpoint')
    expect(f?.remediation).toContain('add "livepatch/opentelemetry-collector-k8s" to trust.allow in hardenctl.yaml, or JUJU-TRUST reports it')
    const [allowed] = findings(jujuObservability, inventory({models: [m], charms: [pg]}), policy({trust: {allow: ['livepatch/opentelemetry-collector-k8s']}}))
    expect(allowed?.remediation).toContain('trust.allow in hardenctl.yaml already allows it')
  })

  it('consumes the remote-write offer of a COS in view, with its controller when that is another', () => {
    const cos = model('observability', {
      type: 'caas',
      apps: [app('prometheus', {charm: 'prometheus-k8s'})],
      offers: [{name: 'prom-rw', application: 'prometheus', url: 'admin/observability.prom-rw', endpoints: [{name: 'receive-remote-write', interface: 'prometheus_remote_write'}]}],
      relations: [],
    })
    const web = model('web', {type: 'caas', apps: [app('web')]})
    const f = findings(jujuObservability, inventory({models: [cos, web]})).find((finding) => finding.target.name === 'web')
    expect(f?.remediation).toContain('juju consume -m prod:web admin/observability.prom-rw && juju integrate -m prod:web opentelemetry-collector-k8s:send-remote-write prom-rw')
    expect(f?.remediation).not.toContain('juju find-offers')
    const elsewhere = {...model('observability', {type: 'caas', apps: [app('prometheus', {charm: 'prometheus-k8s'})], offers: cos.offers}), controller: 'cos-ctrl'}
    const g = findings(jujuObservability, inventory({models: [elsewhere, web]})).find((finding) => finding.target.name === 'web')
    expect(g?.remediation).toContain('juju consume -m prod:web cos-ctrl:admin/observability.prom-rw')
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
