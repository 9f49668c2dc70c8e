import {copyFile, mkdir, mkdtemp, readdir, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {afterAll, describe, expect, it} from 'vitest'

import {InputError} from '../../../src/errors.js'
import type {CharmMetadata} from '../../../src/inventory/charm.js'
import type {Contribution, DocumentReader} from '../../../src/inventory/contributions.js'
import {
  charmConfigReader,
  charmcraftReader,
  charmMetadataReader,
  charmReaders,
  isCharmDirectory,
  mergeCharmMetadata,
  readCharmDirectory,
} from '../../../src/sources/charm/index.js'
import {readAndParse} from '../../../src/sources/parse-file.js'

const CORPUS = fileURLToPath(new URL('../../corpus/', import.meta.url))
const CHARMS = join(CORPUS, 'charms')

const temporary: string[] = []
afterAll(async () => {
  await Promise.all(temporary.map((dir) => rm(dir, {recursive: true, force: true})))
})

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hardenctl-charm-'))
  temporary.push(dir)
  return dir
}

function recognisingReaders(data: unknown, file: string): DocumentReader[] {
  return charmReaders.filter((reader) => reader.recognises(data, {file, document: 0}))
}

/** Reads a loose corpus file the way the file source does: the one reader that recognises it. */
async function readLoose(name: string): Promise<Contribution[]> {
  const parsed = await readAndParse(join(CHARMS, name))
  const out: Contribution[] = []
  for (const {index, data} of parsed.documents) {
    const readers = recognisingReaders(data, parsed.file)
    expect(readers.map((r) => r.kind), name).toHaveLength(1)
    out.push(...readers[0]!.read(data, {file: parsed.file, document: index, scope: {}}))
  }
  return out
}

function charmOf(contributions: Contribution[]): CharmMetadata {
  const charms = contributions.flatMap((c) => (c.type === 'charm' ? [c.charm] : []))
  expect(charms).toHaveLength(1)
  return charms[0]!
}

function thrown(fn: () => unknown): InputError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return error as InputError
  }
  throw new Error('expected an InputError')
}

