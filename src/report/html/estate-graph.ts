/**
 * One graph per Juju model: applications (charm, trust, root, exposure), relations (requirer →
 * provider, labelled with the interface), offers and their consumers, consumed offers, the
 * Ingresses, Gateway routes and LoadBalancer/NodePort Services that let traffic in, and the pods of the
 * namespace Juju does not own. Also the index that puts a finding on its node.
 */
import type {Target} from '../../findings/types.js'
import {APP_NAME_LABEL, type KubernetesView, type KubeRoute} from '../../inventory/kubernetes.js'
import {type Inventory, type Model, modelKey} from '../../inventory/types.js'
import {podClasses} from '../../netpol/classes.js'
import type {PodClass} from '../../netpol/types.js'
import {plaintextRoutes, routeBackends, routeGateways} from '../../inventory/gateway-api.js'
import {ingressBackends} from '../../plan/routed-backends.js'
import {isExternalService, serviceSources} from '../../policy/kube-exposure.js'
import {exposeEffect, jujuExposure} from '../../policy/exposure.js'
import type {HtmlGraph} from './types.js'


export interface EstateGraphs {
  graphs: HtmlGraph[]
  /** The node a finding's target is drawn as (`graphId node:nodeId`), if any. */
  nodeOf(target: Target): string | undefined
  /** The graph of a namespace, to add reachability edges to. */
  graphOfNamespace(namespace: string): HtmlGraph | undefined
  /** The node id of a pod class in its namespace's graph (an application or a non-Juju pod). */
  nodeOfClass(podClass: PodClass): string
}

/** Adds a mark (`root`) to the nodes these targets are drawn as. */
export function markTargets(estate: EstateGraphs, targets: readonly Target[], mark: string): void {
  for (const target of targets) {
    const ref = estate.nodeOf(target)
    if (!ref) continue
    // Graph ids (controller/model, `namespace NS`) hold no ' node:'; node ids (app names) might.
    const at = ref.indexOf(' node:')
    const graphId = ref.slice(0, at)
    const nodeId = ref.slice(at + ' node:'.length)
    const node = estate.graphs.find((graph) => graph.id === graphId)?.nodes.find((candidate) => candidate.id === nodeId)
    if (node && !node.marks.includes(mark)) node.marks.push(mark)
  }
}

export function nodeRef(graph: HtmlGraph, nodeId: string): string {
  return `${graph.id} node:${nodeId}`
}

export function estateGraphs(inventory: Inventory, options: {namespacesWithoutModel?: readonly string[]; classes?: readonly PodClass[]} = {}): EstateGraphs {
  const view = inventory.kubernetes
  const classes = options.classes ?? podClasses(view, {policies: view.networkPolicies})
  const graphs: HtmlGraph[] = []
  const byNamespace = new Map<string, HtmlGraph>()
  const objectIndex = new Map<string, string>()
  const classNode = new Map<string, string>()
  const cluster: ClusterDrawing = {view, classes, objectIndex, classNode, plaintext: new Set(plaintextRoutes(view).map((found) => found.route))}

  const models = [...inventory.models.values()].sort((a, b) => modelKey(a.controller, a.name).localeCompare(modelKey(b.controller, b.name)))
  for (const model of models) {
    const graph = modelGraph(model)
    graphs.push(graph)
    if (model.namespace) {
      byNamespace.set(model.namespace, graph)
      addKubernetes(graph, model, model.namespace, cluster)
    }
    for (const node of graph.nodes) objectIndex.set(`${graph.id}|${node.id}`, nodeRef(graph, node.id))
  }
  for (const namespace of options.namespacesWithoutModel ?? []) {
    if (byNamespace.has(namespace)) continue
    const graph: HtmlGraph = {id: `namespace ${namespace}`, title: `namespace ${namespace} (no Juju model)`, nodes: [], edges: []}
    addKubernetes(graph, undefined, namespace, cluster)
    graphs.push(graph)
    byNamespace.set(namespace, graph)
  }

  const modelGraphId = (target: Target): string | undefined => {
    if (target.model !== undefined) {
      const match = models.find((model) => model.name === target.model && (target.controller === undefined || model.controller === target.controller))
      if (match) return modelKey(match.controller, match.name)
    }
    if (target.namespace !== undefined) return byNamespace.get(target.namespace)?.id
    return undefined
  }
  return {
    graphs,
    nodeOf(target) {
      if (target.namespace !== undefined && /^[A-Z]/.test(target.kind)) {
        const hit = objectIndex.get(`${target.namespace}|${target.kind}/${target.name}`)
        if (hit) return hit
      }
      const graphId = modelGraphId(target)
      if (graphId === undefined) return undefined
      const app = appOfTarget(target)
      for (const id of [`app:${app}`, `offer:${target.name}`, `remote:${app}`]) {
        const hit = objectIndex.get(`${graphId}|${id}`)
        if (hit) return hit
      }
      return undefined
    },
    graphOfNamespace: (namespace) => byNamespace.get(namespace),
    nodeOfClass: (podClass) => classNode.get(podClass.id) ?? `pod:${podClass.name}`,
  }
}

