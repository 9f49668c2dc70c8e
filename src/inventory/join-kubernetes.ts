/**
 * Joins the Kubernetes objects to the Juju models and applications they belong to:
 * namespace ↔ model by the rules of model-namespaces.ts (which the audit's scope follows too),
 * objects ↔ application by `app.kubernetes.io/name` (the only label Juju puts on pod templates),
 * RBAC ↔ application through the bindings of its ServiceAccount.
 */
import {APP_NAME_LABEL, type KubernetesView, type KubeRole, type KubeRoleBinding} from './kubernetes.js'
import {placeModels} from './model-namespaces.js'
import type {ApplicationKubernetes, InputKind, Model} from './types.js'

export function joinKubernetes(models: Map<string, Model>, view: KubernetesView, inputs: ReadonlySet<InputKind>): void {
  const placement = placeModels(models.values(), view, inputs)
  for (const model of models.values()) model.namespace ??= placement.namespaceOf(model)
  if (view.namespaces.size === 0 && view.pods.length === 0 && view.workloads.length === 0) return
  const byNamespace = groupObjectsByNamespace(view)
  const rolesByName = new Map(view.roles.map((role) => [`${role.metadata.namespace ?? ''}/${role.metadata.name}`, role]))
  const clusterRolesByName = new Map(view.clusterRoles.map((role) => [role.metadata.name, role]))
  const clusterBindingsBySubject = indexBindingsBySubject(view.clusterRoleBindings)

  for (const model of models.values()) {
    const namespace = model.namespace
    if (model.type === 'iaas' || namespace === undefined) continue
    const objects = byNamespace.get(namespace)
    if (!objects) continue
    for (const application of model.applications.values()) {
      const name = application.name
      const serviceAccounts = objects.serviceAccounts.filter((account) => account.metadata.name === name)
      const joined: ApplicationKubernetes = {
        namespace,
        workloads: objects.workloads.filter(
          (workload) => workload.metadata.name === name || workload.spec.template.metadata?.labels?.[APP_NAME_LABEL] === name,
        ),
        pods: objects.podsByApp.get(name) ?? [],
        services: objects.services.filter(
          (service) => service.metadata.name === name || service.metadata.name === `${name}-endpoints` || service.spec.selector?.[APP_NAME_LABEL] === name,
        ),
        serviceAccounts,
        roles: boundRoles(objects.roleBindings, serviceAccounts.map((account) => account.metadata.name), namespace, (ref) =>
          ref.kind === 'Role' ? rolesByName.get(`${namespace}/${ref.name}`) : clusterRolesByName.get(ref.name),
        ),
        clusterRoles: uniqueDefined(
          serviceAccounts.flatMap((account) => clusterBindingsBySubject.get(`${namespace}/${account.metadata.name}`) ?? []),
          (binding) => clusterRolesByName.get(binding.roleRef.name),
        ),
      }
      application.kubernetes = joined
    }
  }
}

interface NamespaceObjects {
  workloads: KubernetesView['workloads']
  podsByApp: Map<string, KubernetesView['pods']>
  services: KubernetesView['services']
  serviceAccounts: KubernetesView['serviceAccounts']
  roleBindings: KubernetesView['roleBindings']
}

function groupObjectsByNamespace(view: KubernetesView): Map<string, NamespaceObjects> {
  const groups = new Map<string, NamespaceObjects>()
  const group = (namespace: string | undefined): NamespaceObjects => {
    const key = namespace ?? ''
    let objects = groups.get(key)
    if (!objects) {
      objects = {workloads: [], podsByApp: new Map(), services: [], serviceAccounts: [], roleBindings: []}
      groups.set(key, objects)
    }
    return objects
  }
  for (const workload of view.workloads) group(workload.metadata.namespace).workloads.push(workload)
  for (const service of view.services) group(service.metadata.namespace).services.push(service)
  for (const account of view.serviceAccounts) group(account.metadata.namespace).serviceAccounts.push(account)
  for (const binding of view.roleBindings) group(binding.metadata.namespace).roleBindings.push(binding)
  for (const pod of view.pods) {
    const app = pod.metadata.labels?.[APP_NAME_LABEL]
    if (app === undefined) continue
    const byApp = group(pod.metadata.namespace).podsByApp
    const pods = byApp.get(app)
    if (pods) pods.push(pod)
    else byApp.set(app, [pod])
  }
  return groups
}

function boundRoles(
  bindings: KubeRoleBinding[],
  serviceAccounts: string[],
  namespace: string,
  resolve: (ref: {kind: string; name: string}) => KubeRole | undefined,
): KubeRole[] {
  if (serviceAccounts.length === 0) return []
  const roles: KubeRole[] = []
  for (const binding of bindings) {
    const bindsAccount = (binding.subjects ?? []).some(
      (subject) => subject.kind === 'ServiceAccount' && serviceAccounts.includes(subject.name) && (subject.namespace ?? binding.metadata.namespace) === namespace,
    )
    if (!bindsAccount) continue
    const role = resolve(binding.roleRef)
    if (role && !roles.includes(role)) roles.push(role)
  }
  return roles
}

/** ClusterRoleBindings by the `namespace/name` of each ServiceAccount they bind. */
function indexBindingsBySubject(bindings: KubeRoleBinding[]): Map<string, KubeRoleBinding[]> {
  const index = new Map<string, KubeRoleBinding[]>()
  for (const binding of bindings) {
    for (const subject of binding.subjects ?? []) {
      if (subject.kind !== 'ServiceAccount' || subject.namespace === undefined) continue
      const key = `${subject.namespace}/${subject.name}`
      const list = index.get(key)
      if (list) list.push(binding)
      else index.set(key, [binding])
    }
  }
  return index
}

function uniqueDefined<T, U>(items: T[], map: (item: T) => U | undefined): U[] {
  const result: U[] = []
  for (const item of items) {
    const mapped = map(item)
    if (mapped !== undefined && !result.includes(mapped)) result.push(mapped)
  }
  return result
}