describe('charm readers on the corpus', () => {
  it('recognise and read every corpus charm file without error, each by exactly one reader', async () => {
    const files = (await readdir(CHARMS)).sort()
    expect(files.length).toBeGreaterThanOrEqual(11)
    for (const file of files) await readLoose(file)
  })

  it('do not claim corpus bundles or juju status', async () => {
    for (const dir of ['bundles', 'status']) {
      for (const file of await readdir(join(CORPUS, dir))) {
        const parsed = await readAndParse(join(CORPUS, dir, file))
        for (const {data} of parsed.documents) expect(recognisingReaders(data, parsed.file), file).toEqual([])
      }
    }
  })

  it('minio: container uid 584792 and charm-user non-root', async () => {
    const out = await readLoose('minio-operator__metadata.yaml')
    const minio = charmOf(out)
    expect(minio.name).toBe('minio')
    expect(minio.charmUser).toBe('non-root')
    expect(minio.refs.charmUser?.path).toEqual(['charm-user'])
    expect(minio.containers).toEqual([
      expect.objectContaining({name: 'minio', resource: 'oci-image', uid: 584792, gid: 584792}),
    ])
    expect(minio.containers[0]!.ref.path).toEqual(['containers', 'minio'])
    expect(out).toContainEqual(expect.objectContaining({type: 'input', input: 'charm-metadata'}))
  })

  it('minio charmcraft.yaml is build-only: recognised, contributes nothing (it has no name)', async () => {
    expect(await readLoose('minio-operator__charmcraft.yaml')).toEqual([])
    expect(await readLoose('livepatch-k8s-operator__charmcraft.yaml')).toEqual([])
  })

  it('sidecar-non-root charmcraft.yaml is build-only but contributes its name', async () => {
    const charm = charmOf(await readLoose('juju__testcharms__charms__sidecar-non-root__charmcraft.yaml'))
    expect(charm).toMatchObject({name: 'sidecar-non-root', containers: [], endpoints: []})
    expect(charm.charmUser).toBeUndefined()
  })

  it('postgresql-k8s: container without uid, no charm-user, certificates endpoint, assumes flattened', async () => {
    const pg = charmOf(await readLoose('postgresql-k8s-operator__metadata.yaml'))
    expect(pg.name).toBe('postgresql-k8s')
    expect(pg.charmUser).toBeUndefined()
    expect(pg.containers).toHaveLength(1)
    expect(pg.containers[0]).toMatchObject({name: 'postgresql', resource: 'postgresql-image'})
    expect(pg.containers[0]!.uid).toBeUndefined()
    expect(pg.containers[0]!.gid).toBeUndefined()
    const certificates = pg.endpoints.find((e) => e.name === 'certificates')
    expect(certificates).toMatchObject({role: 'requires', interface: 'tls-certificates', optional: true})
    expect(certificates!.ref.path).toEqual(['requires', 'certificates'])
    expect(pg.endpoints.filter((e) => e.role === 'peers').map((e) => e.name)).toEqual(['database-peers', 'restart', 'upgrade'])
    expect(pg.assumes).toEqual([
      'k8s-api',
      'any-of(all-of(juju >= 2.9.49, juju < 3), all-of(juju >= 3.4.3, juju < 3.5), all-of(juju >= 3.5.1, juju < 4))',
    ])
  })

  it('livepatch: two root containers, subordinate false', async () => {
    const livepatch = charmOf(await readLoose('livepatch-k8s-operator__metadata.yaml'))
    expect(livepatch.name).toBe('canonical-livepatch-server-k8s')
    expect(livepatch.containers.map((c) => [c.name, c.uid])).toEqual([
      ['livepatch', undefined],
      ['livepatch-schema-upgrade', undefined],
    ])
    expect(livepatch.subordinate).toBe(false)
    expect(livepatch.endpoints).toContainEqual(expect.objectContaining({name: 'nginx-route', role: 'requires', interface: 'nginx-route'}))
  })

  it('maas-region unified charmcraft.yaml: metadata and config options in one file', async () => {
    const region = charmOf(await readLoose('maas-charms__maas-region__charmcraft.yaml'))
    expect(region.name).toBe('maas-region')
    expect(region.containers).toEqual([])
    expect(region.options?.ssl_key_content).toMatchObject({type: 'string', default: ''})
    expect(region.options?.ssl_key_content?.ref.path).toEqual(['config', 'options', 'ssl_key_content'])
    expect(region.endpoints).toContainEqual(expect.objectContaining({name: 'maas-db', role: 'requires', interface: 'postgresql_client'}))
  })

  it('maas-agent unified charmcraft.yaml: endpoints, no containers, no charm-user', async () => {
    const agent = charmOf(await readLoose('maas-charms__maas-agent__charmcraft.yaml'))
    expect(agent.name).toBe('maas-agent')
    expect(agent.charmUser).toBeUndefined()
    expect(agent.endpoints.map((e) => `${e.role}:${e.name}:${e.interface}`)).toEqual([
      'provides:cos-agent:cos_agent',
      'requires:maas-region:maas_controller',
      'requires:tracing:tracing',
    ])
  })

  it('landscape-server: machine charm endpoints with container scope', async () => {
    const landscape = charmOf(await readLoose('landscape-charm__metadata.yaml'))
    expect(landscape.name).toBe('landscape-server')
    expect(landscape.containers).toEqual([])
    expect(landscape.charmUser).toBeUndefined()
    const byName = new Map(landscape.endpoints.map((e) => [e.name, e]))
    expect(byName.get('database')).toMatchObject({role: 'requires', interface: 'postgresql_client'})
    expect(byName.get('db')).toMatchObject({role: 'requires', interface: 'pgsql'})
    expect(byName.get('website')).toMatchObject({role: 'provides', interface: 'http'})
    expect(byName.get('hosted')).toMatchObject({role: 'provides', interface: 'landscape-hosted', scope: 'container'})
    expect(byName.get('data')).toMatchObject({scope: 'container', optional: true})
    expect(byName.get('replicas')).toMatchObject({role: 'peers', interface: 'landscape-replica'})
    expect(landscape.endpoints).toHaveLength(11)
  })

  it('traefik-k8s: assumes k8s-api, container without uid', async () => {
    const traefik = charmOf(await readLoose('traefik-k8s-operator__metadata.yaml'))
    expect(traefik.assumes).toEqual(['k8s-api'])
    expect(traefik.containers).toEqual([expect.objectContaining({name: 'traefik'})])
    expect(traefik.containers[0]!.uid).toBeUndefined()
  })
})

