/**
 * Proxies whose data path runs in pods the charm creates, not in its Juju units. Over an ingress
 * relation such a proxy's backend is called by those pods, so a policy that admits only the
 * proxy's units (`app.kubernetes.io/name: PROXY`) cuts every routed request:
 *
 * - istio-ingress-k8s creates a Gateway API `Gateway` named after the application
 *   (canonical/istio-ingress-k8s-operator src/charm.py, `_construct_gateway`: `name=self.app.name`);
 *   Istio runs it as Deployment `APP-istio`, whose pods carry
 *   `gateway.networking.k8s.io/gateway-name: APP` (istio/istio
 *   manifests/charts/istio-control/istio-discovery/files/kube-gateway.yaml).
 * - Charmed Kubeflow's istio-pilot takes the `ingress` relations, but the routes run through the
 *   istio-gateway charm's `istio-ingressgateway-workload` pods, labelled `istio: ingressgateway`,
 *   in the same namespace (canonical/istio-operators charms/istio-gateway/src/manifest.yaml; the
 *   Gateway istio-pilot writes selects `istio: ingressgateway`).
 *
 * Those pods also make the proxy's calls for its data path: the ext_authz check of every request
 * (`forward_auth`, whose provider hands the proxy its `decisions_address`: oauth2-proxy-k8s,
 * oathkeeper) comes from the gateway's Envoy, as Kubeflow's gateway calls oidc-gatekeeper
 * (`ingress-auth`, in the ingress interfaces).
 *
 * The planner and the closes check both ask this module, so a path it names is admitted and proven.
 *
 * A proxy can also route through a data path hardenctl cannot see:
 * - gateway-api-integrator writes a Gateway of its `gateway-class` and an HTTPRoute to a Service of
 *   its own, `APP-gateway-service` (canonical/gateway-api-integrator-operator src/charm.py,
 *   `INGRESS_RELATION = "gateway"`; src/state/http_route.py@ea8eacc7), and whatever implements that
 *   class connects: on Canonical Kubernetes Cilium's Envoy, as its `ingress` identity, which no
 *   NetworkPolicy peer names.
 * - ingress-configurator takes the application's `ingress` relation and passes the route on to
 *   HAProxy (`haproxy-route`, canonical/ingress-configurator-operator charmcraft.yaml@03e41fd6) or to
 *   gateway-api-integrator (`gateway-route`, as the integrator's tutorials chain them): HAProxy's
 *   units, or the Gateway's implementation, connect.
 * The relation says so whether or not the Gateway API was read (the integrator's own HTTPRoutes,
 * read now, are left to this rule: src/plan/routed-backends.ts), and HAProxy's addresses are not
 * read, so the backend admits every source on its ports.
 */
import type {Application} from '../inventory/types.js'
import type {Flow} from './derived-flows.js'
import {INGRESS_INTERFACES} from './serving.js'
import type {LabelSelector} from './types.js'

/** Interfaces whose connections a proxy makes from its data path. */
const DATA_PATH_INTERFACES: ReadonlySet<string> = new Set([...INGRESS_INTERFACES, 'forward_auth'])

const PROXY_PODS: Readonly<Record<string, (app: string) => LabelSelector>> = {
  'istio-ingress-k8s': (app) => ({matchLabels: {'gateway.networking.k8s.io/gateway-name': app}}),
  'istio-pilot': () => ({matchLabels: {istio: 'ingressgateway'}}),
}

/** A proxy whose connections hardenctl cannot see: what the backend is reached through, and who connects. */
export interface UnseenDataPath {
  /** For the plan's rule: "a Gateway". */
  through: string
  /** For the plan's note: who connects, and from where. */
  connects: string
  /** For a fix that must narrow where the connections come in (LIVEPATCH-ADMIN-API). */
  routedThrough: string
}

const UNSEEN_DATA_PATH: Readonly<Record<string, UnseenDataPath>> = {
  'gateway-api-integrator': {
    through: 'a Gateway',
    connects: "a Gateway of its gateway-class, and whatever implements that class connects (Cilium's Envoy on Canonical Kubernetes, as its `ingress` identity; another implementation's pods)",
    routedThrough: 'a Gateway, which takes no source allowlist',
  },
  'ingress-configurator': {
    through: 'the route it configures',
    connects: "the route it configures on gateway-api-integrator (gateway-route) or HAProxy (haproxy-route), so the Gateway's implementation or HAProxy's units connect",
    routedThrough: 'the route it configures on gateway-api-integrator or HAProxy',
  },
}

/** The charm's unseen data path, if it is such a proxy (the audit asks too). */
export function unseenDataPathOf(charm: string): UnseenDataPath | undefined {
  return UNSEEN_DATA_PATH[charm]
}

/** The data path a flow's connections come from when hardenctl cannot see it (a Gateway API implementation, HAProxy); undefined otherwise. */
export function unseenDataPath(flow: Flow): UnseenDataPath | undefined {
  if (!DATA_PATH_INTERFACES.has(flow.serving.interfaceName ?? '')) return undefined
  return unseenDataPathOf(flow.client.app?.charm ?? '')
}

/** The pods, in the proxy's own namespace, that call an application routed through `proxy`; none for a proxy whose units do. */
export function proxyPodSelectors(proxy: {app: Application | undefined; name: string}): LabelSelector[] {
  const selector = PROXY_PODS[proxy.app?.charm ?? '']
  return selector ? [selector(proxy.name)] : []
}

/** For plan notes: which pods those are. */
export function describeProxyPods(proxy: {app: Application | undefined; name: string}): string | undefined {
  const selectors = proxyPodSelectors(proxy)
  if (selectors.length === 0) return undefined
  return selectors.map((selector) => Object.entries(selector.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`).join(',')).join('; ')
}

/** The proxy pods that make a flow's connections instead of the client's units: none unless the client is such a proxy, over its data path. */
export function routedThroughProxyPods(flow: Flow): LabelSelector[] {
  return DATA_PATH_INTERFACES.has(flow.serving.interfaceName ?? '') ? proxyPodSelectors(flow.client) : []
}
