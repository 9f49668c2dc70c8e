/**
 * The Livepatch example (examples/livepatch-k8s) with Charmed Kubeflow's admission-webhook charm
 * deployed into its model: what the API server calls from a Juju model namespace.
 *
 * The charm (canonical/admission-webhook-operator, src/charm.py at 053dac372c93 and its
 * `src/templates/webhook_configuration.yaml.j2`) patches its Juju Service to its `port` option
 * (default 4443, config.yaml) and applies a MutatingWebhookConfiguration that sends every pod
 * CREATE in a Kubeflow profile namespace to that Service, `failurePolicy: Fail`. Its unit's pod
 * is the example's postgresql-0 pod renamed (exampleUnitPod: the same Juju sidecar shape).
 *
 * Besides it, what every cluster has and reconcile must leave alone: a Local APIService, the
 * metrics-server APIService in kube-system (not a model namespace), and a webhook called by URL.
 */
import {cp, readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {exampleUnitPod, LIVEPATCH_EXAMPLE} from './livepatch-estate.js'

export const WEBHOOK_APP = 'admission-webhook'
export const WEBHOOK_PORT = 4443
export const WEBHOOK_CONFIGURATION = 'admission-webhook-mutating-webhook-configuration'

type Json = Record<string, unknown>

/** The example's `juju status` of model livepatch with the admission-webhook application added. */
export function withAdmissionWebhook(status: Json): Json {
  const applications = status.applications as Record<string, Json>
  return {
    ...status,
    applications: {
      ...applications,
      [WEBHOOK_APP]: {
        charm: 'admission-webhook',
        base: {name: 'ubuntu', channel: '22.04'},
        'charm-origin': 'charmhub',
        'charm-name': 'admission-webhook',
        'charm-rev': 410,
        'charm-channel': '1.10/stable',
        scale: 1,
        'provider-id': '5f3a0021-9c1d-4b2e-8f3a-0000011a2b3c',
        address: '10.152.183.77',
        exposed: false,
        'application-status': {current: 'active', since: '02 Jun 2025 09:30:12Z'},
        units: {
          [`${WEBHOOK_APP}/0`]: {
            'workload-status': {current: 'active', since: '02 Jun 2025 09:30:12Z'},
            'juju-status': {current: 'idle', since: '02 Jun 2025 09:30:14Z', version: '3.6.4'},
            leader: true,
            'open-ports': [`${WEBHOOK_PORT}/tcp`],
            address: '10.1.42.23',
            'provider-id': `${WEBHOOK_APP}-0`,
          },
        },
        version: '1.10.0',
      },
    },
  }
}

/** The unit's pod, its Service (as KubernetesServicePatch leaves it), and what the API server calls. */
export async function admissionWebhookObjects(): Promise<{pods: Json[]; services: Json[]; mutating: Json[]; validating: Json[]; apiServices: Json[]}> {
  const pod = await exampleUnitPod(WEBHOOK_APP, '5f3a0023-9c1d-4b2e-8f3a-0000011a2b40')
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: WEBHOOK_APP,
      namespace: 'livepatch',
      labels: {'app.kubernetes.io/managed-by': 'juju', 'app.kubernetes.io/name': WEBHOOK_APP},
      annotations: {'controller.juju.is/id': '7d0f8a3c-51e4-4c2b-9a6e-2f1b3c4d5e6f', 'juju.is/version': '3.6.4'},
      uid: '5f3a0022-9c1d-4b2e-8f3a-0000011a2b3d',
      resourceVersion: '20417',
    },
    spec: {
      clusterIP: '10.152.183.77',
      clusterIPs: ['10.152.183.77'],
      ports: [{name: WEBHOOK_APP, port: WEBHOOK_PORT, protocol: 'TCP', targetPort: WEBHOOK_PORT}],
      selector: {'app.kubernetes.io/name': WEBHOOK_APP},
      sessionAffinity: 'None',
      type: 'ClusterIP',
    },
    status: {loadBalancer: {}},
  }
  const mutating = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: {name: WEBHOOK_CONFIGURATION, uid: '5f3a0024-9c1d-4b2e-8f3a-0000011a2b41', resourceVersion: '20431'},
    webhooks: [
      {
        admissionReviewVersions: ['v1beta1', 'v1'],
        clientConfig: {caBundle: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==', service: {name: WEBHOOK_APP, namespace: 'livepatch', path: '/apply-poddefault', port: WEBHOOK_PORT}},
        failurePolicy: 'Fail',
        matchPolicy: 'Equivalent',
        name: 'admission-webhook.kubeflow.org',
        namespaceSelector: {matchLabels: {'app.kubernetes.io/part-of': 'kubeflow-profile'}},
        objectSelector: {},
        reinvocationPolicy: 'Never',
        rules: [{apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'], scope: '*'}],
        sideEffects: 'None',
        timeoutSeconds: 10,
      },
    ],
  }
  const validating = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: {name: 'external-policy-check', uid: '5f3a0025-9c1d-4b2e-8f3a-0000011a2b42', resourceVersion: '20502'},
    webhooks: [
      {
        admissionReviewVersions: ['v1'],
        clientConfig: {url: 'https://policy.example.internal:8443/validate'},
        failurePolicy: 'Ignore',
        matchPolicy: 'Equivalent',
        name: 'check.policy.example.internal',
        namespaceSelector: {},
        objectSelector: {},
        rules: [{apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'], scope: 'Namespaced'}],
        sideEffects: 'None',
        timeoutSeconds: 5,
      },
    ],
  }
  const metricsServer = {
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    metadata: {name: 'v1beta1.metrics.k8s.io', labels: {'k8s-app': 'metrics-server'}, uid: '5f3a0026-9c1d-4b2e-8f3a-0000011a2b43', resourceVersion: '1211'},
    spec: {group: 'metrics.k8s.io', groupPriorityMinimum: 100, insecureSkipTLSVerify: true, service: {name: 'metrics-server', namespace: 'kube-system', port: 443}, version: 'v1beta1', versionPriority: 100},
    status: {conditions: [{lastTransitionTime: '2025-06-02T09:03:40Z', message: 'all checks passed', reason: 'Passed', status: 'True', type: 'Available'}]},
  }
  return {pods: [pod], services: [service], mutating: [mutating], validating: [validating], apiServices: [metricsServer]}
}

/** The example with the charm deployed, as files (a snapshot directory) under `dir`. */
export async function writeWebhookExample(dir: string): Promise<void> {
  await cp(LIVEPATCH_EXAMPLE, dir, {recursive: true})
  const statusFile = join(dir, 'juju/microk8s-prod/models/livepatch/status.json')
  await writeFile(statusFile, JSON.stringify(withAdmissionWebhook(JSON.parse(await readFile(statusFile, 'utf8')) as Json), null, 2))
  const added = await admissionWebhookObjects()
  const append = async (file: string, items: Json[]) => {
    const path = join(dir, 'kubernetes', file)
    const list = JSON.parse(await readFile(path, 'utf8')) as {items: Json[]}
    list.items.push(...items)
    await writeFile(path, JSON.stringify(list, null, 2))
  }
  await append('pods.json', added.pods)
  await append('services.json', added.services)
  await append('mutatingwebhookconfigurations.json', added.mutating)
  await append('validatingwebhookconfigurations.json', added.validating)
  await append('apiservices.json', added.apiServices)
}
