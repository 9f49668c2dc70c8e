/**
 * The desired NetworkPolicies of every Juju namespace, derived from what Juju knows: which
 * applications are related (and which side serves), which are offered across models, which are
 * exposed, and what Juju's own agents need. Each rule carries the reason it exists, which ends
 * up in the policy's `hardenctl.io/reason` annotation.
 *
 * A namespace whose Juju or Kubernetes view is incomplete is left alone (reported in `untouched`):
 * a partial view never changes policies.
 */
import {type ApiServerBackend, apiServerBackends} from '../inventory/api-server-backends.js'
import {kubeScope} from '../inventory/kube-scope.js'
import {groupBy, groupByNamespace} from '../inventory/group-by.js'
import {KIND_SPECS} from '../inventory/kubernetes-kinds.js'
import {podLabelsFor} from '../inventory/pod-labels.js'
import {APP_NAME_LABEL, controllerSshServerPorts, type KubeService} from '../inventory/kubernetes.js'
import {type Application, INPUT_KIND_DESCRIPTIONS, type InputKind, type Inventory, type Model, type Offer} from '../inventory/types.js'
import {cidrWithinAny, isWorldCidr} from '../policy/cidr.js'
import {allowedCidrs, exposeEffect, jujuExposure} from '../policy/exposure.js'
import type {Policy} from '../policy/schema.js'
import {isExternalService, serviceSources} from '../policy/kube-exposure.js'
import {indexPolicies, isolatingPolicies, NAMESPACE_NAME_LABEL, type PolicyIndex} from '../netpol/policies.js'
import {parseOfferUrl} from '../sources/juju/offers.js'
import {apiServerCallsIn} from './api-server-calls.js'
import {PlanNotes} from './notes.js'
import {derivedFlows, type Flow, flowKey} from './derived-flows.js'
import {modelNamespacesLeftByDesign} from './left-by-design.js'
import {clusterDns, DNS_NAMESPACE, DNS_PORT} from './cluster-dns.js'
import {describeProxyPods, routedThroughProxyPods, unseenDataPath} from './proxy-pods.js'
import {type Resolved, type Serving, sideOf, whoServes} from './serving.js'
import {type DraftOf, PolicyDraft, type RuleDraft} from './policy-draft.js'
import {GATEWAY_INTEGRATOR_LABEL, indexRouting, type RoutingIndex, routedBackendRules} from './routed-backends.js'
import {portsOf, portTexts, servicesOf} from './service-ports.js'
import {indexScrapes, monitorScrapeRules, type ScrapeIndex} from './monitor-scrapes.js'
import {
  isManaged,
  type LabelSelector,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  MODEL_LABEL,
  type NetworkPolicyObject,
  type NetworkPolicyPeer,
  type KeptOpen,
  type NetworkPolicyPort,
  PSA_LABEL_PREFIX,
  REASON_ANNOTATION,
  type UntouchedNamespace,
} from './types.js'

export interface DesiredNamespace {
  namespace: string
  /** The model (or `controller`) the namespace belongs to. */
  model: string
  policies: NetworkPolicyObject[]
  /** Pod Security Admission labels wanted on the namespace (`psa.enabled`), else undefined. */
  psaLabels?: Record<string, string>
}

export interface DesiredState {
  namespaces: DesiredNamespace[]
  untouched: UntouchedNamespace[]
  /** Intentional exposure left reachable because `exposure.enforce` is off. */
  keptOpen: KeptOpen[]
  notes: string[]
}

const MODELOPERATOR_SELECTOR: LabelSelector = {matchLabels: {'operator.juju.is/name': 'modeloperator'}}
const CONTROLLER_SELECTOR: LabelSelector = {matchLabels: {[APP_NAME_LABEL]: 'controller'}}
const ANY_JUJU_NAMESPACE: LabelSelector = {matchExpressions: [{key: 'model.juju.is/name', operator: 'Exists'}]}
/** Where the Kubernetes API may listen (443 in-cluster service, 6443 kubeadm, 16443 MicroK8s). */
const KUBERNETES_API_PORTS = [443, 6443, 16443]
const JUJU_API_PORT = 17070
const MODELOPERATOR_PORT = 17071
const MONGO_PORT = 37017

/** DesiredState while it is built: notes gather (notes.ts) until the end. */
type DraftState = Omit<DesiredState, 'notes'> & {notes: PlanNotes}

