/**
 * The Pod Security Standards' baseline level, the parts of it a pod spec read here shows
 * (kubernetes.io/docs/concepts/security/pod-security-standards, "Baseline"): host namespaces,
 * privileged containers, added capabilities beyond its list, hostPath volumes and host ports.
 * A namespace labelled `enforce=baseline` refuses a pod that breaks any of them the next time
 * one is created (a rollout, a restart, a rescheduled node), so a fix must know first.
 */
import type {PodSpec} from '../../inventory/kubernetes-shapes.js'
import {containerHostPorts, containersOf} from './pod-specs.js'

/** Capabilities baseline lets a container add. */
const BASELINE_CAPABILITIES = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'])

/** What in the spec the baseline level refuses, in words; empty when it admits it. */
export function baselineViolations(spec: PodSpec): string[] {
  const out: string[] = []
  for (const flag of ['hostNetwork', 'hostPID', 'hostIPC'] as const) if (spec[flag] === true) out.push(flag)
  if ((spec.volumes ?? []).some((v) => v.hostPath)) out.push('hostPath volumes')
  const hostPorts = containerHostPorts(spec).map((p) => p.hostPort)
  if (hostPorts.length > 0) out.push(`hostPort ${[...new Set(hostPorts)].join(', ')}`)
  const containers = containersOf(spec).map(({container}) => container)
  if (containers.some((c) => c.securityContext?.privileged === true)) out.push('privileged')
  const added = containers.flatMap((c) => c.securityContext?.capabilities?.add ?? []).map((cap) => cap.toUpperCase().replace(/^CAP_/, ''))
  const beyond = [...new Set(added.filter((cap) => !BASELINE_CAPABILITIES.has(cap)))]
  if (beyond.length > 0) out.push(`capabilities ${beyond.join(', ')}`)
  return out
}
