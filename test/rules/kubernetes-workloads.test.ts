import {describe, expect, it} from 'vitest'

import {
  k8sHostAccess,
  k8sIngressNoTls,
  k8sLoadBalancer,
  k8sPrivileged,
  k8sServiceAccountOverprivileged,
} from '../../src/rules/kubernetes-workloads.js'
import {app, binding, findings, ingress, inventory, model, namespace, pod, policy, relation, role, run, service, serviceAccount, WILDCARD, workload} from './factories.js'

const modelNs = namespace('web', {'model.juju.is/name': 'web'})
const webModel = () => model('web', {type: 'caas', namespace: 'web', apps: [app('web'), app('traefik', {charm: 'traefik-k8s'})]})

describe('K8S-PRIVILEGED', () => {
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

describe('K8S-LOADBALANCER', () => {
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
    m.applications.set('ca', {...app('ca', {charm: 'self-signed-certificates'}), model: 'web', controller: 'prod'})
    m.relations.push(relation('traefik:certificates', 'ca:certificates', 'tls-certificates'))
    expect(findings(k8sIngressNoTls, inventory({models: [m]}))).toEqual([])
  })
})
