import {cp, mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {readFileSources, scopeFromLayout} from '../../src/sources/files.js'

describe('the snapshot layout', () => {
  it('names controller and model from where a file sits, at any depth', () => {
    expect(scopeFromLayout('/snap/juju/prod/users.json')).toEqual({file: '/snap/juju/prod/users.json', controller: 'prod'})
    expect(scopeFromLayout('/snap/juju/prod/models/controller/status.json')).toMatchObject({controller: 'prod', model: 'controller'})
    expect(scopeFromLayout('/snap/juju/prod/models/cos/config/grafana.json')).toMatchObject({controller: 'prod', model: 'cos'})
    expect(scopeFromLayout('/snap/juju/prod/models/cos/applications/grafana.json')).toMatchObject({controller: 'prod', model: 'cos'})
    // A checkout under a directory called juju is not a controller.
    expect(scopeFromLayout('/home/me/juju/hardenctl/examples/status.json')).toEqual({file: '/home/me/juju/hardenctl/examples/status.json'})
  })
})

describe('readFileSources', () => {
  it('reads a whole example snapshot and says what each file was', async () => {
    const result = await readFileSources(['examples/livepatch-k8s'])
    const kinds = new Map(result.files.map((entry) => [entry.file.replace(/^.*livepatch-k8s\//, ''), entry.kind]))
    expect(kinds.get('juju/microk8s-prod/models/livepatch/status.json')).toBe('juju status')
    expect(kinds.get('kubernetes/pods.json')).toBe('kubernetes objects')
    expect(kinds.get('charms/postgresql-k8s')).toBe('charm directory')
    expect(result.warnings).toEqual([])
  })

  it('ignores a policy file among the inputs, with a warning, so evidence cannot waive itself', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hardenctl-files-'))
    await cp('test/corpus/bundles/landscape-charm__bundle-examples__bundle.yaml', join(dir, 'bundle.yaml'))
    await writeFile(join(dir, 'hardenctl.yaml'), 'apiVersion: hardenctl.io/v1\nwaivers: []\n')
    const result = await readFileSources([dir])
    expect(result.warnings).toEqual([`${join(dir, 'hardenctl.yaml')}: a hardenctl policy inside the inputs is ignored; pass it with --policy`])
  })
})
