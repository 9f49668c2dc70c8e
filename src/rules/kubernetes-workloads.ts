/**
 * Kubernetes rules on what Juju creates (002 "Harden the applications", applied to pods, RBAC and
 * Services in Juju model namespaces, controller namespaces and `policy.kubernetes.namespaces`).
 */
import type {Target} from '../findings/types.js'
import {kubeScope} from '../inventory/kube-scope.js'
import {gatewayOfProxyPod, plaintextRoutes, routeNamespaces} from '../inventory/gateway-api.js'
import {APP_NAME_LABEL, hasIngressControllerLabels, type KubernetesView, type KubeRole, type KubeRoleBinding, type KubeService, type KubeWorkload} from '../inventory/kubernetes.js'
import type {Application, Inventory, Model} from '../inventory/types.js'
import {appCandidates} from '../policy/candidates.js'
import {cidrWithinAny} from '../policy/cidr.js'
import {allowedCidrs} from '../policy/exposure.js'
import {cite} from './guides.js'
import {certificatesFix} from './helpers/certificate-providers.js'
import {charmName, CHARMS, isCharmIn} from './helpers/charms.js'
import {trustNeededBecause} from './helpers/known-charms.js'
import {isSunbeamModel} from './helpers/products.js'
import {anyGlobMatches, matchingKeys} from './helpers/glob.js'
import {INGRESS_INTERFACES, OBSERVABILITY_INTERFACES} from './helpers/interfaces.js'
import {describeService, isExternalService, serviceSources, SOURCE_RANGES_ANNOTATION} from '../policy/kube-exposure.js'
import {managingApp} from './helpers/charm-managed.js'
import {plaintextRouteFix} from './helpers/gateway-routes.js'
import {jujuOwnPod} from './helpers/juju-own-pods.js'
import {keepsPodsClosed, serviceClosedToOutsideBy} from './helpers/network-policy.js'
import {containerHostPorts, containersOf, type HostPort, podSubjects, type PodSubject, podWaiver} from './helpers/pod-specs.js'
import {charmedKubernetesIngress} from './helpers/charmed-kubernetes.js'
import {
  boundServiceAccountGroups,
  boundServiceAccounts,
  isClusterAdminRef,
  isJujuAppBinding,
  isWildcardRole,
  JUJU_CREATED_BY_LABEL,
  resolveRoleRef,
} from './helpers/rbac.js'
import {relationsOf, tlsRelations} from './helpers/relations.js'
import {nodeAgentFix} from './helpers/node-agents.js'
import {JUJU_UNSET_ESCALATION, jujuUnsetEscalationFix, privilegeRemediation, type PrivilegedContainer} from './helpers/privilege-fix.js'
import {type RootContainer, rootContainers, runAsRootRemediation} from './helpers/run-as-root-fix.js'
import {jujuManagedNote, subjectEvidence, subjectName, subjectTarget} from './helpers/subject-target.js'
import {annotationsOf, appModelArg, applications, appTarget, kubeTarget, list, namespaceTarget} from './helpers/targets.js'
import type {Rule} from './rule.js'

const APPLICATIONS = cite('juju', 'Harden the applications')

/** Capabilities a container may add without widening its reach much. */
const HARMLESS_CAPABILITIES = new Set(['NET_BIND_SERVICE'])

export const k8sPrivileged: Rule = {
  id: 'K8S-PRIVILEGED',
  title: 'Privileged container or privilege escalation allowed',
  severity: 'high',
  profile: 'k8s',
  guide: APPLICATIONS,
  rationale:
    'A privileged container, or one with added capabilities such as SYS_ADMIN or NET_ADMIN, has most of the power of root on the node; allowPrivilegeEscalation left unset lets setuid binaries gain more privileges than the process started with. The guide asks for charms that do not need root.',
  remediation:
    'Set `securityContext: {privileged: false, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}` on the container (for Juju applications this comes from the charm and Juju: use a charm that does not need it).',
  autoFixable: false,
  needs: [['k8s-pods', 'k8s-workloads']],
  evaluate({inventory, policy, report}) {
    const scope = kubeScope(inventory, policy)
    for (const subject of podSubjects(inventory, scope)) {
      const containers: Record<string, unknown>[] = []
      const toFix: PrivilegedContainer[] = []
      let high = false
      for (const {container, init} of containersOf(subject.spec)) {
        const sc = container.securityContext
        const capabilities = sc?.capabilities?.add ?? []
        const isHarmless = (c: string) => HARMLESS_CAPABILITIES.has(c.toUpperCase().replace(/^CAP_/, ''))
        const added = capabilities.map((c) => c.toUpperCase().replace(/^CAP_/, '')).filter((c) => !HARMLESS_CAPABILITIES.has(c))
        const privileged = sc?.privileged === true
        const escalation = sc?.allowPrivilegeEscalation
        if (!privileged && added.length === 0 && escalation === false) continue
        if (privileged || added.length > 0 || escalation === true) high = true
        toFix.push({name: container.name, init, privileged, escalation: escalation !== false, added, keptCapabilities: capabilities.filter(isHarmless)})
        containers.push({
          name: container.name,
          ...(init ? {init: true} : {}),
          privileged: sc?.privileged ?? null,
          allowPrivilegeEscalation: escalation ?? null,
          addedCapabilities: added,
        })
      }
      if (containers.length === 0) continue
      const juju = jujuOwnPod(subject, scope)
      const issues = containers.map((c) => {
        const parts: string[] = []
        if (c.privileged === true) parts.push('privileged')
        if ((c.addedCapabilities as string[]).length > 0) parts.push(`adds ${(c.addedCapabilities as string[]).join(', ')}`)
        if (c.allowPrivilegeEscalation === true) parts.push('allowPrivilegeEscalation: true')
        else if (c.allowPrivilegeEscalation === null) parts.push('allowPrivilegeEscalation not set to false')
        return `${String(c.name)} (${parts.join(', ')})`
      })
      // A podspec (v1) charm writes its own pod spec, so only a sidecar charm's pod (Juju's `charm` container) is Juju's doing.
      const jujuDefaultOnly = subject.app !== undefined && !high && (subject.spec.containers ?? []).some((c) => c.name === 'charm')
      report({
        target: subjectTarget(subject),
        severity: high ? 'high' : 'medium',
        message: `${subjectName(subject)}: ${issues.join('; ')}.${jujuDefaultOnly ? ` ${JUJU_UNSET_ESCALATION}` : ''}`,
        evidence: {...subjectEvidence(subject), containers},
        remediation: jujuDefaultOnly
          ? jujuUnsetEscalationFix(subject)
          : subject.app
          ? `${k8sPrivileged.remediation}${jujuManagedNote(subject)}`
          : (nodeAgentFix(k8sPrivileged.id, subject) ??
            charmAppliedPrivilegeFix(subject) ??
            privilegeRemediation(subject, toFix, juju ? `${juju} is Juju's own: Juju may undo the change when it upgrades the model` : undefined)),
        ref: subject.ref,
        ...(subject.annotations ? {annotations: subject.annotations} : {}),
      })
    }
  },
}

