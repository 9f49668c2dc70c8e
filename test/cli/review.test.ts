/**
 * `hardenctl review` as CI runs it: the corpus charms (as the charm directories a charm repo has)
 * and bundles, with exact findings at exact lines and columns, overlays and --charm, the gate's
 * exit codes, and SARIF/JUnit output whose locations land on the YAML node.
 */
import {copyFile, mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {basename, join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {REPO_ROOT} from '../helpers/cli.js'
import {runCliInWorker} from '../helpers/cli-in-worker.js'
import {zip} from '../helpers/zip.js'

const CORPUS = join(REPO_ROOT, 'test', 'corpus')
const LANDSCAPE_BUNDLE = join(CORPUS, 'bundles', 'landscape-charm__bundle-examples__bundle.yaml')
const LIVEPATCH_BUNDLE = join(CORPUS, 'bundles', 'livepatch-k8s-operator__bundle__bundle.yaml')

/** Each corpus charm as the directory it lives in upstream: corpus file → file name in the charm. */
const CHARMS: Record<string, Record<string, string>> = {
  'sidecar-non-root': {
    'juju__testcharms__charms__sidecar-non-root__metadata.yaml': 'metadata.yaml',
    'juju__testcharms__charms__sidecar-non-root__charmcraft.yaml': 'charmcraft.yaml',
  },
  minio: {'minio-operator__metadata.yaml': 'metadata.yaml', 'minio-operator__charmcraft.yaml': 'charmcraft.yaml'},
  'postgresql-k8s': {'postgresql-k8s-operator__metadata.yaml': 'metadata.yaml'},
  'traefik-k8s': {'traefik-k8s-operator__metadata.yaml': 'metadata.yaml'},
  livepatch: {'livepatch-k8s-operator__metadata.yaml': 'metadata.yaml', 'livepatch-k8s-operator__charmcraft.yaml': 'charmcraft.yaml'},
  'maas-region': {'maas-charms__maas-region__charmcraft.yaml': 'charmcraft.yaml'},
  'maas-agent': {'maas-charms__maas-agent__charmcraft.yaml': 'charmcraft.yaml'},
  landscape: {'landscape-charm__metadata.yaml': 'metadata.yaml'},
}

interface JsonReport {
  findings: {rule: string; severity: string; target: {kind: string; name: string}; location?: {file: string; line?: number; column?: number}}[]
  notEvaluated: {rule: string; message: string}[]
  summary: {failed: boolean}
}

let work: string
const charmDirs: Record<string, string> = {}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'hardenctl-review-'))
  for (const [name, files] of Object.entries(CHARMS)) {
    const dir = join(work, name)
    await mkdir(dir)
    for (const [from, to] of Object.entries(files)) await copyFile(join(CORPUS, 'charms', from), join(dir, to))
    charmDirs[name] = dir
  }
})
afterAll(async () => {
  await rm(work, {recursive: true, force: true})
})

async function review(args: string[]): Promise<JsonReport> {
  const result = await runCliInWorker(['review', ...args, '--format', 'json', '--fail-on', 'never'])
  expect(result.code, result.stderr).toBe(0)
  return JSON.parse(result.stdout) as JsonReport
}

/** Each finding's edit, by `RULE target-name`. */
const fixesOf = (report: JsonReport): Map<string, string> => new Map(report.findings.map((f) => [`${f.rule} ${f.target.name}`, (f as unknown as {remediation: string}).remediation]))

/** The edit of the first finding of `rule` (for `name`, when given). */
function fixOf(report: JsonReport, rule: string, name?: string): string {
  const finding = report.findings.find((f) => f.rule === rule && (name === undefined || f.target.name === name))
  expect(finding, `a ${rule} finding${name ? ` for ${name}` : ''}`).toBeDefined()
  return (finding as unknown as {remediation: string}).remediation
}

/** Reviews a bundle written from `text` into a fresh directory. */
async function reviewBundleText(text: string, prefix: string): Promise<{file: string; report: JsonReport}> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  const file = join(dir, 'bundle.yaml')
  await writeFile(file, text)
  return {file, report: await review([file])}
}

/** `RULE kind/name file:line:column`, the file by its name. */
const found = (report: JsonReport) =>
  report.findings.map((f) => `${f.rule} ${f.target.kind}/${f.target.name} ${f.location ? `${basename(f.location.file)}:${f.location.line}:${f.location.column}` : '-'}`)

