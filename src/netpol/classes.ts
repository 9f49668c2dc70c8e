/**
 * Pod classes: the pods NetworkPolicy cannot tell apart, which is the granularity of every
 * reachability answer (an application rather than each of its units).
 *
 * Pods group by namespace, labels, hostNetwork and container ports. Labels the controllers put on
 * each pod individually (StatefulSet pod name and index, revision hashes) are left out, or every
 * unit would be a class of its own, unless a given policy selects on them.
 *
 * A class is named by its `app.kubernetes.io/name` label, else by the workload that owns its first
 * pod (a Deployment's name rather than `name-6f8d9c7b54-q7v2m`, which changes with every rollout),
 * else by that pod's name.
 */
import {APP_NAME_LABEL, isIngressControllerPod, type KubePod, type KubernetesView} from '../inventory/kubernetes.js'
import type {ContainerPortLike, NetworkPolicyLike, PodClass, SelectorLike} from './types.js'

export const PER_POD_LABELS: readonly string[] = [
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'controller-revision-hash',
  'pod-template-hash',
  'pod-template-generation',
  'batch.kubernetes.io/job-completion-index',
]

export interface PodClassOptions {
  /** Only pods of these namespaces. */
  namespaces?: readonly string[]
  /** The policies that will be evaluated: per-pod labels their selectors use stay significant. */
  policies?: readonly NetworkPolicyLike[]
}

/** Pods that finished have no network; they are left out. */
const FINISHED_PHASES = new Set(['Succeeded', 'Failed'])

export function podClasses(view: Pick<KubernetesView, 'pods'>, options: PodClassOptions = {}): PodClass[] {
  const wanted = options.namespaces ? new Set(options.namespaces) : undefined
  const ignored = new Set(PER_POD_LABELS)
  for (const key of selectorKeys(options.policies ?? [])) ignored.delete(key)

  const ignoredKeys = [...ignored].sort().join('\n')

  const byKey = new Map<string, PodClass>()
  for (const pod of view.pods) {
    const namespace = pod.metadata.namespace ?? 'default'
    if (wanted && !wanted.has(namespace)) continue
    if (FINISHED_PHASES.has(pod.status?.phase ?? '')) continue
    const {key, labels, hostNetwork, ports, name} = podShape(pod, namespace, ignored, ignoredKeys)
    let existing = byKey.get(key)
    if (!existing) {
      existing = {id: '', namespace, name, labels: {...labels}, pods: [pod.metadata.name], hostNetwork, ports: [...ports], ...(isIngressControllerPod(pod) ? {ingressController: true as const} : {})}
      byKey.set(key, existing)
    }
    else {
      existing.pods.push(pod.metadata.name)
      if (pod.metadata.name < existing.pods[0]!) existing.name = name
    }
    const address = pod.status?.podIP
    if (hostNetwork && address && !existing.nodeAddresses?.includes(address)) (existing.nodeAddresses ??= []).push(address)
  }

  const classes = [...byKey.values()]
  for (const podClass of classes) {
    podClass.pods.sort()
    podClass.nodeAddresses?.sort()
  }
  disambiguate(classes)
  for (const podClass of classes) podClass.id = `${podClass.namespace}/${podClass.name}`
  return classes.sort((a, b) => compareText(a.namespace, b.namespace) || compareNumeric(a.name, b.name))
}

/** What a pod's class is made of: the labels that count, hostNetwork, its container ports, and the class key. */
interface PodShape {
  key: string
  labels: Readonly<Record<string, string>>
  hostNetwork: boolean
  ports: readonly ContainerPortLike[]
  name: string
}

/**
 * Shapes of frozen pods, by the labels left out: `reconcile --watch` hands every pass the same
 * frozen pods (src/sources/kubernetes/reader.ts), and a pod's shape is worked out once, not each pass.
 */
const frozenShapes = new WeakMap<object, {ignoredKeys: string; shape: PodShape}>()

