/**
 * The Livepatch example (examples/livepatch-k8s) as live fakes serve it: its Kubernetes objects
 * for the loopback API, and its Juju model for the fake controller. Shared by the CLI tests
 * that run audit, reconcile and netpol against a live estate.
 */
import {mkdir, mkdtemp, readdir, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, afterEach, beforeAll} from 'vitest'

import type {FakeEstate} from '../fake-juju/estate.js'
import {type FakeController, startFakeController, writeJujuData} from '../fake-juju/server.js'
import {type FakeKubernetesApi, type FakeKubernetesOptions, startFakeKubernetesApi, writeKubeconfig} from '../fake-kubernetes/server.js'
import {REPO_ROOT} from './cli.js'

export const LIVEPATCH_EXAMPLE = join(REPO_ROOT, 'examples/livepatch-k8s')

/** Every object of the example's `kubernetes/*.json` lists, in file order. */
export async function livepatchKubernetesObjects(): Promise<object[]> {
  const dir = join(LIVEPATCH_EXAMPLE, 'kubernetes')
  const objects: object[] = []
  for (const file of (await readdir(dir)).sort()) {
    objects.push(...(JSON.parse(await readFile(join(dir, file), 'utf8')) as {items: object[]}).items)
  }
  return objects
}

/**
 * A unit pod of application `app` in the example's model, shaped as Juju makes it: the example's
 * postgresql-0 (a Juju sidecar pod) renamed, with its own uid.
 */
export async function exampleUnitPod(app: string, uid: string): Promise<Record<string, unknown>> {
  const pods = JSON.parse(await readFile(join(LIVEPATCH_EXAMPLE, 'kubernetes/pods.json'), 'utf8')) as {items: Record<string, unknown>[]}
  const postgresql = pods.items.find((pod) => (pod.metadata as {name: string}).name === 'postgresql-0')
  const pod = JSON.parse(JSON.stringify(postgresql).replaceAll('postgresql', app)) as {metadata: {uid: string}}
  pod.metadata.uid = uid
  return pod as unknown as Record<string, unknown>
}

/**
 * Controller microk8s-prod with the example's livepatch model; `admin` logs in with `password`.
 * `changeStatus` changes the model's `juju status` first (an application added).
 */
export async function livepatchJujuEstate(password: string, changeStatus: (status: Record<string, unknown>) => Record<string, unknown> = (status) => status): Promise<FakeEstate> {
  const status = changeStatus(JSON.parse(await readFile(join(LIVEPATCH_EXAMPLE, 'juju/microk8s-prod/models/livepatch/status.json'), 'utf8')) as Record<string, unknown>)
  return {
    controllerName: 'microk8s-prod',
    controllerUuid: '7d0f8a3c-51e4-4c2b-9a6e-2f1b3c4d5e6f',
    jujuVersion: '3.6',
    users: [{name: 'admin', password, access: 'superuser'}],
    models: [
      {
        name: 'livepatch',
        uuid: 'a9c4e2b1-6d3f-4e8a-b7c5-1f2e3d4c5b6a',
        owner: 'admin',
        type: 'caas',
        cloud: 'microk8s',
        region: 'localhost',
        agentVersion: '3.6.4',
        status,
        users: [{user: 'admin', access: 'admin'}],
        trust: ['postgresql', 'ingress'],
      },
    ],
    controllerConfig: {'controller-uuid': '7d0f8a3c-51e4-4c2b-9a6e-2f1b3c4d5e6f', 'api-port': 17070},
  }
}

/**
 * The Livepatch example live: a fake controller (logged in through a JUJU_DATA under `home`)
 * and, per test, fresh loopback clusters serving the example's objects. Call `closeClusters`
 * after each test and `close` at the end.
 */
export class LiveLivepatch {
  private readonly clusters: FakeKubernetesApi[] = []
  private counter = 0

  private constructor(
    readonly home: string,
    readonly controller: FakeController,
  ) {}

  static async start(prefix: string, password: string, changeStatus?: (status: Record<string, unknown>) => Record<string, unknown>): Promise<LiveLivepatch> {
    const home = await mkdtemp(join(tmpdir(), prefix))
    const controller = await startFakeController(await livepatchJujuEstate(password, changeStatus))
    writeJujuData(join(home, 'juju'), [{name: 'microk8s-prod', controller, user: 'admin', password}], 'microk8s-prod')
    return new LiveLivepatch(home, controller)
  }

  /** A new cluster (optionally with more objects) and the environment a CLI run needs to reach both sides. */
  async cluster(options: FakeKubernetesOptions = {}, extraObjects: object[] = []): Promise<{api: FakeKubernetesApi; env: Record<string, string>}> {
    const api = await startFakeKubernetesApi([...(await livepatchKubernetesObjects()), ...extraObjects], options)
    this.clusters.push(api)
    const dir = join(this.home, `kube-${this.counter++}`)
    await mkdir(dir)
    return {api, env: {HOME: this.home, JUJU_DATA: join(this.home, 'juju'), KUBECONFIG: writeKubeconfig(dir, [{context: 'prod', url: api.url}])}}
  }

  async closeClusters(): Promise<void> {
    await Promise.all(this.clusters.splice(0).map((cluster) => cluster.close()))
  }

  async close(): Promise<void> {
    await this.closeClusters()
    await this.controller.close()
    await rm(this.home, {recursive: true, force: true})
  }
}

/**
 * A describe block's live Livepatch estate: started before its tests, its clusters closed after
 * each test and everything after the block. Returns the estate, valid inside tests.
 */
export function useLiveLivepatch(prefix: string, password: string, changeStatus?: (status: Record<string, unknown>) => Record<string, unknown>): () => LiveLivepatch {
  let live: LiveLivepatch | undefined
  beforeAll(async () => {
    live = await LiveLivepatch.start(prefix, password, changeStatus)
  })
  afterEach(async () => {
    await live?.closeClusters()
  })
  afterAll(async () => {
    await live?.close()
  })
  return () => live!
}