export const k8sHostAccess: Rule = {
  id: 'K8S-HOST-ACCESS',
  title: 'Pod shares host namespaces, mounts host paths or binds host ports',
  severity: 'high',
  profile: 'k8s',
  guide: APPLICATIONS,
  rationale:
    'hostNetwork, hostPID and hostIPC put the pod in the node\'s own namespaces (hostNetwork pods also escape NetworkPolicy); a hostPath volume exposes the node\'s filesystem. Any of them turns a compromised workload into a compromised node. A hostPort binds the node\'s own port to the pod: it is reachable at the address of every node it runs on, around any Service, and whether NetworkPolicies cover it depends on the CNI. Pod Security Standards\' baseline level disallows all four.',
  remediation: 'Remove `hostNetwork`, `hostPID`, `hostIPC`, `hostPath` volumes and `hostPort`s from the pod spec, and reach the pod through a Service (for Juju applications: use a charm that does not need them).',
  autoFixable: false,
  needs: [['k8s-pods', 'k8s-workloads']],
  evaluate({inventory, policy, report}) {
    for (const subject of podSubjects(inventory, kubeScope(inventory, policy))) {
      const spec = subject.spec
      const flags = (['hostNetwork', 'hostPID', 'hostIPC'] as const).filter((f) => spec[f] === true)
      const hostPaths = (spec.volumes ?? []).filter((v) => v.hostPath).map((v) => ({volume: v.name, path: v.hostPath?.path}))
      // On the host network every port is the node's: hostNetwork says it already.
      const hostPorts = spec.hostNetwork === true ? [] : containerHostPorts(spec)
      if (flags.length === 0 && hostPaths.length === 0 && hostPorts.length === 0) continue
      const what = [...flags, ...hostPaths.map((h) => `hostPath ${h.path ?? ''} (volume ${h.volume})`), ...(hostPorts.length > 0 ? [`hostPort ${list(hostPorts.map((p) => String(p.hostPort)))}`] : [])]
      const waiverFix = nodeAgentFix(k8sHostAccess.id, subject) ?? (hostPaths.length === 0 ? ingressHostPortsFix(subject, flags, hostPorts) : undefined)
      report({
        target: subjectTarget(subject),
        message: `${subjectName(subject)} uses ${list(what)}.`,
        evidence: {...subjectEvidence(subject), ...Object.fromEntries(flags.map((f) => [f, true])), hostPathVolumes: hostPaths, ...(hostPorts.length > 0 ? {hostPorts} : {})},
        ...(subject.app
          ? {remediation: `${k8sHostAccess.remediation}${jujuManagedNote(subject)}`}
          : waiverFix
            ? {remediation: waiverFix}
            : {}),
        ref: subject.ref,
        ...(subject.annotations ? {annotations: subject.annotations} : {}),
      })
    }
  },
}

/**
 * An ingress controller that takes the node's ports itself (ingress-nginx for kind and bare metal,
 * MicroK8s's ingress add-on with hostPorts; Charmed Kubernetes's and bare-metal charts' on the host
 * network) is reached there by every client: dropping them cuts them all off.
 */
function ingressHostPortsFix(subject: PodSubject, flags: readonly string[], hostPorts: HostPort[]): string | undefined {
  if (!hasIngressControllerLabels(subject.labels)) return undefined
  const onHostNetwork = flags.length === 1 && flags[0] === 'hostNetwork'
  if (flags.length > 0 && !onHostNetwork) return undefined
  // On the host network the container ports are the node's.
  const ports = onHostNetwork ? containerPorts(subject) : hostPorts.map((p) => p.hostPort)
  if (ports.length === 0) return undefined
  const waiver = podWaiver(k8sHostAccess.id, subject, `the ingress controller is reached on the nodes' ports`)
  const at = `its clients reach it at the nodes' ports ${list(ports.map(String))}`
  const charmed = charmedKubernetesIngress(subject)
  if (charmed) {
    return `${subject.name} is the ingress controller on the host network: ${at}, so taking it off the host network cuts every client off, and ${charmed.appliedBy}, so an edit does not last. Keep it and waive the finding (waivers: [${waiver}]), or ${charmed.switchOff}.`
  }
  if (onHostNetwork) {
    return `${subject.name} is the ingress controller on the host network: ${at}, so taking it off the host network cuts every client off. Keep it and waive the finding (waivers: [${waiver}]), or put a LoadBalancer Service in front of it first and then drop hostNetwork.`
  }
  return `${subject.name} is the ingress controller and ${at}: removing them cuts every client off. Keep them and waive the finding (waivers: [${waiver}]), or put a LoadBalancer Service in front of it first and then drop the hostPorts; a hostPort no client needs (health, metrics) can go now.`
}

