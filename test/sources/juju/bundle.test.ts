// Bundle fields checked against juju/juju internal/charm/bundledata.go (BundleData,
// ApplicationSpec, OfferSpec, ExposedEndpointSpec; `bundle: kubernetes` for Kubernetes bundles,
// overlay-only `exposed-endpoints` and `offers`).
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {application, CORPUS, fixture, ofType, readFile, readText, relationPairs} from './helpers.js'

const landscape = join(CORPUS, 'bundles/landscape-charm__bundle-examples__bundle.yaml')
const livepatch = join(CORPUS, 'bundles/livepatch-k8s-operator__bundle__bundle.yaml')

describe('bundles: the corpus', () => {
  it('landscape: a machine bundle with an exposed haproxy and a local charm', () => {
    const {documents, contributions, parsed} = readFile(landscape)
    expect(documents.map((d) => d.kind)).toEqual(['juju bundle'])
    expect(ofType(contributions, 'input').map((c) => c.input)).toEqual(['juju-bundle'])
    expect(ofType(contributions, 'model').map((c) => c.facts)).toEqual([{type: 'iaas'}])

    const haproxy = application(contributions, 'haproxy')
    expect(haproxy).toMatchObject({charm: 'haproxy', charmOrigin: 'charmhub', channel: 'edge', scale: 1, exposed: true, trust: false})
    expect(haproxy.options).toMatchObject({ssl_cert: 'SELFSIGNED', global_default_bind_options: 'no-tlsv10'})
    expect(parsed.locator.locate(0, haproxy.optionRefs!.ssl_cert!.path)?.line).toBe(28)
    expect(parsed.locator.locate(0, haproxy.refs.expose!.path)?.line).toBe(24)

    expect(application(contributions, 'landscape-server')).toMatchObject({
      charm: '../landscape-server_ubuntu@22.04-amd64.charm',
      charmOrigin: 'local',
      exposed: false,
      options: {landscape_ppa: 'ppa:landscape/self-hosted-beta', min_install: true},
    })
    expect(application(contributions, 'postgresql')).toMatchObject({charm: 'postgresql', channel: '14/stable'})
    expect(relationPairs(contributions)).toEqual([
      'haproxy:? landscape-server:?',
      'landscape-server:db postgresql:db-admin',
      'landscape-server:inbound-amqp rabbitmq-server:?',
      'landscape-server:outbound-amqp rabbitmq-server:?',
    ])
    const relation = ofType(contributions, 'relation').find((c) => c.relation.endpoints[0]!.endpoint === 'db')!
    expect(parsed.locator.locate(0, relation.relation.ref!.path)?.line).toBe(40)
  })

  it('livepatch: a Kubernetes bundle, trust on postgresql and ingress only', () => {
    const {contributions} = readFile(livepatch)
    expect(ofType(contributions, 'model').map((c) => c.facts)).toEqual([{type: 'caas'}])
    expect(application(contributions, 'postgresql')).toMatchObject({charm: 'postgresql-k8s', channel: '14/candidate', series: 'jammy', trust: true})
    expect(application(contributions, 'ingress')).toMatchObject({charm: 'nginx-ingress-integrator', series: 'focal', trust: true})
    const livepatchApp = application(contributions, 'livepatch')
    expect(livepatchApp.trust).toBe(false)
    expect(livepatchApp.refs.trust).toBeUndefined()
    expect(livepatchApp.options).toMatchObject({'auth.basic.enabled': true, 'patch-cache.cache-ttl': '1h'})
    expect(relationPairs(contributions)).toEqual(['livepatch:database postgresql:database', 'ingress:nginx-route livepatch:nginx-route'].sort())
  })
})

describe('bundles: export-bundle with an overlay document', () => {
  const file = fixture('export-bundle.yaml')
  const {documents} = readFile(file)

  it('reads the bundle, then the overlay', () => {
    expect(documents.map((d) => d.kind)).toEqual(['juju bundle', 'juju bundle overlay'])
    const [bundle, overlay] = documents
    expect(application(bundle!.contributions, 'grafana')).toMatchObject({
      charm: 'grafana-k8s',
      revision: 117,
      base: {name: 'ubuntu', channel: '20.04'},
      trust: true,
      exposed: false,
      options: {web_external_url: 'https://grafana.example.com'},
    })
    expect(ofType(bundle!.contributions, 'consumed-offer').map((c) => c.consumed)).toEqual([
      {name: 'loki', url: 'prod:admin/logs.loki', endpoints: [], ref: {file, document: 0, path: ['saas', 'loki']}},
    ])

    const traefik = application(overlay!.contributions, 'traefik')
    expect(traefik).toEqual({
      name: 'traefik',
      exposed: true,
      exposedEndpoints: {'': {cidrs: ['0.0.0.0/0'], spaces: []}},
      refs: {
        'exposed-endpoints': {file, document: 1, path: ['applications', 'traefik', 'exposed-endpoints']},
        expose: {file, document: 1, path: ['applications', 'traefik', 'exposed-endpoints']},
      },
    })
    expect(application(overlay!.contributions, 'grafana').trust).toBeUndefined()
    expect(ofType(overlay!.contributions, 'offer').map((c) => c.offer)).toEqual([
      {
        name: 'grafana-dashboards',
        application: 'grafana',
        endpoints: [{name: 'grafana-dashboard'}],
        users: [
          {name: 'admin', access: 'admin'},
          {name: 'everyone@external', access: 'read'},
        ],
        ref: {file, document: 1, path: ['applications', 'grafana', 'offers', 'grafana-dashboards']},
      },
    ])
    expect(ofType(overlay!.contributions, 'input')).toEqual([])
    expect(ofType(overlay!.contributions, 'model')).toEqual([])
  })

  it('a stand-alone overlay file is an overlay', () => {
    const {documents} = readFile(fixture('overlay.yaml'))
    expect(documents.map((d) => d.kind)).toEqual(['juju bundle overlay'])
    expect(application(documents[0]!.contributions, 'haproxy')).toMatchObject({
      options: {ssl_cert: ''},
      exposed: true,
      exposedEndpoints: {admin: {cidrs: [], spaces: ['mgmt']}},
    })
  })

  it('reads legacy `services` bundles', () => {
    const {contributions} = readText('bundle.yaml', 'series: xenial\nservices:\n  mysql:\n    charm: cs:xenial/mysql-58\n    num_units: 2\n')
    expect(application(contributions, 'mysql')).toMatchObject({charm: 'mysql', charmOrigin: 'charmstore', revision: 58, scale: 2, series: 'xenial'})
    expect(application(contributions, 'mysql').refs.definition!.path).toEqual(['services', 'mysql'])
  })
})
