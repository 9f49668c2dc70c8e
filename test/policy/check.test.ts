import {mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'

import {runCliInWorker} from '../helpers/cli-in-worker.js'

// 90 s a test: each CLI start-up is about 1.5 s of CPU, and CI machines are shared.

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hardenctl-policy-'))
})

async function policyFile(name: string, text: string): Promise<string> {
  const file = join(dir, name)
  await writeFile(file, text)
  return file
}

describe('hardenctl policy check', () => {
  it('lists every problem at once, in file order, one line each, and exits 2', async () => {
    const file = await policyFile(
      'many.yaml',
      [
        'apiVersion: hardenctl.io/v1',
        'exposure:',
        '  allow: {haproxy: ["10.0.0.0/33"]}',
        'trust:',
        '  allow: ["["]',
        'waivers:',
        '  - {rule: JUJU-TRUSTT, target: "livepatch/*", reason: needs the K8s API}',
        'psa: {enabled: true, warn: strict}',
        '',
      ].join('\n'),
    )
    const result = await runCliInWorker(['policy', 'check', file])
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      `hardenctl: ${file}:3:21 at exposure.allow.haproxy[0]: "10.0.0.0/33" is not a CIDR: the prefix length of an IPv4 CIDR is 0 to 32, not "33"`,
      `hardenctl: ${file}:5:11 at trust.allow[0]: not a valid glob: "[" opens [ without a closing ] (write \\[ for a literal [)`,
      `hardenctl: ${file}:7:6 at waivers[0].rule: unknown rule id "JUJU-TRUSTT"; did you mean JUJU-TRUST?`,
      `hardenctl: ${file}:8:22 at psa.warn: expected privileged, baseline or restricted, got "strict"`,
    ])
  }, 90_000)

  it('accepts a policy without apiVersion or kind, and says what it waives and what reconcile applies', async () => {
    const file = await policyFile(
      'no-header.yaml',
      [
        'exposure: {allow: {haproxy: ["10.0.0.0/8", "fd00::/8"]}, enforce: true}',
        'waivers:',
        '  - {rule: JUJU-TRUST, target: "livepatch/postgresql", reason: needs the K8s API, expires: 2020-01-01}',
        '  - {rule: K8S-LOADBALANCER, target: "*", reason: MetalLB on an internal network}',
        '',
      ].join('\n'),
    )
    const result = await runCliInWorker(['policy', 'check', file])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(`${file}: valid (2 waivers, 1 expired; reconcile applies exposure)\n`)
  }, 90_000)

  it('checks $HARDENCTL_POLICY or ./hardenctl.yaml without FILE, and says how to start one when there is none', async () => {
    const withPolicy = await mkdtemp(join(tmpdir(), 'hardenctl-policy-cwd-'))
    await writeFile(join(withPolicy, 'hardenctl.yaml'), 'access: {enforce: true}\n')
    const empty = await mkdtemp(join(tmpdir(), 'hardenctl-policy-none-'))
    const fromEnvironment = await policyFile('from-env.yaml', 'psa: {enabled: true}\n')
    const [found, none, named] = await Promise.all([
      runCliInWorker(['policy', 'check'], {cwd: withPolicy, env: {HARDENCTL_POLICY: undefined}}),
      runCliInWorker(['policy', 'check'], {cwd: empty, env: {HARDENCTL_POLICY: undefined}}),
      runCliInWorker(['policy', 'check'], {cwd: withPolicy, env: {HARDENCTL_POLICY: fromEnvironment}}),
    ])
    expect(found.code, found.stderr).toBe(0)
    expect(found.stdout).toBe('hardenctl.yaml: valid (0 waivers; reconcile applies access)\n')
    expect(named.stdout).toBe(`${fromEnvironment}: valid (0 waivers; reconcile applies Pod Security labels)\n`)
    expect(none.code).toBe(2)
    expect(none.stderr).toBe('hardenctl: no FILE given, no $HARDENCTL_POLICY and no ./hardenctl.yaml here ("hardenctl policy init > hardenctl.yaml" writes a starter)\n')
  }, 90_000)

  it('refuses a missing file, an empty one and one with two documents: exit 2, one line naming it', async () => {
    const empty = await policyFile('empty.yaml', '')
    const two = await policyFile('two.yaml', 'kind: Policy\n---\nkind: Policy\n')
    const missing = join(dir, 'no-such-policy.yaml')
    const results = await Promise.all([missing, empty, two].map((file) => runCliInWorker(['policy', 'check', file])))
    const expected = [`${missing}: cannot read (ENOENT: no such file or directory)`, `${empty}: file is empty`, `${two}: a policy file holds exactly one YAML document`]
    results.forEach((result, i) => {
      expect(result.code).toBe(2)
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1)
      expect(result.stderr).toContain(`hardenctl: ${expected[i]}`)
    })
  }, 90_000)
})

describe('hardenctl policy init', () => {
  it('prints a starter that policy check accepts, at the defaults: nothing waived, nothing enforced', async () => {
    const init = await runCliInWorker(['policy', 'init'])
    expect(init.code).toBe(0)
    expect(init.stderr).toBe('')
    const file = await policyFile('hardenctl.yaml', init.stdout)
    const check = await runCliInWorker(['policy', 'check', file])
    expect(check.stderr).toBe('')
    expect(check.code).toBe(0)
    expect(check.stdout).toBe(`${file}: valid (0 waivers; reconcile applies NetworkPolicies only)\n`)
  }, 90_000)

  it('its commented waiver example, uncommented, is a valid waiver', async () => {
    const init = await runCliInWorker(['policy', 'init'])
    const text = init.stdout.replace('waivers: []\n', 'waivers:\n').replace(/^# {2}(- rule|\s{2}\w+:)/gm, '$1')
    const file = await policyFile('with-waiver.yaml', text)
    const check = await runCliInWorker(['policy', 'check', file])
    expect(check.stderr).toBe('')
    expect(check.stdout).toBe(`${file}: valid (1 waiver; reconcile applies NetworkPolicies only)\n`)
  }, 90_000)
})
