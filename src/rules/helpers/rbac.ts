/**
 * RBAC facts: what `juju trust` does (rewrites Role `APP` and ClusterRole `MODEL-APP` to
 * apiGroups/resources/verbs `*`), and which bindings give a ServiceAccount cluster-admin or a
 * wildcard role.
 */
import {APP_NAME_LABEL, type KubeRole, type KubeRoleBinding, type KubernetesView} from '../../inventory/kubernetes.js'
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
  if (binding.roleRef.kind === 'ClusterRole') return findClusterRole(view, binding.roleRef.name)
  return findRole(view, binding.metadata.namespace ?? '', binding.roleRef.name)
}

/** The Role `namespace/name`, when it was read. */
export function findRole(view: KubernetesView, namespace: string, name: string): KubeRole | undefined {
  return roleIndex(view).get(`Role/${namespace}/${name}`)
}

/** The ClusterRole `name`, when it was read. */
export function findClusterRole(view: KubernetesView, name: string): KubeRole | undefined {
  return roleIndex(view).get(`ClusterRole//${name}`)
}

const roleIndexes = new WeakMap<KubernetesView, Map<string, KubeRole>>()

/** Roles and ClusterRoles by `Kind/namespace/name`, built once per view: bindings × roles is too many to scan. */
function roleIndex(view: KubernetesView): Map<string, KubeRole> {
  let index = roleIndexes.get(view)
  if (!index) {
    index = new Map()
    for (const role of view.roles) index.set(`Role/${role.metadata.namespace ?? ''}/${role.metadata.name}`, role)
    for (const role of view.clusterRoles) index.set(`ClusterRole//${role.metadata.name}`, role)
    roleIndexes.set(view, index)
  }
  return index
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

const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by'
const LEGACY_APP_LABEL = 'juju-app'
/** Put by charms (lightkube's resource handler) on the objects they create themselves. */
export const JUJU_CREATED_BY_LABEL = 'app.juju.is/created-by'

/**
 * Whether Juju itself created this binding for an application's ServiceAccount: RoleBinding `APP`
 * → Role `APP` in the model namespace, or ClusterRoleBinding `MODEL-APP` → ClusterRole
 * `MODEL-APP`, labelled `app.kubernetes.io/name: APP` and `app.kubernetes.io/managed-by: juju`
 * (legacy models: `juju-app: APP`). `juju trust` rewrites the roles they bind; Juju re-applies
 * them, and the unit agent needs them. Objects a charm creates itself carry
 * `app.juju.is/created-by` and are not Juju's (caas/kubernetes/provider/application in juju/juju).
 */
export function isJujuAppBinding(binding: KubeRoleBinding, model: string, app: string, namespace: string): boolean {
  const labels = binding.metadata.labels ?? {}
  if (labels[JUJU_CREATED_BY_LABEL] !== undefined) return false
  const labelled = (labels[MANAGED_BY_LABEL] === 'juju' && labels[APP_NAME_LABEL] === app) || labels[LEGACY_APP_LABEL] === app
  if (!labelled) return false
  if (binding.kind === 'ClusterRoleBinding') {
    const name = `${model}-${app}`
    return binding.metadata.name === name && binding.roleRef.kind === 'ClusterRole' && binding.roleRef.name === name
  }
  return binding.metadata.namespace === namespace && binding.metadata.name === app && binding.roleRef.kind === 'Role' && binding.roleRef.name === app
}
