/**
 * planExposure: the Application.Expose / Unexpose calls reconcile makes for JUJU-EXPOSED and
 * LANDSCAPE-EXPOSURE, with their exact wire params, and their agreement with those rules.
 */
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {loadInventory} from '../../src/audit/run-audit.js'
import type {Application, Inventory} from '../../src/inventory/types.js'
import {planExposure} from '../../src/plan/juju/exposure.js'
import type {JujuAction} from '../../src/plan/types.js'
import type {Policy} from '../../src/policy/schema.js'
import {jujuExposed} from '../../src/rules/juju-applications.js'
import {landscapeExposure} from '../../src/rules/landscape.js'
import {REPO_ROOT} from '../helpers/cli.js'
import {app, findings, inventory, model, policy} from '../rules/factories.js'

const UUID = '5a1c3e9f-2b4d-4c6e-8f0a-1b2c3d4e5f60'

const world = (fields: Partial<Application> = {}) => ({exposed: true, ...fields})
const endpoints = (eps: Record<string, {cidrs?: string[]; spaces?: string[]}>): Partial<Application> => ({
  exposed: true,
  exposedEndpoints: Object.fromEntries(Object.entries(eps).map(([ep, e]) => [ep, {cidrs: e.cidrs ?? [], spaces: e.spaces ?? []}])),
})

function machines(apps: Application[], fields: Parameters<typeof model>[1] = {}) {
  return model('web', {type: 'iaas', uuid: UUID, apps, ...fields})
}

function plan(inv: Inventory, pol: Policy) {
  return planExposure(inv, pol)
}

const enforced = (allow: Record<string, string[]> = {}) => policy({exposure: {allow, enforce: true}})

/** What Juju does with the calls (state MergeExposeSettings / ClearExposed / UnsetExposeSettings). */
function applyToInventory(inv: Inventory, actions: JujuAction[]): void {
  for (const action of actions) {
    const m = [...inv.models.values()].find((x) => x.controller === action.controller && x.name === action.model)!
    const params = action.params as {application: string; 'exposed-endpoints': Record<string, {'expose-to-cidrs'?: string[]; 'expose-to-spaces'?: string[]}> | string[]}
    const a = m.applications.get(params.application)!
    const current = {...(a.exposedEndpoints ?? (a.exposed ? {'': {cidrs: ['0.0.0.0/0', '::/0'], spaces: []}} : {}))}
    const eps = params['exposed-endpoints']
    if (action.method === 'Expose' && !Array.isArray(eps)) {
      for (const [ep, s] of Object.entries(eps)) current[ep] = {cidrs: [...(s['expose-to-cidrs'] ?? [])].sort(), spaces: [...(s['expose-to-spaces'] ?? [])].sort()}
    } else if (Array.isArray(eps) && eps.length === 0) {
      for (const ep of Object.keys(current)) delete current[ep]
    } else if (Array.isArray(eps)) {
      for (const ep of eps) delete current[ep]
    }
    a.exposed = Object.keys(current).length > 0
    a.exposedEndpoints = a.exposed ? current : undefined
  }
}

describe('planExposure: not on the allowlist', () => {
  it('unexposes the application entirely, with the exact wire params and words', () => {
    const inv = inventory({models: [machines([app('zookeeper', world())])]})
    expect(plan(inv, enforced()).actions).toEqual([
      {
        op: 'juju',
        section: 'exposure',
        rule: 'JUJU-EXPOSED',
        controller: 'prod',
        model: 'web',
        modelUuid: UUID,
        connection: 'model',
        facade: 'Application',
        method: 'Unexpose',
        params: {application: 'zookeeper', 'exposed-endpoints': []},
        target: 'application zookeeper in model prod:web',
        before: 'all endpoints to 0.0.0.0/0, ::/0 (no CIDRs given: Juju opens to everyone)',
        after: 'not exposed',
        reason: 'not on exposure.allow',
        enforced: true,
      },
    ])
  })

  it('does so on Kubernetes models too, and omits modelUuid and the controller when not known', () => {
    const m = model('clite', {controller: '', type: 'caas', apps: [app('traefik', endpoints({'': {cidrs: ['0.0.0.0/0']}}))]})
    const [action] = plan(inventory({models: [m]}), enforced()).actions
    expect(action).not.toHaveProperty('modelUuid')
    expect(action).toMatchObject({controller: '', model: 'clite', method: 'Unexpose', params: {application: 'traefik', 'exposed-endpoints': []}, target: 'application traefik in model clite'})
  })

  it('plans nothing for unexposed apps or apps whose exposure is not known', () => {
    const inv = inventory({models: [machines([app('a', {exposed: false}), app('b'), app('c', {exposedEndpoints: {}})])]})
    expect(plan(inv, enforced())).toEqual({actions: [], notes: [], closes: new Map()})
  })
})

