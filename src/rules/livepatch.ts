/**
 * Livepatch Server rules (001). They act only on models that run `canonical-livepatch-server` or
 * `canonical-livepatch-server-k8s`, on the Livepatch application, the PostgreSQL it is related
 * to, its patch storage (minio / s3-integrator, when related) and its ingress.
 */
import {holdsRealValue} from '../inventory/charm-options.js'
import type {Application, Inventory, Model} from '../inventory/types.js'
import {cidrWithinAny, isWorldCidr} from '../policy/cidr.js'
import type {Policy} from '../policy/schema.js'
import {cite} from './guides.js'
import {certificatesFix, describeProvider, noCertificatesEndpointFix, proxyCertificateFix, withCommands} from './helpers/certificate-providers.js'
import {appLabel, charmName, CHARMS, isCharmIn} from './helpers/charms.js'
import {fixLine} from './helpers/fix-line.js'
import {certificateOptionSet, servicesIgnoreCertificate} from './helpers/haproxy-services.js'
import {anyGlobMatches} from './helpers/glob.js'
import {ingressControllerAdmission, proxyAdmission} from './helpers/ingress-admission.js'
import {ingressIsolation, keepsPodsClosed} from './helpers/network-policy.js'
import {modelsWith} from './helpers/products.js'
import {appNamespace, outsideReach, type Reachability, reachability} from './helpers/reachability.js'
import {exposeExternalServiceType} from './helpers/charm-services.js'
import {relatedApps, tlsRelations} from './helpers/relations.js'
import {ADMIN_CIDRS, appModelArg, appTarget, jujuModelName, list, qualifiedModelName, refField} from './helpers/targets.js'
import {APP_NAME_LABEL, cloudLoadBalancerIngress, type KubeIngress, type KubeIngressClass, servedByCiliumIngress} from '../inventory/kubernetes.js'
import type {SourceRef} from '../sources/document.js'
import {type UnseenDataPath, unseenDataPathOf} from '../plan/proxy-pods.js'
import {indexRouting, type Routed, routedTo} from '../plan/routed-backends.js'
import {plaintextRoutes} from '../inventory/gateway-api.js'
import {managingApp} from './helpers/charm-managed.js'
import {plaintextRouteFix} from './helpers/gateway-routes.js'
import type {Rule} from './rule.js'

const INFRASTRUCTURE = cite('livepatch', 'Infrastructure Setup')

function ingressAppsOf(model: Model, app: Application): Application[] {
  return relatedApps(model, app).filter((a) => isCharmIn(a, CHARMS.ingressIntegrators))
}

/** How the Livepatch server is reachable from outside: its own exposure, or an ingress charm. */
function livepatchPaths(inventory: Inventory, model: Model, app: Application): {paths: string[]; world: boolean; exposed: boolean | undefined} {
  const reach = reachability(inventory, model, app)
  const viaIngress = ingressAppsOf(model, app).map((i) => `ingress through ${appLabel(i)}`)
  const paths = [...reach.paths, ...viaIngress]
  const exposed = paths.length > 0 ? true : reach.exposed
  return {paths, world: reach.world || viaIngress.length > 0, exposed}
}

/**
 * The admin API open to every pod: with clients coming through an ingress, reconcile's policies
 * (the ingress controller and related applications only) come first, and the ingress's allowlist
 * after (the rule then prints it). Otherwise a policy of the admin networks, which the client API
 * shares: it cuts every client outside them.
 */
function adminPolicyCommand(namespace: string, app: string, cidrs: readonly string[], throughIngress: boolean): string {
  if (throughIngress) {
    return `hardenctl reconcile -n ${namespace}   # first: admits only the ingress controller and the related applications, so the admin API is reached only through the ingress; then narrow the ingress to the admin networks (the next audit prints how). A policy of the admin networks alone would cut off every client coming through the ingress`
  }
  const manifest = JSON.stringify({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {name: `${app}-admin-sources`, namespace},
    spec: {
      podSelector: {matchLabels: {[APP_NAME_LABEL]: app}},
      policyTypes: ['Ingress'],
      ingress: [{from: (cidrs.length > 0 ? cidrs : [ADMIN_CIDRS]).map((cidr) => ({ipBlock: {cidr}}))}],
    },
  })
  return `echo '${manifest}' | kubectl apply -f -   # sources from livepatch.adminCidrs; the client API shares the port, so only if every Livepatch client is in these networks too`
}

/** Clients reach the Livepatch server through an Ingress, a Gateway route, or an ingress charm in front of it. */
function throughIngress(inventory: Inventory, model: Model, app: Application): boolean {
  return reachability(inventory, model, app).ingresses.length > 0 || gatewayRoutesTo(inventory, model, app).length > 0 || ingressAppsOf(model, app).length > 0
}

