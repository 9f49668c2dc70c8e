// `juju status` shapes checked against juju/juju cmd/juju/status/formatted.go (formattedStatus,
// applicationStatus, unitStatus, machineStatus, remoteApplicationStatus, offerStatus, errorStatus).
import {readdirSync, readFileSync} from 'node:fs'
import {basename, join} from 'node:path'

import {describe, expect, it} from 'vitest'
import {stringify} from 'yaml'

import {statusReader} from '../../../src/sources/juju/status.js'
import {application, CORPUS, fixture, ofType, readFile, readText, recognisers, relationPairs} from './helpers.js'

const STATUS_DIR = join(CORPUS, 'status')
const corpusFile = (suffix: string): string => join(STATUS_DIR, readdirSync(STATUS_DIR).find((name) => name.endsWith(suffix))!)

describe('juju status: the corpus', () => {
  it.each(readdirSync(STATUS_DIR))('%s reads as a status', (name) => {
    const {documents, contributions} = readFile(join(STATUS_DIR, name))
    expect(documents.map((document) => document.kind)).toEqual(['juju status'])
    expect(ofType(contributions, 'input')).toEqual([{type: 'input', scope: expect.anything(), input: 'juju-status'}])
    expect(ofType(contributions, 'gap')).toEqual([])
  })

  it('fills model and controller from the model section and reads the k8s apps', () => {
    const {contributions} = readFile(corpusFile('k8s__full_status_None.json'))
    const [model] = ofType(contributions, 'model')
    expect(model!.scope).toMatchObject({model: 'clite', controller: 'mk8scloud'})
    expect(model!.facts).toEqual({type: 'caas', cloud: 'microk8s', region: 'localhost', version: '3.1.2'})
    expect(contributions.every((c) => !('scope' in c) || (c.scope.model === 'clite' && c.scope.controller === 'mk8scloud'))).toBe(true)

    const prometheus = application(contributions, 'prometheus')
    expect(prometheus).toMatchObject({
      charm: 'prometheus-k8s',
      charmOrigin: 'charmhub',
      channel: 'edge',
      revision: 123,
      scale: 2,
      exposed: false,
      base: {name: 'ubuntu', channel: '20.04'},
    })
    expect(prometheus.units).toEqual([
      {name: 'prometheus/0', openPorts: [], address: '10.1.232.181', providerId: 'prometheus-0'},
      {name: 'prometheus/1', openPorts: [], address: '10.1.232.184', providerId: 'prometheus-1'},
    ])
    expect(prometheus.trust).toBeUndefined()
    expect(prometheus.options).toBeUndefined()
  })

  it('context scope wins over the data', () => {
    const {contributions} = readFile(corpusFile('k8s__full_status_None.json'), {controller: 'from-layout'})
    expect(ofType(contributions, 'model')[0]!.scope).toMatchObject({controller: 'from-layout', model: 'clite'})
  })

  it('reads the machine model: machines, can-upgrade-to, 3.4-style relations and peers', () => {
    const {contributions} = readFile(corpusFile('machine__full_status_None.json'))
    expect(ofType(contributions, 'model')[0]!.facts.type).toBe('iaas')
    expect(ofType(contributions, 'machine').map((c) => c.machine)).toEqual([
      {id: '0', base: {name: 'ubuntu', channel: '22.04'}, ref: expect.objectContaining({path: ['machines', '0']})},
      {id: '1', base: {name: 'ubuntu', channel: '22.04'}, ref: expect.objectContaining({path: ['machines', '1']})},
    ])
    const kafka = application(contributions, 'kafka')
    expect(kafka).toMatchObject({charm: 'kafka', channel: '3/edge', revision: 116, canUpgradeTo: 'ch:amd64/jammy/kafka-127'})
    expect(kafka.units).toEqual([{name: 'kafka/0', machine: '0', openPorts: [], publicAddress: '10.202.33.94'}])
    expect(kafka.refs['can-upgrade-to']?.path).toEqual(['applications', 'kafka', 'can-upgrade-to'])

    const relations = ofType(contributions, 'relation').map((c) => c.relation)
    expect(relations.map((r) => ({endpoints: r.endpoints, interface: r.interface, scope: r.scope}))).toEqual([
      {endpoints: [{application: 'kafka', endpoint: 'cluster', role: 'peer'}], interface: 'cluster', scope: 'global'},
      {endpoints: [{application: 'kafka', endpoint: 'restart', role: 'peer'}], interface: 'rolling_op', scope: 'global'},
      {
        endpoints: [
          {application: 'kafka', endpoint: 'zookeeper'},
          {application: 'zookeeper', endpoint: 'zookeeper'},
        ],
        interface: 'zookeeper',
        scope: 'global',
      },
      {endpoints: [{application: 'zookeeper', endpoint: 'cluster', role: 'peer'}], interface: 'cluster', scope: 'global'},
      {endpoints: [{application: 'zookeeper', endpoint: 'restart', role: 'peer'}], interface: 'rolling_op', scope: 'global'},
    ])
  })

  it('cmrs: the consumed offer and the cross-model relation', () => {
    const {contributions} = readFile(corpusFile('cmrs__full_status_None.json'))
    expect(ofType(contributions, 'consumed-offer').map((c) => c.consumed)).toEqual([
      {
        name: 'alertmanager',
        url: 'mk8scloud:admin/clite.alertmanager',
        endpoints: [{name: 'ingress', interface: 'ingress', role: 'requirer'}],
        ref: expect.objectContaining({path: ['application-endpoints', 'alertmanager']}),
      },
    ])
    expect(ofType(contributions, 'relation').map((c) => c.relation)).toEqual([
      {
        endpoints: [
          {application: 'alertmanager', endpoint: 'ingress', remote: true, role: 'requirer'},
          {application: 'trfk', endpoint: 'ingress', role: 'provider'},
        ],
        interface: 'ingress',
        scope: undefined,
        ref: expect.objectContaining({path: ['application-endpoints', 'alertmanager', 'relations', 'ingress']}),
      },
    ])
  })

  it('clite: the offer of alertmanager', () => {
    const {contributions} = readFile(corpusFile('cmrs__full_status_clite.json'))
    expect(ofType(contributions, 'offer').map((c) => c.offer)).toEqual([
      {
        name: 'alertmanager',
        application: 'alertmanager',
        endpoints: [{name: 'ingress', interface: 'ingress', role: 'requirer'}],
        ref: expect.objectContaining({path: ['offers', 'alertmanager']}),
      },
    ])
  })
})

