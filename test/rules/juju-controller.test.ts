import {describe, expect, it} from 'vitest'

import {jujuCloudCredential, jujuControllerApiPort, jujuControllerPorts} from '../../src/rules/juju-controller.js'
import {applyPrintedPatch} from '../helpers/kubectl-patch.js'
import {controller, findings, inventory, model, namespace, run, service} from './factories.js'

describe('JUJU-CONTROLLER-PORTS', () => {
  it('flags a LoadBalancer controller service with ports beyond 17070', () => {
    const svc = service('controller-prod', 'controller-service', {type: 'LoadBalancer', ports: [{port: 17070}, {port: 37017}]}, {'hardenctl.io/waive': 'OTHER=x'})
    const [f] = findings(jujuControllerPorts, inventory({inputs: ['k8s-services'], kube: {services: [svc]}}))
    expect(f).toMatchObject({rule: 'JUJU-CONTROLLER-PORTS', severity: 'high', target: {kind: 'Service', name: 'controller-service', namespace: 'controller-prod'}, evidence: {ports: [17070, 37017]}})
    expect(f?.message).toContain('37017')
    expect(f?.annotations).toEqual({'hardenctl.io/waive': 'OTHER=x'})
    // The fix drops mongo and keeps the API (ClusterIP would cut every juju client off), as kubectl applies it.
    expect(f?.remediation).toMatch(/^kubectl -n controller-prod patch service controller-service --type=json -p '\[\{"op":"remove","path":"\/spec\/ports\/1"\}\]' {3}# the API \(17070\) stays reachable/)
    const patched = applyPrintedPatch(svc, f!.remediation!)
    expect(patched.spec).toMatchObject({type: 'LoadBalancer', ports: [{port: 17070}]})
  })

  it("accepts a Juju 4 controller's SSH server beside the API, and keeps both when it drops another port", () => {
    // juju/juju internal/provider/kubernetes/bootstrap.go@01da0d29: ports api-server (17070) and ssh-server (17022).
    const juju4 = service('controller-prod', 'controller-service', {type: 'LoadBalancer', ports: [{name: 'api-server', port: 17070}, {name: 'ssh-server', port: 17022}]})
    expect(findings(jujuControllerPorts, inventory({inputs: ['k8s-services'], kube: {services: [juju4]}}))).toEqual([])
    const extra = service('controller-prod', 'controller-service', {type: 'LoadBalancer', ports: [{name: 'api-server', port: 17070}, {name: 'debug', port: 6060}, {name: 'ssh-server', port: 17022}, {name: 'mongo', port: 37017}]})
    const [f] = findings(jujuControllerPorts, inventory({inputs: ['k8s-services'], kube: {services: [extra]}}))
    expect(f?.message).toContain('makes controller ports 6060 and 37017 reachable')
    expect(applyPrintedPatch(extra, f!.remediation!).spec.ports).toEqual([{name: 'api-server', port: 17070}, {name: 'ssh-server', port: 17022}])
  })

  it('flags mongo on an internal service as medium, in annotated controller namespaces', () => {
    const ns = namespace('juju-ctrl', {}, {'controller.juju.is/is-controller': 'true'})
    const svc = service('juju-ctrl', 'mongo', {ports: [{port: 37017}]})
    const [f] = findings(jujuControllerPorts, inventory({inputs: ['k8s-services'], kube: {namespaces: [ns], services: [svc]}}))
    expect(f?.severity).toBe('medium')
    expect(applyPrintedPatch(svc, f!.remediation!).spec.ports ?? []).toEqual([])
  })

  it('accepts a LoadBalancer on 17070 only and ignores other namespaces', () => {
    const ok = service('controller-prod', 'controller-service', {type: 'LoadBalancer', ports: [{port: 17070}]})
    const other = service('web', 'web', {type: 'LoadBalancer', ports: [{port: 37017}]})
    expect(findings(jujuControllerPorts, inventory({inputs: ['k8s-services'], kube: {services: [ok, other]}}))).toEqual([])
  })

  it('is not evaluated without services', () => {
    expect(run(jujuControllerPorts, inventory({})).notEvaluated[0]?.needs).toEqual(['k8s-services'])
  })
})

describe('JUJU-CONTROLLER-API-PORT', () => {
  it('flags a set controller-api-port', () => {
    const c = controller('prod', {config: {'api-port': 17070, 'controller-api-port': 17071}})
    const [f] = findings(jujuControllerApiPort, inventory({controllers: [c], inputs: ['juju-controller-config']}))
    expect(f).toMatchObject({severity: 'low', target: {kind: 'controller', name: 'prod'}})
    expect(f?.remediation).toBe('juju controller-config -c prod controller-api-port=0')
  })

  it('accepts an unset or zero port; not evaluated without config', () => {
    const a = controller('a', {config: {'api-port': 17070}})
    const b = controller('b', {config: {'controller-api-port': 0}})
    const c = controller('c')
    const result = run(jujuControllerApiPort, inventory({controllers: [a, b, c], inputs: ['juju-controller-config']}))
    expect(result.findings).toEqual([])
    expect(result.notEvaluated[0]?.targets?.map((t) => t.name)).toEqual(['c'])
  })
})

describe('JUJU-CLOUD-CREDENTIAL', () => {
  it('flags an ec2 controller whose models use a stored credential', () => {
    const c = controller('aws-prod', {cloudType: 'ec2'})
    const m = model('web', {controller: 'aws-prod', cloud: 'aws', credential: {name: 'default', owner: 'admin', cloud: 'aws'}, inputs: ['juju-show-model']})
    const [f] = findings(jujuCloudCredential, inventory({controllers: [c], models: [m]}))
    expect(f).toMatchObject({rule: 'JUJU-CLOUD-CREDENTIAL', severity: 'low', target: {kind: 'controller', name: 'aws-prod'}, evidence: {credentials: ['aws/admin/default']}})
    expect(f?.message).toContain('instance profile')
  })

  it('ignores other clouds, falls back to default cloud names, and needs show-model', () => {
    const lxd = controller('local', {cloudType: 'lxd'})
    const m1 = model('a', {controller: 'local', credential: {name: 'x'}, inputs: ['juju-show-model']})
    const m2 = model('b', {controller: 'azure-ctl', cloud: 'azure', inputs: ['juju-status']})
    const result = run(jujuCloudCredential, inventory({controllers: [lxd], models: [m1, m2]}))
    expect(result.findings).toEqual([])
    expect(result.notEvaluated[0]?.targets?.map((t) => t.name)).toEqual(['azure-ctl'])
  })
})
