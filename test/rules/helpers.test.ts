import {describe, expect, it} from 'vitest'

import {isCredentialOption, isTlsMaterialOption, holdsMaterial} from '../../src/inventory/charm-options.js'
import {kubeScope} from '../../src/inventory/kube-scope.js'
import {cidrWithin, isWorldCidr, parseCidr} from '../../src/policy/cidr.js'
import {jujuExposure} from '../../src/policy/exposure.js'
import {normalizeCharmName} from '../../src/rules/helpers/charms.js'
import {globMatches, matchingKeys} from '../../src/rules/helpers/glob.js'
import {selectorMatches} from '../../src/netpol/selector.js'
import {podSubjects} from '../../src/rules/helpers/pod-specs.js'
import {parsePort, rangeCovered} from '../../src/rules/helpers/ports.js'
import {isTlsRelation, relationsOf} from '../../src/rules/helpers/relations.js'
import {app, inventory, model, namespace, pod, policy, relation, workload} from './factories.js'

describe('cidr', () => {
  it('parses IPv4 and IPv6 and tests containment', () => {
    expect(parseCidr('10.0.0.0/8')).toMatchObject({family: 4, prefix: 8})
    expect(parseCidr('fd00::/8')).toMatchObject({family: 6, prefix: 8})
    expect(parseCidr('300.1.1.1/8')).toBeUndefined()
    expect(cidrWithin('10.1.2.0/24', '10.0.0.0/8')).toBe(true)
    expect(cidrWithin('10.0.0.0/8', '10.1.0.0/16')).toBe(false)
    expect(cidrWithin('192.168.1.1', '192.168.0.0/16')).toBe(true)
    expect(cidrWithin('fd00:1::/32', 'fd00::/8')).toBe(true)
    expect(cidrWithin('10.0.0.0/8', '::/0')).toBe(false)
    expect(isWorldCidr('0.0.0.0/0')).toBe(true)
    expect(isWorldCidr('::/0')).toBe(true)
    expect(isWorldCidr('10.0.0.0/8')).toBe(false)
  })
})

describe('glob', () => {
  it('matches shell globs and ranks specific keys first', () => {
    expect(globMatches('prod-*', 'prod-db')).toBe(true)
    expect(globMatches('*/haproxy', 'lma/haproxy')).toBe(true)
    expect(globMatches('a.b', 'axb')).toBe(false)
    expect(matchingKeys({'*': 1, 'web/*': 2, x: 3}, ['web/app'])).toEqual(['web/*', '*'])
  })
})

describe('charm names', () => {
  it('normalises bundle spellings', () => {
    expect(normalizeCharmName('ch:postgresql')).toBe('postgresql')
    expect(normalizeCharmName('cs:~landscape/landscape-server-12')).toBe('landscape-server')
    expect(normalizeCharmName('../landscape-server_ubuntu@22.04-amd64.charm')).toBe('landscape-server')
    expect(normalizeCharmName('local:./charms/web')).toBe('web')
    expect(normalizeCharmName('postgresql-k8s')).toBe('postgresql-k8s')
  })
})

describe('exposure', () => {
  it('reads Juju exposure semantics', () => {
    expect(jujuExposure(app('a'))).toBeUndefined()
    expect(jujuExposure(app('a', {exposed: false}))).toEqual([])
    expect(jujuExposure(app('a', {exposed: true}))?.[0]).toMatchObject({world: true, implicitWorld: true})
    expect(jujuExposure(app('a', {exposed: true, exposedEndpoints: {db: {cidrs: [], spaces: ['internal']}}}))?.[0]).toMatchObject({world: false, spaces: ['internal']})
    expect(jujuExposure(app('a', {exposedEndpoints: {'': {cidrs: [], spaces: []}}}))?.[0]).toMatchObject({world: true})
  })
})

describe('option names', () => {
  it('tells credentials from TLS material from harmless options', () => {
    expect(isCredentialOption('admin-password')).toBe(true)
    expect(isCredentialOption('api_token')).toBe(true)
    expect(isCredentialOption('secret-key')).toBe(true)
    expect(isCredentialOption('key-size')).toBe(false)
    expect(isCredentialOption('keystone-url')).toBe(false)
    expect(isCredentialOption('instance_password_encryption')).toBe(false)
    expect(isCredentialOption('token-ttl')).toBe(false)
    expect(isCredentialOption('ssl_key')).toBe(false)
    expect(isTlsMaterialOption('ssl_key')).toBe(true)
    expect(isTlsMaterialOption('ssl_cert_content')).toBe(true)
    expect(isTlsMaterialOption('tls-ca')).toBe(true)
    expect(isTlsMaterialOption('tls_enabled')).toBe(false)
    expect(holdsMaterial('SELFSIGNED')).toBe(false)
    expect(holdsMaterial('secret:abc')).toBe(false)
    expect(holdsMaterial('LS0t')).toBe(true)
  })
})

describe('ports', () => {
  it('parses open ports and checks ranges', () => {
    expect(parsePort('5241-5247/udp')).toMatchObject({from: 5241, to: 5247, protocol: 'udp'})
    expect(parsePort('icmp')).toBeUndefined()
    expect(rangeCovered({from: 5241, to: 5247}, [{from: 5240, to: 5248}])).toBe(true)
    expect(rangeCovered({from: 5249, to: 5250}, [{from: 5240, to: 5248}, {from: 5250, to: 5270}])).toBe(false)
  })
})

