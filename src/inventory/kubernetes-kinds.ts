/**
 * The Kubernetes kinds hardenctl reads with a dedicated schema, keyed by API group and kind, and
 * the input kind each proves was listed. Any other kind is kept as a generic object.
 */
import type {z} from 'zod'

import {
  cronJobSchema,
  genericObjectSchema,
  ingressSchema,
  namespaceSchema,
  networkPolicySchema,
  podSchema,
  roleBindingSchema,
  roleSchema,
  serviceAccountSchema,
  serviceSchema,
  workloadSchema,
} from './kubernetes-shapes.js'
import type {KubeCronJob, KubeObject, KubernetesView, KubeWorkload} from './kubernetes.js'
import type {InputKind} from './types.js'

export interface KindSpec {
  kind: string
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

export const KIND_SPECS: readonly KindSpec[] = [
  {kind: 'Namespace', schema: namespaceSchema, input: 'k8s-namespaces', groups: CORE, names: ['namespaces', 'namespace', 'ns'], view: 'namespaces'},
  {kind: 'Pod', schema: podSchema, input: 'k8s-pods', groups: CORE, names: ['pods', 'pod', 'po'], view: 'pods'},
  {kind: 'Deployment', schema: workloadSchema, input: 'k8s-workloads', groups: APPS, names: ['deployments', 'deployment', 'deploy', 'workloads'], view: 'workloads'},
  {kind: 'StatefulSet', schema: workloadSchema, input: 'k8s-workloads', groups: ['apps'], names: ['statefulsets', 'statefulset', 'sts'], view: 'workloads'},
  {kind: 'DaemonSet', schema: workloadSchema, input: 'k8s-workloads', groups: APPS, names: ['daemonsets', 'daemonset', 'ds'], view: 'workloads'},
  {kind: 'ReplicaSet', schema: workloadSchema, input: 'k8s-workloads', groups: APPS, names: ['replicasets', 'replicaset', 'rs'], view: 'workloads'},
  {kind: 'Job', schema: workloadSchema, input: 'k8s-workloads', groups: ['batch'], names: ['jobs', 'job'], view: 'workloads'},
  {
    kind: 'CronJob',
    schema: cronJobSchema,
    input: 'k8s-workloads',
    groups: ['batch'],
    names: ['cronjobs', 'cronjob', 'cj'],
    view: 'workloads',
    asView: cronJobAsWorkload,
  },
  {kind: 'Service', schema: serviceSchema, input: 'k8s-services', groups: CORE, names: ['services', 'service', 'svc'], view: 'services'},
  {kind: 'Ingress', schema: ingressSchema, input: 'k8s-ingresses', groups: NETWORKING, names: ['ingresses', 'ingress', 'ing'], view: 'ingresses'},
  {
    kind: 'NetworkPolicy',
    schema: networkPolicySchema,
    input: 'k8s-networkpolicies',
    groups: NETWORKING,
    names: ['networkpolicies', 'networkpolicy', 'netpol'], view: 'networkPolicies'},
  {
    kind: 'ServiceAccount',
    schema: serviceAccountSchema,
    input: 'k8s-serviceaccounts',
    groups: CORE,
    names: ['serviceaccounts', 'serviceaccount', 'sa'], view: 'serviceAccounts'},
  {kind: 'Role', schema: roleSchema, input: 'k8s-rbac', groups: RBAC, names: ['roles', 'role', 'rbac'], view: 'roles'},
  {kind: 'ClusterRole', schema: roleSchema, input: 'k8s-rbac', groups: RBAC, names: ['clusterroles', 'clusterrole'], view: 'clusterRoles'},
  {kind: 'RoleBinding', schema: roleBindingSchema, input: 'k8s-rbac', groups: RBAC, names: ['rolebindings', 'rolebinding'], view: 'roleBindings'},
  {
    kind: 'ClusterRoleBinding',
    schema: roleBindingSchema,
    input: 'k8s-rbac',
    groups: RBAC,
    names: ['clusterrolebindings', 'clusterrolebinding'], view: 'clusterRoleBindings'},
]

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
