import {describe, expect, it} from 'vitest'

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
  })
})
