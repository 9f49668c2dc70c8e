/**
 * Is an application reachable from outside its deployment? Either Juju says so (`juju expose`,
 * which opens machine firewalls, and on Kubernetes only a podspec charm's Ingress) or Kubernetes
 * does (a LoadBalancer/NodePort/externalIPs Service, or an Ingress or Gateway route to the app's
 * Services).
 */
import type {KubeIngress, KubeRoute, KubeService} from '../../inventory/kubernetes.js'
import type {Application, Inventory, Model} from '../../inventory/types.js'
import {isWorldCidr} from '../../policy/cidr.js'
import {exposeEffect, firewallExposure, jujuExposure, type JujuExposure} from '../../policy/exposure.js'
import {kubeExposureOfApp, serviceSources} from '../../policy/kube-exposure.js'
import {list} from './targets.js'
import {charmMadeExternalService} from './charm-services.js'
import {keepsPodsClosed, serviceClosedToOutsideBy} from './network-policy.js'

export interface Reachability {
  /** Undefined when neither Juju exposure nor Kubernetes services were known. */
  exposed: boolean | undefined
  juju: JujuExposure[] | undefined
  services: KubeService[]
  ingresses: KubeIngress[]
  /** Gateway API routes (HTTPRoute, GRPCRoute) to its Services. */
  routes: KubeRoute[]
  /** Some path admits 0.0.0.0/0 or ::/0. */
  world: boolean
  /** Human-readable list of the paths in. */
  paths: string[]
  /**
   * The NetworkPolicies (whoever wrote them) that keep the pods closed to everything
   * outside the cluster today, when every path in is a Service of the cluster: the Service is
   * open, yet nothing outside gets through until a policy admits it. Empty otherwise.
   */
  closedBy: string[]
}

export function appNamespace(model: Model, app: Application): string | undefined {
  return app.kubernetes?.namespace ?? model.namespace ?? (model.type === 'caas' ? model.name : undefined)
}

export function reachability(inventory: Inventory, model: Model, app: Application): Reachability {
  const juju = firewallExposure(model, app)
  const effect = exposeEffect(model, app)
  const jujuIngress = effect.opens === 'ingress' && (jujuExposure(app) ?? []).length > 0 ? [`the Ingress juju expose makes for ${effect.host}`] : []
  const kube = kubeExposureOfApp(inventory.kubernetes, app, appNamespace(model, app))
  const kubeKnown = inventory.inputs.has('k8s-services') || inventory.inputs.has('k8s-ingresses') || inventory.inputs.has('k8s-gateway-api')
  // Before the cluster's Services are read, a charm known to make one for outside says so itself.
  const charmService = model.type === 'caas' && !inventory.inputs.has('k8s-services') ? charmMadeExternalService(app) : undefined
  const charmMade = charmService ? [charmService] : []
  const jujuExposed = (juju !== undefined && juju.length > 0) || jujuIngress.length > 0
  const kubeExposed = kube.services.length > 0 || kube.ingresses.length > 0 || kube.routes.length > 0 || charmMade.length > 0
  // On Kubernetes Juju's flag says nothing about what reaches the pods: only the cluster's objects do.
  const jujuDecides = effect.opens === 'firewall' && juju !== undefined
  const exposed = jujuExposed || kubeExposed ? true : jujuDecides || kubeKnown ? false : undefined
  const paths = [
    ...(juju ?? []).map((e) => `juju expose ${e.endpoint ? `endpoint ${e.endpoint}` : 'all endpoints'} to ${[...e.cidrs, ...e.spaces.map((s) => `space ${s}`)].join(', ')}`),
    ...jujuIngress,
    ...charmMade,
    ...kube.services.map((s) => `${s.spec.type ?? 'Service'} Service ${s.metadata.namespace}/${s.metadata.name}`),
    ...kube.ingresses.map((i) => `Ingress ${i.metadata.namespace}/${i.metadata.name}`),
    ...kube.routes.map((r) => `${r.kind} ${r.metadata.namespace}/${r.metadata.name}`),
  ]
  const world = (juju ?? []).some((e) => e.world) || jujuIngress.length > 0 || charmMade.length > 0 || kube.services.some((s) => serviceSources(s).some(isWorldCidr)) || kube.ingresses.length > 0 || kube.routes.length > 0
  const onlyServices = kube.services.length > 0 && kube.ingresses.length === 0 && kube.routes.length === 0 && !jujuExposed && charmMade.length === 0
  const closedBy = onlyServices ? servicesClosedBy(inventory, kube.services) : []
  return {exposed, juju, services: kube.services, ingresses: kube.ingresses, routes: kube.routes, world, paths, closedBy}
}

/** The policies that keep every one of these Services' pods closed to outside; empty when one is not. */
function servicesClosedBy(inventory: Inventory, services: KubeService[]): string[] {
  const names = new Set<string>()
  for (const service of services) {
    const closedBy = serviceClosedToOutsideBy(inventory.kubernetes, service)
    if (closedBy.length === 0) return []
    for (const name of closedBy) names.add(name)
  }
  return [...names]
}

/**
 * "reachable from outside (PATHS)", or, where the pods' NetworkPolicies keep outside traffic out
 * today, "open to outside (PATHS), though NetworkPolicy X keeps its pods closed …": the Service
 * still stands open (the rules judge it), but nothing outside gets in until a policy admits it.
 */
export function outsideReach(reach: Reachability): string {
  if (reach.closedBy.length === 0) return `reachable from outside (${list(reach.paths)})`
  return `open to outside (${list(reach.paths)}), though ${keepsPodsClosed(reach.closedBy)}`
}
