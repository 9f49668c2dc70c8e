/**
 * NetworkPolicy and Pod Security Admission rules for Juju model namespaces (002 "Harden the
 * applications": applications sit behind a firewall by default; on Kubernetes the namespace has
 * no such firewall until a NetworkPolicy isolates its pods). Controller namespaces are left to
 * JUJU-CONTROLLER-PORTS: a default deny there cuts agents off unless 17070 is allowed first.
 */
import {apiServerBackends} from '../inventory/api-server-backends.js'
import {groupBy} from '../inventory/group-by.js'
import {kubeScope, type KubeScope} from '../inventory/kube-scope.js'
import {type LeftByDesign, modelNamespacesLeftByDesign} from '../plan/left-by-design.js'
import type {KubernetesView} from '../inventory/kubernetes.js'
import {cite} from './guides.js'
import {ingressIsolation, isDefaultDenyIngress, isolatesEveryPod, namespacePolicies, opensEveryPod} from './helpers/network-policy.js'
import {podSubjects, type PodSubject} from './helpers/pod-specs.js'
import {baselineViolations} from './helpers/pod-security.js'
import {subjectEvidence, subjectName, subjectTarget} from './helpers/subject-target.js'
import {annotationsOf, list, namespaceTarget} from './helpers/targets.js'
import type {Rule} from './rule.js'

const APPLICATIONS = cite('juju', 'Harden the applications')

function workloadNamespaces(scope: KubeScope): string[] {
  return scope.namespaces.filter((ns) => scope.role(ns) === 'model' || scope.role(ns) === 'policy')
}

/**
 * The fix for a namespace without a default deny. A Juju model's namespace, which `hardenctl
 * reconcile` manages, gets `hardenctl reconcile -n NS`: it writes the allows the model needs
 * (agents, related applications) before the deny and refuses a plan that closes a path in use,
 * where a deny applied alone by hand would cut that traffic until the allows follow. Any other
 * namespace gets a one-line default-deny policy for `kubectl apply` and what must be allowed before
 * it goes in. Services the API server calls in the namespace (admission webhooks, aggregated APIs)
 * are named: no pod selector admits the API server.
 */
export function defaultDenyCommand(ns: string, juju: boolean, view: Pick<KubernetesView, 'webhookConfigurations' | 'apiServices'>, left?: LeftByDesign): string {
  const manifest = JSON.stringify({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {name: 'default-deny-ingress', namespace: ns},
    spec: {podSelector: {}, policyTypes: ['Ingress']},
  })
  const calls = apiServerBackends(view).filter((backend) => backend.namespace === ns)
  const apiServer =
    calls.length === 0 ? '' : `; the Kubernetes API server (from its nodes' addresses) to ${list([...new Set(calls.map((call) => `Service ${call.service} port ${call.port} (${call.caller})`))])}`
  const first = !juju
    ? `first allow each workload's clients on its ports${apiServer}`
    : left?.why === 'ambient-mesh'
      ? `its pods are in Istio's ambient mesh: first allow TCP 15008 (HBONE) from the meshed pods and waypoints, agents to the modeloperator (TCP 17071)${apiServer}, or leave isolation to the mesh's AuthorizationPolicies; hardenctl reconcile leaves this namespace as it is`
      : left?.why === 'unmodelled-workloads'
        ? `first allow what the model needs (agents to the modeloperator, TCP 17071; traffic between related applications${apiServer}) and the clients of the workloads that are no Juju unit; hardenctl reconcile leaves this namespace as it is unless networkPolicies.unmodelledWorkloads is isolate`
        : undefined
  if (first === undefined) {
    return `hardenctl reconcile -n ${ns}   # with the audit's policy: writes what the model needs (agents to the modeloperator, TCP 17071; traffic between related applications${apiServer}) before the namespace's default deny, and refuses (exit 2) a plan that closes a path in use; --dry-run shows the plan first. A default deny applied alone cuts those paths until the allows follow`
  }
  return `echo '${manifest}' | kubectl apply -f -   # ${first}`
}

