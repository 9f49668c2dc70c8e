/**
 * Writes a synthetic Juju-on-Kubernetes estate in the snapshot layout: MODELS models × APPS
 * applications, PODS_PER_APP pods each, with the objects Juju creates per application (see
 * DOMAIN.md) and a relation graph. Shapes follow `juju status --format=json` and
 * `kubectl get -A -o json`; sizes are what make the benchmark meaningful, not realism of names.
 */
import {mkdir, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

export interface EstateSize {
  models: number
  appsPerModel: number
  podsPerApp: number
}

const CONTROLLER = 'bench'
const CHARMS = ['postgresql-k8s', 'traefik-k8s', 'grafana-k8s', 'prometheus-k8s', 'loki-k8s', 'mysql-k8s', 'redis-k8s', 'minio']

function uuid(seed: number): string {
  const hex = seed.toString(16).padStart(12, '0')
  return `00000000-0000-4000-8000-${hex}`
}

export async function writeSyntheticEstate(dir: string, size: EstateSize): Promise<{files: number; pods: number}> {
  const kube = {
    namespaces: [] as unknown[],
    pods: [] as unknown[],
    statefulsets: [] as unknown[],
    services: [] as unknown[],
    serviceaccounts: [] as unknown[],
    roles: [] as unknown[],
    rolebindings: [] as unknown[],
    clusterroles: [] as unknown[],
    clusterrolebindings: [] as unknown[],
    networkpolicies: [] as unknown[],
  }
  let files = 0
  for (let m = 0; m < size.models; m++) {
    const model = `model-${m}`
    const modelUuid = uuid(m + 1)
    const modelDir = join(dir, 'juju', CONTROLLER, 'models', model)
    await mkdir(modelDir, {recursive: true})
    const applications: Record<string, unknown> = {}
    for (let a = 0; a < size.appsPerModel; a++) {
      const app = `app-${a}`
      const charm = CHARMS[a % CHARMS.length]!
      const related = `app-${(a + 1) % size.appsPerModel}`
      const units: Record<string, unknown> = {}
      for (let p = 0; p < size.podsPerApp; p++) {
        units[`${app}/${p}`] = {
          'workload-status': {current: 'active', since: '01 Nov 2026 10:00:00Z'},
          'juju-status': {current: 'idle', since: '01 Nov 2026 10:00:00Z', version: '3.6.1'},
          leader: p === 0,
          address: `10.1.${m % 250}.${(a * size.podsPerApp + p) % 250}`,
          'provider-id': `${app}-${p}`,
        }
        kube.pods.push(pod(model, modelUuid, app, charm, p))
      }
      applications[app] = {
        charm,
        base: {name: 'ubuntu', channel: '22.04'},
        'charm-origin': 'charmhub',
        'charm-name': charm,
        'charm-rev': 100 + a,
        'charm-channel': a % 5 === 0 ? 'latest/edge' : 'latest/stable',
        scale: size.podsPerApp,
        'provider-id': uuid(m * 1000 + a),
        address: `10.152.${m % 250}.${a}`,
        exposed: a % 20 === 0,
        'application-status': {current: 'active', since: '01 Nov 2026 10:00:00Z'},
        relations: {
          peers: [{'related-application': app, interface: `${charm}-peers`, scope: 'global'}],
          backend: [{'related-application': related, interface: 'http', scope: 'global'}],
        },
        units,
        'endpoint-bindings': {'': 'alpha', backend: 'alpha', peers: 'alpha'},
      }
      kube.statefulsets.push(statefulSet(model, app, charm, size.podsPerApp))
      kube.services.push(service(model, app, false), service(model, app, true))
      kube.serviceaccounts.push(meta('ServiceAccount', 'v1', model, app))
      kube.roles.push({...meta('Role', 'rbac.authorization.k8s.io/v1', model, app), rules: untrustedRules()})
      kube.rolebindings.push(binding('RoleBinding', model, app, {kind: 'Role', name: app}))
      kube.clusterroles.push({...meta('ClusterRole', 'rbac.authorization.k8s.io/v1', undefined, `${model}-${app}`), rules: [{apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list']}]})
      kube.clusterrolebindings.push(binding('ClusterRoleBinding', model, app, {kind: 'ClusterRole', name: `${model}-${app}`}))
    }
    const status = {
      model: {name: model, type: 'caas', controller: CONTROLLER, cloud: 'microk8s', region: 'localhost', version: '3.6.1', 'model-status': {current: 'available', since: '01 Nov 2026 10:00:00Z'}, sla: 'unsupported'},
      machines: {},
      applications,
      storage: {},
      controller: {timestamp: '10:00:00Z'},
    }
    await writeFile(join(modelDir, 'status.json'), JSON.stringify(status, null, 2))
    files++
    kube.namespaces.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {name: model, uid: uuid(900_000 + m), labels: {'kubernetes.io/metadata.name': model, 'model.juju.is/name': model, 'model.juju.is/id': modelUuid, 'app.kubernetes.io/managed-by': 'juju'}},
      spec: {finalizers: ['kubernetes']},
      status: {phase: 'Active'},
    })
    if (m % 2 === 0) {
      kube.networkpolicies.push({
        ...meta('NetworkPolicy', 'networking.k8s.io/v1', model, 'default-deny'),
        spec: {podSelector: {}, policyTypes: ['Ingress']},
      })
    }
  }
  const kubeDir = join(dir, 'kubernetes')
  await mkdir(kubeDir, {recursive: true})
  for (const [kind, items] of Object.entries(kube)) {
    await writeFile(join(kubeDir, `${kind}.json`), JSON.stringify({apiVersion: 'v1', kind: 'List', metadata: {resourceVersion: ''}, items}, null, 4))
    files++
  }
  return {files, pods: kube.pods.length}
}

function meta(kind: string, apiVersion: string, namespace: string | undefined, name: string) {
  return {
    apiVersion,
    kind,
    metadata: {
      name,
      ...(namespace === undefined ? {} : {namespace}),
      uid: uuid(hash(`${kind}/${namespace}/${name}`)),
      labels: {'app.kubernetes.io/managed-by': 'juju', 'app.kubernetes.io/name': name},
      annotations: {'juju.is/version': '3.6.1'},
    },
  }
}

function pod(model: string, modelUuid: string, app: string, charm: string, ordinal: number) {
  const root = {runAsUser: 0, runAsGroup: 0}
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${app}-${ordinal}`,
      namespace: model,
      uid: uuid(hash(`pod/${model}/${app}/${ordinal}`)),
      labels: {'app.kubernetes.io/name': app, 'controller-revision-hash': `${app}-5d8f7c9b6`, 'statefulset.kubernetes.io/pod-name': `${app}-${ordinal}`},
      annotations: {'controller.juju.is/id': uuid(1), 'juju.is/version': '3.6.1', 'model.juju.is/id': modelUuid, 'unit.juju.is/id': `${app}/${ordinal}`},
      ownerReferences: [{apiVersion: 'apps/v1', kind: 'StatefulSet', name: app, uid: uuid(hash(`sts/${model}/${app}`)), controller: true, blockOwnerDeletion: true}],
    },
    spec: {
      automountServiceAccountToken: true,
      serviceAccountName: app,
      initContainers: [{name: 'charm-init', image: 'ghcr.io/juju/jujud-operator:3.6.1', command: ['/opt/containeragent'], securityContext: root}],
      containers: [
        {name: 'charm', image: 'ghcr.io/juju/charm-base:ubuntu-22.04', command: ['/charm/bin/pebble'], securityContext: root, volumeMounts: [{name: 'charm-data', mountPath: '/charm/bin'}]},
        {name: charm.replace(/-k8s$/, ''), image: `ghcr.io/canonical/${charm}:latest`, ports: [{containerPort: 8080, name: 'http', protocol: 'TCP'}], securityContext: root},
      ],
      volumes: [{name: 'charm-data', emptyDir: {}}],
      nodeName: 'node-1',
      restartPolicy: 'Always',
    },
    status: {phase: 'Running', podIP: `10.1.${ordinal}.1`, hostIP: '192.168.1.10'},
  }
}

function statefulSet(model: string, app: string, charm: string, replicas: number) {
  return {
    ...meta('StatefulSet', 'apps/v1', model, app),
    spec: {
      replicas,
      selector: {matchLabels: {'app.kubernetes.io/name': app}},
      serviceName: `${app}-endpoints`,
      template: {
        metadata: {labels: {'app.kubernetes.io/name': app}},
        spec: {
          serviceAccountName: app,
          containers: [
            {name: 'charm', image: 'ghcr.io/juju/charm-base:ubuntu-22.04', securityContext: {runAsUser: 0, runAsGroup: 0}},
            {name: charm.replace(/-k8s$/, ''), image: `ghcr.io/canonical/${charm}:latest`, securityContext: {runAsUser: 0, runAsGroup: 0}},
          ],
        },
      },
    },
  }
}

function service(model: string, app: string, headless: boolean) {
  const name = headless ? `${app}-endpoints` : app
  return {
    ...meta('Service', 'v1', model, name),
    spec: {
      type: 'ClusterIP',
      clusterIP: headless ? 'None' : '10.152.183.10',
      selector: {'app.kubernetes.io/name': app},
      ports: [{name: 'placeholder', port: 65535, protocol: 'TCP', targetPort: 65535}],
    },
  }
}

function binding(kind: string, model: string, app: string, roleRef: {kind: string; name: string}) {
  return {
    ...meta(kind, 'rbac.authorization.k8s.io/v1', kind === 'RoleBinding' ? model : undefined, kind === 'RoleBinding' ? app : `${model}-${app}`),
    roleRef: {apiGroup: 'rbac.authorization.k8s.io', ...roleRef},
    subjects: [{kind: 'ServiceAccount', name: app, namespace: model}],
  }
}

function untrustedRules() {
  return [
    {apiGroups: [''], resources: ['pods', 'services'], verbs: ['get', 'list', 'patch']},
    {apiGroups: [''], resources: ['pods/exec'], verbs: ['create']},
  ]
}

function hash(text: string): number {
  let value = 0
  for (let i = 0; i < text.length; i++) value = (value * 31 + text.charCodeAt(i)) >>> 0
  return value
}
