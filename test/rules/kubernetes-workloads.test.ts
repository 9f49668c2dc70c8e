import {describe, expect, it} from 'vitest'

import {applyPrintedPatch} from '../helpers/kubectl-patch.js'

import {
  k8sHostAccess,
  k8sIngressNoTls,
  k8sLoadBalancer,
  k8sPrivileged,
  k8sRunAsRoot,
  k8sServiceAccountOverprivileged,
} from '../../src/rules/kubernetes-workloads.js'
import {
  app,
  binding,
  findings,
  gateway,
  httpRoute,
  ingress,
  inventory,
  jujuSidecarPod,
  jujuStatefulSet,
  model,
  namespace,
  networkPolicy,
  pod,
  policy,
  relation,
  role,
  run,
  service,
  serviceAccount,
  WILDCARD,
  workload,
} from './factories.js'

const modelNs = namespace('web', {'model.juju.is/name': 'web'})
const webModel = () => model('web', {type: 'caas', namespace: 'web', apps: [app('web'), app('traefik', {charm: 'traefik-k8s'})]})

describe('K8S-PRIVILEGED', () => {
  it('ingress-nginx before v1.0 escalates to bind 80 and 443: the patch comes with "only after upgrading"; v1.0 and later get it plain', () => {
    const controller = (image: string) =>
      workload('Deployment', 'web', 'ingress-nginx-controller', {spec: {containers: [{name: 'controller', image, securityContext: {runAsUser: 101, allowPrivilegeEscalation: true, capabilities: {drop: ['ALL'], add: ['NET_BIND_SERVICE']}}}]}})
    const fix = (image: string) => findings(k8sPrivileged, inventory({inputs: ['k8s-workloads'], kube: {namespaces: [modelNs], workloads: [controller(image)]}}))[0]?.remediation
    expect(fix('k8s.gcr.io/ingress-nginx/controller:v0.41.2@sha256:1f4f402b9c14f3ae92b11ada1dfe9893a88f0faeb0b2f4b903e2c67a0c3bf0de')).toMatch(
      /"allowPrivilegeEscalation":false\}\}\]\}\}\}\}' {3}# only after upgrading the controller to ingress-nginx v1\.0 or later: before v1\.0 it binds 80 and 443 only by escalating/,
    )
    expect(fix('registry.k8s.io/ingress-nginx/controller:v1.5.2')).not.toContain('only after upgrading')
  })

  it('flags a privileged container as high, once per workload', () => {
    const spec = {containers: [{name: 'web', securityContext: {privileged: true}}]}
    const labels = {'app.kubernetes.io/name': 'web'}
    const owner = {kind: 'StatefulSet', name: 'web'}
    const inv = inventory({
      models: [webModel()],
      inputs: ['k8s-pods'],
      kube: {namespaces: [modelNs], pods: [pod('web', 'web-0', {labels, spec, owner, annotations: {'hardenctl.io/waive': 'K8S-PRIVILEGED=x'}}), pod('web', 'web-1', {labels, spec, owner})]},
    })
    const fs = findings(k8sPrivileged, inv)
    expect(fs).toHaveLength(1)
    expect(fs[0]).toMatchObject({rule: 'K8S-PRIVILEGED', severity: 'high', target: {kind: 'StatefulSet', name: 'web', namespace: 'web', model: 'web'}, evidence: {application: 'web', pods: ['web-0', 'web-1']}})
    expect(fs[0]?.message).toContain('privileged')
    expect(fs[0]?.annotations).toEqual({'hardenctl.io/waive': 'K8S-PRIVILEGED=x'})
  })

  it('flags unset allowPrivilegeEscalation as medium and added capabilities as high', () => {
    const inv = inventory({
      inputs: ['k8s-workloads'],
      kube: {
        namespaces: [modelNs],
        workloads: [
          workload('Deployment', 'web', 'plain', {spec: {containers: [{name: 'c'}]}}),
          workload('Deployment', 'web', 'caps', {spec: {containers: [{name: 'c', securityContext: {allowPrivilegeEscalation: false, capabilities: {add: ['NET_ADMIN', 'NET_BIND_SERVICE']}}}]}}),
        ],
      },
    })
    const fs = findings(k8sPrivileged, inv)
    expect(fs.map((f) => [f.target.name, f.severity])).toEqual([['plain', 'medium'], ['caps', 'high']])
    expect(fs[1]?.message).toContain('adds NET_ADMIN')
  })

  it("on a sidecar charm's pods, unset escalation is Juju's doing: the fix is an admission default or a waiver, not the charm", () => {
    const inv = inventory({
      inputs: ['k8s-pods'],
      models: [webModel()],
      kube: {namespaces: [modelNs], pods: [jujuSidecarPod('web', 'web-0', 'web', 170, {runAsUser: 584792})]},
    })
    const [finding] = findings(k8sPrivileged, inv)
    expect(finding).toMatchObject({severity: 'medium', target: {kind: 'StatefulSet', name: 'web'}})
    expect(finding?.message).toContain("Juju sets it on none of a sidecar charm's containers (charm-init and charm included), and no charm setting can.")
    expect(finding?.remediation).toContain('default it to false when pods are admitted to namespace web')
    expect(finding?.remediation).toContain('{"rule":"K8S-PRIVILEGED","target":"web/StatefulSet/web"')
    expect(finding?.remediation).not.toContain('use a charm')
  })

  it('a podspec charm writes its own pod spec, and a privileged sidecar container is not Juju\'s doing: both keep the charm fix', () => {
    const labels = {'app.kubernetes.io/name': 'web'}
    const owner = {kind: 'StatefulSet', name: 'web'}
    const inv = inventory({
      inputs: ['k8s-pods'],
      models: [webModel()],
      kube: {
        namespaces: [modelNs],
        pods: [pod('web', 'web-0', {labels, owner, spec: {containers: [{name: 'web'}]}})],
      },
    })
    const [podspec] = findings(k8sPrivileged, inv)
    expect(podspec?.message).not.toContain('Juju sets it on none')
    expect(podspec?.remediation).toContain('ask the charm to change it or replace the charm')

    const sidecar = jujuSidecarPod('web', 'web-0', 'web', 170, {privileged: true})
    const [privileged] = findings(k8sPrivileged, inventory({inputs: ['k8s-pods'], models: [webModel()], kube: {namespaces: [modelNs], pods: [sidecar]}}))
    expect(privileged).toMatchObject({severity: 'high'})
    expect(privileged?.remediation).toContain('ask the charm to change it or replace the charm')
  })

  it('accepts hardened containers and ignores kube-system', () => {
    const good = {containers: [{name: 'c', securityContext: {allowPrivilegeEscalation: false}}]}
    const inv = inventory({
      inputs: ['k8s-pods'],
      kube: {namespaces: [modelNs], pods: [pod('web', 'ok', {spec: good}), pod('kube-system', 'coredns', {spec: {containers: [{name: 'c', securityContext: {privileged: true}}]}})]},
    })
    expect(findings(k8sPrivileged, inv)).toEqual([])
  })

  it('audits namespaces named in the policy', () => {
    const inv = inventory({inputs: ['k8s-pods'], kube: {pods: [pod('infra', 'x', {spec: {containers: [{name: 'c', securityContext: {privileged: true}}]}})]}})
    expect(findings(k8sPrivileged, inv)).toEqual([])
    expect(findings(k8sPrivileged, inv, policy({kubernetes: {namespaces: ['infra']}}))).toHaveLength(1)
  })

  it('is not evaluated without pods or workloads', () => {
    expect(run(k8sPrivileged, inventory({})).notEvaluated[0]?.message).toBe('not evaluated: needs Kubernetes pods or Kubernetes workloads')
  })
})

