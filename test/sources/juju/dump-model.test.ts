// `juju dump-model` fields checked against juju/description: model.go (version, type, owner,
// config.name/uuid, cloud, cloud-region, cloud-credential, blocks, users), application.go
// (charm-url, cs-channel, exposed, exposed-endpoints, settings, application-config,
// password-hash, offers, opened-port-ranges, charm-origin, charm-metadata, charm-configs),
// charmmetadata.go (relations with role/interface/scope, containers with uid/gid, run-as),
// relation.go and endpoint.go (application-name, name, role, interface, scope), and
// state/block.go (block types destroy-model, remove-object, all-changes).
import {readFileSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import {application, fixture, ofType, readFile, relationPairs} from './helpers.js'

const K8S = fixture('dump-model-k8s.yaml')
const MACHINES = fixture('dump-model-machines.yaml')

/** Values in the fixtures that must never leave the reader: hashes, credential attributes, relation data, secrets, macaroons. */
const SECRETS = [
  'k8sAppPasswordHashNeverPrinted',
  'unitPasswordHashNeverPrinted',
  'anotherUnitHashNeverPrinted',
  'eyJhbGciOiJSUzI1NiIsImtpZCI6ImNyZWRlbnRpYWwtbmV2ZXItcHJpbnRlZCJ9',
  'relation-data-never-printed',
  'macaroon-never-printed',
  'c2VjcmV0LWNvbnRlbnQtbmV2ZXItcHJpbnRlZA==',
  'Il/M2+WlhkUA5zASHj+QvE66',
  'bynwWY8+0lUvTpNwjeKI0JUl',
  'machinePasswordHashNeverPrinted',
  'BEGIN RSA PRIVATE KEY',
]

describe('juju dump-model: a Kubernetes model', () => {
  const {documents, contributions, parsed} = readFile(K8S)

  it('is recognised as juju dump-model, not as a bundle or overlay', () => {
    expect(documents.map((d) => d.kind)).toEqual(['juju dump-model'])
  })

  it('names the model from config.name and reads its type, cloud, owner and credential name', () => {
    const [model] = ofType(contributions, 'model')
    expect(model!.scope.model).toBe('cos')
    expect(model!.facts).toEqual({
      uuid: '6d1b0c3e-2f4a-4b5c-8d6e-7f8091a2b3c4',
      type: 'caas',
      cloud: 'microk8s',
      version: '3.6.1',
      owner: 'admin',
      credential: {name: 'microk8s', owner: 'admin', cloud: 'microk8s'},
    })
    expect(ofType(contributions, 'input').map((c) => c.input).sort()).toEqual(
      ['charm-metadata', 'charm-metadata', 'charm-metadata', 'juju-bundle', 'juju-config', 'juju-disabled-commands', 'juju-offers', 'juju-show-model'].sort(),
    )
  })

  it('reads trust from application-config, options from settings, and the charm origin', () => {
    const postgresql = application(contributions, 'postgresql')
    expect(postgresql).toMatchObject({
      charm: 'postgresql-k8s',
      charmOrigin: 'charmhub',
      channel: '14/stable',
      revision: 281,
      base: {name: 'ubuntu', channel: '22.04'},
      trust: true,
      exposed: false,
      scale: 1,
      options: {profile: 'production'},
      units: [{name: 'postgresql/0', openPorts: []}],
    })
    expect(parsed.locator.locate(0, postgresql.refs.trust!.path)?.line).toBe(4)
    expect(application(contributions, 'grafana')).toMatchObject({trust: false, channel: 'latest/edge', options: {admin_password: 'grafana-admin-password-never-printed'}})
    // No application-config at all: Juju's default.
    expect(application(contributions, 'traefik').trust).toBe(false)
  })

  it('reads exposure, its endpoints, and the ports each unit opened', () => {
    const traefik = application(contributions, 'traefik')
    expect(traefik).toMatchObject({exposed: true, exposedEndpoints: {'': {cidrs: ['0.0.0.0/0'], spaces: []}}, units: [{name: 'traefik/0', openPorts: ['80/tcp', '443/tcp']}]})
    expect(parsed.locator.locate(0, traefik.refs.expose!.path)?.line).toBe(150)
  })

  it('reads relations with their roles, peers included', () => {
    expect(relationPairs(contributions)).toEqual(['grafana:ingress traefik:ingress', 'postgresql:restart'])
    const ingress = ofType(contributions, 'relation').find((c) => c.relation.endpoints.length === 2)!
    expect(ingress.relation).toMatchObject({
      endpoints: [
        {application: 'grafana', endpoint: 'ingress', role: 'requirer'},
        {application: 'traefik', endpoint: 'ingress', role: 'provider'},
      ],
      interface: 'ingress',
      scope: 'global',
    })
  })

  it('reads the embedded charm metadata so charm rules can judge it', () => {
    const charms = new Map(ofType(contributions, 'charm').map((c) => [c.charm.name, c.charm]))
    expect([...charms.keys()].sort()).toEqual(['grafana-k8s', 'postgresql-k8s', 'traefik-k8s'])
    const postgresql = charms.get('postgresql-k8s')!
    expect(postgresql.containers.map(({name, uid, gid}) => ({name, uid, gid}))).toEqual([{name: 'postgresql', uid: undefined, gid: undefined}])
    expect(postgresql.charmUser).toBeUndefined()
    expect(postgresql.assumes).toEqual(['k8s-api'])
    expect(postgresql.endpoints.map((e) => `${e.role}:${e.name}:${e.interface}`)).toEqual(['requires:certificates:tls-certificates', 'provides:database:postgresql_client', 'peers:restart:rolling_op'])
    expect(postgresql.options?.profile).toMatchObject({type: 'string', default: 'production'})
    expect(parsed.locator.locate(0, postgresql.containers[0]!.ref.path)?.line).toBe(18)
    expect(charms.get('grafana-k8s')).toMatchObject({charmUser: 'non-root', containers: [{name: 'grafana', uid: 472, gid: 472}]})
  })

  it('reads offers with their ACL, users, blocks and consumed offers (not consumer proxies)', () => {
    expect(ofType(contributions, 'offer').map((c) => c.offer)).toMatchObject([
      {name: 'dashboards', application: 'grafana', endpoints: [{name: 'grafana-dashboard'}], users: [{name: 'admin', access: 'admin'}, {name: 'everyone@external', access: 'consume'}]},
    ])
    expect(ofType(contributions, 'model-users')[0]!.users.map(({name, access, lastConnection}) => ({name, access, lastConnection}))).toEqual([
      {name: 'admin', access: 'admin', lastConnection: '2025-06-01T09:30:00Z'},
      {name: 'alice', access: 'write', lastConnection: undefined},
    ])
    expect(ofType(contributions, 'disabled-commands')[0]!.commands).toEqual([{commandSet: 'remove-object', message: 'production model'}])
    expect(ofType(contributions, 'consumed-offer').map((c) => c.consumed.url)).toEqual(['prod:admin/logs.loki'])
  })

  it('keeps password hashes, credential attributes, relation data, secrets and macaroons out of what it yields', () => {
    const yielded = JSON.stringify(contributions)
    for (const secret of SECRETS) expect(yielded).not.toContain(secret)
    // They are in the file, so the test means something.
    const text = readFileSync(K8S, 'utf8')
    expect(SECRETS.filter((secret) => text.includes(secret)).length).toBeGreaterThanOrEqual(7)
  })
})

describe('juju dump-model: a machine model (description v1, Juju 2.x)', () => {
  const {documents, contributions} = readFile(MACHINES)

  it('reads machines and their containers, units with the ports their machine opened, and blocks as none', () => {
    expect(documents.map((d) => d.kind)).toEqual(['juju dump-model'])
    // Description v1 has no model type, and its provider type (lxd) does not say.
    expect(ofType(contributions, 'model')[0]!.facts).toEqual({uuid: 'bd3fae18-5ea1-4bc5-8837-45400cf1f8f6', cloud: 'dev', owner: 'admin', version: '2.1-rc1.1', credential: {name: 'default', owner: 'admin', cloud: 'dev'}})
    expect(ofType(contributions, 'machine').map((c) => `${c.machine.id} ${c.machine.series}`)).toEqual(['0 bionic', '1 xenial', '1/lxd/0 xenial'])
    expect(application(contributions, 'haproxy')).toMatchObject({
      charm: 'haproxy',
      charmOrigin: 'charmstore',
      revision: 66,
      channel: 'stable',
      series: 'bionic',
      exposed: true,
      options: {ssl_cert: 'SELFSIGNED'},
      units: [{name: 'haproxy/0', machine: '0', openPorts: ['80/tcp']}],
    })
    expect(ofType(contributions, 'disabled-commands')[0]!.commands).toEqual([])
    expect(ofType(contributions, 'charm')).toEqual([])
  })

  it('never yields the machines\' and units\' password hashes or the credential key', () => {
    const yielded = JSON.stringify(contributions)
    for (const secret of SECRETS) expect(yielded).not.toContain(secret)
  })
})
