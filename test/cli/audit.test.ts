import {execFileSync} from 'node:child_process'
import {copyFile, cp, mkdir, mkdtemp, readFile, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'

import type {AuditReport} from '../../src/report/audit-report.js'
import {REPO_ROOT, runCli, runCliInTerminal} from '../helpers/cli.js'
import {runCliInWorker} from '../helpers/cli-in-worker.js'

const LIVEPATCH = 'examples/livepatch-k8s'
const LANDSCAPE = 'examples/landscape-machines'
const BAD = 'test/fixtures/bad-input'

function findingsOf(report: AuditReport, rule: string) {
  return report.findings.filter((finding) => finding.rule === rule)
}

describe('hardenctl audit --from examples/livepatch-k8s', () => {
  let report: AuditReport

  beforeAll(async () => {
    const result = await runCliInWorker(['audit', '--from', LIVEPATCH, '--format', 'json'])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    report = JSON.parse(result.stdout) as AuditReport
  })

  it('prints a readable table of real findings, grouped by model, without colour off a terminal', async () => {
    const result = await runCliInWorker(['audit', '--from', LIVEPATCH])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('microk8s-prod')
    expect(result.stdout).toContain('JUJU-TRUST')
    expect(result.stdout).toContain('postgresql')
    // Guides by title and public address, never by internal file name.
    expect(result.stdout).toContain('guide: Harden your Juju deployment § Harden the applications')
    expect(result.stdout).toContain('Harden your Juju deployment: https://documentation.ubuntu.com/juju/3.6/howto/manage-your-juju-deployment/harden-your-juju-deployment/')
    expect(result.stdout).not.toMatch(/00\d_[0-9a-f]{16}\.txt/)
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
    // A process of its own: the exit code as the shell sees it.
    const failing = await runCli(['audit', '--from', LIVEPATCH, '--fail-on', 'high', '--format', 'json'])
    expect(failing.code).toBe(1)
    expect((JSON.parse(failing.stdout) as AuditReport).summary.failed).toBe(true)
    const never = await runCli(['audit', '--from', LIVEPATCH, '--fail-on', 'never'])
    expect(never.code).toBe(0)
  })

  it('writes the report to --output and nothing to stdout', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hardenctl-cli-'))
    const out = join(dir, 'report.sarif')
    const result = await runCliInWorker(['audit', '--from', LIVEPATCH, '--format', 'sarif', '--output', out])
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('')
    const sarif = JSON.parse(await readFile(out, 'utf8')) as {version: string; runs: {results: {ruleId: string; locations: {physicalLocation?: {artifactLocation: {uri: string}; region?: {startLine: number}}}[]}[]}[]}
    expect(sarif.version).toBe('2.1.0')
    const trust = sarif.runs[0]!.results.find((result) => result.ruleId === 'JUJU-TRUST')!
    expect(trust.locations[0]!.physicalLocation!.artifactLocation.uri).toMatch(/^examples\/livepatch-k8s\//)
    expect(trust.locations[0]!.physicalLocation!.region!.startLine).toBeGreaterThan(0)
  })

  it('renders JUnit XML', async () => {
    const result = await runCliInWorker(['audit', '--from', LIVEPATCH, '--format', 'junit'])
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

describe('the audit table fits a terminal', () => {
  const lf = (text: string) => text.replaceAll('\r\n', '\n')

  it('wraps prose to COLUMNS but never a fix command or a path:line, which overflow whole', async () => {
    const result = await runCliInWorker(['audit', '--from', LIVEPATCH], {env: {COLUMNS: '80'}})
    expect(result.code).toBe(0)
    const lines = result.stdout.split('\n')
    expect(lines).toContain('            fix [auto-fixable]: juju revoke -c microk8s-prod ci-bot write admin/livepatch   # leaves read; or list the user under access.models["livepatch"] in hardenctl.yaml')
    const bundleLine = lines.indexOf('            examples/livepatch-k8s/juju/microk8s-prod/models/livepatch/bundle.yaml:10 ·')
    expect(bundleLine).toBeGreaterThan(0)
    expect(lines[bundleLine + 1]).toBe('            guide: Harden your Juju deployment § Harden the applications')
    for (const line of lines) {
      if (/^ +fix( for the \d+ above)?( \[auto-fixable\])?: /.test(line) || /^ +\S+:\d+ ·$/.test(line) || /^ +https:\/\/\S+$/.test(line)) continue
      if (line.startsWith('  hardenctl reconcile --dry-run ') || line === lines.at(-2)) continue // the command to paste; the summary line
      expect(line.length, line).toBeLessThanOrEqual(80)
    }
  })

  it('does not wrap at all for a terminal that reports 0 columns, and honours COLUMNS there', async () => {
    const piped = await runCliInWorker(['audit', '--from', LIVEPATCH])
    const zeroWidth = await runCliInTerminal(['audit', '--from', LIVEPATCH], {NO_COLOR: '1'})
    expect(zeroWidth.code).toBe(0)
    expect(lf(zeroWidth.stdout)).toBe(piped.stdout)
    const columns = await runCliInTerminal(['audit', '--from', LIVEPATCH], {NO_COLOR: '1', COLUMNS: '100'})
    expect(lf(columns.stdout)).toBe((await runCliInWorker(['audit', '--from', LIVEPATCH], {env: {COLUMNS: '100'}})).stdout)
    expect(lf(columns.stdout)).not.toBe(piped.stdout)
  })

  it('prints a fix shared by several workloads once, under them', async () => {
    const {stdout} = await runCliInWorker(['audit', '--from', LIVEPATCH])
    // LIVEPATCH-ADMIN-API's fix starts with the same command (its first step), under a comment of its own.
    const denyAll = stdout.split('\n').filter((line) => line.includes('hardenctl reconcile -n livepatch   # with the audit'))
    expect(denyAll).toHaveLength(1)
    // NET-NO-DEFAULT-DENY for the namespace and NET-UNRESTRICTED-POD for its 4 workloads.
    expect(denyAll[0]).toMatch(/^ {12}fix for the 5 above \[auto-fixable\]: hardenctl reconcile -n livepatch {3}# /)
    const rows = stdout.split('\n').filter((line) => /^ {2}[A-Z]+ +NET-(NO-DEFAULT-DENY|UNRESTRICTED-POD) /.test(line))
    expect(rows).toHaveLength(5)
  })

  it('colours critical bold red and high red on a terminal', async () => {
    const {stdout} = await runCliInTerminal(['audit', '--from', LIVEPATCH])
    expect(stdout).toContain('  \u001B[1m\u001B[31mCRITICAL\u001B[39m\u001B[22m  JUJU-TRUST ')
    expect(stdout).toContain('  \u001B[31mHIGH    \u001B[39m  ACCESS-MODEL-ADMIN ')
  })

  it('with -o FILE, prints the summary line on stderr, with or without --fail-on', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hardenctl-cli-'))
    const table = await runCliInWorker(['audit', '--from', LIVEPATCH, '--fail-on', 'high'])
    const summary = table.stdout.trimEnd().split('\n').at(-1)!
    expect(summary).toMatch(/^\d+ findings: \d+ critical, .* · failed \(high or worse\)$/)
    const out = join(dir, 'report.sarif')
    const failing = await runCliInWorker(['audit', '--from', LIVEPATCH, '--format', 'sarif', '-o', out, '--fail-on', 'high'])
    expect(failing.code).toBe(1)
    expect(failing.stdout).toBe('')
    expect(failing.stderr).toBe(`${summary} · report written to ${out}\n`)
    const plain = await runCliInWorker(['audit', '--from', LIVEPATCH, '-o', join(dir, 'report.txt')])
    expect(plain.code).toBe(0)
    expect(plain.stderr).toBe(`${summary.replace(' · failed (high or worse)', '')} · report written to ${join(dir, 'report.txt')}\n`)
    expect(await readFile(join(dir, 'report.txt'), 'utf8')).toBe((await runCliInWorker(['audit', '--from', LIVEPATCH])).stdout)
  })
})

describe('compact views and what next', () => {
  it('--summary: one row per rule, with how many findings and how many are auto-fixable', async () => {
    const result = await runCliInWorker(['audit', '--from', LIVEPATCH, '--summary'])
    expect(result.code).toBe(0)
    const lines = result.stdout.split('\n')
    expect(lines.slice(0, 3)).toEqual([
      'Findings by rule',
      '  SEVERITY  RULE                    FINDINGS  AUTO-FIXABLE  TITLE',
      '  CRITICAL  JUJU-TRUST              2         no            Application deployed with --trust',
    ])
    expect(lines).toContain('  MEDIUM    NET-UNRESTRICTED-POD    4         yes           Pod not restricted by any ingress NetworkPolicy')
    expect(result.stdout).not.toContain('fix:')
    // The same summary line as the full table.
    const full = await runCliInWorker(['audit', '--from', LIVEPATCH])
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe(full.stdout.trimEnd().split('\n').at(-1))
  })

  it('--min-severity hides what is below it and says how many; --fail-on still counts all', async () => {
    const result = await runCliInWorker(['audit', '--from', LIVEPATCH, '--min-severity', 'high', '--fail-on', 'medium'])
    expect(result.code).toBe(1)
    const rows = result.stdout.split('\n').filter((line) => /^ {2}[A-Z]+ +[A-Z-]+ /.test(line))
    expect(rows.length).toBeGreaterThan(0)
    for (const row of rows) expect(row).toMatch(/^ {2}(CRITICAL|HIGH) /)
    expect(result.stdout).toMatch(/\n\d+ findings below high not shown \(--min-severity high\)\.\n/)
  })

  it('--quiet prints only the summary line, and keeps the exit code', async () => {
    const quiet = await runCliInWorker(['audit', '--from', LIVEPATCH, '--quiet', '--fail-on', 'high'])
    expect(quiet.code).toBe(1)
    expect(quiet.stdout).toMatch(/^\d+ findings: \d+ critical, \d+ high, .* · failed \(high or worse\)\n$/)
    const dir = await mkdtemp(join(tmpdir(), 'hardenctl-cli-'))
    const out = join(dir, 'report.sarif')
    const toFile = await runCliInWorker(['audit', '--from', LIVEPATCH, '-q', '--format', 'sarif', '-o', out, '--fail-on', 'high'])
    expect(toFile.code).toBe(1)
    expect(toFile.stdout).toBe('')
    expect(toFile.stderr).toBe(`${quiet.stdout.trimEnd()} · report written to ${out}\n`)
  })

  it('refuses the table-only flags with the machine formats, whose shape is a contract', async () => {
    for (const [args, message] of [
      [['--summary', '--format', 'json'], 'hardenctl: --summary shapes the table; --format json always holds every finding\n'],
      [['--min-severity', 'high', '--format', 'sarif'], 'hardenctl: --min-severity shapes the table; --format sarif always holds every finding\n'],
      [['--quiet', '--format', 'junit'], 'hardenctl: --quiet prints only the summary line; write the junit report to a file with -o FILE\n'],
      [['--quiet', '--summary'], 'hardenctl: --quiet prints only the summary line; drop --summary or --quiet\n'],
    ] as const) {
      const result = await runCliInWorker(['audit', '--from', LIVEPATCH, ...args])
      expect(result.code, args.join(' ')).toBe(2)
      expect(result.stderr).toBe(message)
    }
  })

  it("K8S-PRIVILEGED on a sidecar charm's pods prints a waiver that, pasted into hardenctl.yaml, waives that application's finding only", async () => {
    const {stdout} = await runCliInWorker(['audit', '--from', LIVEPATCH])
    const fix = stdout.split('\n').find((line) => line.includes('"target":"livepatch/StatefulSet/postgresql"'))
    expect(fix).toMatch(/^ +fix: default it to false when pods are admitted to namespace livepatch /)
    const waivers = /waivers: \[.*\]$/.exec(fix!)![0]
    const dir = await mkdtemp(join(tmpdir(), 'hardenctl-cli-'))
    const policy = join(dir, 'hardenctl.yaml')
    await writeFile(policy, `apiVersion: hardenctl.io/v1\n${waivers}\n`)
    const result = await runCliInWorker(['audit', '--from', LIVEPATCH, '--policy', policy, '--format', 'json'])
    expect(result.stderr).toBe('')
    const privileged = findingsOf(JSON.parse(result.stdout) as AuditReport, 'K8S-PRIVILEGED')
    const waived = privileged.filter((finding) => finding.waived).map((finding) => finding.target.name)
    expect(waived).toEqual(['postgresql'])
    expect(privileged.map((finding) => finding.target.name)).toContain('livepatch')
  })

  it('says how many findings reconcile can fix, and the exact dry-run command, which runs as pasted', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'hardenctl-cli-')), "ops' policy")
    await mkdir(dir)
    const policy = join(dir, 'hardenctl.yaml')
    await writeFile(policy, 'apiVersion: hardenctl.io/v1\n')
    const args = ['audit', '--from', LIVEPATCH, '--policy', policy]
    const {stdout} = await runCliInWorker(args)
    const report = JSON.parse((await runCliInWorker([...args, '--format', 'json'])).stdout) as AuditReport
    const unwaived = report.findings.filter((finding) => !finding.waived)
    const fixable = unwaived.filter((finding) => finding.autoFixable).length
    expect(fixable).toBeGreaterThan(0)
    const lines = stdout.split('\n')
    const at = lines.indexOf(
      `hardenctl reconcile can fix ${fixable} of the ${unwaived.length} findings (marked [auto-fixable]; some only where hardenctl.yaml enables it). See what it would change:`,
    )
    expect(at).toBeGreaterThan(0)
    const quoted = `'${policy.replace("'", "'\\''")}'`
    const command = `hardenctl reconcile --dry-run --from ${LIVEPATCH} --policy ${quoted}`
    expect(lines[at + 1]).toBe(`  ${command}`)
    // Each auto-fixable finding's fix line carries the mark; no other does.
    const marked = lines.filter((line) => /^ +fix( for the \d+ above)? \[auto-fixable\]: /.test(line))
    const count = marked.reduce((sum, line) => sum + Number(/for the (\d+) above/.exec(line)?.[1] ?? 1), 0)
    expect(count).toBe(fixable)
    // Pasted into a shell (hardenctl being this build), it plans from the same estate and policy.
    const pasted = command.replace(/^hardenctl /, `'${process.execPath}' bin/run.js `)
    const plan = execFileSync('sh', ['-c', pasted], {cwd: REPO_ROOT, encoding: 'utf8'})
    expect(plan).toContain('NetworkPolicy')
  })

  it('suggests nothing after a review: there is no estate to reconcile yet', async () => {
    const {stdout} = await runCliInWorker(['review', 'test/corpus/bundles/livepatch-k8s-operator__bundle__bundle.yaml', '--fail-on', 'never'])
    expect(stdout).not.toContain('hardenctl reconcile')
  })
})

describe('hardenctl audit --profile', () => {
  it('takes a comma-separated list, like a repeated flag', async () => {
    const listed = await runCliInWorker(['audit', '--from', LANDSCAPE, '--format', 'json', '--profile', 'juju,landscape'])
    const repeated = await runCliInWorker(['audit', '--from', LANDSCAPE, '--format', 'json', '--profile', 'juju', '--profile', 'landscape'])
    expect(listed.code, listed.stderr).toBe(0)
    const profiles = (result: {stdout: string}) => (JSON.parse(result.stdout) as AuditReport).metadata.profiles
    expect([...profiles(listed)].sort()).toEqual(['juju', 'landscape'])
    expect(profiles(listed)).toEqual(profiles(repeated))
  })
})

describe('hardenctl audit --from examples/landscape-machines', () => {
  it('flags haproxy exposed to the world with a self-signed certificate, and port 80 without mirroring', async () => {
    const result = await runCliInWorker(['audit', '--from', LANDSCAPE, '--format', 'json'])
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

  it("the front door is narrowed to the networks its clients come from, not only the admins'", async () => {
    const report = JSON.parse((await runCliInWorker(['audit', '--from', LANDSCAPE, '--format', 'json'])).stdout) as AuditReport
    const exposed = findingsOf(report, 'JUJU-EXPOSED').find((finding) => finding.target.name === 'haproxy')!
    expect(exposed.remediation).toMatch(/^juju expose -m lxd-prod:admin\/landscape haproxy --to-cidrs ADMIN-CIDRS {3}# haproxy is how clients get in: narrow its sources to the networks clients come from, not only the admins', rather than unexpose it/)
  })

  it('asks nothing of Kubernetes on machines: the controller Service rule is not "not evaluated" here, but is on a Kubernetes estate', async () => {
    const notEvaluated = async (from: string) => (JSON.parse((await runCliInWorker(['audit', '--from', from, '--format', 'json'])).stdout) as {notEvaluated: {rule: string}[]}).notEvaluated.map((entry) => entry.rule)
    expect(await notEvaluated(LANDSCAPE)).not.toContain('JUJU-CONTROLLER-PORTS')
    const kubernetes = JSON.parse((await runCliInWorker(['audit', '--from', join(LIVEPATCH, 'juju'), '--format', 'json'])).stdout) as {notEvaluated: {rule: string; message: string}[]}
    expect(kubernetes.notEvaluated.find((entry) => entry.rule === 'JUJU-CONTROLLER-PORTS')?.message).toContain('needs Kubernetes services')
  })
})

describe('what could not be read is reported, not skipped', () => {
  it('status-error entries become INVENTORY-INCOMPLETE findings and the rest is audited', async () => {
    const result = await runCliInWorker(['audit', '--from', 'test/fixtures/juju/status-machines-3.6.yaml', '--format', 'json'])
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout) as AuditReport
    const gaps = findingsOf(report, 'INVENTORY-INCOMPLETE')
    expect(gaps.map((finding) => `${finding.target.kind}/${finding.target.name}`).sort()).toEqual(['application/broken', 'machine/2', 'unit/haproxy/1'])
    expect(gaps.find((finding) => finding.target.name === 'broken')!.message).toContain('cannot read charm')
    expect(gaps.find((finding) => finding.target.name === 'broken')!.location).toMatchObject({line: 131})
    expect(report.findings.length).toBeGreaterThan(gaps.length)
  })

  it('a model-level status-error is INVENTORY-INCOMPLETE naming the model', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hardenctl-model-error-'))
    await writeFile(join(dir, 'status.json'), JSON.stringify({model: {name: 'prod', type: 'iaas', controller: 'lxd', 'status-error': 'cannot get model status: permission denied'}, machines: {}, applications: {}}))
    await writeFile(join(dir, 'cos.json'), JSON.stringify({'status-error': 'connection is shut down'}))
    await cp('test/fixtures/juju/show-model.json', join(dir, 'show-model.json'))
    const named = JSON.parse((await runCliInWorker(['audit', '--from', join(dir, 'status.json'), '--format', 'json'])).stdout) as AuditReport
    expect(findingsOf(named, 'INVENTORY-INCOMPLETE').map((f) => [f.target, f.message])).toEqual([
      [{kind: 'model', name: 'prod', model: 'prod', controller: 'lxd'}, 'could not inspect model prod: status-error: cannot get model status: permission denied'],
    ])
    // A whole status that failed names the model the other inputs describe.
    const other = JSON.parse((await runCliInWorker(['audit', '--from', join(dir, 'cos.json'), '--from', join(dir, 'show-model.json'), '--format', 'json'])).stdout) as AuditReport
    expect(findingsOf(other, 'INVENTORY-INCOMPLETE').map((f) => f.message)).toEqual(['could not inspect model cos: status-error: connection is shut down'])
  })
})

describe('juju dump-model and juju show-unit', () => {
  const SECRET_VALUES = /NeverPrinted|never-printed|eyJhbGciOi|c2VjcmV0LWNvbnRlbnQ|Il\/M2\+Wlhk|bynwWY8|PRIVATE KEY|MIIJKwIBAAKCAgEA|z0vAlPc7cg5la5Fzl1IVOF4c1B0vu4qv/

  it('a dump-model is read as the model it is: trust, exposure, offers, users and the embedded charm metadata', async () => {
    const result = await runCliInWorker(['audit', '--from', 'test/fixtures/juju/dump-model-k8s.yaml', '--format', 'json'])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout) as AuditReport
    const found = report.findings.map((f) => `${f.rule} ${f.target.kind}/${f.target.name} ${f.location?.line ?? '-'}`)
    expect(found).toEqual(
      expect.arrayContaining([
        'JUJU-TRUST application/postgresql 4',
        'JUJU-ROOT-CONTAINER application/postgresql 18',
        'JUJU-CHARM-USER application/postgresql 15',
        'JUJU-NO-SECRETS application/grafana 120',
        'JUJU-EXPOSED application/traefik 151',
        'ACCESS-OFFER offer/dashboards 110',
        'ACCESS-MODEL-ADMIN user/alice 280',
      ]),
    )
    // grafana and traefik set uid/gid and charm-user: non-root.
    expect(found.filter((f) => /JUJU-(ROOT-CONTAINER|CHARM-USER) application\/(grafana|traefik)/.test(f))).toEqual([])
    // postgresql-k8s needs --trust (its documentation says so): audit and allow it, not remove it.
    expect(findingsOf(report, 'JUJU-TRUST')[0]!.remediation).toMatch(/^audit postgresql and add "cos\/postgresql" to trust\.allow in hardenctl\.yaml: postgresql-k8s needs --trust/)
    expect(report.metadata.profiles).toContain('k8s')
  })

  it('never prints a password hash, credential, secret, macaroon or relation data, whatever the format', async () => {
    // show-unit output is only skipped inside a directory (named on its own it is refused).
    const dir = await mkdtemp(join(tmpdir(), 'hardenctl-show-unit-'))
    await copyFile('test/fixtures/juju/show-unit-zookeeper.json', join(dir, 'show-unit-zookeeper.json'))
    for (const format of ['table', 'json', 'sarif', 'junit']) {
      const result = await runCliInWorker(['audit', '--from', 'test/fixtures/juju/dump-model-k8s.yaml', '--from', 'test/fixtures/juju/dump-model-machines.yaml', '--from', dir, '--format', format])
      expect(result.code).toBe(0)
      expect(result.stdout).toContain('postgresql')
      expect(`${result.stdout}${result.stderr}`).not.toMatch(SECRET_VALUES)
    }
  })

  it('show-unit output named on its own is refused: auditing it would pass what was never read', async () => {
    const result = await runCliInWorker(['audit', '--from', 'test/fixtures/juju/show-unit-zookeeper.json'])
    expect(result.code).toBe(2)
    expect(result.stderr.trim()).toBe(
      'hardenctl: test/fixtures/juju/show-unit-zookeeper.json: is juju show-unit output, which hardenctl does not audit: no rule reads it (use juju status for units, juju show-application for exposure)',
    )
    expect(result.stderr).not.toMatch(SECRET_VALUES)
  })

  it('a directory with show-unit output and files that are no input: each is named on stderr, the audit goes on', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hardenctl-mixed-'))
    await cp('test/fixtures/juju/dump-model-machines.yaml', join(dir, 'foo.yaml'))
    await cp('test/fixtures/juju/show-unit-zookeeper.json', join(dir, 'zookeeper.json'))
    await writeFile(join(dir, 'notes.yaml'), '- buy milk\n- rotate the keys\n')
    await writeFile(join(dir, 'half.json'), '{"model": ')
    const result = await runCliInWorker(['audit', '--from', dir, '--format', 'json'])
    expect(result.code).toBe(0)
    expect(result.stderr.trim().split('\n')).toEqual([
      `hardenctl: warning: ${join(dir, 'half.json')}:1:11: malformed JSON: value expected; skipped`,
      `hardenctl: warning: ${join(dir, 'notes.yaml')}: not a recognised input (a list of 2 items); expected juju status/show-model/users/offers/disabled-commands/config/show-application/dump-model output, a bundle, charm metadata, or Kubernetes objects (kubectl get -o json); skipped`,
      `hardenctl: warning: ${join(dir, 'zookeeper.json')}: juju show-unit output: no rule reads it (use juju status for units, juju show-application for exposure); skipped`,
    ])
    const report = JSON.parse(result.stdout) as AuditReport
    expect(findingsOf(report, 'JUJU-EXPOSED').map((f) => `${f.target.model}/${f.target.name}`)).toEqual(['foo/haproxy'])
  })
})

