/**
 * What the API server would reject in a NetworkPolicy (networking.k8s.io/v1 validation). The
 * engine treats such constructs as matching nothing, since such a policy cannot be in force; the
 * commands warn about them, and a planner can test its output with this.
 */
import {cidrWithin, parseCidr} from '../policy/cidr.js'
import {parseProtocol} from './ports.js'
import type {NetworkPolicyLike, PeerLike, PortLike, SelectorLike} from './types.js'

export function policyProblems(policy: NetworkPolicyLike): string[] {
  const problems: string[] = []
  selectorProblems(policy.spec.podSelector, 'spec.podSelector', problems)
  for (const type of policy.spec.policyTypes ?? []) {
    if (type !== 'Ingress' && type !== 'Egress') problems.push(`spec.policyTypes: unknown type ${JSON.stringify(type)}`)
  }
  for (const [i, rule] of (policy.spec.ingress ?? []).entries()) {
    for (const [j, peer] of (rule.from ?? []).entries()) peerProblems(peer, `spec.ingress[${i}].from[${j}]`, problems)
    for (const [j, port] of (rule.ports ?? []).entries()) portProblems(port, `spec.ingress[${i}].ports[${j}]`, problems)
  }
  for (const [i, rule] of (policy.spec.egress ?? []).entries()) {
    for (const [j, peer] of (rule.to ?? []).entries()) peerProblems(peer, `spec.egress[${i}].to[${j}]`, problems)
    for (const [j, port] of (rule.ports ?? []).entries()) portProblems(port, `spec.egress[${i}].ports[${j}]`, problems)
  }
  return problems
}

function peerProblems(peer: PeerLike, at: string, problems: string[]): void {
  const selectors = peer.podSelector !== undefined || peer.namespaceSelector !== undefined
  if (peer.ipBlock !== undefined && selectors) problems.push(`${at}: ipBlock cannot be combined with podSelector or namespaceSelector`)
  if (peer.ipBlock === undefined && !selectors) problems.push(`${at}: a peer needs podSelector, namespaceSelector or ipBlock`)
  selectorProblems(peer.podSelector, `${at}.podSelector`, problems)
  selectorProblems(peer.namespaceSelector, `${at}.namespaceSelector`, problems)
  if (peer.ipBlock) {
    const cidr = peer.ipBlock.cidr
    if (!cidr.includes('/') || !parseCidr(cidr)) problems.push(`${at}.ipBlock.cidr: not a CIDR: ${JSON.stringify(cidr)}`)
    for (const except of peer.ipBlock.except ?? []) {
      if (!except.includes('/') || !parseCidr(except)) problems.push(`${at}.ipBlock.except: not a CIDR: ${JSON.stringify(except)}`)
      else if (!cidrWithin(except, cidr) || parseCidr(except)!.prefix === parseCidr(cidr)?.prefix) {
        problems.push(`${at}.ipBlock.except: ${except} must lie strictly inside ${cidr}`)
      }
    }
  }
}

function portProblems(port: PortLike, at: string, problems: string[]): void {
  if (!parseProtocol(port.protocol)) problems.push(`${at}.protocol: must be TCP, UDP or SCTP, not ${JSON.stringify(port.protocol)}`)
  if (port.endPort !== undefined) {
    if (typeof port.port !== 'number') problems.push(`${at}.endPort: needs a numeric port`)
    else if (port.endPort < port.port) problems.push(`${at}.endPort: ${port.endPort} is below port ${port.port}`)
  }
  for (const [field, value] of [['port', port.port], ['endPort', port.endPort]] as const) {
    if (typeof value === 'number' && (value < 1 || value > 65535)) problems.push(`${at}.${field}: ${value} is not a port (1-65535)`)
  }
  if (typeof port.port === 'string' && !/^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(port.port)) {
    problems.push(`${at}.port: ${JSON.stringify(port.port)} is not a port name (IANA_SVC_NAME)`)
  } else if (typeof port.port === 'string' && !/[a-z]/.test(port.port)) {
    problems.push(`${at}.port: a port name must contain a letter, not ${JSON.stringify(port.port)}`)
  }
}

function selectorProblems(selector: SelectorLike | undefined, at: string, problems: string[]): void {
  for (const [i, expression] of (selector?.matchExpressions ?? []).entries()) {
    const values = expression.values ?? []
    switch (expression.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) problems.push(`${at}.matchExpressions[${i}]: ${expression.operator} needs values`)
        break
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) problems.push(`${at}.matchExpressions[${i}]: ${expression.operator} takes no values`)
        break
      default:
        problems.push(`${at}.matchExpressions[${i}]: unknown operator ${JSON.stringify(expression.operator)}`)
    }
  }
}