function containerPorts(subject: PodSubject): number[] {
  const ports = containersOf(subject.spec).flatMap(({container}) => (container.ports ?? []).map((port) => port.containerPort))
  return [...new Set(ports)].sort((a, b) => a - b)
}

/** Charmed Kubernetes's ingress DaemonSet: a patch lasts until the charm's next hook, and no option of the charm sets these fields. */
function charmAppliedPrivilegeFix(subject: PodSubject): string | undefined {
  const charmed = charmedKubernetesIngress(subject)
  if (!charmed) return undefined
  const waiver = podWaiver(k8sPrivileged.id, subject, 'the kubernetes-worker charm writes this DaemonSet')
  return `${charmed.appliedBy}, so a patch does not last, and no option of the charm sets these fields: waive the finding in hardenctl.yaml (waivers: [${waiver}]) and ask for the setting upstream, or ${charmed.switchOff}.`
}

function findWorkload(view: KubernetesView, subject: PodSubject): KubeWorkload | undefined {
  return view.workloads.find((w) => w.kind === subject.kind && w.metadata.namespace === subject.namespace && w.metadata.name === subject.name)
}

export const k8sRunAsRoot: Rule = {
  id: 'K8S-RUN-AS-ROOT',
  title: 'Container of a non-Juju workload may run as root',
  severity: 'high',
  profile: 'k8s',
  guide: APPLICATIONS,
  rationale:
    "A container without `runAsNonRoot: true` or a non-zero `runAsUser` (on the container or the pod) runs as whatever user its image names, root for most images, and `runAsUser: 0` asks for root outright: a compromise of the workload is then root inside the pod, one step from the node. The guide asks for workloads that do not need root (charm `containers.<c>.uid`/`gid` not 0); this judges the pods in audited namespaces that are not Juju applications (JUJU-ROOT-CONTAINER judges those): the namespaces in the policy's `kubernetes.namespaces`, and workloads applied by hand in model namespaces. Juju's own model operator and controller pods are not judged: Juju creates and reconciles them, and no setting changes their user.",
  remediation:
    "Set `runAsNonRoot: true` in the pod's securityContext (and drop `runAsUser: 0`), e.g. `kubectl -n NS patch deployment NAME -p '{\"spec\":{\"template\":{\"spec\":{\"securityContext\":{\"runAsNonRoot\":true}}}}}'`; if the image's USER is root, also set `runAsUser` to a uid the image supports.",
  autoFixable: false,
  needs: [['k8s-pods', 'k8s-workloads']],
  evaluate({inventory, policy, report}) {
    const scope = kubeScope(inventory, policy)
    for (const subject of podSubjects(inventory, scope)) {
      if (subject.app || jujuOwnPod(subject, scope)) continue
      const roots = rootContainers(subject.spec)
      if (roots.length === 0) continue
      const explicit = roots.some((r) => r.explicit)
      const describe = (r: RootContainer) =>
        `${r.init ? 'init container' : 'container'} ${r.name} ${r.explicit ? 'runs as root (runAsUser is 0)' : 'may run as root (no runAsUser and no runAsNonRoot: the image\'s USER decides)'}`
      // A workload a charm created for itself (lightkube's app.juju.is/created-by): the charm re-applies it.
      const model = scope.modelOf(subject.namespace)
      const object = subject.from === 'workload' ? findWorkload(inventory.kubernetes, subject) : undefined
      const creator = model && object ? managingApp(object, model) : undefined
      report({
        target: subjectTarget(subject),
        severity: explicit ? 'high' : 'medium',
        message: `${subjectName(subject)}${creator ? ` (created by the charm of Juju application ${creator.name})` : ''}: ${roots.map(describe).join('; ')}.`,
        evidence: {
          ...subjectEvidence(subject),
          ...(creator ? {createdBy: creator.name} : {}),
          containers: roots.map((r) => ({name: r.name, ...(r.init ? {init: true} : {}), runAsUser: r.runAsUser, runAsNonRoot: r.runAsNonRoot})),
        },
        remediation: creator
          ? `The charm of ${creator.name} creates ${subject.kind} ${subject.namespace}/${subject.name} and re-applies it, so a kubectl patch does not last: use a charm revision or option that runs it with runAsNonRoot, or audit the charm.`
          : (nodeAgentFix(k8sRunAsRoot.id, subject) ?? runAsRootRemediation(subject)),
        ref: subject.ref,
        ...(subject.annotations ? {annotations: subject.annotations} : {}),
      })
    }
  },
}

interface Grant {
  binding: KubeRoleBinding
  role: string
  reason: string
}

function deleteCommand(b: KubeRoleBinding): string {
  return b.kind === 'ClusterRoleBinding' ? `kubectl delete clusterrolebinding ${b.metadata.name}` : `kubectl -n ${b.metadata.namespace ?? 'NAMESPACE'} delete rolebinding ${b.metadata.name}`
}

/**
 * What to do before deleting a binding, so the workload keeps what it needs: bind a role listing only
 * what it uses, a ClusterRole where it works cluster-wide (a controller such as Argo CD's), first.
 */
function leastPrivilegeFirst(grants: Grant[]): string {
  const cluster = grants.some((g) => g.binding.kind === 'ClusterRoleBinding')
  return `first bind ${cluster ? 'a ClusterRole (it works cluster-wide)' : 'a Role'} listing only the API groups, resources and verbs the workload uses; deleting ${grants.length === 1 ? 'this binding' : 'these bindings'} before that stops whatever it does with the rest`
}

/** Bindings a charm made for itself (label app.juju.is/created-by): deleting them may not last. */
function charmCreatedNote(grants: Grant[]): string {
  const created = grants.filter((g) => g.binding.metadata.labels?.[JUJU_CREATED_BY_LABEL] !== undefined)
  if (created.length === 0) return ''
  const by = [...new Set(created.map((g) => g.binding.metadata.labels?.[JUJU_CREATED_BY_LABEL] ?? ''))]
  return `; ${list(created.map((g) => g.binding.metadata.name))} ${created.length === 1 ? 'was' : 'were'} created by the charm of ${list(by)}, which may create ${created.length === 1 ? 'it' : 'them'} again: prefer a charm revision or configuration that needs less`
}

