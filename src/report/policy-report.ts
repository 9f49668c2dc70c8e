/**
 * The audit findings as `wgpolicyk8s.io/v1alpha2` PolicyReports: one report named `hardenctl`
 * per audited namespace (Juju model namespaces, the controller namespace and the namespaces of the
 * policy's `kubernetes.namespaces`; labelled `hardenctl.io/model` with the Juju model when there is
 * one), not one per resource (per-resource reports are what bloated etcd under Kyverno and Trivy
 * Operator), each with every result of its namespace. `reconcile` and `audit --report-to-cluster` write them (src/apply/policy-reports.ts).
 *
 * The shape follows the Policy Report API of kubernetes-sigs/wg-policy-prototypes,
 * `policy-report/pkg/api/wgpolicyk8s.io/v1alpha2/policyreport_types.go` and the generated CRD
 * (`policy-report/crd/wgpolicyk8s.io_policyreports.yaml`, version v1alpha2):
 *
 * - `scope` (optional ObjectReference, "e.g. a Deployment, Namespace, or Node"): the Namespace.
 *   A result without `resources` is, per the spec, "for the policy report scope".
 * - `summary` {pass, fail, warn, error, skip}: counts of the results below. hardenctl's rules
 *   report what is wrong, never what passed, so `pass` is always 0.
 * - `results[].result` (enum pass|fail|warn|error|skip):
 *   - `fail` ("the policy requirements are not met") for a finding;
 *   - `skip` ("the policy was not selected based on user inputs or applicability") for a
 *     waived finding: a waiver is the user's input deselecting the rule for that target, and is
 *     what Kyverno reports for a resource covered by a PolicyException (`rule skipped due to
 *     policy exception`);
 *   - `error` ("the policy could not be evaluated") for INVENTORY-INCOMPLETE findings and for
 *     rules not evaluated for a target of the namespace (an input was missing), so a report never
 *     looks clean for what the audit could not see.
 * - `results[].severity` (enum critical|high|low|medium|info since the CRD revision that added
 *   critical and info; older copies of the CRD, e.g. the one Kyverno 1.7 shipped, accept only
 *   high|low|medium and answer 422 "Unsupported value", which the writer explains).
 * - `results[].policy` (required): the rule id. `rule` (optional) is left out: a hardenctl rule
 *   is not a rule inside a larger policy.
 * - `results[].resources` ([]ObjectReference): the Kubernetes object the finding targets, when
 *   it targets one. Juju targets (application, model, user, offer, ...) are not Kubernetes
 *   objects: they go in `properties` (`juju.application: livepatch`).
 * - `results[].properties` (map[string]string): title, guide (title § section) and guideUrl, remediation,
 *   autoFixable, the Juju controller/model/target, file:line when known, the waiver. Never the
 *   finding's `evidence`: that is free-form per rule, and rules may quote option values there.
 * - `results[].timestamp` (metav1.Timestamp {seconds, nanos}, "the time the result was found").
 * - `results[].source`: `hardenctl`.
 *
 * A Juju controller-level finding (controller users, controller config) goes into the report of
 * that controller's namespace when the controller runs in this cluster (`controller-NAME`): that
 * namespace is the controller. Findings with no Kubernetes namespace go into no report: a machine
 * controller's, machine models', and those of a controller hosted elsewhere are not about this
 * cluster, and a ClusterPolicyReport (the spec's report for cluster-scoped resources: ClusterRoles,
 * Nodes) would file them under a cluster they may have nothing to do with. They stay in the audit
 * report. What the audit could not read for the whole
 * estate bears on every namespace, so it is an `error` result in every report instead: a
 * Kubernetes kind it could not list (INVENTORY-INCOMPLETE "could not inspect networkpolicies"),
 * or the Juju side as a whole (the controllers did not answer: no Juju finding is known).
 */
import type {Finding, NotEvaluated, Severity, Target} from '../findings/types.js'
import {type KubeScope, kubeScope} from '../inventory/kube-scope.js'
import {JUJU_MODEL_LABEL, type KubernetesView} from '../inventory/kubernetes.js'
import {KUBERNETES_LISTS} from '../inventory/kubernetes-kinds.js'
import {type Inventory, type Model, modelKey} from '../inventory/types.js'
import {MANAGED_BY_LABEL, MANAGED_BY_VALUE, MODEL_LABEL} from '../plan/types.js'
import type {Policy} from '../policy/schema.js'
import type {RuleMetadata} from '../rules/rule.js'
import type {AuditReport} from './audit-report.js'
import {formatGuide} from './describe.js'

