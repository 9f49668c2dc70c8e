/** The fix for a Gateway API route served in clear (plaintextRoutes in src/inventory/gateway-api.ts). */
import type {PlaintextRoute} from '../../inventory/gateway-api.js'

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
