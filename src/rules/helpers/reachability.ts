/**
 * Is an application reachable from outside its deployment? Either Juju says so (`juju expose`,
 * which opens machine firewalls, and on Kubernetes only a podspec charm's Ingress) or Kubernetes
 * does (a LoadBalancer/NodePort/externalIPs Service or an Ingress routing to the app's Services).
 */
import type {KubeIngress, KubeService} from '../../inventory/kubernetes.js'
import type {Application, Inventory, Model} from '../../inventory/types.js'
import {isWorldCidr} from '../../policy/cidr.js'
import {exposeEffect, firewallExposure, jujuExposure, type JujuExposure} from '../../policy/exposure.js'
import {kubeExposureOfApp, serviceSources} from '../../policy/kube-exposure.js'
import {charmMadeExternalService} from './charm-services.js'

export interface Reachability {
  /** Undefined when neither Juju exposure nor Kubernetes services were known. */
  exposed: boolean | undefined
  juju: JujuExposure[] | undefined
  services: KubeService[]
  ingresses: KubeIngress[]
  /** Some path admits 0.0.0.0/0 or ::/0. */
  world: boolean
  /** Human-readable list of the paths in. */
  paths: string[]
}

export function appNamespace(model: Model, app: Application): string | undefined {
  return app.kubernetes?.namespace ?? model.namespace ?? (model.type === 'caas' ? model.name : undefined)
}

export function reachability(inventory: Inventory, model: Model, app: Application): Reachability {
  const juju = firewallExposure(model, app)
  const effect = exposeEffect(model, app)
  const jujuIngress = effect.opens === 'ingress' && (jujuExposure(app) ?? []).length > 0 ? [`the Ingress juju expose makes for ${effect.host}`] : []
  const kube = kubeExposureOfApp(inventory.kubernetes, app, appNamespace(model, app))
  const kubeKnown = inventory.inputs.has('k8s-services') || inventory.inputs.has('k8s-ingresses')
  // Before the cluster's Services are read, a charm known to make one for outside says so itself.
  const charmService = model.type === 'caas' && !inventory.inputs.has('k8s-services') ? charmMadeExternalService(app) : undefined
  const charmMade = charmService ? [charmService] : []
  const jujuExposed = (juju !== undefined && juju.length > 0) || jujuIngress.length > 0
  const kubeExposed = kube.services.length > 0 || kube.ingresses.length > 0 || charmMade.length > 0
  // On Kubernetes Juju's flag says nothing about what reaches the pods: only the cluster's objects do.
  const jujuDecides = effect.opens === 'firewall' && juju !== undefined
  const exposed = jujuExposed || kubeExposed ? true : jujuDecides || kubeKnown ? false : undefined
  const paths = [
    ...(juju ?? []).map((e) => `juju expose ${e.endpoint ? `endpoint ${e.endpoint}` : 'all endpoints'} to ${[...e.cidrs, ...e.spaces.map((s) => `space ${s}`)].join(', ')}`),
    ...jujuIngress,
    ...charmMade,
    ...kube.services.map((s) => `${s.spec.type ?? 'Service'} Service ${s.metadata.namespace}/${s.metadata.name}`),
    ...kube.ingresses.map((i) => `Ingress ${i.metadata.namespace}/${i.metadata.name}`),
  ]
  const world = (juju ?? []).some((e) => e.world) || jujuIngress.length > 0 || charmMade.length > 0 || kube.services.some((s) => serviceSources(s).some(isWorldCidr)) || kube.ingresses.length > 0
  return {exposed, juju, services: kube.services, ingresses: kube.ingresses, world, paths}
}