/**
 * For the bindings Juju made for a trusted application: remove trust, which makes Juju rewrite
 * Role APP and ClusterRole MODEL-APP back to its narrow defaults. Deleting the bindings would
 * break the unit agent and Juju would not expect it. `--scope=cluster` is only needed to grant
 * trust on Kubernetes, not to remove it (cmd/juju/application/trust.go in juju/juju).
 */
function trustRemediation(app: Application, shown: Grant[], fromJuju: Grant[]): string {
  const others = shown.filter((g) => !fromJuju.includes(g))
  const needed = trustNeededBecause(app)
  if (needed && others.length === 0) {
    // Its documentation asks for --trust: removing it would break the charm (see JUJU-TRUST).
    return (
      `audit ${app.name} and add "${app.model}/${app.name}" to trust.allow in hardenctl.yaml: ${charmName(app)} needs --trust (${needed}), so ` +
      `\`juju trust -m ${appModelArg(app)} ${app.name} --remove\`, which would restore Juju's narrow defaults for ${list(fromJuju.map((g) => `${g.binding.kind} ${g.binding.metadata.name}`))}, would break it. Do not delete Juju's bindings: Juju owns them and the unit agent needs them`
    )
  }
  const commands = [`juju trust -m ${appModelArg(app)} ${app.name} --remove`, ...others.map((g) => deleteCommand(g.binding))]
  const why =
    `Juju created ${list(fromJuju.map((g) => `${g.binding.kind} ${g.binding.metadata.name}`))} for ${app.name} and made ${fromJuju.length === 1 ? 'its role' : 'their roles'} * on * because the application is trusted; ` +
    "removing trust restores Juju's narrow defaults. Do not delete Juju's bindings: Juju owns them and the unit agent needs them. " +
    `If the charm needs cluster access (its documentation asks for --trust), audit what it does with it and add "${app.model}/${app.name}" to trust.allow in hardenctl.yaml` +
    (others.length > 0 ? `; the other binding${others.length === 1 ? '' : 's'} Juju did not create: ${leastPrivilegeFirst(others)}` : '')
  return `${commands.join('; ')}   # ${why}${charmCreatedNote(others)}`
}

/** `; they are Juju's own bindings, made * on * by juju trust`, or which of them are. */
function jujuBindingsNote(shown: Grant[], fromJuju: Grant[]): string {
  if (fromJuju.length === 0) return ''
  const which =
    fromJuju.length === shown.length
      ? fromJuju.length === 1
        ? "it is Juju's own binding"
        : "they are Juju's own bindings"
      : `${list(fromJuju.map((g) => `${g.binding.kind} ${g.binding.metadata.name}`))} ${fromJuju.length === 1 ? 'is' : 'are'} Juju's own`
  return `; ${which}, made * on * by juju trust`
}