export const netNoDefaultDeny: Rule = {
  id: 'NET-NO-DEFAULT-DENY',
  title: 'Model namespace without a default-deny ingress NetworkPolicy',
  severity: 'high',
  profile: 'k8s',
  guide: APPLICATIONS,
  rationale:
    'Kubernetes lets every pod reach every other pod until a NetworkPolicy selects it; there is no cluster-wide default. A policy with `podSelector: {}`, policyType Ingress and no rules isolates every pod of the namespace, so only explicitly allowed traffic gets in: the firewall the guide assumes applications sit behind.',
  remediation:
    'Apply a default-deny policy (`{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: default-deny-ingress}, spec: {podSelector: {}, policyTypes: [Ingress]}}` with `kubectl -n NS apply -f FILE`), then allow the model operator (17071) and related applications explicitly.',
  autoFixable: true,
  needs: [['k8s-networkpolicies']],
  evaluate({inventory, policy, report}) {
    const scope = kubeScope(inventory, policy)
    const leftAlone = modelNamespacesLeftByDesign(inventory, policy)
    for (const ns of workloadNamespaces(scope)) {
      const policies = namespacePolicies(inventory.kubernetes, ns)
      if (policies.some(isDefaultDenyIngress)) continue
      const left = leftAlone.get(ns)
      const model = scope.modelOf(ns)
      const object = scope.namespace(ns)
      const annotations = object ? annotationsOf(object) : undefined
      // A policy selecting every pod with rules isolates the namespace today, but denies nothing by
      // default: widening that one policy opens every pod.
      const isolatingAll = policies.filter(isolatesEveryPod)
      // Policies add up: beside one that admits everyone to every pod, a default deny changes nothing.
      const openAll = policies.filter(opensEveryPod)
      const exposure =
        openAll.length > 0
          ? `${list(openAll.map((p) => p.metadata.name))} admit${openAll.length === 1 ? 's' : ''} every source to every pod on every port, and policies add up: a default deny beside ${openAll.length === 1 ? 'it' : 'them'} would change nothing.`
          : isolatingAll.length > 0
            ? `every pod is isolated by ${list(isolatingAll.map((p) => p.metadata.name))} and admits only what ${isolatingAll.length === 1 ? 'it lists' : 'they list'}, but nothing denies by default: a rule added there applies to every pod.`
            : 'pods accept traffic from anywhere in the cluster unless a policy selects them.'
      // Without the Namespace object (a file of policies alone), the finding points at its first policy.
      const ref = object?.ref ?? policies[0]?.ref
      report({
        target: namespaceTarget(ns, model),
        message: `namespace ${ns}${model ? ` (Juju model ${model.name})` : ''} has no default-deny ingress NetworkPolicy${policies.length > 0 ? ` (policies: ${list(policies.map((p) => p.metadata.name))})` : ''}: ${exposure}`,
        evidence: {networkPolicies: policies.map((p) => p.metadata.name), defaultDeny: false},
        remediation: `${openAll.map((p) => `kubectl -n ${ns} delete networkpolicy ${p.metadata.name} && `).join('')}${defaultDenyCommand(ns, scope.role(ns) === 'model', inventory.kubernetes, left)}`,
        ...(left ? {autoFixable: false} : {}),
        ...(ref ? {ref} : {}),
        ...(annotations ? {annotations} : {}),
      })
    }
  },
}

export const netUnrestrictedPod: Rule = {
  id: 'NET-UNRESTRICTED-POD',
  title: 'Pod not restricted by any ingress NetworkPolicy',
  severity: 'medium',
  profile: 'k8s',
  guide: APPLICATIONS,
  rationale:
    'A pod is isolated for ingress only when an Ingress NetworkPolicy selects it, and policies add up: one rule that admits everything (`ingress: [{}]`) opens the pod to all sources whatever the other policies say.',
  remediation:
    'Select the pods with a NetworkPolicy whose ingress rules name the allowed peers and ports (start from a namespace default deny), and remove allow-all rules (`ingress: [{}]`).',
  autoFixable: true,
  needs: [['k8s-networkpolicies'], ['k8s-pods', 'k8s-workloads']],
  evaluate({inventory, policy, report}) {
    const scope = kubeScope(inventory, policy)
    const namespaces = new Set(workloadNamespaces(scope))
    const leftAlone = modelNamespacesLeftByDesign(inventory, policy)
    for (const subject of podSubjects(inventory, scope)) {
      if (!namespaces.has(subject.namespace)) continue
      const left = leftAlone.get(subject.namespace)
      const isolation = ingressIsolation(inventory.kubernetes, subject.namespace, subject.labels)
      const hostNetwork = subject.spec.hostNetwork === true
      // On the node's network the pod is the node: network plugins do not apply NetworkPolicy to it
      // (Kubernetes docs, "NetworkPolicy and hostNetwork pods"), as the reachability engine says too.
      if (isolation.restricted && !hostNetwork) continue
      const why = isolation.restricted
        ? `it uses hostNetwork, so the policies that select it (${list(isolation.selecting)}) do not restrict it`
        : isolation.selecting.length === 0
          ? 'no ingress NetworkPolicy selects its pods'
          : `policy ${list(isolation.allowAll)} admits traffic from everywhere`
      report({
        target: subjectTarget(subject),
        message: `${subjectName(subject)}: ${why}${hostNetwork && !isolation.restricted ? ' (it also uses hostNetwork, which NetworkPolicy cannot protect)' : ''}.`,
        evidence: {
          ...subjectEvidence(subject),
          labels: subject.labels,
          selectingPolicies: isolation.selecting,
          allowAllPolicies: isolation.allowAll,
          ...(hostNetwork ? {hostNetwork} : {}),
        },
        remediation: hostNetwork
          ? 'NetworkPolicy does not reach a hostNetwork pod: restrict its ports with the node\'s firewall, or run it off the host network if it does not need it'
          : isolation.selecting.length === 0
            ? defaultDenyCommand(subject.namespace, scope.role(subject.namespace) === 'model', inventory.kubernetes, left)
            : `kubectl -n ${subject.namespace} edit networkpolicy ${isolation.allowAll[0] ?? ''}   # replace the allow-all rule with the peers and ports the application needs`,
        // reconcile writes NetworkPolicies, which do not reach a host-network pod.
        ...(left || hostNetwork ? {autoFixable: false} : {}),
        ref: subject.ref,
        ...(subject.annotations ? {annotations: subject.annotations} : {}),
      })
    }
  },
}