export function desiredNetworkPolicies(inventory: Inventory, policy: Policy): DesiredState {
  const state: DraftState = {namespaces: [], untouched: [], keptOpen: [], notes: new PlanNotes()}
  const finished = (): DesiredState => ({...state, notes: state.notes.list()})
  const scope = kubeScope(inventory, policy)
  const view = inventory.kubernetes
  const egress = policy.networkPolicies.egress

  if (!inventory.inputs.has('k8s-networkpolicies') || !inventory.inputs.has('k8s-namespaces')) {
    for (const namespace of scope.namespaces) {
      state.untouched.push({namespace, why: 'incomplete-view', reason: 'the existing NetworkPolicies and namespaces were not both read'})
    }
    return finished()
  }

  // Policies are assembled per namespace; cross-model relations add rules in the offering model's namespace.
  const drafts = new Map<string, Map<string, PolicyDraft>>()
  const draft = (namespace: string, name: string, podSelector: LabelSelector): PolicyDraft => {
    let policies = drafts.get(namespace)
    if (!policies) drafts.set(namespace, (policies = new Map()))
    let found = policies.get(name)
    if (!found) policies.set(name, (found = new PolicyDraft(name, podSelector)))
    return found
  }
  const cluster = indexCluster(view)
  const isolatedByOthers = isolationByOthers(view)
  const dns = dnsPeers(view)
  if (egress && dns.fallback) state.notes.push(dns.fallback)
  const modelOfNamespace = new Map<string, string>()
  const managed: {namespace: string; model: Model}[] = []
  /** Model namespaces left as they are on purpose: their cross-model relations still reach planned ones. */
  const leftAsTheyAre: {namespace: string; model: Model}[] = []

  for (const namespace of scope.namespaces) {
    const role = scope.role(namespace)
    const model = scope.modelOf(namespace)
    if (role === 'policy') {
      state.untouched.push({namespace, why: 'out-of-scope', reason: 'not a Juju model namespace: no relation graph to derive policies from'})
      continue
    }
    const problem = incompleteView(inventory, namespace, model, role === 'controller')
    if (problem) {
      state.untouched.push({namespace, why: 'incomplete-view', reason: problem})
      continue
    }
    const left = role === 'model' ? modelNamespacesLeftByDesign(inventory, policy).get(namespace) : undefined
    if (left) {
      state.untouched.push(left)
      leftAsTheyAre.push({namespace, model: model!})
      continue
    }
    modelOfNamespace.set(namespace, role === 'controller' ? (model?.name ?? 'controller') : model!.name)
    if (role === 'controller') controllerPolicies(namespace, policy, draft, controllerSshPorts(inventory, namespace))
    else managed.push({namespace, model: model!})
  }

  const relationsByModel: {flows: Flow[]; derived: Flow[]}[] = []
  for (const {namespace, model} of managed) {
    agentPolicies(namespace, draft, egress, dns)
    for (const app of [...model.applications.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      const selector: LabelSelector = {matchLabels: {[APP_NAME_LABEL]: app.name}}
      const own = draft(namespace, `hardenctl-app-${app.name}`, selector)
      own.ingress.push({peers: [{podSelector: selector}], ports: undefined, reason: `units of ${app.name} talk to each other (peer relations)`})
      exposureRules(app, namespace, servicesOf(app), policy, own, state, isolatedByOthers)
      routedBackendRules(app, namespace, cluster.routing, policy, own, state.notes)
      monitorScrapeRules(app, namespace, cluster.scrapes, own, state.notes)
      if (egress) appEgress(app, scope, own, dns)
    }
    relationsByModel.push(relationRules(model, namespace, inventory, scope, draft, egress, state.notes))
    unseenConsumerRules(model, namespace, inventory, draft, state.notes)
    livepatchAdminNote(model, namespace, policy, state.notes)
    apiServerRules(namespace, cluster, policy, draft, state.notes)
  }
  // Such a namespace's relations with planned ones (an Istio gateway's model consuming an offer) are
  // written from its side only (relationRules: the consumer writes them): without this the planned
  // side's default deny would cut them.
  const planned = new Set(modelOfNamespace.keys())
  for (const {namespace, model} of leftAsTheyAre) relationsByModel.push(relationRules(model, namespace, inventory, scope, draft, egress, state.notes, planned))
  crossModelDerivedRules(relationsByModel, draft, egress, state.notes, planned)
  if (managed.length > 0) state.notes.push(...apiServerViewNotes(inventory), ...gatewayRouteViewNotes(inventory), ...monitorViewNotes(inventory, cluster.scrapes))

  for (const [namespace, policies] of [...drafts].sort(([a], [b]) => a.localeCompare(b))) {
    if (!modelOfNamespace.has(namespace)) continue
    const model = modelOfNamespace.get(namespace)!
    const objects = [defaultDeny(namespace, model, egress), ...[...policies.values()].sort((a, b) => a.name.localeCompare(b.name)).map((d) => toObject(d, namespace, model, egress))]
    const psaLabels = podSecurityLabels(policy)
    state.namespaces.push({namespace, model, policies: objects, ...(psaLabels ? {psaLabels} : {})})
  }
  return finished()
}

function podSecurityLabels(policy: Policy): Record<string, string> | undefined {
  if (!policy.psa.enabled) return undefined
  const labels: Record<string, string> = {}
  for (const mode of ['enforce', 'audit', 'warn'] as const) {
    const level = policy.psa[mode]
    if (level !== undefined) labels[`${PSA_LABEL_PREFIX}${mode}`] = level
  }
  return labels
}

/** Why a namespace's view is not complete enough to change its policies, if it is not. */
function incompleteView(inventory: Inventory, namespace: string, model: Model | undefined, isController: boolean): string | undefined {
  // The controller's policies follow from Juju's fixed ports, not from a relation graph.
  if (isController) return kubernetesGap(inventory, namespace)
  if (!model) return 'no Juju model is known for it'
  if (!model.inputs.has('juju-status') && model.name !== 'controller') return `the Juju status of model ${model.name} was not read`
  const gap = inventory.gaps.find((candidate) => candidate.target.model === model.name && (candidate.target.controller ?? model.controller) === model.controller)
  return gap ? describeGap(gap) : kubernetesGap(inventory, namespace)
}

/** A Kubernetes kind the planner reads (or the whole cluster side) that could not be listed. */
function kubernetesGap(inventory: Inventory, namespace: string): string | undefined {
  const gap = inventory.gaps.find(
    (candidate) =>
      candidate.target.namespace === namespace ||
      candidate.target.kind === 'kubernetes' ||
      /^(pods|services|ingresses|networkpolicies|namespaces)$/i.test(candidate.target.kind),
  )
  return gap ? describeGap(gap) : undefined
}

function describeGap(gap: Inventory['gaps'][number]): string {
  return `its inventory is incomplete (${gap.target.kind} ${gap.target.name}: ${gap.message})`
}

function defaultDeny(namespace: string, model: string, egress: boolean): NetworkPolicyObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: 'hardenctl-default-deny',
      namespace,
      labels: managedLabels(model),
      annotations: {[REASON_ANNOTATION]: `default deny ${egress ? 'ingress and egress' : 'ingress'}: only what the other hardenctl policies allow gets in`},
    },
    spec: {podSelector: {}, policyTypes: egress ? ['Ingress', 'Egress'] : ['Ingress']},
  }
}