function appOfTarget(target: Target): string {
  return target.kind === 'unit' ? target.name.split('/')[0]! : target.name
}

function modelGraph(model: Model): HtmlGraph {
  const id = modelKey(model.controller, model.name)
  const where = [model.controller && `controller ${model.controller}`, model.type, model.namespace && `namespace ${model.namespace}`].filter(Boolean).join(', ')
  const graph: HtmlGraph = {id, title: `${model.controller ? `${model.controller}:` : ''}${model.name}${where ? ` (${where})` : ''}`, nodes: [], edges: []}
  const apps = [...model.applications.values()].sort((a, b) => a.name.localeCompare(b.name))
  for (const app of apps) {
    const marks: string[] = []
    if (app.trust === true) marks.push('trust')
    // On Kubernetes the flag opens nothing (exposeEffect): the box says it is only marked.
    if ((jujuExposure(app) ?? []).length > 0) marks.push(exposeEffect(model, app).opens === 'nothing' ? 'marked exposed' : 'exposed')
    const charm = [app.charm, app.channel, app.revision === undefined ? undefined : `r${app.revision}`].filter(Boolean).join(' ')
    const details = [charm]
    if (app.scale !== undefined) details.push(`${app.scale} unit${app.scale === 1 ? '' : 's'}`)
    if (app.subordinateTo?.length) details.push(`subordinate of ${app.subordinateTo.join(', ')}`)
    graph.nodes.push({id: `app:${app.name}`, kind: 'application', label: app.name, details, marks})
  }
  for (const consumed of model.consumed) {
    graph.nodes.push({id: `remote:${consumed.name}`, kind: 'remote', label: consumed.name, details: ['consumed offer', consumed.url], marks: ['cross-model']})
  }
  const has = (nodeId: string) => graph.nodes.some((node) => node.id === nodeId)
  for (const relation of model.relations) {
    if (relation.endpoints.length !== 2) continue
    const provider = relation.endpoints.find((endpoint) => endpoint.role === 'provider') ?? relation.endpoints[1]!
    const requirer = relation.endpoints.find((endpoint) => endpoint !== provider)!
    const nodeOf = (application: string) => (has(`app:${application}`) ? `app:${application}` : `remote:${application}`)
    for (const end of [requirer, provider]) {
      if (!has(nodeOf(end.application))) graph.nodes.push({id: `remote:${end.application}`, kind: 'remote', label: end.application, details: ['remote application'], marks: ['cross-model']})
    }
    const label = `${relation.interface ?? 'relation'}: ${requirer.endpoint ?? '?'} → ${provider.endpoint ?? '?'}`
    graph.edges.push({from: nodeOf(requirer.application), to: nodeOf(provider.application), kind: 'relation', label})
  }
  for (const offer of model.offers) {
    const offerId = `offer:${offer.name}`
    const endpoints = offer.endpoints.map((endpoint) => `${endpoint.name}${endpoint.interface ? ` (${endpoint.interface})` : ''}`).join(', ')
    graph.nodes.push({id: offerId, kind: 'offer', label: `offer ${offer.name}`, details: [offer.url ?? '', endpoints].filter(Boolean), marks: []})
    if (has(`app:${offer.application}`)) graph.edges.push({from: offerId, to: `app:${offer.application}`, kind: 'offer', label: 'offers'})
    const consumers = [...new Set((offer.connections ?? []).map((connection) => connection.sourceModel ?? connection.username ?? 'unknown consumer'))].sort()
    for (const consumer of consumers) {
      const consumerId = `consumer:${consumer}`
      if (!has(consumerId)) graph.nodes.push({id: consumerId, kind: 'consumer', label: consumer, details: ['consumer (another model)'], marks: ['cross-model']})
      graph.edges.push({from: consumerId, to: offerId, kind: 'consumes', label: 'consumes'})
    }
  }
  return graph
}

/** What every namespace's drawing reads (the cluster, worked out once) and fills in (where each object and pod class is drawn). */
interface ClusterDrawing {
  view: KubernetesView
  classes: readonly PodClass[]
  /** `namespace|Kind/name` → the node an object is drawn as. */
  objectIndex: Map<string, string>
  /** Pod class id → its node id. */
  classNode: Map<string, string>
  /** The Gateway routes served in clear. */
  plaintext: ReadonlySet<KubeRoute>
}

