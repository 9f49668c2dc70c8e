/**
 * Every real-world file in test/corpus/ (copied from public repositories, see its README) goes
 * through the whole audit pipeline, and the findings match what the corpus README says each file
 * contains.
 */
import {copyFile, mkdir, mkdtemp, readdir} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {runAudit} from '../src/audit/run-audit.js'
import type {Finding} from '../src/findings/types.js'

const CORPUS = new URL('./corpus/', import.meta.url).pathname
const NOW = new Date('2026-11-23T00:00:00Z')

async function audit(...from: string[]) {
  return runAudit({from, toolVersion: 'test', now: NOW, policyFile: undefined})
}

function targetsOf(findings: Finding[], rule: string): string[] {
  return findings.filter((finding) => finding.rule === rule).map((finding) => finding.target.name)
}

/** Puts corpus charm files back under the names charmcraft expects, in a directory of their own. */
async function charmDirectory(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hardenctl-charm-'))
  await mkdir(dir, {recursive: true})
  for (const [name, corpusFile] of Object.entries(files)) await copyFile(join(CORPUS, 'charms', corpusFile), join(dir, name))
  return dir
}

describe('corpus', () => {
  it('every status dump, bundle and charm file loads through the audit without error', async () => {
    for (const folder of ['status', 'bundles', 'charms']) {
      for (const file of await readdir(join(CORPUS, folder))) {
        const result = await audit(join(CORPUS, folder, file))
        expect(result.inventory.files.map((entry) => entry.kind).join(), file).not.toBe('')
      }
    }
  })

  it('minio: containers run as uid 584792 and charm-user is non-root, so no root findings', async () => {
    const dir = await charmDirectory({'metadata.yaml': 'minio-operator__metadata.yaml', 'charmcraft.yaml': 'minio-operator__charmcraft.yaml'})
    const {report} = await audit(dir)
    expect(targetsOf(report.findings, 'JUJU-ROOT-CONTAINER')).toEqual([])
    expect(targetsOf(report.findings, 'JUJU-CHARM-USER')).toEqual([])
  })

  it('sidecar-non-root: the rootful container is root, the rootless one is not', async () => {
    const dir = await charmDirectory({
      'metadata.yaml': 'juju__testcharms__charms__sidecar-non-root__metadata.yaml',
      'charmcraft.yaml': 'juju__testcharms__charms__sidecar-non-root__charmcraft.yaml',
    })
    const {report} = await audit(dir)
    const root = report.findings.filter((finding) => finding.rule === 'JUJU-ROOT-CONTAINER')
    expect(root).toHaveLength(1)
    expect(root[0]!.target).toMatchObject({kind: 'charm', name: 'sidecar-non-root'})
    expect(root[0]!.message).toContain('rootful')
    expect(root[0]!.message).not.toContain('rootless')
    expect(root[0]!.location?.line).toBeGreaterThan(0)
  })

  it('postgresql-k8s: its container has no uid/gid and it sets no charm-user', async () => {
    const dir = await charmDirectory({'metadata.yaml': 'postgresql-k8s-operator__metadata.yaml'})
    const {report} = await audit(dir)
    expect(targetsOf(report.findings, 'JUJU-ROOT-CONTAINER')).toEqual(['postgresql-k8s'])
    expect(targetsOf(report.findings, 'JUJU-CHARM-USER')).toEqual(['postgresql-k8s'])
  })

  it('maas-region: the private key is a plain config string', async () => {
    const dir = await charmDirectory({'charmcraft.yaml': 'maas-charms__maas-region__charmcraft.yaml'})
    const {report} = await audit(dir)
    expect(report.metadata.profiles).toContain('maas')
    expect(report.findings.map((finding) => finding.rule)).toContain('TLS-CONFIG-KEY')
  })

  it('livepatch bundle: postgresql-k8s and the ingress integrator are trusted, livepatch is not', async () => {
    const {report} = await audit(join(CORPUS, 'bundles/livepatch-k8s-operator__bundle__bundle.yaml'))
    expect(targetsOf(report.findings, 'JUJU-TRUST').sort()).toEqual(['ingress', 'postgresql'])
    expect(targetsOf(report.findings, 'JUJU-CHARM-SOURCE')).toContain('postgresql')
    const trust = report.findings.find((finding) => finding.rule === 'JUJU-TRUST' && finding.target.name === 'postgresql')!
    // `trust: true` is line 21 of the bundle.
    expect(trust.location).toMatchObject({line: 21})
  })

  it('landscape bundle: haproxy exposed with a self-signed certificate, a local charm, edge channels', async () => {
    const {report} = await audit(join(CORPUS, 'bundles/landscape-charm__bundle-examples__bundle.yaml'))
    expect(report.metadata.profiles).toContain('landscape')
    expect(targetsOf(report.findings, 'JUJU-EXPOSED')).toEqual(['haproxy'])
    expect(targetsOf(report.findings, 'TLS-SELF-SIGNED')).toEqual(['haproxy'])
    expect(targetsOf(report.findings, 'JUJU-CHARM-SOURCE').sort()).toEqual(['haproxy', 'landscape-server', 'rabbitmq-server'])
    expect(targetsOf(report.findings, 'LANDSCAPE-HTTP-PORT')).toEqual(['haproxy'])
    expect(targetsOf(report.findings, 'JUJU-TRUST')).toEqual([])
  })

  it('machine status (Juju 3.1.2): kafka and zookeeper can be upgraded and follow 3/edge', async () => {
    const {report} = await audit(join(CORPUS, 'status/jhack__jhack__tests__utils__test_show_relation__mocks__machine__full_status_None.json'))
    expect(targetsOf(report.findings, 'JUJU-CHARM-OUTDATED').sort()).toEqual(['kafka', 'zookeeper'])
    expect(targetsOf(report.findings, 'JUJU-CHARM-SOURCE').sort()).toEqual(['kafka', 'zookeeper'])
    expect(targetsOf(report.findings, 'JUJU-EXPOSED')).toEqual([])
  })

  it('COS-lite status: nothing exposed, trust not judged from status alone', async () => {
    const {report} = await audit(join(CORPUS, 'status/jhack__jhack__tests__utils__test_show_relation__mocks__k8s__full_status_None.json'))
    expect(targetsOf(report.findings, 'JUJU-EXPOSED')).toEqual([])
    expect(report.findings.map((finding) => finding.rule)).not.toContain('JUJU-TRUST')
    expect(report.notEvaluated.map((entry) => entry.rule)).toContain('JUJU-TRUST')
  })

  it('cross-model status: the consumed alertmanager offer is in the inventory', async () => {
    const {inventory} = await audit(join(CORPUS, 'status/jhack__jhack__tests__utils__test_show_relation__mocks__cmrs__full_status_None.json'))
    const model = [...inventory.models.values()][0]!
    expect(model.consumed.map((offer) => offer.url)).toEqual(['mk8scloud:admin/clite.alertmanager'])
  })
})