export const k8sServiceAccountOverprivileged: Rule = {
  id: 'K8S-SA-OVERPRIVILEGED',
  title: 'ServiceAccount bound to cluster-admin or a wildcard role',
  severity: 'critical',
  profile: 'k8s',
  guide: APPLICATIONS,
  rationale:
    'Every pod using the ServiceAccount can read its token and act with the bound role; cluster-admin or a `*` on `*` role means full control of the cluster from one compromised workload. The guide says to choose charms that do not need such access, and to audit those that do.',
  remediation:
    'Delete the binding (`kubectl delete clusterrolebinding NAME` / `kubectl -n NS delete rolebinding NAME`) and bind a role listing only the verbs and resources the workload needs. For the bindings Juju creates for a trusted application (RoleBinding APP, ClusterRoleBinding MODEL-APP), remove trust instead: `juju trust -m MODEL APP --remove`.',
  autoFixable: false,
  needs: [['k8s-rbac']],
  evaluate({inventory, policy, report}) {
    const view = inventory.kubernetes
    const scope = kubeScope(inventory, policy)
    const grants = new Map<string, {namespace: string; name: string; grants: Grant[]}>()
    const groupGrants = new Map<string, Grant[]>()

    const privilegeOf = (binding: KubeRoleBinding): {role: string; reason: string} | undefined => {
      if (isClusterAdminRef(binding)) return {role: 'ClusterRole cluster-admin', reason: 'cluster-admin'}
      const role: KubeRole | undefined = resolveRoleRef(view, binding)
      if (role && isWildcardRole(role)) return {role: `${binding.roleRef.kind} ${role.metadata.name}`, reason: 'grants * on * in every API group'}
      return undefined
    }

    for (const binding of [...view.roleBindings, ...view.clusterRoleBindings]) {
      const privilege = privilegeOf(binding)
      if (!privilege) continue
      for (const sa of boundServiceAccounts(binding)) {
        if (!scope.isScoped(sa.namespace)) continue
        const key = `${sa.namespace}/${sa.name}`
        const entry = grants.get(key) ?? {namespace: sa.namespace, name: sa.name, grants: []}
        entry.grants.push({binding, ...privilege})
        grants.set(key, entry)
      }
      for (const ns of boundServiceAccountGroups(binding)) {
        if (ns !== '*' && !scope.isScoped(ns)) continue
        const list = groupGrants.get(ns) ?? []
        list.push({binding, ...privilege})
        groupGrants.set(ns, list)
      }
    }

    const describeGrants = (g: Grant[]) => g.map((x) => `${x.binding.kind} ${x.binding.metadata.namespace ? `${x.binding.metadata.namespace}/` : ''}${x.binding.metadata.name} → ${x.role}${x.reason === 'cluster-admin' ? '' : ` (${x.reason})`}`)
    const subjects = podSubjects(inventory, scope)
    for (const entry of grants.values()) {
      const model = scope.modelOf(entry.namespace)
      const app = model?.applications.get(entry.name)
      const jujuGrants = app && model ? entry.grants.filter((g) => isJujuAppBinding(g.binding, model.name, app.name, entry.namespace)) : []
      // Trust allowed by the policy: what `juju trust` grants is accepted; other bindings are not.
      const trustAllowed = app !== undefined && jujuGrants.length > 0 && anyGlobMatches(policy.trust.allow, appCandidates(app))
      const shown = trustAllowed ? entry.grants.filter((g) => !jujuGrants.includes(g)) : entry.grants
      if (shown.length === 0) continue
      const sa = view.serviceAccounts.find((s) => s.metadata.namespace === entry.namespace && s.metadata.name === entry.name)
      const usedBy = subjects
        .filter((s) => s.namespace === entry.namespace && (s.spec.serviceAccountName ?? 'default') === entry.name)
        .map((s) => `${s.kind}/${s.name}`)
      const target: Target = app && model ? appTarget(app, model) : kubeTarget({kind: 'ServiceAccount', metadata: {name: entry.name, namespace: entry.namespace}}, model)
      const annotations = sa ? annotationsOf(sa) : undefined
      const fromJuju = shown.filter((g) => jujuGrants.includes(g))
      report({
        target,
        message: `ServiceAccount ${entry.namespace}/${entry.name}${app ? ` of Juju application ${app.name}` : ''} is bound to ${list(describeGrants(shown))}${jujuBindingsNote(shown, fromJuju)}.`,
        evidence: {
          serviceAccount: `${entry.namespace}/${entry.name}`,
          bindings: describeGrants(shown),
          ...(fromJuju.length > 0 ? {jujuManagedBindings: fromJuju.map((g) => `${g.binding.kind} ${g.binding.metadata.name}`)} : {}),
          usedBy,
        },
        remediation: app && fromJuju.length > 0 ? trustRemediation(app, shown, fromJuju) : `${shown.map((g) => deleteCommand(g.binding)).join('; ')}   # ${leastPrivilegeFirst(shown)}${charmCreatedNote(shown)}`,
        ref: shown[0]?.binding.ref ?? sa?.ref,
        ...(annotations ? {annotations} : {}),
      })
    }
    for (const [ns, list2] of groupGrants) {
      const target: Target = ns === '*' ? {kind: 'Group', name: 'system:serviceaccounts'} : namespaceTarget(ns, scope.modelOf(ns))
      report({
        target,
        message: `${ns === '*' ? 'every ServiceAccount in the cluster' : `every ServiceAccount in namespace ${ns}`} is bound to ${list(describeGrants(list2))}.`,
        evidence: {group: ns === '*' ? 'system:serviceaccounts' : `system:serviceaccounts:${ns}`, bindings: describeGrants(list2)},
        remediation: list2.map((g) => deleteCommand(g.binding)).join('; '),
        ref: list2[0]?.binding.ref,
      })
    }
  },
}

/**
 * Commands the API server accepts for this Service: `loadBalancerSourceRanges` (field or legacy
 * annotation) is forbidden unless the type is LoadBalancer, so a NodePort becomes ClusterIP, a
 * LoadBalancer is restricted to the allowed CIDRs when the policy names some (else made ClusterIP,
 * its source ranges dropped), and externalIPs are removed.
 */
function serviceRemediation(service: KubeService, allowed: readonly string[], allowKey: string, app: Application | undefined, model: Model | undefined): string {
  const {namespace, name} = service.metadata
  const gateway = owningGateway(service)
  if (gateway) return gatewayServiceRemediation(service, gateway, allowed, allowKey)
  const type = service.spec.type ?? 'ClusterIP'
  const commands: string[] = []
  // An ingress controller's (or a front-door charm's) Service is how clients reach the cluster: narrow it, do not close it.
  const frontDoor = isFrontDoorService(service, app)
  // So is one in front of the Juju controller's API, for the juju CLI and the agents of other clouds.
  const controllerApi = isControllerApiService(service)
  // So is an offered application's, while its offer has consumers: they may be in other clouds (Sunbeam's hypervisors reach rabbitmq and ovn-relay this way).
  const offers = consumedOffers(model, app)
  const restrict = type === 'LoadBalancer' && (allowed.length > 0 || frontDoor || controllerApi || offers.length > 0)
  if (restrict) {
    commands.push(`kubectl -n ${namespace} patch service ${name} -p '${JSON.stringify({spec: {loadBalancerSourceRanges: allowed.length > 0 ? allowed : ['ADMIN-CIDRS']}})}'`)
  } else if (type === 'LoadBalancer' || type === 'NodePort') {
    const spec: Record<string, unknown> = {type: 'ClusterIP'}
    if ((service.spec.loadBalancerSourceRanges ?? []).length > 0) spec.loadBalancerSourceRanges = null
    const body: Record<string, unknown> = {spec}
    if (service.metadata.annotations?.[SOURCE_RANGES_ANNOTATION] !== undefined) body.metadata = {annotations: {[SOURCE_RANGES_ANNOTATION]: null}}
    commands.push(`kubectl -n ${namespace} patch service ${name} -p '${JSON.stringify(body)}'`)
  }
  if ((service.spec.externalIPs ?? []).length > 0) {
    commands.push(`kubectl -n ${namespace} patch service ${name} --type=json -p '[{"op":"remove","path":"/spec/externalIPs"}]'`)
  }
  const alternatives = [
    // A NodePort has no source ranges to narrow: ClusterIP is the end state, once clients come in another way.
    ...(frontDoor && type === 'NodePort'
      ? [`only once clients reach the ingress controller another way (its hostPorts, a LoadBalancer): ${name} is how they reach the cluster's Ingresses at every node's ports, and ClusterIP cuts them off`]
      : []),
    ...(frontDoor && restrict && allowed.length === 0
      ? [`${name} is how clients reach the cluster's Ingresses: put the networks clients come from, not only the admins', in loadBalancerSourceRanges; making it ClusterIP would cut every client off`]
      : []),
    ...(controllerApi && restrict && allowed.length === 0
      ? [`${name} is how the juju CLI and agents outside the cluster reach the Juju controller's API (${JUJU_API_PORT}): put their networks in loadBalancerSourceRanges; making it ClusterIP would cut them off`]
      : []),
    ...(!frontDoor && offers.length > 0 && allowed.length === 0
      ? [`the consumers of offer ${list(offers)} may reach ${app!.name} through this LoadBalancer, from other models and clouds: put their networks in loadBalancerSourceRanges; making it ClusterIP would cut them off`]
      : []),
    ...(type === 'LoadBalancer' && !restrict ? ['or keep it a LoadBalancer and set spec.loadBalancerSourceRanges to the client CIDRs'] : []),
    // Narrowed to networks the policy does not name yet, it is still reachable from beyond any allowlist: the audit cannot tell them from anyone's.
    restrict && allowed.length === 0
      ? `then list the same networks under exposure.allow["${allowKey}"] in hardenctl.yaml, which is what tells the audit they are the allowed ones`
      : `or allow it under exposure.allow["${allowKey}"] in hardenctl.yaml`,
  ]
  const charm = app ? ` (the charm of ${app.name} may manage this Service: prefer its own config, e.g. loadbalancer source ranges)` : ''
  return `${commands.join('; ')}   # ${alternatives.join('; ')}${charm}`
}

