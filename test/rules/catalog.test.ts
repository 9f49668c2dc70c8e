import {existsSync, readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {describe, expect, it} from 'vitest'

import {PROFILES, SEVERITIES} from '../../src/findings/types.js'
import {INPUT_KIND_DESCRIPTIONS} from '../../src/inventory/types.js'
import {ALL_RULES, HOST_RULES} from '../../src/rules/catalog.js'
import {GUIDES, guideOf} from '../../src/rules/guides.js'

const here = dirname(fileURLToPath(import.meta.url))
const SEEDS = join(here, '..', 'seeds')

/** The ids of shared/RULES.md, in its order. Ids are stable once released. */
const RULES_MD_IDS = [
  'JUJU-TRUST', 'JUJU-ROOT-CONTAINER', 'JUJU-CHARM-USER', 'JUJU-NO-SECRETS', 'JUJU-EXPOSED', 'JUJU-CHARM-SOURCE',
  'JUJU-CHARM-OUTDATED', 'ACCESS-SUPERUSER', 'ACCESS-MODEL-ADMIN', 'ACCESS-STALE-USER', 'ACCESS-OFFER',
  'JUJU-DISABLED-COMMANDS', 'JUJU-OBSERVABILITY', 'JUJU-CONTROLLER-PORTS', 'JUJU-CONTROLLER-API-PORT',
  'JUJU-CLOUD-CREDENTIAL', 'JUJU-BASE-NOT-LTS',
  'K8S-PRIVILEGED', 'K8S-HOST-ACCESS', 'K8S-SA-OVERPRIVILEGED', 'K8S-LOADBALANCER', 'K8S-INGRESS-NO-TLS',
  'NET-NO-DEFAULT-DENY', 'NET-UNRESTRICTED-POD', 'NET-NAMESPACE-PSA',
  'TLS-MISSING-RELATION', 'TLS-DB-PLAINTEXT', 'TLS-SELF-SIGNED', 'TLS-CONFIG-KEY',
  'LANDSCAPE-EXPOSURE', 'LANDSCAPE-INTERNAL-PORTS', 'LANDSCAPE-HTTP-PORT', 'LANDSCAPE-PROXY-TLS',
  'LIVEPATCH-ADMIN-API', 'LIVEPATCH-TLS', 'LIVEPATCH-DB-EXPOSED', 'LIVEPATCH-DB-TLS',
  'MAAS-PORTS', 'MAAS-TLS', 'MAAS-DB-TLS', 'MAAS-VAULT', 'MAAS-FILE-PERMS', 'MAAS-LOGIN-FAILURES',
  'MAAS-SSH-FAILURES', 'MAAS-HOST-PORTS', 'MAAS-FIREWALL', 'MAAS-HAPROXY-TLS',
  'LANDSCAPE-CLIENT-HTTPS', 'LANDSCAPE-CLIENT-SCRIPT-USERS', 'LANDSCAPE-CLIENT-MONITOR-ONLY',
]

/** Severities and auto-fix as RULES.md states them. */
const RULES_MD_DEFAULTS: Record<string, {severity: string; autoFixable: boolean}> = {
  'JUJU-TRUST': {severity: 'high', autoFixable: false},
  'JUJU-ROOT-CONTAINER': {severity: 'high', autoFixable: false},
  'JUJU-CHARM-USER': {severity: 'medium', autoFixable: false},
  'JUJU-EXPOSED': {severity: 'high', autoFixable: true},
  'ACCESS-SUPERUSER': {severity: 'high', autoFixable: true},
  'ACCESS-STALE-USER': {severity: 'medium', autoFixable: true},
  'JUJU-CONTROLLER-PORTS': {severity: 'high', autoFixable: true},
  'K8S-SA-OVERPRIVILEGED': {severity: 'critical', autoFixable: false},
  'NET-NO-DEFAULT-DENY': {severity: 'high', autoFixable: true},
  'NET-NAMESPACE-PSA': {severity: 'low', autoFixable: true},
  'LANDSCAPE-EXPOSURE': {severity: 'critical', autoFixable: true},
  'LIVEPATCH-DB-EXPOSED': {severity: 'critical', autoFixable: true},
  'MAAS-VAULT': {severity: 'low', autoFixable: false},
  'MAAS-FILE-PERMS': {severity: 'medium', autoFixable: false},
  'MAAS-LOGIN-FAILURES': {severity: 'medium', autoFixable: false},
  'MAAS-SSH-FAILURES': {severity: 'medium', autoFixable: false},
  'MAAS-HOST-PORTS': {severity: 'high', autoFixable: false},
  'MAAS-FIREWALL': {severity: 'high', autoFixable: false},
  'MAAS-HAPROXY-TLS': {severity: 'medium', autoFixable: false},
  'LANDSCAPE-CLIENT-HTTPS': {severity: 'high', autoFixable: false},
  'LANDSCAPE-CLIENT-SCRIPT-USERS': {severity: 'medium', autoFixable: false},
  'LANDSCAPE-CLIENT-MONITOR-ONLY': {severity: 'info', autoFixable: false},
}

/** Rules beyond RULES.md (it is a floor): reading gaps become findings; certificates the hosts serve that expire. */
const ADDED_IDS = ['INVENTORY-INCOMPLETE', 'JUJU-EXPOSE-EXTERNAL', 'K8S-RUN-AS-ROOT', 'MAAS-TLS-CERT-EXPIRY', 'LANDSCAPE-TLS-CERT-EXPIRY']

describe('the rule catalog', () => {
  it('has every id of RULES.md, once, in its order, then the rules hardenctl adds', () => {
    expect(ALL_RULES.map((r) => r.id)).toEqual([...RULES_MD_IDS, ...ADDED_IDS])
  })

  it('matches RULES.md when it is available', () => {
    const file = join(dirname(fileURLToPath(import.meta.url)), '../rules-catalog.md')
    if (!existsSync(file)) return
    const documented = [...readFileSync(file, 'utf8').matchAll(/^\| ([A-Z0-9]+(?:-[A-Z0-9]+)+) \|/gm)].map((m) => m[1])
    expect(ALL_RULES.map((r) => r.id).filter((id) => !ADDED_IDS.includes(id)).sort()).toEqual([...documented].sort())
  })

  it.each(ALL_RULES.map((r) => [r.id, r] as const))('%s is fully described', (_id, rule) => {
    expect(rule.title.trim()).not.toBe('')
    expect(rule.rationale.trim().length).toBeGreaterThan(40)
    expect(rule.remediation.trim()).not.toBe('')
    expect(SEVERITIES).toContain(rule.severity)
    expect(PROFILES).toContain(rule.profile)
    expect(guideOf(rule.guide)?.file).toMatch(/^00\d_[0-9a-f]{16}\.txt$/)
    expect(rule.guide.url).toMatch(/^https:\/\/[^\s]+$/)
    expect(rule.guide.section.trim()).not.toBe('')
    expect(rule.guide.title.trim()).not.toBe('')
    for (const group of rule.needs) for (const kind of group) expect(Object.keys(INPUT_KIND_DESCRIPTIONS)).toContain(kind)
    if (rule.scope !== 'host' && !rule.runsInEveryProfile) expect(rule.needs.length).toBeGreaterThan(0)
  })

  it.each(ALL_RULES.map((r) => [r.id, r] as const))('%s cites a section that occurs in its guide', (_id, rule) => {
    const text = readFileSync(join(SEEDS, guideOf(rule.guide)!.file), 'utf8')
    expect(text).toContain(rule.guide.section)
  })

  it('keeps the severities and auto-fix flags RULES.md gives', () => {
    for (const [id, expected] of Object.entries(RULES_MD_DEFAULTS)) {
      const rule = ALL_RULES.find((r) => r.id === id)
      expect({id, severity: rule?.severity, autoFixable: rule?.autoFixable}).toEqual({id, ...expected})
    }
  })

  it('marks the RULES.md host checks (and MAAS-FILE-PERMS, MAAS-LOGIN-FAILURES, the certificate expiry checks) as host rules', () => {
    expect(ALL_RULES.filter((r) => r.scope === 'host').map((r) => r.id)).toEqual([
      'MAAS-FILE-PERMS', 'MAAS-LOGIN-FAILURES', 'MAAS-SSH-FAILURES', 'MAAS-HOST-PORTS', 'MAAS-FIREWALL', 'MAAS-HAPROXY-TLS',
      'LANDSCAPE-CLIENT-HTTPS', 'LANDSCAPE-CLIENT-SCRIPT-USERS', 'LANDSCAPE-CLIENT-MONITOR-ONLY', 'MAAS-TLS-CERT-EXPIRY', 'LANDSCAPE-TLS-CERT-EXPIRY',
    ])
  })

  it('gives MAAS-TLS, MAAS-DB-TLS and the Landscape server rules a host form with the same id, guide and severity (RULES.md "Host checks")', () => {
    const forms = ['MAAS-TLS', 'MAAS-DB-TLS', 'LANDSCAPE-INTERNAL-PORTS', 'LANDSCAPE-HTTP-PORT', 'LANDSCAPE-PROXY-TLS']
    for (const id of forms) {
      const estate = ALL_RULES.find((r) => r.id === id)!
      const host = HOST_RULES.find((r) => r.id === id)!
      expect(host.scope).toBe('host')
      expect({guide: host.guide, severity: host.severity, title: host.title}).toEqual({guide: estate.guide, severity: estate.severity, title: estate.title})
    }
    expect(HOST_RULES.map((r) => r.id)).toEqual([...ALL_RULES.filter((r) => r.scope === 'host' || forms.includes(r.id)).map((r) => r.id)])
  })

  it('gives product rules their product profile', () => {
    for (const rule of ALL_RULES) {
      const prefix = rule.id.split('-')[0]
      if (prefix === 'LANDSCAPE') expect(rule.profile).toBe('landscape')
      if (prefix === 'LIVEPATCH') expect(rule.profile).toBe('livepatch')
      if (prefix === 'MAAS') expect(rule.profile).toBe('maas')
      if (prefix === 'K8S' || prefix === 'NET') expect(rule.profile).toBe('k8s')
    }
  })

  it('cites the Landscape guide title as written', () => {
    const landscape = readFileSync(join(SEEDS, GUIDES.landscape.file), 'utf8')
    expect(landscape).toContain(`# ${ALL_RULES.find((r) => r.profile === 'landscape')?.guide.title}`)
  })

  it('cites the Juju guide title as written', () => {
    const juju = readFileSync(join(SEEDS, '002_57f06eaaa8445352.txt'), 'utf8')
    expect(juju).toContain(`# ${ALL_RULES.find((r) => r.id === 'JUJU-TRUST')?.guide.title}`)
  })
})
