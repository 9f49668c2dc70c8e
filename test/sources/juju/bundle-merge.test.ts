// Overlay merging as juju/juju `internal/charm/overlay.go` does it (ReadAndMergeBundleData,
// applyOverlay, mergeStructs, removeRelations): checked rule by rule through the file source,
// with bundles and overlays written as a user writes them.
import {mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {beforeAll, describe, expect, it} from 'vitest'

import type {Contribution} from '../../../src/inventory/contributions.js'
import {readFileSources} from '../../../src/sources/files.js'
import {application, ofType, relationPairs} from './helpers.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hardenctl-merge-'))
})

async function write(name: string, text: string): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, text)
  return path
}

const BASE = `bundle: kubernetes
applications:
  db:
    charm: postgresql-k8s
    channel: 14/stable
    trust: true
    options:
      profile: production
      plugin_pg_trgm_enable: true
  web:
    charm: my-web-k8s
    expose: true
relations:
- [web:db, db:database]
`

/** Reads the base bundle with overlays applied in order, as `review BASE --overlay ...` does. */
async function merge(base: string, ...overlays: string[]): Promise<Contribution[]> {
  const files = await Promise.all(overlays.map((text, i) => write(`overlay-${Math.random().toString(36).slice(2)}-${i}.yaml`, text)))
  const result = await readFileSources([await write(`base-${Math.random().toString(36).slice(2)}.yaml`, base)], {overlays: files})
  return result.contributions
}

