/**
 * The one table of Kubernetes kinds: per kind its schema, the input kind it proves was listed,
 * the names kubectl knows it by, the inventory view that keeps it, and, for the kinds a live run
 * reads, the API version and plural it is listed and watched as (src/sources/kubernetes-api).
 * Any other kind is kept as a generic object. Plain data and zod schemas: the offline path
 * imports it without loading the Kubernetes client.
 */
import type {z} from 'zod'

import {
  apiServiceSchema,
  cronJobSchema,
  gatewayClassSchema,
  gatewaySchema,
  genericObjectSchema,
  ingressClassSchema,
  ingressSchema,
  monitorSchema,
  namespaceSchema,
  networkPolicySchema,
  podSchema,
  routeSchema,
  roleBindingSchema,
  roleSchema,
  serviceAccountSchema,
  serviceSchema,
  webhookConfigurationSchema,
  workloadSchema,
} from './kubernetes-shapes.js'
import type {KubeCronJob, KubeObject, KubernetesView, KubeWorkload} from './kubernetes.js'
import type {InputKind} from './types.js'

/** How the API serves a kind: what a live run LISTs and WATCHes, cluster-wide. */
export interface KubernetesList {
  kind: string
  /** The resource in API paths: `/apis/apps/v1/deployments`. */
  plural: string
  /** The version listed (the API's preferred one). */
  apiVersion: string
  /** Cluster-wide list path, relative to the server URL. */
  path: string
  namespaced: boolean
  /**
   * Served only where its CRDs are installed (the Gateway API, Prometheus Operator's monitors): a
   * 404 for a group the cluster does not serve at all means there are none, not a gap.
   */
  optional: boolean
}

export interface KindSpec {
  kind: string
  /** The resource in API paths; also a name `kubectl get` accepts. */
  plural: string
  schema: z.ZodType
  input: InputKind
  /** API groups this kind is read from; `''` is the core group (`apiVersion: v1`). */
  groups: readonly string[]
  /** Lower-case names `kubectl get` accepts for it, used to read a file name as a hint. */
  names: readonly string[]
  /** Where the inventory keeps objects of this kind. */
  view: Exclude<keyof KubernetesView, 'other'>
  /**
   * What the view keeps instead of the object itself, when the kind's shape differs from the
   * view's (a CronJob among the workloads). The object read stays untouched.
   */
  asView?: (object: KubeObject) => KubeObject
  /** What a live run lists and watches it as; absent for kinds read only from files (their owners are listed instead). */
  served?: {apiVersion: string; scope: 'namespaced' | 'cluster'; optional?: true}
}

/**
 * A CronJob as a workload: the same object with `spec.template` set to its pod template
 * (`spec.jobTemplate.spec.template`), so rules judge that template exactly as a Deployment's.
 * A shallow copy: the CronJob read (and written to a snapshot) is not changed.
 */
export function cronJobAsWorkload(object: KubeObject): KubeObject {
  const cronJob = object as unknown as KubeCronJob
  const workload: KubeWorkload = {...cronJob, spec: {...cronJob.spec, template: cronJob.spec.jobTemplate.spec.template}}
  return workload as unknown as KubeObject
}

const CORE = ['']
const APPS = ['apps', 'extensions']
const NETWORKING = ['networking.k8s.io', 'extensions']
const RBAC = ['rbac.authorization.k8s.io']
const ADMISSION = ['admissionregistration.k8s.io']

const namespaced = (apiVersion: string) => ({apiVersion, scope: 'namespaced' as const})
const clusterScoped = (apiVersion: string) => ({apiVersion, scope: 'cluster' as const})
const GATEWAY_API = 'gateway.networking.k8s.io'
const PROMETHEUS_OPERATOR = 'monitoring.coreos.com'
/** A kind of CRDs installed on some clusters only (KubernetesList.optional). */
const optionalCrd = (apiVersion: string, scope: 'namespaced' | 'cluster' = 'namespaced') => ({apiVersion, scope, optional: true as const})
const gatewayApi = (scope: 'namespaced' | 'cluster') => optionalCrd(`${GATEWAY_API}/v1`, scope)

/**
 * Every kind hardenctl reads with a dedicated schema. The served ones in the order a live run
 * lists them (and its documents come out); ReplicaSets and Jobs are read from files only.
 */
