import {describe, expect, it} from 'vitest'

import {InputError} from '../../../src/errors.js'
import {readText} from './helpers.js'

const statusWith = (app: Record<string, unknown>): string =>
  JSON.stringify({model: {name: 'm', type: 'iaas', controller: 'c'}, machines: {}, applications: {web: {charm: 'web', ...app}}})

function errorOf(run: () => unknown): InputError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return error as InputError
  }
  throw new Error('expected an InputError')
}

describe('bad input is an InputError naming file and path', () => {
  it.each([
    ['status exposed', 'status.json', statusWith({exposed: 'yes'}), 'status.json at applications.web.exposed: ', 'expected boolean'],
    ['status relations', 'status.json', statusWith({relations: 'x'}), 'status.json at applications.web.relations: ', 'expected record'],
    ['status relation entry', 'status.json', statusWith({relations: {db: [{interface: 'pgsql'}]}}), 'status.json at applications.web.relations.db[0]: ', 'expected an application name or {related-application'],
    ['status unit ports', 'status.json', statusWith({units: {'web/0': {'open-ports': '80/tcp'}}}), 'status.json at applications.web.units["web/0"].open-ports: ', 'expected array'],
    ['status model type', 'status.json', JSON.stringify({model: {name: 'm', type: 'vm'}, applications: {}}), 'status.json at model.type: ', ''],
    ['bundle relations', 'bundle.yaml', 'applications:\n  a:\n    charm: a\nrelations: x\n', 'bundle.yaml at relations: ', 'expected array'],
    ['bundle expose', 'bundle.yaml', 'applications:\n  a:\n    charm: a\n    expose: "yes"\n', 'bundle.yaml at applications.a.expose: ', 'expected boolean'],
    ['bundle application', 'bundle.yaml', 'applications:\n  a:\n    charm: a\n  b: x\n', 'bundle.yaml at applications.b: ', 'expected object'],
    ['bundle relation pair', 'bundle.yaml', 'applications:\n  a:\n    charm: a\nrelations:\n- [a:x]\n', 'bundle.yaml at relations[0]: ', ''],
    ['show-model users', 'show-model.json', JSON.stringify({m: {'model-uuid': 'u', 'model-type': 'iaas', users: {bob: {access: 3}}}}), 'show-model.json at m.users.bob.access: ', 'expected string'],
    ['users disabled', 'users.json', JSON.stringify([{'user-name': 'bob', disabled: 'yes'}]), 'users.json at [0].disabled: ', 'expected boolean'],
    ['offers endpoints', 'offers.json', JSON.stringify({o: {application: 'a', 'offer-url': 'admin/m.o', endpoints: ['x']}}), 'offers.json at o.endpoints: ', ''],
    ['disabled-commands message', 'dc.json', JSON.stringify([{'command-set': 'all', message: 1}]), 'dc.json at [0].message: ', 'expected string'],
    ['config trust', 'config.json', JSON.stringify({application: 'a', 'application-config': {trust: {value: 'yes'}}, settings: {}}), 'config.json at application-config.trust.value: ', 'expected boolean'],
    ['show-application exposed', 'show.json', JSON.stringify({a: {principal: true, remote: false, exposed: 'yes'}}), 'show.json at a.exposed: ', 'expected boolean'],
    ['controller-config uuid', 'cc.json', JSON.stringify({'controller-uuid': 7, 'api-port': 17070}), 'cc.json at controller-uuid: ', 'expected string'],
  ])('%s', (_, file, text, where, expected) => {
    const error = errorOf(() => readText(file, text))
    expect(error.message.startsWith(where)).toBe(true)
    expect(error.message).toContain(expected)
    expect(error.message).not.toContain('\n')
  })
})
