/**
 * Whether the cluster's ingress controller gets through an application's NetworkPolicies to its
 * pods, asked of the reachability engine (src/netpol), so a rule and `hardenctl netpol` cannot
 * disagree. The policies reconcile plans admit the controller on purpose (clients come in that
 * way); whoever reaches the ingress then reaches every path of the application, unless the
 * ingress narrows its own sources.
 */
import {APP_NAME_LABEL, JUJU_PLACEHOLDER_PORT, type KubernetesView} from '../../inventory/kubernetes.js'
import type {Application} from '../../inventory/types.js'
import {explain, podClasses, type PodClass} from '../../netpol/index.js'
import {policyInput} from '../../netpol/load.js'
import {isAmong, type LabelledPods} from '../../plan/routed-backends.js'

export type IngressAdmission =
  | {admitted: true; controllers: string[]; ports: (number | string)[]}
  | {admitted: false}
  | {admitted: 'unknown'; why: string}

/**
 * The controllers (pod classes of a known ingress controller, see isIngressControllerPod) the
 * policies let reach the application's pods on one of its Service ports. Without controller pods in
 * the inventory, a stand-in in a namespace of its own answers: admitted means the policies admit
 * every namespace, so wherever the controller runs it gets in; not admitted proves nothing.
 */
export function ingressControllerAdmission(view: KubernetesView, namespace: string, app: Application): IngressAdmission {
  const classes = podClasses(view)
  const target = classes.find((c) => c.namespace === namespace && c.labels[APP_NAME_LABEL] === app.name)
  if (!target) return {admitted: 'unknown', why: `no pods of ${app.name} were read`}
  const ports = backendPorts(app)
  if (ports.length === 0) return {admitted: 'unknown', why: `no Service port of ${app.name} was read`}
  const seen = classes.filter((c) => c.ingressController)
  const controllers = seen.length > 0 ? seen : [STAND_IN]
  const input = policyInput(view)
  const admitted = controllers.filter((controller) => ports.some((port) => explain(input, controller, target, {port}).allowed))
  if (admitted.length > 0) return {admitted: true, controllers: admitted.map((c) => (c === STAND_IN ? 'an ingress controller in any namespace' : c.id)), ports}
  if (seen.length === 0) return {admitted: 'unknown', why: 'no ingress controller pods were read, and the policies do not admit every namespace'}
  // A host-network controller connects from its node's address, which an ipBlock (reconcile's
  // networkPolicies.nodeCidrs) may hold: without the address (no pod status read), nobody knows.
  const unaddressed = seen.filter((controller) => controller.hostNetwork && (controller.nodeAddresses ?? []).length === 0)
  if (unaddressed.length > 0) {
    return {admitted: 'unknown', why: `the ingress controller (${unaddressed.map((c) => c.id).join(', ')}) runs on the host network, and its node addresses, which an ipBlock may admit, were not read`}
  }
  return {admitted: false}
}

/**
 * Whether the policies let a Gateway's proxies (`proxies`: where they run and the labels that single
 * them out, as reconcile admits them) reach the application's pods on one of its Service ports.
 * Without their pods read, a stand-in in a namespace of its own answers, as for an ingress controller.
 */
export function proxyAdmission(view: KubernetesView, namespace: string, app: Application, proxies: readonly LabelledPods[]): IngressAdmission {
  const classes = podClasses(view)
  const target = classes.find((c) => c.namespace === namespace && c.labels[APP_NAME_LABEL] === app.name)
  if (!target) return {admitted: 'unknown', why: `no pods of ${app.name} were read`}
  const ports = backendPorts(app)
  if (ports.length === 0) return {admitted: 'unknown', why: `no Service port of ${app.name} was read`}
  const seen = classes.filter((c) => isAmong(c, proxies))
  const candidates = seen.length > 0 ? seen : [STAND_IN]
  const input = policyInput(view)
  const admitted = candidates.filter((candidate) => ports.some((port) => explain(input, candidate, target, {port}).allowed))
  if (admitted.length > 0) return {admitted: true, controllers: admitted.map((c) => (c === STAND_IN ? "the Gateway's proxies, in any namespace" : c.id)), ports}
  return seen.length === 0 ? {admitted: 'unknown', why: "the Gateway's proxy pods were not read, and the policies do not admit every namespace"} : {admitted: false}
}

/** An ingress controller whose pods were not read, in a namespace no policy names. */
const STAND_IN: PodClass = {
  id: '(ingress controller)/ingress-nginx',
  namespace: '(ingress controller)',
  name: 'ingress-nginx',
  labels: {[APP_NAME_LABEL]: 'ingress-nginx'},
  pods: [],
  hostNetwork: false,
  ports: [],
}

/** The pod ports the application's Services send to (targetPort, a number or a name, else port), without Juju's placeholder. */
function backendPorts(app: Application): (number | string)[] {
  const ports = (app.kubernetes?.services ?? []).flatMap((service) =>
    (service.spec.ports ?? []).flatMap((port) => (port.port === JUJU_PLACEHOLDER_PORT ? [] : [port.targetPort ?? port.port])),
  )
  return [...new Set(ports)]
}
