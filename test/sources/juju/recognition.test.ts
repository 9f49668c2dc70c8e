import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {parseText} from '../../../src/sources/parse-file.js'
import {CORPUS, FIXTURES, recognisers} from './helpers.js'

const files = [
  ...readdirSync(FIXTURES)
    .filter((name) => /\.(json|ya?ml)$/.test(name))
    .map((name) => join(FIXTURES, name)),
  ...readdirSync(join(CORPUS, 'status')).map((name) => join(CORPUS, 'status', name)),
  ...readdirSync(join(CORPUS, 'bundles')).map((name) => join(CORPUS, 'bundles', name)),
]

const kinds = (data: unknown, file = 'x.json', document = 0): string[] => recognisers(data, file, document).map((reader) => reader.kind)

describe('recognition', () => {
  it.each(files)('every document of %s is recognised by exactly one Juju reader', (file) => {
    const parsed = parseText(file, readFileSync(file, 'utf8'))
    for (const {index, data} of parsed.documents) expect(kinds(data, file, index)).toHaveLength(1)
  })

  it.each(readdirSync(join(CORPUS, 'charms')))('charm metadata %s is not a Juju output', (name) => {
    const file = join(CORPUS, 'charms', name)
    for (const {index, data} of parseText(file, readFileSync(file, 'utf8')).documents) expect(kinds(data, file, index)).toEqual([])
  })

  it('tells apart look-alikes', () => {
    // A model named "model" in show-model, an application named "model" or "applications".
    expect(kinds({model: {name: 'admin/model', 'short-name': 'model', 'model-uuid': 'u', 'model-type': 'iaas'}})).toEqual(['juju show-model'])
    expect(kinds({model: {charm: 'x', principal: true, exposed: false, remote: false}})).toEqual(['juju show-application'])
    expect(kinds({applications: {charm: 'x', principal: true, exposed: false, remote: false}})).toEqual(['juju show-application'])
    // A status has `model`; a bundle does not.
    expect(kinds({model: {name: 'm'}, applications: {a: {charm: 'x'}}})).toEqual(['juju status'])
    expect(kinds({applications: {a: {charm: 'x'}}})).toEqual(['juju bundle'])
    expect(kinds({applications: {a: {charm: 'x'}}}, 'b.yaml', 1)).toEqual(['juju bundle overlay'])
    expect(kinds({applications: {a: {'exposed-endpoints': {}}}})).toEqual(['juju bundle overlay'])
    // Lists.
    expect(kinds([])).toEqual(['juju disabled-commands'])
    expect(kinds([{'user-name': 'admin', access: 'superuser'}])).toEqual(['juju users'])
    expect(kinds([{name: 'x'}])).toEqual([])
    // Things that are not Juju outputs at all.
    expect(kinds({apiVersion: 'v1', kind: 'List', items: []})).toEqual([])
    expect(kinds({name: 'traefik-k8s', requires: {}, provides: {}})).toEqual([])
    expect(kinds('status')).toEqual([])
    expect(kinds(null)).toEqual([])
    expect(kinds({'controller-uuid': 'u'})).toEqual([])
  })
})