export const KIND_SPECS: readonly KindSpec[] = [
  {kind: 'Namespace', plural: 'namespaces', schema: namespaceSchema, input: 'k8s-namespaces', groups: CORE, names: ['namespaces', 'namespace', 'ns'], view: 'namespaces', served: clusterScoped('v1')},
  {kind: 'Pod', plural: 'pods', schema: podSchema, input: 'k8s-pods', groups: CORE, names: ['pods', 'pod', 'po'], view: 'pods', served: namespaced('v1')},
  {kind: 'Service', plural: 'services', schema: serviceSchema, input: 'k8s-services', groups: CORE, names: ['services', 'service', 'svc'], view: 'services', served: namespaced('v1')},
  {
    kind: 'ServiceAccount',
    plural: 'serviceaccounts',
    schema: serviceAccountSchema,
    input: 'k8s-serviceaccounts',
    groups: CORE,
    names: ['serviceaccounts', 'serviceaccount', 'sa'],
    view: 'serviceAccounts',
    served: namespaced('v1'),
  },
  {
    kind: 'Deployment',
    plural: 'deployments',
    schema: workloadSchema,
    input: 'k8s-workloads',
    groups: APPS,
    names: ['deployments', 'deployment', 'deploy', 'workloads'],
    view: 'workloads',
    served: namespaced('apps/v1'),
  },
  {kind: 'StatefulSet', plural: 'statefulsets', schema: workloadSchema, input: 'k8s-workloads', groups: ['apps'], names: ['statefulsets', 'statefulset', 'sts'], view: 'workloads', served: namespaced('apps/v1')},
  {kind: 'DaemonSet', plural: 'daemonsets', schema: workloadSchema, input: 'k8s-workloads', groups: APPS, names: ['daemonsets', 'daemonset', 'ds'], view: 'workloads', served: namespaced('apps/v1')},
  {
    kind: 'CronJob',
    plural: 'cronjobs',
    schema: cronJobSchema,
    input: 'k8s-workloads',
    groups: ['batch'],
    names: ['cronjobs', 'cronjob', 'cj'],
    view: 'workloads',
    asView: cronJobAsWorkload,
    served: namespaced('batch/v1'),
  },
  {
    kind: 'Ingress',
    plural: 'ingresses',
    schema: ingressSchema,
    input: 'k8s-ingresses',
    groups: NETWORKING,
    names: ['ingresses', 'ingress', 'ing'],
    view: 'ingresses',
    served: namespaced('networking.k8s.io/v1'),
  },
  {
    kind: 'NetworkPolicy',
    plural: 'networkpolicies',
    schema: networkPolicySchema,
    input: 'k8s-networkpolicies',
    groups: NETWORKING,
    names: ['networkpolicies', 'networkpolicy', 'netpol'],
    view: 'networkPolicies',
    served: namespaced('networking.k8s.io/v1'),
  },
  {kind: 'Role', plural: 'roles', schema: roleSchema, input: 'k8s-rbac', groups: RBAC, names: ['roles', 'role', 'rbac'], view: 'roles', served: namespaced('rbac.authorization.k8s.io/v1')},
  {
    kind: 'RoleBinding',
    plural: 'rolebindings',
    schema: roleBindingSchema,
    input: 'k8s-rbac',
    groups: RBAC,
    names: ['rolebindings', 'rolebinding'],
    view: 'roleBindings',
    served: namespaced('rbac.authorization.k8s.io/v1'),
  },
  {
    kind: 'ClusterRole',
    plural: 'clusterroles',
    schema: roleSchema,
    input: 'k8s-rbac',
    groups: RBAC,
    names: ['clusterroles', 'clusterrole'],
    view: 'clusterRoles',
    served: clusterScoped('rbac.authorization.k8s.io/v1'),
  },
  {
    kind: 'ClusterRoleBinding',
    plural: 'clusterrolebindings',
    schema: roleBindingSchema,
    input: 'k8s-rbac',
    groups: RBAC,
    names: ['clusterrolebindings', 'clusterrolebinding'],
    view: 'clusterRoleBindings',
    served: clusterScoped('rbac.authorization.k8s.io/v1'),
  },
  // What the API server itself calls (reconcile must keep those Services reachable from it).
  {
    kind: 'ValidatingWebhookConfiguration',
    plural: 'validatingwebhookconfigurations',
    schema: webhookConfigurationSchema,
    input: 'k8s-webhooks',
    groups: ADMISSION,
    names: ['validatingwebhookconfigurations', 'validatingwebhookconfiguration'],
    view: 'webhookConfigurations',
    served: clusterScoped('admissionregistration.k8s.io/v1'),
  },
  {
    kind: 'MutatingWebhookConfiguration',
    plural: 'mutatingwebhookconfigurations',
    schema: webhookConfigurationSchema,
    input: 'k8s-webhooks',
    groups: ADMISSION,
    names: ['mutatingwebhookconfigurations', 'mutatingwebhookconfiguration'],
    view: 'webhookConfigurations',
    served: clusterScoped('admissionregistration.k8s.io/v1'),
  },
  {
    kind: 'APIService',
    plural: 'apiservices',
    schema: apiServiceSchema,
    input: 'k8s-webhooks',
    groups: ['apiregistration.k8s.io'],
    names: ['apiservices', 'apiservice'],
    view: 'apiServices',
    served: clusterScoped('apiregistration.k8s.io/v1'),
  },
  {
    kind: 'IngressClass',
    plural: 'ingressclasses',
    schema: ingressClassSchema,
    input: 'k8s-ingresses',
    groups: ['networking.k8s.io'],
    names: ['ingressclasses', 'ingressclass'],
    view: 'ingressClasses',
    served: clusterScoped('networking.k8s.io/v1'),
  },
  // The Gateway API: what routes to a model's Services from outside it, as Ingresses do.
  {
    kind: 'GatewayClass',
    plural: 'gatewayclasses',
    schema: gatewayClassSchema,
    input: 'k8s-gateway-api',
    groups: [GATEWAY_API],
    names: ['gatewayclasses', 'gatewayclass'],
    view: 'gatewayClasses',
    served: gatewayApi('cluster'),
  },
  {kind: 'Gateway', plural: 'gateways', schema: gatewaySchema, input: 'k8s-gateway-api', groups: [GATEWAY_API], names: ['gateways', 'gateway'], view: 'gateways', served: gatewayApi('namespaced')},
  {kind: 'HTTPRoute', plural: 'httproutes', schema: routeSchema, input: 'k8s-gateway-api', groups: [GATEWAY_API], names: ['httproutes', 'httproute'], view: 'routes', served: gatewayApi('namespaced')},
  {kind: 'GRPCRoute', plural: 'grpcroutes', schema: routeSchema, input: 'k8s-gateway-api', groups: [GATEWAY_API], names: ['grpcroutes', 'grpcroute'], view: 'routes', served: gatewayApi('namespaced')},
  // Prometheus Operator's scrape targets: who connects to a model's metrics ports besides its relations.
  {
    kind: 'ServiceMonitor',
    plural: 'servicemonitors',
    schema: monitorSchema,
    input: 'k8s-prometheus-monitors',
    groups: [PROMETHEUS_OPERATOR],
    names: ['servicemonitors', 'servicemonitor'],
    view: 'monitors',
    served: optionalCrd(`${PROMETHEUS_OPERATOR}/v1`),
  },
  {
    kind: 'PodMonitor',
    plural: 'podmonitors',
    schema: monitorSchema,
    input: 'k8s-prometheus-monitors',
    groups: [PROMETHEUS_OPERATOR],
    names: ['podmonitors', 'podmonitor'],
    view: 'monitors',
    served: optionalCrd(`${PROMETHEUS_OPERATOR}/v1`),
  },
  {kind: 'ReplicaSet', plural: 'replicasets', schema: workloadSchema, input: 'k8s-workloads', groups: APPS, names: ['replicasets', 'replicaset', 'rs'], view: 'workloads'},
  {kind: 'Job', plural: 'jobs', schema: workloadSchema, input: 'k8s-workloads', groups: ['batch'], names: ['jobs', 'job'], view: 'workloads'},
]