function podShape(pod: KubePod, namespace: string, ignored: ReadonlySet<string>, ignoredKeys: string): PodShape {
  const kept = frozenShapes.get(pod)
  if (kept?.ignoredKeys === ignoredKeys) return kept.shape
  const podLabels = pod.metadata.labels ?? {}
  const labels: Record<string, string> = {}
  for (const key of Object.keys(podLabels).filter((key) => !ignored.has(key)).sort()) labels[key] = podLabels[key]!
  const hostNetwork = pod.spec.hostNetwork === true
  const ports = containerPorts(pod.spec.containers ?? [])
  const shape = {key: JSON.stringify([namespace, labels, hostNetwork, ports]), labels, hostNetwork, ports, name: labels[APP_NAME_LABEL] ?? workloadName(pod)}
  if (Object.isFrozen(pod)) frozenShapes.set(pod, {ignoredKeys, shape})
  return shape
}

// What localeCompare does, without building a collator for every comparison (8,000 classes take
// a hundred thousand comparisons).
const compareText = new Intl.Collator().compare
const compareNumeric = new Intl.Collator(undefined, {numeric: true}).compare

/** The Deployment, StatefulSet, DaemonSet or Job that owns the pod, else the pod's own name. */
function workloadName(pod: KubePod): string {
  const owner = pod.metadata.ownerReferences?.find((reference) => reference.controller === true)
  if (!owner) return pod.metadata.name
  const hash = pod.metadata.labels?.['pod-template-hash']
  if (owner.kind === 'ReplicaSet' && hash && owner.name.endsWith(`-${hash}`)) return owner.name.slice(0, -hash.length - 1)
  return owner.name
}

function containerPorts(containers: readonly {ports?: {name?: string; containerPort: number; protocol?: string}[]}[]): ContainerPortLike[] {
  const ports: ContainerPortLike[] = []
  const seen = new Set<string>()
  for (const container of containers) {
    for (const port of container.ports ?? []) {
      const protocol = (port.protocol ?? 'TCP').toUpperCase()
      // A JSON string ends where its quote closes, so number, protocol and name cannot run together.
      const key = `${port.containerPort}${JSON.stringify(protocol)}${port.name === undefined ? '' : JSON.stringify(port.name)}`
      if (seen.has(key)) continue
      seen.add(key)
      ports.push(port.name === undefined ? {port: port.containerPort, protocol} : {name: port.name, port: port.containerPort, protocol})
    }
  }
  return ports.length < 2 ? ports : ports.sort((a, b) => a.port - b.port || compareText(a.protocol, b.protocol))
}

/** Two classes of one namespace with one name (say, a rollout in progress): `name@first-pod`. */
function disambiguate(classes: PodClass[]): void {
  const byName = new Map<string, PodClass[]>()
  for (const podClass of classes) {
    const key = `${podClass.namespace}/${podClass.name}`
    byName.set(key, [...(byName.get(key) ?? []), podClass])
  }
  for (const group of byName.values()) {
    if (group.length < 2) continue
    // Pod names are unique in a namespace, unless the input repeats a pod: then number them.
    const unique = new Set(group.map((podClass) => podClass.pods[0])).size === group.length
    for (const [i, podClass] of group.entries()) podClass.name = `${podClass.name}@${podClass.pods[0]}${unique ? '' : `~${i + 1}`}`
  }
}

function selectorKeys(policies: readonly NetworkPolicyLike[]): Set<string> {
  const keys = new Set<string>()
  const add = (selector: SelectorLike | undefined) => {
    for (const key of Object.keys(selector?.matchLabels ?? {})) keys.add(key)
    for (const expression of selector?.matchExpressions ?? []) keys.add(expression.key)
  }
  for (const policy of policies) {
    add(policy.spec.podSelector)
    for (const rule of policy.spec.ingress ?? []) for (const peer of rule.from ?? []) add(peer.podSelector)
    for (const rule of policy.spec.egress ?? []) for (const peer of rule.to ?? []) add(peer.podSelector)
  }
  return keys
}
