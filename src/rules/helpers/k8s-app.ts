/** Kubernetes objects of a Juju application, from the builder's join or found by Juju's naming. */
import type {KubeRole} from '../../inventory/kubernetes.js'
import {findClusterRole, findRole} from './rbac.js'
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
    const role = findRole(inventory.kubernetes, namespace, app.name)
    if (role) roles.set(`${namespace}/${app.name}`, role)
    const clusterRole = findClusterRole(inventory.kubernetes, `${model.name}-${app.name}`)
    if (clusterRole) clusterRoles.set(clusterRole.metadata.name, clusterRole)
  }
  const found = roles.size + clusterRoles.size > 0
  return {
    roles: [...roles.values()],
    clusterRoles: [...clusterRoles.values()],
    known: inventory.inputs.has('k8s-rbac') && (found || app.kubernetes !== undefined),
  }
}

