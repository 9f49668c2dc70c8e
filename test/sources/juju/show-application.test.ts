// test/fixtures/juju/show-application-haproxy.json is shaped like `juju show-application haproxy
// --format=json` from Juju 3.x: checked against juju/juju cmd/juju/application/show.go
// (ApplicationInfo: charm, base as a string, channel, constraints, principal, exposed,
// exposed-endpoints, remote, life, endpoint-bindings; ExposedEndpoint: expose-to-spaces,
// expose-to-cidrs).
import {describe, expect, it} from 'vitest'

import {application, fixture, ofType, readFile} from './helpers.js'

describe('juju show-application', () => {
  it('gives exposure per endpoint', () => {
    const file = fixture('show-application-haproxy.json')
    const {documents, contributions} = readFile(file)
    expect(documents.map((d) => d.kind)).toEqual(['juju show-application'])
    expect(ofType(contributions, 'input').map((c) => c.input)).toEqual(['juju-show-application'])
    expect(application(contributions, 'haproxy')).toEqual({
      name: 'haproxy',
      charm: 'haproxy',
      channel: 'latest/stable',
      base: {name: 'ubuntu', channel: '22.04'},
      exposed: true,
      exposedEndpoints: {
        '': {cidrs: ['0.0.0.0/0', '::/0'], spaces: []},
        admin: {cidrs: ['10.0.0.0/8'], spaces: ['mgmt']},
      },
      refs: {
        definition: {file, document: 0, path: ['haproxy']},
        charm: {file, document: 0, path: ['haproxy', 'charm']},
        channel: {file, document: 0, path: ['haproxy', 'channel']},
        base: {file, document: 0, path: ['haproxy', 'base']},
        expose: {file, document: 0, path: ['haproxy', 'exposed']},
        'exposed-endpoints': {file, document: 0, path: ['haproxy', 'exposed-endpoints']},
      },
    })
  })
})