/** Entry points and pods of the namespace: Juju's pods join their application, the rest are nodes of their own. */
function addKubernetes(graph: HtmlGraph, model: Model | undefined, namespace: string, {view, classes, objectIndex, classNode, plaintext}: ClusterDrawing): void {
  const has = (nodeId: string) => graph.nodes.some((node) => node.id === nodeId)
  const appOfService = new Map<string, string>()
  for (const app of model?.applications.values() ?? []) {
    const nodeId = nodeRef(graph, `app:${app.name}`)
    const k8s = app.kubernetes
    for (const object of [...(k8s?.workloads ?? []), ...(k8s?.pods ?? []), ...(k8s?.services ?? []), ...(k8s?.serviceAccounts ?? []), ...(k8s?.roles ?? [])]) {
      objectIndex.set(`${namespace}|${object.kind}/${object.metadata.name}`, nodeId)
    }
    for (const service of k8s?.services ?? []) appOfService.set(service.metadata.name, `app:${app.name}`)
  }
  for (const podClass of classes.filter((candidate) => candidate.namespace === namespace)) {
    const appNode = `app:${podClass.name}`
    const nodeId = model?.applications.has(podClass.name) ? appNode : `pod:${podClass.name}`
    classNode.set(podClass.id, nodeId)
    if (!has(nodeId)) {
      graph.nodes.push({
        id: nodeId,
        kind: 'pod',
        label: podClass.name,
        details: [`${podClass.pods.length} pod${podClass.pods.length === 1 ? '' : 's'} not deployed by Juju`],
        marks: podClass.hostNetwork ? ['host network'] : [],
      })
    }
    for (const pod of podClass.pods) if (!objectIndex.has(`${namespace}|Pod/${pod}`)) objectIndex.set(`${namespace}|Pod/${pod}`, nodeRef(graph, nodeId))
  }
  const serviceTarget = (serviceName: string): string | undefined => {
    const known = appOfService.get(serviceName)
    if (known) return known
    const service = view.services.find((candidate) => candidate.metadata.namespace === namespace && candidate.metadata.name === serviceName)
    const selected = service?.spec.selector?.[APP_NAME_LABEL]
    for (const id of [`app:${selected}`, `pod:${selected}`, `app:${serviceName}`]) if (has(id)) return id
    return undefined
  }
  for (const service of view.services.filter((candidate) => candidate.metadata.namespace === namespace && isExternalService(candidate))) {
    const entryId = `entry:Service/${service.metadata.name}`
    const ports = (service.spec.ports ?? []).map((port) => `${port.port}/${port.protocol ?? 'TCP'}`).join(', ')
    graph.nodes.push({
      id: entryId,
      kind: 'entry',
      label: `${service.spec.type ?? 'Service'} ${service.metadata.name}`,
      details: [`ports ${ports || 'none'}`, `from ${serviceSources(service).join(', ')}`],
      marks: ['entry point'],
    })
    objectIndex.set(`${namespace}|Service/${service.metadata.name}`, nodeRef(graph, entryId))
    const target = serviceTarget(service.metadata.name)
    if (target) graph.edges.push({from: entryId, to: target, kind: 'entry', label: ports})
  }
  for (const ingress of view.ingresses.filter((candidate) => candidate.metadata.namespace === namespace)) {
    const entryId = `entry:Ingress/${ingress.metadata.name}`
    const hosts = (ingress.spec.rules ?? []).map((rule) => rule.host).filter((host): host is string => typeof host === 'string')
    const tls = (ingress.spec.tls ?? []).length > 0
    graph.nodes.push({id: entryId, kind: 'entry', label: `Ingress ${ingress.metadata.name}`, details: [hosts.join(', ') || 'any host', tls ? 'TLS' : 'no TLS'], marks: ['entry point']})
    objectIndex.set(`${namespace}|Ingress/${ingress.metadata.name}`, nodeRef(graph, entryId))
    for (const backend of [...new Set(ingressBackends(ingress))]) {
      const target = serviceTarget(backend)
      if (target) graph.edges.push({from: entryId, to: target, kind: 'entry', label: `→ Service ${backend}`})
    }
  }
  // Gateway API routes to the namespace's Services, wherever the route itself is.
  for (const route of view.routes) {
    const backends = routeBackends(route).filter((backend) => backend.namespace === namespace)
    if (backends.length === 0) continue
    const routeNamespace = route.metadata.namespace ?? 'default'
    const name = routeNamespace === namespace ? route.metadata.name : `${routeNamespace}/${route.metadata.name}`
    const entryId = `entry:${route.kind}/${name}`
    const gateways = routeGateways(route).map((parent) => `${parent.namespace}/${parent.name}`)
    const read = gateways.length > 0 && routeGateways(route).every((parent) => view.gateways.some((gateway) => gateway.metadata.name === parent.name && (gateway.metadata.namespace ?? 'default') === parent.namespace))
    const tls = plaintext.has(route) ? 'no TLS' : read ? 'TLS' : 'TLS not known (Gateway not read)'
    graph.nodes.push({id: entryId, kind: 'entry', label: `${route.kind} ${name}`, details: [gateways.length > 0 ? `Gateway ${gateways.join(', ')}` : 'no Gateway', tls], marks: ['entry point']})
    objectIndex.set(`${routeNamespace}|${route.kind}/${route.metadata.name}`, nodeRef(graph, entryId))
    for (const backend of backends) {
      const target = serviceTarget(backend.name)
      if (target) graph.edges.push({from: entryId, to: target, kind: 'entry', label: `→ Service ${backend.name}${backend.port === undefined ? '' : `:${backend.port}`}`})
    }
  }
}