describe('planExposure: on the allowlist, machine models', () => {
  it('narrows 0.0.0.0/0 to the allowed CIDRs with one Expose', () => {
    const inv = inventory({models: [machines([app('kafka', endpoints({'kafka-client': {cidrs: ['0.0.0.0/0']}}))])]})
    const [action, ...rest] = plan(inv, enforced({kafka: ['10.0.0.0/8']})).actions
    expect(rest).toEqual([])
    expect(action).toMatchObject({
      rule: 'JUJU-EXPOSED',
      method: 'Expose',
      params: {application: 'kafka', 'exposed-endpoints': {'kafka-client': {'expose-to-cidrs': ['10.0.0.0/8']}}},
      before: 'endpoint kafka-client to 0.0.0.0/0',
      after: 'endpoint kafka-client to 10.0.0.0/8',
      reason: 'exposure.allow["kafka"]: 10.0.0.0/8',
    })
    expect(action?.params).toEqual({application: 'kafka', 'exposed-endpoints': {'kafka-client': {'expose-to-cidrs': ['10.0.0.0/8']}}})
  })

  it('keeps spaces, covers both address families, and treats exposed: true as the "" entry', () => {
    const inv = inventory({
      models: [
        machines([
          app('haproxy', endpoints({'': {cidrs: ['0.0.0.0/0', '::/0'], spaces: ['dmz']}})),
          app('web', world()),
        ]),
      ],
    })
    const actions = plan(inv, enforced({haproxy: ['10.0.0.0/8', 'fd00::/8'], 'web/web': ['192.168.0.0/16']})).actions
    expect(actions.map((a) => a.params)).toEqual([
      {application: 'haproxy', 'exposed-endpoints': {'': {'expose-to-cidrs': ['10.0.0.0/8', 'fd00::/8'], 'expose-to-spaces': ['dmz']}}},
      {application: 'web', 'exposed-endpoints': {'': {'expose-to-cidrs': ['192.168.0.0/16']}}},
    ])
    expect(actions[1]?.reason).toBe('exposure.allow["web/web"]: 192.168.0.0/16')
  })

  it('keeps the sources that already lie inside the allowlist', () => {
    const inv = inventory({models: [machines([app('kafka', endpoints({'kafka-client': {cidrs: ['10.1.0.0/16', '203.0.113.0/24']}}))])]})
    expect(plan(inv, enforced({kafka: ['10.0.0.0/8']})).actions.map((a) => a.params)).toEqual([
      {application: 'kafka', 'exposed-endpoints': {'kafka-client': {'expose-to-cidrs': ['10.1.0.0/16']}}},
    ])
  })

  it('per endpoint: leaves a compliant endpoint alone, narrows one, unexposes one the allowlist admits nothing of', () => {
    const kafka = app(
      'kafka',
      endpoints({
        'kafka-client': {cidrs: ['10.1.0.0/16']},
        cluster: {cidrs: ['0.0.0.0/0']},
        restart: {cidrs: ['203.0.113.0/24']},
      }),
    )
    const actions = plan(inventory({models: [machines([kafka])]}), enforced({kafka: ['10.0.0.0/8']})).actions
    expect(actions.map((a) => [a.method, a.params])).toEqual([
      ['Expose', {application: 'kafka', 'exposed-endpoints': {cluster: {'expose-to-cidrs': ['10.0.0.0/8']}}}],
      ['Unexpose', {application: 'kafka', 'exposed-endpoints': ['restart']}],
    ])
    expect(actions.map((a) => `${a.before} → ${a.after}`)).toEqual([
      'endpoint kafka-client to 10.1.0.0/16; endpoint cluster to 0.0.0.0/0; endpoint restart to 203.0.113.0/24 → endpoint kafka-client to 10.1.0.0/16; endpoint cluster to 10.0.0.0/8; endpoint restart to 203.0.113.0/24',
      'endpoint kafka-client to 10.1.0.0/16; endpoint cluster to 10.0.0.0/8; endpoint restart to 203.0.113.0/24 → endpoint kafka-client to 10.1.0.0/16; endpoint cluster to 10.0.0.0/8',
    ])
    expect(actions[1]?.reason).toBe('exposure.allow["kafka"]: 10.0.0.0/8 admits none of the sources of endpoint restart')
  })

  it('says what each enforced change closes: the sources it takes away, on the ports the units open', () => {
    const kafka = app('kafka', endpoints({'kafka-client': {cidrs: ['10.1.0.0/16']}, cluster: {cidrs: ['0.0.0.0/0']}, restart: {cidrs: ['203.0.113.0/24']}}))
    const web = app('web', {...world(), units: [{name: 'web/0', machine: '0', openPorts: ['80/tcp', '443/tcp']}]})
    const inv = inventory({models: [machines([kafka, web])]})
    const planned = plan(inv, enforced({kafka: ['10.0.0.0/8']}))
    const closes = planned.actions.flatMap((action) => planned.closes.get(action) ?? [])
    expect(closes).toEqual([
      {from: 'outside', to: 'prod:web/kafka', ports: 'the ports of endpoint cluster', usedBy: 'juju expose, endpoint cluster', why: 'exposure.enforce: exposure.allow["kafka"]: 10.0.0.0/8', asked: true},
      {
        from: '203.0.113.0/24',
        to: 'prod:web/kafka',
        ports: 'the ports of endpoint restart',
        usedBy: 'juju expose, endpoint restart',
        why: 'exposure.enforce: exposure.allow["kafka"]: 10.0.0.0/8 admits none of the sources of endpoint restart',
        asked: true,
      },
      {from: 'outside', to: 'prod:web/web', ports: '80/tcp, 443/tcp', usedBy: 'juju expose, all endpoints', why: 'exposure.enforce: not on exposure.allow', asked: true},
    ])
    // Planned but not enforced: nothing closes.
    const preview = plan(inv, policy({exposure: {allow: {kafka: ['10.0.0.0/8']}, enforce: false}}))
    expect(preview.closes.size).toBe(0)
  })

  it('unexposes entirely when nothing would be left, or when the "" entry has nothing left', () => {
    const lone = app('a', endpoints({website: {cidrs: ['203.0.113.0/24']}}))
    const all = app('b', endpoints({'': {cidrs: ['203.0.113.0/24']}, website: {cidrs: ['10.1.0.0/16']}}))
    const actions = plan(inventory({models: [machines([lone, all])]}), enforced({a: ['10.0.0.0/8'], b: ['10.0.0.0/8']})).actions
    expect(actions.map((a) => [a.method, a.params])).toEqual([
      ['Unexpose', {application: 'a', 'exposed-endpoints': []}],
      ['Unexpose', {application: 'b', 'exposed-endpoints': []}],
    ])
    expect(actions[0]?.after).toBe('not exposed')
  })

  it('treats a model of unknown type with machines as a machine model, and leaves one without machines alone with a note', () => {
    const kafka = () => app('kafka', endpoints({'kafka-client': {cidrs: ['0.0.0.0/0']}}))
    const withMachines = model('m1', {apps: [kafka()], machines: [{id: '0'}]})
    const bare = model('m2', {apps: [kafka()]})
    const {actions, notes} = plan(inventory({models: [withMachines, bare]}), enforced({kafka: ['10.0.0.0/8']}))
    expect(actions.map((a) => `${a.model} ${a.method}`)).toEqual(['m1 Expose'])
    expect(notes).toEqual([expect.stringContaining("kafka in model prod:m2 is exposed beyond exposure.allow[\"kafka\"]: 10.0.0.0/8 (endpoint kafka-client to 0.0.0.0/0), but the model's type is not known")])
  })
})

