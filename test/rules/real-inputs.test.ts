/**
 * TLS and credential rules on real public files (test/rules/fixtures, see its README), through the
 * whole audit as a user runs it: the findings and the fix commands a Juju reviewer would accept.
 */
import {copyFile, mkdtemp} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {runAudit} from '../../src/audit/run-audit.js'
import type {Finding} from '../../src/findings/types.js'

const FIXTURES = new URL('./fixtures/', import.meta.url).pathname
const OPENSTACK_BUNDLE = join(FIXTURES, 'openstack__charm-mysql-router__src__tests__bundles__jammy-full.yaml')
const NOW = new Date('2026-11-23T00:00:00Z')

const REAL_WORLD = new URL('../real-world/bundles/', import.meta.url).pathname

async function audit(...from: string[]) {
  return runAudit({from, toolVersion: 'test', now: NOW, policyFile: undefined})
}

function ruleFindings(findings: Finding[], rule: string): Finding[] {
  return findings.filter((finding) => finding.rule === rule)
}

/** `juju integrate` arguments: `app[:endpoint]` twice, after `-m MODEL`. */
function integrateArguments(command: string): string[][] {
  return [...command.matchAll(/juju integrate -m \S+ (\S+) (\S+)/g)].map((match) => [match[1] ?? '', match[2] ?? ''])
}

