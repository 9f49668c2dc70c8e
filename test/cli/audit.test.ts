import {mkdtemp, readFile, writeFile, mkdir, cp} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'

import type {AuditReport} from '../../src/report/audit-report.js'
import {runCli, runCliInTerminal} from '../helpers/cli.js'

const LIVEPATCH = 'examples/livepatch-k8s'
const LANDSCAPE = 'examples/landscape-machines'
const BAD = 'test/fixtures/bad-input'

function findingsOf(report: AuditReport, rule: string) {
  return report.findings.filter((finding) => finding.rule === rule)
}

describe('hardenctl audit --from examples/livepatch-k8s', () => {
  let report: AuditReport

  beforeAll(async () => {
    const result = await runCli(['audit', '--from', LIVEPATCH, '--format', 'json'])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    report = JSON.parse(result.stdout) as AuditReport
  })

  it('prints a readable table of real findings, grouped by model, without colour off a terminal', async () => {
    const result = await runCli(['audit', '--from', LIVEPATCH])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('microk8s-prod')
    expect(result.stdout).toContain('JUJU-TRUST')
    expect(result.stdout).toContain('postgresql')
    expect(result.stdout).toContain('002_57f06eaaa8445352.txt')
    expect(result.stdout).not.toMatch(/\u001B\[/)
  })

  it('is the JSON contract: apiVersion, kind, summary and findings', () => {
    expect(report.apiVersion).toBe('hardenctl.io/v1')
    expect(report.kind).toBe('AuditReport')
    expect(report.summary.total).toBe(report.findings.length)
    expect(report.metadata.profiles).toEqual(expect.arrayContaining(['juju', 'k8s', 'livepatch']))
    for (const finding of report.findings) {
      expect(Object.keys(finding)).toEqual(
        expect.arrayContaining(['rule', 'severity', 'title', 'target', 'message', 'evidence', 'guide', 'remediation', 'autoFixable']),
      )
    }
  })

  it('flags trust on postgresql-k8s and the ingress integrator, critical with a wildcard ClusterRole, with file and line', () => {
    const trust = findingsOf(report, 'JUJU-TRUST')
    const postgresql = trust.find((finding) => finding.target.name === 'postgresql')!
    expect(postgresql).toBeDefined()
    expect(postgresql.target).toMatchObject({kind: 'application', controller: 'microk8s-prod', model: 'livepatch'})
    expect(postgresql.severity).toBe('critical')
    expect(postgresql.location?.file).toMatch(/examples\/livepatch-k8s\//)
    expect(postgresql.location?.line).toBeGreaterThan(0)
    expect(trust.map((finding) => finding.target.name)).toContain('ingress')
    expect(trust.map((finding) => finding.target.name)).not.toContain('livepatch')
  })

  it('flags what the guides predict for this deployment', () => {
    const rules = new Set(report.findings.map((finding) => finding.rule))
    for (const rule of [
      'JUJU-ROOT-CONTAINER',
      'JUJU-CHARM-USER',
      'JUJU-CHARM-SOURCE',
      'NET-NO-DEFAULT-DENY',
      'K8S-INGRESS-NO-TLS',
      'LIVEPATCH-ADMIN-API',
      'TLS-DB-PLAINTEXT',
      'ACCESS-MODEL-ADMIN',
      'ACCESS-STALE-USER',
      'JUJU-DISABLED-COMMANDS',
    ]) {
      expect(rules, rule).toContain(rule)
    }
    expect(rules).not.toContain('K8S-LOADBALANCER')
    expect(rules).not.toContain('JUJU-EXPOSED')
    expect(findingsOf(report, 'JUJU-DISABLED-COMMANDS')[0]!.location?.file).toMatch(/models\/livepatch\/disabled-commands\.json$/)
  })

  it('exits 1 with --fail-on high, and 0 with --fail-on never', async () => {
    const failing = await runCli(['audit', '--from', LIVEPATCH, '--fail-on', 'high', '--format', 'json'])
    expect(failing.code).toBe(1)
    expect((JSON.parse(failing.stdout) as AuditReport).summary.failed).toBe(true)
    const never = await runCli(['audit', '--from', LIVEPATCH, '--fail-on', 'never'])
    expect(never.code).toBe(0)
  })

  it('writes the report to --output and nothing to stdout', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hardenctl-cli-'))
    const out = join(dir, 'report.sarif')
    const result = await runCli(['audit', '--from', LIVEPATCH, '--format', 'sarif', '--output', out])
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('')
    const sarif = JSON.parse(await readFile(out, 'utf8')) as {version: string; runs: {results: {ruleId: string; locations: {physicalLocation?: {artifactLocation: {uri: string}; region?: {startLine: number}}}[]}[]}[]}
    expect(sarif.version).toBe('2.1.0')
    const trust = sarif.runs[0]!.results.find((result) => result.ruleId === 'JUJU-TRUST')!
    expect(trust.locations[0]!.physicalLocation!.artifactLocation.uri).toMatch(/^examples\/livepatch-k8s\//)
    expect(trust.locations[0]!.physicalLocation!.region!.startLine).toBeGreaterThan(0)
  })

  it('renders JUnit XML', async () => {
    const result = await runCli(['audit', '--from', LIVEPATCH, '--format', 'junit'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^<\?xml/)
    expect(result.stdout).toContain('<testsuite')
    expect(result.stdout).toContain('JUJU-TRUST')
  })

  it('uses colour on a terminal, and none with NO_COLOR', async () => {
    const colour = await runCliInTerminal(['audit', '--from', LIVEPATCH])
    expect(colour.stdout).toMatch(/\u001B\[/)
    const plain = await runCliInTerminal(['audit', '--from', LIVEPATCH], {NO_COLOR: '1'})
    expect(plain.stdout).toContain('JUJU-TRUST')
    expect(plain.stdout).not.toMatch(/\u001B\[[0-9;]*m/)
  })
})

describe('hardenctl audit --from examples/landscape-machines', () => {
  it('flags haproxy exposed to the world with a self-signed certificate, and port 80 without mirroring', async () => {
    const result = await runCli(['audit', '--from', LANDSCAPE, '--format', 'json'])
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout) as AuditReport
    expect(report.metadata.profiles).toEqual(expect.arrayContaining(['juju', 'landscape']))
    expect(report.metadata.profiles).not.toContain('k8s')
    const exposed = findingsOf(report, 'JUJU-EXPOSED').find((finding) => finding.target.name === 'haproxy')
    expect(exposed?.severity).toBe('high')
    expect(findingsOf(report, 'TLS-SELF-SIGNED').map((finding) => finding.target.name)).toContain('haproxy')
    expect(findingsOf(report, 'LANDSCAPE-HTTP-PORT').map((finding) => finding.target.name)).toContain('haproxy')
    expect(findingsOf(report, 'JUJU-CHARM-SOURCE').map((finding) => finding.target.name)).toContain('landscape-server')
    // Only the reverse proxy is exposed, so the Landscape exposure rule stays quiet.
    expect(findingsOf(report, 'LANDSCAPE-EXPOSURE')).toEqual([])
  })
})

describe('what could not be read is reported, not skipped', () => {
  it('status-error entries become INVENTORY-INCOMPLETE findings and the rest is audited', async () => {
    const result = await runCli(['audit', '--from', 'test/fixtures/juju/status-machines-3.6.yaml', '--format', 'json'])
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout) as AuditReport
    const gaps = findingsOf(report, 'INVENTORY-INCOMPLETE')
    expect(gaps.map((finding) => `${finding.target.kind}/${finding.target.name}`).sort()).toEqual(['application/broken', 'machine/2', 'unit/haproxy/1'])
    expect(gaps.find((finding) => finding.target.name === 'broken')!.message).toContain('cannot read charm')
    expect(gaps.find((finding) => finding.target.name === 'broken')!.location).toMatchObject({line: 131})
    expect(report.findings.length).toBeGreaterThan(gaps.length)
  })
})

describe('policy and waivers', () => {
  it('waives by policy, reports expired waivers, and honours annotation waivers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hardenctl-policy-'))
    const estate = join(dir, 'estate')
    await cp(LIVEPATCH, estate, {recursive: true})
    // Annotate the livepatch namespace to waive its missing default-deny policy.
    const namespacesFile = join(estate, 'kubernetes', 'namespaces.json')
    const namespaces = JSON.parse(await readFile(namespacesFile, 'utf8')) as {items: {metadata: {name: string; annotations?: Record<string, string>}}[]}
    const livepatchNamespace = namespaces.items.find((item) => item.metadata.name === 'livepatch')!
    livepatchNamespace.metadata.annotations = {...livepatchNamespace.metadata.annotations, 'hardenctl.io/waive': 'NET-NO-DEFAULT-DENY=policies come in the next change'}
    await writeFile(namespacesFile, JSON.stringify(namespaces, null, 2))
    const policy = join(dir, 'hardenctl.yaml')
    await writeFile(
      policy,
      [
        'apiVersion: hardenctl.io/v1',
        'kind: Policy',
        'waivers:',
        '  - rule: JUJU-TRUST',
        '    target: livepatch/postgresql',
        '    reason: postgresql-k8s manages its own pods',
        '    expires: 2099-01-01',
        '  - rule: JUJU-TRUST',
        '    target: livepatch/ingress',
        '    reason: old exception',
        '    expires: 2020-01-01',
      ].join('\n'),
    )
    const result = await runCli(['audit', '--from', estate, '--policy', policy, '--format', 'json', '--fail-on', 'critical'])
    const report = JSON.parse(result.stdout) as AuditReport
    const trust = findingsOf(report, 'JUJU-TRUST')
    expect(trust.find((finding) => finding.target.name === 'postgresql')!.waived).toMatchObject({by: 'policy', reason: 'postgresql-k8s manages its own pods', expires: '2099-01-01'})
    expect(trust.find((finding) => finding.target.name === 'ingress')!.waived).toBeUndefined()
    expect(report.expiredWaivers).toEqual([expect.objectContaining({rule: 'JUJU-TRUST', target: 'livepatch/ingress', expires: '2020-01-01'})])
    const defaultDeny = findingsOf(report, 'NET-NO-DEFAULT-DENY').find((finding) => finding.target.name === 'livepatch')!
    expect(defaultDeny.waived).toMatchObject({by: 'annotation', reason: 'policies come in the next change'})
    expect(report.summary.waived).toBeGreaterThanOrEqual(2)

    await writeFile(policy, 'apiVersion: hardenctl.io/v1\nannotationWaivers: false\n')
    const strict = JSON.parse((await runCli(['audit', '--from', estate, '--policy', policy, '--format', 'json'])).stdout) as AuditReport
    expect(findingsOf(strict, 'NET-NO-DEFAULT-DENY').find((finding) => finding.target.name === 'livepatch')!.waived).toBeUndefined()
  })

  it('stops at a malformed policy with one line naming the file and the path', async () => {
    const result = await runCli(['audit', '--from', LIVEPATCH, '--policy', `${BAD}/bad-policy.yaml`])
    expect(result.code).toBe(2)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toContain('bad-policy.yaml:5')
    expect(result.stderr).toContain('exposure.allow.haproxy[0]')
    expect(result.stderr).toContain('CIDR')
  })
})

