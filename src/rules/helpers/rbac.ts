/**
 * RBAC facts: what `juju trust` does (rewrites Role `APP` and ClusterRole `MODEL-APP` to
 * apiGroups/resources/verbs `*`), and which bindings give a ServiceAccount cluster-admin or a
 * wildcard role.
 */
import type {KubeRole, KubeRoleBinding, KubernetesView} from '../../inventory/kubernetes.js'
import type {PolicyRule} from '../../inventory/kubernetes-shapes.js'

/** A rule granting every verb on every resource of every API group. */
export function isWildcardRule(rule: PolicyRule): boolean {
  return rule.verbs.includes('*') && (rule.resources ?? []).includes('*') && (rule.apiGroups ?? []).includes('*')
}

export function isWildcardRole(role: KubeRole): boolean {
  return (role.rules ?? []).some(isWildcardRule)
}

export function isClusterAdminRef(binding: KubeRoleBinding): boolean {
  return binding.roleRef.kind === 'ClusterRole' && binding.roleRef.name === 'cluster-admin'
}

/** The Role or ClusterRole a binding refers to, when it was read. */
export function resolveRoleRef(view: KubernetesView, binding: KubeRoleBinding): KubeRole | undefined {
  if (binding.roleRef.kind === 'ClusterRole') return view.clusterRoles.find((r) => r.metadata.name === binding.roleRef.name)
  return view.roles.find((r) => r.metadata.name === binding.roleRef.name && r.metadata.namespace === binding.metadata.namespace)
}

/** Every ServiceAccount `namespace/name` a binding names directly. */
export function boundServiceAccounts(binding: KubeRoleBinding): {namespace: string; name: string}[] {
  const out: {namespace: string; name: string}[] = []
  for (const subject of binding.subjects ?? []) {
    if (subject.kind !== 'ServiceAccount') continue
    const namespace = subject.namespace ?? binding.metadata.namespace
    if (namespace) out.push({namespace, name: subject.name})
  }
  return out
}

/** Group subjects covering all ServiceAccounts of a namespace (or of the cluster, namespace `*`). */
export function boundServiceAccountGroups(binding: KubeRoleBinding): string[] {
  const out: string[] = []
  for (const subject of binding.subjects ?? []) {
    if (subject.kind !== 'Group') continue
    if (subject.name === 'system:serviceaccounts') out.push('*')
    else if (subject.name.startsWith('system:serviceaccounts:')) out.push(subject.name.slice('system:serviceaccounts:'.length))
  }
  return out
}
