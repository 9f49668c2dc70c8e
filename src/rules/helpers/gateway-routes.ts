/**
 * Gateway API routes that serve content over plain HTTP: an HTTPRoute or GRPCRoute attached to a
 * Gateway listener of protocol HTTP, other than one that only redirects to HTTPS. The Gateway API
 * has no redirect of its own (ingress-nginx redirects an Ingress with `tls` by default; a Gateway
 * serves what a route attaches to each listener), so content on an HTTP listener travels in clear
 * whether or not an HTTPS listener serves it too.
 */
import {attachedListeners, indexGateways, isPlaintextListener, onlyRedirectsToHttps, routeBackends} from '../../inventory/gateway-api.js'
import type {KubeGateway, KubeRoute, KubernetesView} from '../../inventory/kubernetes.js'

type Listener = KubeGateway['spec']['listeners'][number]

export interface PlaintextRoute {
  route: KubeRoute
  /** The Services it sends to, `namespace/name`. */
  backends: string[]
  /** Each Gateway it is served in clear on, the HTTP listeners, and the index of the parentRef that attaches it. */
  through: {gateway: KubeGateway; listeners: Listener[]; parentRef: number}[]
}

/** Routes read whose content some HTTP listener serves; a route whose Gateway was not read is not judged. */
export function plaintextRoutes(view: Pick<KubernetesView, 'routes' | 'gateways' | 'gatewayClasses'>): PlaintextRoute[] {
  const gateways = indexGateways(view.gateways, view.gatewayClasses)
  const found: PlaintextRoute[] = []
  for (const route of view.routes) {
    if (onlyRedirectsToHttps(route)) continue
    const namespace = route.metadata.namespace ?? 'default'
    const through: PlaintextRoute['through'] = []
    const seen = new Set<KubeGateway>()
    ;(route.spec.parentRefs ?? []).forEach((ref, index) => {
      if ((ref.kind ?? 'Gateway') !== 'Gateway') return
      const gateway = gateways.gateway(ref.namespace ?? namespace, ref.name)
      if (!gateway || seen.has(gateway)) return
      seen.add(gateway)
      const listeners = attachedListeners(route, gateway).filter(isPlaintextListener)
      if (listeners.length > 0) through.push({gateway, listeners, parentRef: index})
    })
    if (through.length === 0) continue
    found.push({route, backends: [...new Set(routeBackends(route).map((backend) => `${backend.namespace}/${backend.name}`))], through})
  }
  return found
}

/** The namespaces a route touches: its own and its backends'. */
export function routeNamespaces(route: KubeRoute): string[] {
  return [...new Set([route.metadata.namespace ?? 'default', ...routeBackends(route).map((backend) => backend.namespace)])]
}

const QUALIFIED = {HTTPRoute: 'httproutes.gateway.networking.k8s.io', GRPCRoute: 'grpcroutes.gateway.networking.k8s.io', Gateway: 'gateways.gateway.networking.k8s.io'} as const

/**
 * Serve the route on an HTTPS listener only: attach it there (its parentRef's `sectionName`), after
 * adding such a listener with a certificate when the Gateway has none. Resource names are qualified:
 * with Istio installed, a bare `gateway` names Istio's kind.
 */
export function plaintextRouteFix(found: PlaintextRoute): string {
  const {route} = found
  const [first] = found.through as [PlaintextRoute['through'][number]]
  const {gateway} = first
  const routeNamespace = route.metadata.namespace ?? 'default'
  const gatewayNamespace = gateway.metadata.namespace ?? 'default'
  const kind = route.kind === 'GRPCRoute' ? QUALIFIED.GRPCRoute : QUALIFIED.HTTPRoute
  const attach = (listener: string) =>
    `kubectl -n ${routeNamespace} patch ${kind} ${route.metadata.name} --type=json -p '${JSON.stringify([{op: 'add', path: `/spec/parentRefs/${first.parentRef}/sectionName`, value: listener}])}'`
  const after = `http:// clients then get no answer from it: a route on the HTTP listener with a RequestRedirect filter (scheme https) sends them over`
  const secure = gateway.spec.listeners.find((listener) => listener.protocol === 'HTTPS')
  if (secure) return `${attach(secure.name)}   # serves it on ${secure.name} (HTTPS, port ${secure.port}) only; ${after}`
  const names = new Set(gateway.spec.listeners.map((listener) => listener.name))
  const name = names.has('https') ? 'https-443' : 'https'
  const hostname = first.listeners.find((listener) => listener.hostname !== undefined)?.hostname
  const secret = `${gateway.metadata.name}-tls`
  const listener = {name, port: 443, protocol: 'HTTPS', ...(hostname ? {hostname} : {}), tls: {mode: 'Terminate', certificateRefs: [{kind: 'Secret', name: secret}]}}
  const addListener = `kubectl -n ${gatewayNamespace} patch ${QUALIFIED.Gateway} ${gateway.metadata.name} --type=json -p '${JSON.stringify([{op: 'add', path: '/spec/listeners/-', value: listener}])}'`
  return `${addListener}; ${attach(name)}   # Gateway ${gatewayNamespace}/${gateway.metadata.name} has no HTTPS listener: the TLS Secret must exist first: kubectl -n ${gatewayNamespace} create secret tls ${secret} --cert=CERT_FILE --key=KEY_FILE (or let cert-manager issue it); ${after}`
}
