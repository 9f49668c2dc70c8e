/**
 * Merges contributions from every source into one Inventory, then joins the Juju and Kubernetes
 * views: model ↔ namespace, application ↔ workloads/pods/services/RBAC, application ↔ charm
 * metadata. See DOMAIN.md for the labels this relies on.
 */
import {basename, extname} from 'node:path'

import {InputError} from '../errors.js'
import type {Location, Locator, SourceRef} from '../sources/document.js'
import {compact} from './compact.js'
import {type CharmMetadata, mergeCharmMetadata, normalizeCharmName} from './charm.js'
import type {ApplicationFacts, Contribution, ModelFacts} from './contributions.js'
import {joinKubernetes} from './join-kubernetes.js'
import {specFor} from './kubernetes-kinds.js'
import {emptyKubernetesView, type KubeObject, type KubernetesView} from './kubernetes.js'
import {modelQualifier} from './model-name.js'
import {type Application, type Controller, type InputKind, type Inventory, type InventoryGap, type Model, modelKey, type Relation} from './types.js'

export interface BuildOptions {
  /** Files read and what they were recognised as (for the report). */
  files?: {file: string; kind: string}[]
  /** Per-file locators, to turn SourceRefs into file:line. */
  locators?: Map<string, Locator>
}

export function buildInventory(contributions: Contribution[], options: BuildOptions = {}): Inventory {
  const resolved = resolveScopes(contributions)
  const controllers = new Map<string, Controller>()
  const models = new Map<string, Model>()
  const charms = new Map<string, CharmMetadata>()
  const kubernetes = emptyKubernetesView()
  const inputs = new Set<InputKind>()
  const gaps: Inventory['gaps'] = []
  const relationKeys = new Map<string, Set<string>>()

  const controllerFor = (name: string): Controller => {
    let controller = controllers.get(name)
    if (!controller) {
      controller = {name, refs: []}
      controllers.set(name, controller)
    }
    return controller
  }
  const modelFor = (scope: ResolvedScope): Model => {
    if (scope.model === undefined) throw new Error('bug: a model contribution reached the builder without a model')
    const key = modelKey(scope.controller, scope.model)
    let model = models.get(key)
    if (!model) {
      if (scope.controller) controllerFor(scope.controller)
      model = {
        controller: scope.controller,
        name: scope.model,
        ...(scope.unnamed ? {unnamed: true as const} : {}),
        applications: new Map(),
        relations: [],
        offers: [],
        consumed: [],
        machines: [],
        inputs: new Set(),
        refs: [],
      }
      models.set(key, model)
      relationKeys.set(key, new Set())
    }
    return model
  }

  for (const {contribution, scope} of resolved) {
    switch (contribution.type) {
      case 'input': {
        inputs.add(contribution.input)
        if (scope.model !== undefined) modelFor(scope).inputs.add(contribution.input)
        break
      }
      case 'model': {
        const model = modelFor(scope)
        mergeModelFacts(model, contribution.facts)
        if (contribution.ref) model.refs.push(contribution.ref)
        break
      }
      case 'application':
        mergeApplication(modelFor(scope), contribution.facts)
        break
      case 'relation': {
        const model = modelFor(scope)
        const key = relationKey(contribution.relation)
        const seen = relationKeys.get(modelKey(model.controller, model.name))!
        if (!seen.has(key)) {
          seen.add(key)
          model.relations.push(contribution.relation)
        }
        break
      }
      case 'offer': {
        const model = modelFor(scope)
        const existing = model.offers.find((offer) => offer.name === contribution.offer.name)
        if (existing) Object.assign(existing, compact(contribution.offer))
        else model.offers.push({...contribution.offer})
        break
      }
      case 'consumed-offer': {
        const model = modelFor(scope)
        if (!model.consumed.some((consumed) => consumed.name === contribution.consumed.name)) model.consumed.push(contribution.consumed)
        break
      }
      case 'machine': {
        const model = modelFor(scope)
        if (!model.machines.some((machine) => machine.id === contribution.machine.id)) model.machines.push(contribution.machine)
        break
      }
      case 'model-users':
        modelFor(scope).users = contribution.users
        break
      case 'disabled-commands': {
        const model = modelFor(scope)
        model.disabledCommands = contribution.commands
        if (contribution.ref) model.disabledCommandsRef = contribution.ref
        break
      }
      case 'controller-users': {
        // `juju users` lists everyone; `juju show-user` adds one: merge by name, the later wins.
        const controller = controllerFor(scope.controller)
        const byName = new Map((controller.users ?? []).map((user) => [user.name, user]))
        for (const user of contribution.users) byName.set(user.name, {...byName.get(user.name), ...user})
        controller.users = [...byName.values()]
        break
      }
      case 'controller-config': {
        const controller = controllerFor(scope.controller)
        controller.config = {...controller.config, ...contribution.config}
        if (contribution.cloudType) controller.cloudType = contribution.cloudType
        break
      }
      case 'charm':
        mergeCharm(charms, contribution.charm)
        break
      case 'kube-object':
        addKubeObject(kubernetes, contribution.object)
        break
      case 'gap':
        gaps.push(namedGap(contribution.gap, scope))
        break
    }
  }

  for (const model of models.values()) {
    const qualifier = modelQualifier(model)
    for (const application of model.applications.values()) {
      const metadata = charms.get(application.charm) ?? charms.get(normalizeCharmName(application.charm))
      if (metadata) application.metadata = metadata
      if (qualifier !== undefined) application.modelQualifier = qualifier
    }
  }
  joinKubernetes(models, kubernetes, inputs)

  const locators = options.locators ?? new Map<string, Locator>()
  const locate = (ref: SourceRef | undefined): Location | undefined => {
    if (!ref?.file) return undefined
    const position = locators.get(ref.file)?.locate(ref.document ?? 0, ref.path)
    return position ? {file: ref.file, line: position.line, column: position.column} : {file: ref.file}
  }
  return {
    controllers,
    models,
    charms,
    kubernetes,
    inputs,
    gaps,
    files: options.files ?? [],
    locate,
    // `this.locate`, not the closure: a snapshot's hosts replace `locate` to add their own files.
    locateAll(refs) {
      const byFile = new Map<string, number[]>()
      refs.forEach((ref, index) => {
        if (!ref?.file) return
        const indexes = byFile.get(ref.file)
        if (indexes) indexes.push(index)
        else byFile.set(ref.file, [index])
      })
      const locations: (Location | undefined)[] = Array.from({length: refs.length})
      for (const [file, indexes] of byFile) {
        for (const index of indexes) locations[index] = this.locate(refs[index])
        locators.get(file)?.release?.()
      }
      return locations
    },
  }
}

