/** Kubernetes objects of a Juju application, from the builder's join or found by Juju's naming. */
import type {KubeRole} from '../../inventory/kubernetes.js'
import type {Application, Inventory, Model} from '../../inventory/types.js'

export interface AppRbac {
  roles: KubeRole[]
  clusterRoles: KubeRole[]
  /** RBAC was read and this app's objects were found (or joined). */
  known: boolean
}

/**
 * Role `APP` (in the model namespace) and ClusterRole `MODEL-APP`, as Juju names them, plus
 * whatever the builder joined into `app.kubernetes`.
 */
export function appRbac(inventory: Inventory, model: Model, app: Application): AppRbac {
  const roles = new Map<string, KubeRole>()
  const clusterRoles = new Map<string, KubeRole>()
  for (const r of app.kubernetes?.roles ?? []) roles.set(`${r.metadata.namespace}/${r.metadata.name}`, r)
  for (const r of app.kubernetes?.clusterRoles ?? []) clusterRoles.set(r.metadata.name, r)
  const namespace = app.kubernetes?.namespace ?? model.namespace ?? (model.type === 'caas' ? model.name : undefined)
  if (namespace && inventory.inputs.has('k8s-rbac')) {
    const index = rolesByName(inventory)
    const role = index.roles.get(`${namespace}/${app.name}`)
    if (role) roles.set(`${namespace}/${app.name}`, role)
    const clusterRole = index.clusterRoles.get(`${model.name}-${app.name}`)
    if (clusterRole) clusterRoles.set(clusterRole.metadata.name, clusterRole)
  }
  const found = roles.size + clusterRoles.size > 0
  return {
    roles: [...roles.values()],
    clusterRoles: [...clusterRoles.values()],
    known: inventory.inputs.has('k8s-rbac') && (found || app.kubernetes !== undefined),
  }
}

const roleIndexes = new WeakMap<Inventory, {roles: Map<string, KubeRole>; clusterRoles: Map<string, KubeRole>}>()

/** Roles by `namespace/name` and ClusterRoles by name, built once per inventory (apps × roles is too many to scan). */
function rolesByName(inventory: Inventory): {roles: Map<string, KubeRole>; clusterRoles: Map<string, KubeRole>} {
  let index = roleIndexes.get(inventory)
  if (!index) {
    index = {
      roles: new Map(inventory.kubernetes.roles.map((role) => [`${role.metadata.namespace}/${role.metadata.name}`, role])),
      clusterRoles: new Map(inventory.kubernetes.clusterRoles.map((role) => [role.metadata.name, role])),
    }
    roleIndexes.set(inventory, index)
  }
  return index
}
