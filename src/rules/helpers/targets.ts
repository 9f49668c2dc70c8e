/** Targets and iteration over the inventory, so every rule names things the same way. */
import type {Target} from '../../findings/types.js'
import type {KubeObject} from '../../inventory/kubernetes.js'
import {jujuModelName, MODEL_PLACEHOLDER, modelQualifier} from '../../inventory/model-name.js'
import type {Application, Controller, Inventory, Model} from '../../inventory/types.js'

export {jujuModelName, MODEL_PLACEHOLDER} from '../../inventory/model-name.js'

/** What `--to-cidrs` says when the policy names no allowed sources: the user's admin networks. */
export const ADMIN_CIDRS = 'ADMIN-CIDRS'

export function appTarget(app: Application, model?: Model): Target {
  const target: Target = {kind: 'application', name: app.name, model: app.model}
  if (app.controller) target.controller = app.controller
  const namespace = app.kubernetes?.namespace ?? model?.namespace
  if (namespace) target.namespace = namespace
  return target
}

/** A model is its own model: `model` is set so reports group its findings with its applications'. */
export function modelTarget(model: Model): Target {
  const target: Target = {kind: 'model', name: model.name, model: model.name}
  if (model.controller) target.controller = model.controller
  if (model.namespace) target.namespace = model.namespace
  return target
}

export function controllerTarget(controller: Controller | string): Target {
  return {kind: 'controller', name: typeof controller === 'string' ? controller : controller.name, controller: typeof controller === 'string' ? controller : controller.name}
}

/** `controller NAME` in a message, or `the controller` when the input did not name it (a `juju users` file on its own). */
export function controllerText(name: string): string {
  return name ? `controller ${name}` : 'the controller'
}

export function userTarget(name: string, controller: string, model?: string): Target {
  const target: Target = {kind: 'user', name}
  if (controller) target.controller = controller
  if (model) target.model = model
  return target
}

/** A Kubernetes object as a target: its own kind, namespace and, when known, the Juju model. */
export function kubeTarget(object: Pick<KubeObject, 'kind' | 'metadata'>, model?: Model): Target {
  const target: Target = {kind: object.kind, name: object.metadata.name}
  if (object.metadata.namespace) target.namespace = object.metadata.namespace
  if (model) {
    target.model = model.name
    if (model.controller) target.controller = model.controller
  }
  return target
}

export function namespaceTarget(namespace: string, model?: Model): Target {
  const target: Target = {kind: 'namespace', name: namespace, namespace}
  if (model) {
    target.model = model.name
    if (model.controller) target.controller = model.controller
  }
  return target
}

export function* applications(inventory: Inventory): Generator<{model: Model; app: Application}> {
  for (const model of inventory.models.values()) {
    for (const app of model.applications.values()) yield {model, app}
  }
}

interface ModelNaming {
  controller: string
  name: string
  unnamed?: true
  /** What qualifies the name (Juju 3's owner, Juju 4's qualifier), when known. */
  qualifier?: string | undefined
  owner?: string | undefined
}

/**
 * The model as a juju command names it: `qualifier/model` when its qualifier (Juju 3: owner) is
 * known, since juju qualifies a bare name with the logged-in user's (modelcmd's
 * QualifyingClientStore): `web` run by admin means admin/web, not alice's web.
 */
export function qualifiedModelName(model: ModelNaming): string {
  const name = jujuModelName(model)
  const qualifier = modelQualifier(model)
  return qualifier !== undefined && name !== MODEL_PLACEHOLDER ? `${qualifier}/${name}` : name
}

/** `-m` argument for juju commands: `controller:qualifier/model`, with what of it is known. */
export function modelArg(model: ModelNaming): string {
  const name = qualifiedModelName(model)
  return model.controller ? `${model.controller}:${name}` : name
}

/**
 * How a hardenctl.yaml allowlist names an application of the model: `model/app`, with `MODEL`
 * where the model's Juju name is not known (a bundle read on its own is labelled by its file).
 */
export function policyAppName(model: {name: string; unnamed?: true}, app: string): string {
  return `${jujuModelName(model)}/${app}`
}

/** `policyAppName` for an application of the inventory. */
export function appPolicyName(app: Application): string {
  return policyAppName({name: app.model, ...(app.modelUnnamed ? {unnamed: true as const} : {})}, app.name)
}

export function appModelArg(app: Application): string {
  return modelArg({controller: app.controller, name: app.model, qualifier: app.modelQualifier, ...(app.modelUnnamed ? {unnamed: true as const} : {})})
}

export function annotationsOf(object: {metadata: {annotations?: Record<string, string> | undefined}}): Record<string, string> | undefined {
  const annotations = object.metadata.annotations
  return annotations && Object.keys(annotations).length > 0 ? annotations : undefined
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`
}

export function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('')
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`
}

/** `{ref}` when a ref is known, else nothing: spread into a FindingDraft. */
export function refField<R>(ref: R | undefined): {ref?: R} {
  return ref === undefined ? {} : {ref}
}
