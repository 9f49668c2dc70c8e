import {describe, expect, it} from 'vitest'

import {estateGraphs} from '../../src/report/html/estate-graph.js'
import {app, gateway, httpRoute, inventory, model, namespace, service as serviceOf} from '../rules/factories.js'

const marksOf = (type: 'iaas' | 'caas', options: Parameters<typeof app>[1]) =>
  estateGraphs(inventory({models: [model('m', {type, apps: [app('web', options)]})]})).graphs[0]!.nodes.find((node) => node.id === 'app:web')!.marks

describe('the estate graph marks what the Juju flag does', () => {
  it('an exposed application of a machine model is exposed; of a Kubernetes model, only marked exposed (the flag opens nothing there)', () => {
    expect(marksOf('iaas', {exposed: true})).toEqual(['exposed'])
    expect(marksOf('caas', {exposed: true})).toEqual(['marked exposed'])
    expect(marksOf('caas', {exposed: true, options: {'juju-external-hostname': 'web.example.com'}})).toEqual(['exposed'])
    expect(marksOf('caas', {exposed: false})).toEqual([])
  })
})

describe('the estate graph draws Gateway routes as ways in', () => {
  it("a route from another namespace to a model's Service is an entry point of that model's graph, with its Gateway and whether it is served in clear; a finding on the route lands on it", () => {
    const m = model('web', {type: 'caas', namespace: 'web', apps: [app('web')]})
    const edge = gateway('infra', 'edge', {gatewayClassName: 'eg', listeners: [{name: 'http', port: 80, protocol: 'HTTP'}]})
    const route = httpRoute('infra', 'shop', {parentRefs: [{name: 'edge'}], rules: [{backendRefs: [{name: 'web', namespace: 'web', port: 80}]}]})
    const service = serviceOf('web', 'web', {selector: {'app.kubernetes.io/name': 'web'}, ports: [{port: 80, targetPort: 8080}]})
    const estate = estateGraphs(inventory({models: [m], inputs: ['k8s-gateway-api'], kube: {namespaces: [namespace('web', {'model.juju.is/name': 'web'})], gateways: [edge], routes: [route], services: [service]}}))
    const graph = estate.graphs.find((candidate) => candidate.nodes.some((node) => node.id === 'app:web'))!
    expect(graph.nodes.find((node) => node.id === 'entry:HTTPRoute/infra/shop')).toMatchObject({kind: 'entry', label: 'HTTPRoute infra/shop', details: ['Gateway infra/edge', 'no TLS'], marks: ['entry point']})
    expect(graph.edges).toContainEqual({from: 'entry:HTTPRoute/infra/shop', to: 'app:web', kind: 'entry', label: '→ Service web:80'})
    expect(estate.nodeOf({kind: 'HTTPRoute', name: 'shop', namespace: 'infra'})).toMatch(/ node:entry:HTTPRoute\/infra\/shop$/)
  })
})
