/**
 * Which Kubernetes namespace holds which Juju model: one answer for the inventory's join (objects
 * → applications) and for the audit's scope (which namespaces are judged, as which model), so the
 * two can never disagree. A model is placed in one namespace and a namespace holds one model; the
 * first rule that places them wins:
 *
 * 1. the namespace Juju itself reported for the model (live status, show-model);
 * 2. a namespace labelled `model.juju.is/id` with the model's uuid;
 * 3. a controller namespace (`controller-NAME`, or annotated `controller.juju.is/is-controller`)
 *    holds the controller model of controller NAME, or, when Juju labelled it, the only
 *    controller model known (a controller may be known locally under another name);
 * 4. a namespace labelled `model.juju.is/name` holds the only unplaced model of that name that
 *    may run on Kubernetes (not an iaas model);
 * 5. an unlabelled namespace named after the only unplaced caas model of that name (Juju names a
 *    model's namespace after the model).
 *
 * Where two models could claim a namespace (the same model name on two controllers, no uuid
 * label), neither is placed there: guessing would join one model's pods to another's findings.
 */
import {JUJU_IS_CONTROLLER_ANNOTATION, JUJU_MODEL_ID_LABEL, JUJU_MODEL_LABEL, type KubeNamespace, type KubernetesView} from './kubernetes.js'
import type {InputKind, Model} from './types.js'

export interface ModelPlacement {
  /** Every namespace any input mentions (`mentionedNamespaces`), sorted. */
  namespaces: readonly string[]
  modelOf(namespace: string): Model | undefined
  namespaceOf(model: Model): string | undefined
}

export function placeModels(models: Iterable<Model>, view: KubernetesView, inputs: ReadonlySet<InputKind>): ModelPlacement {
  const kubernetesModels = [...models].filter((model) => model.type !== 'iaas')
  const candidates = mentionedNamespaces(view, kubernetesModels, inputs)
  const modelByNamespace = new Map<string, Model>()
  const namespaceByModel = new Map<Model, string>()
  const place = (namespace: string, model: Model | undefined): void => {
    if (!model || modelByNamespace.has(namespace) || namespaceByModel.has(model)) return
    modelByNamespace.set(namespace, model)
    namespaceByModel.set(model, namespace)
  }
  const unplaced = (test: (model: Model) => boolean): Model | undefined => only(kubernetesModels.filter((model) => !namespaceByModel.has(model) && test(model)))

  for (const model of kubernetesModels) if (model.namespace) place(model.namespace, model)
  for (const namespace of view.namespaces.values()) {
    const uuid = namespace.metadata.labels?.[JUJU_MODEL_ID_LABEL]
    if (uuid !== undefined) place(namespace.metadata.name, unplaced((model) => model.uuid === uuid))
  }
  for (const name of candidates) {
    const namespace = view.namespaces.get(name)
    if (!isControllerNamespace(name, namespace)) continue
    const controller = name.startsWith('controller-') ? name.slice('controller-'.length) : undefined
    const labelled = namespace?.metadata.labels?.[JUJU_MODEL_LABEL] !== undefined
    place(name, unplaced((model) => model.name === 'controller' && model.controller === controller) ?? (labelled ? unplaced((model) => model.name === 'controller') : undefined))
  }
  for (const name of candidates) {
    const label = view.namespaces.get(name)?.metadata.labels?.[JUJU_MODEL_LABEL]
    if (label !== undefined) place(name, unplaced((model) => model.name === label))
  }
  for (const name of candidates) {
    if (view.namespaces.get(name)?.metadata.labels?.[JUJU_MODEL_LABEL] !== undefined) continue
    place(name, unplaced((model) => model.name === name && model.type === 'caas'))
  }
  return {namespaces: candidates, modelOf: (namespace) => modelByNamespace.get(namespace), namespaceOf: (model) => namespaceByModel.get(model)}
}

/**
 * Every namespace name any input mentions, sorted. Once any Kubernetes input was read, a caas
 * model's own namespace counts even if no object in it was seen: an empty list of
 * NetworkPolicies there is news.
 */
function mentionedNamespaces(view: KubernetesView, models: readonly Model[], inputs: ReadonlySet<InputKind>): string[] {
  const mentioned = new Set<string>(view.namespaces.keys())
  const collections = [view.pods, view.workloads, view.services, view.ingresses, view.networkPolicies, view.serviceAccounts, view.roles, view.roleBindings, view.gateways, view.routes]
  for (const list of collections) for (const object of list) if (object.metadata.namespace) mentioned.add(object.metadata.namespace)
  // A binding's ServiceAccount subject names its namespace (RBAC requires it): a cluster-wide binding
  // read without that namespace's own objects still puts the namespace in view.
  for (const binding of [...view.roleBindings, ...view.clusterRoleBindings]) {
    for (const subject of binding.subjects ?? []) if (subject.kind === 'ServiceAccount' && subject.namespace) mentioned.add(subject.namespace)
  }
  for (const model of models) if (model.namespace) mentioned.add(model.namespace)
  const anyKubernetesInput = [...inputs].some((input) => input.startsWith('k8s-'))
  if (anyKubernetesInput) for (const model of models) if (model.type === 'caas' && !model.namespace && model.name !== 'controller') mentioned.add(model.name)
  return [...mentioned].sort()
}

export function isControllerNamespace(name: string, namespace: KubeNamespace | undefined): boolean {
  if (namespace?.metadata.annotations?.[JUJU_IS_CONTROLLER_ANNOTATION] === 'true') return true
  const modelLabel = namespace?.metadata.labels?.[JUJU_MODEL_LABEL]
  return name.startsWith('controller-') && (modelLabel === undefined || modelLabel === 'controller')
}

/** The one candidate, or none when there are several to choose from. */
function only<T>(candidates: T[]): T | undefined {
  return candidates.length === 1 ? candidates[0] : undefined
}