describe('review: the corpus charms', () => {
  const expected: Record<string, string[]> = {
    'sidecar-non-root': ['JUJU-ROOT-CONTAINER charm/sidecar-non-root metadata.yaml:2:3'],
    minio: [],
    'postgresql-k8s': ['JUJU-ROOT-CONTAINER charm/postgresql-k8s metadata.yaml:27:3', 'JUJU-CHARM-USER charm/postgresql-k8s metadata.yaml:4:1'],
    'traefik-k8s': ['JUJU-ROOT-CONTAINER charm/traefik-k8s metadata.yaml:24:3', 'JUJU-CHARM-USER charm/traefik-k8s metadata.yaml:6:1'],
    livepatch: [
      'JUJU-ROOT-CONTAINER charm/canonical-livepatch-server-k8s metadata.yaml:95:3',
      'JUJU-ROOT-CONTAINER charm/canonical-livepatch-server-k8s metadata.yaml:97:3',
      'JUJU-CHARM-USER charm/canonical-livepatch-server-k8s metadata.yaml:7:1',
    ],
    'maas-region': ['TLS-CONFIG-KEY charm/maas-region charmcraft.yaml:190:5'],
    'maas-agent': [],
    landscape: [],
  }
  for (const [name, findings] of Object.entries(expected)) {
    it(`${name}: ${findings.length} finding${findings.length === 1 ? '' : 's'}, at the YAML node`, async () => {
      const report = await review([charmDirs[name]!])
      expect(found(report)).toEqual(findings)
      // Charms alone: rules that need a bundle have nothing to judge and are not listed.
      expect(report.notEvaluated.filter((entry) => /a bundle/.test(entry.message))).toEqual([])
    })
  }

  it('tells a bundle with a Charm Store charm to name Charmhub\'s instead (Juju 3 deploys no cs: charm)', async () => {
    const {file, report} = await reviewBundleText('applications:\n  ubuntu:\n    charm: cs:ubuntu-10\n    num_units: 1\n', 'hardenctl-review-cs-')
    expect(fixOf(report, 'JUJU-CHARM-SOURCE', 'ubuntu')).toBe(
      `${file}:3: in applications.ubuntu, replace the Charm Store (cs:) charm with Charmhub's (charm: ubuntu, if Charmhub's ubuntu is this charm: \`juju info ubuntu\` lists it and its tracks), and give it the channel of the track to follow (TRACK/stable); Juju 3 deploys no Charm Store charm`,
    )
  })

  it('a packed .charm reads like its directory, with locations inside the archive', async () => {
    const archive = join(work, 'sidecar-non-root_amd64.charm')
    const files = Object.values(CHARMS['sidecar-non-root']!)
    const entries = await Promise.all(files.map(async (name) => ({name, data: await readFile(join(charmDirs['sidecar-non-root']!, name))})))
    await writeFile(archive, zip([...entries, {name: 'src/charm.py', data: Buffer.from('import ops\n')}]))
    const report = await review([archive])
    expect(found(report)).toEqual(['JUJU-ROOT-CONTAINER charm/sidecar-non-root metadata.yaml:2:3'])
    expect(report.findings[0]?.location?.file).toBe(`${archive}/metadata.yaml`)
  })

  it('the sidecar-non-root charm: only the container without uid/gid is root, charm-user non-root passes', async () => {
    const result = await runCliInWorker(['review', charmDirs['sidecar-non-root']!, '--fail-on', 'never'])
    expect(result.stdout).toContain('container rootful of charm sidecar-non-root may run as root: the charm sets no uid/gid')
    expect(result.stdout).not.toContain('rootless')
  })
})

describe('review: the corpus bundles', () => {
  it('Landscape: exposure, channels, the local charm, TLS and the proxy certificate, at their lines', async () => {
    const report = await review([LANDSCAPE_BUNDLE])
    const file = basename(LANDSCAPE_BUNDLE)
    expect(found(report)).toEqual([
      `JUJU-EXPOSED application/haproxy ${file}:24:5`,
      `JUJU-CHARM-SOURCE application/haproxy ${file}:21:5`,
      `JUJU-CHARM-SOURCE application/landscape-server ${file}:31:5`,
      `JUJU-CHARM-SOURCE application/rabbitmq-server ${file}:15:5`,
      `LANDSCAPE-HTTP-PORT application/haproxy ${file}:20:3`,
      `TLS-DB-PLAINTEXT application/postgresql ${file}:3:3`,
      `TLS-DB-PLAINTEXT application/rabbitmq-server ${file}:14:3`,
      `JUJU-OBSERVABILITY model/landscape-charm__bundle-examples__bundle ${file}:1:1`,
      `LANDSCAPE-PROXY-TLS application/haproxy ${file}:28:7`,
      `TLS-SELF-SIGNED application/haproxy ${file}:28:7`,
    ])
    // Without the charms, what their metadata would decide is listed, with how to give them.
    expect(report.notEvaluated.map((entry) => entry.rule).sort()).toEqual(['JUJU-CHARM-USER', 'JUJU-ROOT-CONTAINER', 'TLS-MISSING-RELATION'])
    expect(report.notEvaluated.every((entry) => entry.message.includes('--charm NAME=PATH'))).toBe(true)
  })

  it('Landscape behind a haproxy whose services option binds no certificate: the proxy has no TLS, and the edit puts the certificate on its services', async () => {
    const text = (await readFile(LANDSCAPE_BUNDLE, 'utf8'))
      .replace('services: ""', 'services: |\n        - service_name: landscape-http\n          service_host: "0.0.0.0"\n          service_port: 80')
      .replace('ssl_cert: SELFSIGNED', 'ssl_cert: include-base64://fullchain.pem\n      ssl_key: include-base64://privkey.pem')
    const {report} = await reviewBundleText(text, 'hardenctl-review-haproxy-services-')
    const finding = report.findings.find((f) => f.rule === 'LANDSCAPE-PROXY-TLS')
    expect(finding?.severity).toBe('high')
    expect(fixOf(report, 'LANDSCAPE-PROXY-TLS')).toContain('and in applications.haproxy.options.services put landscape-http on service_port 443 with `crts: [DEFAULT]` (or leave services empty, so that landscape-server sends its own)')
  })

  it('Livepatch: trust, the candidate channel, TLS of the ingress and the database, at their lines', async () => {
    const report = await review([LIVEPATCH_BUNDLE])
    const file = basename(LIVEPATCH_BUNDLE)
    expect(found(report)).toEqual([
      `JUJU-TRUST application/ingress ${file}:44:5`,
      `JUJU-TRUST application/postgresql ${file}:21:5`,
      `LIVEPATCH-TLS application/livepatch ${file}:22:3`,
      `JUJU-CHARM-SOURCE application/postgresql ${file}:18:5`,
      `LIVEPATCH-DB-TLS application/postgresql ${file}:16:3`,
      `TLS-DB-PLAINTEXT application/postgresql ${file}:16:3`,
      `JUJU-OBSERVABILITY model/canonical-livepatch-onprem ${file}:4:1`,
    ])
  })

  it('with --overlay and --charm: the overlay is part of the bundle and the charms answer for its applications', async () => {
    const overlay = join(work, 'expose-db.yaml')
    await writeFile(overlay, 'applications:\n  postgresql:\n    options:\n      expose-external: loadbalancer\n')
    const report = await review([
      LIVEPATCH_BUNDLE,
      '--overlay',
      overlay,
      '--charm',
      `postgresql=${charmDirs['postgresql-k8s']}`,
      '--charm',
      `livepatch=${charmDirs.livepatch}`,
    ])
    const file = basename(LIVEPATCH_BUNDLE)
    expect(found(report)).toEqual([
      // expose-external makes postgresql-k8s create a LoadBalancer Service: Livepatch's database is then reachable from outside, and its missing TLS is high.
      'LIVEPATCH-DB-EXPOSED application/postgresql expose-db.yaml:4:7',
      'JUJU-EXPOSE-EXTERNAL application/postgresql expose-db.yaml:4:7',
      'JUJU-ROOT-CONTAINER application/livepatch metadata.yaml:95:3',
      'JUJU-ROOT-CONTAINER application/livepatch metadata.yaml:97:3',
      'JUJU-ROOT-CONTAINER application/postgresql metadata.yaml:27:3',
      `JUJU-TRUST application/ingress ${file}:44:5`,
      `JUJU-TRUST application/postgresql ${file}:21:5`,
      `LIVEPATCH-TLS application/livepatch ${file}:22:3`,
      'TLS-MISSING-RELATION application/postgresql metadata.yaml:72:3',
      `JUJU-CHARM-SOURCE application/postgresql ${file}:18:5`,
      'JUJU-CHARM-USER application/livepatch metadata.yaml:7:1',
      'JUJU-CHARM-USER application/postgresql metadata.yaml:4:1',
      `LIVEPATCH-DB-TLS application/postgresql ${file}:16:3`,
      `TLS-DB-PLAINTEXT application/postgresql ${file}:16:3`,
      `JUJU-OBSERVABILITY model/canonical-livepatch-onprem ${file}:4:1`,
    ])
    // Only the ingress charm was not given.
    const rootContainer = report.notEvaluated.find((entry) => entry.rule === 'JUJU-ROOT-CONTAINER') as {targets?: {name: string}[]} | undefined
    expect(rootContainer?.targets?.map((target) => target.name)).toEqual(['ingress'])
  })
})