describe('bad input: one line, the file, the place, exit 2, never a stack trace', () => {
  const cases: [string, RegExp][] = [
    ['malformed.json', /malformed\.json:3:\d+: malformed JSON/],
    ['wrong-type.json', /wrong-type\.json:10:\d+ at applications\.web\.exposed: .*expected boolean/],
    ['empty.yaml', /empty\.yaml: file is empty/],
    ['alias-bomb.yaml', /alias-bomb\.yaml: .*too many aliases/],
    ['unknown.json', /unknown\.json: not a recognised input/],
  ]
  for (const [file, expected] of cases) {
    it(file, async () => {
      const result = await runCli(['audit', '--from', `${BAD}/${file}`])
      expect(result.code).toBe(2)
      expect(result.stdout).toBe('')
      const lines = result.stderr.trim().split('\n')
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(expected)
      expect(result.stderr).not.toMatch(/^\s+at /m)
    })
  }

  it('a stack trace only with HARDENCTL_DEBUG=1', async () => {
    const result = await runCli(['audit', '--from', `${BAD}/malformed.json`], {env: {HARDENCTL_DEBUG: '1'}})
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^\s+at /m)
  })

  it('no inputs and unknown flags are usage errors', async () => {
    const none = await runCli(['audit'])
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('--from')
    const unknown = await runCli(['audit', '--from', LIVEPATCH, '--frobnicate'])
    expect(unknown.code).toBe(2)
    const badSeverity = await runCli(['audit', '--from', LIVEPATCH, '--fail-on', 'severe'])
    expect(badSeverity.code).toBe(2)
  })

  it('a missing file is named', async () => {
    const result = await runCli(['audit', '--from', 'no/such/dir'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('no/such/dir: cannot read (ENOENT)')
  })

  it('several models plus cluster-wide Kubernetes lists: the lists need no model', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hardenctl-models-'))
    await cp('test/corpus/status/jhack__jhack__tests__utils__test_show_relation__mocks__machine__full_status_None.json', join(dir, 'a.json'))
    await cp('test/corpus/status/jhack__jhack__tests__utils__test_show_relation__mocks__k8s__full_status_None.json', join(dir, 'b.json'))
    await cp(`${LIVEPATCH}/kubernetes/namespaces.json`, join(dir, 'namespaces.json'))
    const result = await runCli(['audit', '--from', dir, '--format', 'json'])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const {findings} = JSON.parse(result.stdout) as AuditReport
    expect(findings.map((finding) => finding.target.model)).toEqual(expect.arrayContaining(['foo', 'clite']))
    expect(findings.some((finding) => finding.target.namespace === 'livepatch')).toBe(true)
  })

  it('several models with a file that does not say which: asks for the layout', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hardenctl-ambiguous-'))
    await mkdir(dir, {recursive: true})
    await cp('test/corpus/status/jhack__jhack__tests__utils__test_show_relation__mocks__machine__full_status_None.json', join(dir, 'a.json'))
    await cp('test/corpus/status/jhack__jhack__tests__utils__test_show_relation__mocks__k8s__full_status_None.json', join(dir, 'b.json'))
    await cp('test/corpus/bundles/landscape-charm__bundle-examples__bundle.yaml', join(dir, 'c.yaml'))
    const result = await runCli(['audit', '--from', dir])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/c\.yaml: cannot tell which model this belongs to/)
  })
})

describe('--help', () => {
  it('documents the exit codes', async () => {
    const result = await runCli(['audit', '--help'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('EXIT CODES')
    expect(result.stdout).toMatch(/2\s+bad input or usage/)
  })
})
