#!/usr/bin/env node
/**
 * Builds cases/<case>/estate/ (the snapshot layout `hardenctl reconcile --from DIR` reads) from
 * cases/<case>/case.json, the real files under sources/ and the scaffolding described in README.md.
 * Run from the repository root: `node test/real-world-webhooks/build-estates.mjs`. The estates are
 * committed; this script documents exactly how they were made.
 */
import {mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseAllDocuments} from 'yaml'

const HERE = dirname(fileURLToPath(import.meta.url))
const EXAMPLE = join(HERE, '../../examples/livepatch-k8s')
const CONTROLLER_UUID = '7d0f8a3c-51e4-4c2b-9a6e-2f1b3c4d5e6f'
const MODEL_UUID = 'b1c2d3e4-5f60-4a7b-8c9d-0e1f2a3b4c5d'
const PLURALS = {
  Namespace: 'namespaces',
  Pod: 'pods',
  Service: 'services',
  Deployment: 'deployments',
  MutatingWebhookConfiguration: 'mutatingwebhookconfigurations',
  ValidatingWebhookConfiguration: 'validatingwebhookconfigurations',
  APIService: 'apiservices',
}
/** Every list the example snapshot has; the ones a case does not fill are written empty. */
const LISTS = readdirSync(join(EXAMPLE, 'kubernetes')).map((file) => file.replace(/\.json$/, ''))

const exampleItems = (plural) => JSON.parse(readFileSync(join(EXAMPLE, 'kubernetes', `${plural}.json`), 'utf8')).items
const clone = (value) => JSON.parse(JSON.stringify(value))

let counter = 0
const uid = () => `0c0ffee0-0000-4000-8000-${String(++counter).padStart(12, '0')}`
const clusterIp = () => `10.152.183.${100 + counter}`

/** The example's `juju status` (model livepatch), reshaped: model NAME with the case's applications, no relations. */
function jujuStatus(model, applications) {
  const status = JSON.parse(readFileSync(join(EXAMPLE, 'juju/microk8s-prod/models/livepatch/status.json'), 'utf8'))
  status.model.name = model
  delete status.storage
  status.applications = {}
  applications.forEach((app, index) => {
    status.applications[app.name] = {
      charm: app.charm,
      base: {name: 'ubuntu', channel: '22.04'},
      'charm-origin': 'charmhub',
      'charm-name': app.charm,
      'charm-rev': app.rev,
      'charm-channel': app.channel,
      scale: 1,
      'provider-id': uid(),
      address: `10.152.183.${20 + index}`,
      exposed: false,
      'application-status': {current: 'active', since: '02 Jun 2025 09:30:12Z'},
      units: {
        [`${app.name}/0`]: {
          'workload-status': {current: 'active', since: '02 Jun 2025 09:30:12Z'},
          'juju-status': {current: 'idle', since: '02 Jun 2025 09:30:14Z', version: '3.6.4'},
          leader: true,
          address: `10.1.42.${30 + index}`,
          'provider-id': `${app.name}-0`,
        },
      },
      'endpoint-bindings': {'': 'alpha'},
    }
  })
  return status
}

/** The model's namespace as Juju labels it (the example's livepatch namespace, renamed). */
function modelNamespace(model) {
  const namespace = clone(exampleItems('namespaces').find((ns) => ns.metadata.name === 'livepatch'))
  namespace.metadata.name = model
  namespace.metadata.uid = uid()
  namespace.metadata.labels = {'kubernetes.io/metadata.name': model, 'model.juju.is/id': MODEL_UUID, 'model.juju.is/name': model}
  return namespace
}

function plainNamespace(name) {
  return {apiVersion: 'v1', kind: 'Namespace', metadata: {name, uid: uid(), labels: {'kubernetes.io/metadata.name': name}}, spec: {finalizers: ['kubernetes']}, status: {phase: 'Active'}}
}

/** Juju's model operator pod and Service (the example's, moved). */
function modelOperator(model) {
  const move = (object) => JSON.parse(JSON.stringify(object).replaceAll('"livepatch"', JSON.stringify(model)))
  return {
    pods: exampleItems('pods').filter((pod) => pod.metadata.name.startsWith('modeloperator')).map(move),
    services: exampleItems('services').filter((service) => service.metadata.name === 'modeloperator').map(move),
  }
}

/** A sidecar unit pod APP-0 as Juju makes it: the example's postgresql-0 with the application renamed. */
function unitPod(model, app) {
  const postgresql = exampleItems('pods').find((pod) => pod.metadata.name === 'postgresql-0')
  const pod = JSON.parse(JSON.stringify(postgresql).replaceAll('postgresql', app).replaceAll('"livepatch"', JSON.stringify(model)))
  pod.metadata.uid = uid()
  return pod
}

/**
 * Juju's two Services for a sidecar application (APP and APP-endpoints, the example's shape). APP
 * carries Juju's placeholder port unless the charm patches it (KubernetesServicePatch: selector
 * app.kubernetes.io/name=APP and the charm's ServicePorts; targetPort defaults to port).
 */
function jujuServices(model, app, patchedPorts) {
  const base = (name, ports, headless) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      annotations: {'controller.juju.is/id': CONTROLLER_UUID, 'juju.is/version': '3.6.4', 'model.juju.is/id': MODEL_UUID},
      labels: {'app.kubernetes.io/managed-by': 'juju', 'app.kubernetes.io/name': app},
      name,
      namespace: model,
      uid: uid(),
    },
    spec: {
      clusterIP: headless ? 'None' : clusterIp(),
      ports,
      ...(headless ? {publishNotReadyAddresses: true} : {}),
      selector: {'app.kubernetes.io/name': app},
      sessionAffinity: 'None',
      type: 'ClusterIP',
    },
    status: {loadBalancer: {}},
  })
  const placeholder = [{name: 'placeholder', port: 65535, protocol: 'TCP', targetPort: 65535}]
  const ports = patchedPorts ? patchedPorts.map((port) => ({name: port.name, port: port.port, protocol: 'TCP', targetPort: port.targetPort ?? port.port})) : placeholder
  return [base(app, ports, false), base(`${app}-endpoints`, placeholder, true)]
}