export const POLICY_REPORT_API_VERSION = 'wgpolicyk8s.io/v1alpha2'
export const POLICY_REPORT_GROUP = 'wgpolicyk8s.io'
export const POLICY_REPORT_PLURAL = 'policyreports'
/** One report per namespace, always this name. */
export const POLICY_REPORT_NAME = 'hardenctl'
export const POLICY_REPORT_SOURCE = 'hardenctl'

export type PolicyResult = 'pass' | 'fail' | 'warn' | 'error' | 'skip'

/** corev1.ObjectReference, with the fields a report uses. */
export interface ObjectReference {
  apiVersion: string
  kind: string
  namespace?: string
  name: string
  uid?: string
}

export interface PolicyReportResult {
  source: string
  policy: string
  category: string
  severity: Severity
  /** metav1.Timestamp. */
  timestamp: {seconds: number; nanos: number}
  result: PolicyResult
  resources?: ObjectReference[]
  message: string
  properties: Record<string, string>
}

export interface PolicyReportSummary {
  pass: number
  fail: number
  warn: number
  error: number
  skip: number
}

export interface PolicyReportObject {
  apiVersion: typeof POLICY_REPORT_API_VERSION
  kind: 'PolicyReport'
  metadata: {name: string; namespace: string; labels: Record<string, string>}
  scope: ObjectReference
  summary: PolicyReportSummary
  results: PolicyReportResult[]
}

export interface PolicyReportInputs {
  report: AuditReport
  inventory: Inventory
  policy: Policy
  /** The rule catalog (for the severity and guide of rules not evaluated). */
  rules: readonly RuleMetadata[]
  /** When the results were found: the audit's clock. */
  now: Date
}

export interface PolicyReportSet {
  /** One per audited namespace of the inventory (Juju model and controller namespaces, the policy's `kubernetes.namespaces`), sorted by namespace. */
  reports: PolicyReportObject[]
  /** Findings that belong to no namespace of this cluster (machine models, controllers hosted elsewhere): in no report. */
  outsideNamespaces: number
}

/** Juju's kinds of target; anything else with a capital letter is a Kubernetes kind. */
const JUJU_KINDS = new Set(['controller', 'model', 'application', 'unit', 'machine', 'offer', 'user', 'charm'])

/** apiVersion of the Kubernetes kinds rules target, for objects the inventory does not hold. */
const API_VERSIONS: Record<string, string> = {
  Namespace: 'v1',
  Pod: 'v1',
  Service: 'v1',
  ServiceAccount: 'v1',
  ConfigMap: 'v1',
  Secret: 'v1',
  PersistentVolumeClaim: 'v1',
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  ReplicaSet: 'apps/v1',
  Job: 'batch/v1',
  CronJob: 'batch/v1',
  Ingress: 'networking.k8s.io/v1',
  NetworkPolicy: 'networking.k8s.io/v1',
  Role: 'rbac.authorization.k8s.io/v1',
  RoleBinding: 'rbac.authorization.k8s.io/v1',
  ClusterRole: 'rbac.authorization.k8s.io/v1',
  ClusterRoleBinding: 'rbac.authorization.k8s.io/v1',
}

const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding'])

/** The rule that turns unreadable parts of the estate into findings (src/rules/inventory-gaps.ts). */
const INVENTORY_INCOMPLETE = 'INVENTORY-INCOMPLETE'

