/**
 * Prometheus Operator scraping a Juju application, as reconcile admits it, proved with the
 * reachability engine on the plan the CLI prints. The estate is the Livepatch example with a
 * kube-prometheus-stack beside it: its Prometheus pod in `monitoring`, labelled as the operator
 * labels them (public `kubectl get pods --show-labels` listings of kube-prometheus-stack:
 * app.kubernetes.io/name=prometheus, app.kubernetes.io/managed-by=prometheus-operator,
 * operator.prometheus.io/name=…), its Grafana beside it, and a ServiceMonitor in `monitoring`
 * selecting a metrics Service of livepatch's (namespaceSelector.matchNames), as a user scraping a
 * Juju application that way writes it. No Juju relation says Prometheus connects.
 */
import {describe, expect, it} from 'vitest'

import type {NetworkPolicyObject} from '../../src/plan/types.js'
import {runCliInWorker} from '../helpers/cli-in-worker.js'
import {appendToList, estateBefore, estateWith, plannedEstate, writeList} from '../helpers/ingress-estate.js'
import {useLiveLivepatch} from '../helpers/livepatch-estate.js'

const MONITORING = {apiVersion: 'v1', kind: 'Namespace', metadata: {name: 'monitoring', uid: 'e1f3a5c7-9b1d-4e3f-8a5c-7e9b1d3f5a7c', labels: {'kubernetes.io/metadata.name': 'monitoring'}}, spec: {finalizers: ['kubernetes']}, status: {phase: 'Active'}}

const PROMETHEUS = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'prometheus-kube-prometheus-stack-prometheus-0',
    namespace: 'monitoring',
    uid: 'f2a4b6c8-0d2e-4f4a-9b6c-8d0e2f4a6b8c',
    labels: {
      'app.kubernetes.io/instance': 'kube-prometheus-stack-prometheus',
      'app.kubernetes.io/managed-by': 'prometheus-operator',
      'app.kubernetes.io/name': 'prometheus',
      'app.kubernetes.io/version': '3.4.1',
      'operator.prometheus.io/name': 'kube-prometheus-stack-prometheus',
      'operator.prometheus.io/shard': '0',
      prometheus: 'kube-prometheus-stack-prometheus',
      'statefulset.kubernetes.io/pod-name': 'prometheus-kube-prometheus-stack-prometheus-0',
    },
  },
  spec: {containers: [{name: 'prometheus', image: 'quay.io/prometheus/prometheus:v3.4.1', ports: [{containerPort: 9090, name: 'http-web', protocol: 'TCP'}]}]},
  status: {phase: 'Running', podIP: '10.1.30.11'},
}

const GRAFANA = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {name: 'kube-prometheus-stack-grafana-6d8f7c9b5-p4q2r', namespace: 'monitoring', uid: 'a3b5c7d9-1e3f-4a5b-8c7d-9e1f3a5b7c9d', labels: {'app.kubernetes.io/instance': 'kube-prometheus-stack', 'app.kubernetes.io/name': 'grafana'}},
  spec: {containers: [{name: 'grafana', image: 'docker.io/grafana/grafana:12.0.0', ports: [{containerPort: 3000, name: 'grafana', protocol: 'TCP'}]}]},
  status: {phase: 'Running', podIP: '10.1.30.12'},
}

/** A metrics Service of livepatch's pods, with a label for the ServiceMonitor to select. */
const METRICS_SERVICE = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: {name: 'livepatch-metrics', namespace: 'livepatch', uid: 'b4c6d8e0-2f4a-4b6c-9d8e-0f2a4b6c8d0e', labels: {'app.kubernetes.io/name': 'livepatch', 'monitoring.example.com/scrape': 'true'}},
  spec: {type: 'ClusterIP', clusterIP: '10.152.183.91', selector: {'app.kubernetes.io/name': 'livepatch'}, ports: [{name: 'metrics', port: 9102, protocol: 'TCP', targetPort: 9102}]},
}