interface ResolvedScope {
  controller: string
  /** Undefined only for controller-level contributions. */
  model?: string
  /** The model name is only a label (a bundle file's name): see `Model.unnamed`. */
  unnamed?: true
}

/**
 * Gives every contribution a controller and, where it is about a model, a model. Files that do
 * not name their model (bundles, `juju config`, `juju disabled-commands` outside the snapshot
 * layout) belong to the only model known; with no model known, a bundle describes the model its
 * `name:` key names, or else an unnamed model labelled with its file's name; with several, the
 * user must say which (snapshot layout).
 */
function resolveScopes(contributions: Contribution[]): {contribution: Contribution; scope: ResolvedScope}[] {
  const knownModels = new Set<string>()
  const knownControllers = new Set<string>()
  for (const contribution of contributions) {
    if (!('scope' in contribution)) continue
    if (contribution.scope.controller) knownControllers.add(contribution.scope.controller)
    if (contribution.scope.model !== undefined) knownModels.add(modelKey(contribution.scope.controller ?? '', contribution.scope.model))
  }
  const onlyController = knownControllers.size === 1 ? [...knownControllers][0]! : ''
  // A model named without its controller is the same model as one named with it, when only one controller is known.
  const normalisedModels = new Set([...knownModels].map((key) => (key.startsWith('/') ? modelKey(onlyController, key.slice(1)) : key)))
  const onlyModel = normalisedModels.size === 1 ? [...normalisedModels][0]! : undefined

  return contributions.map((contribution) => {
    if (!('scope' in contribution)) return {contribution, scope: {controller: onlyController}}
    const {scope} = contribution
    const controller = scope.controller ?? onlyController
    if (scope.model !== undefined) return {contribution, scope: {controller, model: scope.model}}
    if (contribution.type === 'gap') {
      // A gap takes the model its file's other facts go to, when there is one; it never needs one.
      const only = onlyModel?.split('/')
      if (only) return {contribution, scope: {controller: scope.controller ?? only[0]!, model: only.slice(1).join('/')}}
      if (normalisedModels.size === 0 && scope.file) return {contribution, scope: {controller, model: basename(scope.file, extname(scope.file)), unnamed: true}}
      return {contribution, scope: {controller}}
    }
    if (!needsModel(contribution)) return {contribution, scope: {controller}}
    if (onlyModel !== undefined) {
      const [onlyModelController, ...rest] = onlyModel.split('/')
      return {contribution, scope: {controller: scope.controller ?? onlyModelController!, model: rest.join('/')}}
    }
    if (normalisedModels.size === 0 && scope.defaultModel !== undefined) return {contribution, scope: {controller, model: scope.defaultModel}}
    if (normalisedModels.size === 0 && scope.file) {
      return {contribution, scope: {controller, model: basename(scope.file, extname(scope.file)), unnamed: true}}
    }
    throw new InputError(
      scope.file,
      `cannot tell which model this belongs to (${listSome([...normalisedModels])} are known); ` +
        'put it under juju/<controller>/models/<model>/ (see README "Input layout")',
    )
  })
}