describe('fix commands name real models', () => {
  it('a bundle without a name: -m MODEL, never the file name; the target keeps a readable label', async () => {
    const result = await runCliInWorker(['audit', '--from', 'test/corpus/bundles/landscape-charm__bundle-examples__bundle.yaml', '--format', 'json'])
    const report = JSON.parse(result.stdout) as AuditReport
    expect(report.findings.length).toBeGreaterThan(5)
    const models = new Set(report.findings.flatMap((f) => [...f.remediation.matchAll(/ -m (\S+)/g)].map((m) => m[1])))
    expect([...models]).toEqual(['MODEL'])
    expect(report.findings.every((f) => f.target.model === 'landscape-charm__bundle-examples__bundle')).toBe(true)
  })

  it("a bundle with a name: key: that name is the model", async () => {
    const result = await runCliInWorker(['audit', '--from', 'test/corpus/bundles/livepatch-k8s-operator__bundle__bundle.yaml', '--format', 'json'])
    const report = JSON.parse(result.stdout) as AuditReport
    const models = new Set(report.findings.flatMap((f) => [...f.remediation.matchAll(/ -m (\S+)/g)].map((m) => m[1])))
    expect([...models]).toEqual(['canonical-livepatch-onprem'])
    expect(report.findings.every((f) => f.target.model === 'canonical-livepatch-onprem')).toBe(true)
  })

  it('a model directory whose name Juju would refuse: -m MODEL', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hardenctl-names-'))
    const model = join(dir, 'juju', 'prod', 'models', 'My_Model')
    await mkdir(model, {recursive: true})
    await cp('test/corpus/bundles/landscape-charm__bundle-examples__bundle.yaml', join(model, 'bundle.yaml'))
    const report = JSON.parse((await runCliInWorker(['audit', '--from', dir, '--format', 'json'])).stdout) as AuditReport
    const models = new Set(report.findings.flatMap((f) => [...f.remediation.matchAll(/ -m (\S+)/g)].map((m) => m[1])))
    expect([...models]).toEqual(['prod:MODEL'])
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
    const result = await runCliInWorker(['audit', '--from', estate, '--policy', policy, '--format', 'json', '--fail-on', 'critical'])
    const report = JSON.parse(result.stdout) as AuditReport
    const trust = findingsOf(report, 'JUJU-TRUST')
    expect(trust.find((finding) => finding.target.name === 'postgresql')!.waived).toMatchObject({by: 'policy', reason: 'postgresql-k8s manages its own pods', expires: '2099-01-01'})
    expect(trust.find((finding) => finding.target.name === 'ingress')!.waived).toBeUndefined()
    expect(report.expiredWaivers).toEqual([expect.objectContaining({rule: 'JUJU-TRUST', target: 'livepatch/ingress', expires: '2020-01-01'})])
    const defaultDeny = findingsOf(report, 'NET-NO-DEFAULT-DENY').find((finding) => finding.target.name === 'livepatch')!
    expect(defaultDeny.waived).toMatchObject({by: 'annotation', reason: 'policies come in the next change'})
    expect(report.summary.waived).toBeGreaterThanOrEqual(2)

    await writeFile(policy, 'apiVersion: hardenctl.io/v1\nannotationWaivers: false\n')
    const strict = JSON.parse((await runCliInWorker(['audit', '--from', estate, '--policy', policy, '--format', 'json'])).stdout) as AuditReport
    expect(findingsOf(strict, 'NET-NO-DEFAULT-DENY').find((finding) => finding.target.name === 'livepatch')!.waived).toBeUndefined()
  })

  it('stops at a malformed policy with one line naming the file and the path', async () => {
    const result = await runCliInWorker(['audit', '--from', LIVEPATCH, '--policy', `${BAD}/bad-policy.yaml`])
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
    ['alias-bomb.yaml', /alias-bomb\.yaml: .*alias bomb/],
    ['unknown.json', /unknown\.json: not a recognised input/],
    ['template.yaml', /template\.yaml:5:12: this is a Jinja template \(\{\{ \}\} \/ \{% %\}\); render it first and give hardenctl the rendered file$/],
    ['shell-template.yaml', /shell-template\.yaml:15:9: malformed YAML where \$EXTRA_ARGS is a shell template placeholder: fill the template in \(envsubst, or the script that ships it\) and give hardenctl the result$/],
  ]
  for (const [file, expected] of cases) {
    it(file, async () => {
      const result = await runCliInWorker(['audit', '--from', `${BAD}/${file}`])
      expect(result.code).toBe(2)
      expect(result.stdout).toBe('')
      const lines = result.stderr.trim().split('\n')
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(expected)
      expect(result.stderr).not.toMatch(/^\s+at /m)
    })
  }

  it('a stack trace only with HARDENCTL_DEBUG=1', async () => {
    const result = await runCliInWorker(['audit', '--from', `${BAD}/malformed.json`], {env: {HARDENCTL_DEBUG: '1'}})
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^\s+at /m)
  })

  it('no inputs and unknown flags are usage errors', async () => {
    const none = await runCliInWorker(['audit'])
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('--from')
    const unknown = await runCliInWorker(['audit', '--from', LIVEPATCH, '--frobnicate'])
    expect(unknown.code).toBe(2)
    const badSeverity = await runCliInWorker(['audit', '--from', LIVEPATCH, '--fail-on', 'severe'])
    expect(badSeverity.code).toBe(2)
  })

  it('a missing file is named', async () => {
    const result = await runCliInWorker(['audit', '--from', 'no/such/dir'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('no/such/dir: cannot read (ENOENT: no such file or directory)')
  })

  it('several models plus cluster-wide Kubernetes lists: the lists need no model', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hardenctl-models-'))
    await cp('test/corpus/status/jhack__jhack__tests__utils__test_show_relation__mocks__machine__full_status_None.json', join(dir, 'a.json'))
    await cp('test/corpus/status/jhack__jhack__tests__utils__test_show_relation__mocks__k8s__full_status_None.json', join(dir, 'b.json'))
    await cp(`${LIVEPATCH}/kubernetes/namespaces.json`, join(dir, 'namespaces.json'))
    const result = await runCliInWorker(['audit', '--from', dir, '--format', 'json'])
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
    const result = await runCliInWorker(['audit', '--from', dir])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/c\.yaml: cannot tell which model this belongs to/)
  })
})

describe('--help', () => {
  it('documents the exit codes', async () => {
    const result = await runCliInWorker(['audit', '--help'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('EXIT CODES')
    expect(result.stdout).toMatch(/2\s+bad input or usage/)
  })
})
