import {readdir} from 'node:fs/promises'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {describe, expect, it} from 'vitest'

import type {CharmMetadata} from '../../../src/inventory/charm.js'
import {charmReaders, isCharmDirectory, readCharmDirectory} from '../../../src/sources/charm/index.js'
import {readAndParse} from '../../../src/sources/parse-file.js'

const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url))

async function charmsOf(example: string): Promise<Map<string, CharmMetadata>> {
  const root = join(EXAMPLES, example, 'charms')
  const charms = new Map<string, CharmMetadata>()
  for (const entry of await readdir(root, {withFileTypes: true})) {
    const dir = join(root, entry.name)
    expect(await isCharmDirectory(dir), dir).toBe(true)
    for (const file of await readdir(dir)) {
      const parsed = await readAndParse(join(dir, file))
      const data = parsed.documents[0]!.data
      expect(charmReaders.filter((r) => r.recognises(data, {file: parsed.file, document: 0})), file).toHaveLength(1)
    }
    for (const c of await readCharmDirectory(dir)) if (c.type === 'charm') charms.set(c.charm.name, c.charm)
  }
  return charms
}

describe('example charm directories', () => {
  it('livepatch-k8s: livepatch and postgresql-k8s, named as their directories, running as root', async () => {
    const charms = await charmsOf('livepatch-k8s')
    expect([...charms.keys()].sort()).toEqual(['canonical-livepatch-server-k8s', 'postgresql-k8s'])
    for (const charm of charms.values()) {
      expect(charm.charmUser).toBeUndefined()
      expect(charm.containers.length).toBeGreaterThan(0)
      for (const container of charm.containers) expect(container.uid).toBeUndefined()
    }
  })

  it('landscape-machines: landscape-server', async () => {
    const charms = await charmsOf('landscape-machines')
    expect([...charms.keys()]).toEqual(['landscape-server'])
    expect(charms.get('landscape-server')!.containers).toEqual([])
  })
})
