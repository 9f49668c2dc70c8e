/**
 * MAAS-TLS (host form) and MAAS-HAPROXY-TLS print the haproxy.cfg directives to add and the
 * section each goes in. Made as printed on a copy of MAAS's own HA haproxy.cfg (the real-world host
 * corpus' excerpt of its HA page), the host must then pass both. The directives are taken from the
 * printed text (each backticked haproxy line), not restated here, so a fix that names the wrong
 * directive or section fails.
 */
import {copyFile, readFile, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import {localRoot} from '../../src/host/local.js'
import {runHostAudit} from '../../src/host/run-host.js'
import {defaultPolicy} from '../../src/policy/schema.js'
import {newRoot} from './roots.js'

const NOW = new Date('2026-11-23T00:00:00Z')
const HA_PAGE_HAPROXY = new URL('../real-world-hosts/hosts/canonical__maas__docs__usr__markdown__how-to-enable-high-availability-5120.md__haproxy.cfg', import.meta.url).pathname

const roots: string[] = []
afterEach(async () => {
  await Promise.all(roots.splice(0).map((dir) => rm(dir, {recursive: true, force: true})))
})

async function tlsFindings(dir: string) {
  const result = await runHostAudit({roots: [await localRoot(dir)], policy: {policy: defaultPolicy()}, toolVersion: 'test', now: NOW})
  return result.report.findings.filter((finding) => finding.rule === 'MAAS-TLS' || finding.rule === 'MAAS-HAPROXY-TLS')
}

/**
 * Where the fix says a directive goes: "`X` in global" (or defaults, or the frontend), or every
 * directive of "terminate TLS in frontend NAME (`X`, and `Y` ...)".
 */
function sectionOf(text: string, at: number, length: number): string {
  const after = /^\s+in (global|defaults|the frontend)\b/.exec(text.slice(at + length))?.[1]
  const frontend = /in frontend (\S+) \([^)]*$/.exec(text.slice(0, at))?.[1]
  if (after === 'the frontend' || (after === undefined && frontend)) return `frontend ${frontend ?? 'maas'}`
  if (after) return after
  throw new Error(`the fix does not say where ${text.slice(at, at + length)} goes: ${text}`)
}

/** Adds each directive at the end of its section, the section made (before the others) when the file has none. */
function addDirectives(config: string, additions: {section: string; directive: string}[]): string {
  const lines = config.replace(/\n$/, '').split('\n')
  for (const {section, directive} of additions) {
    const start = lines.findIndex((line) => line.trim() === section)
    if (start === -1) {
      lines.unshift(section, `    ${directive}`, '')
      continue
    }
    let end = start + 1
    while (end < lines.length && lines[end]!.trim() !== '' && /^\s/.test(lines[end]!)) end++
    lines.splice(end, 0, `    ${directive}`)
  }
  return `${lines.join('\n')}\n`
}

describe('haproxy.cfg fixes, made on the host', () => {
  it("MAAS's HA haproxy.cfg: the directives MAAS-TLS and MAAS-HAPROXY-TLS print, added where they say, leave neither to report", async () => {
    const root = await newRoot('maas-region-ha')
    roots.push(root.dir)
    await root.file('/etc/maas/regiond.conf', root.regiondConf())
    const config = join(root.dir, 'etc/haproxy/haproxy.cfg')
    await root.dir_('/etc/haproxy')
    await copyFile(HA_PAGE_HAPROXY, config)

    const before = await tlsFindings(root.dir)
    expect(before.map((f) => f.rule).sort()).toEqual(['MAAS-HAPROXY-TLS', 'MAAS-TLS'])
    const additions = new Map<string, {section: string; directive: string}>()
    for (const finding of before) {
      const text = finding.remediation ?? ''
      for (const match of text.matchAll(/`([^`]+)`/g)) {
        // The rule's generic text names the certificate PEM; the host-specific one maas.pem.
        const directive = match[1]!.replace('/etc/ssl/private/PEM', '/etc/ssl/private/maas.pem')
        if (/^sudo\b/.test(directive)) continue
        additions.set(directive, {section: sectionOf(text, match.index, match[0].length), directive})
      }
    }
    expect([...additions.keys()]).toEqual(
      expect.arrayContaining(['bind *:443 ssl crt /etc/ssl/private/maas.pem', 'tune.ssl.default-dh-param 2048', 'option forwardfor']),
    )
    await writeFile(config, addDirectives(await readFile(config, 'utf8'), [...additions.values()]))

    const after = await tlsFindings(root.dir)
    expect(after.map((f) => `${f.rule}: ${f.message}`), await readFile(config, 'utf8')).toEqual([])
  })
})
