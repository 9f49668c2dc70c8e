// test/fixtures/juju/controller-config.json is shaped like `juju controller-config --format=json`
// from Juju 3.x: key names checked against juju/juju controller/config.go (api-port,
// controller-api-port, controller-name, controller-uuid, state-port, audit-log-*, ...).
import {describe, expect, it} from 'vitest'

import {fixture, readFile} from './helpers.js'

describe('juju controller-config', () => {
  it('passes the settings on, controller name from the data', () => {
    const file = fixture('controller-config.json')
    const {documents, contributions} = readFile(file)
    expect(documents.map((d) => d.kind)).toEqual(['juju controller-config'])
    expect(contributions).toEqual([
      {type: 'input', scope: {file, controller: 'prod'}, input: 'juju-controller-config'},
      {type: 'controller-config', scope: {file, controller: 'prod'}, config: expect.objectContaining({'api-port': 17070, 'state-port': 37017, 'auditing-enabled': true})},
    ])
  })
})