describe('planExposure: on the allowlist, Kubernetes models', () => {
  it('plans nothing: Juju enforces no expose CIDRs there, and listing the application says it is meant', () => {
    const m = model('clite', {type: 'caas', apps: [app('traefik', world())]})
    const {actions, notes} = plan(inventory({models: [m]}), enforced({traefik: ['10.0.0.0/8']}))
    expect(actions).toEqual([])
    expect(notes).toEqual([])
    // Not listed at all: the flag is cleared, as JUJU-EXPOSED's fix says (it changes no traffic there).
    expect(plan(inventory({models: [m]}), enforced({})).actions.map((a) => `${a.rule} ${a.method} ${a.target}`)).toEqual([expect.stringMatching(/^JUJU-EXPOSED Unexpose .*traefik/)])
  })
})

describe('planExposure: Landscape models', () => {
  function landscape(extra: {haproxy?: Partial<Application>; server?: Partial<Application>; pg?: Partial<Application>; rabbit?: Partial<Application>} = {}) {
    return model('landscape', {
      type: 'iaas',
      apps: [
        app('landscape-server', {charm: '../landscape-server_ubuntu@22.04-amd64.charm', exposed: false, ...extra.server}),
        app('postgresql', {exposed: false, ...extra.pg}),
        app('rabbitmq-server', {exposed: false, ...extra.rabbit}),
        app('haproxy', {exposed: true, ...extra.haproxy}),
      ],
    })
  }

  it('unexposes every exposed application but the reverse proxy (LANDSCAPE-EXPOSURE); the allowlisted proxy stays', () => {
    const inv = inventory({
      models: [landscape({haproxy: endpoints({'': {cidrs: ['10.0.0.0/8']}}), server: world(), pg: endpoints({db: {cidrs: ['10.0.0.0/8']}})})],
    })
    const {actions, notes} = plan(inv, enforced({haproxy: ['10.0.0.0/8'], 'landscape/*': ['10.0.0.0/8']}))
    expect(actions.map((a) => [a.rule, a.method, a.params])).toEqual([
      ['LANDSCAPE-EXPOSURE', 'Unexpose', {application: 'landscape-server', 'exposed-endpoints': []}],
      ['LANDSCAPE-EXPOSURE', 'Unexpose', {application: 'postgresql', 'exposed-endpoints': []}],
    ])
    expect(actions[0]?.reason).toBe(
      'the Landscape hardening guide (Harden the network) lets only the reverse proxy (haproxy or apache2) receive external traffic (exposure.allow["landscape/*"]: 10.0.0.0/8 matches it only through a glob)',
    )
    expect(notes).toEqual([])
  })

  it('handles the proxy like any other app: narrowed when allowlisted, unexposed when not', () => {
    expect(plan(inventory({models: [landscape()]}), enforced({haproxy: ['10.0.0.0/8']})).actions.map((a) => [a.rule, a.params])).toEqual([
      ['JUJU-EXPOSED', {application: 'haproxy', 'exposed-endpoints': {'': {'expose-to-cidrs': ['10.0.0.0/8']}}}],
    ])
    expect(plan(inventory({models: [landscape()]}), enforced()).actions.map((a) => [a.rule, a.params])).toEqual([
      ['JUJU-EXPOSED', {application: 'haproxy', 'exposed-endpoints': []}],
    ])
  })

  it('keeps an application the allowlist names exactly, with a note that LANDSCAPE-EXPOSURE will still be reported', () => {
    const inv = inventory({models: [landscape({haproxy: {exposed: false}, rabbit: endpoints({amqp: {cidrs: ['10.2.0.0/16']}}), pg: world()})]})
    const {actions, notes} = plan(inv, enforced({'landscape/rabbitmq-server': ['10.0.0.0/8'], postgresql: ['10.0.0.0/8']}))
    // postgresql is named exactly too, but exposed to the world: narrowed as JUJU-EXPOSED.
    expect(actions.map((a) => [a.rule, a.method, a.params])).toEqual([
      ['JUJU-EXPOSED', 'Expose', {application: 'postgresql', 'exposed-endpoints': {'': {'expose-to-cidrs': ['10.0.0.0/8']}}}],
    ])
    expect(notes).toEqual([
      'postgresql in model prod:landscape stays exposed because exposure.allow["postgresql"] names it, although the Landscape guide exposes only the reverse proxy: LANDSCAPE-EXPOSURE will still be reported for it.',
      'rabbitmq-server in model prod:landscape stays exposed because exposure.allow["landscape/rabbitmq-server"] names it, although the Landscape guide exposes only the reverse proxy: LANDSCAPE-EXPOSURE will still be reported for it.',
    ])
  })

  it('agrees with LANDSCAPE-EXPOSURE: every app it reports is unexposed, but for the literal allowlist exception', () => {
    const inv = inventory({models: [landscape({server: world(), pg: world(), rabbit: world()})]})
    const pol = enforced({'landscape/rabbitmq-server': ['0.0.0.0/0']})
    const reported = findings(landscapeExposure, inv, pol).map((f) => f.target.name)
    expect(reported).toEqual(['landscape-server', 'postgresql', 'rabbitmq-server'])
    const unexposed = plan(inv, pol).actions.filter((a) => a.rule === 'LANDSCAPE-EXPOSURE').map((a) => (a.params as {application: string}).application)
    expect(unexposed).toEqual(reported.filter((name) => name !== 'rabbitmq-server'))
  })
})