describe('overlays merge like juju deploy --overlay', () => {
  it('scalars replace the base: trust: false and expose: false in an overlay win', async () => {
    const contributions = await merge(BASE, 'applications:\n  db:\n    trust: false\n  web:\n    expose: false\n')
    expect(application(contributions, 'db')).toMatchObject({trust: false, channel: '14/stable'})
    expect(application(contributions, 'web').exposed).toBe(false)
  })

  it('points each merged value at the document that wrote it last', async () => {
    const contributions = await merge(BASE, 'applications:\n  db:\n    trust: true\n')
    const db = application(contributions, 'db')
    expect(db.refs.trust!.file).toMatch(/overlay-/)
    expect(db.refs.channel!.file).toMatch(/base-/)
    expect(db.refs.definition!.file).toMatch(/base-/)
  })

  it('maps merge key by key; a key set to null is removed, an empty map clears', async () => {
    const contributions = await merge(BASE, 'applications:\n  db:\n    options:\n      profile: testing\n      plugin_pg_trgm_enable:\n      extra: x\n  web:\n    options: {}\n')
    expect(application(contributions, 'db').options).toEqual({profile: 'testing', extra: 'x'})
    expect(application(contributions, 'db').optionRefs!.profile!.file).toMatch(/overlay-/)
    expect(application(contributions, 'web').options).toEqual({})
  })

  it('an application set to null is removed, with every relation naming it', async () => {
    const contributions = await merge(BASE, 'applications:\n  web:\n')
    expect(ofType(contributions, 'application').map((c) => c.facts.name)).toEqual(['db'])
    expect(relationPairs(contributions)).toEqual([])
  })

  it('a relations-only overlay is valid and its relations are added', async () => {
    const contributions = await merge(BASE, 'relations:\n- [db:certificates, web:certificates]\n')
    expect(relationPairs(contributions)).toEqual(['db:certificates web:certificates', 'db:database web:db'])
  })

  it('refuses exposed-endpoints and offers in the bundle itself: juju deploy takes them only from an overlay', async () => {
    const exposed = await write('base-exposed.yaml', 'applications:\n  web:\n    charm: apache2\n    exposed-endpoints:\n      "":\n        expose-to-cidrs: [10.0.0.0/8]\n')
    await expect(readFileSources([exposed])).rejects.toThrow(/:4:5 at applications\.web\.exposed-endpoints: only an overlay may set exposed-endpoints \(a later document of the bundle file, or an --overlay file\): juju deploy refuses it in the bundle itself/)
    const offers = await write('base-offers.yaml', 'applications:\n  web:\n    charm: apache2\n    offers:\n      site:\n        endpoints: [website]\n')
    await expect(readFileSources([offers])).rejects.toThrow(/:4:5 at applications\.web\.offers: only an overlay may set offers/)
    // In a later document of the same file, or written empty, they are what Juju takes.
    const overlaid = await write('overlaid.yaml', 'applications:\n  web:\n    charm: apache2\n    offers: {}\n---\napplications:\n  web:\n    offers:\n      site:\n        endpoints: [website]\n')
    await expect(readFileSources([overlaid])).resolves.toBeDefined()
  })

  it('refuses an expose-to-cidrs entry that is not a CIDR, as juju deploy does (net.ParseCIDR), at its line', async () => {
    const file = await write('bad-cidr.yaml', 'applications:\n  web:\n    charm: apache2\n---\napplications:\n  web:\n    exposed-endpoints:\n      "":\n        expose-to-cidrs: [10.0.0.0/8, 10.0.0.0/33]\n')
    await expect(readFileSources([file])).rejects.toThrow(
      /:9:39 at applications\.web\.exposed-endpoints\[""\]\.expose-to-cidrs\[1\]: "10\.0\.0\.0\/33" is not a CIDR \(the prefix length of an IPv4 CIDR is 0 to 32, not "33"\): juju deploy refuses it/,
    )
  })

  it('refuses what juju deploy refuses: a relation naming an unknown application, an overlay removing one', async () => {
    await expect(merge(BASE, 'relations:\n- [db:certificates, tls:certificates]\n')).rejects.toThrow(
      /:2:3 at relations\[0\]: the relation names application "tls", which the bundle does not have \(juju deploy refuses it\)$/,
    )
    await expect(merge(BASE, 'applications:\n  ghost:\n')).rejects.toThrow(/:2:3 at applications\.ghost: the overlay removes application "ghost", which the bundle does not have/)
  })

  it('an overlay that adds an application with its charm is still an overlay: the base stays a Kubernetes bundle', async () => {
    const contributions = await merge(BASE, 'applications:\n  tls:\n    charm: self-signed-certificates\n', 'bundle: machine\nseries: focal\n')
    expect(ofType(contributions, 'model').map((c) => c.facts)).toEqual([{type: 'caas'}])
    expect(ofType(contributions, 'input').map((c) => c.input)).toEqual(['juju-bundle'])
    expect(application(contributions, 'tls')).toMatchObject({charm: 'self-signed-certificates', trust: false, exposed: false})
    // An overlay's series replaces the base's; its `bundle:` is ignored.
    expect(application(contributions, 'db').series).toBe('focal')
  })

  it('refuses an overlay written with the pre-Juju-2 services key, as juju deploy does', async () => {
    await expect(merge(BASE, 'services:\n  db:\n    trust: false\n')).rejects.toThrow(/services' key/)
  })

  it('the documents of one file merge the same way', async () => {
    const file = await write('multi.yaml', `${BASE}---\napplications:\n  db:\n    trust: false\n---\nrelations:\n- [db:certificates, web:certificates]\n`)
    const {contributions, files} = await readFileSources([file])
    expect(application(contributions, 'db').trust).toBe(false)
    expect(relationPairs(contributions)).toContain('db:certificates web:certificates')
    expect(files).toEqual([{file, kind: 'juju bundle, juju bundle overlay'}])
  })

  it("a file's first document is its bundle even when it relates to an application a later document adds (Juju merges them before it checks)", async () => {
    const file = await write('relates-later.yaml', `${BASE.replace('relations:\n', 'relations:\n- [web:metrics, agent]\n')}---
applications:
  agent:
    charm: opentelemetry-collector-k8s
    scale: 1
`)
    const {contributions, files} = await readFileSources([file])
    expect(files).toEqual([{file, kind: 'juju bundle, juju bundle overlay'}])
    expect(ofType(contributions, 'model').map((c) => c.facts.type)).toEqual(['caas'])
    expect(relationPairs(contributions)).toContain('agent:? web:metrics')
  })

  it('a bundle given with --overlay may relate to an application only the overlay adds (Juju merges the overlays in before it checks)', async () => {
    const base = await write('relates-overlay.yaml', BASE.replace('relations:\n', 'relations:\n- [web:metrics, agent]\n'))
    const overlay = await write('adds-agent.yaml', 'applications:\n  agent:\n    charm: opentelemetry-collector-k8s\n    scale: 1\n')
    const {contributions, files} = await readFileSources([base], {overlays: [overlay]})
    expect(ofType(contributions, 'model').map((c) => c.facts.type)).toEqual(['caas'])
    expect(relationPairs(contributions)).toContain('agent:? web:metrics')
    expect(files.map((f) => f.kind)).toEqual(['juju bundle', 'juju bundle overlay'])
  })
})

describe('which bundle files go together', () => {
  it('in a directory, a bundle and an overlay file are merged', async () => {
    const sub = await mkdtemp(join(dir, 'pair-'))
    await writeFile(join(sub, 'bundle.yaml'), BASE)
    await writeFile(join(sub, 'overlay.yaml'), 'applications:\n  db:\n    trust: false\n')
    const {contributions, warnings} = await readFileSources([sub])
    expect(application(contributions, 'db').trust).toBe(false)
    expect(warnings).toEqual([])
  })

  it('a bundle with only applications next to one with base keys is read as its overlay, and says so', async () => {
    const sub = await mkdtemp(join(dir, 'adds-'))
    await writeFile(join(sub, 'a-extra.yaml'), 'applications:\n  tls:\n    charm: self-signed-certificates\n')
    await writeFile(join(sub, 'bundle.yaml'), BASE)
    const {contributions, warnings, files} = await readFileSources([sub])
    expect(ofType(contributions, 'model').map((c) => c.facts.type)).toEqual(['caas'])
    expect(warnings).toEqual([`${join(sub, 'a-extra.yaml')}: read as an overlay of ${join(sub, 'bundle.yaml')} (as with juju deploy ${join(sub, 'bundle.yaml')} --overlay ${join(sub, 'a-extra.yaml')}): it only adds applications and has none of bundle, name, series, default-base, machines or description`])
    expect(files.find((f) => f.file.endsWith('a-extra.yaml'))?.kind).toBe('juju bundle overlay')
  })

  it('an overlay next to two unrelated bundles cannot say which it belongs to', async () => {
    const sub = await mkdtemp(join(dir, 'two-'))
    await writeFile(join(sub, 'a.yaml'), 'applications:\n  a:\n    charm: a\n')
    await writeFile(join(sub, 'b.yaml'), 'applications:\n  b:\n    charm: b\n')
    await writeFile(join(sub, 'c.yaml'), 'applications:\n  a:\n    trust: true\n')
    await expect(readFileSources([sub])).rejects.toThrow(/c\.yaml: cannot tell which bundle this overlay applies to/)
  })

  it('a bundle\'s name: key names its model; without one the model is a label that commands never use', async () => {
    const named = await readFileSources([await write('named.yaml', `name: cos-lite\n${BASE}`)])
    expect(ofType(named.contributions, 'application')[0]!.scope.defaultModel).toBe('cos-lite')
    const invalid = await readFileSources([await write('invalid.yaml', `name: Not_A_Model\n${BASE}`)])
    expect(ofType(invalid.contributions, 'application')[0]!.scope.defaultModel).toBeUndefined()
  })
})
