/** Effective user of a container: its securityContext over the pod's (Kubernetes semantics). */
import type {Container, PodSpec} from '../../inventory/kubernetes-shapes.js'

export interface EffectiveUser {
  runAsUser?: number
  runAsGroup?: number
  runAsNonRoot?: boolean
}

export function effectiveUser(spec: PodSpec, container: Container): EffectiveUser {
  const c = container.securityContext
  const p = spec.securityContext
  const out: EffectiveUser = {}
  const user = c?.runAsUser ?? p?.runAsUser
  const group = c?.runAsGroup ?? p?.runAsGroup
  const nonRoot = c?.runAsNonRoot ?? p?.runAsNonRoot
  if (user !== undefined) out.runAsUser = user
  if (group !== undefined) out.runAsGroup = group
  if (nonRoot !== undefined) out.runAsNonRoot = nonRoot
  return out
}

/**
 * Root when runAsUser is 0, or unset without runAsNonRoot (the image's user, root for Juju's
 * images), or runAsGroup is 0. An unset runAsGroup is not judged: it is the image's group.
 */
export function runsAsRoot(user: EffectiveUser): boolean {
  if (user.runAsUser === 0 || user.runAsGroup === 0) return true
  return user.runAsUser === undefined && user.runAsNonRoot !== true
}

/** Juju's charm container in a sidecar pod. */
export const CHARM_CONTAINER = 'charm'

/** Juju's init container that installs the agent in a sidecar pod. */
export const JUJU_INIT_CONTAINER = 'charm-init'

/** Juju 3.6 charm-user → uid of the charm container. */
export const CHARM_USER_UIDS: Record<string, number> = {root: 0, sudoer: 171, 'non-root': 170}
