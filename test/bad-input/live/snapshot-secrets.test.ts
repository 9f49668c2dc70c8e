/**
 * `hardenctl snapshot` says "secrets removed": credentials inside values (issue 14) must not reach
 * the files either, whatever key they sit under, while the rest of each value stays readable.
 * The cluster is the loopback fake Kubernetes API; the CLI runs as a user runs it.
 */
import {mkdtemp, readdir, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type FakeKubernetesApi, startFakeKubernetesApi, writeKubeconfig} from '../../fake-kubernetes/server.js'
import {runCli} from '../../helpers/cli.js'

const SECRETS = ['UrlPassw0rd', 'FlagSecret9', 'SplitToken7', 'ShellPw3', 'AppliedPw5']

const namespace = {apiVersion: 'v1', kind: 'Namespace', metadata: {name: 'shop', labels: {'kubernetes.io/metadata.name': 'shop'}}}
const container = {
  name: 'api',
  image: 'registry.example.com/shop/api:2.1',
  env: [
    {name: 'DATABASE_URL', value: 'postgres://shop:UrlPassw0rd@db.shop.svc:5432/shop'},
    {name: 'LOG_LEVEL', value: 'info'},
  ],
  args: ['--listen=:8080', '--password=FlagSecret9', '--token', 'SplitToken7'],
  command: ['/bin/sh', '-c', 'PGPASSWORD=ShellPw3 exec /app/api'],
}
const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'api',
    namespace: 'shop',
    annotations: {
      'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({kind: 'Deployment', spec: {template: {spec: {containers: [{name: 'api', env: [{name: 'DATABASE_URL', value: 'postgres://shop:AppliedPw5@db/shop'}]}]}}}}),
    },
  },
  spec: {selector: {matchLabels: {app: 'api'}}, template: {metadata: {labels: {app: 'api'}}, spec: {containers: [container]}}},
}
const pod = {apiVersion: 'v1', kind: 'Pod', metadata: {name: 'api-0', namespace: 'shop', labels: {app: 'api'}}, spec: {containers: [container]}}

describe('snapshot: credentials inside values', () => {
  let api: FakeKubernetesApi
  let home: string
  beforeAll(async () => {
    api = await startFakeKubernetesApi([namespace, deployment, pod])
    home = await mkdtemp(join(tmpdir(), 'hardenctl-snapshot-secrets-'))
  })
  afterAll(async () => {
    await api.close()
    await rm(home, {recursive: true, force: true})
  })

  it('writes none of them, and keeps the URL, the flags and the command around them', async () => {
    const kubeconfig = writeKubeconfig(home, [{context: 'shop', url: api.url}])
    const out = join(home, 'snapshot')
    const result = await runCli(['snapshot', '--out', out, '--no-juju'], {env: {HOME: home, KUBECONFIG: kubeconfig, JUJU_DATA: join(home, 'no-juju'), HARDENCTL_JUJU_ENDPOINTS: ''}})
    expect(result.code, result.stderr).toBe(0)

    const files = (await readdir(out, {recursive: true})).map(String).filter((name) => name.endsWith('.json'))
    const written = (await Promise.all(files.map((file) => readFile(join(out, file), 'utf8')))).join('\n')
    for (const secret of SECRETS) expect(written).not.toContain(secret)
    expect(result.stdout + result.stderr).not.toMatch(new RegExp(SECRETS.join('|')))

    const pods = JSON.parse(await readFile(join(out, 'kubernetes', 'pods.json'), 'utf8')) as {items: {spec: {containers: typeof container[]}}[]}
    const [written0] = pods.items[0]!.spec.containers
    expect(written0!.env).toEqual([
      {name: 'DATABASE_URL', value: 'postgres://shop:<redacted>@db.shop.svc:5432/shop'},
      {name: 'LOG_LEVEL', value: 'info'},
    ])
    expect(written0!.args).toEqual(['--listen=:8080', '--password=<redacted>', '--token', '<redacted>'])
    expect(written0!.command).toEqual(['/bin/sh', '-c', 'PGPASSWORD=<redacted> exec /app/api'])
    expect(written).toContain('postgres://shop:<redacted>@db/shop')
  })
})
