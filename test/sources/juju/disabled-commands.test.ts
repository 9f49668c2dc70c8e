// test/fixtures/juju/disabled-commands*.json are shaped like `juju disabled-commands --format=json`
// (with and without --all): checked against juju/juju cmd/juju/block/list.go (BlockInfo:
// command-set, message omitempty; modelBlockInfo: name, model-uuid, owner, disabled-commands).
import {describe, expect, it} from 'vitest'

import {fixture, readFile} from './helpers.js'

describe('juju disabled-commands', () => {
  it('lists the disabled command sets', () => {
    const file = fixture('disabled-commands.json')
    const {documents, contributions} = readFile(file, {controller: 'prod', model: 'cos'})
    expect(documents.map((d) => d.kind)).toEqual(['juju disabled-commands'])
    expect(contributions).toEqual([
      {type: 'input', scope: {file, controller: 'prod', model: 'cos'}, input: 'juju-disabled-commands'},
      {
        type: 'disabled-commands',
        scope: {file, controller: 'prod', model: 'cos'},
        commands: [{commandSet: 'destroy-model', message: 'production model'}, {commandSet: 'remove-object'}],
        ref: {file, document: 0, path: []},
      },
    ])
  })

  it('[] means nothing is disabled', () => {
    const file = fixture('disabled-commands-none.json')
    expect(readFile(file).contributions).toEqual([
      {type: 'input', scope: {file}, input: 'juju-disabled-commands'},
      {type: 'disabled-commands', scope: {file}, commands: [], ref: {file, document: 0, path: []}},
    ])
  })

  it('--all gives each listed model its own list', () => {
    const file = fixture('disabled-commands-all.json')
    const {contributions} = readFile(file, {controller: 'prod'})
    expect(contributions.filter((c) => c.type === 'disabled-commands')).toEqual([
      {type: 'disabled-commands', scope: {file, controller: 'prod', model: 'controller'}, commands: [{commandSet: 'destroy-model'}], ref: {file, document: 0, path: [0]}},
      {
        type: 'disabled-commands',
        scope: {file, controller: 'prod', model: 'cos'},
        commands: [{commandSet: 'all'}, {commandSet: 'destroy-model'}],
        ref: {file, document: 0, path: [1]},
      },
    ])
  })
})
