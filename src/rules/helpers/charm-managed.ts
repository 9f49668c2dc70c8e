/** Kubernetes objects a charm writes itself, which it re-applies: kubectl edits to them do not last. */
import type {Application, Model} from '../../inventory/types.js'
import {JUJU_CREATED_BY_LABEL} from './rbac.js'

/**
 * The Juju application whose charm manages a Kubernetes object: the label
 * `<charm>.charm.juju.is/managed-by: APP` (nginx-ingress-integrator, gateway-api-integrator) or
 * `app.juju.is/created-by: APP` (lightkube's resource handler).
 */
export function managingApp(object: {metadata: {labels?: Record<string, string> | undefined}}, model: Model): Application | undefined {
  for (const [key, value] of Object.entries(object.metadata.labels ?? {})) {
    if (key.endsWith('.charm.juju.is/managed-by') || key === JUJU_CREATED_BY_LABEL) {
      const app = model.applications.get(value)
      if (app) return app
    }
  }
  return undefined
}