/**
 * The Gateway API routes to Livepatch that no charm of the model makes (gateway-api-integrator's
 * are its relation's), each with who carries it, as reconcile reads them (src/plan/routed-backends.ts).
 */
function gatewayRoutesTo(inventory: Inventory, model: Model, app: Application): Routed[] {
  const namespace = appNamespace(model, app)
  if (!namespace || inventory.kubernetes.routes.length === 0) return []
  return routedTo(app, namespace, indexRouting(inventory.kubernetes)).filter((routed) => routed.kind !== 'Ingress')
}

/** How each Gateway implementation whose proxies are pods narrows its clients' addresses. */
const GATEWAY_ALLOWLISTS: Readonly<Record<string, (cidrs: string) => string>> = {
  'Envoy Gateway': (cidrs) => `a SecurityPolicy targeting the route or Gateway with an authorization rule on clientCIDRs ${cidrs}`,
  Istio: (cidrs) => `an AuthorizationPolicy on the Gateway's pods admitting ipBlocks ${cidrs}`,
  Traefik: (cidrs) => `an IPAllowList middleware with sourceRange ${cidrs}, on the route as an ExtensionRef filter`,
}

/**
 * The admin API behind a Gateway route: the Gateway API has no source allowlist, so narrowing is the
 * implementation's, and it narrows the clients too unless admins get a route of their own.
 */
function adminThroughGatewayFix(routed: Routed, adminCidrs: readonly string[]): string {
  const cidrs = adminCidrs.join(',') || ADMIN_CIDRS
  const {carrier} = routed
  const gateway = carrier.by === 'proxies' || carrier.by === 'unknown' ? `Gateway ${carrier.gateway}` : 'its Gateway'
  const how =
    carrier.by === 'cilium'
      ? `a CiliumClusterwideNetworkPolicy selecting the reserved:ingress identity with fromCIDRSet ${cidrs}, which narrows every route Cilium serves`
      : carrier.by === 'outside'
        ? `${carrier.served.name}'s own source allowlist`
        : carrier.by === 'proxies' && GATEWAY_ALLOWLISTS[carrier.implementation]
          ? GATEWAY_ALLOWLISTS[carrier.implementation]!(cidrs)
          : `its own source allowlist (Envoy Gateway: a SecurityPolicy with an authorization rule on clientCIDRs ${cidrs}; Istio: an AuthorizationPolicy with ipBlocks ${cidrs} on the Gateway's pods)`
  return `${routed.kind} ${routed.name} routes to it through ${gateway}, and the Gateway API has no source allowlist: narrow who reaches the Gateway to ${cidrs} in its implementation (${how}) only if every Livepatch client is in these networks too; otherwise serve the admin API through a second route on a Gateway narrowed so`
}

/**
 * A proxy in front of Livepatch whose connections come from where no NetworkPolicy peer names them
 * (src/plan/proxy-pods.ts: gateway-api-integrator's Gateway, ingress-configurator's route):
 * reconcile admits every source for them.
 */
function unseenDataPathProxyOf(model: Model, app: Application): {proxy: Application; path: UnseenDataPath} | undefined {
  for (const proxy of ingressAppsOf(model, app)) {
    const path = unseenDataPathOf(charmName(proxy))
    if (path) return {proxy, path}
  }
  return undefined
}

/** A NetworkPolicy on Livepatch's pods cannot tell admins from clients there: the fix narrows where the traffic comes in. */
function adminThroughUnseenDataPathFix({proxy, path}: {proxy: Application; path: UnseenDataPath}, adminCidrs: readonly string[]): string {
  const cidrs = adminCidrs.join(',') || ADMIN_CIDRS
  return `${proxy.name} (${charmName(proxy)}) routes to it through ${path.routedThrough}; no NetworkPolicy on Livepatch's pods can tell admins from clients among its connections: narrow where they come in to ${cidrs} (a Gateway's implementation: on Canonical Kubernetes, a CiliumClusterwideNetworkPolicy selecting the reserved:ingress identity with fromCIDRSet ${cidrs}, which narrows every route Cilium serves; HAProxy: its frontend) only if every Livepatch client is in these networks too; otherwise serve the admin API through a second route whose proxy takes an allowlist (nginx-ingress-integrator's whitelist-source-range)`
}