describe('planExposure: the switch, order and convergence', () => {
  it('plans but does not enforce without exposure.enforce', () => {
    const inv = inventory({models: [machines([app('zookeeper', world())])]})
    expect(plan(inv, policy({exposure: {allow: {}}})).actions.map((a) => a.enforced)).toEqual([false])
  })

  it('plans nothing for compliant applications', () => {
    const inv = inventory({
      models: [machines([app('kafka', endpoints({'kafka-client': {cidrs: ['10.1.0.0/16'], spaces: ['alpha']}, cluster: {spaces: ['alpha']}})), app('zk', {exposed: false})])],
    })
    expect(plan(inv, enforced({kafka: ['10.0.0.0/8']}))).toEqual({actions: [], notes: [], closes: new Map()})
  })

  it('orders by controller, model and application', () => {
    const m = (controller: string, name: string) => model(name, {controller, type: 'iaas', apps: [app('zz', world()), app('aa', world())]})
    const inv = inventory({models: [m('prod', 'b'), m('dev', 'z'), m('prod', 'a')]})
    expect(plan(inv, enforced()).actions.map((a) => a.target)).toEqual([
      'application aa in model dev:z',
      'application zz in model dev:z',
      'application aa in model prod:a',
      'application zz in model prod:a',
      'application aa in model prod:b',
      'application zz in model prod:b',
    ])
  })

  it('converges: once Juju has applied the plan, a second run plans nothing and JUJU-EXPOSED is silent', () => {
    const inv = inventory({
      models: [
        machines([
          app('kafka', endpoints({'kafka-client': {cidrs: ['10.1.0.0/16']}, cluster: {cidrs: ['0.0.0.0/0', '::/0'], spaces: ['alpha']}, restart: {cidrs: ['203.0.113.0/24']}})),
          app('haproxy', world()),
          app('zookeeper', world()),
        ]),
      ],
    })
    const pol = enforced({kafka: ['10.0.0.0/8', '192.168.0.0/16'], haproxy: ['0.0.0.0/0']})
    const first = plan(inv, pol).actions
    // haproxy: `juju expose` opened ::/0 as well, which 0.0.0.0/0 does not cover.
    expect(first.map((a) => `${a.method} ${a.target}`)).toEqual([
      'Expose application haproxy in model prod:web',
      'Expose application kafka in model prod:web',
      'Unexpose application kafka in model prod:web',
      'Unexpose application zookeeper in model prod:web',
    ])
    expect(first[0]?.params).toEqual({application: 'haproxy', 'exposed-endpoints': {'': {'expose-to-cidrs': ['0.0.0.0/0']}}})
    expect(first[1]?.params).toEqual({
      application: 'kafka',
      'exposed-endpoints': {cluster: {'expose-to-cidrs': ['10.0.0.0/8', '192.168.0.0/16'], 'expose-to-spaces': ['alpha']}},
    })
    applyToInventory(inv, first)
    expect(plan(inv, pol).actions).toEqual([])
    expect(findings(jujuExposed, inv, pol)).toEqual([])
  })
})

