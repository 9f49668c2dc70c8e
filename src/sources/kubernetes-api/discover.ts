/**
 * Finds the cluster a live audit reads, the way kubectl does: `--kubeconfig`, else the files in
 * `KUBECONFIG` (merged, the first file to set a name wins), else `~/.kube/config`, else the pod's
 * service account when running in a cluster. Nothing found is an answer (`found: false`), never
 * client-node's `http://localhost:8080` fallback, which is why `loadFromDefault` is not used.
 */
import {accessSync, readFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {delimiter, join} from 'node:path'

import type {KubeConfig} from '@kubernetes/client-node'
import {parseDocument} from 'yaml'

import {InputError} from '../../errors.js'
import {absolutePathSchema, readVariable} from '../environment.js'

export type KubernetesDiscovery =
  | {found: true; config: KubeConfig; description: string}
  | {found: false; reason: string}

export interface DiscoveryOptions {
  /** `--kubeconfig FILE` */
  kubeconfig?: string
  /** `--context NAME` */
  context?: string
  env?: NodeJS.ProcessEnv
  home?: string
}

const NOTHING_FOUND = 'no kubeconfig (--kubeconfig, KUBECONFIG, ~/.kube/config) and not running in a cluster'
const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount'
/** Contexts an unknown `--context` error lists. */
const LISTED_CONTEXTS = 5

/**
 * client-node's import alone costs about a second (every generated API class), so only a run
 * that looks for a cluster loads it, here.
 */
async function kubeConfigClass(): Promise<typeof KubeConfig> {
  return (await import('@kubernetes/client-node')).KubeConfig
}

export async function discoverKubernetes(options: DiscoveryOptions): Promise<KubernetesDiscovery> {
  const env = options.env ?? process.env
  const files = kubeconfigFiles(options, env)
  const KubeConfigClass = await kubeConfigClass()
  if (files.length > 0) return fromKubeconfig(KubeConfigClass, files, options.context)

  const explicit = env.KUBECONFIG ? `KUBECONFIG (${env.KUBECONFIG}) names no existing file` : undefined
  // Test seam: a prefix put in front of /var/run/secrets/kubernetes.io/serviceaccount, so tests
  // can stand in a temporary directory for the pod's mounted service-account files.
  const prefix = env.HARDENCTL_SERVICE_ACCOUNT_ROOT ? readVariable(absolutePathSchema, 'HARDENCTL_SERVICE_ACCOUNT_ROOT', env.HARDENCTL_SERVICE_ACCOUNT_ROOT) : ''
  const inCluster = env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT && exists(`${prefix}${SERVICE_ACCOUNT}/token`)
  if (!inCluster) {
    if (options.context !== undefined) {
      const missing = explicit ?? 'no kubeconfig (--kubeconfig, KUBECONFIG, ~/.kube/config)'
      throw new InputError(undefined, `--context ${options.context}: ${missing} to find it in`)
    }
    return {found: false, reason: explicit ? `${explicit} and not running in a cluster` : NOTHING_FOUND}
  }
  if (options.context !== undefined) {
    throw new InputError(undefined, `--context ${options.context}: running in a cluster with no kubeconfig to find it in`)
  }
  return {found: true, config: inClusterConfig(KubeConfigClass, prefix, env), description: 'in-cluster service account'}
}

/**
 * kubectl ignores files in KUBECONFIG that do not exist; `--kubeconfig` must exist. An empty
 * list means "look further" (in-cluster).
 */
function kubeconfigFiles(options: DiscoveryOptions, env: NodeJS.ProcessEnv): string[] {
  if (options.kubeconfig !== undefined) return [options.kubeconfig]
  if (env.KUBECONFIG) return env.KUBECONFIG.split(delimiter).filter((file) => file !== '' && exists(file))
  const home = options.home ?? homedir()
  const file = join(home, '.kube', 'config')
  return exists(file) ? [file] : []
}

function fromKubeconfig(KubeConfigClass: typeof KubeConfig, files: string[], context: string | undefined): KubernetesDiscovery {
  const config = new KubeConfigClass()
  // Which file each context came from, for the description and error messages.
  const contextFiles = new Map<string, string>()
  let currentContext: string | undefined
  for (const file of files) {
    const one = loadFile(KubeConfigClass, file)
    for (const cluster of one.getClusters()) if (!config.getCluster(cluster.name)) config.addCluster(cluster)
    for (const user of one.getUsers()) if (!config.getUser(user.name)) config.addUser(user)
    for (const ctx of one.getContexts()) {
      if (contextFiles.has(ctx.name)) continue
      config.addContext(ctx)
      contextFiles.set(ctx.name, file)
    }
    currentContext ||= one.getCurrentContext()
  }
  const where = files.join(delimiter)
  const name = context ?? currentContext
  if (!name) {
    throw new InputError(where, 'no current-context set; choose one with --context')
  }
  const chosen = config.getContextObject(name)
  if (!chosen) {
    const known = config.getContexts().map((ctx) => ctx.name)
    const more = known.length > LISTED_CONTEXTS ? ', ...' : ''
    const listed = known.length === 0 ? 'it defines no contexts' : `available: ${known.slice(0, LISTED_CONTEXTS).join(', ')}${more}`
    const what = context === undefined ? `current-context "${name}"` : `context "${name}"`
    throw new InputError(where, `${what} is not defined (${listed})`)
  }
  config.setCurrentContext(name)
  const file = contextFiles.get(name) ?? where
  if (!config.getCluster(chosen.cluster)) {
    throw new InputError(file, `context "${name}" names cluster "${chosen.cluster}", which is not defined`)
  }
  if (chosen.user && !config.getUser(chosen.user)) {
    throw new InputError(file, `context "${name}" names user "${chosen.user}", which is not defined`)
  }
  return {found: true, config, description: `context ${name} in ${file}`}
}

/**
 * Checked with the `yaml` package first for an error with a line number; client-node's own
 * messages ("clusters[0].cluster.server is missing") then cover what is not a kubeconfig. Only the
 * first line of any message is kept: parsers quote the offending text, which may be a token.
 */
function loadFile(KubeConfigClass: typeof KubeConfig, file: string): KubeConfig {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new InputError(file, `cannot read kubeconfig (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`)
  }
  const document = parseDocument(text, {uniqueKeys: false})
  const syntax = document.errors[0]
  if (syntax) {
    const problem = firstLine(syntax.message).replace(/ at line \d+, column \d+:?$/, '')
    const position = syntax.linePos?.[0]
    throw new InputError(file, `not valid YAML: ${problem}`, {line: position?.line, column: position?.col})
  }
  let data: unknown
  try {
    data = document.toJS()
  } catch (error) {
    throw new InputError(file, `not valid YAML: ${firstLine(error instanceof Error ? error.message : String(error))}`)
  }
  const config = new KubeConfigClass()
  // kubectl reads an empty file as an empty kubeconfig; client-node cannot.
  if (data === null || data === undefined) return config
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new InputError(file, 'not a kubeconfig: expected a mapping with clusters, contexts and users')
  }
  try {
    config.loadFromFile(file)
  } catch (error) {
    throw new InputError(file, `not a valid kubeconfig: ${firstLine(error instanceof Error ? error.message : String(error))}`)
  }
  return config
}

/**
 * client-node reads the host and port from `process.env`; the server is rebuilt from `env` the
 * same way, so discovery answers from what it was given.
 */
function inClusterConfig(KubeConfigClass: typeof KubeConfig, prefix: string, env: NodeJS.ProcessEnv): KubeConfig {
  const config = new KubeConfigClass()
  config.loadFromCluster(prefix)
  const host = env.KUBERNETES_SERVICE_HOST ?? ''
  const port = env.KUBERNETES_SERVICE_PORT ?? ''
  const scheme = ['80', '8080', '8001'].includes(port) ? 'http' : 'https'
  const server = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`
  config.loadFromOptions({
    clusters: config.getClusters().map((cluster) => ({...cluster, server})),
    users: config.getUsers(),
    contexts: config.getContexts(),
    currentContext: config.getCurrentContext(),
  })
  return config
}

function exists(file: string): boolean {
  try {
    accessSync(file)
    return true
  } catch {
    return false
  }
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? '').trim()
}
