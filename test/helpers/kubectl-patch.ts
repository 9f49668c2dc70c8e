/**
 * A printed `kubectl [-n NS] patch KIND NAME [--type T] -p 'BODY'` applied to an object by the real
 * kubectl (`patch --local -f -`: the same merge the cluster would do, with no cluster), so a test
 * checks what the command does as printed, not what a hand-written merge thinks it does.
 * kubectl is Debian's kubernetes-client (.ci/run installs it) or whatever kubectl is on the PATH.
 */
import {execFileSync} from 'node:child_process'

import {extractCommands} from '../fix-commands/extract.js'

/** Resource words kubectl accepts for the kinds fixes patch. */
const KINDS: Record<string, string> = {
  deployment: 'Deployment',
  deployments: 'Deployment',
  statefulset: 'StatefulSet',
  statefulsets: 'StatefulSet',
  daemonset: 'DaemonSet',
  daemonsets: 'DaemonSet',
  cronjob: 'CronJob',
  cronjobs: 'CronJob',
  service: 'Service',
  services: 'Service',
  svc: 'Service',
  // The Gateway API's kinds, qualified as the fixes print them (a bare `gateways` may be Istio's).
  'gateways.gateway.networking.k8s.io': 'Gateway',
  'httproutes.gateway.networking.k8s.io': 'HTTPRoute',
  'grpcroutes.gateway.networking.k8s.io': 'GRPCRoute',
}

/** What a printed `kubectl patch` changes, as the command names it. */
export interface PrintedPatch {
  kind: string
  namespace: string | undefined
  name: string
  type: string
  body: string
}

/** The remediation's command line when it starts with a `kubectl patch`, else undefined. */
function printedPatch(remediation: string): PrintedPatch | undefined {
  const line = extractCommands(remediation).runs.find((run) => run.origin === 'line')
  return patchOf(line?.segments[0]?.words.map((word) => word.value) ?? [])
}

/** One command's words as a `kubectl [-n NS] patch KIND NAME [--type T] -p 'BODY'`, or undefined when it is none. */
export function patchOf(words: readonly string[]): PrintedPatch | undefined {
  if (words[0] !== 'kubectl') return undefined
  const args = words.slice(1)
  const flag = (names: string[]): string | undefined => {
    for (let i = 0; i < args.length; i++) {
      const [name, inline] = args[i]!.split(/=(.*)/s, 2) as [string, string | undefined]
      if (names.includes(name)) return inline ?? args[i + 1]
    }
    return undefined
  }
  const body = flag(['-p', '--patch'])
  const positionals = args.filter((word, i) => !word.startsWith('-') && !['-n', '--namespace', '-p', '--patch', '--type'].includes(args[i - 1] ?? ''))
  const [verb, resource, name] = positionals
  const kind = KINDS[resource ?? '']
  if (verb !== 'patch' || body === undefined || kind === undefined || name === undefined) return undefined
  return {kind, namespace: flag(['-n', '--namespace']), name, type: flag(['--type']) ?? 'strategic', body}
}

export function applyPrintedPatch<T extends {kind: string; metadata: {name: string; namespace?: string}}>(object: T, remediation: string): T {
  const patch = printedPatch(remediation)
  if (!patch) throw new Error(`not a kubectl patch with -p: ${remediation}`)
  if (patch.kind !== object.kind || patch.name !== object.metadata.name || (patch.namespace ?? object.metadata.namespace) !== object.metadata.namespace) {
    throw new Error(`the command patches ${patch.kind} ${patch.namespace}/${patch.name}, not ${object.kind} ${object.metadata.namespace}/${object.metadata.name}`)
  }
  return kubectlPatchLocal(object, patch.type, patch.body)
}

/** `kubectl patch --local`: the merge the API server would do, applied to `object` with no cluster. */
export function kubectlPatchLocal<T extends object>(object: T, type: string, body: string): T {
  // Fields of the test's own (`ref`: where it was read) are not Kubernetes': kept aside.
  const {ref, ...kubernetesObject} = object as T & {ref?: unknown}
  const output = execFileSync('kubectl', ['patch', '--local', '-f', '-', '--type', type, '-p', body, '-o', 'json'], {
    input: JSON.stringify(kubernetesObject),
    env: {...process.env, KUBECONFIG: '/dev/null'},
    stdio: ['pipe', 'pipe', 'pipe'],
  }).toString()
  return {...(JSON.parse(output) as T), ...(ref === undefined ? {} : {ref})}
}

/** `kubectl label --local`: the labels set on `object` as the API server would, with no cluster. */
export function kubectlLabelLocal<T extends object>(object: T, labels: readonly string[]): T {
  const output = execFileSync('kubectl', ['label', '--local', '-f', '-', ...labels, '--overwrite', '-o', 'json'], {
    input: JSON.stringify(object),
    env: {...process.env, KUBECONFIG: '/dev/null'},
    stdio: ['pipe', 'pipe', 'pipe'],
  }).toString()
  return JSON.parse(output) as T
}
