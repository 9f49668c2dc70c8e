/** The pod specs of one Juju application (one per workload; pods listed). */
import {kubeScope} from '../../inventory/kube-scope.js'
import type {Application, Inventory} from '../../inventory/types.js'
import type {Policy} from '../../policy/schema.js'
import {podSubjects, type PodSubject} from './pod-specs.js'

export function appPodSubjects(inventory: Inventory, policy: Policy, app: Application): PodSubject[] {
  const scope = kubeScope(inventory, policy)
  const found = subjectsByApp(podSubjects(inventory, scope)).get(app) ?? []
  if (found.length > 0 || !app.kubernetes) return found
  // The builder joined objects in a namespace outside the audit scope: use them directly.
  const k = app.kubernetes
  const fromWorkloads: PodSubject[] = k.workloads.map((w) => ({
    key: `${k.namespace}/${w.kind}/${w.metadata.name}`,
    kind: w.kind,
    namespace: k.namespace,
    name: w.metadata.name,
    spec: w.spec.template.spec,
    labels: w.spec.template.metadata?.labels ?? {},
    pods: k.pods.map((p) => p.metadata.name),
    app,
    ref: w.ref,
    from: 'workload' as const,
  }))
  if (fromWorkloads.length > 0) return fromWorkloads
  const first = k.pods[0]
  if (!first) return []
  return [
    {
      key: `${k.namespace}/Pod/${first.metadata.name}`,
      kind: 'Pod',
      namespace: k.namespace,
      name: first.metadata.name,
      spec: first.spec,
      labels: first.metadata.labels ?? {},
      pods: k.pods.map((p) => p.metadata.name),
      app,
      ref: first.ref,
      from: 'pod',
    },
  ]
}

const byAppCache = new WeakMap<PodSubject[], Map<Application, PodSubject[]>>()

/** Pod subjects grouped by Juju application, built once per subject list (apps × pods is too many to scan). */
function subjectsByApp(subjects: PodSubject[]): Map<Application, PodSubject[]> {
  let byApp = byAppCache.get(subjects)
  if (!byApp) {
    byApp = new Map()
    for (const subject of subjects) {
      if (!subject.app) continue
      const list = byApp.get(subject.app)
      if (list) list.push(subject)
      else byApp.set(subject.app, [subject])
    }
    byAppCache.set(subjects, byApp)
  }
  return byApp
}
