/** Plain-words names of inputs, for "not evaluated: needs charm metadata or Kubernetes pods". */
import type {InputKind} from '../inventory/types.js'

export const INPUT_NAMES: Record<InputKind, string> = {
  'juju-status': 'juju status',
  'juju-bundle': 'a bundle',
  'juju-config': 'juju config',
  'juju-show-application': 'juju show-application',
  'juju-show-model': 'juju show-model',
  'juju-users': 'juju users',
  'juju-show-user': 'juju show-user',
  'juju-offers': 'juju offers',
  'juju-disabled-commands': 'juju disabled-commands',
  'juju-controller-config': 'juju controller-config',
  'charm-metadata': 'charm metadata',
  'k8s-namespaces': 'Kubernetes namespaces',
  'k8s-pods': 'Kubernetes pods',
  'k8s-workloads': 'Kubernetes workloads',
  'k8s-services': 'Kubernetes services',
  'k8s-ingresses': 'Kubernetes ingresses',
  'k8s-networkpolicies': 'Kubernetes NetworkPolicies',
  'k8s-rbac': 'Kubernetes RBAC',
  'k8s-serviceaccounts': 'Kubernetes ServiceAccounts',
  'k8s-webhooks': 'Kubernetes webhook configurations and APIServices',
  'k8s-gateway-api': 'Kubernetes Gateway API routes',
  'k8s-prometheus-monitors': "Prometheus Operator's ServiceMonitors and PodMonitors",
  host: "a host's files",
}

/** `charm metadata or Kubernetes pods`. */
export function describeAlternatives(kinds: readonly InputKind[]): string {
  const names = kinds.map((k) => INPUT_NAMES[k])
  if (names.length <= 1) return names.join('')
  return `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`
}

/** The groups of `needs` none of whose alternatives were read. */
export function missingNeeds(needs: readonly (readonly InputKind[])[], inputs: ReadonlySet<InputKind>): InputKind[][] {
  return needs.filter((group) => group.length > 0 && !group.some((kind) => inputs.has(kind))).map((g) => [...g])
}

export function describeMissing(groups: readonly (readonly InputKind[])[]): string {
  return `needs ${groups.map((g) => describeAlternatives(g)).join(' and ')}`
}

/** True when the model was described by at least one of the inputs. */
export function modelHas(model: {inputs: ReadonlySet<InputKind>}, ...kinds: InputKind[]): boolean {
  return kinds.some((k) => model.inputs.has(k))
}
