/**
 * Hostile and careless input on the live path (issue 14), as a user meets it: the CLI in its own
 * process against loopback servers that misbehave (hostile-servers.ts) or with malformed
 * HARDENCTL_* variables. Each row: the exit code, one line on stderr saying what happened, no
 * stack trace, never the password. Deadlines are set short here so the table runs in seconds;
 * how long each case takes is measured in the bench (test/bench/live-bench.ts), not asserted here.
 */
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {corpusEstate} from '../../fake-juju/estate.js'
import {type FakeController, startFakeController} from '../../fake-juju/server.js'
import {writeKubeconfig} from '../../fake-kubernetes/server.js'
import {type CliResult, runCli} from '../../helpers/cli.js'
import {type HostileServer, type Misbehaviour, startHostileServer} from './hostile-servers.js'

const PASSWORD = 'juju-pw-never-printed-4f9a'
const TOKEN = 'k8s-token-never-printed-77c1'

let home: string
const servers = new Map<Misbehaviour, HostileServer>()

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'hardenctl-bad-live-'))
  for (const kind of ['endless-body', 'mid-body-close', 'never-answers', 'retry-after-hour', 'silent-tcp'] as const) servers.set(kind, await startHostileServer(kind))
})
afterAll(async () => {
  await Promise.all([...servers.values()].map((server) => server.close()))
  await rm(home, {recursive: true, force: true})
})

/** The environment of a run against one hostile Kubernetes API, the Juju side left out. */
async function kubernetesAgainst(kind: Misbehaviour): Promise<Record<string, string | undefined>> {
  const dir = join(home, kind)
  await mkdir(dir, {recursive: true})
  const kubeconfig = writeKubeconfig(dir, [{context: kind, url: servers.get(kind)!.url, token: TOKEN}])
  return {HOME: dir, KUBECONFIG: kubeconfig, JUJU_DATA: join(dir, 'no-juju'), HARDENCTL_JUJU_ENDPOINTS: '', HARDENCTL_TIMEOUT: undefined}
}

/** The HARDENCTL_JUJU_* environment of the CronJob, with `overrides`; Kubernetes left out. */
function jujuEnvironment(overrides: Record<string, string | undefined>): Record<string, string | undefined> {
  return {
    HOME: home,
    KUBECONFIG: join(home, 'no-kubeconfig'),
    JUJU_DATA: join(home, 'no-juju'),
    HARDENCTL_JUJU_ENDPOINTS: '10.0.0.5:17070',
    HARDENCTL_JUJU_USER: 'hardenctl',
    HARDENCTL_JUJU_PASSWORD: PASSWORD,
    HARDENCTL_JUJU_PASSWORD_FILE: undefined,
    HARDENCTL_JUJU_CA_CERT: undefined,
    HARDENCTL_JUJU_CA_CERT_FILE: undefined,
    HARDENCTL_JUJU_CONTROLLER: undefined,
    HARDENCTL_TIMEOUT: undefined,
    ...overrides,
  }
}

function expectOneLine(result: CliResult, code: number, pattern: RegExp): void {
  const lines = result.stderr.trim().split('\n')
  expect({code: result.code, stderr: result.stderr}).toMatchObject({code})
  expect(lines, result.stderr).toHaveLength(1)
  expect(lines[0]).toMatch(pattern)
  expect(result.stderr).not.toMatch(/\n\s+at |internal error|timed out after 30000 ms/)
  for (const secret of [PASSWORD, TOKEN]) expect(result.stdout + result.stderr).not.toContain(secret)
}

