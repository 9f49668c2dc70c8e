import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'

/** Every id in the catalog the project must cover (test/rules-catalog.md, a copy of the project brief's rule catalog). */
const REQUIRED_IDS = [...readFileSync(new URL('../rules-catalog.md', import.meta.url), 'utf8').matchAll(/^\| ([A-Z0-9]+(?:-[A-Z0-9]+)+) \|/gm)].map(
  (match) => match[1]!,
)

describe('hardenctl rules', () => {
  it('lists every rule of the catalog as JSON', async () => {
    const result = await runCli(['rules', '--format', 'json'])
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
    const result = await runCli(['rules', '--profile', 'landscape'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('LANDSCAPE-EXPOSURE')
    expect(result.stdout).not.toContain('JUJU-TRUST')
  })
})
