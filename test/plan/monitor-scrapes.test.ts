/** Which Prometheus Operator monitors scrape an application, on which ports (src/plan/monitor-scrapes.ts). */
import {describe, expect, it} from 'vitest'

import {emptyKubernetesView, type KubeMonitor} from '../../src/inventory/kubernetes.js'
import {indexScrapes, scrapesOf} from '../../src/plan/monitor-scrapes.js'
import {app, pod, service} from '../rules/factories.js'

const metrics = service('web', 'web-metrics', {selector: {'app.kubernetes.io/name': 'web'}, ports: [{name: 'metrics', port: 80, targetPort: 9102}]})
metrics.metadata.labels = {scrape: 'yes'}
const webPod = pod('web', 'web-0', {labels: {'app.kubernetes.io/name': 'web'}})
const webApp = app('web', {kubernetes: {namespace: 'web', workloads: [], pods: [webPod], services: [metrics], serviceAccounts: [], roles: [], clusterRoles: []}})

function monitor(kind: 'ServiceMonitor' | 'PodMonitor', namespace: string, spec: KubeMonitor['spec']): KubeMonitor {
  return {apiVersion: 'monitoring.coreos.com/v1', kind, metadata: {name: `${kind.toLowerCase()}-${namespace}`, namespace}, spec, ref: {file: 'monitors.json', document: 0, path: []}}
}

const scrapes = (monitors: KubeMonitor[], pods = [webPod]) => scrapesOf(webApp, 'web', indexScrapes({...emptyKubernetesView(), monitors, pods}))

describe('scrapesOf', () => {
  it("a ServiceMonitor's named port is the target port behind it; without a port, every port; with targetPort, that one", () => {
    expect(scrapes([monitor('ServiceMonitor', 'web', {selector: {matchLabels: {scrape: 'yes'}}, endpoints: [{port: 'metrics'}]})])[0]?.ports).toEqual([{protocol: 'TCP', port: 9102}])
    expect(scrapes([monitor('ServiceMonitor', 'web', {selector: {matchLabels: {scrape: 'yes'}}, endpoints: [{}]})])[0]?.ports).toEqual([])
    expect(scrapes([monitor('ServiceMonitor', 'web', {selector: {matchLabels: {scrape: 'yes'}}, endpoints: [{targetPort: 'metrics'}]})])[0]?.ports).toEqual([{protocol: 'TCP', port: 'metrics'}])
  })

  it('a monitor in another namespace scrapes the app only when its namespaceSelector takes the namespace in (matchNames or any)', () => {
    const spec = {selector: {matchLabels: {scrape: 'yes'}}, endpoints: [{port: 'metrics'}]}
    expect(scrapes([monitor('ServiceMonitor', 'monitoring', spec)])).toEqual([])
    expect(scrapes([monitor('ServiceMonitor', 'monitoring', {...spec, namespaceSelector: {matchNames: ['web']}})])).toHaveLength(1)
    expect(scrapes([monitor('ServiceMonitor', 'monitoring', {...spec, namespaceSelector: {any: true}})])).toHaveLength(1)
  })

  it("a PodMonitor selects the app's pods, on a port number or a container port's name", () => {
    const found = scrapes([monitor('PodMonitor', 'web', {selector: {matchLabels: {'app.kubernetes.io/name': 'web'}}, podMetricsEndpoints: [{portNumber: 9102}, {port: 'metrics'}]})])
    expect(found[0]?.ports).toEqual([{protocol: 'TCP', port: 9102}, {protocol: 'TCP', port: 'metrics'}])
    expect(scrapes([monitor('PodMonitor', 'web', {selector: {matchLabels: {'app.kubernetes.io/name': 'api'}}, podMetricsEndpoints: [{portNumber: 9102}]})])).toEqual([])
  })

  it("the operator's Prometheus pods are found by its labels; a Juju unit of an application named prometheus is not one", () => {
    const labels = {'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/managed-by': 'prometheus-operator'}
    const operated = pod('monitoring', 'prometheus-k8s-0', {labels})
    const jujuUnit = pod('cos', 'prometheus-0', {labels, annotations: {'model.juju.is/id': 'a9c4e2b1-6d3f-4e8a-b7c5-1f2e3d4c5b6a'}})
    expect(indexScrapes({monitors: [], pods: [operated, jujuUnit]}).prometheusNamespaces).toEqual(['monitoring'])
  })
})