/** The admin API behind an exposed proxy: narrowed there, which narrows the clients too unless admins get a route of their own. */
function adminThroughProxyFix(proxy: Application, adminCidrs: readonly string[]): string {
  const cidrs = adminCidrs.join(',') || ADMIN_CIDRS
  return `juju expose -m ${appModelArg(proxy)} ${proxy.name} --to-cidrs ${cidrs}   # only if every Livepatch client is in these networks too; otherwise keep ${proxy.name} open and admit the admin API's paths only from them in its own configuration`
}

interface AdminApiVerdict {
  open: boolean
  why: string
  evidence: Record<string, unknown>
  /** A machine proxy Juju exposes to the world, in front of Livepatch. */
  through?: Application
  /** Kubernetes: the fix narrows the ingress, which the policies let in (and where it is). */
  ingressFix?: {text: string; ref: SourceRef | undefined}
}

/**
 * The policies admit a Gateway's proxies (reconcile's do, so that clients get in through the route):
 * whoever reaches the Gateway reaches the admin API too. Routes carried by what no peer names
 * (Cilium, a cloud's load balancer) get in only by a rule admitting everyone, judged before.
 */
function throughGatewayVerdict(inventory: Inventory, model: Model, app: Application, namespace: string, adminCidrs: readonly string[], evidence: Record<string, unknown>): AdminApiVerdict | {unknown: string} | undefined {
  for (const routed of gatewayRoutesTo(inventory, model, app)) {
    if (routed.carrier.by !== 'proxies') continue
    const admission = proxyAdmission(inventory.kubernetes, namespace, app, routed.carrier.proxies)
    if (admission.admitted === false) continue
    const route = `${routed.kind} ${routed.name}`
    if (admission.admitted === 'unknown') return {unknown: `${route} routes to it through Gateway ${routed.carrier.gateway}, and whether its NetworkPolicies admit the Gateway's proxies is not known: ${admission.why}`}
    return {
      open: true,
      why: `its NetworkPolicies admit the proxies of Gateway ${routed.carrier.gateway} (${list(admission.controllers)}), and ${route} routes to it, so whoever reaches the Gateway reaches the admin API`,
      evidence: {...evidence, routes: [route], gatewayProxies: admission.controllers},
      ingressFix: {text: adminThroughGatewayFix(routed, adminCidrs), ref: routed.ref},
    }
  }
  return undefined
}

function adminApiVerdict(inventory: Inventory, policy: Policy, model: Model, app: Application): AdminApiVerdict | {unknown: string} | undefined {
  const adminCidrs = policy.livepatch.adminCidrs
  const reach = reachability(inventory, model, app)
  const outside = livepatchPaths(inventory, model, app)
  // Machines: only Juju's firewall stands in the way.
  if ((reach.juju ?? []).some((e) => e.world)) {
    return {open: true, why: 'it is exposed to 0.0.0.0/0', evidence: {exposure: reach.juju, adminCidrs}}
  }
  if (model.type !== 'caas' && !app.kubernetes) {
    // A proxy in front that Juju exposes to the world passes every client on, admins and others alike.
    // (On Kubernetes the pods' NetworkPolicies decide whether the ingress controller gets in at all.)
    for (const proxy of ingressAppsOf(model, app)) {
      const exposure = reachability(inventory, model, proxy).juju ?? []
      if (!exposure.some((e) => e.world)) continue
      return {open: true, why: `it is reachable through ${proxy.name}, which is exposed to 0.0.0.0/0`, evidence: {through: proxy.name, exposure, adminCidrs}, through: proxy}
    }
    if (reach.juju === undefined) return {unknown: NEEDS_VIEW}
    const outsideAllowlist = adminCidrs.length > 0 ? (reach.juju ?? []).flatMap((e) => e.cidrs).filter((c) => !cidrWithinAny(c, adminCidrs)) : []
    if (outsideAllowlist.length > 0) return {open: true, why: `it is exposed to ${list(outsideAllowlist)}, outside livepatch.adminCidrs`, evidence: {exposure: reach.juju, adminCidrs}}
    return undefined
  }
  // Kubernetes: what NetworkPolicies let reach the pods.
  if (!inventory.inputs.has('k8s-networkpolicies')) return {unknown: NEEDS_VIEW}
  const namespace = appNamespace(model, app)
  if (!namespace) return {unknown: NEEDS_VIEW}
  const labels = app.kubernetes?.pods[0]?.metadata.labels ?? {[APP_NAME_LABEL]: app.name}
  const isolation = ingressIsolation(inventory.kubernetes, namespace, labels)
  const worldBlocks = isolation.ipBlocks.filter(isWorldCidr)
  const evidence = {selectingPolicies: isolation.selecting, allowAllPolicies: isolation.allowAll, ipBlocks: isolation.ipBlocks, adminCidrs, paths: outside.paths}
  if (!isolation.restricted) {
    const why = isolation.selecting.length === 0 ? 'no NetworkPolicy restricts who reaches its pods' : `policy ${list(isolation.allowAll)} admits everyone`
    return {open: true, why, evidence}
  }
  if (worldBlocks.length > 0) return {open: true, why: `a NetworkPolicy admits ${list(worldBlocks)}`, evidence}
  // The policies may admit the ingress controller (reconcile's do, so that clients get in): then
  // whoever reaches the ingress reaches the admin API too, unless the ingress narrows its sources.
  const classes = inventory.kubernetes.ingressClasses
  const unnarrowed = reach.ingresses.filter((ingress) => !ingressNarrowed(ingress, classes, adminCidrs))
  if (unnarrowed.length === 0) return throughGatewayVerdict(inventory, model, app, namespace, adminCidrs, evidence)
  const admission = ingressControllerAdmission(inventory.kubernetes, namespace, app)
  if (admission.admitted === false) return undefined
  const names = unnarrowed.map((ingress) => `${ingress.metadata.namespace}/${ingress.metadata.name}`)
  if (admission.admitted === 'unknown') return {unknown: `Ingress ${list(names)} routes to it with no source allowlist, and whether its NetworkPolicies admit the ingress controller is not known: ${admission.why}`}
  return {
    open: true,
    why: `its NetworkPolicies admit the ingress controller (${list(admission.controllers)}), and Ingress ${list(names)} routes to it with no source allowlist, so whoever reaches the ingress reaches the admin API`,
    evidence: {...evidence, ingresses: names, ingressControllers: admission.controllers},
    ingressFix: {text: ingressAllowlistFix(model, app, unnarrowed[0]!, classes, adminCidrs), ref: unnarrowed[0]!.ref},
  }
}

