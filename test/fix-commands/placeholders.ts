/**
 * Placeholders a fix command may hold where the rule cannot know the value: UPPER words the user
 * replaces (`-m MODEL`, `juju integrate COLLECTOR APP`), and `<description>` or `...` for values
 * the user supplies (`ssl_cert='<base64 PEM>'`, `password=...`). Each is documented here with what
 * it stands for and the argument kinds it may fill; anything else in UPPER or `<angle>` form is
 * reported, since a user cannot tell it from a value to run as written.
 */

/** What an argument slot holds, for placeholder and name checks. */
export type Slot =
  | 'model'
  | 'controller'
  | 'application'
  | 'endpoint'
  | 'user'
  | 'permission'
  | 'offer-url'
  | 'config-key'
  | 'channel'
  | 'charm'
  | 'base'
  | 'cidrs'
  | 'cloud'
  | 'credential'
  | 'secret'
  | 'machine'
  | 'namespace'
  | 'kube-name'
  | 'kube-type'
  | 'file'
  /** A value the user supplies (config values, secret contents, messages). */
  | 'value'

export const PLACEHOLDERS: Record<string, {means: string; slots: readonly Slot[]}> = {
  MODEL: {means: 'the model (or its namespace on Kubernetes)', slots: ['model', 'namespace', 'offer-url']},
  CONTROLLER: {means: 'the controller', slots: ['controller']},
  'NEW-CONTROLLER': {means: 'a controller of a newer Juju to move a model to', slots: ['controller']},
  APP: {means: 'an application of the model', slots: ['application', 'kube-name']},
  DB: {means: 'the database application', slots: ['application']},
  INGRESS: {means: 'the ingress application', slots: ['application']},
  PROVIDER: {means: 'the certificates provider application', slots: ['application']},
  USER: {means: 'a user', slots: ['user']},
  NS: {means: 'a Kubernetes namespace', slots: ['namespace']},
  NAME: {means: 'a Kubernetes object, secret or controller name', slots: ['kube-name', 'namespace', 'secret']},
  OFFER: {means: 'an offer name', slots: ['offer-url']},
  'OFFER-URL': {means: 'an offer URL', slots: ['offer-url']},
  OPTION: {means: 'a charm option', slots: ['config-key']},
  EP: {means: 'an endpoint of the application', slots: ['endpoint']},
  TRACK: {means: 'the charm track', slots: ['channel']},
  CHARM: {means: 'a charm name', slots: ['charm']},
  'ADMIN-CIDRS': {means: 'the admin networks', slots: ['cidrs']},
  CLOUD: {means: 'a cloud', slots: ['cloud']},
  CREDENTIAL: {means: 'a cloud credential', slots: ['credential']},
}

const UPPER_RUN = /[A-Z][A-Z0-9_-]*[A-Z0-9]/g

/** The UPPER placeholder words inside a token (`controller-NAME` → `NAME`, `MODEL.OFFER` → both). */
export function upperRuns(token: string): string[] {
  return [...token.matchAll(UPPER_RUN)].map((m) => m[0]).filter((run) => run.length >= 2)
}

export function isAnglePlaceholder(token: string): boolean {
  return /<[^<>]*>/.test(token)
}

export function isEllipsis(token: string): boolean {
  return token === '...' || token === '…'
}

/**
 * Whether `token` is (or holds) a placeholder, and if so whether it is one documented for `slot`.
 * `undefined`: not a placeholder, check it as a value.
 */
export function placeholderVerdict(token: string, slot: Slot): {ok: true} | {ok: false; problem: string} | undefined {
  if (isAnglePlaceholder(token) || isEllipsis(token)) {
    return slot === 'value' ? {ok: true} : {ok: false, problem: `"${token}" is a fill-in placeholder where a ${slot} is expected; write the ${slot} or a documented UPPER placeholder`}
  }
  // Juju and Kubernetes names are lower case: an UPPER run is meant as a placeholder.
  if (slot === 'value' || slot === 'file') return undefined
  const runs = upperRuns(token)
  if (runs.length === 0) return undefined
  const unknown = runs.filter((run) => !PLACEHOLDERS[run])
  if (unknown.length > 0) return {ok: false, problem: `placeholder ${unknown.join(', ')} in "${token}" is not a documented placeholder (documented: ${Object.keys(PLACEHOLDERS).join(', ')})`}
  const misplaced = runs.filter((run) => !PLACEHOLDERS[run]!.slots.includes(slot))
  if (misplaced.length > 0) return {ok: false, problem: `placeholder ${misplaced.join(', ')} stands for ${misplaced.map((r) => PLACEHOLDERS[r]!.means).join(', ')}, not a ${slot}`}
  return {ok: true}
}
