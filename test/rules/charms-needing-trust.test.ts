import {fileURLToPath} from 'node:url'

import {describe, expect, it} from 'vitest'

import {runAudit} from '../../src/audit/run-audit.js'
import {jujuTrust} from '../../src/rules/juju-applications.js'
import {app, findings, inventory, model} from './factories.js'

/** The JUJU-TRUST fix for one trusted application of the given charm, in model `m` of controller `prod`. */
function trustFix(name: string, charm: string): string | undefined {
  const inv = inventory({models: [model('m', {apps: [app(name, {charm, trust: true})], inputs: ['juju-config']})]})
  const [f] = findings(jujuTrust, inv)
  expect(f).toMatchObject({rule: 'JUJU-TRUST', target: {kind: 'application', name}})
  return f?.remediation
}

describe('JUJU-TRUST for charms whose own documentation or deployment module asks for --trust', () => {
  it.each([
    // COS Lite: its bundle and each charm's Terraform module set trust; removing it blocks the resource patch.
    ['prometheus', 'prometheus-k8s', "it patches its own StatefulSet's resource limits"],
    ['otelcol', 'opentelemetry-collector-k8s', "it patches its own StatefulSet's resource limits"],
    // Data Platform: "--trust is required to create some K8s resources".
    ['mysql', 'mysql-k8s', 'it creates its primary and replica Services and labels its pods'],
    ['kafka', 'kafka-k8s', 'it creates NodePort Services and patches its StatefulSet for juju refresh'],
    // Charmed Kubeflow 1.10 trusts every application but minio; each charm applies cluster objects or patches its Service.
    ['admission-webhook', 'admission-webhook', 'it applies its PodDefault CRD, a ClusterRole and the mutating webhook for pods'],
    ['kfp-metadata-writer', 'kfp-metadata-writer', 'its workload watches and patches pods in every namespace as its ServiceAccount'],
    // Needs trust for its own Service only: the reason says so, for the audit to weigh.
    ['envoy', 'envoy', 'it patches its own Service, and nothing else'],
    // Identity Platform and MLflow.
    ['hydra', 'hydra', 'it creates its admin and public Services'],
    ['mlflow-server', 'mlflow-server', 'it patches its own Service, ClusterIP or NodePort'],
    // SD-Core: its bundle and READMEs trust every network function.
    ['amf', 'sdcore-amf', "it patches its own Service's ports"],
    ['upf', 'sdcore-upf-k8s', 'it creates its external LoadBalancer Service and attaches its pods to the access and core networks through Multus'],
    // Cloud integrators: trust is how they reach the cloud (their READMEs: `juju trust aws-integrator`).
    ['aws-integrator', 'aws-integrator', "it manages cloud resources with the model's cloud credential; its alternative, the credentials option, would put the cloud key in plain config"],
    ['openstack-integrator', 'openstack-integrator', "it manages cloud resources with the model's cloud credential; its alternative, the credentials option, would put the cloud key in plain config"],
  ])('%s (%s): audit and allow, naming why, with no --remove to run', (name, charm, reason) => {
    const fix = trustFix(name, charm)
    expect(fix).toBe(
      `audit ${name} and add "m/${name}" to trust.allow in hardenctl.yaml: ${charm} needs --trust (${reason}), so \`juju trust -m prod:m ${name} --remove\` would break it`,
    )
    // `--remove` appears only inside the warning, never as the command the fix starts with.
    expect(fix).not.toMatch(/^juju trust/)
    expect(fix).not.toContain('trust=false')
  })

  it('still prints `juju trust ... --remove` for a charm that does not need trust', () => {
    // self-signed-certificates only signs CSRs from relation data: its docs deploy it without --trust.
    const fix = trustFix('ca', 'self-signed-certificates')
    expect(fix).toMatch(/^juju trust -m prod:m ca --remove {3}# or: juju config -m prod:m ca trust=false/)
    // Kubeflow deploys minio without trust, so MLflow's trusted minio is told to drop it.
    expect(trustFix('mlflow-minio', 'minio')).toMatch(/^juju trust -m prod:m mlflow-minio --remove/)
    // The later SD-Core network functions set their ports through Juju; their READMEs deploy them untrusted.
    expect(trustFix('nrf', 'sdcore-nrf-k8s')).toMatch(/^juju trust -m prod:m nrf --remove/)
  })
})

describe('JUJU-TRUST on real bundles that trust what needs it', () => {
  it.each([
    // Every trusted application's charm creates or patches Kubernetes objects (research in known-charms.ts).
    ['canonical__bundle-kubeflow__releases__1.10__stable__bundle.yaml', 36],
    ['canonical__cos-lite-bundle__bundle.yaml', 4],
    // SD-Core: the ten network functions patch their Services (the UPF also creates a LoadBalancer and its Multus networks); mongodb-k8s its webhook.
    ['canonical__sdcore-bundles__render_bundle__tests__unit__src__expected_bundle_sdcore.yaml', 11],
  ])('%s: every JUJU-TRUST fix keeps trust and says why; none prints --remove as the command to run', async (file, trusted) => {
    const result = await runAudit({from: [fileURLToPath(new URL(`../real-world/bundles/${file}`, import.meta.url))], toolVersion: 'test'})
    const fixes = result.report.findings.filter((finding) => finding.rule === 'JUJU-TRUST').map((finding) => finding.remediation)
    expect(fixes).toHaveLength(trusted)
    for (const fix of fixes) expect(fix).toMatch(/^audit \S+ and add "[^"]+" to trust\.allow in hardenctl\.yaml: \S+ needs --trust \(.+\), so `juju trust .* --remove` would break it$/)
  })
})
