import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'

import {runCliInWorker} from '../helpers/cli-in-worker.js'

/** Every id in the catalog the project must cover (test/rules-catalog.md, a copy of the project brief's rule catalog). */
const REQUIRED_IDS = [...readFileSync(new URL('../rules-catalog.md', import.meta.url), 'utf8').matchAll(/^\| ([A-Z0-9]+(?:-[A-Z0-9]+)+) \|/gm)].map(
  (match) => match[1]!,
)

describe('hardenctl rules', () => {
  it('lists every rule of the catalog as JSON', async () => {
    const result = await runCliInWorker(['rules', '--format', 'json'])
    expect(result.code).toBe(0)
    const catalog = JSON.parse(result.stdout) as {kind: string; rules: {id: string; guide: {title: string; url: string; section: string}; remediation: string; autoFixable: boolean}[]}
    expect(catalog.kind).toBe('RuleCatalog')
    const ids = catalog.rules.map((rule) => rule.id)
    expect(REQUIRED_IDS.length).toBeGreaterThan(40)
    for (const id of REQUIRED_IDS) expect(ids, id).toContain(id)
    for (const rule of catalog.rules) {
      expect(rule.guide.url, rule.id).toMatch(/^https:\/\/(documentation\.ubuntu\.com|ubuntu\.com|maas\.io|discourse\.maas\.io)\//)
      expect(rule.guide.title, rule.id).not.toBe('')
      expect(rule.remediation.length, rule.id).toBeGreaterThan(10)
    }
  })

  it('prints a table, filtered by profile', async () => {
    const result = await runCliInWorker(['rules', '--profile', 'landscape'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('LANDSCAPE-EXPOSURE')
    expect(result.stdout).not.toContain('JUJU-TRUST')
  })
})

describe('hardenctl rules ID', () => {
  it('explains one rule: what, why, the guide with its address, the fix, auto-fixable, the inputs it reads', async () => {
    const result = await runCliInWorker(['rules', 'juju-trust'])
    expect(result.code).toBe(0)
    expect(result.stderr).toBe('')
    const text = result.stdout
    expect(text.split('\n')[0]).toBe('JUJU-TRUST  Application deployed with --trust')
    expect(text).toContain('  severity high · profile juju\n')
    expect(text).toContain('\nWhy\n  A trusted application can use the cloud credential of its model')
    expect(text).toContain(
      '\nGuide\n  Harden your Juju deployment § Harden the applications\n  https://documentation.ubuntu.com/juju/3.6/howto/manage-your-juju-deployment/harden-your-juju-deployment/\n',
    )
    expect(text).toContain('\nFix\n  Remove trust unless the charm needs it: `juju trust APP --remove`')
    expect(text).toContain('\nAuto-fixable\n  no: hardenctl reconcile does not change this')
    expect(text).toContain('\nReads\n  `juju config APP --format=json` or a bundle (`juju export-bundle`; on Juju 4, which removed it, `hardenctl snapshot`) or `kubectl get roles,rolebindings,clusterroles,clusterrolebindings -A -o json`\n')
  })

  it('says when reconcile can fix it, and gives one rule as a RuleCatalog in JSON', async () => {
    const table = await runCliInWorker(['rules', 'NET-NO-DEFAULT-DENY'])
    expect(table.stdout).toContain('\nAuto-fixable\n  yes: hardenctl reconcile applies this fix')
    const json = await runCliInWorker(['rules', 'NET-NO-DEFAULT-DENY', '--format', 'json'])
    const catalog = JSON.parse(json.stdout) as {kind: string; rules: {id: string}[]}
    expect(catalog.kind).toBe('RuleCatalog')
    expect(catalog.rules.map((rule) => rule.id)).toEqual(['NET-NO-DEFAULT-DENY'])
  })

  it('refuses an unknown id with exit 2, suggesting the closest', async () => {
    const typo = await runCliInWorker(['rules', 'JUJU-TRUSTT'])
    expect(typo.code).toBe(2)
    expect(typo.stdout).toBe('')
    expect(typo.stderr).toBe('hardenctl: no rule "JUJU-TRUSTT"; did you mean JUJU-TRUST? (hardenctl rules lists them all)\n')
    const nothingClose = await runCliInWorker(['rules', 'XYZZY'])
    expect(nothingClose.code).toBe(2)
    expect(nothingClose.stderr).toBe('hardenctl: no rule "XYZZY" (hardenctl rules lists them all)\n')
  })
})

describe('hardenctl rules flags', () => {
  it('accepts --profile as a comma-separated list, and checks every value', async () => {
    const both = await runCliInWorker(['rules', '--profile', 'maas,livepatch', '--format', 'json'])
    expect(both.code).toBe(0)
    const profiles = new Set((JSON.parse(both.stdout) as {rules: {profile: string}[]}).rules.map((rule) => rule.profile))
    expect([...profiles].sort()).toEqual(['livepatch', 'maas'])
    const bad = await runCliInWorker(['rules', '--profile', 'maas,bogus'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--profile=bogus to be one of: juju, k8s, landscape, livepatch, maas')
  })

  it('documents only the exit codes it has: no --fail-on', async () => {
    const help = await runCliInWorker(['rules', '--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).not.toContain('--fail-on')
    expect(help.stdout).toContain('2  unknown rule id or bad usage')
  })
})