/** What a live audit lists (and `reconcile --watch` watches), in the order it is listed and the documents come out. */
export const KUBERNETES_LISTS: readonly KubernetesList[] = KIND_SPECS.flatMap(({kind, plural, served}) => {
  if (!served) return []
  const path = served.apiVersion.includes('/') ? `/apis/${served.apiVersion}/${plural}` : `/api/${served.apiVersion}/${plural}`
  return [{kind, plural, apiVersion: served.apiVersion, path, namespaced: served.scope === 'namespaced', optional: served.optional === true}]
})

/** For any kind without a dedicated schema. */
export const GENERIC_SPEC = {schema: genericObjectSchema} as const

const BY_GROUP_AND_KIND = new Map<string, KindSpec>()
const BY_NAME = new Map<string, KindSpec>()
for (const spec of KIND_SPECS) {
  for (const group of spec.groups) BY_GROUP_AND_KIND.set(`${group}/${spec.kind}`, spec)
  for (const name of spec.names) BY_NAME.set(name, spec)
}

/** The API group of an `apiVersion`: `apps/v1` → `apps`, `v1` → `''` (core). */
export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/')
  return slash === -1 ? '' : apiVersion.slice(0, slash)
}

/**
 * The dedicated spec for an object, or undefined for kinds read generically. The group must match
 * too, so a custom resource that reuses a built-in kind name (Knative's `serving.knative.dev`
 * `Service`) is not mistaken for the built-in one.
 */
export function specFor(apiVersion: string, kind: string): KindSpec | undefined {
  return BY_GROUP_AND_KIND.get(`${apiGroup(apiVersion)}/${kind}`)
}

/**
 * Input kinds a file name says were listed: `networkpolicies.json` → `k8s-networkpolicies`;
 * `roles,rolebindings.json` → `k8s-rbac`. Used only for a `kind: List` with no items, whose
 * content alone cannot say what was asked for.
 */
export function inputsFromFileName(file: string): InputKind[] {
  const base = file.split(/[\\/]/).pop() ?? ''
  const stem = base.replace(/\.(json|ya?ml)$/i, '').toLowerCase()
  const inputs = new Set<InputKind>()
  for (const part of stem.split(',')) {
    const spec = BY_NAME.get(part.trim().replace(/\.[a-z0-9.-]+$/, ''))
    if (spec) inputs.add(spec.input)
  }
  return [...inputs]
}
