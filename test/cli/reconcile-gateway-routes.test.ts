/**
 * Gateway API routes to a Juju application, as reconcile admits them, proved with the reachability
 * engine on the plan the CLI prints. The estate is the Livepatch example without its Ingress, and
 * with a Service of its own (`livepatch-web`, 80 → 8080) that an HTTPRoute or GRPCRoute sends to,
 * as someone routing a Juju application by hand would write it (kubernetes-sigs/gateway-api
 * examples/standard/simple-gateway/httproute.yaml@03f3982d, cross-namespace-routing@3b86a42b).
 * Who carries a route's traffic decides what livepatch admits on 8080:
 * - Envoy Gateway's and Istio's proxies, per Gateway: exactly those pods (by namespace and the
 *   labels their implementation gives them), or, none read, every namespace;
 * - Cilium's Gateway (Canonical Kubernetes's `ck-gateway`): every source, as Cilium's identity;
 * - a Gateway whose class or controller is not known: every source, and a note.
 * Live, the Gateway API's kinds are listed like any other, and a cluster without its CRDs has none.
 */
import {describe, expect, it} from 'vitest'

import {type NetworkPolicyObject, networkPolicyActions} from '../../src/plan/types.js'
import {runCliInWorker} from '../helpers/cli-in-worker.js'
import {plannedPolicy} from '../helpers/planned-policy.js'
import {appendToList, CILIUM_AGENT, estateBefore, estateWith, plannedEstate, writeList} from '../helpers/ingress-estate.js'
import {useLiveLivepatch} from '../helpers/livepatch-estate.js'

const GATEWAY_API = 'gateway.networking.k8s.io/v1'

function namespace(name: string, uid: string) {
  return {apiVersion: 'v1', kind: 'Namespace', metadata: {name, uid, labels: {'kubernetes.io/metadata.name': name}}, spec: {finalizers: ['kubernetes']}, status: {phase: 'Active'}}
}

/** A Service of livepatch's pods that a route sends to: port 80 to the pods' 8080. */
const LIVEPATCH_WEB = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: {name: 'livepatch-web', namespace: 'livepatch', uid: '5e7a9c1e-3b5d-4f7a-9c1e-3b5d7f9a1c3e'},
  spec: {type: 'ClusterIP', clusterIP: '10.152.183.77', selector: {'app.kubernetes.io/name': 'livepatch'}, ports: [{name: 'http', port: 80, protocol: 'TCP', targetPort: 8080}]},
}

function gatewayClass(name: string, controllerName: string) {
  return {apiVersion: GATEWAY_API, kind: 'GatewayClass', metadata: {name, uid: `0f1e2d3c-4b5a-4697-8877-${name.padEnd(12, '0').slice(0, 12).replace(/[^0-9a-f]/g, 'a')}`, generation: 1}, spec: {controllerName}}
}

function gateway(name: string, ns: string, className: string) {
  return {
    apiVersion: GATEWAY_API,
    kind: 'Gateway',
    metadata: {name, namespace: ns, uid: '7a9c1e3b-5d7f-4a9c-9e3b-5d7f9a1c3e5b', generation: 1},
    spec: {gatewayClassName: className, listeners: [{name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: {namespaces: {from: 'All'}}}]},
  }
}

/** A route in livepatch's namespace to livepatch-web:80, attached to Gateway `parent` (namespace/name). */
function route(kind: 'HTTPRoute' | 'GRPCRoute', name: string, parent: string) {
  const [parentNamespace, parentName] = parent.split('/') as [string, string]
  return {
    apiVersion: GATEWAY_API,
    kind,
    metadata: {name, namespace: 'livepatch', uid: '8b0d2f4a-6c8e-4b0d-8f4a-6c8e0b2d4f6a', generation: 1},
    spec: {parentRefs: [{name: parentName, namespace: parentNamespace}], rules: [{backendRefs: [{name: 'livepatch-web', port: 80}]}]},
  }
}

/**
 * Envoy Gateway's proxy for Gateway web/eg and its control plane, in envoy-gateway-system (its
 * default namespace, internal/envoygateway/config/config.go@00738f7d), labelled as Envoy Gateway
 * labels them (app.kubernetes.io/name envoy, component proxy; owning-gateway-name/-namespace).
 */