/** The fix where the admin API is open: narrowed where its traffic comes in, without cutting the clients that share its port. */
function adminApiFix(inventory: Inventory, policy: Policy, model: Model, app: Application, verdict: AdminApiVerdict): string {
  const adminCidrs = policy.livepatch.adminCidrs
  if (verdict.ingressFix) return verdict.ingressFix.text
  if (verdict.through) return adminThroughProxyFix(verdict.through, adminCidrs)
  const unseen = unseenDataPathProxyOf(model, app)
  if (unseen) return adminThroughUnseenDataPathFix(unseen, adminCidrs)
  // reconcile admits every source for Cilium's ingress and a cloud's load balancer: only their own allowlists narrow them.
  const classes = inventory.kubernetes.ingressClasses
  const outsideServed = reachability(inventory, model, app).ingresses.find((ingress) => servedByCiliumIngress(ingress, classes) || cloudLoadBalancerIngress(ingress, classes))
  if (outsideServed) return ingressAllowlistFix(model, app, outsideServed, classes, adminCidrs)
  // reconcile admits every source for a route no peer names the carrier of: only the Gateway's implementation narrows it.
  const unnamed = gatewayRoutesTo(inventory, model, app).find((routed) => routed.carrier.by !== 'proxies')
  if (unnamed) return adminThroughGatewayFix(unnamed, adminCidrs)
  const namespace = appNamespace(model, app)
  if (namespace && (model.type === 'caas' || app.kubernetes)) return adminPolicyCommand(namespace, app.name, adminCidrs, throughIngress(inventory, model, app))
  return `juju expose -m ${appModelArg(app)} ${app.name} --to-cidrs ${adminCidrs.join(',') || ADMIN_CIDRS}`
}

const NEEDS_VIEW = 'needs Kubernetes NetworkPolicies (or juju status on machines) to see who can reach the admin API'

/** ingress-nginx's source allowlist (`allowlist-…` is its newer name): narrowed when every CIDR is an admin network, or, with none configured, none is the world. */
function ingressNarrowed(ingress: KubeIngress, classes: readonly KubeIngressClass[], adminCidrs: readonly string[]): boolean {
  // Cilium's ingress and the cloud load balancers read no nginx annotation; the ALB has its own.
  const cloud = cloudLoadBalancerIngress(ingress, classes)
  if (servedByCiliumIngress(ingress, classes) || (cloud && !cloud.allowlistAnnotation)) return false
  const annotations = ingress.metadata.annotations ?? {}
  const value = cloud?.allowlistAnnotation
    ? annotations[cloud.allowlistAnnotation]
    : (annotations['nginx.ingress.kubernetes.io/whitelist-source-range'] ?? annotations['nginx.ingress.kubernetes.io/allowlist-source-range'])
  const cidrs = (value ?? '').split(',').map((cidr) => cidr.trim()).filter((cidr) => cidr !== '')
  if (cidrs.length === 0) return false
  return adminCidrs.length > 0 ? cidrs.every((cidr) => cidrWithinAny(cidr, adminCidrs)) : !cidrs.some(isWorldCidr)
}

