// test/fixtures/juju/show-model.json is shaped like `juju show-model --format=json` from Juju 3.6:
// checked against juju/juju cmd/juju/common/model.go (ModelInfo, ModelUserInfo, ModelCredential,
// ModelStatus) and cmd/juju/model/show.go (the map is keyed by the model's short name).
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {REPO_ROOT} from '../../helpers/cli.js'

import {fixture, ofType, readFile} from './helpers.js'

describe('juju show-model', () => {
  const file = fixture('show-model.json')
  const {documents, contributions} = readFile(file)

  it('gives model facts with scope from the data', () => {
    expect(documents.map((d) => d.kind)).toEqual(['juju show-model'])
    expect(ofType(contributions, 'input').map((c) => c.input)).toEqual(['juju-show-model'])
    const [model] = ofType(contributions, 'model')
    expect(model!.scope).toEqual({file, controller: 'prod', model: 'cos'})
    expect(model!.facts).toEqual({
      uuid: '5b8e7d6c-1f2a-4e3b-9c8d-7a6b5c4d3e2f',
      type: 'caas',
      cloud: 'microk8s',
      region: 'localhost',
      version: '3.6.1',
      owner: 'admin',
      qualifier: 'admin',
      credential: {name: 'microk8s', owner: 'admin', cloud: 'microk8s'},
    })
  })

  it('gives the model users, last connection as Juju prints it', () => {
    expect(ofType(contributions, 'model-users')[0]!.users).toEqual([
      {name: 'admin', access: 'admin', lastConnection: '2 minutes ago', displayName: 'admin', ref: {file, document: 0, path: ['cos', 'users', 'admin']}},
      {name: 'alice', access: 'write', lastConnection: 'never connected', ref: {file, document: 0, path: ['cos', 'users', 'alice']}},
      {name: 'everyone@external', access: 'read', lastConnection: 'never connected', ref: {file, document: 0, path: ['cos', 'users', 'everyone@external']}},
    ])
  })

  it("reads Juju 4's output, which names no owner: the qualifier is the name's prefix, and no owner is made of it", () => {
    // juju/juju cmd/juju/model/show_test.go@7c74445b (TestShowBasicWithUsersIncompleteModelsYaml), in the real-world corpus.
    const juju4 = readFile(join(REPO_ROOT, 'test/real-world/show-model/juju__juju__cmd__juju__model__show_test.go__TestShowBasicWithUsersIncompleteModelsYaml.yaml'))
    const [model] = ofType(juju4.contributions, 'model')
    expect(model!.facts).toMatchObject({qualifier: 'prod'})
    expect(model!.facts).not.toHaveProperty('owner')
  })

  it('keeps the scope from the file layout', () => {
    const {contributions: scoped} = readFile(file, {controller: 'layout', model: 'cos'})
    expect(ofType(scoped, 'model')[0]!.scope).toMatchObject({controller: 'layout', model: 'cos'})
  })
})