describe('label selectors', () => {
  it('implements matchLabels and matchExpressions', () => {
    const labels = {app: 'web', tier: 'front'}
    expect(selectorMatches({}, labels)).toBe(true)
    expect(selectorMatches({matchLabels: {app: 'web'}}, labels)).toBe(true)
    expect(selectorMatches({matchExpressions: [{key: 'tier', operator: 'NotIn', values: ['back']}]}, labels)).toBe(true)
    expect(selectorMatches({matchExpressions: [{key: 'zone', operator: 'Exists'}]}, labels)).toBe(false)
    expect(selectorMatches({matchExpressions: [{key: 'zone', operator: 'DoesNotExist'}]}, labels)).toBe(true)
  })
})

describe('kube scope', () => {
  it('scopes Juju model, controller and policy namespaces only', () => {
    const inv = inventory({
      models: [model('cos', {type: 'caas'})],
      inputs: ['k8s-namespaces'],
      kube: {namespaces: [namespace('web', {'model.juju.is/name': 'web'}), namespace('controller-prod'), namespace('kube-system'), namespace('infra'), namespace('other')]},
    })
    const scope = kubeScope(inv, policy({kubernetes: {namespaces: ['infra']}}))
    expect(scope.namespaces).toEqual(['controller-prod', 'cos', 'infra', 'web'])
    expect(scope.role('controller-prod')).toBe('controller')
    expect(scope.modelOf('cos')?.name).toBe('cos')
  })

  it('places a model by uuid label first, and never guesses between two models of one name', () => {
    const prodCos = model('cos', {type: 'caas', uuid: 'uuid-prod-cos'})
    const stagingCos = model('cos', {type: 'caas', controller: 'staging', uuid: 'uuid-staging-cos'})
    const web = model('web', {type: 'caas'})
    const webOnMachines = model('web', {type: 'iaas', controller: 'staging'})
    const inv = inventory({
      models: [prodCos, stagingCos, web, webOnMachines],
      inputs: ['k8s-namespaces'],
      kube: {
        namespaces: [
          // Labelled with the name both controllers use, and the uuid of staging's.
          namespace('cos-staging', {'model.juju.is/name': 'cos', 'model.juju.is/id': 'uuid-staging-cos'}),
          // Labelled with the name alone: prod's cos is the only one left unplaced.
          namespace('cos', {'model.juju.is/name': 'cos'}),
          // An iaas model of the same name runs no pods: the caas one is the only candidate.
          namespace('web', {'model.juju.is/name': 'web'}),
        ],
      },
    })
    const scope = kubeScope(inv, policy())
    expect(scope.modelOf('cos-staging')).toBe(stagingCos)
    expect(scope.modelOf('cos')).toBe(prodCos)
    expect(scope.modelOf('web')).toBe(web)

    // Without uuids, two models named cos could each be the one in `cos`: neither is placed there,
    // though the namespace is still judged as a Juju model's.
    const ambiguous = inventory({
      models: [model('cos', {type: 'caas'}), model('cos', {type: 'caas', controller: 'staging'})],
      inputs: ['k8s-namespaces'],
      kube: {namespaces: [namespace('cos', {'model.juju.is/name': 'cos'})]},
    })
    const ambiguousScope = kubeScope(ambiguous, policy())
    expect(ambiguousScope.modelOf('cos')).toBeUndefined()
    expect(ambiguousScope.role('cos')).toBe('model')
  })
})

describe('pod subjects', () => {
  it('folds pods into their workload, through ReplicaSets', () => {
    const inv = inventory({
      models: [model('web', {type: 'caas', namespace: 'web', apps: [app('web')]})],
      kube: {
        workloads: [workload('Deployment', 'web', 'api'), workload('StatefulSet', 'web', 'web')],
        pods: [
          pod('web', 'api-7d9f8c6b5-abcde', {owner: {kind: 'ReplicaSet', name: 'api-7d9f8c6b5'}}),
          pod('web', 'web-0', {labels: {'app.kubernetes.io/name': 'web'}, owner: {kind: 'StatefulSet', name: 'web'}}),
          pod('web', 'loose'),
        ],
      },
    })
    const subjects = podSubjects(inv, kubeScope(inv, policy()))
    expect(subjects.map((s) => [s.key, s.pods, s.app?.name])).toEqual([
      ['web/Deployment/api', ['api-7d9f8c6b5-abcde'], undefined],
      ['web/StatefulSet/web', ['web-0'], 'web'],
      ['web/Pod/loose', ['loose'], undefined],
    ])
  })

  it('folds the pods of a CronJob\'s Jobs (which are not listed) into the CronJob', () => {
    const cron = {...workload('Deployment', 'ops', 'backup'), apiVersion: 'batch/v1', kind: 'CronJob'}
    const inv = inventory({
      kube: {workloads: [cron], pods: [pod('ops', 'backup-29400120-x7k2p', {owner: {kind: 'Job', name: 'backup-29400120'}})]},
    })
    const subjects = podSubjects(inv, kubeScope(inv, policy({kubernetes: {namespaces: ['ops']}})))
    expect(subjects.map((s) => [s.key, s.pods])).toEqual([['ops/CronJob/backup', ['backup-29400120-x7k2p']]])
  })
})

describe('relations', () => {
  it('recognises TLS relations by interface, endpoint or certificate authority', () => {
    const m = model('m', {
      apps: [app('web'), app('ca', {charm: 'self-signed-certificates'}), app('db', {charm: 'postgresql'})],
      relations: [relation('web:certificates', 'ca:certificates'), relation('web:db', 'db:database', 'postgresql_client'), relation('db', 'ca')],
    })
    const web = m.applications.get('web')!
    const db = m.applications.get('db')!
    expect(relationsOf(m, web).map((v) => isTlsRelation(web, v))).toEqual([true, false])
    expect(relationsOf(m, db).map((v) => isTlsRelation(db, v))).toEqual([false, true])
  })
})