describe('review: overlays merged as juju deploy merges them', () => {
  it('trust: false overrides, a null application is removed, a relations-only overlay adds, a new application keeps the Kubernetes bundle', async () => {
    const untrust = join(work, 'untrust.yaml')
    const drop = join(work, 'drop-ingress.yaml')
    const tls = join(work, 'tls.yaml')
    const relate = join(work, 'relate.yaml')
    await writeFile(untrust, 'applications:\n  postgresql:\n    trust: false\n')
    await writeFile(drop, 'applications:\n  ingress:\n')
    await writeFile(tls, 'applications:\n  tls:\n    charm: self-signed-certificates\n    channel: 1/stable\n')
    await writeFile(relate, 'relations:\n- [postgresql:certificates, tls:certificates]\n')
    const result = await runCliInWorker(['review', LIVEPATCH_BUNDLE, '--overlay', untrust, '--overlay', drop, '--overlay', tls, '--overlay', relate, '--format', 'json', '--fail-on', 'never'])
    expect(result.code, result.stderr).toBe(0)
    const report = JSON.parse(result.stdout) as JsonReport & {metadata: {profiles: string[]}}
    const file = basename(LIVEPATCH_BUNDLE)
    // Left: the candidate channel and no observability. Trust, the ingress and TLS are fixed by the overlays.
    expect(found(report)).toEqual([
      `JUJU-CHARM-SOURCE application/postgresql ${file}:18:5`,
      `JUJU-OBSERVABILITY model/canonical-livepatch-onprem ${file}:4:1`,
    ])
    expect(report.metadata.profiles).toContain('k8s')
  })
})

describe("review judges an offer's access by what the bundle grants", () => {
  it('an offer without acl is granted to no one but the deployer: judged, nothing found; an acl granting consume beyond access.offers is a finding', async () => {
    const offers = join(work, 'offers.yaml')
    await writeFile(offers, 'applications:\n  postgresql:\n    offers:\n      db:\n        endpoints: [database]\n')
    const quiet = JSON.parse((await runCliInWorker(['review', LIVEPATCH_BUNDLE, '--overlay', offers, '--format', 'json', '--fail-on', 'never'])).stdout) as JsonReport
    expect(quiet.notEvaluated.map((entry) => entry.rule)).not.toContain('ACCESS-OFFER')
    expect(quiet.findings.filter((finding) => finding.rule === 'ACCESS-OFFER')).toEqual([])

    const granted = join(work, 'offers-granted.yaml')
    await writeFile(granted, 'applications:\n  postgresql:\n    offers:\n      db:\n        endpoints: [database]\n        acl:\n          admin: admin\n          bob: consume\n')
    const report = JSON.parse((await runCliInWorker(['review', LIVEPATCH_BUNDLE, '--overlay', granted, '--format', 'json', '--fail-on', 'never'])).stdout) as JsonReport
    expect(report.findings.filter((finding) => finding.rule === 'ACCESS-OFFER').map((finding) => `${finding.target.kind}/${finding.target.name}`)).toEqual(['offer/db'])
  })
})

