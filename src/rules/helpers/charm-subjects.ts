/**
 * What charm rules judge: every deployed application (with its metadata when read), plus charms
 * read from a charm directory that no application uses (reported with target kind `charm`).
 */
import type {Target} from '../../findings/types.js'
import type {CharmMetadata} from '../../inventory/charm.js'
import type {Application, Inventory, Model} from '../../inventory/types.js'
import {charmName} from './charms.js'
import {appTarget} from './targets.js'

export interface CharmSubject {
  target: Target
  /** Display name: the application, or the charm. */
  name: string
  charm: string
  metadata?: CharmMetadata
  app?: Application
  model?: Model
}

export function* charmSubjects(inventory: Inventory): Generator<CharmSubject> {
  const used = new Set<string>()
  for (const model of inventory.models.values()) {
    for (const app of model.applications.values()) {
      const charm = charmName(app)
      const metadata = app.metadata ?? inventory.charms.get(charm)
      if (metadata) used.add(metadata.name)
      const subject: CharmSubject = {target: appTarget(app, model), name: app.name, charm, app, model}
      if (metadata) subject.metadata = metadata
      yield subject
    }
  }
  for (const metadata of inventory.charms.values()) {
    if (used.has(metadata.name)) continue
    yield {target: {kind: 'charm', name: metadata.name}, name: metadata.name, charm: metadata.name, metadata}
  }
}

/** Whether the charm runs on Kubernetes (sidecar): containers, `assumes: k8s-api`, or a caas model. */
export function isKubernetesCharm(subject: CharmSubject): boolean | undefined {
  if (subject.metadata && (subject.metadata.containers.length > 0 || subject.metadata.assumes.includes('k8s-api'))) return true
  if (subject.model?.type === 'caas') return true
  if (subject.model?.type === 'iaas') return false
  if (subject.metadata) return false
  return undefined
}

/** `postgresql (postgresql-k8s)` for an application, `charm postgresql-k8s` for a bare charm. */
export function describeCharmSubject(subject: CharmSubject): string {
  return subject.app ? `${subject.name} (${subject.charm})` : `charm ${subject.charm}`
}