export function buildPolicyReports(inputs: PolicyReportInputs): PolicyReportSet {
  const {report, inventory, policy} = inputs
  const scope = kubeScope(inventory, policy)
  const view = inventory.kubernetes
  // Every audited namespace: Juju model namespaces, the controller namespace and the policy's
  // `kubernetes.namespaces`; with the namespaces listed, only those that exist in this cluster (a
  // caas model may live on another one).
  const listed = inventory.inputs.has('k8s-namespaces')
  const namespaces = scope.namespaces.filter((namespace) => !listed || view.namespaces.has(namespace))
  const namespaceOfModel = new Map<Model, string>()
  for (const namespace of scope.namespaces) {
    const model = scope.modelOf(namespace)
    if (model && !namespaceOfModel.has(model)) namespaceOfModel.set(model, namespace)
  }
  const objects = indexObjects(inventory)
  const timestamp = toTimestamp(inputs.now)
  const rules = new Map(inputs.rules.map((rule) => [rule.id, rule]))

  const results = new Map<string, PolicyReportResult[]>(namespaces.map((namespace) => [namespace, []]))
  const everywhere: PolicyReportResult[] = []
  let outsideNamespaces = 0

  // The controllers running in this cluster, by name: their namespace's model says, else Juju's `controller-NAME`.
  const controllerNamespace = new Map<string, string>()
  for (const namespace of namespaces) {
    if (scope.role(namespace) !== 'controller') continue
    const name = scope.modelOf(namespace)?.controller || (namespace.startsWith('controller-') ? namespace.slice('controller-'.length) : undefined)
    if (name && !controllerNamespace.has(name)) controllerNamespace.set(name, namespace)
  }
  const namespaceOf = (target: Target): string | undefined => {
    if (target.namespace) return target.namespace
    if (target.model === undefined) {
      const controller = target.controller ?? (target.kind === 'controller' ? target.name : undefined)
      return controller === undefined ? undefined : controllerNamespace.get(controller)
    }
    const model = findModel(inventory, target.controller, target.model)
    return model ? (model.namespace ?? namespaceOfModel.get(model)) : undefined
  }

  for (const finding of report.findings) {
    const namespace = namespaceOf(finding.target)
    const inNamespace = namespace === undefined ? undefined : results.get(namespace)
    if (inNamespace) inNamespace.push(findingResult(finding, objects, timestamp))
    else if (isClusterWideGap(finding)) everywhere.push(findingResult(finding, objects, timestamp))
    else outsideNamespaces++
  }
  for (const entry of report.notEvaluated) {
    const rule = rules.get(entry.rule)
    for (const target of entry.targets ?? []) {
      const namespace = namespaceOf(target)
      const inNamespace = namespace === undefined ? undefined : results.get(namespace)
      if (inNamespace && rule) inNamespace.push(notEvaluatedResult(entry, target, rule, objects, timestamp))
    }
  }

  const reports = namespaces.map((namespace): PolicyReportObject => {
    const own = [...(results.get(namespace) ?? []), ...everywhere]
    const modelName = modelLabel(scope, view, namespace)
    return {
      apiVersion: POLICY_REPORT_API_VERSION,
      kind: 'PolicyReport',
      metadata: {
        name: POLICY_REPORT_NAME,
        namespace,
        labels: {[MANAGED_BY_LABEL]: MANAGED_BY_VALUE, ...(modelName === undefined ? {} : {[MODEL_LABEL]: modelName})},
      },
      scope: reference('Namespace', undefined, namespace, objects),
      summary: summarize(own),
      results: own,
    }
  })
  return {reports, outsideNamespaces}
}

/** The Juju model a namespace's report is labelled with; none for a namespace only the policy names. */
function modelLabel(scope: KubeScope, view: KubernetesView, namespace: string): string | undefined {
  const model = scope.modelOf(namespace)
  switch (scope.role(namespace)) {
    case 'controller':
      return model?.name ?? 'controller'
    case 'model':
      return model?.name ?? view.namespaces.get(namespace)?.metadata.labels?.[JUJU_MODEL_LABEL] ?? namespace
    default:
      return undefined
  }
}

function findingResult(finding: Finding, objects: ObjectIndex, timestamp: PolicyReportResult['timestamp']): PolicyReportResult {
  const properties: Record<string, string> = {
    title: finding.title,
    guide: formatGuide(finding.guide),
    guideUrl: finding.guide.url,
    remediation: finding.remediation,
    autoFixable: String(finding.autoFixable),
    ...targetProperties(finding.target),
  }
  if (finding.location) {
    const {file, line, column} = finding.location
    properties.location = line === undefined ? file : `${file}:${line}${column === undefined ? '' : `:${column}`}`
  }
  if (finding.waived) {
    properties.waivedBy = finding.waived.by
    properties.waiverReason = finding.waived.reason
    properties.waiverSource = finding.waived.source
    if (finding.waived.expires !== undefined) properties.waiverExpires = finding.waived.expires
  }
  const result: PolicyResult = finding.waived ? 'skip' : finding.rule === INVENTORY_INCOMPLETE ? 'error' : 'fail'
  return withResources(
    {
      source: POLICY_REPORT_SOURCE,
      policy: finding.rule,
      category: finding.guide.title,
      severity: finding.severity,
      timestamp,
      result,
      message: finding.message,
      properties,
    },
    finding.target,
    objects,
  )
}

function notEvaluatedResult(
  entry: NotEvaluated,
  target: Target,
  rule: RuleMetadata,
  objects: ObjectIndex,
  timestamp: PolicyReportResult['timestamp'],
): PolicyReportResult {
  const properties: Record<string, string> = {
    title: rule.title,
    guide: formatGuide(rule.guide),
    guideUrl: rule.guide.url,
    ...(entry.needs.length > 0 ? {needs: entry.needs.join(', ')} : {}),
    ...targetProperties(target),
  }
  return withResources(
    {
      source: POLICY_REPORT_SOURCE,
      policy: entry.rule,
      category: rule.guide.title,
      severity: rule.severity,
      timestamp,
      result: 'error',
      message: entry.message,
      properties,
    },
    target,
    objects,
  )
}