const PSA_MODES = ['enforce', 'audit', 'warn'].map((m) => `pod-security.kubernetes.io/${m}`)

export const netNamespacePsa: Rule = {
  id: 'NET-NAMESPACE-PSA',
  title: 'Namespace without Pod Security Admission labels',
  severity: 'low',
  profile: 'k8s',
  guide: APPLICATIONS,
  rationale:
    "Pod Security Admission applies the Kubernetes Pod Security Standards to a namespace only when it is labelled `pod-security.kubernetes.io/enforce|audit|warn`; without them privileged, host-namespace and hostPath pods are admitted silently. This backs the guide's advice to avoid charms that need root.",
  remediation:
    'Label the namespace, e.g. `kubectl label namespace NS pod-security.kubernetes.io/enforce=baseline pod-security.kubernetes.io/warn=restricted pod-security.kubernetes.io/audit=restricted`.',
  autoFixable: true,
  needs: [['k8s-namespaces']],
  evaluate({inventory, policy, report, notEvaluated}) {
    const scope = kubeScope(inventory, policy)
    const podsRead = inventory.inputs.has('k8s-pods') || inventory.inputs.has('k8s-workloads')
    let subjectsByNamespace: Map<string, PodSubject[]> | undefined
    for (const ns of scope.namespaces) {
      const object = scope.namespace(ns)
      const model = scope.modelOf(ns)
      if (!object) {
        notEvaluated(namespaceTarget(ns, model), ['k8s-namespaces'], `namespace ${ns} was not among the namespaces read`)
        continue
      }
      const labels = object.metadata.labels ?? {}
      if (PSA_MODES.some((key) => Object.hasOwn(labels, key))) continue
      const annotations = annotationsOf(object)
      subjectsByNamespace ??= groupBy(podSubjects(inventory, scope), (subject) => subject.namespace)
      report({
        target: namespaceTarget(ns, model),
        message: `namespace ${ns}${model ? ` (Juju model ${model.name})` : ''} has no pod-security.kubernetes.io/enforce, audit or warn label.`,
        evidence: {labels},
        remediation: psaLabelFix(ns, subjectsByNamespace.get(ns) ?? [], podsRead),
        ref: object.ref,
        ...(annotations ? {annotations} : {}),
      })
    }
  },
}

/**
 * Enforcing baseline on a namespace whose pods break it refuses them the next time they are created
 * (a rollout, a restart, a drained node): there the labels that only warn and record come first.
 * With no pods read, the server's dry run says which pods would be refused.
 */
function psaLabelFix(ns: string, subjects: readonly PodSubject[], podsRead: boolean): string {
  const label = (levels: string) => `kubectl label namespace ${ns} ${levels}`
  const enforce = label('pod-security.kubernetes.io/enforce=baseline pod-security.kubernetes.io/warn=restricted pod-security.kubernetes.io/audit=restricted')
  const refused = subjects.map((s) => ({subject: s, violations: baselineViolations(s.spec)})).filter((r) => r.violations.length > 0)
  if (refused.length > 0) {
    const which = list(refused.map((r) => `${r.subject.kind} ${r.subject.name} (${list(r.violations)})`))
    return `${label('pod-security.kubernetes.io/warn=baseline pod-security.kubernetes.io/audit=baseline')}   # enforce=baseline would refuse the pods of ${which} when they are next created: change or move those first, then add pod-security.kubernetes.io/enforce=baseline`
  }
  if (podsRead) return enforce
  return `${enforce}   # no pods of ${ns} were read: first \`kubectl label --dry-run=server --overwrite namespace ${ns} pod-security.kubernetes.io/enforce=baseline\` warns about any running pod that baseline would refuse`
}

export const NETWORK_RULES: Rule[] = [netNoDefaultDeny, netUnrestrictedPod, netNamespacePsa]
