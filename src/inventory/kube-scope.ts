/**
 * Which Kubernetes namespaces hardenctl audits and which Juju model each belongs to.
 *
 * Scoped: Juju model namespaces (labelled `model.juju.is/name`, or holding a model by the rules of
 * model-namespaces.ts, which the inventory's join follows too), controller namespaces
 * (`controller-*` or annotated `controller.juju.is/is-controller: "true"`), and
 * `policy.kubernetes.namespaces` (globs). Never kube-system and friends unless the policy names them.
 */
import {APP_NAME_LABEL, JUJU_MODEL_LABEL, type KubeNamespace} from './kubernetes.js'
import {isControllerNamespace, placeModels} from './model-namespaces.js'
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

function buildScope(inventory: Inventory, policy: Policy): KubeScope {
  const view = inventory.kubernetes
  const placement = placeModels(inventory.models.values(), view, inventory.inputs)
  const roles = new Map<string, NamespaceRole>()
  for (const name of placement.namespaces) {
    const ns = view.namespaces.get(name)
    if (isControllerNamespace(name, ns)) roles.set(name, 'controller')
    else if (placement.modelOf(name) || ns?.metadata.labels?.[JUJU_MODEL_LABEL] !== undefined) roles.set(name, 'model')
    else if (anyGlobMatches(policy.kubernetes.namespaces, [name])) roles.set(name, 'policy')
  }
  for (const name of roles.keys()) {
    if (SYSTEM_NAMESPACES.includes(name) && !policy.kubernetes.namespaces.includes(name)) roles.delete(name)
  }
  const modelOf = (namespace: string | undefined): Model | undefined => (namespace === undefined ? undefined : placement.modelOf(namespace))

  const appOf = (namespace: string | undefined, labels: Record<string, string> | undefined, name?: string): Application | undefined => {
    if (!namespace) return undefined
    const model = placement.modelOf(namespace)
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
    modelOf,
    namespace: (name) => view.namespaces.get(name),
    appOf,
  }
}
