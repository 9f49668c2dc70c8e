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
}

export function applyPrintedPatch<T extends {kind: string; metadata: {name: string; namespace?: string}}>(object: T, remediation: string): T {
  const line = extractCommands(remediation).runs.find((run) => run.origin === 'line')
  const words = line?.segments[0]?.words.map((word) => word.value) ?? []
  if (words[0] !== 'kubectl') throw new Error(`not a kubectl command: ${remediation}`)
  const args = words.slice(1)
  const flag = (names: string[]): string | undefined => {
    for (let i = 0; i < args.length; i++) {
      const [name, inline] = args[i]!.split(/=(.*)/s, 2) as [string, string | undefined]
      if (names.includes(name)) return inline ?? args[i + 1]
    }
    return undefined
  }
  const namespace = flag(['-n', '--namespace'])
  const body = flag(['-p', '--patch'])
  const type = flag(['--type']) ?? 'strategic'
  const positionals = args.filter((word, i) => !word.startsWith('-') && !['-n', '--namespace', '-p', '--patch', '--type'].includes(args[i - 1] ?? ''))
  const [verb, resource, name] = positionals
  if (verb !== 'patch' || body === undefined) throw new Error(`not a kubectl patch with -p: ${remediation}`)
  if (KINDS[resource ?? ''] !== object.kind || name !== object.metadata.name || (namespace ?? object.metadata.namespace) !== object.metadata.namespace) {
    throw new Error(`the command patches ${resource} ${namespace}/${name}, not ${object.kind} ${object.metadata.namespace}/${object.metadata.name}`)
  }
  // Fields of the test's own (`ref`: where it was read) are not Kubernetes': kept aside.
  const {ref, ...kubernetesObject} = object as T & {ref?: unknown}
  const output = execFileSync('kubectl', ['patch', '--local', '-f', '-', '--type', type, '-p', body, '-o', 'json'], {
    input: JSON.stringify(kubernetesObject),
    env: {...process.env, KUBECONFIG: '/dev/null'},
    stdio: ['pipe', 'pipe', 'pipe'],
  }).toString()
  return {...(JSON.parse(output) as T), ...(ref === undefined ? {} : {ref})}
}
