import {cp, mkdtemp, readFile, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'

import {REPO_ROOT} from '../helpers/cli.js'
import {runCliInWorker} from '../helpers/cli-in-worker.js'

const KUBERNETES = join(REPO_ROOT, 'examples/livepatch-k8s/kubernetes')
const ESTATE = join(REPO_ROOT, 'examples/livepatch-k8s')
const BUNDLE = join(REPO_ROOT, 'test/corpus/bundles/livepatch-k8s-operator__bundle__bundle.yaml')

const TYPO = 'waivers:\n  - rule: JUJU-TRUSTT\n    target: livepatch/postgresql\n    reason: needs the K8s API\n'
const BAD_CIDR = 'exposure:\n  allow: {haproxy: ["10.0.0.0/33"]}\n  enforce: true\n'

let dir: string
const file = (name: string) => join(dir, name)

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hardenctl-policy-commands-'))
  await writeFile(file('typo.yaml'), TYPO)
  await writeFile(file('bad-cidr.yaml'), BAD_CIDR)
  await writeFile(file('empty.yaml'), '')
  await writeFile(file('hardenctl.yaml'), TYPO)
  await writeFile(file('valid.yaml'), 'exposure: {allow: {"livepatch/ingress": ["0.0.0.0/0"]}}\n')
})

const typoLine = (policy: string) => `hardenctl: ${policy}:2:5 at waivers[0].rule: unknown rule id "JUJU-TRUSTT"; did you mean JUJU-TRUST?\n`

/**
 * Every command that takes --policy loads and validates it the same way: netpol too, although
 * only --plan reads it. Runs side by side: each is a CLI start-up.
 */
describe('every command refuses a bad policy the same way: exit 2, the same line, nothing else printed', () => {
  const cases: {name: string; args: () => string[]; cwd?: () => string; stderr: () => string}[] = [
    {name: 'netpol matrix, no --plan, a missing file', args: () => ['netpol', 'matrix', '--from', KUBERNETES, '--policy', file('missing.yaml')], stderr: () => `hardenctl: ${file('missing.yaml')}: cannot read (ENOENT: no such file or directory)\n`},
    {name: 'netpol matrix, no --plan, an empty file', args: () => ['netpol', 'matrix', '--from', KUBERNETES, '--policy', file('empty.yaml')], stderr: () => `hardenctl: ${file('empty.yaml')}: file is empty; expected JSON or YAML\n`},
    {name: 'netpol matrix, no --plan, a mistyped waiver', args: () => ['netpol', 'matrix', '--from', KUBERNETES, '--policy', file('typo.yaml')], stderr: () => typoLine(file('typo.yaml'))},
    {name: 'netpol matrix, ./hardenctl.yaml found in the working directory', args: () => ['netpol', 'matrix', '--from', KUBERNETES], cwd: () => dir, stderr: () => typoLine('hardenctl.yaml')},
    {
      name: 'netpol explain, a CIDR out of range',
      args: () => ['netpol', 'explain', 'livepatch/livepatch', 'livepatch/postgresql', '5432', '--from', KUBERNETES, '--policy', file('bad-cidr.yaml')],
      stderr: () => `hardenctl: ${file('bad-cidr.yaml')}:2:21 at exposure.allow.haproxy[0]: "10.0.0.0/33" is not a CIDR: the prefix length of an IPv4 CIDR is 0 to 32, not "33"\n`,
    },
    {name: 'netpol diff, a mistyped waiver', args: () => ['netpol', 'diff', '--from', ESTATE, '--policy', file('typo.yaml')], stderr: () => typoLine(file('typo.yaml'))},
    {name: 'audit', args: () => ['audit', '--from', ESTATE, '--policy', file('typo.yaml')], stderr: () => typoLine(file('typo.yaml'))},
    {name: 'review', args: () => ['review', BUNDLE, '--policy', file('typo.yaml')], stderr: () => typoLine(file('typo.yaml'))},
    {
      // With exposure.enforce, a CIDR that passed would have planned an Unexpose or a NetworkPolicy from it.
      name: 'reconcile --dry-run, a CIDR out of range with exposure.enforce',
      args: () => ['reconcile', '--dry-run', '--from', ESTATE, '--policy', file('bad-cidr.yaml')],
      stderr: () => `hardenctl: ${file('bad-cidr.yaml')}:2:21 at exposure.allow.haproxy[0]: "10.0.0.0/33" is not a CIDR: the prefix length of an IPv4 CIDR is 0 to 32, not "33"\n`,
    },
  ]
  let results: Awaited<ReturnType<typeof runCliInWorker>>[]
  beforeAll(async () => {
    results = await Promise.all(cases.map((testCase) => runCliInWorker(testCase.args(), testCase.cwd ? {cwd: testCase.cwd()} : {})))
  }, 180_000)

  cases.forEach((testCase, i) => {
    it(testCase.name, () => {
      const result = results[i]!
      expect(result.code, result.stderr).toBe(2)
      expect(result.stderr).toBe(testCase.stderr())
      expect(result.stdout).toBe('')
    })
  })
})

describe('a valid policy', () => {
  it('leaves netpol matrix working', async () => {
    const result = await runCliInWorker(['netpol', 'matrix', '--from', KUBERNETES, '--policy', file('valid.yaml')])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Reachability under NetworkPolicy: 4 pod classes in 2 namespaces')
  }, 90_000)
})

describe('a waiver annotation on a Kubernetes object', () => {
  it('naming no rule id is a warning: the object is in the cluster, not in a file given to hardenctl, and nothing is waived', async () => {
    const estate = join(dir, 'annotated')
    await cp(ESTATE, estate, {recursive: true})
    const namespacesFile = join(estate, 'kubernetes', 'namespaces.json')
    const namespaces = JSON.parse(await readFile(namespacesFile, 'utf8')) as {items: {metadata: {name: string; annotations?: Record<string, string>}}[]}
    const livepatch = namespaces.items.find((item) => item.metadata.name === 'livepatch')!
    livepatch.metadata.annotations = {...livepatch.metadata.annotations, 'hardenctl.io/waive': 'NET-NO-DEFALT-DENY=policies come next week'}
    await writeFile(namespacesFile, JSON.stringify(namespaces))

    const result = await runCliInWorker(['audit', '--from', estate, '--format', 'json', '--fail-on', 'never'], {cwd: estate})
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toBe(
      'hardenctl: warning: namespace livepatch: hardenctl.io/waive: unknown rule id "NET-NO-DEFALT-DENY"; did you mean NET-NO-DEFAULT-DENY? (that entry waives nothing)\n',
    )
    const report = JSON.parse(result.stdout) as {findings: {rule: string; target: {name: string}; waived?: unknown}[]}
    const defaultDeny = report.findings.find((finding) => finding.rule === 'NET-NO-DEFAULT-DENY' && finding.target.name === 'livepatch')
    expect(defaultDeny).toBeDefined()
    expect(defaultDeny!.waived).toBeUndefined()
  }, 90_000)
})