/**
 * The Gateway (`namespace/name`) a Service was made for: Cilium's controller labels
 * `cilium-gateway-NAME` with io.cilium.gateway/owning-gateway, Istio's with
 * gateway.networking.k8s.io/gateway-name, Envoy Gateway's with its owning-gateway name and
 * namespace (gatewayOfProxyPod), and Cilium and Istio own it (ownerReferences).
 */
function owningGateway(service: KubeService): string | undefined {
  const labels = service.metadata.labels ?? {}
  const namespace = service.metadata.namespace ?? 'default'
  const byLabels = gatewayOfProxyPod(namespace, labels)
  if (byLabels) return byLabels
  const name = labels['io.cilium.gateway/owning-gateway'] ?? service.metadata.ownerReferences?.find((owner) => owner.kind === 'Gateway')?.name
  return name === undefined ? undefined : `${namespace}/${name}`
}

/**
 * A Gateway's LoadBalancer is how every client it routes reaches it, and its controller makes and
 * rewrites it: Cilium's removes edits (cilium/cilium issue 25357) and takes no source ranges from the
 * Gateway (issue 32488). Narrowing goes where the Gateway's implementation takes it.
 */
function gatewayServiceRemediation(service: KubeService, gateway: string, allowed: readonly string[], allowKey: string): string {
  const {name} = service.metadata
  const cidrs = allowed.length > 0 ? allowed.join(',') : 'ADMIN-CIDRS'
  return `${name} is the LoadBalancer of Gateway ${gateway}: the Gateway's controller makes it and rewrites it, so a patch of the Service does not last, and making it ClusterIP would cut off every client the Gateway routes. If the Gateway is meant to be reached from there, allow it under exposure.allow["${allowKey}"] in hardenctl.yaml; to narrow who reaches it, narrow the Gateway's implementation (Cilium: a CiliumClusterwideNetworkPolicy selecting the reserved:ingress identity with fromCIDRSet ${cidrs}, which narrows every route Cilium serves)`
}

/** The application's offers that have consumers (`juju status` counts them, `juju offers` names them). */
function consumedOffers(model: Model | undefined, app: Application | undefined): string[] {
  if (!model || !app) return []
  return model.offers.filter((offer) => offer.application === app.name && ((offer.connectedCount ?? 0) > 0 || (offer.connections?.length ?? 0) > 0)).map((offer) => offer.name)
}

const JUJU_API_PORT = 17070

/** A Service in front of the Juju controller's pods on its API port (`app.kubernetes.io/name: controller`, 17070: the one juju/juju issue 23139 wrote by hand). */
function isControllerApiService(service: KubeService): boolean {
  if (service.spec.selector?.[APP_NAME_LABEL] !== 'controller') return false
  return (service.spec.ports ?? []).some((port) => port.port === JUJU_API_PORT || port.targetPort === JUJU_API_PORT)
}

/**
 * A Service in front of a known ingress controller's pods, of a front-door charm (traefik-k8s,
 * nginx-ingress-integrator, ...), or of Cilium's ingress, which selects no pods: the chart labels its
 * `cilium-ingress` Service `cilium.io/ingress: "true"` (cilium/templates/cilium-ingress-service.yaml).
 */
function isFrontDoorService(service: KubeService, app: Application | undefined): boolean {
  if (app && isCharmIn(app, CHARMS.frontDoors)) return true
  return hasIngressControllerLabels(service.spec.selector) || service.metadata.labels?.['cilium.io/ingress'] === 'true'
}

