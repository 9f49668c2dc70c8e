/**
 * Who carries each Ingress and Gateway route to an application (src/plan/routed-backends.ts),
 * the classification the planner and the closes check share: the cases the CLI tests do not
 * reach one by one.
 */
import {describe, expect, it} from 'vitest'

import {emptyKubernetesView, type KubernetesView} from '../../src/inventory/kubernetes.js'
import {indexRouting, routedTo} from '../../src/plan/routed-backends.js'
import {app, gateway, httpRoute, pod, service} from '../rules/factories.js'

const web = service('web', 'web', {selector: {'app.kubernetes.io/name': 'web'}, ports: [{name: 'http', port: 80, targetPort: 8080}, {name: 'metrics', port: 9090, targetPort: 9090}]})
const webApp = app('web', {kubernetes: {namespace: 'web', workloads: [], pods: [], services: [web], serviceAccounts: [], roles: [], clusterRoles: []}})

function routed(view: Partial<KubernetesView>) {
  return routedTo(webApp, 'web', indexRouting({...emptyKubernetesView(), ...view}))
}

const cilium = {apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: {name: 'ck-gateway'}, spec: {controllerName: 'io.cilium/gateway-controller'}, ref: {file: 'gatewayclasses.json', document: 0, path: []}}
const envoy = {...cilium, metadata: {name: 'eg'}, spec: {controllerName: 'gateway.envoyproxy.io/gatewayclass-controller'}}
const listeners = [{name: 'http', port: 80, protocol: 'HTTP'}]

describe('routedTo: Gateway routes', () => {
  it('a route from another namespace reaches only the pod port behind the Service port it names, and is named with its namespace', () => {
    const route = httpRoute('infra', 'shop', {parentRefs: [{name: 'edge'}], rules: [{backendRefs: [{name: 'web', namespace: 'web', port: 80}]}]})
    const [found] = routed({routes: [route], gateways: [gateway('infra', 'edge', {gatewayClassName: 'ck-gateway', listeners})], gatewayClasses: [cilium]})
    expect(found).toMatchObject({kind: 'HTTPRoute', name: 'infra/shop', ports: [{protocol: 'TCP', port: 8080}], carrier: {by: 'cilium'}})
  })

  it('a route to a port the Service does not have routes nothing; one to another Service of the namespace, or in another namespace, is not this app\'s', () => {
    const wrongPort = httpRoute('web', 'a', {parentRefs: [{name: 'edge'}], rules: [{backendRefs: [{name: 'web', port: 8443}]}]})
    const otherService = httpRoute('web', 'b', {parentRefs: [{name: 'edge'}], rules: [{backendRefs: [{name: 'api', port: 80}]}]})
    const otherNamespace = httpRoute('shop', 'c', {parentRefs: [{name: 'edge'}], rules: [{backendRefs: [{name: 'web', port: 80}]}]})
    expect(routed({routes: [wrongPort, otherService, otherNamespace]})).toEqual([])
  })

  it('one route on two Gateways of different implementations is carried by each; on two Gateways admitting every source, once', () => {
    const twoKinds = httpRoute('web', 'both', {parentRefs: [{name: 'a'}, {name: 'b'}], rules: [{backendRefs: [{name: 'web', port: 80}]}]})
    const proxy = pod('envoy-gateway-system', 'envoy-web-a-1', {labels: {'gateway.envoyproxy.io/owning-gateway-name': 'a', 'gateway.envoyproxy.io/owning-gateway-namespace': 'web'}})
    const carriers = routed({routes: [twoKinds], pods: [proxy], gateways: [gateway('web', 'a', {gatewayClassName: 'eg', listeners}), gateway('web', 'b', {gatewayClassName: 'ck-gateway', listeners})], gatewayClasses: [envoy, cilium]}).map((r) => r.carrier)
    expect(carriers).toEqual([
      {by: 'proxies', gateway: 'web/a', implementation: 'Envoy Gateway', proxies: [{namespace: 'envoy-gateway-system', labels: {'gateway.envoyproxy.io/owning-gateway-name': 'a', 'gateway.envoyproxy.io/owning-gateway-namespace': 'web'}}]},
      expect.objectContaining({by: 'cilium'}),
    ])
    const twoCilium = httpRoute('web', 'twice', {parentRefs: [{name: 'b'}, {name: 'c'}], rules: [{backendRefs: [{name: 'web', port: 80}]}]})
    const once = routed({routes: [twoCilium], gateways: [gateway('web', 'b', {gatewayClassName: 'ck-gateway', listeners}), gateway('web', 'c', {gatewayClassName: 'ck-gateway', listeners})], gatewayClasses: [cilium]})
    expect(once.map((r) => r.carrier.by)).toEqual(['cilium'])
  })

  it("a route gateway-api-integrator made is its relation's, and a mesh route (parentRef to a Service) has no Gateway to carry it", () => {
    const made = httpRoute('web', 'gateway-https', {parentRefs: [{name: 'gateway'}], rules: [{backendRefs: [{name: 'web', port: 80}]}]})
    made.metadata.labels = {'gateway-api-integrator.charm.juju.is/managed-by': 'gateway'}
    const mesh = httpRoute('web', 'mesh', {parentRefs: [{name: 'web', kind: 'Service', group: ''}], rules: [{backendRefs: [{name: 'web', port: 80}]}]})
    expect(routed({routes: [made, mesh]})).toEqual([])
  })
})