describe('K8S-HOST-ACCESS', () => {
  it('flags host namespaces and hostPath volumes', () => {
    const spec = {hostNetwork: true, containers: [{name: 'c'}], volumes: [{name: 'root', hostPath: {path: '/'}}]}
    const [f] = findings(k8sHostAccess, inventory({inputs: ['k8s-pods'], kube: {namespaces: [modelNs], pods: [pod('web', 'agent', {spec})]}}))
    expect(f).toMatchObject({severity: 'high', target: {kind: 'Pod', name: 'agent', namespace: 'web'}, evidence: {hostNetwork: true, hostPathVolumes: [{volume: 'root', path: '/'}]}})
    expect(f?.message).toContain('hostNetwork')
  })

  it('accepts ordinary pods', () => {
    expect(findings(k8sHostAccess, inventory({inputs: ['k8s-pods'], kube: {namespaces: [modelNs], pods: [pod('web', 'p')]}}))).toEqual([])
  })

  it('flags host ports (Pod Security Standards baseline), and on the host network says hostNetwork alone', () => {
    const spec = {containers: [{name: 'c', ports: [{containerPort: 8080, hostPort: 8080}, {containerPort: 9090}]}]}
    const [f] = findings(k8sHostAccess, inventory({inputs: ['k8s-workloads'], kube: {namespaces: [modelNs], workloads: [workload('Deployment', 'web', 'adminer', {spec})]}}))
    expect(f?.message).toBe('Deployment web/adminer uses hostPort 8080.')
    expect(f?.evidence.hostPorts).toEqual([{container: 'c', hostPort: 8080, containerPort: 8080, protocol: 'TCP'}])
    expect(f?.remediation).toContain('`hostPort`s')
    const onHost = {hostNetwork: true, containers: [{name: 'c', ports: [{containerPort: 9100, hostPort: 9100}]}]}
    const [g] = findings(k8sHostAccess, inventory({inputs: ['k8s-workloads'], kube: {namespaces: [modelNs], workloads: [workload('DaemonSet', 'web', 'exporter', {spec: onHost})]}}))
    expect(g?.message).toBe('DaemonSet web/exporter uses hostNetwork.')
  })

  it("an ingress controller's host ports are its clients' way in: the fix keeps them and waives, rather than cut every client off", () => {
    const spec = {containers: [{name: 'controller', ports: [{containerPort: 80, hostPort: 80}, {containerPort: 443, hostPort: 443}]}]}
    const controller = workload('Deployment', 'web', 'ingress-nginx-controller', {labels: {'app.kubernetes.io/name': 'ingress-nginx'}, spec})
    const [f] = findings(k8sHostAccess, inventory({inputs: ['k8s-workloads'], kube: {namespaces: [modelNs], workloads: [controller]}}))
    expect(f?.remediation).toMatch(/^ingress-nginx-controller is the ingress controller and its clients reach it at the nodes' ports 80 and 443: removing them cuts every client off\. Keep them and waive the finding \(waivers: \[\{"rule":"K8S-HOST-ACCESS","target":"web\/ingress-nginx-controller"/)
  })

  it('on the host network, the same: its container ports are the nodes\' ports; with a hostPath too, the generic fix', () => {
    const spec = {hostNetwork: true, containers: [{name: 'controller', ports: [{containerPort: 443, hostPort: 443}, {containerPort: 80, hostPort: 80}]}]}
    const controller = workload('DaemonSet', 'web', 'ingress-nginx-controller', {labels: {'app.kubernetes.io/name': 'ingress-nginx'}, spec})
    const [f] = findings(k8sHostAccess, inventory({inputs: ['k8s-workloads'], kube: {namespaces: [modelNs], workloads: [controller]}}))
    expect(f?.remediation).toMatch(/^ingress-nginx-controller is the ingress controller on the host network: its clients reach it at the nodes' ports 80 and 443, so taking it off the host network cuts every client off\. Keep it and waive the finding .* or put a LoadBalancer Service in front of it first and then drop hostNetwork\.$/)
    const withHostPath = workload('DaemonSet', 'web', 'ingress-nginx-controller', {labels: {'app.kubernetes.io/name': 'ingress-nginx'}, spec: {...spec, volumes: [{name: 'logs', hostPath: {path: '/var/log'}}]}})
    const [g] = findings(k8sHostAccess, inventory({inputs: ['k8s-workloads'], kube: {namespaces: [modelNs], workloads: [withHostPath]}}))
    expect(g?.remediation).toContain('Remove `hostNetwork`')
  })
})

describe('K8S-SA-OVERPRIVILEGED', () => {
  it('attributes a cluster-admin binding to the Juju app whose ServiceAccount it is', () => {
    const inv = inventory({
      models: [webModel()],
      inputs: ['k8s-rbac'],
      kube: {
        namespaces: [modelNs],
        serviceAccounts: [serviceAccount('web', 'web', {'hardenctl.io/waive': 'K8S-SA-OVERPRIVILEGED=needed'})],
        clusterRoleBindings: [binding(undefined, 'web-admin', {kind: 'ClusterRole', name: 'cluster-admin'}, [{kind: 'ServiceAccount', name: 'web', namespace: 'web'}])],
      },
    })
    const [f] = findings(k8sServiceAccountOverprivileged, inv)
    expect(f).toMatchObject({rule: 'K8S-SA-OVERPRIVILEGED', severity: 'critical', target: {kind: 'application', name: 'web', model: 'web'}})
    expect(f?.message).toContain('cluster-admin')
    expect(f?.remediation).toContain('kubectl delete clusterrolebinding web-admin')
    expect(f?.annotations).toEqual({'hardenctl.io/waive': 'K8S-SA-OVERPRIVILEGED=needed'})
  })

  it('flags wildcard Roles, Juju trust roles included (JUJU-TRUST reports the same from the Juju side)', () => {
    const inv = inventory({
      models: [webModel()],
      inputs: ['k8s-rbac'],
      kube: {
        namespaces: [modelNs],
        roles: [role('web', 'web', [WILDCARD]), role('web', 'anything', [WILDCARD])],
        roleBindings: [
          binding('web', 'web', {kind: 'Role', name: 'web'}, [{kind: 'ServiceAccount', name: 'web'}]),
          binding('web', 'helper', {kind: 'Role', name: 'anything'}, [{kind: 'ServiceAccount', name: 'helper'}]),
        ],
      },
    })
    const fs = findings(k8sServiceAccountOverprivileged, inv)
    expect(fs.map((f) => [f.target.kind, f.target.name])).toEqual([['application', 'web'], ['ServiceAccount', 'helper']])
    expect(fs[1]?.message).toContain('Role anything (grants * on * in every API group)')
  })

  it('accepts narrow roles and ignores unscoped namespaces', () => {
    const inv = inventory({
      models: [webModel()],
      inputs: ['k8s-rbac'],
      kube: {
        namespaces: [modelNs],
        roles: [role('web', 'reader', [{apiGroups: [''], resources: ['pods'], verbs: ['get']}])],
        roleBindings: [binding('web', 'r', {kind: 'Role', name: 'reader'}, [{kind: 'ServiceAccount', name: 'x'}])],
        clusterRoleBindings: [binding(undefined, 'sys', {kind: 'ClusterRole', name: 'cluster-admin'}, [{kind: 'ServiceAccount', name: 'x', namespace: 'kube-system'}])],
      },
    })
    expect(findings(k8sServiceAccountOverprivileged, inv)).toEqual([])
  })
})

describe('K8S-SA-OVERPRIVILEGED on what juju trust did', () => {
  /** RoleBinding/ClusterRoleBinding exactly as Juju creates them for application `web` of model `web`. */
  const jujuLabels = {'app.kubernetes.io/managed-by': 'juju', 'app.kubernetes.io/name': 'web'}
  const trusted = (extra: {clusterRoleBindings?: ReturnType<typeof binding>[]} = {}) =>
    inventory({
      models: [webModel()],
      inputs: ['k8s-rbac'],
      kube: {
        namespaces: [modelNs],
        roles: [role('web', 'web', [WILDCARD])],
        clusterRoles: [role(undefined, 'web-web', [WILDCARD])],
        roleBindings: [binding('web', 'web', {kind: 'Role', name: 'web'}, [{kind: 'ServiceAccount', name: 'web', namespace: 'web'}], jujuLabels)],
        clusterRoleBindings: [
          binding(undefined, 'web-web', {kind: 'ClusterRole', name: 'web-web'}, [{kind: 'ServiceAccount', name: 'web', namespace: 'web'}], {...jujuLabels, 'model.juju.is/name': 'web'}),
          ...(extra.clusterRoleBindings ?? []),
        ],
      },
    })

  it("tells to remove trust, not to delete the bindings Juju created and depends on", () => {
    const [f] = findings(k8sServiceAccountOverprivileged, trusted())
    expect(f).toMatchObject({severity: 'critical', target: {kind: 'application', name: 'web', model: 'web'}, evidence: {jujuManagedBindings: ['RoleBinding web', 'ClusterRoleBinding web-web']}})
    expect(f?.message).toBe(
      "ServiceAccount web/web of Juju application web is bound to RoleBinding web/web → Role web (grants * on * in every API group) and ClusterRoleBinding web-web → ClusterRole web-web (grants * on * in every API group); they are Juju's own bindings, made * on * by juju trust.",
    )
    expect(f?.remediation).toMatch(/^juju trust -m prod:web web --remove {3}# /)
    expect(f?.remediation).not.toContain('kubectl')
    expect(f?.remediation).not.toContain('--scope')
    expect(f?.remediation).toContain('"web/web" to trust.allow')
  })

  it('for a charm whose documentation asks for --trust: audit and allow, and says removing trust would break it', () => {
    const inv = trusted()
    const web = [...inv.models.values()][0]!.applications.get('web')!
    web.charm = 'nginx-ingress-integrator'
    const [f] = findings(k8sServiceAccountOverprivileged, inv)
    expect(f?.remediation).toMatch(/^audit web and add "web\/web" to trust\.allow in hardenctl\.yaml: nginx-ingress-integrator needs --trust \(it creates the Ingress objects\)/)
    expect(f?.remediation).toContain('would break it')
  })

  it('keeps the kubectl fix for a binding Juju did not create, next to the trust fix', () => {
    const admin = binding(undefined, 'web-admin', {kind: 'ClusterRole', name: 'cluster-admin'}, [{kind: 'ServiceAccount', name: 'web', namespace: 'web'}])
    const [f] = findings(k8sServiceAccountOverprivileged, trusted({clusterRoleBindings: [admin]}))
    expect(f?.remediation).toMatch(/^juju trust -m prod:web web --remove; kubectl delete clusterrolebinding web-admin {3}# /)
    expect(f?.evidence.jujuManagedBindings).toEqual(['RoleBinding web', 'ClusterRoleBinding web-web'])
  })

  it('with trust allowed by the policy, what juju trust grants is accepted; other bindings are still reported', () => {
    const allow = policy({trust: {allow: ['web/web']}})
    expect(findings(k8sServiceAccountOverprivileged, trusted(), allow)).toEqual([])
    const admin = binding(undefined, 'web-admin', {kind: 'ClusterRole', name: 'cluster-admin'}, [{kind: 'ServiceAccount', name: 'web', namespace: 'web'}])
    const [f] = findings(k8sServiceAccountOverprivileged, trusted({clusterRoleBindings: [admin]}), allow)
    expect(f?.evidence.bindings).toEqual(['ClusterRoleBinding web-admin → ClusterRole cluster-admin'])
    expect(f?.remediation).toBe('kubectl delete clusterrolebinding web-admin   # first bind a ClusterRole (it works cluster-wide) listing only the API groups, resources and verbs the workload uses; deleting this binding before that stops whatever it does with the rest')
  })

  it('a binding the charm created itself (app.juju.is/created-by) is not Juju\'s: kubectl, with a note that the charm may recreate it', () => {
    const inv = inventory({
      models: [webModel()],
      inputs: ['k8s-rbac'],
      kube: {
        namespaces: [modelNs],
        clusterRoleBindings: [
          binding(undefined, 'web-web-admin', {kind: 'ClusterRole', name: 'cluster-admin'}, [{kind: 'ServiceAccount', name: 'web', namespace: 'web'}], {
            'app.kubernetes.io/managed-by': 'juju',
            'app.kubernetes.io/name': 'web',
            'app.juju.is/created-by': 'web',
          }),
        ],
      },
    })
    const [f] = findings(k8sServiceAccountOverprivileged, inv)
    expect(f?.remediation).toBe(
      'kubectl delete clusterrolebinding web-web-admin   # first bind a ClusterRole (it works cluster-wide) listing only the API groups, resources and verbs the workload uses; deleting this binding before that stops whatever it does with the rest; web-web-admin was created by the charm of web, which may create it again: prefer a charm revision or configuration that needs less',
    )
  })
})

/** The ingress-nginx namespace, named by the policy (no Juju model runs there). */
const inScope = policy({kubernetes: {namespaces: ['ingress-nginx']}})

describe('node agents (the cluster network, kube-proxy, node-exporter)', () => {
  it('a CNI DaemonSet keeps its findings, and the fix is a waiver, not taking away what it is made of', () => {
    const spec = {hostNetwork: true, containers: [{name: 'kube-flannel', securityContext: {privileged: false, capabilities: {add: ['NET_ADMIN', 'NET_RAW']}}}]}
    const flannel = workload('DaemonSet', 'kube-flannel', 'kube-flannel-ds', {labels: {app: 'flannel'}, spec})
    const inv = inventory({inputs: ['k8s-workloads'], kube: {workloads: [flannel]}})
    const scoped = policy({kubernetes: {namespaces: ['kube-flannel']}})
    for (const rule of [k8sHostAccess, k8sPrivileged, k8sRunAsRoot]) {
      const [f] = findings(rule, inv, scoped)
      expect(f?.remediation, rule.id).toMatch(/^flannel, the cluster network \(CNI\) needs the host network/)
      expect(f?.remediation, rule.id).toContain(`waivers: [{"rule":"${rule.id}","target":"kube-flannel/kube-flannel-ds"`)
    }
  })

  // Canonical Kubernetes's local storage: canonical/rawfile-localpv deploy/charts/rawfile-csi/templates/01-node-plugin.yaml@65b0e432
  // rendered as k8s-snap releases it (ck-storage; labels app.kubernetes.io/name: rawfile-csi, component: node).
  it("Canonical Kubernetes's rawfile-csi node plugin: privileged, root, host paths by design; its controller is no node agent", () => {
    const labels = {'app.kubernetes.io/name': 'rawfile-csi', 'app.kubernetes.io/instance': 'ck-storage', component: 'node'}
    const spec = {
      volumes: [{name: 'mountpoint-dir', hostPath: {path: '/var/lib/kubelet'}}, {name: 'data-dir', hostPath: {path: '/var/snap/k8s/common/rawfile-storage'}}],
      containers: [{name: 'csi-driver', image: 'ghcr.io/canonical/rawfile-localpv:0.8.2-ck3', securityContext: {privileged: true}, volumeMounts: [{name: 'mountpoint-dir', mountPath: '/var/lib/kubelet', mountPropagation: 'Bidirectional'}]}],
    }
    const node = workload('DaemonSet', 'kube-system', 'ck-storage-rawfile-csi-node', {labels, spec})
    const scoped = policy({kubernetes: {namespaces: ['kube-system']}})
    const inv = inventory({inputs: ['k8s-workloads'], kube: {workloads: [node]}})
    for (const rule of [k8sHostAccess, k8sPrivileged, k8sRunAsRoot]) {
      expect(findings(rule, inv, scoped)[0]?.remediation, rule.id).toMatch(/^rawfile-csi's node plugin \(Canonical Kubernetes's local storage\) needs /)
    }
    const controller = workload('StatefulSet', 'kube-system', 'ck-storage-rawfile-csi-controller', {labels: {...labels, component: 'controller'}, spec: {containers: [{name: 'csi-driver', securityContext: {privileged: true}}]}})
    expect(findings(k8sPrivileged, inventory({inputs: ['k8s-workloads'], kube: {workloads: [controller]}}), scoped)[0]?.remediation).not.toContain('node plugin')
  })

  // Cilium's chart: the cilium-envoy DaemonSet runs on the host network with NET_ADMIN and SYS_ADMIN
  // (values envoy.securityContext.capabilities.envoy), and no user of its own.
  it("cilium-envoy, Cilium's L7 proxy: host network and its capabilities by design", () => {
    const spec = {hostNetwork: true, containers: [{name: 'cilium-envoy', image: 'quay.io/cilium/cilium-envoy:v1.31.5', securityContext: {capabilities: {add: ['NET_ADMIN', 'SYS_ADMIN'], drop: ['ALL']}}}]}
    const envoy = workload('DaemonSet', 'kube-system', 'cilium-envoy', {labels: {'k8s-app': 'cilium-envoy', 'app.kubernetes.io/name': 'cilium-envoy', 'app.kubernetes.io/part-of': 'cilium'}, spec})
    const inv = inventory({inputs: ['k8s-workloads'], kube: {workloads: [envoy]}})
    const scoped = policy({kubernetes: {namespaces: ['kube-system']}})
    for (const rule of [k8sHostAccess, k8sPrivileged, k8sRunAsRoot]) {
      expect(findings(rule, inv, scoped)[0]?.remediation, rule.id).toMatch(/^cilium-envoy, Cilium's L7 proxy \(ingress, Gateway API, L7 policies\) needs /)
    }
  })
})

describe('K8S-PRIVILEGED fixes', () => {
  const deployment = (containers: object[]) =>
    inventory({inputs: ['k8s-workloads'], kube: {namespaces: [namespace('ingress-nginx')], workloads: [workload('Deployment', 'ingress-nginx', 'controller', {spec: {containers} as never})]}})

  /** The workload of `deployment(...)` after kubectl applies the finding's fix, and what the rule says of it then. */
  const afterFix = (inv: ReturnType<typeof deployment>, remediation: string) => {
    const patched = applyPrintedPatch(inv.kubernetes.workloads[0]!, remediation)
    const after = inventory({inputs: ['k8s-workloads'], kube: {namespaces: [namespace('ingress-nginx')], workloads: [patched]}})
    return {container: patched.spec.template.spec.containers?.[0], findings: findings(k8sPrivileged, after, inScope)}
  }

  it('patches only what is wrong: ingress-nginx keeps its NET_BIND_SERVICE when escalation is turned off', () => {
    const inv = deployment([{name: 'controller', image: 'registry.k8s.io/ingress-nginx/controller:v1.11.2', securityContext: {allowPrivilegeEscalation: true, capabilities: {add: ['NET_BIND_SERVICE'], drop: ['ALL']}}}])
    const [f] = findings(k8sPrivileged, inv, inScope)
    expect(f?.remediation).toBe(
      `kubectl -n ingress-nginx patch deployment controller -p '{"spec":{"template":{"spec":{"containers":[{"name":"controller","securityContext":{"allowPrivilegeEscalation":false}}]}}}}'`,
    )
    const fixed = afterFix(inv, f!.remediation)
    expect(fixed.findings).toEqual([])
    expect(fixed.container).toMatchObject({image: 'registry.k8s.io/ingress-nginx/controller:v1.11.2', securityContext: {allowPrivilegeEscalation: false, capabilities: {add: ['NET_BIND_SERVICE'], drop: ['ALL']}}})
  })

  it('takes away added capabilities beyond the harmless ones, and says to keep what the workload needs', () => {
    const [f] = findings(k8sPrivileged, deployment([{name: 'exporter', securityContext: {allowPrivilegeEscalation: false, capabilities: {add: ['SYS_TIME', 'NET_BIND_SERVICE']}}}]), inScope)
    expect(f?.remediation).toBe(
      `kubectl -n ingress-nginx patch deployment controller -p '{"spec":{"template":{"spec":{"containers":[{"name":"exporter","securityContext":{"capabilities":{"add":["NET_BIND_SERVICE"]}}}]}}}}'` +
        '   # drops SYS_TIME: keep any the workload needs (a CNI needs NET_ADMIN) and waive the finding instead',
    )
    // kubectl replaces the capability list (it has no merge key), so SYS_TIME goes and nothing else.
    const fixed = afterFix(deployment([{name: 'exporter', securityContext: {allowPrivilegeEscalation: false, capabilities: {add: ['SYS_TIME', 'NET_BIND_SERVICE']}}}]), f!.remediation)
    expect(fixed.findings).toEqual([])
    expect(fixed.container?.securityContext).toEqual({allowPrivilegeEscalation: false, capabilities: {add: ['NET_BIND_SERVICE']}})
  })
})

describe('K8S-LOADBALANCER', () => {
  it('says "reachable" only where something outside can get in today: a policy closing its pods to outside is named, a rule from an ipBlock or from anyone is a way in', () => {
    const selector = {'app.kubernetes.io/name': 'web'}
    const svc = service('ingress-nginx', 'web', {type: 'LoadBalancer', selector, ports: [{port: 443}]})
    const message = (networkPolicies: ReturnType<typeof networkPolicy>[]) =>
      findings(k8sLoadBalancer, inventory({inputs: ['k8s-services', 'k8s-networkpolicies'], kube: {namespaces: [namespace('ingress-nginx')], services: [svc], networkPolicies}}), inScope)[0]?.message
    expect(message([])).toBe('LoadBalancer Service ingress-nginx/web (port 443) is reachable from 0.0.0.0/0, ::/0 and is not on the exposure allowlist.')
    const denyAll = networkPolicy('ingress-nginx', 'deny-all', {podSelector: {}, policyTypes: ['Ingress']})
    const inCluster = networkPolicy('ingress-nginx', 'from-cluster', {podSelector: {matchLabels: selector}, policyTypes: ['Ingress'], ingress: [{from: [{namespaceSelector: {}}]}]})
    expect(message([denyAll, inCluster])).toBe(
      'LoadBalancer Service ingress-nginx/web (port 443) is open to 0.0.0.0/0, ::/0 (NetworkPolicy deny-all, from-cluster keep its pods closed to everything outside the cluster today, until a policy admits it) and is not on the exposure allowlist.',
    )
    const office = networkPolicy('ingress-nginx', 'office', {podSelector: {matchLabels: selector}, policyTypes: ['Ingress'], ingress: [{from: [{ipBlock: {cidr: '203.0.113.0/24'}}], ports: [{port: 443}]}]})
    const anyone443 = networkPolicy('ingress-nginx', 'https', {podSelector: {matchLabels: selector}, policyTypes: ['Ingress'], ingress: [{ports: [{port: 443}]}]})
    for (const wayIn of [office, anyone443]) expect(message([denyAll, wayIn]), wayIn.metadata.name).toMatch(/ is reachable from 0\.0\.0\.0\/0, ::\/0 /)
  })

  it("Cilium's ingress LoadBalancer (cilium-ingress, no selector) is narrowed like any ingress controller's", () => {
    const svc = service('kube-system', 'cilium-ingress', {type: 'LoadBalancer', ports: [{port: 80}, {port: 443}]})
    svc.metadata.labels = {'cilium.io/ingress': 'true', 'app.kubernetes.io/part-of': 'cilium'}
    const [f] = findings(k8sLoadBalancer, inventory({inputs: ['k8s-services'], kube: {namespaces: [namespace('kube-system')], services: [svc]}}), policy({kubernetes: {namespaces: ['kube-system']}}))
    expect(f?.remediation).toMatch(/^kubectl -n kube-system patch service cilium-ingress -p '\{"spec":\{"loadBalancerSourceRanges":\["ADMIN-CIDRS"\]\}\}' {3}# cilium-ingress is how clients reach the cluster's Ingresses/)
  })

  // Cilium's Gateway controller makes `cilium-gateway-NAME` for a Gateway (label io.cilium.gateway/owning-gateway),
  // rewrites manual edits (cilium/cilium issue 25357) and takes no source ranges from the Gateway (issue 32488).
  it("a Gateway's LoadBalancer: neither closed (every routed client is cut) nor patched (its controller rewrites it)", () => {
    const svc = service('livepatch', 'cilium-gateway-ingress', {type: 'LoadBalancer', ports: [{port: 80}, {port: 443}]})
    svc.metadata.labels = {'gateway.networking.k8s.io/gateway-name': 'ingress', 'io.cilium.gateway/owning-gateway': 'ingress'}
    svc.metadata.ownerReferences = [{kind: 'Gateway', name: 'ingress', controller: true}]
    const [f] = findings(k8sLoadBalancer, inventory({inputs: ['k8s-services'], kube: {namespaces: [namespace('livepatch')], services: [svc]}}), policy({kubernetes: {namespaces: ['livepatch']}}))
    expect(f?.severity).toBe('high')
    expect(f?.remediation).toMatch(/^cilium-gateway-ingress is the LoadBalancer of Gateway livepatch\/ingress: the Gateway's controller makes it and rewrites it/)
    expect(f?.remediation).toContain('exposure.allow["livepatch/cilium-gateway-ingress"]')
    expect(f?.remediation).toContain('CiliumClusterwideNetworkPolicy selecting the reserved:ingress identity with fromCIDRSet ADMIN-CIDRS')
    expect(f?.remediation).not.toContain('kubectl')
  })

  it('narrows an ingress controller\'s LoadBalancer rather than making it ClusterIP, which would cut every client off', () => {
    const svc = service('ingress-nginx', 'ingress-nginx-controller', {type: 'LoadBalancer', selector: {'app.kubernetes.io/name': 'ingress-nginx'}, ports: [{port: 443}]})
    const [f] = findings(k8sLoadBalancer, inventory({inputs: ['k8s-services'], kube: {namespaces: [namespace('ingress-nginx')], services: [svc]}}), inScope)
    expect(f?.remediation).toMatch(/^kubectl -n ingress-nginx patch service ingress-nginx-controller -p '\{"spec":\{"loadBalancerSourceRanges":\["ADMIN-CIDRS"\]\}\}' {3}# ingress-nginx-controller is how clients reach/)
    expect(f?.remediation).not.toContain('ClusterIP"')
  })

  it("an ingress controller's NodePort is made ClusterIP only once its clients come in another way, and the fix says so (ingress-nginx for kind)", () => {
    const svc = service('ingress-nginx', 'ingress-nginx-controller', {type: 'NodePort', selector: {'app.kubernetes.io/name': 'ingress-nginx'}, ports: [{name: 'http', port: 80}]})
    const [f] = findings(k8sLoadBalancer, inventory({inputs: ['k8s-services'], kube: {namespaces: [namespace('ingress-nginx')], services: [svc]}}), policy({kubernetes: {namespaces: ['ingress-nginx']}}))
    expect(f?.remediation).toMatch(
      /^kubectl -n ingress-nginx patch service ingress-nginx-controller -p '\{"spec":\{"type":"ClusterIP"\}\}' {3}# only once clients reach the ingress controller another way \(its hostPorts, a LoadBalancer\): /,
    )
  })

  it("narrows a LoadBalancer in front of the Juju controller's API rather than making it ClusterIP (juju/juju issue 23139's hand-made controller-service-lb)", () => {
    const svc = service('default', 'controller-service-lb', {type: 'LoadBalancer', selector: {'app.kubernetes.io/name': 'controller'}, ports: [{name: 'api-server', port: 17070, targetPort: 17070}]})
    const [f] = findings(k8sLoadBalancer, inventory({inputs: ['k8s-services'], kube: {namespaces: [namespace('default')], services: [svc]}}), policy({kubernetes: {namespaces: ['default']}}))
    expect(f?.remediation).toBe(
      `kubectl -n default patch service controller-service-lb -p '{"spec":{"loadBalancerSourceRanges":["ADMIN-CIDRS"]}}'   # controller-service-lb is how the juju CLI and agents outside the cluster reach the Juju controller's API (17070): put their networks in loadBalancerSourceRanges; making it ClusterIP would cut them off; then list the same networks under exposure.allow["default/controller-service-lb"] in hardenctl.yaml, which is what tells the audit they are the allowed ones`,
    )
  })

  it("narrows an offered application's LoadBalancer while its offer has consumers, rather than making it ClusterIP, which would cut them off", () => {
    const svc = service('web', 'web', {type: 'LoadBalancer', selector: {'app.kubernetes.io/name': 'web'}, ports: [{port: 5672}]})
    const offered = () => {
      const m = webModel()
      m.offers.push({name: 'amqp', application: 'web', endpoints: [{name: 'amqp', interface: 'rabbitmq', role: 'provider'}], connectedCount: 1})
      return m
    }
    const [f] = findings(k8sLoadBalancer, inventory({models: [offered()], inputs: ['k8s-services'], kube: {namespaces: [modelNs], services: [svc]}}))
    expect(f?.remediation).toMatch(/^kubectl -n web patch service web -p '\{"spec":\{"loadBalancerSourceRanges":\["ADMIN-CIDRS"\]\}\}' {3}# the consumers of offer amqp may reach web through this LoadBalancer, from other models and clouds/)
    expect(f?.remediation).not.toContain('ClusterIP"')
    // Without consumers the Service is closed as before.
    const [closed] = findings(k8sLoadBalancer, inventory({models: [webModel()], inputs: ['k8s-services'], kube: {namespaces: [modelNs], services: [svc]}}))
    expect(closed?.remediation).toContain('"type":"ClusterIP"')
  })

  it('flags a LoadBalancer of a Juju app not on the allowlist', () => {
    const svc = service('web', 'traefik-lb', {type: 'LoadBalancer', selector: {'app.kubernetes.io/name': 'traefik'}, ports: [{port: 443}]})
    const [f] = findings(k8sLoadBalancer, inventory({models: [webModel()], inputs: ['k8s-services'], kube: {namespaces: [modelNs], services: [svc]}}))
    expect(f).toMatchObject({rule: 'K8S-LOADBALANCER', severity: 'high', target: {kind: 'Service', name: 'traefik-lb', namespace: 'web', model: 'web'}, evidence: {application: 'traefik'}})
    expect(f?.message).toContain('not on the exposure allowlist')
  })

  it('accepts an allowlisted app whose source ranges lie inside its CIDRs', () => {
    const svc = service('web', 'traefik', {type: 'LoadBalancer', loadBalancerSourceRanges: ['10.1.0.0/16'], ports: [{port: 443}]})
    const inv = inventory({models: [webModel()], inputs: ['k8s-services'], kube: {namespaces: [modelNs], services: [svc]}})
    expect(findings(k8sLoadBalancer, inv, policy({exposure: {allow: {'web/traefik': ['10.0.0.0/8']}}}))).toEqual([])
    expect(findings(k8sLoadBalancer, inv, policy({exposure: {allow: {'web/traefik': ['192.168.0.0/16']}}}))).toHaveLength(1)
  })

  it('flags NodePorts and externalIPs, and ignores ClusterIP and controller namespaces', () => {
    const inv = inventory({
      inputs: ['k8s-services'],
      kube: {
        namespaces: [modelNs],
        services: [
          service('web', 'np', {type: 'NodePort', ports: [{port: 80, nodePort: 30080}]}),
          service('web', 'ext', {externalIPs: ['203.0.113.5'], ports: [{port: 80}]}),
          service('web', 'internal', {ports: [{port: 80}]}),
          service('controller-prod', 'controller-service', {type: 'LoadBalancer', ports: [{port: 17070}]}),
        ],
      },
    })
    expect(findings(k8sLoadBalancer, inv).map((f) => f.target.name)).toEqual(['np', 'ext'])
  })
})

describe('K8S-LOADBALANCER fixes the API server accepts', () => {
  const inv = (...services: ReturnType<typeof service>[]) => inventory({inputs: ['k8s-services'], kube: {namespaces: [modelNs], services}})

  /** The finding's fix applied by kubectl: what the rule says of the Service then. */
  const afterFix = (svc: ReturnType<typeof service>, remediation: string, p = policy()) => findings(k8sLoadBalancer, inv(applyPrintedPatch(svc, remediation)), p)

  it('a NodePort becomes ClusterIP (loadBalancerSourceRanges is forbidden unless the type is LoadBalancer)', () => {
    const np = service('web', 'np', {type: 'NodePort', ports: [{port: 80, nodePort: 30080}]})
    const [f] = findings(k8sLoadBalancer, inv(np))
    expect(f?.remediation).toMatch(/^kubectl -n web patch service np -p '\{"spec":\{"type":"ClusterIP"\}\}' {3}# or allow it under exposure\.allow\["web\/np"\]/)
    expect(afterFix(np, f!.remediation)).toEqual([])
  })

  it('externalIPs are removed with a JSON patch', () => {
    const ext = service('web', 'ext', {externalIPs: ['203.0.113.5'], ports: [{port: 80}]})
    const [f] = findings(k8sLoadBalancer, inv(ext))
    expect(f?.remediation).toMatch(/^kubectl -n web patch service ext --type=json -p '\[\{"op":"remove","path":"\/spec\/externalIPs"\}\]' {3}# /)
    expect(afterFix(ext, f!.remediation)).toEqual([])
  })

  it('a LoadBalancer is restricted to the CIDRs the policy allows, or made ClusterIP with its source ranges dropped', () => {
    const lb = service('web', 'traefik', {type: 'LoadBalancer', loadBalancerSourceRanges: ['0.0.0.0/0'], ports: [{port: 443}]})
    const [restricted] = findings(k8sLoadBalancer, inv(lb), policy({exposure: {allow: {'web/traefik': ['10.0.0.0/8']}}}))
    expect(restricted?.remediation).toMatch(/^kubectl -n web patch service traefik -p '\{"spec":\{"loadBalancerSourceRanges":\["10\.0\.0\.0\/8"\]\}\}' {3}# /)
    expect(afterFix(lb, restricted!.remediation, policy({exposure: {allow: {'web/traefik': ['10.0.0.0/8']}}}))).toEqual([])
    const [internal] = findings(k8sLoadBalancer, inv(lb))
    expect(internal?.remediation).toMatch(/^kubectl -n web patch service traefik -p '\{"spec":\{"type":"ClusterIP","loadBalancerSourceRanges":null\}\}' {3}# or keep it a LoadBalancer/)
    const madeInternal = applyPrintedPatch(lb, internal!.remediation)
    expect(madeInternal.spec).toEqual({type: 'ClusterIP', ports: [{port: 443}]})
    expect(afterFix(lb, internal!.remediation)).toEqual([])
  })
})

describe('K8S-INGRESS-NO-TLS', () => {
  it('flags an Ingress without tls', () => {
    const ing = ingress('web', 'web', {rules: [{host: 'web.example.com', http: {paths: [{path: '/', backend: {service: {name: 'web'}}}]}}]})
    const [f] = findings(k8sIngressNoTls, inventory({inputs: ['k8s-ingresses'], kube: {namespaces: [modelNs], ingresses: [ing]}}))
    expect(f).toMatchObject({rule: 'K8S-INGRESS-NO-TLS', severity: 'high', target: {kind: 'Ingress', name: 'web', namespace: 'web'}, evidence: {hosts: ['web.example.com'], backends: ['web']}})
    expect(f?.message).toContain('without TLS')
  })

  it('accepts an Ingress with tls', () => {
    const ing = ingress('web', 'web', {tls: [{hosts: ['web.example.com'], secretName: 's'}], rules: [{host: 'web.example.com'}]})
    expect(findings(k8sIngressNoTls, inventory({inputs: ['k8s-ingresses'], kube: {namespaces: [modelNs], ingresses: [ing]}}))).toEqual([])
  })

  it('flags traefik-k8s routing apps without a certificates relation, and accepts it with one', () => {
    const m = webModel()
    m.relations.push(relation('traefik:ingress', 'web:ingress', 'ingress'))
    const [f] = findings(k8sIngressNoTls, inventory({models: [m]}))
    expect(f).toMatchObject({target: {kind: 'application', name: 'traefik'}, evidence: {routes: ['web']}})
    // No certificate provider in the model: an entry point gets a CA its clients trust, deployed first.
    expect(f?.remediation).toMatch(/^juju show-application -m prod:web lego \|\| juju deploy -m prod:web lego && juju integrate -m prod:web traefik:certificates lego:certificates {3}# configure lego/)
    m.applications.set('ca', {...app('ca', {charm: 'self-signed-certificates'}), model: 'web', controller: 'prod'})
    m.relations.push(relation('traefik:certificates', 'ca:certificates', 'tls-certificates'))
    expect(findings(k8sIngressNoTls, inventory({models: [m]}))).toEqual([])
  })

  it("a Sunbeam cloud's traefik gets TLS through Sunbeam, which also gives Keystone the CA, for the endpoint it serves", () => {
    const m = model('openstack', {
      type: 'caas',
      apps: [app('traefik', {charm: 'traefik-k8s'}), app('traefik-public', {charm: 'traefik-k8s'}), app('keystone', {charm: 'keystone-k8s'})],
      relations: [relation('traefik:ingress', 'keystone:ingress-internal', 'ingress'), relation('traefik-public:ingress', 'keystone:ingress-public', 'ingress')],
    })
    const fixes = new Map(findings(k8sIngressNoTls, inventory({models: [m]})).map((f) => [f.target.name, f.remediation]))
    expect(fixes.get('traefik')).toMatch(/^sunbeam enable tls ca --ca "\$\(base64 -w0 ca\.pem\)" --ca-chain "\$\(base64 -w0 chain\.pem\)" --endpoint internal {3}# traefik is Sunbeam's internal ingress .*gives Keystone the CA/)
    expect(fixes.get('traefik-public')).toMatch(/^sunbeam enable tls ca .* --endpoint public {3}#/)
    // Without keystone-k8s it is not Sunbeam: a traefik named so gets the usual certificates relation.
    m.applications.delete('keystone')
    m.relations = []
    m.relations.push(relation('traefik:ingress', 'web:ingress', 'ingress'))
    m.applications.set('web', {...app('web'), model: 'openstack', controller: 'prod'})
    expect(findings(k8sIngressNoTls, inventory({models: [m]}))[0]?.remediation).toMatch(/^juju show-application -m prod:openstack lego \|\| juju deploy -m prod:openstack lego && juju integrate/)
  })

  it('an Ingress a Juju application writes gets its TLS through that application, not kubectl', () => {
    // As nginx-ingress-integrator labels the Ingresses it writes (application `ingress`).
    const m = model('livepatch', {type: 'caas', namespace: 'livepatch', apps: [app('ingress', {charm: 'nginx-ingress-integrator'}), app('livepatch', {charm: 'canonical-livepatch-server-k8s'})]})
    const ing = ingress('livepatch', 'relation-4-livepatch-ingress', {ingressClassName: 'public', rules: [{host: 'livepatch', http: {paths: [{path: '/', backend: {service: {name: 'relation-4-livepatch-service'}}}]}}]})
    ing.metadata.labels = {'nginx-ingress-integrator.charm.juju.is/managed-by': 'ingress'}
    const [f] = findings(k8sIngressNoTls, inventory({models: [m], inputs: ['k8s-ingresses'], kube: {namespaces: [namespace('livepatch', {'model.juju.is/name': 'livepatch'})], ingresses: [ing]}}))
    expect(f?.message).toBe('Ingress livepatch/relation-4-livepatch-ingress (managed by Juju application ingress) serves livepatch without TLS.')
    expect(f?.remediation).toMatch(/^juju show-application -m prod:livepatch lego \|\| juju deploy -m prod:livepatch lego && juju integrate -m prod:livepatch ingress:certificates lego:certificates {3}# configure lego/)
    expect(f?.remediation).not.toContain('kubectl')

    // With the certificates relation already there: where to look, in a status command Juju 3 and 4 both take (Juju 4's takes no application selector).
    m.applications.set('lego', {...app('lego', {charm: 'lego'}), model: 'livepatch', controller: 'prod'})
    m.relations.push(relation('ingress:certificates', 'lego:certificates', 'tls-certificates'))
    const [related] = findings(k8sIngressNoTls, inventory({models: [m], inputs: ['k8s-ingresses'], kube: {namespaces: [namespace('livepatch', {'model.juju.is/name': 'livepatch'})], ingresses: [ing]}}))
    expect(related?.remediation).toMatch(/^juju status -m prod:livepatch --relations {3}# ingress has a certificates relation but its Ingress has no TLS yet/)
  })

  describe('Gateway API routes', () => {
    const listeners = [
      {name: 'http', port: 80, protocol: 'HTTP', hostname: 'web.example.com'},
      {name: 'https', port: 443, protocol: 'HTTPS', hostname: 'web.example.com', tls: {mode: 'Terminate'}},
    ]
    const edge = gateway('infra', 'edge', {gatewayClassName: 'eg', listeners})
    const toWeb = [{backendRefs: [{name: 'web', port: 80}]}]
    const judged = (routes: ReturnType<typeof httpRoute>[], gateways = [edge]) =>
      findings(k8sIngressNoTls, inventory({models: [webModel()], inputs: ['k8s-gateway-api'], kube: {namespaces: [modelNs], gateways, routes}}))

    it('a route attached to every listener of its Gateway, the HTTP one too, is served in clear; the fix attaches it to the HTTPS listener only, and then it is not', () => {
      const route = httpRoute('web', 'web', {parentRefs: [{name: 'edge', namespace: 'infra'}], rules: toWeb})
      const [f] = judged([route])
      expect(f).toMatchObject({rule: 'K8S-INGRESS-NO-TLS', severity: 'high', target: {kind: 'HTTPRoute', name: 'web', namespace: 'web', model: 'web'}})
      expect(f?.message).toBe('HTTPRoute web/web serves web/web over plain HTTP on Gateway infra/edge (http, port 80).')
      expect(f?.remediation).toMatch(/^kubectl -n web patch httproutes\.gateway\.networking\.k8s\.io web --type=json -p '\[\{"op":"add","path":"\/spec\/parentRefs\/0\/sectionName","value":"https"\}\]' {3}# serves it on https \(HTTPS, port 443\) only/)
      const fixed = applyPrintedPatch(route, f!.remediation!)
      expect(fixed.spec.parentRefs).toEqual([{name: 'edge', namespace: 'infra', sectionName: 'https'}])
      expect(judged([fixed])).toEqual([])
    })

    it('not found: a route only redirecting to https, one on the HTTPS listener, one whose Gateway was not read', () => {
      const redirect = httpRoute('web', 'redirect', {parentRefs: [{name: 'edge', namespace: 'infra', sectionName: 'http'}], rules: [{filters: [{type: 'RequestRedirect', requestRedirect: {scheme: 'https'}}]}]})
      const secure = httpRoute('web', 'secure', {parentRefs: [{name: 'edge', namespace: 'infra', port: 443}], rules: toWeb})
      const unread = httpRoute('web', 'unread', {parentRefs: [{name: 'elsewhere'}], rules: toWeb})
      expect(judged([redirect, secure, unread])).toEqual([])
    })

    it('a GRPCRoute on an HTTP listener (cleartext HTTP/2) is found too', () => {
      const grpc = httpRoute('web', 'api', {parentRefs: [{name: 'edge', namespace: 'infra', sectionName: 'http'}], rules: [{backendRefs: [{name: 'web', port: 9000}]}]}, 'GRPCRoute')
      expect(judged([grpc]).map((f) => `${f.target.kind}/${f.target.name}`)).toEqual(['GRPCRoute/api'])
    })

    it('a route gateway-api-integrator writes gets TLS through the charm, not kubectl', () => {
      const m = model('web', {type: 'caas', namespace: 'web', apps: [app('web'), app('gateway', {charm: 'gateway-api-integrator'})]})
      const own = gateway('web', 'gateway', {gatewayClassName: 'ck-gateway', listeners: [{name: 'gateway-http-listener', port: 80, protocol: 'HTTP'}]})
      const route = httpRoute('web', 'gateway-http', {parentRefs: [{name: 'gateway', namespace: 'web', sectionName: 'gateway-http-listener'}], rules: [{backendRefs: [{name: 'web-gateway-service', port: 8080}]}]})
      route.metadata.labels = {'gateway-api-integrator.charm.juju.is/managed-by': 'gateway'}
      const [f] = findings(k8sIngressNoTls, inventory({models: [m], inputs: ['k8s-gateway-api'], kube: {namespaces: [modelNs], gateways: [own], routes: [route]}}))
      expect(f?.message).toBe('HTTPRoute web/gateway-http (managed by Juju application gateway) serves web/web-gateway-service over plain HTTP on Gateway web/gateway (gateway-http-listener, port 80).')
      expect(f?.remediation).toContain('gateway:certificates')
      expect(f?.remediation).not.toContain('kubectl')
    })
  })

  it('names the certificate provider the model already runs', () => {
    const m = webModel()
    m.relations.push(relation('traefik:ingress', 'web:ingress', 'ingress'))
    m.applications.set('acme', {...app('acme', {charm: 'lego'}), model: 'web', controller: 'prod'})
    const [f] = findings(k8sIngressNoTls, inventory({models: [m]}))
    expect(f?.remediation).toBe('juju integrate -m prod:web traefik:certificates acme:certificates')
  })
})

// ---------------------------------------------------------------- K8S-RUN-AS-ROOT

/** `kubectl -n NS patch KIND NAME -p 'JSON'   # ...` → the parts, checking the command's shape. */
function parsePatch(command: string): {namespace: string; resource: string; name: string; body: unknown} {
  const match = /^kubectl -n ([a-z0-9-]+) patch (deployment|statefulset|daemonset|cronjob) ([a-z0-9.-]+) -p '([^']+)'(?:   # .*)?$/.exec(command)
  if (!match) throw new Error(`not a kubectl patch command: ${command}`)
  return {namespace: match[1]!, resource: match[2]!, name: match[3]!, body: JSON.parse(match[4]!) as unknown}
}

const modelOperator = () => {
  const labels = {'operator.juju.is/name': 'modeloperator', 'operator.juju.is/target': 'model'}
  const w = workload('Deployment', 'web', 'modeloperator', {labels, spec: {serviceAccountName: 'modeloperator', containers: [{name: 'juju-operator', image: 'ghcr.io/juju/jujud-operator:3.6.8'}]}})
  return {workload: w, pod: pod('web', 'modeloperator-6f8d9c7b54-q7v2m', {labels: {...labels, 'pod-template-hash': '6f8d9c7b54'}, spec: w.spec.template.spec, owner: {kind: 'ReplicaSet', name: 'modeloperator-6f8d9c7b54'}})}
}

describe('K8S-RUN-AS-ROOT', () => {
  it('flags a Deployment applied by hand in a model namespace once, with its pods, and a patch that fixes it', () => {
    const spec = {containers: [{name: 'adminer', image: 'docker.io/library/adminer:4.8.1', ports: [{containerPort: 8080}]}]}
    const deployment = workload('Deployment', 'web', 'adminer', {labels: {app: 'adminer'}, spec})
    const inv = inventory({
      models: [webModel()],
      inputs: ['k8s-pods', 'k8s-workloads'],
      kube: {
        namespaces: [modelNs],
        workloads: [deployment],
        pods: [pod('web', 'adminer-5d8f7c9b6d-x7k2p', {labels: {app: 'adminer', 'pod-template-hash': '5d8f7c9b6d'}, spec, owner: {kind: 'ReplicaSet', name: 'adminer-5d8f7c9b6d'}})],
      },
    })
    const fs = findings(k8sRunAsRoot, inv)
    expect(fs).toHaveLength(1)
    expect(fs[0]).toMatchObject({
      rule: 'K8S-RUN-AS-ROOT',
      severity: 'medium',
      target: {kind: 'Deployment', name: 'adminer', namespace: 'web', model: 'web'},
      evidence: {pods: ['adminer-5d8f7c9b6d-x7k2p'], containers: [{name: 'adminer', runAsUser: null, runAsNonRoot: null}]},
    })
    expect(fs[0]?.message).toBe("Deployment web/adminer: container adminer may run as root (no runAsUser and no runAsNonRoot: the image's USER decides).")
    expect(fs[0]?.remediation).toBe(
      `kubectl -n web patch deployment adminer -p '{"spec":{"template":{"spec":{"securityContext":{"runAsNonRoot":true}}}}}'   # the kubelet then refuses to start a container whose image runs as root or as a non-numeric USER: set runAsUser to a uid the image supports, or use an image with a non-root USER`,
    )
    // Applied to the Deployment by kubectl, the patch leaves nothing to report.
    const patched = applyPrintedPatch(deployment, fs[0]!.remediation)
    expect(findings(k8sRunAsRoot, inventory({models: [webModel()], inputs: ['k8s-workloads'], kube: {namespaces: [modelNs], workloads: [patched]}}))).toEqual([])
  })

  it('judges the namespaces the policy names: runAsUser 0 on a container is high, and the patch drops it on that container', () => {
    const spec = {
      securityContext: {runAsUser: 0},
      initContainers: [{name: 'setup', image: 'busybox:1.36', securityContext: {runAsUser: 0}}],
      containers: [{name: 'exporter', image: 'quay.io/prometheus/node-exporter:v1.8.2', securityContext: {runAsUser: 0, readOnlyRootFilesystem: true}}, {name: 'proxy', image: 'quay.io/brancz/kube-rbac-proxy:v0.18.0', securityContext: {runAsUser: 65532}}],
    }
    const daemonSet = workload('DaemonSet', 'monitoring', 'node-exporter', {labels: {'app.kubernetes.io/name': 'node-exporter'}, spec})
    const inv = inventory({inputs: ['k8s-workloads'], kube: {workloads: [daemonSet]}})
    expect(findings(k8sRunAsRoot, inv)).toEqual([])
    const fs = findings(k8sRunAsRoot, inv, policy({kubernetes: {namespaces: ['monitoring']}}))
    expect(fs).toHaveLength(1)
    expect(fs[0]).toMatchObject({severity: 'high', target: {kind: 'DaemonSet', name: 'node-exporter', namespace: 'monitoring'}})
    expect(fs[0]?.target).not.toHaveProperty('model')
    expect(fs[0]?.message).toBe('DaemonSet monitoring/node-exporter: init container setup runs as root (runAsUser is 0); container exporter runs as root (runAsUser is 0).')
    const patch = parsePatch(fs[0]!.remediation)
    expect(patch).toMatchObject({namespace: 'monitoring', resource: 'daemonset', name: 'node-exporter'})
    expect(patch.body).toEqual({
      spec: {
        template: {
          spec: {
            securityContext: {runAsNonRoot: true, runAsUser: null},
            initContainers: [{name: 'setup', securityContext: {runAsNonRoot: true, runAsUser: null}}],
            containers: [{name: 'exporter', securityContext: {runAsNonRoot: true, runAsUser: null}}],
          },
        },
      },
    })
    const patched = applyPrintedPatch(daemonSet, fs[0]!.remediation)
    expect(patched.spec.template.spec.containers?.[0]?.securityContext).toEqual({readOnlyRootFilesystem: true, runAsNonRoot: true})
    expect(findings(k8sRunAsRoot, inventory({inputs: ['k8s-workloads'], kube: {workloads: [patched]}}), policy({kubernetes: {namespaces: ['monitoring']}}))).toEqual([])
  })

  it("a CronJob's patch goes through its job template", () => {
    const template = {metadata: {labels: {job: 'backup'}}, spec: {restartPolicy: 'OnFailure', containers: [{name: 'backup', image: 'postgres:16'}]}}
    const cronJob = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: {name: 'db-backup', namespace: 'web'},
      spec: {schedule: '0 3 * * *', jobTemplate: {spec: {template}}, template},
      ref: {file: 'cronjobs.json', path: ['items', 0]},
    } as unknown as ReturnType<typeof workload>
    const [f] = findings(k8sRunAsRoot, inventory({inputs: ['k8s-workloads'], kube: {namespaces: [modelNs], workloads: [cronJob]}}))
    expect(parsePatch(f!.remediation).body).toEqual({spec: {jobTemplate: {spec: {template: {spec: {securityContext: {runAsNonRoot: true}}}}}}})
  })

  it('accepts runAsNonRoot or a non-zero runAsUser at pod or container level', () => {
    const inv = inventory({
      inputs: ['k8s-workloads'],
      kube: {
        namespaces: [modelNs],
        workloads: [
          workload('Deployment', 'web', 'pod-level', {spec: {securityContext: {runAsNonRoot: true}, containers: [{name: 'c'}]}}),
          workload('Deployment', 'web', 'container-level', {spec: {containers: [{name: 'c', securityContext: {runAsUser: 1000}}]}}),
          workload('Deployment', 'web', 'group-zero', {spec: {securityContext: {runAsUser: 1000, runAsGroup: 0}, containers: [{name: 'c'}]}}),
        ],
      },
    })
    expect(findings(k8sRunAsRoot, inv)).toEqual([])
  })

  it("leaves Juju applications to JUJU-ROOT-CONTAINER and does not judge Juju's own model operator and controller", () => {
    const operator = modelOperator()
    const controllerNs = namespace('controller-prod', {'model.juju.is/name': 'controller'}, {'controller.juju.is/is-controller': 'true'})
    const controllerSpec = {containers: [{name: 'charm'}, {name: 'mongodb', image: 'docker.io/jujusolutions/juju-db:4.4'}, {name: 'api-server', image: 'ghcr.io/juju/jujud-operator:3.6.8'}]}
    const inv = inventory({
      models: [webModel()],
      inputs: ['k8s-pods', 'k8s-workloads'],
      kube: {
        namespaces: [modelNs, controllerNs],
        workloads: [jujuStatefulSet('web', 'web', 0), operator.workload, workload('StatefulSet', 'controller-prod', 'controller', {labels: {'app.kubernetes.io/name': 'controller'}, spec: controllerSpec})],
        pods: [jujuSidecarPod('web', 'web-0', 'web', 0), operator.pod, pod('controller-prod', 'controller-0', {labels: {'app.kubernetes.io/name': 'controller'}, spec: controllerSpec, owner: {kind: 'StatefulSet', name: 'controller'}})],
      },
    })
    expect(findings(k8sRunAsRoot, inv)).toEqual([])
  })

  it('a workload a charm created for itself is the charm\'s to fix: no kubectl patch it would overwrite', () => {
    // What lightkube's resource handler puts on what a charm creates (here the charm of `web`).
    const created = workload('Deployment', 'web', 'web-dashboard', {labels: {'app.kubernetes.io/name': 'web-dashboard'}, spec: {containers: [{name: 'dashboard', image: 'docker.io/kubeflownotebookswg/centraldashboard:v1.9.0'}]}})
    created.metadata.labels = {'app.juju.is/created-by': 'web', 'app.kubernetes.io/managed-by': 'juju', 'app.kubernetes.io/name': 'web-dashboard'}
    const [f] = findings(k8sRunAsRoot, inventory({models: [webModel()], inputs: ['k8s-workloads'], kube: {namespaces: [modelNs], workloads: [created]}}))
    expect(f?.message).toBe("Deployment web/web-dashboard (created by the charm of Juju application web): container dashboard may run as root (no runAsUser and no runAsNonRoot: the image's USER decides).")
    expect(f?.remediation).toMatch(/^The charm of web creates Deployment web\/web-dashboard and re-applies it/)
  })

  it('a bare Pod gets the manifest field to set, not a patch (a running Pod\'s securityContext cannot change)', () => {
    const inv = inventory({inputs: ['k8s-pods'], kube: {namespaces: [modelNs], pods: [pod('web', 'debug', {spec: {containers: [{name: 'shell', image: 'ubuntu:24.04'}]}})]}})
    const [f] = findings(k8sRunAsRoot, inv)
    expect(f?.target).toMatchObject({kind: 'Pod', name: 'debug'})
    expect(f?.remediation).toMatch(/^Set `securityContext\.runAsNonRoot: true` at pod level .* in the manifest of Pod web\/debug and recreate it/)
    expect(f?.remediation).not.toContain('kubectl')
  })

  it('is not evaluated without pods or workloads', () => {
    expect(run(k8sRunAsRoot, inventory({})).notEvaluated[0]?.message).toBe('not evaluated: needs Kubernetes pods or Kubernetes workloads')
  })
})