/** What the API server fills in on a Service it stores: clusterIP, type, protocol and targetPort defaults. */
function asStoredService(service) {
  service.metadata.uid = uid()
  service.spec.type ??= 'ClusterIP'
  if (service.spec.type !== 'ExternalName') service.spec.clusterIP ??= clusterIp()
  service.spec.sessionAffinity ??= 'None'
  for (const port of service.spec.ports ?? []) {
    port.protocol ??= 'TCP'
    port.targetPort ??= port.port
  }
  service.status ??= {loadBalancer: {}}
  return service
}

/** One running pod of a Deployment, as its ReplicaSet creates it (template labels + pod-template-hash). */
function deploymentPod(deployment) {
  const hash = '5d8f7c9b6d'
  const template = deployment.spec.template
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${deployment.metadata.name}-${hash}-x${counter}`,
      generateName: `${deployment.metadata.name}-${hash}-`,
      namespace: deployment.metadata.namespace,
      labels: {...template.metadata.labels, 'pod-template-hash': hash},
      ...(template.metadata.annotations ? {annotations: template.metadata.annotations} : {}),
      ownerReferences: [{apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${deployment.metadata.name}-${hash}`, controller: true, blockOwnerDeletion: true, uid: uid()}],
      uid: uid(),
    },
    spec: clone(template.spec),
    status: {phase: 'Running'},
  }
}

/** A Cilium agent pod (DaemonSet cilium in kube-system labels its pods k8s-app=cilium). */
function ciliumPod() {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {name: 'cilium-7xq2k', generateName: 'cilium-', namespace: 'kube-system', labels: {'k8s-app': 'cilium', 'controller-revision-hash': '6b9c8d7f5', 'pod-template-generation': '1'}, uid: uid()},
    spec: {hostNetwork: true, containers: [{name: 'cilium-agent', image: 'ghcr.io/canonical/cilium:1.16.3-ck0'}]},
    status: {phase: 'Running'},
  }
}

/** `helm install -n TO`: every reference to namespace FROM in the objects read from a source file. */
function relocate(object, from, to) {
  const swap = (value) => (value === from ? to : value)
  if (object.metadata.namespace) object.metadata.namespace = swap(object.metadata.namespace)
  for (const [key, value] of Object.entries(object.metadata.annotations ?? {})) {
    if (key.startsWith('cert-manager.io/inject-ca-from') && value.startsWith(`${from}/`)) object.metadata.annotations[key] = `${to}/${value.slice(from.length + 1)}`
  }
  for (const webhook of object.webhooks ?? []) if (webhook.clientConfig?.service) webhook.clientConfig.service.namespace = swap(webhook.clientConfig.service.namespace)
  if (object.spec?.service) object.spec.service.namespace = swap(object.spec.service.namespace)
  return object
}

function build(caseDir) {
  const spec = JSON.parse(readFileSync(join(caseDir, 'case.json'), 'utf8'))
  counter = 0
  const lists = Object.fromEntries(LISTS.map((plural) => [plural, []]))
  const add = (object) => lists[PLURALS[object.kind]].push(object)

  add(modelNamespace(spec.model))
  for (const name of spec.namespaces ?? []) add(plainNamespace(name))
  const operator = modelOperator(spec.model)
  operator.pods.forEach(add)
  operator.services.forEach(add)
  for (const app of spec.applications) {
    add(unitPod(spec.model, app.name))
    const patched = (spec.patchedServices ?? []).find((service) => service.app === app.name)
    jujuServices(spec.model, app.name, patched?.ports).forEach(add)
  }
  if (spec.cilium) add(ciliumPod())
  for (const source of spec.sources) {
    for (const document of parseAllDocuments(readFileSync(join(HERE, 'sources', source.file), 'utf8'))) {
      let object = document.toJS()
      if (!object) continue
      for (const [from, to] of Object.entries(source.relocate ?? {})) object = relocate(object, from, to)
      if (object.kind === 'Service') add(asStoredService(object))
      else if (object.kind === 'Deployment') {
        object.metadata.uid = uid()
        add(object)
        add(deploymentPod(object))
      } else if (PLURALS[object.kind]) {
        object.metadata.uid = uid()
        add(object)
      } else throw new Error(`${source.file}: unexpected kind ${object.kind}`)
    }
  }

  const estate = join(caseDir, 'estate')
  rmSync(estate, {recursive: true, force: true})
  const statusDir = join(estate, 'juju/microk8s-prod/models', spec.model)
  mkdirSync(statusDir, {recursive: true})
  writeFileSync(join(statusDir, 'status.json'), `${JSON.stringify(jujuStatus(spec.model, spec.applications), null, 2)}\n`)
  mkdirSync(join(estate, 'kubernetes'))
  for (const [plural, items] of Object.entries(lists)) {
    writeFileSync(join(estate, 'kubernetes', `${plural}.json`), `${JSON.stringify({apiVersion: 'v1', kind: 'List', metadata: {resourceVersion: ''}, items}, null, 2)}\n`)
  }
}

const cases = join(HERE, 'cases')
for (const name of readdirSync(cases).sort()) build(join(cases, name))
