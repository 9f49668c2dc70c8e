/** Targets for pod subjects: the workload (or pod) as a Kubernetes object, with its Juju model. */
import type {Target} from '../../findings/types.js'
import type {PodSubject} from './pod-specs.js'

export function subjectTarget(subject: PodSubject): Target {
  const target: Target = {kind: subject.kind, name: subject.name, namespace: subject.namespace}
  if (subject.model) {
    target.model = subject.model.name
    if (subject.model.controller) target.controller = subject.model.controller
  }
  return target
}

export function subjectName(subject: PodSubject): string {
  const app = subject.app ? ` (Juju application ${subject.app.name})` : ''
  return `${subject.kind} ${subject.namespace}/${subject.name}${app}`
}

export function subjectEvidence(subject: PodSubject): Record<string, unknown> {
  return {
    ...(subject.app ? {application: subject.app.name} : {}),
    ...(subject.pods.length > 0 ? {pods: subject.pods} : {}),
  }
}

/** Juju reconciles the StatefulSets it creates: a fix belongs in the charm, not in kubectl. */
export function jujuManagedNote(subject: PodSubject): string {
  return subject.app ? ' Juju manages this workload: edits are overwritten, so ask the charm to change it or replace the charm.' : ''
}
