import {describe, expect, it} from 'vitest'

import {parseCharmRef} from '../../../src/sources/juju/charm-url.js'
import {parseBase} from '../../../src/sources/juju/common.js'

describe('parseCharmRef', () => {
  it.each([
    ['postgresql-k8s', {charm: 'postgresql-k8s', origin: 'charmhub'}],
    ['ch:postgresql', {charm: 'postgresql', origin: 'charmhub'}],
    ['ch:amd64/jammy/kafka-127', {charm: 'kafka', origin: 'charmhub', revision: 127}],
    ['cs:~user/foo-12', {charm: 'foo', origin: 'charmstore', revision: 12}],
    ['cs:trusty/mysql-38', {charm: 'mysql', origin: 'charmstore', revision: 38}],
    ['local:jammy/web-3', {charm: 'web', origin: 'local', revision: 3}],
    ['./x.charm', {charm: './x.charm', origin: 'local'}],
    ['../landscape-server_ubuntu@22.04-amd64.charm', {charm: '../landscape-server_ubuntu@22.04-amd64.charm', origin: 'local'}],
    ['/srv/charms/web', {charm: '/srv/charms/web', origin: 'local'}],
  ])('%s', (text, expected) => {
    expect(parseCharmRef(text)).toEqual(expected)
  })
})

describe('parseBase', () => {
  it.each([
    ['ubuntu@22.04', {name: 'ubuntu', channel: '22.04'}],
    ['ubuntu@20.04/stable', {name: 'ubuntu', channel: '20.04'}],
    ['jammy', undefined],
    ['ubuntu@', undefined],
  ])('%s', (text, expected) => {
    expect(parseBase(text)).toEqual(expected)
  })
})
