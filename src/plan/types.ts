/**
 * The reconcile plan: the NetworkPolicies hardenctl wants in each namespace it manages, and the
 * actions that get the cluster there. The planner (src/plan) fills it; the applier (src/apply)
 * carries it out; `--format json` prints it for other tools and reviewers.
 */

/** Labels and annotations on every object hardenctl writes; it never touches an object without them. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by'
export const MANAGED_BY_VALUE = 'hardenctl'
export const MODEL_LABEL = 'hardenctl.io/model'
/** Why the policy exists: the relation, offer or profile line that produced each rule. */
export const REASON_ANNOTATION = 'hardenctl.io/reason'
export const FIELD_MANAGER = 'hardenctl'

/** Whether hardenctl wrote the object (its managed-by label): the only objects it changes or prunes. */
export function isManaged(object: {metadata: {labels?: Record<string, string> | undefined}}): boolean {
  return object.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE
}

export interface LabelSelector {
  matchLabels?: Record<string, string>
  matchExpressions?: {key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[]}[]
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector
  namespaceSelector?: LabelSelector
  ipBlock?: {cidr: string; except?: string[]}
}

export interface NetworkPolicyPort {
  protocol?: 'TCP' | 'UDP' | 'SCTP'
  port?: number | string
  endPort?: number
}

export interface NetworkPolicySpec {
  podSelector: LabelSelector
  policyTypes?: ('Ingress' | 'Egress')[]
  ingress?: {from?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[]}[]
  egress?: {to?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[]}[]
}

/** A NetworkPolicy as the API takes it (and as `kubectl get -o json` prints it, minus status fields). */
export interface NetworkPolicyObject {
  apiVersion: 'networking.k8s.io/v1'
  kind: 'NetworkPolicy'
  metadata: {
    name: string
    namespace: string
    labels?: Record<string, string>
    annotations?: Record<string, string>
    /** Only on live objects: lets a delete fail if the object changed since it was planned. */
    resourceVersion?: string
    uid?: string
  }
  spec: NetworkPolicySpec
}

export type ActionOp = 'create' | 'update' | 'delete' | 'unchanged'

/**
 * Applied in this order so that no moment exists where a flow that will be allowed is denied:
 * new allow policies, then default-deny, then pruning of stale hardenctl policies.
 */
export type ActionPhase = 'allow' | 'default-deny' | 'prune'
export const PHASE_ORDER: readonly ActionPhase[] = ['allow', 'default-deny', 'prune']

export interface NetworkPolicyAction {
  op: ActionOp
  phase: ActionPhase
  /** The desired object (create, update, unchanged) or the object to delete (delete). */
  object: NetworkPolicyObject
  /** The live object an update replaces (for the diff). */
  current?: NetworkPolicyObject
}

/** Pod Security Admission labels hardenctl sets on a namespace it manages (`psa` in the policy). */
export const PSA_LABEL_PREFIX = 'pod-security.kubernetes.io/'

/**
 * Labels applied to an existing Namespace with server-side apply: hardenctl owns only these
 * label keys on an object it did not create; it never creates or deletes namespaces.
 */
export interface NamespaceLabelsAction {
  op: 'update' | 'unchanged'
  namespace: string
  /** The pod-security labels wanted. */
  labels: Record<string, string>
  /** Their live values (undefined: not set). */
  current: Record<string, string | undefined>
}

export interface UntouchedNamespace {
  namespace: string
  /**
   * incomplete-view and foreign-policy mean the namespace did not converge (exit 3); out-of-scope,
   * unmodelled-workloads (pods that are no Juju unit serve there, networkPolicies.unmodelledWorkloads)
   * and ambient-mesh (its pods are in Istio's ambient mesh) are by design.
   */
  why: 'incomplete-view' | 'foreign-policy' | 'out-of-scope' | 'unmodelled-workloads' | 'ambient-mesh'
  reason: string
}

/** The Juju API facades reconcile writes through, as Juju names them on the wire. */
export type JujuFacade = 'ModelManager' | 'Controller' | 'ApplicationOffers' | 'UserManager' | 'Block' | 'Application'

/**
 * Which switch in hardenctl.yaml lets reconcile make a Juju change; without it the change is
 * planned and printed only (see JUJU_SECTION_SWITCH).
 */
export type JujuSection = 'access' | 'stale-users' | 'commands' | 'exposure'

