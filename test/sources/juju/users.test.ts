// test/fixtures/juju/users.json and show-user.json are shaped like `juju users --format=json` and
// `juju show-user alice --format=json`: checked against juju/juju cmd/juju/user/info.go (UserInfo:
// user-name, display-name, access, date-created, last-connection, disabled) and
// cmd/juju/user/list.go (controller users are a list of UserInfo).
import {describe, expect, it} from 'vitest'

import {fixture, ofType, readFile} from './helpers.js'

describe('juju users / show-user', () => {
  it('juju users gives the controller users', () => {
    const file = fixture('users.json')
    const {documents, contributions} = readFile(file, {controller: 'prod'})
    expect(documents.map((d) => d.kind)).toEqual(['juju users'])
    expect(ofType(contributions, 'input').map((c) => c.input)).toEqual(['juju-users'])
    const [users] = ofType(contributions, 'controller-users')
    expect(users!.scope).toEqual({file, controller: 'prod'})
    expect(users!.users).toEqual([
      {name: 'admin', access: 'superuser', lastConnection: 'just now', ref: {file, document: 0, path: [0]}},
      {name: 'alice', access: 'login', lastConnection: 'never connected', ref: {file, document: 0, path: [1]}},
      {name: 'bob', access: 'superuser', lastConnection: '2025-04-02 17:40:01 +0000 UTC', disabled: true, ref: {file, document: 0, path: [2]}},
    ])
  })

  it('juju show-user gives one user and does not claim the full list was read', () => {
    const file = fixture('show-user.json')
    const {documents, contributions} = readFile(file)
    expect(documents.map((d) => d.kind)).toEqual(['juju show-user'])
    expect(contributions).toEqual([
      // Its own input kind: the user rules judge the user it shows, nothing claims every user was read.
      {type: 'input', scope: {file}, input: 'juju-show-user'},
      {type: 'controller-users', scope: {file}, users: [{name: 'alice', access: 'login', lastConnection: 'never connected', ref: {file, document: 0, path: []}}]},
    ])
  })
})