/** The real pairing of the COS-lite relations (endpoint names from the charms' metadata). */
const COS_LITE_RELATIONS = [
  'alertmanager:alerting loki:alertmanager',
  'alertmanager:alerting prometheus:alertmanager',
  'alertmanager:catalogue catalogue:catalogue',
  'alertmanager:grafana-dashboard grafana:grafana-dashboard',
  'alertmanager:grafana-source grafana:grafana-source',
  'alertmanager:ingress traefik:ingress',
  'alertmanager:replicas',
  'alertmanager:self-metrics-endpoint prometheus:metrics-endpoint',
  'catalogue:catalogue grafana:catalogue',
  'catalogue:catalogue prometheus:catalogue',
  'catalogue:ingress traefik:ingress',
  'grafana:grafana',
  'grafana:grafana-dashboard loki:grafana-dashboard',
  'grafana:grafana-dashboard prometheus:grafana-dashboard',
  'grafana:grafana-source loki:grafana-source',
  'grafana:grafana-source prometheus:grafana-source',
  'grafana:ingress traefik:traefik-route',
  'grafana:metrics-endpoint prometheus:metrics-endpoint',
  'loki:ingress traefik:ingress-per-unit',
  'loki:metrics-endpoint prometheus:metrics-endpoint',
  'prometheus:ingress traefik:ingress-per-unit',
  'prometheus:metrics-endpoint traefik:metrics-endpoint',
  'prometheus:prometheus-peers',
]