/**
 * Narrow the ingress in front of Livepatch to the admin networks: nginx-ingress-integrator's
 * `whitelist-source-range` when it manages the Ingress (it would undo an annotation), else the
 * Ingress's own annotation. That narrows the clients too, as on machines.
 */
function ingressAllowlistFix(model: Model, app: Application, ingress: KubeIngress, classes: readonly KubeIngressClass[], adminCidrs: readonly string[]): string {
  const cidrs = adminCidrs.join(',') || ADMIN_CIDRS
  if (servedByCiliumIngress(ingress, classes)) {
    return `Ingress ${ingress.metadata.namespace}/${ingress.metadata.name} is served by Cilium's ingress, which has no source allowlist of its own: a CiliumClusterwideNetworkPolicy selecting the reserved:ingress identity with fromCIDRSet ${cidrs} narrows every Ingress Cilium serves (Cilium's "Ingress and Network Policy" example), so serve the admin API through an Ingress of a controller that takes an allowlist (ingress-nginx's whitelist-source-range) instead, unless every client of every such Ingress is in these networks`
  }
  const caveat = `only if every Livepatch client is in these networks too; otherwise serve the admin API through a second ingress with this allowlist`
  const cloud = cloudLoadBalancerIngress(ingress, classes)
  if (cloud?.allowlistAnnotation) {
    return `kubectl annotate ingress -n ${ingress.metadata.namespace} ${ingress.metadata.name} ${cloud.allowlistAnnotation}=${cidrs} --overwrite   # ${cloud.allowlistIs}; ${caveat}`
  }
  if (cloud) {
    return `Ingress ${ingress.metadata.namespace}/${ingress.metadata.name} is served by ${cloud.servedBy}, which reads no nginx annotation: narrow it to ${cidrs} with the load balancer's own source allowlist (GKE: a Cloud Armor security policy attached through a BackendConfig; Application Gateway: a custom rule of its WAF policy), ${caveat}`
  }
  const integrator = ingressAppsOf(model, app).find((candidate) => isCharmIn(candidate, ['nginx-ingress-integrator']))
  if (integrator) return `juju config -m ${appModelArg(integrator)} ${integrator.name} whitelist-source-range=${cidrs}   # ${caveat}`
  return `kubectl annotate ingress -n ${ingress.metadata.namespace} ${ingress.metadata.name} nginx.ingress.kubernetes.io/whitelist-source-range=${cidrs} --overwrite   # ingress-nginx; ${caveat}`
}

export const livepatchAdminApi: Rule = {
  id: 'LIVEPATCH-ADMIN-API',
  title: 'Livepatch admin API reachable from anywhere',
  severity: 'high',
  profile: 'livepatch',
  guide: cite('livepatch', 'Livepatch Server'),
  rationale:
    'The admin API is meant for a few authorised admins, unlike the client API. The guide says to put networking rules in place so that admin API access is allowed only from specific IP addresses (e.g. the company network).',
  remediation:
    'Admit only the admin networks: a NetworkPolicy selecting the Livepatch pods with `ipBlock` sources from `livepatch.adminCidrs`; when the policies admit the ingress controller (as reconcile\'s do, for the clients), the ingress\'s source allowlist (nginx-ingress-integrator `whitelist-source-range`, or a second ingress for the admin paths); on machines `juju expose APP --to-cidrs ADMIN-CIDRS`.',
  // Not auto-fixable: the admin API shares its port with the client API, so reconcile's
  // NetworkPolicies cannot narrow it without cutting the clients; the plan says so instead.
  autoFixable: false,
  needs: [['juju-status', 'juju-bundle', 'k8s-services', 'k8s-networkpolicies']],
  evaluate({inventory, policy, report, notEvaluated}) {
    for (const {model, anchors} of modelsWith(inventory, CHARMS.livepatch)) {
      for (const app of anchors) {
        const verdict = adminApiVerdict(inventory, policy, model, app)
        if (verdict && 'unknown' in verdict) {
          notEvaluated(appTarget(app, model), ['k8s-networkpolicies', 'juju-status'], verdict.unknown)
          continue
        }
        if (!verdict?.open) continue
        const outside = livepatchPaths(inventory, model, app)
        const external = outside.exposed === true
        report({
          target: appTarget(app, model),
          severity: external ? 'high' : 'medium',
          message: `the admin API of ${app.name} has no source allowlist: ${verdict.why}${verdict.through || verdict.ingressFix ? '' : external ? ` and it is reachable from outside (${list(outside.paths)})` : ', so any pod in the cluster can reach it'}.`,
          evidence: verdict.evidence,
          remediation: adminApiFix(inventory, policy, model, app, verdict),
          // Where the exposure is: the Ingress, or the proxy's `expose` when the admin API is open through it.
          ...refField(verdict.ingressFix?.ref ?? (verdict.through ?? app).refs['exposed-endpoints'] ?? (verdict.through ?? app).refs.expose ?? app.refs.definition),
        })
      }
    }
  },
}

