// test/fixtures/juju/config-postgresql.json is shaped like `juju config postgresql --format=json`
// from Juju 3.x: checked against juju/juju cmd/juju/application/config.go and config_test.go (top
// level application, charm, application-config, settings) and the Application facade's Get
// results in apiserver/facades/client/application (each entry: default, description, source,
// type, value; trust is application-config.trust, type bool).
import {describe, expect, it} from 'vitest'

import {configReader} from '../../../src/sources/juju/config.js'
import {application, fixture, ofType, readFile} from './helpers.js'

describe('juju config', () => {
  const file = fixture('config-postgresql.json')
  const {documents, contributions} = readFile(file, {controller: 'prod', model: 'db'})

  it('gives trust and the effective option values', () => {
    expect(documents.map((d) => d.kind)).toEqual(['juju config'])
    expect(ofType(contributions, 'input').map((c) => c.input)).toEqual(['juju-config'])
    const postgresql = application(contributions, 'postgresql')
    expect(postgresql).toMatchObject({
      charm: 'postgresql-k8s',
      trust: true,
      options: {durability_synchronous_commit: 'on', plugin_pg_trgm_enable: true, profile: 'production'},
    })
    expect(Object.keys(postgresql.options!)).not.toContain('request_time_zone')
    expect(postgresql.optionRefs!.plugin_pg_trgm_enable).toEqual({file, document: 0, path: ['settings', 'plugin_pg_trgm_enable', 'value']})
    expect(postgresql.refs.trust).toEqual({file, document: 0, path: ['application-config', 'trust', 'value']})
  })

  it('falls back to the default when there is no value', () => {
    const data = {application: 'web', charm: 'web', 'application-config': {trust: {default: false, type: 'bool'}}, settings: {port: {default: 80, type: 'int', source: 'default'}}}
    const [, app] = configReader.read(data, {file: 'config.json', document: 0, scope: {}})
    expect(app).toMatchObject({type: 'application', facts: {name: 'web', trust: false, options: {port: 80}, optionRefs: {port: {path: ['settings', 'port', 'default']}}}})
  })
})
