/** The ports an application listens on, as far as the inputs tell. */
import {indexGateways, routeListeners} from '../../inventory/gateway-api.js'
import type {Application, Inventory, Model} from '../../inventory/types.js'
import {kubeExposureOfApp} from '../../policy/kube-exposure.js'
import {parsePort, portsOfUnits, type PortRange} from './ports.js'
import {appNamespace} from './reachability.js'

export interface ExternalPorts {
  /** Ports Juju opened on units of an exposed app (undefined when no status units are known). */
  juju?: PortRange[]
  /** Ports of external Services (LoadBalancer/NodePort/externalIPs), Ingresses (80/443) and the Gateway listeners routes are served on. */
  kube: PortRange[]
}

/** Ports reachable from outside: opened ports of an exposed app, and external Service ports. */
export function externalPorts(inventory: Inventory, model: Model, app: Application, jujuExposed: boolean): ExternalPorts {
  const out: ExternalPorts = {kube: []}
  if (jujuExposed && app.units.length > 0) out.juju = portsOfUnits(app.units)
  const kube = kubeExposureOfApp(inventory.kubernetes, app, appNamespace(model, app))
  for (const s of kube.services) {
    for (const p of s.spec.ports ?? []) {
      const range = parsePort(`${p.port}/${(p.protocol ?? 'TCP').toLowerCase()}`)
      if (range) out.kube.push(range)
    }
  }
  if (kube.ingresses.length > 0) out.kube.push({from: 80, to: 80, protocol: 'tcp', text: '80/tcp (Ingress)'}, {from: 443, to: 443, protocol: 'tcp', text: '443/tcp (Ingress)'})
  // A Gateway route: the ports of the listeners it is served on.
  const gateways = indexGateways(inventory.kubernetes.gateways, inventory.kubernetes.gatewayClasses)
  for (const route of kube.routes) {
    for (const {listeners} of routeListeners(route, gateways)) {
      for (const listener of listeners) out.kube.push({from: listener.port, to: listener.port, protocol: 'tcp', text: `${listener.port}/tcp (${route.kind} ${route.metadata.name})`})
    }
  }
  return out
}
