/**
 * What a fix command may refer to: the models, applications, charm endpoints, users and
 * Kubernetes objects of the inventory the finding came from.
 */
import type {Target} from '../../src/findings/types.js'
import {normalizeCharmName, type CharmMetadata} from '../../src/inventory/charm.js'
import type {InputKind, Inventory, Model} from '../../src/inventory/types.js'
import type {Policy} from '../../src/policy/schema.js'

export interface Estate {
  inventory: Inventory
  /** The policy the rules ran with (trust.allow decides whether granting trust is a new finding). */
  policy?: Policy
  /** `review` findings are pre-deploy: nothing is running yet. */
  mode: 'audit' | 'review'
  /** The finding's target: the model a command without `-m` works in. */
  target: Target
}

export function modelsNamed(estate: Estate, name: string, controller?: string): Model[] {
  return [...estate.inventory.models.values()].filter((m) => m.name === name && (controller === undefined || m.controller === controller))
}

/** The model of the finding's target (a command without `-m` runs in the current model). */
export function targetModel(estate: Estate): Model | undefined {
  const {target} = estate
  const name = target.kind === 'model' ? target.name : target.model
  if (name === undefined) return estate.inventory.models.size === 1 ? [...estate.inventory.models.values()][0] : undefined
  return modelsNamed(estate, name, target.controller)[0] ?? modelsNamed(estate, name)[0]
}

export function controllerNames(estate: Estate): Set<string> {
  const names = new Set<string>([...estate.inventory.controllers.keys()].filter(Boolean))
  for (const model of estate.inventory.models.values()) if (model.controller) names.add(model.controller)
  return names
}

/** Applications a command may name in `model`: deployed, consumed (SAAS), or created earlier on the line. */
export function applicationNames(model: Model, createdOnLine: ReadonlySet<string>): Set<string> {
  return new Set([...model.applications.keys(), ...model.consumed.map((c) => c.name), ...createdOnLine])
}

export function charmMetadata(estate: Estate, model: Model, appName: string): CharmMetadata | undefined {
  const app = model.applications.get(appName)
  if (!app) return undefined
  return app.metadata ?? estate.inventory.charms.get(normalizeCharmName(app.charm)) ?? estate.inventory.charms.get(app.charm)
}

/** Kubernetes kinds as kubectl names them, with the input that lists them. */
export interface KubeKind {
  kind: string
  plural: string
  aliases: readonly string[]
  namespaced: boolean
  input: InputKind
  list(inventory: Inventory): readonly {kind?: string; metadata: {name: string; namespace?: string | undefined; labels?: Record<string, string> | undefined}}[]
}

const kind = (k: Omit<KubeKind, 'aliases'> & {aliases?: string[]}): KubeKind => ({aliases: [], ...k})

export const KUBE_KINDS: readonly KubeKind[] = [
  kind({kind: 'Namespace', plural: 'namespaces', aliases: ['ns'], namespaced: false, input: 'k8s-namespaces', list: (i) => [...i.kubernetes.namespaces.values()]}),
  kind({kind: 'Pod', plural: 'pods', aliases: ['po'], namespaced: true, input: 'k8s-pods', list: (i) => i.kubernetes.pods}),
  kind({kind: 'Service', plural: 'services', aliases: ['svc'], namespaced: true, input: 'k8s-services', list: (i) => i.kubernetes.services}),
  kind({kind: 'Ingress', plural: 'ingresses', aliases: ['ing'], namespaced: true, input: 'k8s-ingresses', list: (i) => i.kubernetes.ingresses}),
  kind({kind: 'NetworkPolicy', plural: 'networkpolicies', aliases: ['netpol'], namespaced: true, input: 'k8s-networkpolicies', list: (i) => i.kubernetes.networkPolicies}),
  kind({kind: 'ServiceAccount', plural: 'serviceaccounts', aliases: ['sa'], namespaced: true, input: 'k8s-serviceaccounts', list: (i) => i.kubernetes.serviceAccounts}),
  kind({kind: 'Role', plural: 'roles', namespaced: true, input: 'k8s-rbac', list: (i) => i.kubernetes.roles}),
  kind({kind: 'ClusterRole', plural: 'clusterroles', namespaced: false, input: 'k8s-rbac', list: (i) => i.kubernetes.clusterRoles}),
  kind({kind: 'RoleBinding', plural: 'rolebindings', namespaced: true, input: 'k8s-rbac', list: (i) => i.kubernetes.roleBindings}),
  kind({kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false, input: 'k8s-rbac', list: (i) => i.kubernetes.clusterRoleBindings}),
  kind({kind: 'StatefulSet', plural: 'statefulsets', aliases: ['sts'], namespaced: true, input: 'k8s-workloads', list: (i) => i.kubernetes.workloads.filter((w) => w.kind === 'StatefulSet')}),
  kind({kind: 'Deployment', plural: 'deployments', aliases: ['deploy'], namespaced: true, input: 'k8s-workloads', list: (i) => i.kubernetes.workloads.filter((w) => w.kind === 'Deployment')}),
  kind({kind: 'DaemonSet', plural: 'daemonsets', aliases: ['ds'], namespaced: true, input: 'k8s-workloads', list: (i) => i.kubernetes.workloads.filter((w) => w.kind === 'DaemonSet')}),
  kind({kind: 'Gateway', plural: 'gateways', namespaced: true, input: 'k8s-gateway-api', list: (i) => i.kubernetes.gateways}),
  kind({kind: 'HTTPRoute', plural: 'httproutes', namespaced: true, input: 'k8s-gateway-api', list: (i) => i.kubernetes.routes.filter((r) => r.kind === 'HTTPRoute')}),
  kind({kind: 'GRPCRoute', plural: 'grpcroutes', namespaced: true, input: 'k8s-gateway-api', list: (i) => i.kubernetes.routes.filter((r) => r.kind === 'GRPCRoute')}),
  // Secrets and ConfigMaps are never read by hardenctl: their existence cannot be checked.
  kind({kind: 'Secret', plural: 'secrets', namespaced: true, input: 'k8s-workloads', list: () => []}),
  kind({kind: 'ConfigMap', plural: 'configmaps', aliases: ['cm'], namespaced: true, input: 'k8s-workloads', list: () => []}),
]

export function kubeKind(type: string): KubeKind | undefined {
  const t = type.toLowerCase().split('.')[0]!
  return KUBE_KINDS.find((k) => k.kind.toLowerCase() === t || k.plural === t || k.aliases.includes(t))
}

/**
 * The object named by a kubectl command, when its kind was read: `undefined` if the kind was not
 * read (existence unknown), `null` if it was read and the object is not there.
 */
export function findKubeObject(estate: Estate, k: KubeKind, name: string, namespace: string | undefined) {
  if (k.kind === 'Secret' || k.kind === 'ConfigMap') return undefined
  const objects = k.list(estate.inventory)
  if (!estate.inventory.inputs.has(k.input) && objects.length === 0) return undefined
  return objects.find((o) => o.metadata.name === name && (!k.namespaced || (o.metadata.namespace ?? 'default') === (namespace ?? 'default'))) ?? null
}

export function namespaceKnown(estate: Estate, namespace: string): boolean | undefined {
  const namespaces = estate.inventory.kubernetes.namespaces
  if (namespaces.size === 0) return undefined
  return namespaces.has(namespace)
}