describe('a misbehaving Kubernetes API', () => {
  it.each([
    [
      'an endless body stops at the response limit, naming the request',
      'endless-body' as const,
      ['--timeout', '20s'],
      {HARDENCTL_MAX_RESPONSE_MB: '2'},
      /^hardenctl: Kubernetes API http:\/\/127\.0\.0\.1:\d+: cannot list namespaces: GET \/api\/v1\/namespaces: the answer grew past the 2 MiB limit \(HARDENCTL_MAX_RESPONSE_MB\) and was cut off$/,
    ],
    [
      'a connection closed mid-body is said to be that, and retrying stops at the deadline',
      'mid-body-close' as const,
      ['--timeout', '2s'],
      {},
      /cannot list namespaces: the connection closed in the middle of the answer \(after \d+ of 100000 bytes of the body\).*(no time left for another attempt before the --timeout deadline \(2s\)|not finished at the --timeout deadline \(2s\)|after 5 attempts)/,
    ],
    [
      'a server that never answers is given up on at the deadline',
      'never-answers' as const,
      ['--timeout', '1s'],
      {},
      /cannot list namespaces: no answer before the --timeout deadline \(1s\) \(1 attempt\)$/,
    ],
    [
      'Retry-After: 3600 is not waited for',
      'retry-after-hour' as const,
      [],
      {},
      /cannot list namespaces: HTTP 429 Too Many Requests: .*the server asked to be asked again in 3600 s \(Retry-After\), later than hardenctl waits \(60 s\)$/,
    ],
    [
      'HARDENCTL_TIMEOUT is read when --timeout is not given',
      'never-answers' as const,
      [],
      {HARDENCTL_TIMEOUT: '1s'},
      /no answer before the --timeout deadline \(1s\)/,
    ],
  ])('%s (exit 3)', async (_, kind, args, env, pattern) => {
    const result = await runCli(['audit', '--no-juju', ...args], {env: {...(await kubernetesAgainst(kind)), ...env}})
    expectOneLine(result, 3, pattern)
  })

  it.each([
    ['--timeout that is not a duration', ['--timeout', 'soon'], {}, /^hardenctl: --timeout=soon: expected a duration such as 90s, 10m/],
    ['--timeout 0', ['--timeout', '0'], {}, /^hardenctl: --timeout=0: expected a duration/],
    ['HARDENCTL_TIMEOUT that is not a duration', [], {HARDENCTL_TIMEOUT: '5x'}, /^hardenctl: HARDENCTL_TIMEOUT=5x: expected a duration/],
    ['HARDENCTL_MAX_RESPONSE_MB of 0', [], {HARDENCTL_MAX_RESPONSE_MB: '0'}, /^hardenctl: HARDENCTL_MAX_RESPONSE_MB=0: expected a whole number of at least 1$/],
  ])('%s is a usage error naming it (exit 2), before any request', async (_, args, env, pattern) => {
    const server = servers.get('never-answers')!
    const before = server.requests()
    const result = await runCli(['audit', '--no-juju', ...args], {env: {...(await kubernetesAgainst('never-answers')), ...env}})
    expectOneLine(result, 2, pattern)
    expect(server.requests()).toBe(before)
  })
})

