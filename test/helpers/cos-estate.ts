/**
 * A COS-Lite model as a `--from` snapshot: the real `juju status` of a COS-Lite deployment (model
 * `clite`, from the jhack test corpus: traefik ingresses alertmanager and catalogue, routes to
 * grafana over traefik-route, and loki and prometheus over ingress-per-unit) with the Kubernetes
 * objects Juju and the charms create for it: a pod and a ClusterIP Service per application, and
 * the LoadBalancer Service traefik-k8s creates for itself (`traefik-lb`, 80 and 443).
 */
import {copyFile, mkdir, readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {REPO_ROOT} from './cli.js'

export const COS_NAMESPACE = 'clite'
export const COS_STATUS = join(REPO_ROOT, 'test/corpus/status/jhack__jhack__tests__utils__test_show_relation__mocks__cmrs__full_status_clite.json')
export const COS_MODEL_UUID = '00000000-0000-4000-8000-0000000000c1'

/** The workload port each application serves on (its charm's defaults). */
const PORTS: Record<string, number[]> = {alertmanager: [9093], catalogue: [80], grafana: [3000], loki: [3100], prometheus: [9090], traefik: [80, 443]}

export interface CosOptions {
  /** `spec.loadBalancerSourceRanges` of traefik's LoadBalancer Service. */
  loadBalancerSourceRanges?: string[]
  /** The legacy `service.beta.kubernetes.io/load-balancer-source-ranges` annotation on it. */
  sourceRangesAnnotation?: string
  /** `juju expose catalogue --to-cidrs ...`: catalogue's exposed-endpoints. */
  exposeCatalogueTo?: string[]
  /** hardenctl.yaml written as `policy.yaml` in the snapshot directory. */
  policy?: string
}

export async function writeCosEstate(dir: string, options: CosOptions = {}): Promise<void> {
  const modelDir = join(dir, 'juju/mk8scloud/models', COS_NAMESPACE)
  await mkdir(modelDir, {recursive: true})
  if (options.exposeCatalogueTo) {
    const status = JSON.parse(await readFile(COS_STATUS, 'utf8')) as {applications: Record<string, Record<string, unknown>>}
    status.applications.catalogue!.exposed = true
    status.applications.catalogue!['exposed-endpoints'] = {'': {'expose-to-cidrs': options.exposeCatalogueTo}}
    await writeFile(join(modelDir, 'status.json'), JSON.stringify(status, null, 2))
  } else {
    await copyFile(COS_STATUS, join(modelDir, 'status.json'))
  }
  const pods = Object.entries(PORTS).map(([app, ports]) => pod(app, ports))
  const services = Object.entries(PORTS).map(([app, ports]) => service(app, 'ClusterIP', ports))
  const lb = service('traefik-lb', 'LoadBalancer', [80, 443], 'traefik')
  if (options.loadBalancerSourceRanges) lb.spec.loadBalancerSourceRanges = options.loadBalancerSourceRanges
  if (options.sourceRangesAnnotation) Object.assign(lb.metadata, {annotations: {'service.beta.kubernetes.io/load-balancer-source-ranges': options.sourceRangesAnnotation}})
  services.push(lb)
  await mkdir(join(dir, 'kubernetes'), {recursive: true})
  await writeFile(join(dir, 'kubernetes/namespaces.json'), list([namespace()]))
  await writeFile(join(dir, 'kubernetes/pods.json'), list(pods))
  await writeFile(join(dir, 'kubernetes/services.json'), list(services))
  await writeFile(join(dir, 'kubernetes/networkpolicies.json'), list([]))
  if (options.policy) await writeFile(join(dir, 'policy.yaml'), options.policy)
}

function namespace() {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {name: COS_NAMESPACE, labels: {'kubernetes.io/metadata.name': COS_NAMESPACE, 'model.juju.is/name': COS_NAMESPACE, 'model.juju.is/id': COS_MODEL_UUID}},
  }
}

function pod(app: string, ports: number[]) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {name: `${app}-0`, namespace: COS_NAMESPACE, labels: {'app.kubernetes.io/name': app}, annotations: {'unit.juju.is/id': `${app}/0`}},
    spec: {containers: [{name: app, image: `ghcr.io/canonical/${app}:latest`, ports: ports.map((containerPort) => ({containerPort, protocol: 'TCP'}))}]},
    status: {phase: 'Running'},
  }
}

function service(name: string, type: string, ports: number[], app = name) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {name, namespace: COS_NAMESPACE, labels: {'app.kubernetes.io/name': app}},
    spec: {
      type,
      selector: {'app.kubernetes.io/name': app},
      ports: ports.map((port) => ({name: `tcp-${port}`, port, targetPort: port, protocol: 'TCP'})),
    } as {type: string; selector: Record<string, string>; ports: unknown[]; loadBalancerSourceRanges?: string[]},
  }
}

function list(items: object[]): string {
  return `${JSON.stringify({apiVersion: 'v1', kind: 'List', metadata: {resourceVersion: ''}, items}, null, 2)}\n`
}
