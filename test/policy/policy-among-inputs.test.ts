/**
 * A hardenctl policy kept beside the estate it describes (`--from estate/ --policy estate/hardenctl.yaml`,
 * or `--from .` with ./hardenctl.yaml found) is the command's policy, not an input: no warning
 * telling the user to pass with --policy what they passed. Any other policy among the inputs is
 * still ignored, so evidence cannot waive itself, and the warning names the policy in use.
 */
import {cp, mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {beforeAll, describe, expect, it} from 'vitest'

import {REPO_ROOT} from '../helpers/cli.js'
import {runCliInWorker} from '../helpers/cli-in-worker.js'

const WAIVER = 'apiVersion: hardenctl.io/v1\nwaivers:\n  - rule: JUJU-TRUST\n    target: livepatch/postgresql\n    reason: the charm needs the Kubernetes API\n'

let estate: string
let elsewhere: string
let bundleDir: string

beforeAll(async () => {
  estate = await mkdtemp(join(tmpdir(), 'hardenctl-policy-inputs-'))
  await cp(join(REPO_ROOT, 'examples/livepatch-k8s'), estate, {recursive: true})
  await writeFile(join(estate, 'hardenctl.yaml'), WAIVER)
  bundleDir = await mkdtemp(join(tmpdir(), 'hardenctl-policy-bundle-'))
  await cp(join(REPO_ROOT, 'test/corpus/bundles/livepatch-k8s-operator__bundle__bundle.yaml'), join(bundleDir, 'bundle.yaml'))
  await writeFile(join(bundleDir, 'hardenctl.yaml'), WAIVER)
  elsewhere = join(await mkdtemp(join(tmpdir(), 'hardenctl-policy-elsewhere-')), 'policy.yaml')
  await writeFile(elsewhere, 'apiVersion: hardenctl.io/v1\n')
})

const waived = (stdout: string) => (JSON.parse(stdout) as {findings: {rule: string; target: {kind: string; name: string}; waived?: unknown}[]}).findings.filter((finding) => finding.waived !== undefined)

describe('the policy in use, found among the inputs', () => {
  it('audit --policy FILE inside --from: no warning, and its waiver applies', async () => {
    const result = await runCliInWorker(['audit', '--from', estate, '--policy', join(estate, 'hardenctl.yaml'), '--format', 'json'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toBe('')
    expect(waived(result.stdout).map((finding) => `${finding.rule} ${finding.target.kind}/${finding.target.name}`)).toEqual(['JUJU-TRUST application/postgresql'])
  })

  it('audit --from . with ./hardenctl.yaml: the default policy file is the one in use, no warning', async () => {
    const result = await runCliInWorker(['audit', '--from', '.', '--format', 'json'], {cwd: estate})
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toBe('')
    expect(waived(result.stdout)).toHaveLength(1)
  })

  it('reconcile --dry-run, netpol matrix --plan and review: no warning either', async () => {
    for (const args of [
      ['reconcile', '--dry-run', '--from', estate, '--policy', join(estate, 'hardenctl.yaml'), '--format', 'json'],
      ['netpol', 'matrix', '--plan', '--from', estate, '--policy', join(estate, 'hardenctl.yaml')],
      ['review', bundleDir, '--policy', join(bundleDir, 'hardenctl.yaml'), '--format', 'json'],
    ]) {
      const result = await runCliInWorker(args)
      // review is a gate: findings make it exit 1.
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(args[0] === 'review' ? 1 : 0)
      expect(result.stderr, args.join(' ')).toBe('')
    }
  })
})

describe('another policy among the inputs', () => {
  it('is ignored, and the warning names the policy the rules run with', async () => {
    const result = await runCliInWorker(['audit', '--from', estate, '--policy', elsewhere, '--format', 'json'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toBe(`hardenctl: warning: ${join(estate, 'hardenctl.yaml')}: a hardenctl policy inside the inputs is ignored (the rules run with ${elsewhere}); to use this one, pass it with --policy\n`)
    expect(waived(result.stdout)).toEqual([])
  })

  it('with no policy in use, the warning says the rules run with the default policy', async () => {
    const result = await runCliInWorker(['audit', '--from', estate, '--format', 'json'], {cwd: REPO_ROOT})
    expect(result.stderr).toContain('is ignored (the rules run with the default policy); to use this one, pass it with --policy')
    expect(waived(result.stdout)).toEqual([])
  })
})
