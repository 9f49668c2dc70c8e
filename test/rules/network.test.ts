import {describe, expect, it} from 'vitest'

import {netNamespacePsa, netNoDefaultDeny, netUnrestrictedPod} from '../../src/rules/network.js'
import {app, findings, inventory, model, namespace, networkPolicy, pod, policy, run} from './factories.js'

const ns = (name: string, labels: Record<string, string> = {}) => namespace(name, {'model.juju.is/name': name, ...labels}, {'hardenctl.io/waive': 'NONE=x'})
const labels = {'app.kubernetes.io/name': 'web'}

describe('NET-NO-DEFAULT-DENY', () => {
  it('flags a model namespace without a default-deny ingress policy', () => {
    const allowWeb = networkPolicy('web', 'allow-web', {podSelector: {matchLabels: labels}, ingress: [{}]})
    const [f] = findings(netNoDefaultDeny, inventory({models: [model('web', {type: 'caas', namespace: 'web'})], inputs: ['k8s-networkpolicies'], kube: {namespaces: [ns('web')], networkPolicies: [allowWeb]}}))
    expect(f).toMatchObject({rule: 'NET-NO-DEFAULT-DENY', severity: 'high', target: {kind: 'namespace', name: 'web', model: 'web'}, evidence: {networkPolicies: ['allow-web']}})
    expect(f?.message).toContain('no default-deny')
    // A model's namespace: reconcile writes the model's allows before the deny; a deny alone would cut them.
    expect(f?.remediation).toMatch(/^hardenctl reconcile -n web {3}# /)
    expect(f?.remediation).toContain('refuses (exit 2) a plan that closes a path in use')
    expect(f?.annotations).toEqual({'hardenctl.io/waive': 'NONE=x'})
  })

  it('beside a policy that admits everyone to every pod, says a default deny changes nothing and removes that policy first', () => {
    const allowAll = networkPolicy('web', 'allow-all-ingress', {podSelector: {}, policyTypes: ['Ingress'], ingress: [{}]})
    const [f] = findings(netNoDefaultDeny, inventory({inputs: ['k8s-networkpolicies'], kube: {namespaces: [ns('web')], networkPolicies: [allowAll]}}))
    expect(f?.message).toContain('allow-all-ingress admits every source to every pod on every port, and policies add up: a default deny beside it would change nothing.')
    expect(f?.remediation).toMatch(/^kubectl -n web delete networkpolicy allow-all-ingress && hardenctl reconcile -n web {3}# /)
  })

  it('accepts podSelector {} with Ingress and no rules, or ingress: []', () => {
    const a = networkPolicy('a', 'deny', {podSelector: {}, policyTypes: ['Ingress']})
    const b = networkPolicy('b', 'deny', {podSelector: {}, ingress: []})
    const inv = inventory({inputs: ['k8s-networkpolicies'], kube: {namespaces: [ns('a'), ns('b')], networkPolicies: [a, b]}})
    expect(findings(netNoDefaultDeny, inv)).toEqual([])
  })

  it('does not count an Egress-only or allow-all policy as default deny', () => {
    const egress = networkPolicy('a', 'egress', {podSelector: {}, policyTypes: ['Egress']})
    const allowAll = networkPolicy('b', 'all', {podSelector: {}, ingress: [{}]})
    const inv = inventory({inputs: ['k8s-networkpolicies'], kube: {namespaces: [ns('a'), ns('b')], networkPolicies: [egress, allowAll]}})
    expect(findings(netNoDefaultDeny, inv).map((f) => f.target.name)).toEqual(['a', 'b'])
  })

  it('audits a caas model namespace even with no objects read in it; not controller or system namespaces', () => {
    const inv = inventory({
      models: [model('cos', {type: 'caas'})],
      inputs: ['k8s-networkpolicies'],
      kube: {namespaces: [namespace('kube-system'), namespace('controller-prod', {}, {'controller.juju.is/is-controller': 'true'})]},
    })
    expect(findings(netNoDefaultDeny, inv).map((f) => f.target.name)).toEqual(['cos'])
  })

  it('names a policy that already isolates every pod, points at the first policy when no Namespace was read, and gives a Juju-free fix outside models', () => {
    const allowlist = networkPolicy('default', 'np2', {podSelector: {}, ingress: [{from: [{ipBlock: {cidr: '172.1.0.0/16'}}]}]})
    const inv = inventory({inputs: ['k8s-networkpolicies'], kube: {networkPolicies: [allowlist]}})
    const [f] = findings(netNoDefaultDeny, inv, policy({kubernetes: {namespaces: ['default']}}))
    expect(f?.message).toContain('every pod is isolated by np2 and admits only what it lists, but nothing denies by default')
    expect(f?.location?.file).toBe('netpol.json')
    expect(f?.remediation).toMatch(/^echo '\{"apiVersion":"networking.k8s.io\/v1","kind":"NetworkPolicy".*"podSelector":\{\}.*' \| kubectl apply -f - {3}# first allow each workload's clients on its ports$/)
    expect(f?.remediation).not.toContain('17071')
    // In a model's namespace the fix says what the model needs.
    const [inModel] = findings(netNoDefaultDeny, inventory({models: [model('web', {type: 'caas', namespace: 'web'})], inputs: ['k8s-networkpolicies'], kube: {namespaces: [ns('web')]}}))
    expect(inModel?.remediation).toContain('agents to the modeloperator, TCP 17071')
  })

  it('is not evaluated without NetworkPolicies', () => {
    expect(run(netNoDefaultDeny, inventory({kube: {namespaces: [ns('web')]}, inputs: ['k8s-namespaces']})).notEvaluated[0]?.needs).toEqual(['k8s-networkpolicies'])
  })
})

describe('NET-UNRESTRICTED-POD', () => {
  const webPods = [pod('web', 'web-0', {labels, owner: {kind: 'StatefulSet', name: 'web'}}), pod('web', 'web-1', {labels, owner: {kind: 'StatefulSet', name: 'web'}})]
  const m = () => model('web', {type: 'caas', namespace: 'web', apps: [app('web')]})

  it('flags pods no ingress policy selects, once per workload', () => {
    const inv = inventory({models: [m()], inputs: ['k8s-networkpolicies', 'k8s-pods'], kube: {namespaces: [ns('web')], pods: webPods}})
    const fs = findings(netUnrestrictedPod, inv)
    expect(fs).toHaveLength(1)
    expect(fs[0]).toMatchObject({rule: 'NET-UNRESTRICTED-POD', severity: 'medium', target: {kind: 'StatefulSet', name: 'web', namespace: 'web'}, evidence: {application: 'web', pods: ['web-0', 'web-1']}})
    expect(fs[0]?.message).toContain('no ingress NetworkPolicy selects')
  })

  it('flags pods an allow-all rule opens, even next to a default deny', () => {
    const deny = networkPolicy('web', 'deny', {podSelector: {}, policyTypes: ['Ingress']})
    const all = networkPolicy('web', 'open', {podSelector: {matchExpressions: [{key: 'app.kubernetes.io/name', operator: 'In', values: ['web']}]}, ingress: [{}]})
    const inv = inventory({models: [m()], inputs: ['k8s-networkpolicies', 'k8s-pods'], kube: {namespaces: [ns('web')], pods: webPods, networkPolicies: [deny, all]}})
    const [f] = findings(netUnrestrictedPod, inv)
    expect(f?.message).toContain('policy open admits traffic from everywhere')
  })

  it('accepts pods selected by restricting policies', () => {
    const deny = networkPolicy('web', 'deny', {podSelector: {}, policyTypes: ['Ingress']})
    const fromTraefik = networkPolicy('web', 'from-traefik', {podSelector: {matchLabels: labels}, ingress: [{from: [{podSelector: {matchLabels: {'app.kubernetes.io/name': 'traefik'}}}], ports: [{port: 8080}]}]})
    const inv = inventory({models: [m()], inputs: ['k8s-networkpolicies', 'k8s-pods'], kube: {namespaces: [ns('web')], pods: webPods, networkPolicies: [deny, fromTraefik]}})
    expect(findings(netUnrestrictedPod, inv)).toEqual([])
  })

  it('needs both NetworkPolicies and pods or workloads', () => {
    const result = run(netUnrestrictedPod, inventory({inputs: ['k8s-pods'], kube: {pods: webPods}}))
    expect(result.notEvaluated[0]).toMatchObject({needs: ['k8s-networkpolicies']})
  })
})

describe('NET-NAMESPACE-PSA', () => {
  it('flags scoped namespaces without pod-security labels', () => {
    const inv = inventory({inputs: ['k8s-namespaces'], kube: {namespaces: [ns('web'), ns('db', {'pod-security.kubernetes.io/enforce': 'baseline'}), namespace('default')]}})
    const fs = findings(netNamespacePsa, inv)
    expect(fs.map((f) => f.target.name)).toEqual(['web'])
    expect(fs[0]).toMatchObject({severity: 'low', target: {kind: 'namespace'}})
    expect(fs[0]?.remediation).toContain('kubectl label namespace web pod-security.kubernetes.io/enforce=baseline')
    // No pods were read: the server's dry run says first which running pods baseline would refuse.
    expect(fs[0]?.remediation).toContain('`kubectl label --dry-run=server --overwrite namespace web pod-security.kubernetes.io/enforce=baseline`')
  })

  it('does not enforce baseline on a namespace whose pods break it (they would be refused at their next start): it warns and audits first', () => {
    // As ingress-nginx's manifest for kind runs its controller: the node's ports 80 and 443.
    const controller = pod('web', 'ingress-nginx-controller-6d7b5c9f4-x2k8p', {spec: {containers: [{name: 'controller', ports: [{containerPort: 80, hostPort: 80}, {containerPort: 443, hostPort: 443}]}]}})
    const [f] = findings(netNamespacePsa, inventory({inputs: ['k8s-namespaces', 'k8s-pods'], kube: {namespaces: [ns('web')], pods: [controller]}}))
    expect(f?.remediation).toBe(
      'kubectl label namespace web pod-security.kubernetes.io/warn=baseline pod-security.kubernetes.io/audit=baseline   # enforce=baseline would refuse the pods of Pod ingress-nginx-controller-6d7b5c9f4-x2k8p (hostPort 80, 443) when they are next created: change or move those first, then add pod-security.kubernetes.io/enforce=baseline',
    )
    // Pods that meet baseline (root, NET_BIND_SERVICE) leave enforce as the fix.
    const plain = pod('web', 'web-0', {spec: {containers: [{name: 'web', securityContext: {capabilities: {add: ['NET_BIND_SERVICE']}}}]}})
    expect(findings(netNamespacePsa, inventory({inputs: ['k8s-namespaces', 'k8s-pods'], kube: {namespaces: [ns('web')], pods: [plain]}}))[0]?.remediation).toBe(
      'kubectl label namespace web pod-security.kubernetes.io/enforce=baseline pod-security.kubernetes.io/warn=restricted pod-security.kubernetes.io/audit=restricted',
    )
  })

  it('leaves scoped namespaces that were not read not evaluated', () => {
    const inv = inventory({models: [model('cos', {type: 'caas'})], inputs: ['k8s-namespaces'], kube: {namespaces: [ns('web', {'pod-security.kubernetes.io/warn': 'restricted'})]}})
    const result = run(netNamespacePsa, inv)
    expect(result.findings).toEqual([])
    expect(result.notEvaluated[0]?.targets?.map((t) => t.name)).toEqual(['cos'])
  })
})