describe('review says how to change the bundle or the charm, not what to run after deploy', () => {
  it("a real bundle (Charmed Apache Spark): trust the charms need is kept, and the latest track's channel is the user's to choose", async () => {
    const bundle = join(REPO_ROOT, 'test', 'real-world', 'bundles', 'canonical__spark-k8s-bundle__bundle.yaml')
    const report = await review([bundle])
    const fixes = fixesOf(report)
    expect(fixes.get('JUJU-TRUST kyuubi')).toBe(
      `${bundle}:17: keep \`trust: true\` on applications.kyuubi: kyuubi-k8s needs it (it checks the Spark namespace and service account it is given and reads their Spark settings from the cluster); audit it and list "kyuubi" under trust.allow in hardenctl.yaml`,
    )
    expect(fixes.get('JUJU-CHARM-SOURCE kyuubi')).toMatch(
      new RegExp(`^${bundle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:8: set applications\\.kyuubi\\.channel to TRACK/stable \\(it is latest/edge\\): kyuubi follows the latest track, which names no version`),
    )
    // Nothing runs yet: the track is that of the version to deploy.
    expect(fixes.get('JUJU-CHARM-SOURCE kyuubi')).toContain('for TRACK take the track of the version you mean to deploy among those `juju info kyuubi-k8s` lists')
    expect(fixes.get('JUJU-CHARM-SOURCE history-server')).toBe(`${bundle}:52: set applications.history-server.channel to 3.4/stable (it is 3.4/edge)`)
    // An application added to a bundle without scale (num_units) gets no unit; the Kubernetes collector needs trust.
    expect(fixes.get('TLS-DB-PLAINTEXT metastore')).toContain('add `self-signed-certificates: {charm: self-signed-certificates, scale: 1}` under applications')
    // The collector, COS's offer under saas and the relation that sends to it: what the audit's commands do, in the bundle.
    const observability = fixes.get('JUJU-OBSERVABILITY canonical__spark-k8s-bundle__bundle')
    expect(observability).toContain(`${bundle}:67: add \`opentelemetry-collector-k8s: {charm: opentelemetry-collector-k8s, scale: 1, trust: true}\` under applications`)
    expect(observability).toContain(`add \`prometheus-receive-remote-write: {url: admin/cos.prometheus-receive-remote-write}\` under saas`)
    expect(observability).toContain('add `- [opentelemetry-collector-k8s:send-remote-write, prometheus-receive-remote-write]` under relations')
    expect(observability).toContain('--trust: the collector patches its own StatefulSet; audit it and add "MODEL/opentelemetry-collector-k8s" to trust.allow')
    expect(observability).toContain('use the URL `juju find-offers --interface prometheus_remote_write` shows for your COS')
  })

  it("a certificates relation whose requirer endpoint is not known is still asked for, with how to find the endpoint (the IAM bundle's postgresql-k8s on edge)", async () => {
    const bundle = join(REPO_ROOT, 'test', 'real-world', 'bundles', 'canonical__iam-bundle__releases__latest__edge__bundle.yaml')
    const report = await review([bundle])
    const fix = fixOf(report, 'TLS-DB-PLAINTEXT', 'postgresql-k8s')
    expect(fix).toContain('add `self-signed-certificates: {charm: self-signed-certificates, scale: 1}` under applications')
    expect(fix).toContain(
      'add `- [postgresql-k8s:ENDPOINT, self-signed-certificates:certificates]` under relations, ENDPOINT being the endpoint on which postgresql-k8s requests certificates (interface tls-certificates: `juju info postgresql-k8s --channel edge` lists its relations) (postgresql-k8s then accepts only TLS connections',
    )
    expect(fix).not.toContain('show-application')
  })

  it('a bundle no collector can be added to says what comes first (a Charm Store charm on 18.04)', async () => {
    const bundle = join(REPO_ROOT, 'test', 'real-world', 'bundles', 'juju__juju__tests__suites__expose_ec2__expose_app.sh__assert_export_bundle_output_includes_exposed_endpoints.yaml')
    const report = await review([bundle])
    const fix = fixOf(report, 'JUJU-OBSERVABILITY')
    expect(fix).toContain('no collector can be added to this bundle as it is: opentelemetry-collector needs Juju 3.6 or later')
    // Nothing is deployed: the bundle's charms move to Charmhub, not the model to another controller.
    expect(fix).toContain("which only Juju 2 deploys: replace its Charm Store charms with Charmhub's (see JUJU-CHARM-SOURCE) and deploy it with Juju 3.6 first")
    expect(fix).toContain('ubuntu-lite runs on ubuntu@18.04, which opentelemetry-collector is not built for: a newer base first (base: ubuntu@24.04 in the bundle); then add one')
  })

  it('a machine bundle on focal is given the collector that runs there: grafana-agent, a subordinate, on its base', async () => {
    const {report} = await reviewBundleText('series: focal\napplications:\n  keystone:\n    charm: keystone\n    channel: ussuri/stable\n    num_units: 1\n', 'hardenctl-review-focal-')
    const fix = fixOf(report, 'JUJU-OBSERVABILITY')
    expect(fix).toContain('add `grafana-agent: {charm: grafana-agent, base: ubuntu@20.04}` under applications')
    // Over juju-info, named: a bare relation is ambiguous where the principal also provides cos-agent.
    expect(fix).toContain('add `- [grafana-agent:juju-info, keystone]` under relations')
    expect(fix).toContain('add `- [grafana-agent:send-remote-write, prometheus-receive-remote-write]` under relations')
    expect(fix).toContain('(grafana-agent, not opentelemetry-collector, for every principal: opentelemetry-collector is built for ubuntu@22.04 and ubuntu@24.04 only')
  })

  it('bundle findings: the file, the line and the key to edit', async () => {
    const report = await review([LIVEPATCH_BUNDLE])
    const file = LIVEPATCH_BUNDLE
    const fixes = fixesOf(report)
    expect(fixes.get('JUJU-TRUST postgresql')).toBe(
      `${file}:21: keep \`trust: true\` on applications.postgresql: postgresql-k8s needs it (it creates Kubernetes resources for its cluster); audit it and list "canonical-livepatch-onprem/postgresql" under trust.allow in hardenctl.yaml`,
    )
    expect(fixes.get('JUJU-CHARM-SOURCE postgresql')).toBe(`${file}:18: set applications.postgresql.channel to 14/stable (it is 14/candidate)`)
    // No provider in the bundle: add one, then the relation to it; each named once.
    // What holds before deploy too is kept from the post-deploy fix: Charmed PostgreSQL then takes TLS clients only.
    expect(fixes.get('TLS-DB-PLAINTEXT postgresql')).toBe(
      `${file}:45: add \`self-signed-certificates: {charm: self-signed-certificates, scale: 1}\` under applications; ${file}:45: add \`- [postgresql:certificates, self-signed-certificates:certificates]\` under relations` +
        ' (postgresql-k8s then accepts only TLS connections, every pg_hba line of its clients hostssl: check first that its clients (livepatch) connect with TLS, or they are cut off)',
    )
    // What only a running model needs is not: Livepatch's restart once TLS is enabled after relating.
    expect(fixes.get('LIVEPATCH-DB-TLS postgresql')).toContain('check first that its clients (livepatch) connect with TLS')
    expect(fixes.get('LIVEPATCH-DB-TLS postgresql')).not.toMatch(/restart|kubectl/)
    for (const fix of fixes.values()) expect(fix).not.toMatch(/\bjuju (trust|config|integrate|refresh|expose|unexpose|deploy) /)
  })

  it('MAAS-TLS: the bundle edit is the one the maas-region charm\'s track reads (3.6 needs tls_mode passthrough, 3.5 has TLS only at its HAProxy)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hardenctl-review-maas-'))
    const bundle = (channel: string) => `series: jammy\napplications:\n  maas-region:\n    charm: maas-region\n    channel: ${channel}\n    num_units: 1\n`
    const fixFor = async (channel: string) => {
      const file = join(dir, `${channel.replace('/', '-')}.yaml`)
      await writeFile(file, bundle(channel))
      const report = await review([file])
      return {file, fix: fixOf(report, 'MAAS-TLS')}
    }
    const six = await fixFor('3.6/stable')
    expect(six.fix).toBe(
      `${six.file}:3: set applications.maas-region.options.tls_mode to passthrough and ssl_cert_content and ssl_key_content (e.g. include-file://cert.pem and include-file://key.pem): the 3.6 charm reads the certificate only with tls_mode=passthrough, and MAAS then serves its API over TLS on 5443`,
    )
    expect((await fixFor('3.5/stable')).fix).toContain('options.tls_mode to termination and give the HAProxy related on its api endpoint its own ssl_cert and ssl_key')
    expect((await fixFor('3.7/stable')).fix).toMatch(/:3: set applications\.maas-region\.options\.ssl_cert_content and ssl_key_content \(e\.g\. include-file/)
  })

  it('a provider added to the bundle keeps the track its deploy pins: vault 1.8 for rabbitmq-server, the only track that speaks its certificates protocol', async () => {
    const {file, report} = await reviewBundleText('series: jammy\napplications:\n  rabbitmq-server:\n    charm: rabbitmq-server\n    channel: 3.9/stable\n    num_units: 1\n', 'hardenctl-review-rmq-')
    const fix = fixOf(report, 'TLS-DB-PLAINTEXT')
    expect(fix).toContain(`${file}:1: add \`vault: {charm: vault, channel: 1.8/stable, num_units: 1}\` under applications; ${file}:1: add \`- [rabbitmq-server:certificates, vault:certificates]\` under relations`)
  })

  it("the legacy postgresql charm (no certificates endpoint): before deploy the bundle deploys Charmed PostgreSQL 14 in its place, not a second application beside it", async () => {
    const {file, report} = await reviewBundleText(
      'series: jammy\napplications:\n  postgresql:\n    charm: postgresql\n    channel: latest/stable\n    num_units: 1\n  app:\n    charm: landscape-server\n    num_units: 1\nrelations:\n- [app:db, postgresql:db-admin]\n',
      'hardenctl-review-legacy-pg-',
    )
    const fix = fixOf(report, 'TLS-DB-PLAINTEXT')
    expect(fix).toMatch(new RegExp(`^${file}:3: set applications\\.postgresql\\.channel to 14/stable: Charmed PostgreSQL 14 serves the same db and db-admin relations`))
    expect(fix).toContain('add `- [postgresql:certificates, self-signed-certificates:certificates]` under relations')
    expect(fix).not.toContain('add `postgresql:')
  })

  it('an OpenStack API and a proxy stay reachable, narrowed; a CA key and a key with no relation to replace it stay out of the file, not removed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hardenctl-review-keep-'))
    const file = join(dir, 'bundle.yaml')
    await writeFile(
      file,
      [
        'series: jammy',
        'applications:',
        '  keystone:',
        '    charm: keystone',
        '    channel: 2023.2/stable',
        '    num_units: 1',
        '    expose: true',
        '  postgresql:',
        '    charm: postgresql',
        '    channel: 14/stable',
        '    num_units: 1',
        '    expose: true',
        '  octavia:',
        '    charm: octavia',
        '    channel: 2023.2/stable',
        '    num_units: 1',
        '    options:',
        '      lb-mgmt-issuing-ca-private-key: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQ==',
        '',
      ].join('\n'),
    )
    const report = await review([file])
    const fixes = fixesOf(report)
    expect(fixes.get('JUJU-EXPOSED keystone')).toBe(
      `${file}:7: keep applications.keystone reachable to its clients: remove \`expose: true\` from it and give it, in an overlay, applications.keystone.exposed-endpoints: {"": {expose-to-cidrs: [ADMIN-CIDRS]}} naming the networks they come from (Juju takes exposed-endpoints only from an overlay and refuses it beside \`expose: true\`; without either, nothing outside reaches it); list intended exposure under exposure.allow in hardenctl.yaml`,
    )
    expect(fixes.get('JUJU-EXPOSED postgresql')).toMatch(/:12: remove `expose: true` and exposed-endpoints from applications\.postgresql;/)
    expect(fixes.get('TLS-CONFIG-KEY octavia')).toBe(
      `${file}:18: applications.octavia.options.lb-mgmt-issuing-ca-private-key holds TLS key material that octavia takes only as config: keep it out of the bundle file and pass it at deploy time from a private overlay kept out of version control`,
    )
  })

  it("JUJU-EXPOSED says what the audit's fix does: anything but a front door is closed, with a narrowing that keeps each endpoint's spaces as the alternative; on Kubernetes, where the flag opens nothing, the flag is removed", async () => {
    const magic = join(REPO_ROOT, 'test', 'real-world', 'bundles', 'juju__juju__apiserver__facades__client__bundle__bundle_test.go__TestExportBundleWithExposedEndpointSettings.yaml')
    expect(fixOf(await review([magic]), 'JUJU-EXPOSED', 'magic')).toBe(
      `${magic}:12: remove \`expose: true\` and exposed-endpoints from applications.magic; to open only what is needed, write in an overlay applications.magic.exposed-endpoints: {"hat": {expose-to-cidrs: [ADMIN-CIDRS]}, "rabbit": {expose-to-spaces: [some-space], expose-to-cidrs: [ADMIN-CIDRS]}}, and list those networks under exposure.allow in hardenctl.yaml`,
    )
    const traefik = join(REPO_ROOT, 'test', 'fixtures', 'juju', 'export-bundle.yaml')
    expect(fixOf(await review([traefik]), 'JUJU-EXPOSED', 'traefik')).toBe(
      `${traefik}:45: remove \`expose: true\` and exposed-endpoints from applications.traefik (it opens nothing on Kubernetes), or list "traefik" under exposure.allow in hardenctl.yaml`,
    )
    const podspec = join(REPO_ROOT, 'test', 'fixtures', 'juju', 'bundle-podspec-expose.yaml')
    expect(fixOf(await review([podspec]), 'JUJU-EXPOSED', 'gitlab')).toBe(
      `${podspec}:10: remove \`expose: true\` and exposed-endpoints from applications.gitlab (it makes an Ingress for gitlab.example.com), or list "gitlab" under exposure.allow in hardenctl.yaml`,
    )
    const haproxy = join(REPO_ROOT, 'test', 'fixtures', 'juju', 'bundle-haproxy-exposed-endpoints.yaml')
    expect(fixOf(await review([haproxy]), 'JUJU-EXPOSED', 'haproxy')).toBe(
      `${haproxy}:10: keep applications.haproxy reachable to its clients, narrowed: in applications.haproxy.exposed-endpoints set {"": {expose-to-cidrs: [ADMIN-CIDRS]}}, naming the networks they come from; list intended exposure under exposure.allow in hardenctl.yaml`,
    )
  })

  it("TLS-SELF-SIGNED on a relation: the audit's provider, deployed and related in place of self-signed-certificates, as bundle edits", async () => {
    const bundle = join(REPO_ROOT, 'test', 'fixtures', 'juju', 'bundle-self-signed-ingress.yaml')
    expect(fixOf(await review([bundle]), 'TLS-SELF-SIGNED', 'traefik')).toBe(
      `${bundle}:12: add \`lego: {charm: lego, scale: 1}\` under applications; ${bundle}:12: remove the relation between traefik:certificates and self-signed-certificates:certificates from relations; ${bundle}:12: add \`- [traefik:certificates, lego:certificates]\` under relations (configure lego before it can issue: email, plugin and plugin-config-secret-id (see \`juju info lego\`))`,
    )
  })

  it('JUJU-EXPOSE-EXTERNAL: the option is set back to the string "false", quoted, since YAML reads a bare false as a boolean, which Juju refuses for a string option', async () => {
    const bundle = join(REPO_ROOT, 'test', 'fixtures', 'juju', 'bundle-expose-external.yaml')
    expect(fixOf(await review([bundle]), 'JUJU-EXPOSE-EXTERNAL', 'postgresql')).toMatch(new RegExp(`^${bundle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:9: set applications\\.postgresql\\.options\\.expose-external to "false" \\(quoted: the option is a string\\)`))
  })

  it("landscape-client's registration-key: kept out of the bundle file, not just removed (no secret-typed option is known to take it)", async () => {
    const bundle = join(REPO_ROOT, 'test', 'real-world', 'bundles', 'canonical__landscape-client-charm__bundle.yaml')
    const fix = fixOf(await review([bundle]), 'JUJU-NO-SECRETS', 'landscape-client')
    expect(fix).toBe(
      `${bundle}:12: applications.landscape-client.options.registration-key holds credentials that landscape-client takes as config (no option of type secret is known here; --charm landscape-client=PATH would say): keep it out of the bundle file and pass it at deploy time from a private overlay kept out of version control`,
    )
  })

  it("keystone's admin-password: left out of the bundle, since keystone makes the password itself (old openstack-base's `admin-password: openstack`)", async () => {
    const file = join(REPO_ROOT, 'test/real-world/bundles/openstack-charmers__openstack-bundles__stable__openstack-base__bundle.yaml')
    const report = await review([file])
    const fix = fixOf(report, 'JUJU-NO-SECRETS', 'keystone')
    expect(fix).toBe(
      `${file}:156: remove admin-password from services.keystone.options: keystone then makes the password itself and keeps it in its leader settings (admin_passwd), which only the model's admins can read`,
    )
  })

  it('placeholders in a bundle: keep the value out of it; TLS from the CA the bundle already uses', async () => {
    // canonical/juju-lint's FCE OpenStack template: FCE_TEMPLATE placeholders, vault serving 20 applications.
    const file = join(REPO_ROOT, 'test/real-world/bundles/canonical__juju-lint__tests__resources__fcb-yoga-jammy-bundle.yaml')
    const report = await review([file])
    const fixes = fixesOf(report)
    expect(fixes.get('JUJU-NO-SECRETS ubuntu-advantage')).toBe(
      `${file}:1055: applications.ubuntu-advantage.options.token holds a placeholder: do not fill it in with credentials here; pass the value at deploy time from a private overlay kept out of version control, or use a charm revision whose option takes a Juju secret (\`type: secret\`)`,
    )
    expect(fixes.get('TLS-DB-PLAINTEXT rabbitmq-server')).toBe(`${file}:1116: add \`- [rabbitmq-server:certificates, vault:certificates]\` under relations`)
  })

  it('charm findings: the metadata key to set', async () => {
    const report = await review([charmDirs['postgresql-k8s']!])
    const fixes = report.findings.map((f) => (f as unknown as {remediation: string}).remediation.replace(`${charmDirs['postgresql-k8s']}/`, ''))
    expect(fixes).toEqual([
      "metadata.yaml:27: set containers.postgresql.uid and containers.postgresql.gid to a non-zero id (e.g. 584792) in the charm's metadata, so Juju runs the container with that runAsUser and runAsGroup; for a charm you do not maintain, choose a revision that does",
      "metadata.yaml:4: set `charm-user: non-root` in the charm's metadata (charmcraft.yaml or metadata.yaml; Juju 3.6+), so the charm code does not run as root",
    ])
  })

  it('the table heads each charm reviewed on its own by its name and directory', async () => {
    const result = await runCliInWorker(['review', charmDirs['postgresql-k8s']!, charmDirs['traefik-k8s']!, '--fail-on', 'never'])
    expect(result.code).toBe(0)
    const lines = result.stdout.split('\n')
    expect(lines).toContain(`Charm postgresql-k8s (${charmDirs['postgresql-k8s']})`)
    expect(lines).toContain(`Charm traefik-k8s (${charmDirs['traefik-k8s']})`)
    expect(result.stdout).not.toContain('Outside any model or namespace')
  })
})