function managedLabels(model: string): Record<string, string> {
  return {[MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [MODEL_LABEL]: model}
}

/** Juju's own traffic: every pod of the model reaches the model operator (17071). */
function agentPolicies(namespace: string, draft: DraftOf, egress: boolean, dns: DnsPeers): void {
  const agents = draft(namespace, 'hardenctl-juju-agents', MODELOPERATOR_SELECTOR)
  agents.ingress.push({peers: [{podSelector: {}}], ports: [tcp(MODELOPERATOR_PORT)], reason: `Juju: every unit of the model reaches the model operator on ${MODELOPERATOR_PORT}`})
  if (egress) {
    agents.egress.push({peers: dns.peers, ports: dnsPorts(), reason: `DNS (${dns.servers})`})
    agents.egress.push({peers: [{namespaceSelector: ANY_JUJU_NAMESPACE, podSelector: CONTROLLER_SELECTOR}], ports: [tcp(JUJU_API_PORT)], reason: 'Juju: the model operator reaches the controller API'})
    agents.egress.push({peers: [{ipBlock: {cidr: '0.0.0.0/0'}}], ports: KUBERNETES_API_PORTS.map(tcp), reason: 'Juju: the model operator manages the model through the Kubernetes API'})
  }
}

/**
 * The controller namespace: the API (17070) from every Juju namespace and the allowed CIDRs, a Juju 4
 * controller's SSH server (what `juju ssh` connects to) from the same CIDRs; mongo only from itself.
 */
function controllerPolicies(namespace: string, policy: Policy, draft: DraftOf, sshPorts: number[]): void {
  const controller = draft(namespace, 'hardenctl-juju-controller', CONTROLLER_SELECTOR)
  controller.ingress.push({peers: [{namespaceSelector: ANY_JUJU_NAMESPACE}], ports: [tcp(JUJU_API_PORT)], reason: `Juju: agents in every model namespace reach the controller API on ${JUJU_API_PORT}`})
  controller.ingress.push({
    peers: policy.networkPolicies.controllerApiCidrs.map((cidr) => ({ipBlock: {cidr}})),
    ports: [tcp(JUJU_API_PORT)],
    reason: `Juju clients reach the controller API from networkPolicies.controllerApiCidrs (${policy.networkPolicies.controllerApiCidrs.join(', ')})`,
  })
  if (sshPorts.length > 0) {
    controller.ingress.push({
      peers: policy.networkPolicies.controllerApiCidrs.map((cidr) => ({ipBlock: {cidr}})),
      ports: sshPorts.map(tcp),
      reason: `Juju clients reach the controller's SSH server (juju ssh; its Service's ssh-server port) from networkPolicies.controllerApiCidrs`,
    })
  }
  controller.ingress.push({peers: [{podSelector: CONTROLLER_SELECTOR}], ports: [tcp(MONGO_PORT)], reason: `Juju: the controller's database (${MONGO_PORT}) only from the controller's own pods`})
}

/** The pod ports of the SSH server a Juju 4 controller publishes beside its API. */
function controllerSshPorts(inventory: Inventory, namespace: string): number[] {
  const ports = inventory.kubernetes.services
    .filter((service) => service.metadata.namespace === namespace && service.spec.selector?.[APP_NAME_LABEL] === 'controller')
    .flatMap(controllerSshServerPorts)
    .map((port) => (typeof port.targetPort === 'number' ? port.targetPort : port.port))
  return [...new Set(ports)].sort((a, b) => a - b)
}

/** The NetworkPolicies hardenctl did not write that isolate an application's pods for ingress today. */
type IsolatedByOthers = (namespace: string, app: string) => string[]

/** Asked only for exposed applications, so the live policies are indexed only when one is. */
function isolationByOthers(view: Inventory['kubernetes']): IsolatedByOthers {
  let index: PolicyIndex | undefined
  return (namespace, app) => {
    index ??= indexPolicies({policies: view.networkPolicies.filter((policy) => !isManaged(policy)), namespaces: [...view.namespaces.values()]})
    const labels = podLabelsFor(view, namespace, {[APP_NAME_LABEL]: app})
    return isolatingPolicies(index, {namespace, labels}, 'ingress').map((indexed) => indexed.policy.metadata.name)
  }
}

function exposureRules(app: Application, namespace: string, services: KubeService[], policy: Policy, own: PolicyDraft, state: DraftState, isolatedByOthers: IsolatedByOthers): void {
  const external = services.filter(isExternalService)
  // A namespace holds a Kubernetes model, where `juju expose` lets nothing in (a podspec charm's
  // makes an Ingress, planned as the Ingress it is).
  if ((jujuExposure(app) ?? []).length > 0 && external.length === 0 && exposeEffect({type: 'caas'}, app).opens === 'nothing') {
    state.notes.gather(`juju-exposed ${namespace}`, app.name, (apps) =>
      `${namespace}: ${apps.join(', ')} ${apps.length === 1 ? 'is' : 'are'} marked exposed in Juju, which opens nothing on Kubernetes, and no Service lets outside traffic in: hardenctl keeps nothing open from outside for ${apps.length === 1 ? 'it' : 'them'} (a LoadBalancer or NodePort Service, or an Ingress, is what would)`,
    )
  }
  if (external.length === 0) return
  const allowed = allowedCidrs(app, policy)
  const by = `Service ${external.map((s) => s.metadata.name).join(', ')}`
  if (!policy.exposure.enforce) {
    // "As today" is what reaches it today: where policies hardenctl did not write isolate its pods,
    // they decide what gets in from outside, and they stay (hardenctl never changes them). A rule
    // of its own for every exposed source would open what they keep closed.
    const others = isolatedByOthers(namespace, app.name)
    if (others.length > 0) {
      const policies = `NetworkPolicy ${others.join(', ')}`
      state.notes.gather(`exposed-isolated ${namespace} ${others.join(',')}`, `${app.name} (${by})`, (apps) =>
        `${namespace}: ${apps.join(', ')} ${apps.length === 1 ? 'is' : 'are'} exposed, but ${policies}, not hardenctl's, isolate${others.length === 1 ? 's' : ''} ${apps.length === 1 ? 'its' : 'their'} pods today: what ${others.length === 1 ? 'it admits' : 'they admit'} from outside stays admitted, and hardenctl opens nothing more to outside (to open an application to outside, list its sources under exposure.allow with exposure.enforce: true)`,
      )
      return
    }
    keepExposureOpen(app, namespace, external, allowed, own, state)
    return
  }
  if (!allowed || allowed.length === 0) {
    state.notes.push(`${namespace}/${app.name} is exposed (${by}) but not on exposure.allow: with exposure.enforce, traffic from outside the cluster will not reach it`)
    return
  }
  const ports = portsOf(external)
  own.ingress.push({
    peers: allowed.map((cidr) => ({ipBlock: {cidr}})),
    ports: ports.length > 0 ? ports : undefined,
    reason: `${app.name} is an exposed entry point; exposure.allow admits ${allowed.join(', ')}${allowed.some(isWorldCidr) ? ' (the whole Internet)' : ''}`,
  })
}

/**
 * Without `exposure.enforce`, an application exposed on purpose keeps the sources that reach it
 * today, on exactly the ports it is exposed on: a LoadBalancer's `loadBalancerSourceRanges`,
 * otherwise everyone. "Everyone" is written as the ipBlocks 0.0.0.0/0 and ::/0 rather than a rule
 * without `from`: an ipBlock names cluster-external sources (and the node addresses kube-proxy
 * rewrites NodePort and LoadBalancer traffic to), so in-cluster pods still reach the app only
 * through its relations; the reachability engine reads a /0 block as "outside", which is what the
 * proofs assert.
 */
function keepExposureOpen(app: Application, namespace: string, external: KubeService[], allowed: string[] | undefined, own: PolicyDraft, state: DraftState): void {
  for (const service of external) {
    const ports = portsOf([service])
    if (ports.length === 0) continue
    const sources = serviceSources(service)
    const exposedBy = `${service.spec.type ?? 'ClusterIP'} Service ${service.metadata.name}${(service.spec.externalIPs ?? []).length > 0 ? ' with externalIPs' : ''}`
    const within = allowed !== undefined && sources.every((cidr) => cidrWithinAny(cidr, allowed))
    const narrowedBy = within ? 'within exposure.allow' : `exposure.enforce: true would narrow it to ${allowed && allowed.length > 0 ? `exposure.allow: ${allowed.join(', ')}` : 'exposure.allow, which does not list it: closed to outside'}`
    const on = portTexts(ports)
    own.ingress.push({
      peers: sources.map((cidr) => ({ipBlock: {cidr}})),
      ports,
      reason: `${app.name} is exposed on purpose (${exposedBy}): kept open from ${sources.join(', ')}${sources.some(isWorldCidr) ? ' (anyone)' : ''} on ${on.join(', ')}, as today; ${narrowedBy}`,
    })
    state.keptOpen.push({namespace, application: app.name, exposedBy, sources, ports: on, narrowedBy})
    if (!sources.some(isWorldCidr) && service.spec.externalTrafficPolicy !== 'Local') {
      state.notes.push(
        `${namespace}/${app.name}: Service ${service.metadata.name} keeps its loadBalancerSourceRanges (${sources.join(', ')}), but with externalTrafficPolicy ${service.spec.externalTrafficPolicy ?? 'Cluster'} kube-proxy may rewrite the client address to a node's; check with netpol explain, or set externalTrafficPolicy: Local`,
      )
    }
  }
}

/**
 * An offer consumed from a model this inventory does not include (another controller, or a model
 * not inspected): its consumers cannot be named, so rather than cut them off the offered app
 * admits every namespace on its ports, and the plan says so.
 */
function unseenConsumerRules(
  model: Model,
  namespace: string,
  inventory: Inventory,
  draft: DraftOf,
  notes: PlanNotes,
): void {
  const models = [...inventory.models.values()]
  const seen = new Set(models.flatMap((candidate) => (candidate.uuid ? [candidate.uuid] : [])))
  const consumes = (candidate: Model, offer: Offer) =>
    candidate.consumed.filter((consumed) => parseOfferUrl(consumed.url)?.model === model.name && parseOfferUrl(consumed.url)?.offer === offer.name)
  for (const offer of model.offers) {
    let unseen: string | undefined
    // A connection list shorter than the status's count is incomplete (a Juju 4 controller may list
    // none): the count decides then, or consumers in models not read would be cut.
    const listed = offer.connections !== undefined && (offer.connectedCount === undefined || offer.connections.length >= offer.connectedCount)
    if (listed && offer.connections !== undefined) {
      // `juju offers` names each connection's model.
      const unseenModels = [...new Set(offer.connections.map((connection) => connection.sourceModel).filter((uuid): uuid is string => uuid !== undefined && !seen.has(uuid)))]
      // Consuming models read from `juju status` alone carry no UUID: they may be the ones connected.
      const unnamedConsumers = models.filter((candidate) => candidate.uuid === undefined && consumes(candidate, offer).length > 0).length
      if (unseenModels.length > unnamedConsumers) unseen = `model${unseenModels.length === 1 ? '' : 's'} ${unseenModels.join(', ')}`
    } else if (offer.connectedCount !== undefined) {
      // `juju status` only counts them: those beyond the consuming relations in view come from models not inspected.
      const inView = models.reduce((count, candidate) => {
        const names = new Set(consumes(candidate, offer).map((consumed) => consumed.name))
        return count + candidate.relations.filter((relation) => relation.endpoints.some((endpoint) => names.has(endpoint.application))).length
      }, 0)
      const beyond = offer.connectedCount - inView
      if (beyond > 0) unseen = `${beyond} of its ${offer.connectedCount} connections (juju status counts them; their models were not read)`
    }
    if (unseen === undefined) continue
    const ports = portsOf(servicesOf(model.applications.get(offer.application)))
    const selector: LabelSelector = {matchLabels: {[APP_NAME_LABEL]: offer.application}}
    draft(namespace, `hardenctl-app-${offer.application}`, selector).ingress.push({
      peers: [{namespaceSelector: {}}],
      ports: ports.length > 0 ? ports : undefined,
      reason: `offer ${offer.name} is consumed from ${unseen}, which this inventory does not include: admitted from every namespace`,
    })
    notes.push(`${namespace}/${offer.application}: offer ${offer.name} has consumers hardenctl did not inspect (${unseen}); admitted from every namespace on its ports until they are inspected too`)
  }
}

/**
 * The Livepatch guide wants the admin API reachable only from `livepatch.adminCidrs`, but it
 * shares the server's port with the client API: a NetworkPolicy (layer 4) cannot tell them
 * apart, so the plan says where to do it instead.
 */
function livepatchAdminNote(model: Model, namespace: string, policy: Policy, notes: PlanNotes): void {
  for (const app of model.applications.values()) {
    if (!/^canonical-livepatch-server(-k8s)?$/.test(app.charm)) continue
    const cidrs = policy.livepatch.adminCidrs
    notes.push(
      `${namespace}/${app.name}: the Livepatch admin API shares its port with the client API, so a NetworkPolicy cannot restrict it to ` +
        (cidrs.length > 0 ? `livepatch.adminCidrs (${cidrs.join(', ')})` : 'admin addresses (livepatch.adminCidrs is not set)') +
        '; enforce that in front of it, on a separate ingress for the admin path with a source-address allowlist',
    )
  }
}

/**
 * Services in the namespace that the Kubernetes API server calls: admission webhooks and aggregated
 * APIs (see api-server-backends.ts). The API server connects from its nodes' addresses, which no
 * pod selector names, so the Service's pods are admitted from `networkPolicies.apiServerCidrs` on
 * the port each call reaches, by the Service's own selector (a charm's workload, or a Deployment a
 * charm created). Without it the namespace's default deny refuses every request such a webhook
 * intercepts (`failurePolicy: Fail`), or silently skips it (`Ignore`).
 */
function apiServerRules(namespace: string, cluster: ClusterIndex, policy: Policy, draft: DraftOf, notes: PlanNotes): void {
  const cidrs = policy.networkPolicies.apiServerCidrs
  for (const call of apiServerCallsIn(namespace, cluster.apiServerBackendsIn(namespace), (name) => cluster.service(namespace, name))) {
    notes.push(...call.problems)
    if (!call.selector || call.ports.length === 0) continue
    const on = portTexts(call.ports).join(', ')
    draft(namespace, `hardenctl-apiserver-${call.service}`, {matchLabels: call.selector}).ingress.push({
      peers: cidrs.map((cidr) => ({ipBlock: {cidr}})),
      ports: call.ports,
      reason: `the Kubernetes API server calls ${call.callers} through Service ${call.service}: admitted from networkPolicies.apiServerCidrs (${cidrs.join(', ')}) on ${on}`,
    })
    if (cidrs.some(isWorldCidr)) {
      notes.push(`${call.where}: the Kubernetes API server calls it (${call.callers}) from its nodes' addresses: admitted from anywhere on ${on}; set networkPolicies.apiServerCidrs to the control-plane nodes' addresses to narrow it`)
    }
    if (cluster.cilium) {
      notes.push(
        `${call.where}: Cilium runs in this cluster, and its ipBlocks match node addresses only from Cilium 1.15 with policy-cidr-match-mode: nodes; without that, the API server's calls (${call.callers}) are dropped from nodes other than the webhook pod's own`,
      )
    }
  }
}

/** When what the API server calls was not read: a webhook served from a model namespace cannot be kept reachable. */
function apiServerViewNotes(inventory: Inventory): string[] {
  return notReadNotes(inventory, 'k8s-webhooks', 'admission webhook configurations and APIServices', 'a webhook or aggregated API served from a model namespace would be cut off by its default deny', '(or get, list and watch on them in its ClusterRole)')
}

/** When the Gateway API's routes were not read: a backend an HTTPRoute or GRPCRoute sends to cannot be kept reachable. */
function gatewayRouteViewNotes(inventory: Inventory): string[] {
  return notReadNotes(
    inventory,
    'k8s-gateway-api',
    "the Gateway API's HTTPRoutes and GRPCRoutes",
    'an application a Gateway routes to would be cut off by its default deny',
    "(none on a cluster without the Gateway API's CRDs; or get, list and watch on them in its ClusterRole)",
  )
}

/** When Prometheus Operator runs (its Prometheus pods were read) but its monitors were not: what they scrape cannot be kept reachable. */
function monitorViewNotes(inventory: Inventory, scrapes: ScrapeIndex): string[] {
  if (scrapes.prometheusNamespaces.length === 0) return []
  return notReadNotes(
    inventory,
    'k8s-prometheus-monitors',
    `Prometheus Operator runs (in ${scrapes.prometheusNamespaces.join(', ')}), but its ServiceMonitors and PodMonitors`,
    'an application they scrape would be cut off by its default deny',
    '(or get, list and watch on them in its ClusterRole)',
  )
}

/** The plan's note when an input's kinds were not read, or one of them could not be listed: what that leaves unprotected, and how to read them. */
function notReadNotes(inventory: Inventory, input: InputKind, what: string, consequence: string, howElse: string): string[] {
  const plurals = new Set(KIND_SPECS.flatMap((spec) => (spec.input === input ? [spec.plural] : [])))
  const gap = inventory.gaps.find((candidate) => plurals.has(candidate.target.kind))
  if (inventory.inputs.has(input) && !gap) return []
  const why = gap ? `could not be read (${gap.target.kind}: ${gap.message})` : 'were not read'
  return [`${what} ${why}: ${consequence}; give reconcile ${INPUT_KIND_DESCRIPTIONS[input]} ${howElse}`]
}

function appEgress(app: Application, scope: ReturnType<typeof kubeScope>, own: PolicyDraft, dns: DnsPeers): void {
  own.egress.push({peers: [{podSelector: {matchLabels: {[APP_NAME_LABEL]: app.name}}}], ports: undefined, reason: `units of ${app.name} talk to each other`})
  own.egress.push({peers: dns.peers, ports: dnsPorts(), reason: `DNS (UDP and TCP 53 to ${dns.servers})`})
  own.egress.push({peers: [{podSelector: MODELOPERATOR_SELECTOR}], ports: [tcp(MODELOPERATOR_PORT)], reason: 'Juju: the unit agent reaches the model operator'})
  const controllerNamespaces = scope.namespaces.filter((candidate) => scope.isController(candidate))
  if (controllerNamespaces.length > 0) {
    own.egress.push({
      peers: controllerNamespaces.map((ns) => ({namespaceSelector: {matchLabels: {[NAMESPACE_NAME_LABEL]: ns}}, podSelector: CONTROLLER_SELECTOR})),
      ports: [tcp(JUJU_API_PORT)],
      reason: 'Juju: the unit agent reaches the controller API',
    })
  }
  if (app.trust === true) {
    own.egress.push({peers: [{ipBlock: {cidr: '0.0.0.0/0'}}], ports: KUBERNETES_API_PORTS.map(tcp), reason: `${app.name} runs with --trust: it manages Kubernetes objects through the API`})
  }
}

function relationRules(
  model: Model,
  namespace: string,
  inventory: Inventory,
  scope: ReturnType<typeof kubeScope>,
  draft: DraftOf,
  egress: boolean,
  notes: PlanNotes,
  /** For a namespace left as it is: only the flows into or out of these (planned) namespaces. */
  plannedOnly?: ReadonlySet<string>,
): {flows: Flow[]; derived: Flow[]} {
  const flows: Flow[] = []
  for (const relation of model.relations) {
    if (relation.endpoints.length !== 2) continue
    const [first, second] = relation.endpoints as [(typeof relation.endpoints)[0], (typeof relation.endpoints)[0]]
    if (first.application === second.application) continue
    const label = `${first.application}:${first.endpoint ?? '?'} ↔ ${second.application}:${second.endpoint ?? '?'}${relation.interface ? ` (${relation.interface})` : ''}`

    // Only the consuming side of a cross-model relation writes its rules, so each is written once
    // (consumers the inventory lacks are covered from the offer's connections, unseenConsumerRules).
    if (first.remote && !model.consumed.some((consumed) => consumed.name === first.application)) continue
    if (second.remote && !model.consumed.some((consumed) => consumed.name === second.application)) continue
    // Cross-model: resolve the remote side to the offering model's namespace and application.
    const sides = [first, second].map((endpoint) => {
      if (!endpoint.remote) return {namespace, app: model.applications.get(endpoint.application), name: endpoint.application, endpoint}
      return resolveRemote(model, endpoint.application, inventory, scope, endpoint)
    })
    const [a, b] = sides as [Resolved, Resolved]
    if ((a.namespace === undefined || b.namespace === undefined) && plannedOnly) continue
    if (a.namespace === undefined || b.namespace === undefined) {
      // The far side cannot be named (its model or namespace was not read): keep the local side
      // reachable from every namespace on its ports rather than cut a working relation.
      const local = a.namespace === undefined ? b : a
      const serving = whoServes(sideOf(a), sideOf(b), relation.interface)
      const localServes = serving.kind === 'both' || (serving.kind === 'one-way' && serving.server === local.name)
      if (local.namespace !== undefined && localServes) {
        const ports = relationServerPorts(serving, local.app)
        draft(local.namespace, `hardenctl-app-${local.name}`, {matchLabels: {[APP_NAME_LABEL]: local.name}}).ingress.push({
          peers: [{namespaceSelector: {}}],
          ports: ports.length > 0 ? ports : undefined,
          reason: `relation ${label}: the other side's namespace is not known, so every namespace is admitted`,
        })
      }
      if (localServes) notes.push(`relation ${label} in model ${model.name}: the other model's namespace is unknown; ${local.name} admits every namespace on its ports`)
      const localConnects = serving.kind === 'both' || (serving.kind === 'one-way' && serving.server !== local.name)
      if (egress && local.namespace !== undefined && localConnects) {
        // The far side may be another cluster or a machine model: its address is not known.
        draft(local.namespace, `hardenctl-app-${local.name}`, {matchLabels: {[APP_NAME_LABEL]: local.name}}).egress.push({
          peers: undefined,
          ports: undefined,
          reason: `relation ${label}: the other side's address is not known, so ${local.name}'s egress stays open`,
        })
        notes.push(`relation ${label} in model ${model.name}: the other side's address is unknown; ${local.name}'s egress is not isolated`)
      }
      continue
    }

    const serving = whoServes(sideOf(a), sideOf(b), relation.interface)
    if (serving.kind === 'none') continue
    if (serving.kind === 'both' && !plannedOnly) {
      notes.gather(`both-ways\u0000${model.name}\u0000${serving.basis}`, label, (labels) =>
        labels.length === 1
          ? `relation ${labels[0]} in model ${model.name}: allowed both ways (${serving.basis})`
          : `model ${model.name}: ${labels.length} relations allowed both ways (${serving.basis}): ${labels.join('; ')}`,
      )
    }
    flows.push(...relationFlows(a, b, serving, label))
  }
  const derived = derivedFlows(flows)
  for (const summary of new Set(derived.map((flow) => flow.summary))) if (summary && !plannedOnly) notes.push(summary)
  for (const flow of [...flows, ...derived]) admitPlanned(flow, draft, egress, notes, plannedOnly)
  return {flows, derived}
}

/**
 * The flows derived across models (derived-flows.ts over every model's relations at once) that no
 * single model's relations give: an ingress proxy in the consuming model of a cross-model relation
 * hands its URL to the offering model's clients. Admitted after the models' own rules, so an
 * estate without them plans exactly as before.
 */
function crossModelDerivedRules(
  byModel: readonly {flows: Flow[]; derived: Flow[]}[],
  draft: DraftOf,
  egress: boolean,
  notes: PlanNotes,
  planned: ReadonlySet<string>,
): void {
  const seen = new Set(byModel.flatMap((model) => model.derived.map(flowKey)))
  const extra = derivedFlows(byModel.flatMap((model) => model.flows)).filter((flow) => !seen.has(flowKey(flow)))
  for (const summary of new Set(extra.filter((flow) => planned.has(flow.server.namespace!)).map((flow) => flow.summary))) if (summary && !notes.includes(summary)) notes.push(summary)
  for (const flow of extra) admitPlanned(flow, draft, egress, notes, planned)
}

/** admitFlow, for the flows touching a planned namespace: drafts for others are dropped, and so are notes about their servers. */
function admitPlanned(flow: Flow, draft: DraftOf, egress: boolean, notes: PlanNotes, planned: ReadonlySet<string> | undefined): void {
  if (!planned) return admitFlow(flow, draft, egress, notes)
  if (planned.has(flow.server.namespace!) || planned.has(flow.client.namespace!)) admitFlow(flow, draft, egress, planned.has(flow.server.namespace!) ? notes : new PlanNotes())
}

/** A relation's own flows: the client connects to the server, or each to the other. */
export function relationFlows(a: Resolved, b: Resolved, serving: Flow['serving'], label: string): Flow[] {
  const directions: [Resolved, Resolved][] = serving.kind === 'both' ? [[a, b], [b, a]] : serving.server === a.name ? [[a, b]] : [[b, a]]
  return directions.map(([server, client]) => ({server, client, serving, label}))
}

/**
 * Charms that take a relation's credentials for clients Juju does not model: data-integrator (for
 * "applications or users outside Juju", its README), spark-integration-hub-k8s (for Spark jobs'
 * driver and executor pods, usually in another namespace). Their server admits every namespace.
 */
const HANDS_OUT_TO_UNMODELLED_CLIENTS: ReadonlySet<string> = new Set(['data-integrator', 'spark-integration-hub-k8s'])

function admitFlow(flow: Flow, draft: DraftOf, egress: boolean, notes: PlanNotes): void {
  const {server, client, serving, label} = flow
  const ports = relationServerPorts(serving, server.app)
  if (flow.derivedBecause === undefined && HANDS_OUT_TO_UNMODELLED_CLIENTS.has(client.app?.charm ?? '')) {
    const on = portTexts(ports).join(', ') || 'every port'
    draft(server.namespace!, `hardenctl-app-${server.name}`, {matchLabels: {[APP_NAME_LABEL]: server.name}}).ingress.push({
      peers: [{namespaceSelector: {}}],
      ports: ports.length > 0 ? ports : undefined,
      reason: `relation ${label}: ${client.name} (${client.app?.charm}) hands ${server.name}'s address and credentials to clients Juju does not model: admitted from every namespace`,
    })
    notes.push(`${server.namespace}/${server.name}: ${client.name} (${client.app?.charm}) hands its address and credentials to clients Juju does not model; admitted from every namespace on ${on}`)
  }
  if (flow.derivedBecause === undefined) {
    const where = `${server.namespace}/${server.name}`
    const item = `${client.name} (relation ${label})`
    if (serving.portsInRelationData) {
      const why = serving.portsInRelationData
      notes.gather(`any-port\u0000${where}\u0000${why}`, item, (items) =>
        items.length === 1 ? `${where}: ${client.name} may reach it on any port (relation ${label}): ${why}` : `${where}: ${items.length} clients may reach it on any port (${items.join('; ')}): ${why}`,
      )
    } else if (ports.length === 0) {
      notes.gather(`placeholder\u0000${where}`, item, (items) =>
        items.length === 1
          ? `${where}: no Service ports besides Juju's placeholder; ${client.name} may reach it on any port (relation ${label})`
          : `${where}: no Service ports besides Juju's placeholder; ${items.length} clients may reach it on any port: ${items.join('; ')}`,
      )
    }
  }
  const peerOf = (podSelector: LabelSelector): NetworkPolicyPeer =>
    client.namespace === server.namespace ? {podSelector} : {namespaceSelector: {matchLabels: {[NAMESPACE_NAME_LABEL]: client.namespace!}}, podSelector}
  const reason = flow.derivedBecause ?? `relation ${label}: ${client.name} connects to ${server.name} (${serving.basis})`
  const own = draft(server.namespace!, `hardenctl-app-${server.name}`, {matchLabels: {[APP_NAME_LABEL]: server.name}})
  own.ingress.push({peers: [peerOf({matchLabels: {[APP_NAME_LABEL]: client.name}})], ports: ports.length > 0 ? ports : undefined, reason})
  const proxyPods = routedThroughProxyPods(flow)
  if (proxyPods.length > 0) {
    const pods = describeProxyPods(client)
    own.ingress.push({peers: proxyPods.map(peerOf), ports: ports.length > 0 ? ports : undefined, reason: `relation ${label}: ${client.name} (${client.app?.charm}) reaches ${server.name} from the pods it creates (${pods})`})
    if (flow.derivedBecause === undefined) notes.push(`${server.namespace}/${server.name}: ${client.name} (${client.app?.charm}) reaches it from pods it creates (${pods}), not from its units: those pods are admitted too`)
  }
  const unseen = unseenDataPath(flow)
  if (unseen) {
    // The port the application sends is on the Service gateway-api-integrator makes for it (APP-gateway-service,
    // labelled as the integrator's), else somewhere on the app's own Services.
    const services = servicesOf(server.app)
    const madeForTheRoute = services.filter((service) => service.metadata.labels?.[GATEWAY_INTEGRATOR_LABEL] !== undefined)
    const routed = portsOf(madeForTheRoute.length > 0 ? madeForTheRoute : services)
    const on = portTexts(routed).join(', ') || 'every port'
    own.ingress.push({
      peers: undefined,
      ports: routed.length > 0 ? routed : undefined,
      reason: `relation ${label}: ${client.name} (${client.app?.charm}) routes to ${server.name} through ${unseen.through}, whose connections no NetworkPolicy peer here names: every source is admitted on its ports`,
    })
    if (flow.derivedBecause === undefined) {
      notes.push(
        `${server.namespace}/${server.name}: ${client.name} (${client.app?.charm}) routes to it through ${unseen.connects}: hardenctl reads neither Gateway API objects nor HAProxy's addresses and no NetworkPolicy peer names Cilium's identity, so ${server.name} admits every source on ${on}; admitting only them (a CiliumNetworkPolicy with fromEntities: [ingress], the implementation's pods, HAProxy's addresses) with this rule removed narrows it`,
      )
    }
  }
  if (egress) {
    const back: NetworkPolicyPeer =
      client.namespace === server.namespace
        ? {podSelector: {matchLabels: {[APP_NAME_LABEL]: server.name}}}
        : {namespaceSelector: {matchLabels: {[NAMESPACE_NAME_LABEL]: server.namespace!}}, podSelector: {matchLabels: {[APP_NAME_LABEL]: server.name}}}
    draft(client.namespace!, `hardenctl-app-${client.name}`, {matchLabels: {[APP_NAME_LABEL]: client.name}}).egress.push({peers: [back], ports: ports.length > 0 ? ports : undefined, reason})
  }
}

/** The server's ports a relation's client is admitted on: its Services' ports, or none (every port) when the relation names them itself. */
export function relationServerPorts(serving: Serving, server: Application | undefined): NetworkPolicyPort[] {
  if (serving.kind === 'none' || serving.portsInRelationData) return []
  return portsOf(servicesOf(server))
}


/** A remote application in `model` → the offering model's namespace and the offered application. */
export function resolveRemote(
  model: Model,
  remoteName: string,
  inventory: Inventory,
  scope: ReturnType<typeof kubeScope>,
  endpoint: {endpoint?: string | undefined; role?: string | undefined},
): Resolved {
  const consumed = model.consumed.find((candidate) => candidate.name === remoteName)
  const url = consumed ? parseOfferUrl(consumed.url) : undefined
  const offering = url ? [...inventory.models.values()].find((candidate) => candidate.name === url.model && (url.controller === undefined || candidate.controller === url.controller || candidate.controller === '')) : undefined
  const offer = offering?.offers.find((candidate) => candidate.name === url?.offer)
  const app = offer ? offering?.applications.get(offer.application) : undefined
  const namespace = offering ? scope.namespaces.find((ns) => scope.modelOf(ns) === offering) : undefined
  return {namespace, app, name: app?.name ?? offer?.application ?? remoteName, endpoint}
}

/** Looked up per application, so indexed once: what routes to each namespace, and what the API server calls there. */
interface ClusterIndex {
  routing: RoutingIndex
  scrapes: ScrapeIndex
  /** What the API server calls in the namespace (admission webhooks, aggregated APIs). */
  apiServerBackendsIn(namespace: string): ApiServerBackend[]
  service(namespace: string, name: string): KubeService | undefined
  /** Cilium agents run in the cluster (its ipBlocks may not match node addresses, see apiServerRules). */
  cilium: boolean
}

function indexCluster(view: Inventory['kubernetes']): ClusterIndex {
  const routing = indexRouting(view)
  const backends = groupBy(apiServerBackends(view), (backend) => backend.namespace)
  const servicesByNamespace = groupByNamespace(view.services)
  return {
    routing,
    scrapes: indexScrapes(view),
    apiServerBackendsIn: (namespace) => backends.get(namespace) ?? [],
    service: (namespace, name) => servicesByNamespace.get(namespace)?.find((service) => service.metadata.name === name),
    cilium: routing.cilium,
  }
}

function tcp(port: number): NetworkPolicyPort {
  return {protocol: 'TCP', port}
}

function dnsPorts(): NetworkPolicyPort[] {
  return [{protocol: 'UDP', port: DNS_PORT}, {protocol: 'TCP', port: DNS_PORT}]
}

interface DnsPeers {
  peers: NetworkPolicyPeer[]
  /** `kube-system/kube-dns`, for the rule's reason. */
  servers: string
  /** A plan note when no DNS Service was read and the conventional label stands in. */
  fallback?: string
}

/** Egress peers for the pods behind the cluster's DNS Services (see cluster-dns.ts). */
function dnsPeers(view: Inventory['kubernetes']): DnsPeers {
  const dns = clusterDns(view)
  const peers = dns.selectors.map((matchLabels) => ({namespaceSelector: {matchLabels: {[NAMESPACE_NAME_LABEL]: DNS_NAMESPACE}}, podSelector: {matchLabels}}))
  if (dns.services.length > 0) return {peers, servers: dns.services.join(', ')}
  const label = Object.entries(dns.selectors[0] ?? {}).map(([key, value]) => `${key}=${value}`).join(',')
  return {
    peers,
    servers: `${DNS_NAMESPACE} pods labelled ${label}`,
    fallback: `DNS egress goes to ${DNS_NAMESPACE} pods labelled ${label}: no ${DNS_NAMESPACE} Service on port ${DNS_PORT} was read, so the cluster's DNS pods could not be named; check that label before a real run`,
  }
}

function toObject(draft: PolicyDraft, namespace: string, model: string, egress: boolean): NetworkPolicyObject {
  const reasons = [
    ...draft.ingress.map((rule, index) => `ingress[${index}]: ${rule.reason}`),
    ...draft.egress.map((rule, index) => `egress[${index}]: ${rule.reason}`),
  ]
  const rule = <K extends 'from' | 'to'>(key: K, r: RuleDraft) => {
    const out: Record<string, unknown> = {}
    if (r.peers !== undefined) out[key] = r.peers
    if (r.ports !== undefined) out.ports = r.ports
    return out
  }
  const policyTypes: ('Ingress' | 'Egress')[] = egress && draft.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress']
  const spec: NetworkPolicyObject['spec'] = {podSelector: draft.podSelector, policyTypes}
  if (draft.ingress.length > 0) spec.ingress = draft.ingress.map((r) => rule('from', r))
  if (egress && draft.egress.length > 0) spec.egress = draft.egress.map((r) => rule('to', r))
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {name: draft.name, namespace, labels: managedLabels(model), annotations: {[REASON_ANNOTATION]: reasons.join('\n')}},
    spec,
  }
}