export const k8sLoadBalancer: Rule = {
  id: 'K8S-LOADBALANCER',
  title: 'Service reachable from outside the cluster, not on the allowlist',
  severity: 'high',
  profile: 'k8s',
  guide: APPLICATIONS,
  rationale:
    '`juju expose` does nothing for Kubernetes charms: a LoadBalancer or NodePort Service, or one with externalIPs, is what makes a workload reachable from outside. The guide says to expose endpoints only as needed.',
  remediation:
    'Make the Service internal (`kubectl -n NS patch service NAME -p \'{"spec":{"type":"ClusterIP"}}\'`), restrict `loadBalancerSourceRanges`, or list the application and its CIDRs under `exposure.allow` in hardenctl.yaml.',
  autoFixable: false,
  needs: [['k8s-services']],
  evaluate({inventory, policy, report}) {
    const scope = kubeScope(inventory, policy)
    for (const service of inventory.kubernetes.services) {
      const namespace = service.metadata.namespace
      if (!scope.isScoped(namespace) || scope.isController(namespace)) continue // controllers: JUJU-CONTROLLER-PORTS
      if (!isExternalService(service)) continue
      const model = scope.modelOf(namespace)
      const app = scope.appOf(namespace, service.spec.selector, service.metadata.name)
      const keys = matchingKeys(policy.exposure.allow, [service.metadata.name, `${namespace}/${service.metadata.name}`])
      const allowed = [...(app ? (allowedCidrs(app, policy) ?? []) : []), ...keys.flatMap((k) => policy.exposure.allow[k] ?? [])]
      const sources = serviceSources(service)
      const listed = (app !== undefined && allowedCidrs(app, policy) !== undefined) || keys.length > 0
      if (listed && sources.every((s) => cidrWithinAny(s, allowed))) continue
      const annotations = annotationsOf(service)
      // The Service stays open whatever the pods' policies say (the catalog judges the Service), but
      // "reachable" is said only where something outside can get in today.
      const closedBy = serviceClosedToOutsideBy(inventory.kubernetes, service)
      const reach =
        closedBy.length === 0
          ? `is reachable from ${sources.join(', ')}`
          : `is open to ${sources.join(', ')} (${keepsPodsClosed(closedBy)})`
      report({
        target: kubeTarget(service, model),
        message: `${describeService(service)}${app ? ` of Juju application ${app.name}` : ''} ${reach}${listed ? ` beyond the allowed ${allowed.join(', ')}` : ' and is not on the exposure allowlist'}.`,
        evidence: {
          ...(app ? {application: app.name} : {}),
          type: service.spec.type ?? 'ClusterIP',
          ports: (service.spec.ports ?? []).map((p) => ({port: p.port, nodePort: p.nodePort, protocol: p.protocol ?? 'TCP'})),
          externalIPs: service.spec.externalIPs ?? [],
          loadBalancerSourceRanges: service.spec.loadBalancerSourceRanges ?? [],
          allowed,
        },
        remediation: serviceRemediation(service, allowed, app ? `${app.model}/${app.name}` : `${namespace}/${service.metadata.name}`, app, model),
        ref: service.ref,
        ...(annotations ? {annotations} : {}),
      })
    }
  },
}

/**
 * Relate the app's certificates endpoint to the provider the estate already has (one fix text for
 * every TLS rule, see certificate-providers.ts); an entry point prefers a CA clients trust.
 */
function certificatesRemediation(inventory: Inventory, model: Model, app: Application): string {
  const fix = certificatesFix(inventory, model, app, {publicFacing: true})
  if (fix) return fix.text
  return `${charmName(app)} has no certificates endpoint in the metadata read: give ${app.name} TLS the way its charm documents (a TLS Secret or options), or refresh to a revision that can request certificates (\`juju info ${charmName(app)}\` lists the relations of each channel)`
}

/**
 * Sunbeam names its ingress proxies for the endpoints its TLS feature takes (canonical/snap-openstack
 * sunbeam/features/tls/ca.py@1c212d79: `--endpoint public|internal|rgw`, which set the Terraform plan's
 * enable-tls-for-{public,internal,rgw}-endpoint; common.py waits on traefik, traefik-public, traefik-rgw).
 */
const SUNBEAM_TRAEFIK_ENDPOINTS: Readonly<Record<string, string>> = {traefik: 'internal', 'traefik-public': 'public', 'traefik-rgw': 'rgw'}

/**
 * A traefik of a Sunbeam cloud (keystone-k8s in its model) gets TLS through Sunbeam: its TLS
 * feature also hands the CA to Keystone (the add-ca-certs step of common.py), which passes it to
 * the OpenStack services; traefik integrated with a CA by hand publishes https endpoints those
 * services were never told to trust, and Sunbeam's Terraform plan does not know of it.
 */
function sunbeamTlsRemediation(model: Model, app: Application): string | undefined {
  const endpoint = SUNBEAM_TRAEFIK_ENDPOINTS[app.name]
  if (!endpoint || !isSunbeamModel(model)) return undefined
  return `sunbeam enable tls ca --ca "$(base64 -w0 ca.pem)" --ca-chain "$(base64 -w0 chain.pem)" --endpoint ${endpoint}   # ${app.name} is Sunbeam's ${endpoint} ingress (omit --ca-chain for a self-signed CA): let Sunbeam's TLS feature add the certificate, since it also gives Keystone the CA the OpenStack services must trust, which relating traefik to a CA by hand does not; then give it the certificates it asks for, as Sunbeam's TLS guide shows (or use \`sunbeam enable tls vault\`)`
}

/** Charms that write Ingresses and take TLS on their `certificates` endpoint. */
/** Charms that write Ingresses or Gateway routes and take their certificate over a `certificates` relation. */
const INGRESS_CHARMS_WITH_CERTIFICATES = ['nginx-ingress-integrator', 'gateway-api-integrator']

/** A charm rewrites the Ingresses it manages: TLS has to come through the charm. */
function managedIngressRemediation(inventory: Inventory, model: Model, app: Application, kind = 'Ingress'): string {
  if (isCharmIn(app, INGRESS_CHARMS_WITH_CERTIFICATES)) {
    // No application selector: Juju 4's status takes none, and the whole model's status answers on every version.
    if (tlsRelations(model, app).length > 0) return `juju status -m ${appModelArg(app)} --relations   # ${app.name} has a certificates relation but its ${kind} has no TLS yet: see in ${app.name}'s status message and its certificates relation why the charm has not applied it`
    return certificatesRemediation(inventory, model, app)
  }
  return `The charm of ${app.name} writes this ${kind} and overwrites edits to it: give it TLS through the charm (its certificates relation or TLS options), not kubectl.`
}

const ROUTE_ENDPOINTS = ['ingress', 'ingress-per-unit', 'traefik-route']