/** Whether a contribution describes something inside one model (and so must be attached to one). */
function needsModel(contribution: Contribution): boolean {
  switch (contribution.type) {
    case 'controller-users':
    case 'controller-config':
    case 'gap':
    case 'charm':
    case 'kube-object':
      return false
    case 'input':
      return MODEL_INPUTS.has(contribution.input)
    default:
      return true
  }
}

const MODEL_INPUTS = new Set<InputKind>([
  'juju-status',
  'juju-bundle',
  'juju-config',
  'juju-show-application',
  'juju-show-model',
  'juju-offers',
  'juju-disabled-commands',
])

function listSome(items: string[], max = 5): string {
  const sorted = [...items].sort()
  return sorted.length <= max ? sorted.join(', ') : `${sorted.slice(0, max).join(', ')} and ${sorted.length - max} more`
}

const JUJU_GAP_KINDS = new Set(['model', 'application', 'unit', 'machine', 'remote-application'])

/**
 * A gap from a Juju output that did not name its model (`{"model": {"status-error": ...}}` outside
 * the snapshot layout) takes the model it was resolved to, so the finding names it.
 */
function namedGap(gap: InventoryGap, scope: ResolvedScope): InventoryGap {
  if (!JUJU_GAP_KINDS.has(gap.target.kind) || gap.target.model !== undefined || scope.model === undefined) return gap
  const target = {...gap.target, model: scope.model}
  if (target.kind === 'model' && target.name === '') target.name = scope.model
  if (scope.controller && target.controller === undefined) target.controller = scope.controller
  return {...gap, target}
}

function mergeModelFacts(model: Model, facts: ModelFacts): void {
  Object.assign(model, compact(facts))
}

function mergeApplication(model: Model, facts: ApplicationFacts): void {
  const existing = model.applications.get(facts.name)
  if (!existing) {
    model.applications.set(facts.name, {
      model: model.name,
      controller: model.controller,
      ...(model.unnamed ? {modelUnnamed: true as const} : {}),
      charm: facts.charm ?? facts.name,
      options: {},
      optionRefs: {},
      units: [],
      refs: {},
      ...compact(facts),
    } as Application)
    return
  }
  const {options, optionRefs, refs, units, exposed, trust, exposedEndpoints, ...rest} = facts
  Object.assign(existing, compact(rest))
  // Two inputs disagreeing on exposure or trust: believe the one that says "yes" (the safer reading).
  if (exposed !== undefined) existing.exposed = existing.exposed === true || exposed
  if (trust !== undefined) existing.trust = existing.trust === true || trust
  if (exposedEndpoints) existing.exposedEndpoints = {...existing.exposedEndpoints, ...exposedEndpoints}
  if (options) existing.options = {...existing.options, ...options}
  if (optionRefs) existing.optionRefs = {...existing.optionRefs, ...optionRefs}
  if (refs) existing.refs = {...refs, ...existing.refs}
  if (units && units.length > 0 && existing.units.length === 0) existing.units = units
}

function mergeCharm(charms: Map<string, CharmMetadata>, charm: CharmMetadata): void {
  const existing = charms.get(charm.name)
  charms.set(charm.name, existing ? mergeCharmMetadata(existing, charm) : charm)
}

function addKubeObject(view: KubernetesView, object: KubeObject): void {
  const spec = specFor(object.apiVersion, object.kind)
  const bucket = spec?.view
  if (bucket === undefined) view.other.push(object)
  else if (bucket === 'namespaces') view.namespaces.set(object.metadata.name, object)
  // The reader validated the object with this kind's schema (same table), so the cast is sound.
  else (view[bucket] as KubeObject[]).push(spec?.asView ? spec.asView(object) : object)
}

/** Order-independent identity of a relation, so both sides of one relation (and two input shapes) dedupe. */
function relationKey(relation: Relation): string {
  return relation.endpoints
    .map((endpoint) => `${endpoint.application}:${endpoint.endpoint ?? ''}`)
    .sort()
    .join('|')
}

