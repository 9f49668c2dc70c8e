import {mkdir, rename, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import nock from 'nock'
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {IncompleteError, InputError} from '../../../src/errors.js'
import {discoverKubernetes, type KubernetesDiscovery} from '../../../src/sources/kubernetes-api/discover.js'
import {collectKubernetes} from '../../../src/sources/kubernetes-api/list.js'
import {writeKubeconfig} from '../../fake-kubernetes/server.js'
import {FAST_RETRY, forbidden, listBody, namespace, replyEmpty, spec, status, tempDir} from './fixtures.js'

let dir: string
let removeDir: () => Promise<void>

beforeAll(() => {
  nock.disableNetConnect()
})

beforeEach(async () => {
  const temp = await tempDir()
  dir = temp.dir
  removeDir = temp.remove
})

afterEach(async () => {
  nock.cleanAll()
  await removeDir()
})

afterAll(() => {
  nock.enableNetConnect()
})

function found(discovery: KubernetesDiscovery): Extract<KubernetesDiscovery, {found: true}> {
  if (!discovery.found) throw new Error(`expected a cluster, got: ${discovery.reason}`)
  return discovery
}

async function inputError(fn: () => Promise<unknown>): Promise<InputError> {
  try {
    await fn()
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    const inputError = error as InputError
    expect(inputError.exitCode).toBe(2)
    expect(inputError.message).not.toContain('\n')
    return inputError
  }
  throw new Error('expected an InputError')
}

/** An empty home, so a developer's own ~/.kube/config never leaks into a test. */
async function emptyHome(): Promise<string> {
  const home = join(dir, 'home')
  await mkdir(home, {recursive: true})
  return home
}

describe('discoverKubernetes: kubeconfig', () => {
  it('reads --kubeconfig and uses its current-context', async () => {
    const file = writeKubeconfig(dir, [
      {context: 'prod-admin', url: 'https://prod.k8s.test:6443', token: 'prod-token'},
      {context: 'staging', url: 'https://staging.k8s.test:6443', token: 'staging-token'},
    ])

    const discovery = found(await discoverKubernetes({kubeconfig: file, env: {}, home: await emptyHome()}))

    expect(discovery.description).toBe(`context prod-admin in ${file}`)
    expect(discovery.config.getCurrentCluster()?.server).toBe('https://prod.k8s.test:6443')
    expect(discovery.description).not.toContain('prod-token')
  })

  it('--context selects which cluster gets the requests, with that context’s credentials', async () => {
    const file = writeKubeconfig(
      dir,
      [
        {context: 'prod-admin', url: 'https://prod.k8s.test:6443', token: 'prod-token'},
        {context: 'staging', url: 'https://staging.k8s.test:6443', token: 'staging-token'},
      ],
      'prod-admin',
    )
    const prod = nock('https://prod.k8s.test:6443').get(/.*/).reply(500, 'wrong cluster')
    const staging = replyEmpty(nock('https://staging.k8s.test:6443').matchHeader('authorization', 'Bearer staging-token'))

    const discovery = found(await discoverKubernetes({kubeconfig: file, context: 'staging', env: {}}))
    const collection = await collectKubernetes(discovery.config, {retry: FAST_RETRY, description: discovery.description})

    expect(discovery.description).toBe(`context staging in ${file}`)
    expect(staging.isDone()).toBe(true)
    expect(prod.isDone()).toBe(false)
    expect(collection.requests.pods).toBe(1)
  })

  it('rejects an unknown --context naming the file and up to 5 contexts', async () => {
    const contexts = ['a', 'b', 'c', 'd', 'e', 'f'].map((context) => ({context, url: `https://${context}.k8s.test`}))
    const file = writeKubeconfig(dir, contexts)

    const error = (await inputError(() => discoverKubernetes({kubeconfig: file, context: 'prod', env: {}})))

    expect(error.message).toBe(`${file}: context "prod" is not defined (available: a, b, c, d, e, ...)`)
  })

  it('rejects a current-context that names no context', async () => {
    const file = writeKubeconfig(dir, [{context: 'a', url: 'https://a.k8s.test'}], 'gone')

    expect((await inputError(() => discoverKubernetes({kubeconfig: file, env: {}}))).message).toBe(
      `${file}: current-context "gone" is not defined (available: a)`,
    )
  })

  it('rejects a kubeconfig with no current-context when no --context is given', async () => {
    const file = join(dir, 'config')
    await writeFile(
      file,
      'apiVersion: v1\nkind: Config\nclusters:\n- name: a\n  cluster: {server: "https://a.k8s.test"}\n' +
        'contexts:\n- name: a\n  context: {cluster: a, user: a}\nusers:\n- name: a\n  user: {token: secret-token}\n',
    )

    expect((await inputError(() => discoverKubernetes({kubeconfig: file, env: {}}))).message).toBe(
      `${file}: no current-context set; choose one with --context`,
    )
    expect(found(await discoverKubernetes({kubeconfig: file, context: 'a', env: {}})).description).toBe(`context a in ${file}`)
  })

  it('rejects a missing --kubeconfig naming it', async () => {
    const file = join(dir, 'nope', 'config')

    expect((await inputError(() => discoverKubernetes({kubeconfig: file, env: {}}))).message).toBe(`${file}: cannot read kubeconfig (ENOENT)`)
  })

  it('rejects a kubeconfig that is not YAML, on one line with its position and without quoting it', async () => {
    const file = join(dir, 'config')
    await writeFile(file, 'users:\n- name: a\n  user:\n    token: "s3cret-token\n  client-key-data: [\n')

    const error = (await inputError(() => discoverKubernetes({kubeconfig: file, env: {}})))

    expect(error.message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: not valid YAML: `))
    expect(error.message).not.toContain('s3cret')
  })

  it('rejects YAML that is not a kubeconfig', async () => {
    const file = join(dir, 'config')
    await writeFile(file, '- just\n- a list\n')
    expect((await inputError(() => discoverKubernetes({kubeconfig: file, env: {}}))).message).toBe(
      `${file}: not a kubeconfig: expected a mapping with clusters, contexts and users`,
    )

    await writeFile(file, 'clusters:\n- name: a\n  cluster: {certificate-authority-data: AAAA}\n')
    expect((await inputError(() => discoverKubernetes({kubeconfig: file, env: {}}))).message).toBe(
      `${file}: not a valid kubeconfig: clusters[0].cluster.server is missing`,
    )
  })

  it('reads an empty kubeconfig as one with no contexts, like kubectl', async () => {
    const file = join(dir, 'config')
    await writeFile(file, '')

    expect((await inputError(() => discoverKubernetes({kubeconfig: file, env: {}}))).message).toBe(
      `${file}: no current-context set; choose one with --context`,
    )
    expect((await inputError(() => discoverKubernetes({kubeconfig: file, context: 'a', env: {}}))).message).toBe(
      `${file}: context "a" is not defined (it defines no contexts)`,
    )
  })

  it('rejects YAML that only fails when resolved (an unknown alias) as an InputError', async () => {
    const file = join(dir, 'config')
    await writeFile(file, 'current-context: *missing\n')

    expect((await inputError(() => discoverKubernetes({kubeconfig: file, env: {}}))).message).toMatch(/: not valid YAML: /)
  })

  it('rejects a context naming a cluster that is not defined', async () => {
    const file = join(dir, 'config')
    await writeFile(file, 'current-context: a\ncontexts:\n- name: a\n  context: {cluster: missing, user: a}\n')

    expect((await inputError(() => discoverKubernetes({kubeconfig: file, env: {}}))).message).toBe(
      `${file}: context "a" names cluster "missing", which is not defined`,
    )
  })

  it('merges the files in KUBECONFIG like kubectl: the first to set a name or current-context wins, missing files are skipped', async () => {
    await mkdir(join(dir, 'one'))
    await mkdir(join(dir, 'two'))
    const first = writeKubeconfig(join(dir, 'one'), [{context: 'prod', url: 'https://prod.k8s.test'}])
    const second = writeKubeconfig(join(dir, 'two'), [
      {context: 'prod', url: 'https://other-prod.k8s.test'},
      {context: 'lab', url: 'https://lab.k8s.test'},
    ])
    const env = {KUBECONFIG: [join(dir, 'missing'), first, second].join(':')}

    const current = found(await discoverKubernetes({env, home: await emptyHome()}))
    expect(current.description).toBe(`context prod in ${first}`)
    expect(current.config.getCurrentCluster()?.server).toBe('https://prod.k8s.test')

    const lab = found(await discoverKubernetes({env, context: 'lab'}))
    expect(lab.description).toBe(`context lab in ${second}`)
    expect(lab.config.getCurrentCluster()?.server).toBe('https://lab.k8s.test')
  })

  it('falls back to ~/.kube/config', async () => {
    const home = await emptyHome()
    await mkdir(join(home, '.kube'))
    await rename(writeKubeconfig(join(home, '.kube'), [{context: 'home', url: 'https://home.k8s.test'}]), join(home, '.kube', 'config'))

    const discovery = found(await discoverKubernetes({env: {}, home}))

    expect(discovery.description).toBe(`context home in ${join(home, '.kube', 'config')}`)
  })

  it('--kubeconfig wins over KUBECONFIG', async () => {
    const flag = writeKubeconfig(dir, [{context: 'flag', url: 'https://flag.k8s.test'}])
    const discovery = found(await discoverKubernetes({kubeconfig: flag, env: {KUBECONFIG: join(dir, 'other')}}))
    expect(discovery.description).toBe(`context flag in ${flag}`)
  })
})

describe('discoverKubernetes: nothing found', () => {
  it('says so instead of falling back to localhost:8080', async () => {
    const discovery = await discoverKubernetes({env: {}, home: await emptyHome()})

    expect(discovery).toEqual({
      found: false,
      reason: 'no kubeconfig (--kubeconfig, KUBECONFIG, ~/.kube/config) and not running in a cluster',
    })
  })

  it('names KUBECONFIG when none of its files exist', async () => {
    const discovery = await discoverKubernetes({env: {KUBECONFIG: '/nonexistent/a:/nonexistent/b'}, home: await emptyHome()})

    expect(discovery).toEqual({
      found: false,
      reason: 'KUBECONFIG (/nonexistent/a:/nonexistent/b) names no existing file and not running in a cluster',
    })
  })

  it('is an error when --context names a context but there is no kubeconfig', async () => {
    expect((await inputError(() => discoverKubernetes({context: 'prod', env: {}, home: dir}))).message).toBe(
      '--context prod: no kubeconfig (--kubeconfig, KUBECONFIG, ~/.kube/config) to find it in',
    )
  })

  it('needs the service-account token file as well as the service env to count as in-cluster', async () => {
    const env = {KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443', HARDENCTL_SERVICE_ACCOUNT_ROOT: dir}
    expect((await discoverKubernetes({env, home: await emptyHome()})).found).toBe(false)
  })
})

describe('discoverKubernetes: in cluster', () => {
  const TOKEN = 'eyJhbGciOiJSUzI1NiIsImtpZCI6ImluLWNsdXN0ZXIifQ.service-account-token.sig'

  async function serviceAccountRoot(): Promise<string> {
    const accountDir = join(dir, 'var/run/secrets/kubernetes.io/serviceaccount')
    await mkdir(accountDir, {recursive: true})
    await writeFile(join(accountDir, 'token'), TOKEN)
    await writeFile(join(accountDir, 'namespace'), 'audit')
    // Never used: nock answers before any TLS handshake.
    await writeFile(join(accountDir, 'ca.crt'), '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n')
    return dir
  }

  function inClusterEnv(root: string): NodeJS.ProcessEnv {
    return {KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443', HARDENCTL_SERVICE_ACCOUNT_ROOT: root}
  }

  it('uses the service account: its token reaches the server, and never an error or warning', async () => {
    const env = inClusterEnv(await serviceAccountRoot())
    const authorizations: string[] = []
    const scope = nock('https://10.96.0.1:443')
      .get('/api/v1/namespaces')
      .query({limit: '500'})
      .reply(200, function () {
        authorizations.push(String(this.req.headers.authorization))
        return listBody('namespaces', [namespace('audit')])
      })
      .get(spec('clusterroles').path)
      .query({limit: '500'})
      .reply(403, forbidden('clusterroles'))
    replyEmpty(scope, ['namespaces', 'clusterroles'])

    const discovery = found(await discoverKubernetes({env, home: await emptyHome()}))
    const collection = await collectKubernetes(discovery.config, {retry: FAST_RETRY, description: discovery.description})

    expect(discovery.description).toBe('in-cluster service account')
    expect(discovery.config.getCurrentCluster()?.server).toBe('https://10.96.0.1:443')
    expect(authorizations).toEqual([`Bearer ${TOKEN}`])
    expect(scope.isDone()).toBe(true)
    expect(collection.warnings).toEqual(['could not inspect clusterroles: forbidden'])
    expect(JSON.stringify(collection.documents)).not.toContain(TOKEN)
    expect(collection.warnings.join('\n')).not.toContain(TOKEN)
  })

  it('names the service account, not its token, when the server rejects it', async () => {
    const env = inClusterEnv(await serviceAccountRoot())
    nock('https://10.96.0.1:443').get('/api/v1/namespaces').query({limit: '500'}).reply(401, status(401, 'Unauthorized', 'Unauthorized'))

    const discovery = found(await discoverKubernetes({env, home: await emptyHome()}))
    const error = await collectKubernetes(discovery.config, {retry: FAST_RETRY}).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(IncompleteError)
    expect((error as Error).message).toBe(
      'Kubernetes API https://10.96.0.1:443: unauthorized: the credentials of in-cluster service account were rejected',
    )
    expect((error as Error).message).not.toContain(TOKEN)
  })

  it('prefers a kubeconfig to the service account', async () => {
    const env = {
      ...inClusterEnv(await serviceAccountRoot()),
      KUBECONFIG: writeKubeconfig(dir, [{context: 'admin', url: 'https://admin.k8s.test'}]),
    }
    expect(found(await discoverKubernetes({env})).description).toMatch(/^context admin in /)
  })
})