describe('review refuses what it cannot review', () => {
  const cases: [string, () => string, RegExp][] = [
    ['a juju status dump', () => join(CORPUS, 'status', 'jhack__jhack__tests__utils__test_show_relation__mocks__k8s__full_status_None.json'), /full_status_None\.json: this is juju status output, which describes a deployed estate; review judges bundles and charms before deploy: audit it with hardenctl audit --from /],
    ['a pod list', () => join(REPO_ROOT, 'examples', 'livepatch-k8s', 'kubernetes', 'pods.json'), /pods\.json: this is Kubernetes objects \(kubectl get output\), which describes a deployed estate/],
    ['juju dump-model output', () => join(REPO_ROOT, 'test', 'fixtures', 'juju', 'dump-model-k8s.yaml'), /dump-model-k8s\.yaml: this is juju dump-model output, which describes a deployed estate/],
    ['an overlay without its bundle', () => join(REPO_ROOT, 'test', 'fixtures', 'juju', 'overlay.yaml'), /^hardenctl: nothing to review: .*overlay\.yaml is a bundle overlay without its bundle: review BUNDLE --overlay FILE$/m],
    ['a charmcraft.yaml with only build settings', () => join(CORPUS, 'charms', 'minio-operator__charmcraft.yaml'), /^hardenctl: nothing to review: .*minio-operator__charmcraft\.yaml has only build settings/],
  ]
  // What juju deploy refuses in a bundle it reads: refused the same way, at the line.
  const refusedBundles: [string, string, RegExp][] = [
    ['offers in the bundle itself', 'applications:\n  web:\n    charm: apache2\n    offers:\n      site:\n        endpoints: [website]\n', /bundle\.yaml:4:5 at applications\.web\.offers: only an overlay may set offers/],
    ['an expose-to-cidrs entry that is not a CIDR', 'applications:\n  web:\n    charm: apache2\n---\napplications:\n  web:\n    exposed-endpoints:\n      "":\n        expose-to-cidrs: [10.0.0.0/33]\n', /bundle\.yaml:9:27 at applications\.web\.exposed-endpoints\[""\]\.expose-to-cidrs\[0\]: "10\.0\.0\.0\/33" is not a CIDR/],
  ]
  let refusedDir = ''
  const refusedBundle = (what: string) => join(refusedDir, what.replace(/\W+/g, '-'), 'bundle.yaml')
  beforeAll(async () => {
    refusedDir = await mkdtemp(join(tmpdir(), 'hardenctl-review-refused-'))
    for (const [what, text] of refusedBundles) {
      await mkdir(join(refusedBundle(what), '..'))
      await writeFile(refusedBundle(what), text)
    }
  })
  for (const [what, , expected] of refusedBundles) cases.push([what, () => refusedBundle(what), expected])
  for (const [what, path, expected] of cases) {
    it(`${what}: says what it is, exit 2`, async () => {
      const result = await runCliInWorker(['review', path()])
      expect(result.code).toBe(2)
      expect(result.stdout).toBe('')
      expect(result.stderr.trim().split('\n')).toHaveLength(1)
      expect(result.stderr).toMatch(expected)
    })
  }

  it('--charm NAME=PATH whose charm is not the one the application deploys: a warning', async () => {
    const result = await runCliInWorker(['review', LIVEPATCH_BUNDLE, '--charm', `postgresql=${charmDirs['traefik-k8s']}`, '--fail-on', 'never'])
    expect(result.code).toBe(0)
    expect(result.stderr).toBe(
      `hardenctl: warning: --charm postgresql=${charmDirs['traefik-k8s']}: the charm there is named traefik-k8s, but application postgresql deploys postgresql-k8s; its metadata was used for postgresql anyway\n`,
    )
  })
})