describe('charm directories', () => {
  it('merge charmcraft.yaml (name) and metadata.yaml (containers) of sidecar-non-root into one charm', async () => {
    const dir = join(await tempDir(), 'some-checkout')
    await mkdir(dir)
    await copyFile(join(CHARMS, 'juju__testcharms__charms__sidecar-non-root__charmcraft.yaml'), join(dir, 'charmcraft.yaml'))
    await copyFile(join(CHARMS, 'juju__testcharms__charms__sidecar-non-root__metadata.yaml'), join(dir, 'metadata.yaml'))
    expect(await isCharmDirectory(dir)).toBe(true)

    const out = await readCharmDirectory(dir)
    const charm = charmOf(out)
    expect(charm.name).toBe('sidecar-non-root')
    expect(charm.charmUser).toBe('non-root')
    expect(charm.source).toBe(dir)
    const rootful = charm.containers.find((c) => c.name === 'rootful')
    const rootless = charm.containers.find((c) => c.name === 'rootless')
    expect(rootful).toMatchObject({resource: 'ubuntu'})
    expect(rootful!.uid).toBeUndefined()
    expect(rootless).toMatchObject({uid: 10000, gid: 10000})
    // Refs point at the file that said each thing.
    expect(rootless!.ref).toEqual({file: join(dir, 'metadata.yaml'), document: 0, path: ['containers', 'rootless']})
    expect(charm.refs.definition.file).toBe(join(dir, 'metadata.yaml'))
    expect(out).toContainEqual({type: 'input', scope: {file: dir}, input: 'charm-metadata'})
  })

  it('falls back to the directory name and merges config.yaml options', async () => {
    const dir = join(await tempDir(), 'postgresql-k8s')
    await mkdir(dir)
    const metadata = (await readAndParse(join(CHARMS, 'postgresql-k8s-operator__metadata.yaml'))).documents[0]!.data as Record<string, unknown>
    delete metadata.name
    await writeFile(join(dir, 'metadata.yaml'), JSON.stringify(metadata))
    await writeFile(
      join(dir, 'config.yaml'),
      'options:\n  profile:\n    type: string\n    default: production\n  admin-password:\n    type: secret\n',
    )
    const charm = charmOf(await readCharmDirectory(dir))
    expect(charm.name).toBe('postgresql-k8s')
    expect(charm.options?.profile).toMatchObject({type: 'string', default: 'production'})
    expect(charm.options?.['admin-password']?.ref).toEqual({file: join(dir, 'config.yaml'), document: 0, path: ['options', 'admin-password']})
    expect(charm.endpoints.some((e) => e.interface === 'tls-certificates')).toBe(true)
  })

  it('are told apart from other directories', async () => {
    const root = await tempDir()
    expect(await isCharmDirectory(root)).toBe(false)
    const notCharm = join(root, 'not-a-charm')
    await mkdir(notCharm)
    await writeFile(join(notCharm, 'metadata.yaml'), 'applications:\n  a:\n    charm: x\n')
    expect(await isCharmDirectory(notCharm)).toBe(false)
    const broken = join(root, 'broken')
    await mkdir(broken)
    await writeFile(join(broken, 'charmcraft.yaml'), 'type: charm\nparts: [\n')
    expect(await isCharmDirectory(broken)).toBe(false)
    await expect(readCharmDirectory(root)).rejects.toBeInstanceOf(InputError)
  })

  it('report bad metadata as an InputError with file, line and path', async () => {
    const dir = join(await tempDir(), 'bad')
    await mkdir(dir)
    await writeFile(join(dir, 'metadata.yaml'), 'name: bad\ncontainers:\n  app:\n    resource: img\n    uid: "root"\n')
    const error = await readCharmDirectory(dir).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(InputError)
    const inputError = error as InputError
    expect(inputError.options.path).toEqual(['containers', 'app', 'uid'])
    expect(inputError.options.line).toBe(5)
    expect(inputError.message).toContain('expected uid (an integer user id)')
  })
})