describe('juju status: the two relation shapes', () => {
  // test/fixtures/juju/status-k8s-3.4.json is the k8s corpus status with every relation list
  // rewritten into the 3.4+ form ({related-application, interface, scope}), interfaces taken
  // from the COS-lite charms' metadata; nothing else changed but model.version.
  const old = readFile(corpusFile('k8s__full_status_None.json')).contributions
  const current = readFile(fixture('status-k8s-3.4.json')).contributions

  it('give the same graph, one relation per relation', () => {
    expect(relationPairs(old)).toEqual(COS_LITE_RELATIONS)
    expect(relationPairs(current)).toEqual(COS_LITE_RELATIONS)
  })

  it('mark peers and carry the interface only where status says it', () => {
    const peer = ofType(current, 'relation').find((c) => c.relation.endpoints[0]!.endpoint === 'replicas')!.relation
    expect(peer).toMatchObject({endpoints: [{application: 'alertmanager', endpoint: 'replicas', role: 'peer'}], interface: 'alertmanager_replica'})
    expect(ofType(old, 'relation').every((c) => c.relation.interface === undefined)).toBe(true)
  })

  it('do not depend on the order of keys', () => {
    const data = JSON.parse(readFileSync(corpusFile('k8s__full_status_None.json'), 'utf8')) as {applications: Record<string, {relations: Record<string, string[]>}>}
    const reversed = Object.fromEntries(
      Object.entries(data.applications)
        .reverse()
        .map(([name, app]) => [name, {...app, relations: Object.fromEntries(Object.entries(app.relations).reverse().map(([e, l]) => [e, [...l].reverse()]))}]),
    )
    const {contributions} = readText('status.json', JSON.stringify({...data, applications: reversed}))
    expect(relationPairs(contributions)).toEqual(COS_LITE_RELATIONS)
  })
})

describe('juju status: YAML and JSON', () => {
  it.each(readdirSync(STATUS_DIR))('%s gives the same contributions as YAML', (name) => {
    const jsonFile = join(STATUS_DIR, name)
    const yamlFile = join(STATUS_DIR, basename(name, '.json') + '.yaml')
    const json = readFile(jsonFile).contributions
    const yaml = readText(yamlFile, stringify(JSON.parse(readFileSync(jsonFile, 'utf8')))).contributions
    const withoutFile = (value: unknown): unknown => JSON.parse(JSON.stringify(value, (key, v: unknown) => (key === 'file' ? undefined : v)))
    expect(withoutFile(yaml)).toEqual(withoutFile(json))
  })
})

