/**
 * How a Kubernetes workload is reachable from outside the cluster: a Service of type
 * LoadBalancer or NodePort, a Service with externalIPs, or an Ingress or Gateway API route
 * (HTTPRoute, GRPCRoute) routing to one of its Services. (`juju expose` does nothing on Kubernetes
 * for sidecar charms.)
 */
import {routeBackends} from '../inventory/gateway-api.js'
import {APP_NAME_LABEL, type KubeIngress, type KubeRoute, type KubeService, type KubernetesView} from '../inventory/kubernetes.js'
import type {Application} from '../inventory/types.js'
import {WORLD_CIDRS} from './cidr.js'

export function isExternalService(service: KubeService): boolean {
  const type = service.spec.type
  return type === 'LoadBalancer' || type === 'NodePort' || (service.spec.externalIPs ?? []).length > 0
}

/**
 * The legacy annotation Kubernetes reads when `spec.loadBalancerSourceRanges` is empty
 * (k8s.io/cloud-provider service helpers, GetLoadBalancerSourceRanges): comma-separated CIDRs.
 */
export const SOURCE_RANGES_ANNOTATION = 'service.beta.kubernetes.io/load-balancer-source-ranges'

/**
 * The sources an external Service admits: `loadBalancerSourceRanges` for a LoadBalancer that sets
 * them (or, when the field is empty, the legacy annotation), else everyone (NodePorts and
 * externalIPs have no source restriction of their own).
 */
export function serviceSources(service: KubeService): string[] {
  if (service.spec.type !== 'LoadBalancer' || (service.spec.externalIPs ?? []).length > 0) return [...WORLD_CIDRS]
  const ranges = service.spec.loadBalancerSourceRanges ?? []
  if (ranges.length > 0) return [...ranges]
  const annotated = (service.metadata.annotations?.[SOURCE_RANGES_ANNOTATION] ?? '')
    .split(',')
    .map((range) => range.trim())
    .filter((range) => range !== '')
  return annotated.length > 0 ? annotated : [...WORLD_CIDRS]
}

export function servicePorts(service: KubeService): number[] {
  return (service.spec.ports ?? []).map((p) => p.port)
}

/** Services that belong to a Juju app: joined by the builder, named after it, or selecting its pods. */
export function servicesOfApp(view: KubernetesView, app: Application, namespace: string | undefined): KubeService[] {
  const out = new Map<string, KubeService>()
  for (const s of app.kubernetes?.services ?? []) out.set(`${s.metadata.namespace}/${s.metadata.name}`, s)
  if (namespace) {
    for (const s of view.services) {
      if (s.metadata.namespace !== namespace) continue
      const name = s.metadata.name
      if (name === app.name || name === `${app.name}-endpoints` || s.spec.selector?.[APP_NAME_LABEL] === app.name) {
        out.set(`${namespace}/${name}`, s)
      }
    }
  }
  return [...out.values()]
}

export function ingressesToServices(view: KubernetesView, namespace: string, serviceNames: readonly string[]): KubeIngress[] {
  return view.ingresses.filter(
    (ing) =>
      ing.metadata.namespace === namespace &&
      (ing.spec.rules ?? []).some((rule) => (rule.http?.paths ?? []).some((p) => p.backend.service !== undefined && serviceNames.includes(p.backend.service.name))),
  )
}

export interface KubeExposure {
  services: KubeService[]
  ingresses: KubeIngress[]
  routes: KubeRoute[]
}

export function kubeExposureOfApp(view: KubernetesView, app: Application, namespace: string | undefined): KubeExposure {
  const services = servicesOfApp(view, app, namespace)
  const names = services.map((s) => s.metadata.name)
  const ingresses = namespace ? ingressesToServices(view, namespace, names) : []
  const routes = namespace ? routesToServices(view, namespace, names) : []
  return {services: services.filter(isExternalService), ingresses, routes}
}

/** HTTPRoutes and GRPCRoutes (in any namespace) with a backend among these Services of `namespace`. */
export function routesToServices(view: KubernetesView, namespace: string, serviceNames: readonly string[]): KubeRoute[] {
  return view.routes.filter((route) => routeBackends(route).some((backend) => backend.namespace === namespace && serviceNames.includes(backend.name)))
}

export function describeService(service: KubeService): string {
  const ports = (service.spec.ports ?? []).map((p) => (p.nodePort ? `${p.port}:${p.nodePort}` : `${p.port}`))
  const ips = (service.spec.externalIPs ?? []).length > 0 ? ` externalIPs ${service.spec.externalIPs?.join(', ')}` : ''
  return `${service.spec.type ?? 'ClusterIP'} Service ${service.metadata.namespace}/${service.metadata.name} (${ports.length === 1 ? 'port' : 'ports'} ${ports.join(', ') || 'none'})${ips}`
}