describe("review checks a bundle's options against the charm given with --charm, as juju deploy does", () => {
  async function landscapeClient(options: string): Promise<{bundle: string; charm: string}> {
    const dir = await mkdtemp(join(tmpdir(), 'hardenctl-review-options-'))
    const charm = join(dir, 'landscape-client')
    await mkdir(charm)
    for (const file of ['metadata.yaml', 'config.yaml']) await copyFile(join(REPO_ROOT, 'test', 'real-world', 'charms', `canonical__landscape-client-charm__${file}`), join(charm, file))
    const bundle = join(dir, 'bundle.yaml')
    await writeFile(bundle, `series: jammy\napplications:\n  landscape-client:\n    charm: landscape-client\n    channel: latest/stable\n    options:\n${options}`)
    return {bundle, charm}
  }

  it('a relation end the charm does not have is refused at the relation (exit 2, one line); juju-info every charm has', async () => {
    const {bundle, charm} = await landscapeClient('      url: https://landscape.example.com/message-system\n')
    const text = await readFile(bundle, 'utf8')
    await writeFile(bundle, `${text}  ubuntu:\n    charm: ubuntu\n    channel: latest/stable\n    num_units: 1\nrelations:\n- [landscape-client:container, ubuntu:juju-info]\n`)
    await review([bundle, '--charm', `landscape-client=${charm}`])
    await writeFile(bundle, `${text}  ubuntu:\n    charm: ubuntu\n    channel: latest/stable\n    num_units: 1\nrelations:\n- [landscape-client:juju-info, ubuntu]\n- [landscape-client:certificates, ubuntu]\n`)
    const refused = await runCliInWorker(['review', bundle, '--charm', `landscape-client=${charm}`])
    expect(refused.code).toBe(2)
    expect(refused.stderr.trim()).toBe(
      `hardenctl: ${bundle}:14:3 at relations[1]: the relation names landscape-client:certificates, and charm landscape-client has no endpoint "certificates" (it has container): juju deploy refuses it`,
    )
  })

  it('options the charm declares, with values of their types, pass', async () => {
    const {bundle, charm} = await landscapeClient('      url: https://landscape.example.com/message-system\n      ping-interval: 30\n')
    await review([bundle, '--charm', `landscape-client=${charm}`])
  })

  it('an option the charm does not declare, or a bare number for a string option, is refused at its line (exit 2, one line)', async () => {
    const typo = await landscapeClient('      ping_url: https://landscape.example.com/ping\n')
    const unknown = await runCliInWorker(['review', typo.bundle, '--charm', `landscape-client=${typo.charm}`])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr.trim()).toBe(`hardenctl: ${typo.bundle}:7:7 at applications.landscape-client.options.ping_url: charm landscape-client declares no option "ping_url": juju deploy refuses it`)
    const number = await landscapeClient('      account-name: 1234\n')
    const typed = await runCliInWorker(['review', number.bundle, '--charm', `landscape-client=${number.charm}`])
    expect(typed.code).toBe(2)
    expect(typed.stderr.trim()).toBe(`hardenctl: ${number.bundle}:7:7 at applications.landscape-client.options.account-name: the number 1234 where the option takes a string (quote it: "1234"): juju deploy refuses it`)
  })
})