/** Whether an ingress charm in front of Livepatch terminates TLS. */
function ingressTerminatesTls(model: Model, ingress: Application): boolean {
  if (tlsRelations(model, ingress).length > 0) return true
  // The legacy haproxy: a certificate (or SELFSIGNED) and a service that binds with it.
  if (isCharmIn(ingress, ['haproxy'])) return certificateOptionSet(ingress.options.ssl_cert) && !servicesIgnoreCertificate(ingress)
  return holdsRealValue(ingress.options['tls-secret-name'])
}

export const livepatchTls: Rule = {
  id: 'LIVEPATCH-TLS',
  title: 'Livepatch server exposed without TLS',
  severity: 'high',
  profile: 'livepatch',
  guide: cite('livepatch', 'Livepatch Server'),
  rationale:
    'Livepatch clients and the admin tool talk to the server over the internet; the guide says to enable TLS for the Livepatch server to ensure integrity and confidentiality of that communication.',
  remediation:
    'Terminate TLS in front of it: `juju config INGRESS tls-secret-name=livepatch-tls` for nginx-ingress-integrator (with a kubernetes.io/tls Secret), or integrate traefik-k8s\'s certificates endpoint with a certificate provider the estate has (lego, deployed first when there is none).',
  autoFixable: false,
  needs: [['juju-status', 'juju-bundle', 'k8s-ingresses']],
  evaluate({inventory, policy, report}) {
    for (const {model, anchors} of modelsWith(inventory, CHARMS.livepatch)) {
      for (const app of anchors) {
        const reach = reachability(inventory, model, app)
        const ingresses = ingressAppsOf(model, app)
        if (reach.exposed !== true && ingresses.length === 0) continue
        if (tlsRelations(model, app).length > 0) continue
        const plainIngressObjects = reach.ingresses.filter((i) => (i.spec.tls ?? []).length === 0)
        const tlsIngressCharms = ingresses.filter((i) => ingressTerminatesTls(model, i))
        // Gateway routes a charm makes (gateway-api-integrator's) are that charm's path, judged above.
        const routes = reach.routes.filter((route) => managingApp(route, model) === undefined)
        const plainRoutes = plaintextRoutes({...inventory.kubernetes, routes})
        const plainPaths = [
          ...(reach.juju ?? []).map(() => 'juju expose'),
          ...reach.services.map((s) => `${s.spec.type ?? 'Service'} Service ${s.metadata.name}`),
          ...plainIngressObjects.map((i) => `Ingress ${i.metadata.name} without tls`),
          ...plainRoutes.map(({route}) => `${route.kind} ${route.metadata.name} on an HTTP listener`),
          ...ingresses.filter((i) => !ingressTerminatesTls(model, i)).map((i) => `${appLabel(i)} without TLS`),
        ]
        const tlsIngressObjects = reach.ingresses.length - plainIngressObjects.length
        // A route whose Gateway was not read may be served over TLS or not: it is no plain path, and no reason to report.
        const otherRoutes = routes.length - plainRoutes.length
        if (plainPaths.length === 0 && (tlsIngressCharms.length > 0 || tlsIngressObjects > 0 || otherRoutes > 0)) continue
        const ingressCharm = ingresses[0]
        const m = appModelArg(app)
        report({
          target: appTarget(app, model),
          message:
            reach.closedBy.length > 0 && plainPaths.length === reach.services.length
              ? `${app.name} is open to outside without TLS: ${list(plainPaths)}, though ${keepsPodsClosed(reach.closedBy)}.`
              : `${app.name} is reachable from outside without TLS: ${list(plainPaths)}.`,
          evidence: {paths: plainPaths, ingressCharms: ingresses.map((i) => i.name), tlsRelations: []},
          remediation: ingressCharm
            ? ingressTlsFix(inventory, model, app, ingressCharm)
            : plainRoutes[0]
              ? plaintextRouteFix(plainRoutes[0])
              : model.type === 'caas' || app.kubernetes
              ? traefikFix(inventory, policy, model, app)
              : `put Livepatch behind a TLS-terminating proxy (e.g. haproxy with a certificate) and unexpose it: juju unexpose -m ${m} ${app.name}`,
          ...refField(app.refs.definition),
        })
      }
    }
  },
}

