/**
 * Small builders for rule tests: inventories built directly, without the file readers. Every
 * builder takes the fields a test cares about and fills the rest with neutral defaults.
 */
import {evaluateRules, type EvaluationResult} from '../../src/rules/engine.js'
import type {Rule} from '../../src/rules/rule.js'
import type {CharmContainer, CharmEndpoint, CharmMetadata, CharmOption} from '../../src/inventory/charm.js'
import {
  emptyKubernetesView,
  type KubeGateway,
  type KubeIngress,
  type KubeRoute,
  type KubeNamespace,
  type KubeNetworkPolicy,
  type KubernetesView,
  type KubePod,
  type KubeRole,
  type KubeRoleBinding,
  type KubeService,
  type KubeServiceAccount,
  type KubeWorkload,
} from '../../src/inventory/kubernetes.js'
import type {Container, PodSpec, PolicyRule} from '../../src/inventory/kubernetes-shapes.js'
import {
  type Application,
  type Controller,
  type InputKind,
  type Inventory,
  type Model,
  modelKey,
  type Relation,
  type RelationEndpoint,
} from '../../src/inventory/types.js'
import {defaultPolicy, type Policy, policySchema} from '../../src/policy/schema.js'
import type {SourceRef} from '../../src/sources/document.js'

export const NOW = new Date('2025-06-01T12:00:00Z')

export function ref(file: string, ...path: (string | number)[]): SourceRef {
  return {file, path}
}

// ---------------------------------------------------------------- Juju

export function app(name: string, fields: Partial<Application> = {}): Application {
  return {
    model: '',
    controller: '',
    name,
    charm: name,
    options: {},
    optionRefs: {},
    units: [],
    refs: {definition: ref('bundle.yaml', 'applications', name)},
    ...fields,
  }
}

export interface ModelFields extends Partial<Omit<Model, 'applications' | 'inputs'>> {
  apps?: Application[]
  inputs?: InputKind[]
}

export function model(name: string, fields: ModelFields = {}): Model {
  const {apps = [], inputs = ['juju-status'], ...rest} = fields
  const m: Model = {
    controller: 'prod',
    name,
    applications: new Map(),
    relations: [],
    offers: [],
    consumed: [],
    machines: [],
    refs: [ref('status.json', 'model')],
    ...rest,
    inputs: new Set(inputs),
  }
  for (const a of apps) {
    a.model = name
    a.controller = m.controller
    m.applications.set(a.name, a)
  }
  return m
}

/** `relation('a:ep', 'b:ep', 'iface')`; an endpoint without `:` has no endpoint name. */
export function relation(a: string, b: string, iface?: string): Relation {
  const end = (text: string): RelationEndpoint => {
    const [application = '', endpoint] = text.split(':')
    return endpoint === undefined ? {application} : {application, endpoint}
  }
  const r: Relation = {endpoints: [end(a), end(b)], ref: ref('bundle.yaml', 'relations', 0)}
  if (iface) r.interface = iface
  return r
}

export function controller(name: string, fields: Partial<Controller> = {}): Controller {
  return {name, refs: [ref('controller.json')], ...fields}
}

export function charm(name: string, fields: Partial<CharmMetadata> = {}): CharmMetadata {
  return {
    name,
    containers: [],
    endpoints: [],
    assumes: [],
    source: `charms/${name}`,
    refs: {definition: ref(`charms/${name}/charmcraft.yaml`)},
    ...fields,
  }
}

export function container(name: string, fields: Partial<CharmContainer> = {}): CharmContainer {
  return {name, ref: ref('charmcraft.yaml', 'containers', name), ...fields}
}

export function endpoint(name: string, role: CharmEndpoint['role'], iface: string): CharmEndpoint {
  return {name, role, interface: iface, ref: ref('charmcraft.yaml', role, name)}
}

export function option(type: string, fields: Partial<CharmOption> = {}): CharmOption {
  return {type, ref: ref('charmcraft.yaml', 'config', 'options'), ...fields}
}

// ---------------------------------------------------------------- Kubernetes

function meta(namespace: string | undefined, name: string, extra: {labels?: Record<string, string>; annotations?: Record<string, string>} = {}) {
  return {name, ...(namespace === undefined ? {} : {namespace}), ...extra}
}

export function podSpec(fields: Partial<PodSpec> = {}): PodSpec {
  return {containers: [{name: 'workload'}], ...fields}
}

