/**
 * A Kubernetes API server on loopback that answers the cluster-wide LISTs a live audit makes,
 * with real `limit`/`continue` pagination and the Status objects the real server sends. For CLI
 * end-to-end tests (the CLI runs in a child process, out of nock's reach) and the benchmark.
 */
import {writeFileSync} from 'node:fs'
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'

import {stringify} from 'yaml'

import {KUBERNETES_LISTS, type KubernetesList} from '../../src/sources/kubernetes-api/list.js'

export interface FakeRequest {
  method: string
  path: string
  query: Record<string, string>
  authorization?: string
}

export interface FakeKubernetesApi {
  /** `http://127.0.0.1:<port>` */
  url: string
  requests: FakeRequest[]
  requestsByPlural(): Record<string, number>
  close(): Promise<void>
}

export interface FakeKubernetesOptions {
  /** Plurals answering 403 Forbidden. */
  forbidden?: string[]
  /** Require `Authorization: Bearer <token>`; anything else gets 401. */
  token?: string
}

const RESOURCE_VERSION = '4242'
/** Items serialised per write, so a 24k-pod list without `limit` is never one huge string. */
const WRITE_BATCH = 200

type Json = Record<string, unknown>

interface Served {
  spec: KubernetesList
  /** As the API sends them in a list: without kind and apiVersion. */
  items: Json[]
}

export async function startFakeKubernetesApi(objects: object[], options: FakeKubernetesOptions = {}): Promise<FakeKubernetesApi> {
  const byPath = new Map<string, Served>(KUBERNETES_LISTS.map((spec) => [spec.path, {spec, items: []}]))
  for (const object of objects as Json[]) {
    const spec = KUBERNETES_LISTS.find((s) => s.kind === object.kind && s.apiVersion === object.apiVersion)
    if (!spec) throw new Error(`fake Kubernetes API: cannot serve ${String(object.apiVersion)} ${String(object.kind)}`)
    const {apiVersion: _apiVersion, kind: _kind, ...item} = object
    byPath.get(spec.path)?.items.push(item)
  }
  const forbidden = new Set(options.forbidden ?? [])
  const requests: FakeRequest[] = []

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://fake')
    const authorization = request.headers.authorization
    requests.push({
      method: request.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      ...(authorization === undefined ? {} : {authorization}),
    })
    handle(request, response, url).catch((error: unknown) => {
      response.destroy(error instanceof Error ? error : new Error(String(error)))
    })
  })

  async function handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    if (options.token !== undefined && request.headers.authorization !== `Bearer ${options.token}`) {
      return sendStatus(response, 401, 'Unauthorized', 'Unauthorized')
    }
    const served = byPath.get(url.pathname)
    if (!served) return sendStatus(response, 404, 'NotFound', 'the server could not find the requested resource', {})
    if (request.method !== 'GET') {
      return sendStatus(response, 405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`)
    }
    const {spec} = served
    const group = spec.apiVersion.includes('/') ? spec.apiVersion.slice(0, spec.apiVersion.indexOf('/')) : ''
    if (forbidden.has(spec.plural)) {
      const resource = group ? `${spec.plural}.${group}` : spec.plural
      const message =
        `${resource} is forbidden: User "system:serviceaccount:x:y" cannot list resource "${spec.plural}" ` +
        `in API group "${group}" at the cluster scope`
      return sendStatus(response, 403, 'Forbidden', message, group ? {group, kind: spec.plural} : {kind: spec.plural})
    }

    const start = decodeContinue(url.searchParams.get('continue'))
    if (start === undefined) return sendStatus(response, 400, 'BadRequest', 'continue key is not valid: malformed token')
    const limit = Number(url.searchParams.get('limit') ?? '0')
    const end = limit > 0 ? Math.min(start + limit, served.items.length) : served.items.length
    const metadata: Json = {resourceVersion: RESOURCE_VERSION}
    if (end < served.items.length) {
      metadata.continue = encodeContinue(end)
      metadata.remainingItemCount = served.items.length - end
    }
    response.writeHead(200, {'Content-Type': 'application/json'})
    const head = {kind: `${spec.kind}List`, apiVersion: spec.apiVersion, metadata}
    await write(response, `${JSON.stringify(head).slice(0, -1)},"items":[`)
    for (let i = start; i < end; i += WRITE_BATCH) {
      const batch = served.items.slice(i, Math.min(i + WRITE_BATCH, end)).map((item) => JSON.stringify(item))
      await write(response, (i === start ? '' : ',') + batch.join(','))
    }
    response.end(']}')
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const {port} = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    requestsByPlural() {
      const counts: Record<string, number> = {}
      for (const request of requests) {
        const plural = byPath.get(request.path)?.spec.plural ?? request.path
        counts[plural] = (counts[plural] ?? 0) + 1
      }
      return counts
    },
    close() {
      return new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      })
    },
  }
}

/**
 * Writes a kubeconfig with one cluster, user and context per server; returns its path. Every
 * cluster skips TLS verification: client-node refuses an `http://` server otherwise.
 */
export function writeKubeconfig(dir: string, servers: {context: string; url: string; token?: string}[], current?: string): string {
  const config: Json = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: servers.map(({context, url}) => ({name: context, cluster: {server: url, 'insecure-skip-tls-verify': true}})),
    users: servers.map(({context, token}) => ({name: context, user: token === undefined ? {} : {token}})),
    contexts: servers.map(({context}) => ({name: context, context: {cluster: context, user: context}})),
  }
  const currentContext = current ?? servers[0]?.context
  if (currentContext !== undefined) config['current-context'] = currentContext
  const file = join(dir, 'kubeconfig')
  writeFileSync(file, stringify(config))
  return file
}

function sendStatus(response: ServerResponse, code: number, reason: string, message: string, details?: Json): void {
  const status: Json = {kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason}
  if (details) status.details = details
  status.code = code
  response.writeHead(code, {'Content-Type': 'application/json'})
  response.end(JSON.stringify(status))
}

/** Opaque to clients, like the real one (base64 JSON naming where the next page starts). */
function encodeContinue(start: number): string {
  return Buffer.from(JSON.stringify({v: 'meta.k8s.io/v1', rv: Number(RESOURCE_VERSION), start})).toString('base64')
}

function decodeContinue(token: string | null): number | undefined {
  if (token === null || token === '') return 0
  try {
    const start: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8')).start
    return typeof start === 'number' && Number.isInteger(start) && start >= 0 ? start : undefined
  } catch {
    return undefined
  }
}

function write(response: ServerResponse, chunk: string): Promise<void> {
  if (response.write(chunk)) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      response.off('close', onClose)
      resolve()
    }
    const onClose = () => {
      response.off('drain', onDrain)
      reject(new Error('client went away'))
    }
    response.once('drain', onDrain)
    response.once('close', onClose)
  })
}