/** TLS on the ingress in front of Livepatch, as that charm takes it. */
function ingressTlsFix(inventory: Inventory, model: Model, livepatch: Application, ingress: Application): string {
  if (isCharmIn(ingress, CHARMS.reverseProxies)) return proxyCertificateFix(inventory, model, ingress).text
  if (isCharmIn(ingress, ['nginx-ingress-integrator'])) {
    const namespace = appNamespace(model, livepatch) ?? jujuModelName(model)
    return `kubectl -n ${namespace} create secret tls livepatch-tls --cert=fullchain.pem --key=privkey.pem; juju config -m ${appModelArg(livepatch)} ${ingress.name} tls-secret-name=livepatch-tls`
  }
  return certificatesFix(inventory, model, ingress, {publicFacing: true})?.text ?? `integrate ${ingress.name} with a certificate provider`
}

/**
 * Kubernetes Livepatch with no ingress: deploy traefik-k8s (which needs --trust: say how the
 * policy allows it) and give it a certificate from the estate's provider, deployed first if none.
 */
function traefikFix(inventory: Inventory, policy: Policy, model: Model, livepatch: Application): string {
  const m = appModelArg(livepatch)
  const traefik: Application = {model: model.name, controller: model.controller, name: 'traefik-k8s', charm: 'traefik-k8s', options: {}, optionRefs: {}, units: [], refs: {}}
  const fix = certificatesFix(inventory, model, traefik, {publicFacing: true})
  // The provider's setup goes first: a `show-application || deploy` guard later in an `&&` chain would deploy after any earlier failure.
  const commands = [...(fix?.integrate ? fix.provider.setup : []), `juju deploy -m ${m} traefik-k8s --trust`, `juju integrate -m ${m} ${livepatch.name}:ingress traefik-k8s`, ...(fix?.integrate ? [fix.integrate] : [])]
  const allowed = anyGlobMatches(policy.trust.allow, ['traefik-k8s', `${model.name}/traefik-k8s`, `${jujuModelName(model)}/traefik-k8s`])
  const notes = [
    allowed ? 'traefik-k8s needs --trust to manage its Service; trust.allow already allows it' : `traefik-k8s needs --trust to manage its Service: audit it and add "${jujuModelName(model)}/traefik-k8s" to trust.allow in hardenctl.yaml, or JUJU-TRUST reports it`,
    ...(fix?.note ? [fix.note] : []),
  ]
  return `put Livepatch behind a TLS-terminating ingress: ${fixLine([{commands, notes}])}`
}

function backingServices(model: Model, livepatch: Application): {app: Application; role: string}[] {
  return relatedApps(model, livepatch).flatMap((a) => {
    if (isCharmIn(a, CHARMS.postgresql)) return [{app: a, role: 'PostgreSQL'}]
    if (isCharmIn(a, CHARMS.patchStorage)) return [{app: a, role: 'patch storage'}]
    return []
  })
}

/** How to close a backing service's way in from outside: what opened it is what closes it. */
function closeOutsidePath(model: Model, app: Application, reach: Reachability): string {
  const m = appModelArg(app)
  if ((reach.juju ?? []).length > 0) return `juju unexpose -m ${m} ${app.name}`
  // The charm keeps the Service it makes for its expose-external option: the option closes it.
  if (exposeExternalServiceType(app)) return `juju config -m ${m} ${app.name} expose-external=false`
  const patches = reach.services.map((s) => `kubectl -n ${s.metadata.namespace ?? jujuModelName(model)} patch service ${s.metadata.name} -p '{"spec":{"type":"ClusterIP"}}'`)
  return patches.join('; ') || livepatchDbExposed.remediation
}