const SERVICE_MONITOR = {
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'ServiceMonitor',
  metadata: {name: 'livepatch', namespace: 'monitoring', uid: 'c5d7e9f1-3a5b-4c7d-8e9f-1a3b5c7d9e1f', labels: {release: 'kube-prometheus-stack'}},
  spec: {selector: {matchLabels: {'monitoring.example.com/scrape': 'true'}}, namespaceSelector: {matchNames: ['livepatch']}, endpoints: [{port: 'metrics', interval: '30s'}]},
}

async function monitoredEstate(monitors: unknown[] | undefined): Promise<string> {
  const dir = await estateWith({namespace: MONITORING as never, pod: PROMETHEUS})
  await appendToList(dir, 'pods', [GRAFANA])
  await appendToList(dir, 'services', [METRICS_SERVICE])
  if (monitors) await writeList(dir, 'servicemonitors', monitors)
  return dir
}

describe('a ServiceMonitor scraping a Juju application', () => {
  const dir = estateBefore(() => monitoredEstate([SERVICE_MONITOR]))

  // Expected before the first run: livepatch admits the operator's Prometheus pods (namespace
  // monitoring, by their labels) on 9102, the pod port behind the Service port the monitor names;
  // Grafana, beside it in monitoring, does not get in on 9102; the plan closes nothing.
  it("admits the operator's Prometheus pods on the scraped port, and nothing else there", async () => {
    const {text, podReaches} = await plannedEstate(dir())
    expect(text).toContain("ServiceMonitor monitoring/livepatch has Prometheus scrape livepatch: the operator's Prometheus pods (monitoring) connect on 9102/TCP")
    expect(text).toContain('Closes: nothing the estate shows in use or intended.')
    expect(podReaches(PROMETHEUS.metadata.name, 9102)).toBe(true)
    expect(podReaches(GRAFANA.metadata.name, 9102)).toBe(false)
  }, 60_000)
})

describe('Prometheus Operator runs, but its monitors were not read', () => {
  const dir = estateBefore(async () => {
    const estate = await monitoredEstate(undefined)
    const {rm} = await import('node:fs/promises')
    await rm(`${estate}/kubernetes/servicemonitors.json`)
    await rm(`${estate}/kubernetes/podmonitors.json`)
    return estate
  })

  // Expected before the first run: a note saying the monitors were not read and what that cuts.
  it('the plan says so', async () => {
    const {text} = await plannedEstate(dir())
    expect(text).toContain("Prometheus Operator runs (in monitoring), but its ServiceMonitors and PodMonitors were not read: an application they scrape would be cut off by its default deny; give reconcile `kubectl get servicemonitors.monitoring.coreos.com,podmonitors.monitoring.coreos.com -A -o json`")
  }, 60_000)
})

describe('Prometheus Operator on a live cluster', () => {
  const PASSWORD = 'monitors-admin-password'
  const live = useLiveLivepatch('hardenctl-monitors-live-', PASSWORD)

  // Expected before the first run: `-n livepatch` keeps the Prometheus pod and the monitor from
  // `monitoring`, so the applied policy admits Prometheus by namespace and labels on 9102.
  it('reconcile -n livepatch lists the monitors, keeps Prometheus and the monitor from monitoring, and admits Prometheus', {timeout: 60_000}, async () => {
    const {api, env} = await live().cluster({}, [MONITORING, PROMETHEUS, GRAFANA, METRICS_SERVICE, SERVICE_MONITOR])
    const result = await runCliInWorker(['reconcile', '-n', 'livepatch'], {env})
    expect(result.code, result.stderr).toBe(0)
    expect([api.requestsByPlural().servicemonitors, api.requestsByPlural().podmonitors]).toEqual([1, 1])
    const applied = api.objects('NetworkPolicy').find((object) => (object.metadata as {name: string}).name === 'hardenctl-app-livepatch') as unknown as NetworkPolicyObject
    expect(applied.spec.ingress).toContainEqual({
      from: [{namespaceSelector: {matchLabels: {'kubernetes.io/metadata.name': 'monitoring'}}, podSelector: {matchLabels: {'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/managed-by': 'prometheus-operator'}}}],
      ports: [{protocol: 'TCP', port: 9102}],
    })
  })
})