describe('charm recognition and validation', () => {
  const hint = {file: 'x.yaml', document: 0}

  it('tells metadata, charmcraft and config documents apart from Juju outputs', () => {
    expect(charmMetadataReader.recognises({name: 'x', requires: {db: {interface: 'pgsql'}}}, hint)).toBe(true)
    expect(charmcraftReader.recognises({name: 'x', requires: {db: {interface: 'pgsql'}}}, hint)).toBe(false)
    expect(charmcraftReader.recognises({type: 'charm', parts: {charm: {}}}, hint)).toBe(true)
    expect(charmcraftReader.recognises({type: 'bundle', parts: {}}, hint)).toBe(false)
    expect(charmConfigReader.recognises({options: {a: {type: 'string'}}}, hint)).toBe(true)
    expect(charmConfigReader.recognises({options: {a: {type: 'string'}}, settings: {}}, hint)).toBe(false)
    // Juju bundle, status, config and show-application outputs.
    const juju = [
      {applications: {pg: {charm: 'postgresql', resources: {image: 1}}}, relations: []},
      {services: {pg: {charm: 'postgresql'}}},
      {model: {name: 'm'}, applications: {}},
      {application: 'pg', 'application-config': {trust: {value: true}}, charm: 'postgresql-k8s', settings: {}},
      {haproxy: {charm: 'haproxy', exposed: true, 'endpoint-bindings': {'': 'alpha'}}},
    ]
    for (const data of juju) expect(recognisingReaders(data, 'x.json')).toEqual([])
  })

  it('accepts the short endpoint form and rejects nonsense assumes with a path', () => {
    const out = charmMetadataReader.read({name: 'old', provides: {website: 'http'}}, {file: '/c/old/metadata.yaml', document: 0, scope: {}})
    expect(charmOf(out).endpoints).toEqual([expect.objectContaining({name: 'website', role: 'provides', interface: 'http'})])

    const error = thrown(() =>
      charmMetadataReader.read({name: 'x', assumes: ['k8s-api', {'any-of': 'juju >= 3'}]}, {file: 'm.yaml', document: 0, scope: {}}),
    )
    expect(error.options.path).toEqual(['assumes', 1, 'any-of'])

    const endpointError = thrown(() =>
      charmMetadataReader.read({name: 'x', requires: {db: {limit: 1}}}, {file: 'm.yaml', document: 0, scope: {}}),
    )
    expect(endpointError.options.path).toEqual(['requires', 'db', 'interface'])
    expect(endpointError.message).toContain('expected interface')
  })

  it('names a loose nameless metadata.yaml after its directory', () => {
    const out = charmMetadataReader.read(
      {containers: {app: {resource: 'img'}}},
      {file: '/snap/charms/my-charm/metadata.yaml', document: 0, scope: {}},
    )
    expect(charmOf(out).name).toBe('my-charm')
  })

  it('merges loose contributions of one charm, the first winning', () => {
    const ref = {path: []}
    const metadata: CharmMetadata = {
      name: 'c',
      charmUser: 'non-root',
      containers: [{name: 'app', uid: 10000, ref}],
      endpoints: [{name: 'db', role: 'requires', interface: 'pgsql', ref}],
      assumes: ['k8s-api'],
      source: 'metadata.yaml',
      refs: {definition: ref},
    }
    const config: CharmMetadata = {
      name: 'c',
      containers: [],
      endpoints: [],
      assumes: [],
      options: {password: {type: 'string', ref}},
      source: 'config.yaml',
      refs: {definition: ref},
    }
    const merged = mergeCharmMetadata(config, metadata)
    expect(merged).toMatchObject({charmUser: 'non-root', containers: [{name: 'app'}], assumes: ['k8s-api'], source: 'config.yaml, metadata.yaml'})
    expect(merged.options?.password?.type).toBe('string')
    expect(merged.endpoints).toHaveLength(1)
  })
})