export const k8sIngressNoTls: Rule = {
  id: 'K8S-INGRESS-NO-TLS',
  title: 'Ingress, Gateway route or traefik route without TLS',
  severity: 'high',
  profile: 'k8s',
  guide: APPLICATIONS,
  rationale:
    'An Ingress without a `tls` section, an HTTPRoute or GRPCRoute served on a Gateway listener of protocol HTTP, or a traefik-k8s that routes applications but has no certificates relation, serves them over plain HTTP to whoever can reach it: credentials and sessions travel in clear text.',
  remediation:
    'Add a `tls:` section with a certificate Secret to the Ingress; attach the route to an HTTPS listener of its Gateway only (its parentRef\'s `sectionName`); for traefik-k8s integrate a certificate provider: `juju integrate traefik-k8s:certificates lego` (or self-signed-certificates for internal use).',
  autoFixable: false,
  needs: [['k8s-ingresses', 'k8s-gateway-api', 'juju-status', 'juju-bundle']],
  evaluate({inventory, policy, report}) {
    const scope = kubeScope(inventory, policy)
    for (const ingress of inventory.kubernetes.ingresses) {
      const namespace = ingress.metadata.namespace
      if (!scope.isScoped(namespace)) continue
      if ((ingress.spec.tls ?? []).length > 0) continue
      const hosts = (ingress.spec.rules ?? []).map((r) => r.host ?? '*')
      const backends = (ingress.spec.rules ?? []).flatMap((r) => (r.http?.paths ?? []).map((p) => p.backend.service?.name).filter((n): n is string => n !== undefined))
      const annotations = annotationsOf(ingress)
      const model = scope.modelOf(namespace)
      const manager = model ? managingApp(ingress, model) : undefined
      report({
        target: kubeTarget(ingress, model),
        message: `Ingress ${namespace}/${ingress.metadata.name}${manager ? ` (managed by Juju application ${manager.name})` : ''} serves ${hosts.length > 0 ? list([...new Set(hosts)]) : 'its backends'} without TLS.`,
        evidence: {hosts, backends: [...new Set(backends)], ingressClassName: ingress.spec.ingressClassName, tls: [], ...(manager ? {application: manager.name} : {})},
        remediation:
          manager && model
            ? managedIngressRemediation(inventory, model, manager)
            : `kubectl -n ${namespace} patch ingress ${ingress.metadata.name} --type=merge -p '{"spec":{"tls":[{"hosts":${JSON.stringify([...new Set(hosts.filter((h) => h !== '*'))])},"secretName":"${ingress.metadata.name}-tls"}]}}'   # the TLS Secret must exist first: kubectl -n ${namespace} create secret tls ${ingress.metadata.name}-tls --cert=CERT_FILE --key=KEY_FILE (or let cert-manager issue it)`,
        ref: ingress.ref,
        ...(annotations ? {annotations} : {}),
      })
    }
    for (const found of plaintextRoutes(inventory.kubernetes)) {
      const {route} = found
      const namespace = routeNamespaces(route).find((candidate) => scope.isScoped(candidate))
      if (namespace === undefined) continue
      const model = scope.modelOf(route.metadata.namespace ?? 'default') ?? scope.modelOf(namespace)
      const manager = model ? managingApp(route, model) : undefined
      const on = found.through.map(({gateway, listeners}) => `Gateway ${gateway.metadata.namespace ?? 'default'}/${gateway.metadata.name} (${list(listeners.map((listener) => `${listener.name}, port ${listener.port}`))})`)
      report({
        target: kubeTarget(route, model),
        message: `${route.kind} ${route.metadata.namespace ?? 'default'}/${route.metadata.name}${manager ? ` (managed by Juju application ${manager.name})` : ''} serves ${found.backends.length > 0 ? list(found.backends) : 'its backends'} over plain HTTP on ${list(on)}.`,
        evidence: {backends: found.backends, plaintextListeners: found.through.map(({gateway, listeners}) => ({gateway: `${gateway.metadata.namespace ?? 'default'}/${gateway.metadata.name}`, listeners: listeners.map((listener) => listener.name)})), ...(manager ? {application: manager.name} : {})},
        remediation: manager && model ? managedIngressRemediation(inventory, model, manager, route.kind) : plaintextRouteFix(found),
        ref: route.ref,
      })
    }
    for (const {model, app} of applications(inventory)) {
      if (!isCharmIn(app, CHARMS.traefik)) continue
      const views = relationsOf(model, app)
      const routes = views.filter((v) => {
        if (v.interface) return (INGRESS_INTERFACES as readonly string[]).includes(v.interface)
        if (v.mine.endpoint) return ROUTE_ENDPOINTS.includes(v.mine.endpoint)
        return !(v.otherApp && (isCharmIn(v.otherApp, CHARMS.certificateAuthorities) || isCharmIn(v.otherApp, CHARMS.observability)))
      }).filter((v) => !(v.interface && (OBSERVABILITY_INTERFACES as readonly string[]).includes(v.interface)))
      if (routes.length === 0) continue
      if (tlsRelations(model, app).length > 0) continue
      const routed = [...new Set(routes.map((v) => v.other?.application).filter((n): n is string => n !== undefined))]
      report({
        target: appTarget(app, model),
        message: `${app.name} (traefik-k8s) routes ${list(routed)} without a certificates relation: traffic is served over plain HTTP.`,
        evidence: {routes: routed, certificatesRelation: false},
        remediation: sunbeamTlsRemediation(model, app) ?? certificatesRemediation(inventory, model, app),
        ...(app.refs.definition ? {ref: app.refs.definition} : {}),
      })
    }
  },
}

export const KUBERNETES_WORKLOAD_RULES: Rule[] = [k8sPrivileged, k8sHostAccess, k8sRunAsRoot, k8sServiceAccountOverprivileged, k8sLoadBalancer, k8sIngressNoTls]