describe('planExposure: MAAS', () => {
  it('notes the ports beyond those MAAS uses, with the ufw commands, and handles exposure as usual', () => {
    const m = model('maas', {
      type: 'iaas',
      inputs: ['juju-status', 'juju-config'],
      apps: [app('maas-region', {exposed: true, units: [{name: 'maas-region/0', openPorts: ['5240/tcp', '22/tcp', '8000/tcp', '9090/tcp', '10000/udp']}]}), app('postgresql', {exposed: false})],
    })
    const {actions, notes} = plan(inventory({models: [m]}), enforced())
    expect(actions.map((a) => a.params)).toEqual([{application: 'maas-region', 'exposed-endpoints': []}])
    expect(notes).toHaveLength(1)
    expect(notes[0]).toContain('maas-region in model prod:maas opens 9090/tcp, 10000/udp beyond the ports MAAS uses; Juju cannot close a port a unit opened')
    expect(notes[0]).toContain('sudo ufw allow 22 && sudo ufw allow 5240/tcp && sudo ufw allow 8000/tcp && sudo ufw default deny incoming && sudo ufw enable')
  })

  it('adds no note when the MAAS ports are all MAAS uses', () => {
    const m = model('maas', {type: 'iaas', apps: [app('maas-region', {exposed: false, units: [{name: 'maas-region/0', openPorts: ['5240/tcp']}]})]})
    expect(plan(inventory({models: [m]}), enforced())).toEqual({actions: [], notes: [], closes: new Map()})
  })
})