export function pod(
  namespace: string,
  name: string,
  fields: {labels?: Record<string, string>; annotations?: Record<string, string>; spec?: Partial<PodSpec>; owner?: {kind: string; name: string}} = {},
): KubePod {
  const metadata = {
    ...meta(namespace, name, {...(fields.labels ? {labels: fields.labels} : {}), ...(fields.annotations ? {annotations: fields.annotations} : {})}),
    ...(fields.owner ? {ownerReferences: [{...fields.owner, controller: true}]} : {}),
  }
  return {apiVersion: 'v1', kind: 'Pod', metadata, spec: podSpec(fields.spec), ref: ref('pods.json', 'items', name)}
}

export function workload(
  kind: 'StatefulSet' | 'Deployment' | 'DaemonSet',
  namespace: string,
  name: string,
  fields: {labels?: Record<string, string>; annotations?: Record<string, string>; spec?: Partial<PodSpec>} = {},
): KubeWorkload {
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: meta(namespace, name, fields.annotations ? {annotations: fields.annotations} : {}),
    spec: {template: {metadata: {labels: fields.labels ?? {'app.kubernetes.io/name': name}}, spec: podSpec(fields.spec)}},
    ref: ref('workloads.json', 'items', name),
  }
}

/**
 * The pod spec Juju 3.6 gives a sidecar application (caas/kubernetes/provider/application in
 * juju/juju, spec368_test.go): `charm-init` and `charm` run as the charm-user's uid (root 0,
 * sudoer 171, non-root 170), the workload container as the charm's `uid`/`gid`, or with an empty
 * securityContext (the image's user) when the charm sets none.
 */
export function jujuPodSpec(app: string, charmUid: number, workload: NonNullable<Container['securityContext']> = {}, container = app): PodSpec {
  const agent = {runAsUser: charmUid, runAsGroup: charmUid}
  return {
    serviceAccountName: app,
    automountServiceAccountToken: true,
    ...(charmUid === 0 ? {} : {securityContext: {fsGroup: charmUid, supplementalGroups: [charmUid]}}),
    initContainers: [{name: 'charm-init', image: 'ghcr.io/juju/jujud-operator:3.6.8', command: ['/opt/containeragent'], securityContext: agent}],
    containers: [
      {name: 'charm', image: 'ubuntu@22.04', command: ['/charm/bin/pebble'], securityContext: agent},
      {name: container, image: `registry.jujucharms.com/charm/x/${container}-image@sha256:0f1e`, command: ['/charm/bin/pebble'], securityContext: workload},
    ],
    volumes: [{name: 'charm-data', emptyDir: {}}],
  } as PodSpec
}

/** A pod of a Juju sidecar application as `kubectl get pods -o json` shows it (StatefulSet-owned). */
export function jujuSidecarPod(namespace: string, name: string, app: string, charmUid: number, workload: NonNullable<Container['securityContext']> = {}): KubePod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      labels: {'app.kubernetes.io/name': app, 'apps.kubernetes.io/pod-index': name.slice(name.lastIndexOf('-') + 1), 'controller-revision-hash': `${app}-7c9f6d5b8`, 'statefulset.kubernetes.io/pod-name': name},
      ownerReferences: [{apiVersion: 'apps/v1', kind: 'StatefulSet', name: app, uid: `uid-sts-${app}`, controller: true, blockOwnerDeletion: true}],
    },
    spec: jujuPodSpec(app, charmUid, workload),
    ref: ref('pods.json', 'items', name),
  }
}

/** The StatefulSet Juju creates for a sidecar application. */
export function jujuStatefulSet(namespace: string, app: string, charmUid: number, workload: NonNullable<Container['securityContext']> = {}): KubeWorkload {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name: app,
      namespace,
      labels: {'app.kubernetes.io/managed-by': 'juju', 'app.kubernetes.io/name': app},
      annotations: {'juju.is/version': '3.6.8', 'app.juju.is/uuid': `uuid-${app}`, 'charm.juju.is/modified-version': '0'},
    },
    spec: {selector: {matchLabels: {'app.kubernetes.io/name': app}}, template: {metadata: {labels: {'app.kubernetes.io/name': app}}, spec: jujuPodSpec(app, charmUid, workload)}},
    ref: ref('statefulsets.json', 'items', app),
  }
}

export function service(namespace: string, name: string, spec: KubeService['spec'] = {}, annotations?: Record<string, string>): KubeService {
  return {apiVersion: 'v1', kind: 'Service', metadata: meta(namespace, name, annotations ? {annotations} : {}), spec, ref: ref('services.json', 'items', name)}
}

export function ingress(namespace: string, name: string, spec: KubeIngress['spec']): KubeIngress {
  return {apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: meta(namespace, name), spec, ref: ref('ingresses.json', 'items', name)}
}

export function gateway(namespace: string, name: string, spec: KubeGateway['spec']): KubeGateway {
  return {apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: meta(namespace, name), spec, ref: ref('gateways.json', 'items', name)}
}