export const JUJU_SECTION_SWITCH: Record<JujuSection, string> = {
  access: 'access.enforce: true',
  'stale-users': 'access.enforce: true and access.disableStaleUsers: true',
  commands: 'a `commands` section naming the model',
  exposure: 'exposure.enforce: true',
}

/**
 * One Juju API call that fixes one finding. `params` are exactly what goes on the wire (one
 * change per call, so each change succeeds or fails on its own and is reported with its
 * before and after).
 */
export interface JujuAction {
  op: 'juju'
  section: JujuSection
  /** The audit rule whose finding this fixes. */
  rule: string
  controller: string
  /** Set for model-scoped changes (model access, blocks, exposure). */
  model?: string
  /** Calls on a model connection (`Block`, `Application`) go to /model/UUID/api. */
  connection: 'controller' | 'model'
  modelUuid?: string
  facade: JujuFacade
  method: string
  params: Record<string, unknown>
  /** Who or what changes, in words: `user bob on model prod:clite`. */
  target: string
  before: string
  after: string
  reason: string
  /** False when the section's switch is off: planned, never applied. */
  enforced: boolean
}

/** A change the findings call for that reconcile will not make, and why (safety rules). */
export interface JujuRefusal {
  rule: string
  controller: string
  model?: string
  target: string
  /** The change that was wanted, in words: `revoke superuser`. */
  wanted: string
  reason: string
}

export type PlanAction = NetworkPolicyAction | JujuAction

export function isJujuAction(action: PlanAction): action is JujuAction {
  return action.op === 'juju'
}

export function isNetworkPolicyAction(action: PlanAction): action is NetworkPolicyAction {
  return action.op !== 'juju'
}

export function networkPolicyActions(plan: Pick<ReconcilePlan, 'actions'>): NetworkPolicyAction[] {
  return plan.actions.filter(isNetworkPolicyAction)
}

export function jujuActions(plan: Pick<ReconcilePlan, 'actions'>): JujuAction[] {
  return plan.actions.filter(isJujuAction)
}

export interface ReconcilePlan {
  apiVersion: 'hardenctl.io/v1'
  kind: 'ReconcilePlan'
  /** NetworkPolicy writes per namespace, then the Juju calls (`op: juju`). */
  actions: PlanAction[]
  /** Juju changes the findings ask for that the safety rules forbid (own access, controller admin, last model admin). */
  refused: JujuRefusal[]
  /** Namespaces whose policies are left exactly as they are, and why (a partial view never changes policies). */
  untouched: UntouchedNamespace[]
  /** Pod Security Admission labels (empty unless `psa.enabled`); applied after the namespace's NetworkPolicies. */
  namespaceLabels: NamespaceLabelsAction[]
  /** Intentional exposure (LoadBalancer/NodePort/externalIPs Services, `juju expose`) left reachable on purpose. */
  keptOpen: KeptOpen[]
  /**
   * Paths the estate shows in use or intended (exposure, relations, Ingress backends, Juju agents,
   * DNS) that the plan's NetworkPolicies would close, per the reachability engine, and the sources
   * an enforced `juju expose` change takes away on machine models. A real run refuses a plan with
   * one the policy did not ask for, unless `--allow-closing`.
   */
  closes: ClosedPath[]
  /** Things a reviewer should know: unknown ports, relations allowed both ways, ... */
  notes: string[]
}

/** One in-use or intended path the plan would close. */
export interface ClosedPath {
  /** `namespace/app`, `outside` (the Internet at large) or a source CIDR. */
  from: string
  to: string
  /** The ports that close: `80/TCP, 443/TCP`. */
  ports: string
  /** What shows the path is used or intended: `LoadBalancer Service traefik-lb`, `relation a:x ↔ b:y`, ... */
  usedBy: string
  /** Why it closes: `exposure.enforce, not on exposure.allow`. */
  why: string
  /** True when a switch of the policy asks for it (exposure.enforce narrowing exposure). */
  asked: boolean
}

/** One exposed entry point an allow rule keeps reachable from the sources that reach it today. */
export interface KeptOpen {
  namespace: string
  application: string
  /** `LoadBalancer Service traefik-lb`, `juju expose, endpoint website`. */
  exposedBy: string
  sources: string[]
  /** `443/TCP`; empty: every port. */
  ports: string[]
  /** The switch that would narrow it, or `within exposure.allow`. */
  narrowedBy: string
}
