import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {InputError} from '../../../src/errors.js'
import {discoverJuju} from '../../../src/sources/juju-api/juju-data.js'
import {generateTestPki} from '../../fake-juju/tls.js'

// A real certificate: hardenctl parses the CA it is given (issue 14).
const CA = generateTestPki().caCert
const CA_BLOCK = CA.trim()
  .split('\n')
  .map((line) => `      ${line}`)
  .join('\n')

// Shaped like the juju client's own files (juju/juju jujuclient testdata).
const CONTROLLERS = `controllers:
  prod:
    uuid: f04abcd1-0000-4000-8000-000000000001
    api-endpoints: ['10.0.0.5:17070', '[fd00::5]:17070']
    ca-cert: |
${CA_BLOCK}
    cloud: microk8s
    region: localhost
    type: kubernetes
    agent-version: 3.6.1
  lab:
    uuid: f04abcd1-0000-4000-8000-000000000002
    api-endpoints: ['10.0.1.5:17070']
    cloud: lxd
current-controller: prod
`
const ACCOUNTS = `controllers:
  prod: {user: admin, password: s3cret-prod, last-known-access: superuser}
  lab: {user: bob@external}
`

describe('discoverJuju', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hardenctl-juju-data-'))
  })
  afterEach(async () => {
    await rm(dir, {recursive: true, force: true})
  })
  const write = async (controllers: string, accounts = ACCOUNTS) => {
    await writeFile(join(dir, 'controllers.yaml'), controllers)
    await writeFile(join(dir, 'accounts.yaml'), accounts)
  }

  it('takes the current controller, its endpoints, CA and account from $JUJU_DATA', async () => {
    await write(CONTROLLERS)
    const found = discoverJuju({env: {JUJU_DATA: dir}})
    expect(found).toEqual({
      found: true,
      controllers: [
        {
          name: 'prod',
          endpoints: ['10.0.0.5:17070', '[fd00::5]:17070'],
          caCert: CA,
          user: 'admin',
          password: 's3cret-prod',
          uuid: 'f04abcd1-0000-4000-8000-000000000001',
          source: join(dir, 'controllers.yaml'),
        },
      ],
    })
  })

  it('defaults JUJU_DATA to ~/.local/share/juju and says so when it is absent', () => {
    const found = discoverJuju({env: {}, home: dir})
    expect(found).toEqual({found: false, reason: expect.stringContaining(join(dir, '.local/share/juju/controllers.yaml'))})
  })

  it('--controller picks another controller; unknown names and external users are clear errors', async () => {
    await write(CONTROLLERS)
    expect(() => discoverJuju({env: {JUJU_DATA: dir}, controllers: ['nope']})).toThrow(/no controller "nope"; known: lab, prod/)
    expect(() => discoverJuju({env: {JUJU_DATA: dir}, controllers: ['lab']})).toThrow(/user bob@external has no password/)
  })

  it('several controllers and no current one needs --controller', async () => {
    await write(CONTROLLERS.replace('current-controller: prod\n', ''))
    expect(() => discoverJuju({env: {JUJU_DATA: dir}})).toThrow(/no current-controller and several controllers \(lab, prod\); pass --controller NAME/)
  })

  it('a malformed controllers.yaml names the file, line and path', async () => {
    await write('controllers:\n  prod:\n    api-endpoints: 17070\n')
    let error: unknown
    try {
      discoverJuju({env: {JUJU_DATA: dir}})
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(InputError)
    expect((error as Error).message).toMatch(new RegExp(`${join(dir, 'controllers.yaml')}:3:\\d+ at controllers\\.prod\\.api-endpoints: .*expected array`))
  })

  it('reads one controller from HARDENCTL_JUJU_* (the CronJob), the CA and password from files', async () => {
    await writeFile(join(dir, 'ca.pem'), CA)
    await writeFile(join(dir, 'password'), 'from-secret\n')
    const found = discoverJuju({
      env: {
        HARDENCTL_JUJU_ENDPOINTS: '10.0.0.5:17070, 10.0.0.6:17070',
        HARDENCTL_JUJU_CA_CERT_FILE: join(dir, 'ca.pem'),
        HARDENCTL_JUJU_USER: 'hardenctl',
        HARDENCTL_JUJU_PASSWORD_FILE: join(dir, 'password'),
      },
    })
    expect(found).toEqual({
      found: true,
      controllers: [{name: 'controller', endpoints: ['10.0.0.5:17070', '10.0.0.6:17070'], caCert: CA, user: 'hardenctl', password: 'from-secret', source: 'HARDENCTL_JUJU_* environment'}],
    })
    expect(() => discoverJuju({env: {HARDENCTL_JUJU_ENDPOINTS: '10.0.0.5:17070', HARDENCTL_JUJU_USER: 'hardenctl'}})).toThrow(/neither HARDENCTL_JUJU_PASSWORD nor HARDENCTL_JUJU_PASSWORD_FILE/)
  })
})