export function httpRoute(namespace: string, name: string, spec: KubeRoute['spec'], kind: 'HTTPRoute' | 'GRPCRoute' = 'HTTPRoute'): KubeRoute {
  return {apiVersion: 'gateway.networking.k8s.io/v1', kind, metadata: meta(namespace, name), spec, ref: ref('httproutes.json', 'items', name)}
}

export function networkPolicy(namespace: string, name: string, spec: KubeNetworkPolicy['spec']): KubeNetworkPolicy {
  return {apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta(namespace, name), spec, ref: ref('netpol.json', 'items', name)}
}

export function namespace(name: string, labels: Record<string, string> = {}, annotations?: Record<string, string>): KubeNamespace {
  return {apiVersion: 'v1', kind: 'Namespace', metadata: meta(undefined, name, {labels, ...(annotations ? {annotations} : {})}), ref: ref('namespaces.json', 'items', name)}
}

export const WILDCARD: PolicyRule = {apiGroups: ['*'], resources: ['*'], verbs: ['*']}

export function role(namespace: string | undefined, name: string, rules: PolicyRule[]): KubeRole {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: namespace === undefined ? 'ClusterRole' : 'Role',
    metadata: meta(namespace, name),
    rules,
    ref: ref('rbac.json', 'items', name),
  }
}

export function binding(
  namespace: string | undefined,
  name: string,
  roleRef: {kind: 'Role' | 'ClusterRole'; name: string},
  subjects: {kind: string; name: string; namespace?: string}[],
  labels?: Record<string, string>,
): KubeRoleBinding {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: namespace === undefined ? 'ClusterRoleBinding' : 'RoleBinding',
    metadata: meta(namespace, name, labels ? {labels} : {}),
    roleRef: {apiGroup: 'rbac.authorization.k8s.io', ...roleRef},
    subjects,
    ref: ref('rbac.json', 'items', name),
  }
}

export function serviceAccount(namespace: string, name: string, annotations?: Record<string, string>): KubeServiceAccount {
  return {apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(namespace, name, annotations ? {annotations} : {}), ref: ref('sa.json', 'items', name)}
}

// ---------------------------------------------------------------- Inventory

export interface InventoryFields {
  models?: Model[]
  controllers?: Controller[]
  charms?: CharmMetadata[]
  kube?: Partial<Omit<KubernetesView, 'namespaces'>> & {namespaces?: KubeNamespace[]}
  /** Inputs read; the models' inputs are added. */
  inputs?: InputKind[]
  /** Join charm metadata into applications by charm name (as the builder does). Default true. */
  joinCharms?: boolean
}

export function inventory(fields: InventoryFields = {}): Inventory {
  const view = emptyKubernetesView()
  const {namespaces = [], ...kube} = fields.kube ?? {}
  Object.assign(view, kube)
  for (const ns of namespaces) view.namespaces.set(ns.metadata.name, ns)
  const inputs = new Set<InputKind>(fields.inputs ?? [])
  const models = new Map<string, Model>()
  for (const m of fields.models ?? []) {
    models.set(modelKey(m.controller, m.name), m)
    for (const i of m.inputs) inputs.add(i)
  }
  const charms = new Map((fields.charms ?? []).map((c) => [c.name, c]))
  if (fields.joinCharms !== false) {
    for (const m of models.values()) {
      for (const a of m.applications.values()) {
        const metadata = charms.get(a.charm)
        if (metadata && !a.metadata) a.metadata = metadata
      }
    }
  }
  const locate = (r: SourceRef | undefined) => (r?.file ? {file: r.file, line: r.path.length + 1} : undefined)
  return {
    controllers: new Map((fields.controllers ?? []).map((c) => [c.name, c])),
    models,
    charms,
    kubernetes: view,
    inputs,
    gaps: [],
    files: [],
    locate,
    locateAll: (refs) => refs.map(locate),
  }
}

export function policy(fields: Record<string, unknown> = {}): Policy {
  return Object.keys(fields).length === 0 ? defaultPolicy() : policySchema.parse({apiVersion: 'hardenctl.io/v1', ...fields})
}

/** Runs one rule and returns what the engine made of it. */
export function run(rule: Rule, inv: Inventory, pol: Policy = policy()): EvaluationResult {
  return evaluateRules([rule], inv, pol, {now: NOW})
}

/** The findings of one rule, flattened for assertions. */
export function findings(rule: Rule, inv: Inventory, pol: Policy = policy()) {
  return run(rule, inv, pol).findings.map((f) => ({...f.finding, annotations: f.annotations}))
}