const ENVOY_PROXY = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'envoy-web-eg-3c8b1f2a-6f9d8c7b5-x2x4z',
    namespace: 'envoy-gateway-system',
    uid: '9c1e3b5d-7f9a-4c1e-8b5d-7f9a1c3e5b7d',
    labels: {
      'app.kubernetes.io/component': 'proxy',
      'app.kubernetes.io/managed-by': 'envoy-gateway',
      'app.kubernetes.io/name': 'envoy',
      'gateway.envoyproxy.io/owning-gateway-name': 'eg',
      'gateway.envoyproxy.io/owning-gateway-namespace': 'web',
      'pod-template-hash': '6f9d8c7b5',
    },
  },
  spec: {containers: [{name: 'envoy', image: 'docker.io/envoyproxy/envoy:distroless-v1.33.0', ports: [{containerPort: 10080, name: 'http-80', protocol: 'TCP'}]}]},
  status: {phase: 'Running', podIP: '10.1.20.31'},
}
const ENVOY_GATEWAY_CONTROLLER = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {name: 'envoy-gateway-7d8f9c6b5-k4m2n', namespace: 'envoy-gateway-system', uid: 'ad2f4b6c-8e0a-4d2f-9b6c-8e0a2d4f6b8c', labels: {'app.kubernetes.io/instance': 'eg', 'app.kubernetes.io/name': 'gateway-helm', 'control-plane': 'envoy-gateway'}},
  spec: {containers: [{name: 'envoy-gateway', image: 'docker.io/envoyproxy/gateway:v1.3.0', ports: [{containerPort: 18000, name: 'grpc', protocol: 'TCP'}]}]},
  status: {phase: 'Running', podIP: '10.1.20.30'},
}

