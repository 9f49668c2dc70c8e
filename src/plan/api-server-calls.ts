/**
 * What the Kubernetes API server calls in one namespace, resolved to pods and ports: per Service
 * that an admission webhook or aggregated API names (src/inventory/api-server-backends.ts), its
 * selector and the target ports of the Service ports called, or why they cannot be named. The
 * planner admits these calls; the closes check proves the plan keeps them open.
 */
import type {ApiServerBackend} from '../inventory/api-server-backends.js'
import type {KubeService} from '../inventory/kubernetes.js'
import type {NetworkPolicyPort} from './types.js'

export interface ApiServerCall {
  /** `kubeflow/admission-webhook`. */
  where: string
  service: string
  /** Who calls it, joined: `MutatingWebhookConfiguration x (webhook y), APIService v1beta1.z`. */
  callers: string
  /** The Service's selector; absent when its pods cannot be named. */
  selector?: Record<string, string>
  /** The pod ports the calls reach (the called Service ports' targetPort, else port). */
  ports: NetworkPolicyPort[]
  /** Why some or all of the calls cannot be admitted (plan notes). */
  problems: string[]
}

export function apiServerCallsIn(namespace: string, backends: readonly ApiServerBackend[], serviceNamed: (name: string) => KubeService | undefined): ApiServerCall[] {
  const byService = new Map<string, ApiServerBackend[]>()
  for (const backend of backends) {
    if (backend.namespace !== namespace) continue
    byService.set(backend.service, [...(byService.get(backend.service) ?? []), backend])
  }
  const calls: ApiServerCall[] = []
  for (const [name, called] of [...byService].sort(([a], [b]) => a.localeCompare(b))) {
    const callers = [...new Set(called.map((call) => call.caller))].join(', ')
    const where = `${namespace}/${name}`
    const call: ApiServerCall = {where, service: name, callers, ports: [], problems: []}
    calls.push(call)
    const service = serviceNamed(name)
    if (!service) {
      call.problems.push(`${callers} calls Service ${where}, which was not read: nothing is admitted for it, so if it exists the API server's calls to it are refused after the default deny`)
      continue
    }
    const selector = service.spec.selector ?? {}
    if (Object.keys(selector).length === 0) {
      call.problems.push(`${callers} calls Service ${where}, which has no selector: its pods cannot be named, so nothing is admitted for the API server; admit it by hand before a real run`)
      continue
    }
    call.selector = selector
    for (const port of [...new Set(called.map((backend) => backend.port))].sort((a, b) => a - b)) {
      const servicePort = (service.spec.ports ?? []).find((candidate) => candidate.port === port)
      if (!servicePort) {
        call.problems.push(`${callers} calls Service ${where} on port ${port}, which the Service does not have: the call fails today; nothing is admitted for it`)
        continue
      }
      call.ports.push({protocol: (servicePort.protocol ?? 'TCP') as NetworkPolicyPort['protocol'], port: servicePort.targetPort ?? servicePort.port})
    }
  }
  return calls
}
