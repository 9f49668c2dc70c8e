/**
 * K8S-PRIVILEGED's fix for the containers it names: a strategic merge `kubectl patch` that changes
 * only what is wrong (privileged, allowPrivilegeEscalation, the capabilities added beyond the
 * harmless ones), so a container keeps what it legitimately has: ingress-nginx keeps its
 * NET_BIND_SERVICE, which a blanket `capabilities: {drop: [ALL]}` would take and crash it.
 */
import {podTemplatePatch} from './run-as-root-fix.js'
import {containersOf, type PodSubject} from './pod-specs.js'
import {list} from './targets.js'

export interface PrivilegedContainer {
  name: string
  init: boolean
  privileged: boolean
  /** allowPrivilegeEscalation is not false (true, or unset). */
  escalation: boolean
  /** Capabilities added beyond the harmless ones, and the harmless ones it keeps. */
  added: string[]
  keptCapabilities: string[]
}

/**
 * ingress-nginx's controller before v1.0 runs nginx as uid 101 and binds 80 and 443 only by
 * escalating: its image gave the binaries no NET_BIND_SERVICE file capability until PR #7449
 * (kubernetes/ingress-nginx issue #7445, "Binding port 80/443 is not possible with
 * allowPrivilegeEscalation=false", fixed in v1.0.0).
 */
const ESCALATING_INGRESS_NGINX = /(^|\/)(ingress-nginx\/controller:v0\.|nginx-ingress-controller:0\.)/

function escalationNeeded(subject: PodSubject, containers: readonly PrivilegedContainer[]): string | undefined {
  const images = containersOf(subject.spec).filter(({container}) => containers.some((c) => c.escalation && c.name === container.name)).map(({container}) => container.image ?? '')
  if (!images.some((image) => ESCALATING_INGRESS_NGINX.test(image))) return undefined
  return 'only after upgrading the controller to ingress-nginx v1.0 or later: before v1.0 it binds 80 and 443 only by escalating (kubernetes/ingress-nginx issue #7445), and with this patch it stops listening'
}

/** `aside`: one more thing to say after the command (who else manages the workload). */
export function privilegeRemediation(subject: PodSubject, containers: readonly PrivilegedContainer[], aside?: string): string {
  const fields = (c: PrivilegedContainer): Record<string, unknown> => ({
    ...(c.privileged ? {privileged: false} : {}),
    ...(c.escalation ? {allowPrivilegeEscalation: false} : {}),
    // `capabilities.add` has no merge key: the patch replaces the list with what it keeps.
    ...(c.added.length > 0 ? {capabilities: {add: c.keptCapabilities}} : {}),
  })
  const added = [...new Set(containers.flatMap((c) => c.added))]
  const needed = escalationNeeded(subject, containers)
  const notes = [...(needed ? [needed] : []), ...(added.length > 0 ? [`drops ${list(added)}: keep any the workload needs (a CNI needs NET_ADMIN) and waive the finding instead`] : []), ...(aside ? [aside] : [])]
  // From pods alone, a container a webhook injected is not in the template: patching it by name would add it there.
  const entries = (init: boolean) => containers.filter((c) => c.init === init).map((c) => ({name: c.name, securityContext: fields(c)}))
  const podSpec = {...(entries(true).length > 0 ? {initContainers: entries(true)} : {}), ...(entries(false).length > 0 ? {containers: entries(false)} : {})}
  const patch = subject.from === 'workload' ? podTemplatePatch(subject, podSpec) : undefined
  if (patch) return notes.length > 0 ? `${patch}   # ${notes.join('; ')}` : patch
  const where =
    subject.kind === 'Pod'
      ? `the manifest of Pod ${subject.namespace}/${subject.name}, and recreate it (a running Pod's securityContext cannot be changed)`
      : `the pod template of ${subject.kind} ${subject.namespace}/${subject.name}`
  const settings = containers.map((c) => `${c.name}: ${JSON.stringify(fields(c))}`).join('; ')
  return `Set, in each container's securityContext in ${where}: ${settings}.${notes.length > 0 ? ` ${notes.join('; ')}.` : ''}`
}

/**
 * A sidecar charm's pods with allowPrivilegeEscalation merely unset. Juju creates every container
 * of the pod (its own charm-init and charm ones too) with a securityContext of runAsUser/runAsGroup
 * only, and a charm's metadata cannot add to it (charmcraft.yaml's `containers` take `uid` and
 * `gid`), so neither a charm nor a Juju setting fixes it, and a patch of the StatefulSet is undone
 * when Juju next updates it. What works is a default applied when the pod is admitted, or a waiver.
 */
export const JUJU_UNSET_ESCALATION = "Juju sets it on none of a sidecar charm's containers (charm-init and charm included), and no charm setting can."

export function jujuUnsetEscalationFix(subject: PodSubject): string {
  const waiver = JSON.stringify({rule: 'K8S-PRIVILEGED', target: `${subject.namespace}/${subject.kind}/${subject.name}`, reason: 'Juju leaves allowPrivilegeEscalation unset'})
  return (
    `default it to false when pods are admitted to namespace ${subject.namespace} (a Kyverno or Gatekeeper mutation; first check that no workload needs a setuid binary such as sudo), since a patch of the StatefulSet is undone when Juju next updates it; ` +
    `or waive it in hardenctl.yaml: waivers: [${waiver}]`
  )
}