/** Istio's proxy for Gateway istio-ingress/public, in the Gateway's namespace (manifests/.../kube-gateway.yaml@03404d0f). */
const ISTIO_PROXY = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'public-istio-6b9c8d7f5-q2w4e',
    namespace: 'istio-ingress',
    uid: 'be3a5c7d-9f1b-4e3a-8c7d-9f1b3e5a7c9d',
    labels: {
      'gateway.istio.io/managed': 'istio.io-gateway-controller',
      'gateway.networking.k8s.io/gateway-class-name': 'istio',
      'gateway.networking.k8s.io/gateway-name': 'public',
      'service.istio.io/canonical-name': 'public-istio',
      'sidecar.istio.io/inject': 'false',
    },
  },
  spec: {containers: [{name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.24.2', ports: [{containerPort: 15021, name: 'status-port', protocol: 'TCP'}]}]},
  status: {phase: 'Running', podIP: '10.1.20.41'},
}

/** The example without its Ingress, with livepatch-web, the namespaces named, and `objects` added to their lists. */
async function routedEstate(objects: {namespaces?: string[]; pods?: unknown[]; gatewayClasses?: unknown[]; gateways?: unknown[]; httpRoutes?: unknown[]; grpcRoutes?: unknown[]}, base = estateWith(CILIUM_AGENT)): Promise<string> {
  const dir = await base
  await writeList(dir, 'ingresses', [])
  await appendToList(dir, 'services', [LIVEPATCH_WEB])
  await appendToList(dir, 'namespaces', (objects.namespaces ?? []).map((name, index) => namespace(name, `c0ffee00-0000-4000-8000-00000000000${index}`)))
  await appendToList(dir, 'pods', objects.pods ?? [])
  await writeList(dir, 'gatewayclasses', objects.gatewayClasses ?? [])
  await writeList(dir, 'gateways', objects.gateways ?? [])
  await writeList(dir, 'httproutes', objects.httpRoutes ?? [])
  await writeList(dir, 'grpcroutes', objects.grpcRoutes ?? [])
  return dir
}

/** The estate without Cilium: a plain cluster (the upstream controller is not needed; the agent is what marks Cilium). */
function plainCluster(): Promise<string> {
  return estateWith({namespace: namespace('default', 'd0000000-0000-4000-8000-000000000001'), pod: {...ENVOY_GATEWAY_CONTROLLER, metadata: {...ENVOY_GATEWAY_CONTROLLER.metadata, name: 'placeholder-0', namespace: 'default', uid: 'd0000000-0000-4000-8000-000000000002', labels: {app: 'placeholder'}}}})
}

const ENVOY_GATEWAY = {
  namespaces: ['web', 'envoy-gateway-system'],
  gatewayClasses: [gatewayClass('eg', 'gateway.envoyproxy.io/gatewayclass-controller')],
  gateways: [gateway('eg', 'web', 'eg')],
  httpRoutes: [route('HTTPRoute', 'livepatch', 'web/eg')],
}

describe("an HTTPRoute through Envoy Gateway (a Gateway in another namespace, its proxies in envoy-gateway-system)", () => {
  const dir = estateBefore(() => routedEstate({...ENVOY_GATEWAY, pods: [ENVOY_PROXY, ENVOY_GATEWAY_CONTROLLER]}, plainCluster()))

  // Expected before the first run: livepatch admits exactly the Gateway's proxy pods (their
  // namespace and owning-gateway labels) on 8080, the pod port behind livepatch-web:80; not Envoy
  // Gateway's control plane in the same namespace, not the outside; the plan closes nothing.
  it("admits the Gateway's own proxies on the backend's pod port, and nothing else", async () => {
    const {text, plan, fromAddress, podReaches} = await plannedEstate(dir())
    expect(text).toContain('HTTPRoute livepatch routes to livepatch through Gateway web/eg (Envoy Gateway): its proxies (envoy-gateway-system) connect')
    expect(text).toContain('Closes: nothing the estate shows in use or intended.')
    expect(text).not.toContain("the Gateway API's HTTPRoutes and GRPCRoutes were not read")
    expect(plannedPolicy(plan, 'hardenctl-app-livepatch')?.spec.ingress).toContainEqual({
      from: [
        {
          namespaceSelector: {matchLabels: {'kubernetes.io/metadata.name': 'envoy-gateway-system'}},
          podSelector: {matchLabels: {'gateway.envoyproxy.io/owning-gateway-name': 'eg', 'gateway.envoyproxy.io/owning-gateway-namespace': 'web'}},
        },
      ],
      ports: [{protocol: 'TCP', port: 8080}],
    })
    expect(podReaches(ENVOY_PROXY.metadata.name)).toBe(true)
    expect(podReaches(ENVOY_GATEWAY_CONTROLLER.metadata.name)).toBe(false)
    expect(fromAddress('203.0.113.9')).toBe(false)
  }, 60_000)
})

describe('an HTTPRoute through Envoy Gateway whose proxies were not read', () => {
  const dir = estateBefore(() => routedEstate(ENVOY_GATEWAY, plainCluster()))

  // Expected before the first run: every namespace on 8080 (a proxy on the pod network is in one),
  // with a note saying why and what narrows it; still not the outside.
  it('admits every namespace on the backend port, and says so', async () => {
    const {text, fromAddress} = await plannedEstate(dir())
    expect(text).toContain('HTTPRoute livepatch routes to livepatch through Gateway web/eg (Envoy Gateway): its proxies (namespace unknown) connect')
    expect(text).toContain('livepatch/livepatch is behind HTTPRoute livepatch through Gateway web/eg (Envoy Gateway), but no proxy pod of that Gateway was read: admitted from every namespace on 8080/TCP')
    expect(fromAddress('203.0.113.9')).toBe(false)
  }, 60_000)
})

describe("a GRPCRoute through Istio (its proxies in the Gateway's namespace)", () => {
  const dir = estateBefore(() =>
    routedEstate(
      {
        namespaces: ['istio-ingress'],
        pods: [ISTIO_PROXY],
        gatewayClasses: [gatewayClass('istio', 'istio.io/gateway-controller')],
        gateways: [gateway('public', 'istio-ingress', 'istio')],
        grpcRoutes: [route('GRPCRoute', 'livepatch-grpc', 'istio-ingress/public')],
      },
      plainCluster(),
    ),
  )

  // Expected before the first run: the proxy pod labelled gateway-name public reaches livepatch on 8080.
  it('admits the proxies by the Gateway API label, in the Gateway\'s namespace', async () => {
    const {text, fromAddress, podReaches} = await plannedEstate(dir())
    expect(text).toContain('GRPCRoute livepatch-grpc routes to livepatch through Gateway istio-ingress/public (Istio): its proxies (istio-ingress) connect')
    expect(podReaches(ISTIO_PROXY.metadata.name)).toBe(true)
    expect(fromAddress('203.0.113.9')).toBe(false)
  }, 60_000)
})

/** Traefik serves its Gateways from its own pods (listeners map to its entry points), as its chart labels them. */
const TRAEFIK = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {name: 'traefik-5f7b9c6d8-w8z2k', namespace: 'traefik', uid: 'cf4b6d8e-0a2c-4f4b-9d8e-0a2c4f6b8d0e', labels: {'app.kubernetes.io/instance': 'traefik-traefik', 'app.kubernetes.io/name': 'traefik', 'pod-template-hash': '5f7b9c6d8'}},
  spec: {containers: [{name: 'traefik', image: 'docker.io/traefik:v3.3.2', ports: [{containerPort: 8000, name: 'web', protocol: 'TCP'}]}]},
  status: {phase: 'Running', podIP: '10.1.20.51'},
}

describe("an HTTPRoute through Traefik's Gateway (served by Traefik's own pods)", () => {
  const dir = estateBefore(() =>
    routedEstate(
      {namespaces: ['traefik'], pods: [TRAEFIK], gatewayClasses: [gatewayClass('traefik', 'traefik.io/gateway-controller')], gateways: [gateway('traefik-gateway', 'traefik', 'traefik')], httpRoutes: [route('HTTPRoute', 'livepatch', 'traefik/traefik-gateway')]},
      plainCluster(),
    ),
  )

  // Expected before the first run: Traefik's pods (app.kubernetes.io/name traefik, namespace traefik) reach livepatch on 8080.
  it("admits Traefik's pods", async () => {
    const {text, fromAddress, podReaches} = await plannedEstate(dir())
    expect(text).toContain('HTTPRoute livepatch routes to livepatch through Gateway traefik/traefik-gateway (Traefik): its proxies (traefik) connect')
    expect(podReaches(TRAEFIK.metadata.name)).toBe(true)
    expect(fromAddress('203.0.113.9')).toBe(false)
  }, 60_000)
})

describe("an HTTPRoute through Canonical Kubernetes's Gateway (class ck-gateway, Cilium's)", () => {
  // canonical/k8s-snap k8s/manifests/charts/ck-gateway-cilium/templates/gatewayclass.yaml@28069c36.
  const dir = estateBefore(() =>
    routedEstate({namespaces: ['infra'], gatewayClasses: [gatewayClass('ck-gateway', 'io.cilium/gateway-controller')], gateways: [gateway('shared', 'infra', 'ck-gateway')], httpRoutes: [route('HTTPRoute', 'livepatch', 'infra/shared')]}),
  )

  // Expected before the first run: every source on 8080 (Cilium's identity is no peer), with the
  // CiliumNetworkPolicy note; the plan closes nothing.
  it('admits every source on the backend port, and says why and how to narrow it', async () => {
    const {text, fromAddress} = await plannedEstate(dir())
    expect(text).toContain("HTTPRoute livepatch (Gateway infra/shared, Cilium) routes to livepatch: Cilium's Gateway connects as its own identity, which no NetworkPolicy peer names, so every source is admitted on the backend ports")
    expect(text).toContain("livepatch/livepatch: HTTPRoute livepatch attaches to Gateway infra/shared, which Cilium implements, whose traffic carries Cilium's `ingress` identity")
    expect(text).toContain('Closes: nothing the estate shows in use or intended.')
    expect(fromAddress('203.0.113.9')).toBe(true)
  }, 60_000)
})

describe('an HTTPRoute through a Gateway hardenctl cannot place', () => {
  // Expected before the first run: every source on 8080 rather than a cut route, and a note naming why.
  const unknownClass = estateBefore(() =>
    routedEstate({namespaces: ['web'], gatewayClasses: [gatewayClass('acme', 'acme.example.com/gateway-controller')], gateways: [gateway('edge', 'web', 'acme')], httpRoutes: [route('HTTPRoute', 'livepatch', 'web/edge')]}, plainCluster()),
  )
  it('its class names a controller hardenctl does not know: every source, and the note names the controller', async () => {
    const {text, fromAddress} = await plannedEstate(unknownClass())
    expect(text).toContain('HTTPRoute livepatch routes to livepatch through Gateway web/edge, whose implementation is not known (its GatewayClass acme is implemented by acme.example.com/gateway-controller, which hardenctl does not know): every source is admitted on the backend ports')
    expect(fromAddress('203.0.113.9')).toBe(true)
  }, 60_000)

  const unread = estateBefore(() => routedEstate({httpRoutes: [route('HTTPRoute', 'livepatch', 'web/edge')]}, plainCluster()))
  it('its Gateway was not read: every source, and the note says so', async () => {
    const {text, fromAddress} = await plannedEstate(unread())
    expect(text).toContain('livepatch/livepatch: HTTPRoute livepatch routes to it through Gateway web/edge, but Gateway web/edge was not read, so hardenctl cannot tell who connects: livepatch admits every source on 8080/TCP rather than cut the route')
    expect(fromAddress('203.0.113.9')).toBe(true)
  }, 60_000)
})

interface AuditFinding {
  rule: string
  message: string
  remediation: string
}

async function audited(dir: string): Promise<AuditFinding[]> {
  const result = await runCliInWorker(['audit', '-f', dir, '--format', 'json'])
  return (JSON.parse(result.stdout) as {findings: AuditFinding[]}).findings
}

/** The estate as it would be after the printed plan: its NetworkPolicies written to networkpolicies.json. */
async function afterPlan(dir: string, plan: Awaited<ReturnType<typeof plannedEstate>>['plan']): Promise<void> {
  const policies = networkPolicyActions(plan).flatMap((action) => (action.op === 'delete' ? [] : [action.object]))
  await writeList(dir, 'networkpolicies', policies)
}

describe('Livepatch behind an HTTPRoute: the audit sees the route as a way in', () => {
  const dir = estateBefore(() => routedEstate({...ENVOY_GATEWAY, pods: [ENVOY_PROXY, ENVOY_GATEWAY_CONTROLLER]}, plainCluster()))

  // Expected before the first run: LIVEPATCH-TLS lists the route on the Gateway's HTTP listener
  // among the plain paths; LIVEPATCH-ADMIN-API, with no policies yet, says to reconcile first (the
  // route's proxies are pods, so reconcile narrows the way in to them); after the plan, the policies
  // admit the Gateway's proxies, so the admin API is reached through the Gateway, and the fix
  // narrows the Gateway (Envoy Gateway's SecurityPolicy), where before this the rule passed.
  it('LIVEPATCH-TLS counts the route served in clear; LIVEPATCH-ADMIN-API follows it through reconcile to the Gateway', async () => {
    const before = await audited(dir())
    const tls = before.find((finding) => finding.rule === 'LIVEPATCH-TLS')!
    expect(tls.message).toContain('HTTPRoute livepatch on an HTTP listener')
    const admin = before.find((finding) => finding.rule === 'LIVEPATCH-ADMIN-API')!
    expect(admin.remediation).toMatch(/^hardenctl reconcile -n livepatch {3}# first/)

    const {plan} = await plannedEstate(dir())
    await afterPlan(dir(), plan)
    const after = (await audited(dir())).find((finding) => finding.rule === 'LIVEPATCH-ADMIN-API')!
    expect(after.message).toContain('its NetworkPolicies admit the proxies of Gateway web/eg (envoy-gateway-system/')
    expect(after.message).toContain('and HTTPRoute livepatch routes to it, so whoever reaches the Gateway reaches the admin API')
    expect(after.remediation).toMatch(/^HTTPRoute livepatch routes to it through Gateway web\/eg, and the Gateway API has no source allowlist: narrow who reaches the Gateway to ADMIN-CIDRS in its implementation \(a SecurityPolicy targeting the route or Gateway with an authorization rule on clientCIDRs ADMIN-CIDRS\)/)
  }, 60_000)
})

describe("Livepatch behind an HTTPRoute through Canonical Kubernetes's Gateway (Cilium)", () => {
  const dir = estateBefore(() =>
    routedEstate({namespaces: ['infra'], gatewayClasses: [gatewayClass('ck-gateway', 'io.cilium/gateway-controller')], gateways: [gateway('shared', 'infra', 'ck-gateway')], httpRoutes: [route('HTTPRoute', 'livepatch', 'infra/shared')]}),
  )

  // Expected before the first run: reconcile admits every source for Cilium's Gateway, so
  // "reconcile first" would leave the rule asking for itself: the fix is Cilium's own policy.
  it("LIVEPATCH-ADMIN-API's fix narrows Cilium's Gateway, not a reconcile that admits every source", async () => {
    const admin = (await audited(dir())).find((finding) => finding.rule === 'LIVEPATCH-ADMIN-API')!
    expect(admin.remediation).toContain('CiliumClusterwideNetworkPolicy selecting the reserved:ingress identity')
    expect(admin.remediation).not.toContain('hardenctl reconcile')
  }, 60_000)
})

describe('the Gateway API on a live cluster', () => {
  const PASSWORD = 'gateway-admin-password'
  const live = useLiveLivepatch('hardenctl-gateway-live-', PASSWORD)

  // Expected before the first run: the routes are listed, `-n livepatch` keeps the proxy pods of
  // another namespace (as it keeps ingress controllers'), the applied policy admits them, and a
  // second run writes nothing.
  it('reconcile -n livepatch lists the routes, admits the proxies from their namespace, and a second run writes nothing', {timeout: 60_000}, async () => {
    const added = [LIVEPATCH_WEB, namespace('web', 'c0ffee00-0000-4000-8000-000000000010'), namespace('envoy-gateway-system', 'c0ffee00-0000-4000-8000-000000000011'), ENVOY_PROXY, ENVOY_GATEWAY_CONTROLLER, ...ENVOY_GATEWAY.gatewayClasses, ...ENVOY_GATEWAY.gateways, ...ENVOY_GATEWAY.httpRoutes]
    const {api, env} = await live().cluster({}, added)
    const first = await runCliInWorker(['reconcile', '-n', 'livepatch'], {env})
    expect(first.code, first.stderr).toBe(0)
    expect(first.stderr).not.toMatch(/could not inspect/)
    expect(first.stdout).toContain('its proxies (envoy-gateway-system) connect')
    const requests = api.requestsByPlural()
    expect([requests.gatewayclasses, requests.gateways, requests.httproutes, requests.grpcroutes]).toEqual([1, 1, 1, 1])
    const applied = api.objects('NetworkPolicy').find((object) => (object.metadata as {name: string}).name === 'hardenctl-app-livepatch') as unknown as NetworkPolicyObject
    expect(JSON.stringify(applied.spec.ingress)).toContain('"gateway.envoyproxy.io/owning-gateway-name":"eg"')
    const writes = api.writes().length
    const second = await runCliInWorker(['reconcile', '-n', 'livepatch'], {env})
    expect(second.code, second.stderr).toBe(0)
    expect(api.writes().length).toBe(writes)
  })

  // Expected before the first run: without the CRDs each list and the group's discovery answer
  // 404, which reads as none: no warning, no INVENTORY-INCOMPLETE, no "not read" note.
  it('a cluster without the Gateway API: none, not a gap', {timeout: 60_000}, async () => {
    const {api, env} = await live().cluster({gatewayApi: false})
    const audit = await runCliInWorker(['audit', '--format', 'json'], {env})
    expect(audit.stderr).not.toMatch(/could not inspect/)
    const findings = (JSON.parse(audit.stdout) as {findings: {rule: string}[]}).findings
    expect(findings.filter((finding) => finding.rule === 'INVENTORY-INCOMPLETE')).toEqual([])
    // Each kind's list, then the group's discovery, which says the group is not served.
    const requests = api.requestsByPlural()
    expect(requests['/apis/gateway.networking.k8s.io/v1/httproutes']).toBe(1)
    expect(requests['/apis/gateway.networking.k8s.io']).toBe(4)
    const plan = await runCliInWorker(['reconcile', '--dry-run'], {env})
    expect(plan.code, plan.stderr).toBe(0)
    expect(plan.stdout).not.toContain('Gateway API')
  })

  // Expected before the first run: an install serving the kinds at v1beta1 only is a gap, named
  // with the version it serves, and the plan's note says the routes could not be read.
  it('an older install (v1beta1 only): a gap naming the version served, and the plan says the routes could not be read', {timeout: 60_000}, async () => {
    const {env} = await live().cluster({gatewayApi: 'v1beta1'})
    const audit = await runCliInWorker(['audit', '--format', 'json'], {env})
    expect(audit.stderr).toContain('could not inspect httproutes: the API server serves them as gateway.networking.k8s.io/v1beta1, not gateway.networking.k8s.io/v1, which hardenctl reads: upgrade the CRDs')
    const gaps = (JSON.parse(audit.stdout) as {findings: {rule: string; message: string}[]}).findings.filter((finding) => finding.rule === 'INVENTORY-INCOMPLETE')
    expect(gaps.map((gap) => gap.message.split(':')[0])).toEqual(['could not inspect gatewayclasses *', 'could not inspect gateways *', 'could not inspect httproutes *'])
    const plan = await runCliInWorker(['reconcile', '--dry-run'], {env})
    expect(plan.stdout).toContain("the Gateway API's HTTPRoutes and GRPCRoutes could not be read (gatewayclasses:")
  })
})
