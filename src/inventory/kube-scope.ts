/**
 * Which Kubernetes namespaces hardenctl audits and which Juju model each belongs to.
 *
 * Scoped: Juju model namespaces (label `model.juju.is/name`, a caas model's `namespace`, or a
 * namespace named after a caas model), controller namespaces (`controller-*` or annotated
 * `controller.juju.is/is-controller: "true"`), and `policy.kubernetes.namespaces` (globs). Never
 * kube-system and friends unless the policy names them.
 */
import {
  APP_NAME_LABEL,
  JUJU_IS_CONTROLLER_ANNOTATION,
  JUJU_MODEL_LABEL,
  type KubeNamespace,
} from './kubernetes.js'
import type {Application, Inventory, Model} from './types.js'
import type {Policy} from '../policy/schema.js'
import {anyGlobMatches} from '../policy/glob.js'

export const SYSTEM_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease', 'default']

export type NamespaceRole = 'model' | 'controller' | 'policy'

export interface KubeScope {
  /** Every scoped namespace known from any input, sorted. */
  namespaces: string[]
  role(namespace: string | undefined): NamespaceRole | undefined
  isScoped(namespace: string | undefined): boolean
  isController(namespace: string | undefined): boolean
  /** The Juju model a namespace belongs to (the controller model for controller namespaces). */
  modelOf(namespace: string | undefined): Model | undefined
  namespace(name: string): KubeNamespace | undefined
  /** The Juju application a labelled object or a pod belongs to. */
  appOf(namespace: string | undefined, labels: Record<string, string> | undefined, name?: string): Application | undefined
}

const cache = new WeakMap<Inventory, WeakMap<Policy, KubeScope>>()

export function kubeScope(inventory: Inventory, policy: Policy): KubeScope {
  let byPolicy = cache.get(inventory)
  if (!byPolicy) cache.set(inventory, (byPolicy = new WeakMap()))
  let scope = byPolicy.get(policy)
  if (!scope) byPolicy.set(policy, (scope = buildScope(inventory, policy)))
  return scope
}

function isControllerNamespace(name: string, ns: KubeNamespace | undefined): boolean {
  if (ns?.metadata.annotations?.[JUJU_IS_CONTROLLER_ANNOTATION] === 'true') return true
  const modelLabel = ns?.metadata.labels?.[JUJU_MODEL_LABEL]
  return name.startsWith('controller-') && (modelLabel === undefined || modelLabel === 'controller')
}

function buildScope(inventory: Inventory, policy: Policy): KubeScope {
  const view = inventory.kubernetes
  const models = [...inventory.models.values()]
  const modelByNamespace = new Map<string, Model>()
  const roles = new Map<string, NamespaceRole>()

  // Every namespace name any input mentions.
  const mentioned = new Set<string>(view.namespaces.keys())
  const collections = [view.pods, view.workloads, view.services, view.ingresses, view.networkPolicies, view.serviceAccounts, view.roles, view.roleBindings]
  for (const list of collections) for (const o of list) if (o.metadata.namespace) mentioned.add(o.metadata.namespace)
  for (const m of models) if (m.namespace) mentioned.add(m.namespace)
  // Juju names a caas model's namespace after the model; once any Kubernetes input was read, such a
  // namespace is audited even if no object in it was seen (an empty list of NetworkPolicies is news).
  const anyKubernetesInput = [...inventory.inputs].some((i) => i.startsWith('k8s-'))
  if (anyKubernetesInput) for (const m of models) if (m.type === 'caas' && !m.namespace && m.name !== 'controller') mentioned.add(m.name)

  for (const model of models) {
    if (model.namespace) modelByNamespace.set(model.namespace, model)
  }
  for (const name of mentioned) {
    const ns = view.namespaces.get(name)
    if (isControllerNamespace(name, ns)) {
      roles.set(name, 'controller')
      const controllerName = name.slice('controller-'.length)
      const model =
        modelByNamespace.get(name) ??
        models.find((m) => m.name === 'controller' && m.controller === controllerName) ??
        (ns?.metadata.labels?.[JUJU_MODEL_LABEL] ? models.find((m) => m.name === 'controller') : undefined)
      if (model && !modelByNamespace.has(name)) modelByNamespace.set(name, model)
      continue
    }
    const label = ns?.metadata.labels?.[JUJU_MODEL_LABEL]
    if (modelByNamespace.has(name)) {
      roles.set(name, 'model')
    } else if (label !== undefined) {
      roles.set(name, 'model')
      const model = pickModel(models.filter((m) => m.name === label && m.type !== 'iaas'))
      if (model) modelByNamespace.set(name, model)
    } else {
      const model = pickModel(models.filter((m) => m.name === name && m.type === 'caas'))
      if (model) {
        roles.set(name, 'model')
        modelByNamespace.set(name, model)
      }
    }
  }
  for (const name of mentioned) {
    if (!roles.has(name) && anyGlobMatches(policy.kubernetes.namespaces, [name])) roles.set(name, 'policy')
  }
  for (const name of roles.keys()) {
    if (SYSTEM_NAMESPACES.includes(name) && !policy.kubernetes.namespaces.includes(name)) roles.delete(name)
  }

  const appOf = (namespace: string | undefined, labels: Record<string, string> | undefined, name?: string): Application | undefined => {
    if (!namespace) return undefined
    const model = modelByNamespace.get(namespace)
    if (!model) return undefined
    const appName = labels?.[APP_NAME_LABEL]
    if (appName) return model.applications.get(appName)
    return name === undefined ? undefined : model.applications.get(name)
  }

  return {
    namespaces: [...roles.keys()].sort(),
    role: (ns) => (ns === undefined ? undefined : roles.get(ns)),
    isScoped: (ns) => ns !== undefined && roles.has(ns),
    isController: (ns) => ns !== undefined && roles.get(ns) === 'controller',
    modelOf: (ns) => (ns === undefined ? undefined : modelByNamespace.get(ns)),
    namespace: (name) => view.namespaces.get(name),
    appOf,
  }
}

/** One model when the choice is unambiguous, else undefined (two controllers, same model name). */
function pickModel(candidates: Model[]): Model | undefined {
  return candidates.length === 1 ? candidates[0] : undefined
}
