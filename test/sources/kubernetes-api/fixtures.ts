/**
 * Objects and answers shaped like the real Kubernetes API's (field names from the API reference:
 * core/v1 Pod, Namespace; meta/v1 ListMeta, Status), and helpers to serve them with nock.
 */
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {KubeConfig} from '@kubernetes/client-node'
import nock from 'nock'
import {afterAll, afterEach, beforeAll} from 'vitest'

import {KUBERNETES_LISTS, type KubernetesList} from '../../../src/sources/kubernetes-api/list.js'
import {writeKubeconfig} from '../../fake-kubernetes/server.js'

export type Json = Record<string, unknown>

/** Small delays so retry tests run in milliseconds. */
export const FAST_RETRY = {attempts: 3, baseDelayMs: 1, maxDelayMs: 5}

export function spec(plural: string): KubernetesList {
  const found = KUBERNETES_LISTS.find((s) => s.plural === plural)
  if (!found) throw new Error(`no list for ${plural}`)
  return found
}

/** A Pod as an item of a PodList: no kind or apiVersion, managedFields included. */
export function pod(namespace: string, name: string, index = 0): Json {
  return {
    metadata: {
      name,
      namespace,
      uid: `6f0c2a4e-0000-4000-8000-${String(index).padStart(12, '0')}`,
      resourceVersion: String(100_000 + index),
      creationTimestamp: '2025-03-01T10:00:00Z',
      labels: {'app.kubernetes.io/name': name.replace(/-\d+$/, '')},
      managedFields: [
        {
          manager: 'kubelet',
          operation: 'Update',
          apiVersion: 'v1',
          time: '2025-03-01T10:00:05Z',
          fieldsType: 'FieldsV1',
          fieldsV1: {'f:status': {'f:phase': {}}},
          subresource: 'status',
        },
      ],
    },
    spec: {
      containers: [
        {
          name: 'app',
          image: 'registry.example.com/app:1.4.2',
          ports: [{containerPort: 8080, protocol: 'TCP'}],
          resources: {},
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          imagePullPolicy: 'IfNotPresent',
        },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      serviceAccount: 'default',
      nodeName: 'node-1',
      securityContext: {},
      schedulerName: 'default-scheduler',
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    },
    status: {
      phase: 'Running',
      hostIP: '10.0.0.11',
      podIP: `10.1.${Math.floor(index / 250) % 250}.${(index % 250) + 1}`,
      podIPs: [{ip: `10.1.${Math.floor(index / 250) % 250}.${(index % 250) + 1}`}],
      startTime: '2025-03-01T10:00:01Z',
      qosClass: 'BestEffort',
      containerStatuses: [
        {
          name: 'app',
          state: {running: {startedAt: '2025-03-01T10:00:04Z'}},
          lastState: {},
          ready: true,
          restartCount: 0,
          image: 'registry.example.com/app:1.4.2',
          imageID: 'registry.example.com/app@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0',
          containerID: `containerd://${String(index).padStart(64, '0')}`,
          started: true,
        },
      ],
    },
  }
}

export function namespace(name: string): Json {
  return {
    metadata: {
      name,
      uid: `ns-${name}`,
      resourceVersion: '17',
      creationTimestamp: '2025-01-01T00:00:00Z',
      labels: {'kubernetes.io/metadata.name': name},
    },
    spec: {finalizers: ['kubernetes']},
    status: {phase: 'Active'},
  }
}

export function serviceAccount(namespace: string, name: string): Json {
  return {metadata: {name, namespace, uid: `sa-${namespace}-${name}`, resourceVersion: '21', creationTimestamp: '2025-01-01T00:00:00Z'}}
}

export function clusterRole(name: string): Json {
  return {
    metadata: {name, uid: `cr-${name}`, resourceVersion: '33', creationTimestamp: '2025-01-01T00:00:00Z'},
    rules: [{apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch']}],
  }
}

/** A typed list (`PodList`) as the API returns it. */
export function listBody(plural: string, items: Json[], continueToken?: string, remaining?: number): Json {
  const {kind, apiVersion} = spec(plural)
  const metadata: Json = {resourceVersion: '918273'}
  if (continueToken !== undefined) {
    metadata.continue = continueToken
    if (remaining !== undefined) metadata.remainingItemCount = remaining
  }
  return {kind: `${kind}List`, apiVersion, metadata, items}
}

export function status(code: number, reason: string, message: string, details?: Json, metadata: Json = {}): Json {
  const body: Json = {kind: 'Status', apiVersion: 'v1', metadata, status: 'Failure', message, reason}
  if (details) body.details = details
  body.code = code
  return body
}

export function forbidden(plural: string): Json {
  const {apiVersion} = spec(plural)
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] ?? '' : ''
  const resource = group ? `${plural}.${group}` : plural
  return status(
    403,
    'Forbidden',
    `${resource} is forbidden: User "system:serviceaccount:audit:hardenctl" cannot list resource "${plural}" ` +
      `in API group "${group}" at the cluster scope`,
    group ? {group, kind: plural} : {kind: plural},
  )
}

/** Every listed kind answers an empty list (one page) unless named in `except`. */
export function replyEmpty(scope: nock.Scope, except: string[] = [], pageSize = 500): nock.Scope {
  for (const s of KUBERNETES_LISTS) {
    if (except.includes(s.plural)) continue
    scope.get(s.path).query({limit: String(pageSize)}).reply(200, listBody(s.plural, []))
  }
  return scope
}

export async function tempDir(): Promise<{dir: string; remove: () => Promise<void>}> {
  const dir = await mkdtemp(join(tmpdir(), 'hardenctl-k8s-'))
  return {dir, remove: () => rm(dir, {recursive: true, force: true})}
}

/**
 * The lifecycle of a test file that talks to a nock-intercepted cluster: no real network while it
 * runs, interceptors cleared after each test, and a temporary directory for kubeconfig files.
 * Call at the top level of the file; `dir()` is valid inside tests.
 */
export function useNockedCluster(): {dir: () => string} {
  let temp: {dir: string; remove: () => Promise<void>} | undefined
  beforeAll(async () => {
    nock.disableNetConnect()
    temp = await tempDir()
  })
  afterEach(() => {
    nock.cleanAll()
  })
  afterAll(async () => {
    nock.enableNetConnect()
    await temp?.remove()
  })
  return {
    dir: () => {
      if (!temp) throw new Error('useNockedCluster: dir() used outside a test')
      return temp.dir
    },
  }
}

/** A real client-node config for `server`, loaded from a kubeconfig file as a user's would be. */
export function configFor(dir: string, server: string, token = 'test-token-not-secret'): KubeConfig {
  const config = new KubeConfig()
  config.loadFromFile(writeKubeconfig(dir, [{context: 'test', url: server, token}]))
  config.setCurrentContext('test')
  return config
}

export function items(document: {data: unknown} | undefined): Json[] {
  return ((document?.data as Json | undefined)?.items ?? []) as Json[]
}
