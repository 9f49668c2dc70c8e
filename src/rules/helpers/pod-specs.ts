/**
 * The pod specs hardenctl judges, one per owning workload: many pods of one StatefulSet share its
 * template, so findings name the workload (or the Juju application) once and list the pods.
 * Workload templates come from k8s-workloads, pods from k8s-pods; a pod whose owner workload was
 * read is folded into it, otherwise pods are grouped by their owner reference.
 */
import type {KubeScope} from '../../inventory/kube-scope.js'
import type {KubePod, KubeWorkload} from '../../inventory/kubernetes.js'
import type {Container, PodSpec} from '../../inventory/kubernetes-shapes.js'
import type {Application, Inventory, Model} from '../../inventory/types.js'
import type {SourceRef} from '../../sources/document.js'

export interface PodSubject {
  /** `namespace/Kind/name`. */
  key: string
  kind: string
  namespace: string
  name: string
  spec: PodSpec
  /** Pod labels (from the template for workloads). */
  labels: Record<string, string>
  /** Annotations of the reported object, for `hardenctl.io/waive`. */
  annotations?: Record<string, string>
  /** Names of the pods seen for this subject. */
  pods: string[]
  app?: Application
  model?: Model
  ref: SourceRef
  /** Whether the spec came from a workload template or from a pod. */
  from: 'workload' | 'pod'
}

const CRONJOB_SUFFIX = /-\d+$/
const POD_TEMPLATE_HASH = /-[a-z0-9]{6,10}$/

function ownerOf(object: {metadata: {ownerReferences?: {kind: string; name: string; controller?: boolean}[] | undefined}}) {
  const refs = object.metadata.ownerReferences ?? []
  return refs.find((r) => r.controller) ?? refs[0]
}

const cache = new WeakMap<Inventory, WeakMap<KubeScope, PodSubject[]>>()

export function podSubjects(inventory: Inventory, scope: KubeScope): PodSubject[] {
  let byScope = cache.get(inventory)
  if (!byScope) cache.set(inventory, (byScope = new WeakMap()))
  let subjects = byScope.get(scope)
  if (!subjects) byScope.set(scope, (subjects = buildSubjects(inventory, scope)))
  return subjects
}

function buildSubjects(inventory: Inventory, scope: KubeScope): PodSubject[] {
  const view = inventory.kubernetes
  const subjects = new Map<string, PodSubject>()
  const workloadKey = (w: {kind: string; metadata: {namespace?: string | undefined; name: string}}) => `${w.metadata.namespace ?? ''}/${w.kind}/${w.metadata.name}`
  const workloads = new Map<string, KubeWorkload>()
  for (const w of view.workloads) workloads.set(workloadKey(w), w)

  /** Follow owner references up to the top-level workload that was read (Deployment over ReplicaSet). */
  const topKey = (namespace: string, kind: string, name: string): string => {
    let key = `${namespace}/${kind}/${name}`
    for (let depth = 0; depth < 4; depth++) {
      const w = workloads.get(key)
      const owner = w ? ownerOf(w) : undefined
      if (!owner) break
      key = `${namespace}/${owner.kind}/${owner.name}`
    }
    if (!workloads.has(key) && kind === 'ReplicaSet') {
      const deployment = `${namespace}/Deployment/${name.replace(POD_TEMPLATE_HASH, '')}`
      if (workloads.has(deployment)) return deployment
    }
    // Jobs are not listed; a CronJob names its Jobs `<cronjob>-<scheduled minute>`.
    if (!workloads.has(key) && kind === 'Job') {
      const cronJob = `${namespace}/CronJob/${name.replace(CRONJOB_SUFFIX, '')}`
      if (workloads.has(cronJob)) return cronJob
    }
    return key
  }

  for (const w of view.workloads) {
    const namespace = w.metadata.namespace
    if (!namespace || !scope.isScoped(namespace)) continue
    const key = topKey(namespace, w.kind, w.metadata.name)
    if (key !== workloadKey(w)) continue // owned by another workload that was read
    const labels = w.spec.template.metadata?.labels ?? {}
    const subject: PodSubject = {
      key,
      kind: w.kind,
      namespace,
      name: w.metadata.name,
      spec: w.spec.template.spec,
      labels,
      pods: [],
      ref: w.ref,
      from: 'workload',
    }
    const annotations = w.metadata.annotations
    if (annotations && Object.keys(annotations).length > 0) subject.annotations = annotations
    attach(subject, scope, w.metadata.name)
    subjects.set(key, subject)
  }

  for (const pod of view.pods) {
    const namespace = pod.metadata.namespace
    if (!namespace || !scope.isScoped(namespace)) continue
    const owner = ownerOf(pod)
    const key = owner ? topKey(namespace, owner.kind, owner.name) : `${namespace}/Pod/${pod.metadata.name}`
    const existing = subjects.get(key)
    if (existing) {
      existing.pods.push(pod.metadata.name)
      continue
    }
    subjects.set(key, fromPod(pod, key, namespace, scope))
  }
  return [...subjects.values()]
}

function fromPod(pod: KubePod, key: string, namespace: string, scope: KubeScope): PodSubject {
  const [, kind = 'Pod', name = pod.metadata.name] = key.split('/')
  const subject: PodSubject = {
    key,
    kind,
    namespace,
    name,
    spec: pod.spec,
    labels: pod.metadata.labels ?? {},
    pods: [pod.metadata.name],
    ref: pod.ref,
    from: 'pod',
  }
  const annotations = pod.metadata.annotations
  if (annotations && Object.keys(annotations).length > 0) subject.annotations = annotations
  attach(subject, scope, kind === 'Pod' ? undefined : name)
  return subject
}

function attach(subject: PodSubject, scope: KubeScope, ownerName: string | undefined): void {
  const model = scope.modelOf(subject.namespace)
  if (model) subject.model = model
  const app = scope.appOf(subject.namespace, subject.labels, ownerName)
  if (app) subject.app = app
}

/** Every container of a pod spec, init containers included. */
export function containersOf(spec: PodSpec): {container: Container; init: boolean}[] {
  return [
    ...(spec.initContainers ?? []).map((container) => ({container, init: true})),
    ...(spec.containers ?? []).map((container) => ({container, init: false})),
  ]
}

export interface HostPort {
  container: string
  hostPort: number
  containerPort: number
  protocol: string
}

/** The node ports the spec's containers bind (`ports[].hostPort`). */
export function containerHostPorts(spec: PodSpec): HostPort[] {
  return containersOf(spec).flatMap(({container}) =>
    (container.ports ?? []).filter((p) => (p.hostPort ?? 0) > 0).map((p) => ({container: container.name, hostPort: p.hostPort!, containerPort: p.containerPort, protocol: p.protocol ?? 'TCP'})),
  )
}

/** A waiver of `rule` for the subject, as hardenctl.yaml's `waivers:` list takes it (JSON is YAML). */
export function podWaiver(rule: string, subject: PodSubject, reason: string): string {
  return JSON.stringify({rule, target: `${subject.namespace}/${subject.name}`, reason})
}