describe('a Juju controller that misbehaves, and malformed HARDENCTL_JUJU_* variables', () => {
  it('a controller that accepts TCP and never answers the WebSocket handshake is given up on at the deadline (exit 3)', async () => {
    const result = await runCli(['audit', '--no-kubernetes', '--timeout', '1s'], {env: jujuEnvironment({HARDENCTL_JUJU_ENDPOINTS: servers.get('silent-tcp')!.url})})
    expectOneLine(result, 3, /^hardenctl: juju controller controller: cannot connect to 127\.0\.0\.1:\d+: no WebSocket handshake before the --timeout deadline \(1s\)$/)
  })

  it.each([
    ['Admin.Login', undefined, /^hardenctl: juju controller prod: login as admin failed: Admin\.Login got no answer before the --timeout deadline \(2s\)$/],
    ['FullStatus', 'foo-machine', /^hardenctl: juju model prod:foo-machine: Client\.fullStatus got no answer before the --timeout deadline \(2s\)$/],
  ])('a controller that never answers %s is given up on at the deadline (exit 3)', async (request, model, pattern) => {
    let controller: FakeController | undefined
    try {
      controller = await startFakeController(corpusEstate(), {faults: {silentOn: {request: request === 'Admin.Login' ? 'Login' : request, ...(model ? {model} : {})}}})
      const result = await runCli(['audit', '--no-kubernetes', '--timeout', '2s'], {
        env: jujuEnvironment({HARDENCTL_JUJU_ENDPOINTS: `${controller.host}:${controller.port}`, HARDENCTL_JUJU_CA_CERT: controller.caCert, HARDENCTL_JUJU_USER: 'admin', HARDENCTL_JUJU_PASSWORD: 'admin-secret-password', HARDENCTL_JUJU_CONTROLLER: 'prod'}),
      })
      expectOneLine(result, 3, pattern)
      expect(result.stderr).not.toContain('admin-secret-password')
    } finally {
      await controller?.close()
    }
  })

  it.each([
    ['a port out of range', {HARDENCTL_JUJU_ENDPOINTS: '127.0.0.1:99999'}, /^hardenctl: HARDENCTL_JUJU_ENDPOINTS=127\.0\.0\.1:99999: expected host:port with a port from 1 to 65535/],
    ['one bad endpoint of several', {HARDENCTL_JUJU_ENDPOINTS: '10.0.0.5:17070,https://10.0.0.6'}, /^hardenctl: HARDENCTL_JUJU_ENDPOINTS=10\.0\.0\.5:17070,https:\/\/10\.0\.0\.6: "https:\/\/10\.0\.0\.6": expected host:port/],
    ['no port', {HARDENCTL_JUJU_ENDPOINTS: 'controller.internal'}, /^hardenctl: HARDENCTL_JUJU_ENDPOINTS=controller\.internal: expected host:port/],
    ['an empty list', {HARDENCTL_JUJU_ENDPOINTS: ' , '}, /^hardenctl: HARDENCTL_JUJU_ENDPOINTS= , : expected a comma-separated list of host:port, got an empty list$/],
    ['a CA that is not PEM', {HARDENCTL_JUJU_CA_CERT: 'not a pem'}, /^hardenctl: HARDENCTL_JUJU_CA_CERT: expected a PEM certificate \(-----BEGIN CERTIFICATE-----\), found none$/],
    [
      'a CA that looks like PEM and does not parse',
      {HARDENCTL_JUJU_CA_CERT: '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n'},
      /^hardenctl: HARDENCTL_JUJU_CA_CERT: expected a PEM certificate; certificate 1 of 1 does not parse$/,
    ],
    ['a user name Juju would refuse', {HARDENCTL_JUJU_USER: 'bad user'}, /^hardenctl: HARDENCTL_JUJU_USER=bad user: expected a Juju user name/],
    ['a controller name that is a path', {HARDENCTL_JUJU_CONTROLLER: '../../etc'}, /^hardenctl: HARDENCTL_JUJU_CONTROLLER=\.\.\/\.\.\/etc: expected a Juju controller name/],
    ['an empty password', {HARDENCTL_JUJU_PASSWORD: ''}, /^hardenctl: HARDENCTL_JUJU_PASSWORD: expected a password, got an empty value$/],
  ])('%s: exit 2 naming the variable', async (_, overrides, pattern) => {
    const result = await runCli(['audit', '--no-kubernetes'], {env: jujuEnvironment(overrides)})
    expectOneLine(result, 2, pattern)
  })

  it('a CA file that is not PEM, and a password "file" that is a directory: exit 2 naming the file and the variable', async () => {
    const ca = join(home, 'ca.txt')
    await writeFile(ca, 'not a pem\n')
    const badCa = await runCli(['audit', '--no-kubernetes'], {env: jujuEnvironment({HARDENCTL_JUJU_CA_CERT_FILE: ca})})
    expectOneLine(badCa, 2, new RegExp(`^hardenctl: ${ca}: expected a PEM certificate .*\\(the file HARDENCTL_JUJU_CA_CERT_FILE names\\)$`))

    const directory = await runCli(['audit', '--no-kubernetes'], {env: jujuEnvironment({HARDENCTL_JUJU_PASSWORD: undefined, HARDENCTL_JUJU_PASSWORD_FILE: home})})
    expectOneLine(directory, 2, new RegExp(`^hardenctl: ${home}: the file HARDENCTL_JUJU_PASSWORD_FILE names is not a regular file$`))
  })

  it('an api-endpoint in controllers.yaml with a bad port: exit 2 naming the file and the path in it', async () => {
    const data = join(home, 'juju-data')
    await mkdir(data, {recursive: true})
    await writeFile(join(data, 'controllers.yaml'), "controllers:\n  prod:\n    api-endpoints: ['10.0.0.5:99999']\ncurrent-controller: prod\n")
    await writeFile(join(data, 'accounts.yaml'), `controllers:\n  prod: {user: admin, password: ${PASSWORD}}\n`)
    const result = await runCli(['audit', '--no-kubernetes'], {env: jujuEnvironment({HARDENCTL_JUJU_ENDPOINTS: '', JUJU_DATA: data})})
    expectOneLine(result, 2, /controllers\.yaml:3:\d+ at controllers\.prod\.api-endpoints\[0\]: expected host:port with a port from 1 to 65535/)
  })
})
