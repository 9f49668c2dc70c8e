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

/**
 * Whether the process runs as uid 0: runAsUser 0, or no runAsUser and no `runAsNonRoot: true`
 * (then the image's USER decides, and nothing stops it from being root). runAsGroup is not judged:
 * a non-root user in group 0 is not root.
 */
export function runsAsRootUser(user: EffectiveUser): boolean {
  if (user.runAsUser === 0) return true
  return user.runAsUser === undefined && user.runAsNonRoot !== true
}

/** Juju's charm container in a sidecar pod (the unit agent and the charm code; JUJU-CHARM-USER judges it). */
export const CHARM_CONTAINER = 'charm'

/** Juju's init container that installs the agent in a sidecar pod. */
export const JUJU_INIT_CONTAINER = 'charm-init'

/**
 * Juju's own containers in a sidecar pod, not the charm's workload: the `charm` container and the
 * `charm-init` init container (caas/kubernetes/provider/application in juju/juju).
 */
export function isJujuAgentContainer(name: string, init: boolean): boolean {
  return init ? name === JUJU_INIT_CONTAINER : name === CHARM_CONTAINER
}

/** Juju 3.6 charm-user → uid of the charm container. */
export const CHARM_USER_UIDS: Record<string, number> = {root: 0, sudoer: 171, 'non-root': 170}