describe('juju status: status-error, subordinates, containers', () => {
  const file = fixture('status-machines-3.6.yaml')
  const {contributions, parsed} = readFile(file)

  it('turns status-error entries into gaps and goes on', () => {
    expect(ofType(contributions, 'gap').map((c) => c.gap)).toEqual([
      {
        target: {kind: 'machine', controller: 'prod', model: 'web', name: '2'},
        message: "status-error: machine 2: cannot get instance status",
        ref: {file, document: 0, path: ['machines', '2']},
      },
      {
        target: {kind: 'unit', controller: 'prod', model: 'web', name: 'haproxy/1'},
        message: 'status-error: unit haproxy/1: agent lost',
        ref: {file, document: 0, path: ['applications', 'haproxy', 'units', 'haproxy/1']},
      },
      {
        target: {kind: 'application', controller: 'prod', model: 'web', name: 'broken'},
        message: 'status-error: application "broken": cannot read charm',
        ref: {file, document: 0, path: ['applications', 'broken']},
      },
    ])
    expect(ofType(contributions, 'application').map((c) => c.facts.name)).toEqual(['haproxy', 'web', 'ntp'])
  })

  it('reads machines with containers, units with ports, subordinate units under their application', () => {
    expect(ofType(contributions, 'machine').map((c) => [c.machine.id, c.machine.base ?? c.machine.series])).toEqual([
      ['0', {name: 'ubuntu', channel: '22.04'}],
      ['0/lxd/0', {name: 'ubuntu', channel: '22.04'}],
      ['1', 'focal'],
    ])
    const haproxy = application(contributions, 'haproxy')
    expect(haproxy).toMatchObject({
      exposed: true,
      exposedEndpoints: {'': {cidrs: ['0.0.0.0/0', '::/0'], spaces: []}},
      units: [{name: 'haproxy/0', machine: '0', openPorts: ['80/tcp', '443/tcp'], publicAddress: '203.0.113.7'}],
    })
    expect(application(contributions, 'ntp')).toMatchObject({
      subordinateTo: ['haproxy', 'web'],
      units: [{name: 'ntp/0', machine: '0', openPorts: ['123/udp'], publicAddress: '203.0.113.7'}],
    })
    expect(application(contributions, 'web')).toMatchObject({charm: 'web', charmOrigin: 'local', revision: 3})
  })

  it('pairs relations with remote applications and container scope', () => {
    expect(ofType(contributions, 'relation').map((c) => c.relation)).toEqual([
      expect.objectContaining({endpoints: [{application: 'haproxy', endpoint: 'reverseproxy'}, {application: 'web', endpoint: 'website'}], interface: 'http'}),
      expect.objectContaining({endpoints: [{application: 'ntp', endpoint: 'juju-info'}, {application: 'web', endpoint: 'juju-info'}], scope: 'container'}),
      expect.objectContaining({endpoints: [{application: 'ntp', endpoint: 'ntp-peers', role: 'peer'}]}),
      expect.objectContaining({
        endpoints: [
          {application: 'pg', endpoint: 'db', remote: true, role: 'provider'},
          {application: 'web', endpoint: 'db', role: 'requirer'},
        ],
        interface: 'pgsql',
      }),
    ])
  })

  it('points SourceRefs at the right lines', () => {
    const line = (path: (string | number)[]): number | undefined => parsed.locator.locate(0, path)?.line
    const haproxy = application(contributions, 'haproxy')
    expect(line(haproxy.refs.expose!.path as string[])).toBe(51)
    expect(line(haproxy.refs.definition!.path as string[])).toBe(41)
    const gap = ofType(contributions, 'gap').find((c) => c.gap.target.name === 'haproxy/1')!
    expect(line(gap.gap.ref!.path as string[])).toBe(85)
    const offer = ofType(contributions, 'offer')[0]!
    expect(line(offer.offer.ref!.path as string[])).toBe(147)
  })

  it('points SourceRefs at the right lines in JSON too', () => {
    const {contributions: json, parsed: jsonParsed} = readFile(fixture('status-k8s-3.4.json'))
    const text = readFileSync(fixture('status-k8s-3.4.json'), 'utf8').split('\n')
    const traefik = application(json, 'traefik')
    const at = jsonParsed.locator.locate(0, traefik.refs.expose!.path)!
    expect(text[at.line - 1]).toContain('"exposed": false')
    const relation = ofType(json, 'relation').find((c) => c.relation.endpoints[0]!.endpoint === 'prometheus-peers')!
    expect(text[jsonParsed.locator.locate(0, relation.relation.ref!.path)!.line - 1]).toContain('"prometheus-peers": [')
  })
})

describe('juju status: the model itself may be a status-error, or the status empty', () => {
  it('gives a model gap and still reads the applications', () => {
    const {contributions} = readFile(fixture('status-model-error.json'), {controller: 'prod', model: 'web'})
    expect(ofType(contributions, 'gap')).toEqual([
      expect.objectContaining({
        scope: expect.objectContaining({controller: 'prod', model: 'web'}),
        gap: expect.objectContaining({target: {kind: 'model', controller: 'prod', model: 'web', name: 'web'}, message: 'status-error: cannot get model status: permission denied'}),
      }),
    ])
    expect(ofType(contributions, 'model')).toEqual([])
    expect(application(contributions, 'web')).toMatchObject({charm: 'web', exposed: false})
  })

  it('{} is a status only in a file named like one, and says only that status was read', () => {
    const file = fixture('status-empty.json')
    const {contributions} = readFile(file)
    expect(contributions).toEqual([{type: 'input', scope: {file}, input: 'juju-status'}])
    expect(statusReader.recognises({}, {file: '/x/status-prod.yaml', document: 0})).toBe(true)
    expect(recognisers({}, '/x/empty.json')).toEqual([])
    expect(recognisers({}, '/x/mystatus.json')).toEqual([])
  })
})
