/** An application's Services and the pod ports behind them, as the planner admits and names them. */
import {JUJU_PLACEHOLDER_PORT, type KubeService} from '../inventory/kubernetes.js'
import type {Application} from '../inventory/types.js'
import type {NetworkPolicyPort} from './types.js'

/** The app's Services, as the inventory joined them (named APP, APP-endpoints, or selecting its pods). */
export function servicesOf(app: Application | undefined): KubeService[] {
  return app?.kubernetes?.services ?? []
}

/** The pod ports behind the app's Services (targetPort, else port), without Juju's placeholder. */
export function portsOf(services: readonly KubeService[]): NetworkPolicyPort[] {
  const ports: NetworkPolicyPort[] = []
  for (const service of services) {
    for (const port of service.spec?.ports ?? []) {
      const target = port.targetPort ?? port.port
      if (target === JUJU_PLACEHOLDER_PORT || port.port === JUJU_PLACEHOLDER_PORT) continue
      ports.push({protocol: (port.protocol ?? 'TCP') as NetworkPolicyPort['protocol'], port: target})
    }
  }
  return uniquePorts(ports)
}

/** Each port once (by protocol and number or name), in port order. */
export function uniquePorts(ports: readonly NetworkPolicyPort[]): NetworkPolicyPort[] {
  const seen = new Map<string, NetworkPolicyPort>()
  for (const port of ports) seen.set(`${port.protocol ?? 'TCP'}/${port.port}`, port)
  return [...seen.values()].sort((a, b) => String(a.port).localeCompare(String(b.port), undefined, {numeric: true}))
}

/** The pod ports behind one Service port (a route's backendRef names the Service's port), or all of them when none is named. */
export function portsBehind(service: KubeService, servicePort: number | undefined): NetworkPolicyPort[] {
  if (servicePort === undefined) return portsOf([service])
  return portsOf([{...service, spec: {...service.spec, ports: (service.spec.ports ?? []).filter((port) => port.port === servicePort)}}])
}

/** `8080/TCP` for each port, as the plan's reasons and notes name them. */
export function portTexts(ports: readonly NetworkPolicyPort[]): string[] {
  return ports.map((port) => `${port.port}/${port.protocol ?? 'TCP'}`)
}