/** Keys in the order a reader scans them; `resources` only for a Kubernetes object. */
function withResources(result: Omit<PolicyReportResult, 'resources'>, target: Target, objects: ObjectIndex): PolicyReportResult {
  const resource = resourceOf(target, objects)
  if (!resource) return result
  const {message, properties, ...head} = result
  return {...head, resources: [resource], message, properties}
}

/** The Juju side of a target, and what names a target that is neither Juju's nor an object. */
function targetProperties(target: Target): Record<string, string> {
  const properties: Record<string, string> = {}
  if (target.controller) properties['juju.controller'] = target.controller
  if (target.model !== undefined) properties['juju.model'] = target.model
  if (JUJU_KINDS.has(target.kind)) {
    properties[`juju.${target.kind}`] = target.name
  } else if (!isKubernetesObjectKind(target.kind)) {
    properties.target = `${target.kind} ${target.name}`
  }
  return properties
}

function isKubernetesObjectKind(kind: string): boolean {
  return kind === 'namespace' || API_VERSIONS[kind] !== undefined
}

function resourceOf(target: Target, objects: ObjectIndex): ObjectReference | undefined {
  if (target.kind === 'namespace') return reference('Namespace', undefined, target.name, objects)
  if (!isKubernetesObjectKind(target.kind) && !objects.has(objectKey(target.kind, target.namespace, target.name))) return undefined
  return reference(target.kind, CLUSTER_SCOPED.has(target.kind) ? undefined : target.namespace, target.name, objects)
}

function reference(kind: string, namespace: string | undefined, name: string, objects: ObjectIndex): ObjectReference {
  const known = objects.get(objectKey(kind, namespace, name))
  return {
    apiVersion: known?.apiVersion ?? API_VERSIONS[kind] ?? 'v1',
    kind,
    ...(namespace === undefined ? {} : {namespace}),
    name,
    ...(known?.uid === undefined ? {} : {uid: known.uid}),
  }
}

type ObjectIndex = Map<string, {apiVersion: string; uid?: string}>

function objectKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}\u0000${namespace ?? ''}\u0000${name}`
}

/** apiVersion and uid of every Kubernetes object the inventory holds, by kind, namespace and name. */
function indexObjects(inventory: Inventory): ObjectIndex {
  const index: ObjectIndex = new Map()
  const view = inventory.kubernetes
  const add = (object: {apiVersion: string; kind: string; metadata: {name: string; namespace?: string | undefined; uid?: string | undefined}}): void => {
    const key = objectKey(object.kind, object.metadata.namespace, object.metadata.name)
    if (index.has(key)) return
    index.set(key, object.metadata.uid === undefined ? {apiVersion: object.apiVersion} : {apiVersion: object.apiVersion, uid: object.metadata.uid})
  }
  for (const namespace of view.namespaces.values()) add(namespace)
  const lists = [view.pods, view.workloads, view.services, view.ingresses, view.networkPolicies, view.serviceAccounts, view.roles, view.clusterRoles, view.roleBindings, view.clusterRoleBindings]
  for (const list of lists) for (const object of list) add(object)
  return index
}

function findModel(inventory: Inventory, controller: string | undefined, name: string): Model | undefined {
  const exact = inventory.models.get(modelKey(controller ?? '', name))
  if (exact) return exact
  if (controller !== undefined) return undefined
  const candidates = [...inventory.models.values()].filter((model) => model.name === name)
  return candidates.length === 1 ? candidates[0] : undefined
}

/**
 * What the audit could not read for the whole estate bears on every namespace: a Kubernetes kind
 * it could not list (cluster-wide), or the Juju side as a whole (the controllers did not answer).
 */
function isClusterWideGap(finding: Finding): boolean {
  const {target} = finding
  if (finding.rule !== INVENTORY_INCOMPLETE || target.namespace || target.model !== undefined) return false
  return target.kind === 'juju' || KUBERNETES_LISTS.some((list) => list.plural === target.kind)
}

function summarize(results: readonly PolicyReportResult[]): PolicyReportSummary {
  const summary: PolicyReportSummary = {pass: 0, fail: 0, warn: 0, error: 0, skip: 0}
  for (const result of results) summary[result.result]++
  return summary
}

function toTimestamp(now: Date): PolicyReportResult['timestamp'] {
  const ms = now.getTime()
  const seconds = Math.floor(ms / 1000)
  return {seconds, nanos: (ms - seconds * 1000) * 1_000_000}
}