describe('planExposure agrees with JUJU-EXPOSED on a real machine-model status', () => {
  const MACHINE = join(REPO_ROOT, 'test/corpus/status/jhack__jhack__tests__utils__test_show_relation__mocks__machine__full_status_None.json')
  let dir: string
  let inv: Inventory

  beforeAll(async () => {
    // The corpus dump (model foo on controller lxdcloud) with kafka exposed on one endpoint and
    // zookeeper exposed the pre-2.9 way, as `juju expose` would leave them.
    const status = JSON.parse(await readFile(MACHINE, 'utf8')) as {applications: Record<string, Record<string, unknown>>}
    Object.assign(status.applications.kafka!, {exposed: true, 'exposed-endpoints': {'kafka-client': {'expose-to-cidrs': ['0.0.0.0/0', '::/0']}}})
    Object.assign(status.applications.zookeeper!, {exposed: true})
    dir = await mkdtemp(join(tmpdir(), 'hardenctl-exposure-'))
    await mkdir(join(dir, 'juju/lxdcloud/models/foo'), {recursive: true})
    await writeFile(join(dir, 'juju/lxdcloud/models/foo/status.json'), JSON.stringify(status))
    inv = (await loadInventory({from: [dir]})).inventory
  })
  afterAll(async () => {
    await rm(dir, {recursive: true, force: true})
  })

  const reportedApps = (pol: Policy) => findings(jujuExposed, inv, pol).map((f) => f.target.name).sort()
  const plannedApps = (pol: Policy) => [...new Set(plan(inv, pol).actions.map((a) => (a.params as {application: string}).application))].sort()

  it.each([
    ['nothing allowlisted', {}],
    ['kafka allowlisted to 10.0.0.0/8', {kafka: ['10.0.0.0/8']}],
    ['kafka allowed everywhere', {kafka: ['0.0.0.0/0', '::/0']}],
    ['both allowed by a glob', {'foo/*': ['0.0.0.0/0', '::/0']}],
  ])('%s: one action per reported application, and none other', (_, allow) => {
    const pol = enforced(allow)
    expect(plannedApps(pol)).toEqual(reportedApps(pol))
  })

  it('plans the exact calls for the dump', () => {
    const actions = plan(inv, enforced({kafka: ['10.0.0.0/8']})).actions
    expect(actions.map((a) => ({target: a.target, method: a.method, params: a.params}))).toEqual([
      {target: 'application kafka in model lxdcloud:foo', method: 'Expose', params: {application: 'kafka', 'exposed-endpoints': {'kafka-client': {'expose-to-cidrs': ['10.0.0.0/8']}}}},
      {target: 'application zookeeper in model lxdcloud:foo', method: 'Unexpose', params: {application: 'zookeeper', 'exposed-endpoints': []}},
    ])
    expect(actions[0]?.before).toBe('endpoint kafka-client to 0.0.0.0/0, ::/0')
  })
})