describe('openstack/charm-mysql-router jammy-full bundle', () => {
  it('reports no mysql-router subordinate, and gives the databases a certificate from the vault already deployed', async () => {
    const {report} = await audit(OPENSTACK_BUNDLE)
    const plaintext = ruleFindings(report.findings, 'TLS-DB-PLAINTEXT')
    // The bundle relates neither mysql-innodb-cluster nor rabbitmq-server to vault:certificates.
    expect(plaintext.map((finding) => finding.target.name)).toEqual(['mysql-innodb-cluster', 'rabbitmq-server'])
    // vault on latest/edge names no track, but the bundle relates it on `vault:certificates` (the classic
    // charm's endpoint; the newer charm issues on `vault-pki`): the fix names the endpoint it already issues on.
    expect(plaintext.map((finding) => integrateArguments(finding.remediation ?? ''))).toEqual([
      [['mysql-innodb-cluster:certificates', 'vault:certificates']],
      [['rabbitmq-server:certificates', 'vault:certificates']],
    ])
    for (const finding of plaintext) expect(finding.remediation).not.toContain('self-signed-certificates')
  })

  it('does the same with the router\'s own metadata read', async () => {
    const charm = await mkdtemp(join(tmpdir(), 'hardenctl-router-'))
    await copyFile(join(FIXTURES, 'mysql-router/metadata.yaml'), join(charm, 'metadata.yaml'))
    const {report} = await audit(OPENSTACK_BUNDLE, charm)
    expect(ruleFindings(report.findings, 'TLS-DB-PLAINTEXT').map((finding) => finding.target.name)).toEqual(['mysql-innodb-cluster', 'rabbitmq-server'])
    expect(ruleFindings(report.findings, 'TLS-MISSING-RELATION').map((finding) => finding.target.name)).not.toContain('keystone-mysql-router')
  })

  it('observes the machines with the collector subordinate on the principals only, with no --trust', async () => {
    const {report} = await audit(join(REAL_WORLD, 'openstack-charmers__openstack-bundles__development__openstack-base-jammy-zed__bundle.yaml'))
    const [observability] = ruleFindings(report.findings, 'JUJU-OBSERVABILITY')
    const [commands = ''] = (observability?.remediation ?? '').split('   # ')
    expect(commands).toMatch(/^juju deploy -m \S+ opentelemetry-collector /)
    expect(commands).not.toContain('--trust')
    const related = [...commands.matchAll(/opentelemetry-collector:juju-info (\S+)/g)].map((match) => match[1])
    // Subordinates (no num_units in the bundle, mysql-router, ntp) are not related to a subordinate collector.
    expect(related).toContain('keystone')
    expect(related).toContain('mysql-innodb-cluster')
    for (const subordinate of ['keystone-mysql-router', 'placement-mysql-router', 'neutron-api-plugin-ovn', 'ntp']) expect(related).not.toContain(subordinate)
  })

  it('moves a model with a Charm Store charm to Juju 3.6 before any collector: opentelemetry-collector assumes Juju 3.6, and Juju 3 deploys no cs: charm', async () => {
    // The jammy-full test bundle of charm-mysql-router deploys `cs:memcached`.
    const {report} = await audit(OPENSTACK_BUNDLE)
    const [observability] = ruleFindings(report.findings, 'JUJU-OBSERVABILITY')
    expect(observability?.remediation).toMatch(/^juju migrate MODEL NEW-CONTROLLER {3}# /)
    expect(observability?.remediation).toContain('this model\'s charms come from the retired Charm Store (memcached: cs:)')
  })
})

describe("the real-world corpus's Charmed OpenStack bundles: the fixes, not only the findings", () => {

  it('jammy-zed openstack-base: rabbitmq-server goes to the classic vault already there, no deploy', async () => {
    const {report} = await audit(join(REAL_WORLD, 'openstack-charmers__openstack-bundles__development__openstack-base-jammy-zed__bundle.yaml'))
    const fix = (rule: string, name: string) => report.findings.find((f) => f.rule === rule && f.target.name === name)?.remediation
    expect(fix('TLS-DB-PLAINTEXT', 'rabbitmq-server')).toBe('juju integrate -m openstack-base rabbitmq-server:certificates vault:certificates')
  })

  it("FCE template: octavia's issuing CA key is kept and its readers limited, never cleared", async () => {
    const {report} = await audit(join(REAL_WORLD, 'canonical__juju-lint__tests__resources__fcb-yoga-jammy-bundle.yaml'))
    const fix = report.findings.find((f) => f.rule === 'TLS-CONFIG-KEY' && f.target.name === 'octavia')?.remediation
    expect(fix).toContain('is the private key of a CA octavia signs certificates with, which no certificates relation hands out')
    expect(fix).not.toMatch(/unset|--reset/)
  })

  it("old openstack-base with the virt overlay: keystone's admin-password is cleared and rotated; the exposed APIs are narrowed, not unexposed", async () => {
    const {report} = await audit(join(REAL_WORLD, 'openstack-charmers__openstack-bundles__stable__openstack-base__bundle.yaml'), join(REAL_WORLD, '../overlays/openstack-charmers__openstack-bundles__stable__overlays__openstack-base-virt-overlay.yaml'))
    const secrets = report.findings.find((f) => f.rule === 'JUJU-NO-SECRETS' && f.target.name === 'keystone')?.remediation
    expect(secrets).toMatch(/^juju config -m MODEL keystone --reset admin-password && juju run -m MODEL keystone\/leader rotate-admin-password {3}# /)
    const exposed = report.findings.filter((f) => f.rule === 'JUJU-EXPOSED')
    expect(exposed.map((f) => f.target.name).sort()).toEqual(['cinder', 'glance', 'keystone', 'neutron-api', 'nova-cloud-controller', 'openstack-dashboard'])
    for (const f of exposed) expect(f.remediation).toMatch(/^juju expose -m MODEL [a-z-]+ --to-cidrs ADMIN-CIDRS {3}# [a-z-]+ serves the cloud's API to its users/)
  })
})

describe("the real-world corpus's fifteenth batch (Spark, Canonical Kubernetes, Kafka): the fixes", () => {
  const fixOf = (report: {findings: {rule: string; target: {name: string}; remediation: string}[]}, rule: string, name: string) =>
    report.findings.find((f) => f.rule === rule && f.target.name === name)?.remediation ?? ''

  it("Spark: kyuubi's and the integration hub's trust is kept, as the Spark docs deploy them; latest/edge is not sent to latest/stable", async () => {
    const {report} = await audit(join(REAL_WORLD, 'canonical__spark-k8s-bundle__bundle.yaml'))
    for (const app of ['kyuubi', 'integration-hub', 'metastore', 'kyuubi-users']) {
      expect(fixOf(report, 'JUJU-TRUST', app)).toMatch(new RegExp(`^audit ${app} and add "MODEL/${app}" to trust.allow in hardenctl.yaml: [a-z0-9-]+ needs --trust`))
    }
    expect(fixOf(report, 'JUJU-CHARM-SOURCE', 'kyuubi')).toMatch(/^juju refresh -m MODEL kyuubi --channel TRACK\/stable {3}# kyuubi follows the latest track, which names no version: .*`juju info kyuubi-k8s` lists/)
    expect(fixOf(report, 'JUJU-CHARM-SOURCE', 'history-server')).toMatch(/^juju refresh -m MODEL history-server --channel 3\.4\/stable {3}# first compare revisions/)
    // The bundle names no model: the allowlist entry for the collector it would deploy says MODEL, not the file's label.
    expect(fixOf(report, 'JUJU-OBSERVABILITY', 'canonical__spark-k8s-bundle__bundle')).toContain('add "MODEL/opentelemetry-collector-k8s" to trust.allow')
  })

  it('Canonical Kubernetes: the k8s charms on latest/edge get a track to choose, not latest/stable', async () => {
    const {report} = await audit(join(REAL_WORLD, 'canonical__k8s-bundles__main__bundle.yaml'))
    for (const app of ['k8s', 'k8s-worker']) {
      expect(fixOf(report, 'JUJU-CHARM-SOURCE', app)).toMatch(new RegExp(`^juju refresh -m canonical-kubernetes ${app} --channel TRACK/stable {3}#`))
      expect(fixOf(report, 'JUJU-CHARM-SOURCE', app).split('   # ')[0]).not.toContain('latest/stable')
    }
  })

  it('Kafka: a version track is kept (3/edge → 3/stable)', async () => {
    const {report} = await audit(join(REAL_WORLD, 'canonical__kafka-bundle__releases__3__kafka__bundle.yaml'))
    expect(fixOf(report, 'JUJU-CHARM-SOURCE', 'kafka')).toMatch(/^juju refresh -m kafka-bundle kafka --channel 3\/stable {3}# first compare revisions/)
  })
})

describe('canonical/landscape-client-charm', () => {
  async function landscapeClientCharm(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'hardenctl-landscape-client-'))
    await copyFile(join(FIXTURES, 'landscape-client/metadata.yaml'), join(dir, 'metadata.yaml'))
    await copyFile(join(FIXTURES, 'landscape-client/config.yaml'), join(dir, 'config.yaml'))
    return dir
  }

  it('takes registration-key as a credential, and ssl-public-key (a CA certificate) as nothing to report', async () => {
    const {report} = await audit(await landscapeClientCharm())
    expect(ruleFindings(report.findings, 'TLS-CONFIG-KEY')).toEqual([])
    const [secrets] = ruleFindings(report.findings, 'JUJU-NO-SECRETS')
    expect(secrets?.evidence).toMatchObject({declaredStringOptions: ['registration-key']})
  })

  it('reports the registration key its bundle sets, with a juju add-secret key Juju accepts, never the value', async () => {
    const {report} = await audit(join(FIXTURES, 'canonical__landscape-client-charm__bundle.yaml'), await landscapeClientCharm())
    const [secrets] = ruleFindings(report.findings, 'JUJU-NO-SECRETS')
    expect(secrets).toMatchObject({severity: 'medium', target: {name: 'landscape-client'}, evidence: {setOptions: ['registration-key']}})
    expect(secrets?.location?.file).toContain('canonical__landscape-client-charm__bundle.yaml')
    expect(secrets?.remediation).toContain(' registration-key#file=registration-key.txt')
    expect(secrets?.remediation).toMatch(/juju grant-secret -m \S+ landscape-client-credentials landscape-client/)
    expect(JSON.stringify(secrets)).not.toMatch(/registration-key[^#]*landscape\b(?!-)/)
  })
})