export const livepatchDbExposed: Rule = {
  id: 'LIVEPATCH-DB-EXPOSED',
  title: 'Livepatch PostgreSQL or patch storage reachable from outside',
  severity: 'critical',
  profile: 'livepatch',
  guide: INFRASTRUCTURE,
  rationale:
    "PostgreSQL holds the Livepatch server's state and patch storage holds the patches it serves; the guide says both should be exposed only to the Livepatch server, on a segregated internal network.",
  remediation: 'Close the outside path: `juju unexpose APP`, keep its Services ClusterIP (`kubectl -n MODEL patch service APP -p \'{"spec":{"type":"ClusterIP"}}\'`), and remove offers no other model needs (`juju remove-offer MODEL.OFFER`).',
  autoFixable: true,
  needs: [['juju-status', 'juju-bundle', 'k8s-services']],
  evaluate({inventory, report}) {
    for (const {model, anchors} of modelsWith(inventory, CHARMS.livepatch)) {
      const seen = new Set<string>()
      for (const livepatch of anchors) {
        for (const {app, role} of backingServices(model, livepatch)) {
          if (seen.has(app.name)) continue
          seen.add(app.name)
          const reach = reachability(inventory, model, app)
          const offers = model.offers.filter((o) => o.application === app.name)
          if (reach.exposed === true) {
            report({
              target: appTarget(app, model),
              message: `${app.name}, the ${role} of ${livepatch.name}, is ${outsideReach(reach)}; it should only be reachable by the Livepatch server.`,
              evidence: {role, paths: reach.paths},
              remediation: closeOutsidePath(model, app, reach),
              ...refField(app.refs['exposed-endpoints'] ?? app.refs.expose ?? app.optionRefs['expose-external'] ?? reach.services[0]?.ref ?? app.refs.definition),
            })
          } else if (offers.length > 0) {
            report({
              target: appTarget(app, model),
              severity: 'high',
              message: `${app.name}, the ${role} of ${livepatch.name}, is offered to other models (${list(offers.map((o) => o.url ?? o.name))}).`,
              evidence: {role, offers: offers.map((o) => o.url ?? o.name)},
              remediation: offers.map((o) => `juju remove-offer ${o.url ?? `${qualifiedModelName(model)}.${o.name}`}`).join('; '),
              ...refField(offers[0]?.ref ?? app.refs.definition),
            })
          }
        }
      }
    }
  },
}

export const livepatchDbTls: Rule = {
  id: 'LIVEPATCH-DB-TLS',
  title: 'Livepatch PostgreSQL without TLS',
  severity: 'medium',
  profile: 'livepatch',
  guide: cite('livepatch', 'PostgreSQL'),
  rationale:
    'Even on a segregated network, TLS between the Livepatch server and PostgreSQL protects the confidentiality and integrity of its state. The guide notes that if TLS is enabled on PostgreSQL after it was related to Livepatch, the Livepatch server must be restarted by hand.',
  remediation:
    'Integrate PostgreSQL\'s certificates endpoint with a certificate provider the estate already has (or deploy one first), then restart the Livepatch server so it reconnects with TLS (e.g. `kubectl -n MODEL rollout restart statefulset/livepatch`, or `juju exec --application livepatch -- sudo snap restart canonical-livepatch-server` on machines).',
  autoFixable: false,
  needs: [['juju-status', 'juju-bundle']],
  evaluate({inventory, report}) {
    for (const {model, anchors} of modelsWith(inventory, CHARMS.livepatch)) {
      const seen = new Set<string>()
      for (const livepatch of anchors) {
        for (const pg of relatedApps(model, livepatch).filter((a) => isCharmIn(a, CHARMS.postgresql))) {
          if (seen.has(pg.name) || tlsRelations(model, pg).length > 0) continue
          seen.add(pg.name)
          const m = appModelArg(pg)
          const restart =
            model.type === 'caas' || livepatch.kubernetes
              ? `kubectl -n ${appNamespace(model, livepatch) ?? jujuModelName(model)} rollout restart statefulset/${livepatch.name}`
              : `juju exec -m ${m} --application ${livepatch.name} -- sudo snap restart canonical-livepatch-server`
          const fix = certificatesFix(inventory, model, pg, {publicFacing: false})
          report({
            target: appTarget(pg, model),
            message: `${pg.name}, the PostgreSQL of ${livepatch.name}, has no certificates relation: Livepatch talks to it without TLS.`,
            evidence: {livepatch: livepatch.name, postgresql: pg.name, tlsRelations: [], ...(fix ? {provider: describeProvider(fix.provider)} : {})},
            ...(fix
              ? {
                  remediation: fix.integrate
                    ? withCommands({...fix, integrate: fix.integrate}, [], [], [`once ${pg.name} serves TLS, restart the Livepatch server so it reconnects (the guide: needed when TLS is enabled after relating): ${restart}`])
                    : `${fix.text}; then restart the Livepatch server (the guide: needed when TLS is enabled after relating): ${restart}`,
                }
              : {remediation: noCertificatesEndpointFix(pg)}),
            ...refField(pg.refs.definition),
          })
        }
      }
    }
  },
}

export const LIVEPATCH_RULES: Rule[] = [livepatchAdminApi, livepatchTls, livepatchDbExposed, livepatchDbTls]
