/**
 * How to make a pod spec stop running as root, as a command that runs as printed: a strategic
 * merge `kubectl patch` of the workload's template when there is one to patch, else the manifest
 * field to set.
 */
import type {PodSpec} from '../../inventory/kubernetes-shapes.js'
import {containersOf, type PodSubject} from './pod-specs.js'
import {effectiveUser, runsAsRootUser} from './security-context.js'
import {list} from './targets.js'

export interface RootContainer {
  name: string
  init: boolean
  /** runAsUser 0 is set (on the container or the pod), rather than left to the image. */
  explicit: boolean
  runAsUser: number | null
  runAsNonRoot: boolean | null
}

/** The field path of the pod spec in each kind `kubectl patch` can change, and its resource name. */
const POD_SPEC_PATHS: Record<string, {resource: string; path: string[]}> = {
  Deployment: {resource: 'deployment', path: ['spec', 'template', 'spec']},
  StatefulSet: {resource: 'statefulset', path: ['spec', 'template', 'spec']},
  DaemonSet: {resource: 'daemonset', path: ['spec', 'template', 'spec']},
  CronJob: {resource: 'cronjob', path: ['spec', 'jobTemplate', 'spec', 'template', 'spec']},
}

/** The containers (init containers included) that run, or may run, as uid 0. */
export function rootContainers(spec: PodSpec): RootContainer[] {
  const out: RootContainer[] = []
  for (const {container, init} of containersOf(spec)) {
    const user = effectiveUser(spec, container)
    if (!runsAsRootUser(user)) continue
    out.push({name: container.name, init, explicit: user.runAsUser === 0, runAsUser: user.runAsUser ?? null, runAsNonRoot: user.runAsNonRoot ?? null})
  }
  return out
}

/** Containers whose own securityContext would override a pod-level `runAsNonRoot: true`. */
function containerOverrides(spec: PodSpec): {name: string; init: boolean; runAsUser: boolean}[] {
  return containersOf(spec)
    .filter(({container}) => container.securityContext?.runAsUser === 0 || container.securityContext?.runAsNonRoot === false)
    .map(({container, init}) => ({name: container.name, init, runAsUser: container.securityContext?.runAsUser === 0}))
}

/**
 * A strategic merge patch (kubectl's default for built-in kinds: containers merge by name, `null`
 * deletes a field) setting `runAsNonRoot: true` on the pod, dropping a `runAsUser: 0`, and doing
 * the same on the containers that override the pod.
 */
function runAsNonRootSpec(spec: PodSpec): Record<string, unknown> {
  const podContext: Record<string, unknown> = {runAsNonRoot: true}
  if (spec.securityContext?.runAsUser === 0) podContext.runAsUser = null
  const podSpec: Record<string, unknown> = {securityContext: podContext}
  const overrides = containerOverrides(spec)
  const entries = (init: boolean) =>
    overrides.filter((o) => o.init === init).map((o) => ({name: o.name, securityContext: {runAsNonRoot: true, ...(o.runAsUser ? {runAsUser: null} : {})}}))
  if (entries(true).length > 0) podSpec.initContainers = entries(true)
  if (entries(false).length > 0) podSpec.containers = entries(false)
  return podSpec
}

/**
 * `kubectl patch` of the workload's pod template with `podSpec` (a strategic merge: containers
 * merge by name), or undefined for a kind with no template to patch (a bare Pod).
 */
export function podTemplatePatch(subject: PodSubject, podSpec: Record<string, unknown>): string | undefined {
  const target = POD_SPEC_PATHS[subject.kind]
  if (!target) return undefined
  const body = target.path.reduceRight<unknown>((inner, key) => ({[key]: inner}), podSpec)
  return `kubectl -n ${subject.namespace} patch ${target.resource} ${subject.name} -p '${JSON.stringify(body)}'`
}

const IMAGE_USER_NOTE =
  "the kubelet then refuses to start a container whose image runs as root or as a non-numeric USER: set runAsUser to a uid the image supports, or use an image with a non-root USER"

export function runAsRootRemediation(subject: PodSubject): string {
  // From pods alone, the container list may hold containers a webhook injected, which the
  // template does not have: only a pod-level patch is safe then.
  const patch = subject.from === 'workload' || containerOverrides(subject.spec).length === 0 ? podTemplatePatch(subject, runAsNonRootSpec(subject.spec)) : undefined
  if (patch) return `${patch}   # ${IMAGE_USER_NOTE}`
  const where =
    subject.kind === 'Pod'
      ? `the manifest of Pod ${subject.namespace}/${subject.name} and recreate it (a running Pod's securityContext cannot be changed)`
      : `the pod template of ${subject.kind} ${subject.namespace}/${subject.name}, the owner of pod${subject.pods.length === 1 ? '' : 's'} ${list(subject.pods)}`
  return `Set \`securityContext.runAsNonRoot: true\` at pod level (and remove \`runAsUser: 0\` / \`runAsNonRoot: false\` from the pod and its containers) in ${where}; ${IMAGE_USER_NOTE}.`
}