describe('review as a CI gate', () => {
  it('fails on high by default (exit 1) and passes a charm with nothing high (exit 0)', async () => {
    const gate = await runCliInWorker(['review', LIVEPATCH_BUNDLE])
    expect(gate.code).toBe(1)
    expect(gate.stdout).toContain('failed (high or worse)')
    const clean = await runCliInWorker(['review', charmDirs.minio!])
    expect(clean.code, clean.stdout).toBe(0)
  })

  it('with -o FILE, the gate says on stderr why it failed', async () => {
    const gate = await runCliInWorker(['review', LIVEPATCH_BUNDLE])
    const summary = gate.stdout.trimEnd().split('\n').at(-1)!
    const out = join(work, 'review.sarif')
    const result = await runCliInWorker(['review', LIVEPATCH_BUNDLE, '--format', 'sarif', '-o', out])
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe(`${summary} · report written to ${out}\n`)
    expect(summary).toMatch(/ · failed \(high or worse\)$/)
  })

  it('--quiet: only the summary line, for CI; --summary: one row per rule', async () => {
    const quiet = await runCliInWorker(['review', LIVEPATCH_BUNDLE, '--quiet'])
    expect(quiet.code).toBe(1)
    expect(quiet.stdout).toMatch(/^\d+ findings: .* · failed \(high or worse\)\n$/)
    const summary = await runCliInWorker(['review', LIVEPATCH_BUNDLE, '--summary', '--min-severity', 'high'])
    const lines = summary.stdout.split('\n')
    expect(lines.slice(0, 2)).toEqual(['Findings by rule', expect.stringMatching(/^ {2}SEVERITY {2}RULE +FINDINGS {2}AUTO-FIXABLE {2}TITLE$/)])
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}HIGH {6}JUJU-TRUST +\d+ +no +\S/))
    expect(summary.stdout).toMatch(/\n\d+ findings? below high not shown \(--min-severity high\)\.\n/)
    expect(lines.at(-2)).toBe(quiet.stdout.trimEnd())
  })

  it('SARIF: each result is anchored at the file, line and column of the YAML node', async () => {
    const result = await runCliInWorker(['review', LIVEPATCH_BUNDLE, '--format', 'sarif', '--fail-on', 'never'])
    expect(result.code).toBe(0)
    const sarif = JSON.parse(result.stdout) as {
      runs: {results: {ruleId: string; locations: {physicalLocation: {artifactLocation: {uri: string}; region?: {startLine: number; startColumn?: number}}}[]}[]}[]
    }
    const trust = sarif.runs[0]!.results.filter((r) => r.ruleId === 'JUJU-TRUST').map((r) => r.locations[0]!.physicalLocation)
    expect(trust.map((location) => location.region)).toEqual([
      {startLine: 44, startColumn: 5},
      {startLine: 21, startColumn: 5},
    ])
    expect(trust[0]!.artifactLocation.uri).toMatch(/livepatch-k8s-operator__bundle__bundle\.yaml$/)
  })

  it('JUnit: one failing test case per finding', async () => {
    const result = await runCliInWorker(['review', LANDSCAPE_BUNDLE, '--format', 'junit', '--fail-on', 'never'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^<\?xml/)
    expect((result.stdout.match(/<failure /g) ?? []).length).toBe(10)
  })

  it('bad input is one line naming the file and what was expected (exit 2)', async () => {
    const missing = await runCliInWorker(['review', join(work, 'nope.yaml')])
    expect(missing.code).toBe(2)
    expect(missing.stderr.trim().split('\n')).toHaveLength(1)
    expect(missing.stderr).toContain('nope.yaml')

    const badCharm = await runCliInWorker(['review', LIVEPATCH_BUNDLE, '--charm', 'postgresql'])
    expect(badCharm.code).toBe(2)
    expect(badCharm.stderr.trim()).toBe('hardenctl: --charm postgresql: expected NAME=PATH (an application or charm name of the bundle, and a charm directory or .charm file)')

    const nothing = await runCliInWorker(['review'])
    expect(nothing.code).toBe(2)
    expect(nothing.stderr.trim()).toBe('hardenctl: review needs at least one charm directory, .charm file or bundle')

    const overlayAlone = await runCliInWorker(['review', charmDirs.minio!, '--overlay', LIVEPATCH_BUNDLE])
    expect(overlayAlone.code).toBe(2)
    expect(overlayAlone.stderr.trim()).toBe('hardenctl: --overlay applies to one bundle, as with juju deploy; no bundle was given')
  })
})
