/**
 * One connection, FROM → TO on a port, judged and explained: which policy and rule allowed it,
 * or why it is denied and which rules came close. A connection needs FROM's egress AND TO's
 * ingress (DOMAIN rule 1); traffic from outside only needs TO's ingress, traffic to outside
 * only FROM's egress.
 */
import {
  type Direction,
  indexPolicies,
  isolatingPolicies,
  type PeerSubject,
  peerMatches,
  type PolicyIndex,
  portSpec,
  resolveSpec,
  rulesOf,
} from './policies.js'
import {containsPort, formatPorts, parseProtocol, type Protocol} from './ports.js'
import {type Endpoint, endpointId, isOutside, type PodClass, type PolicyInput} from './types.js'

export interface PortQuery {
  /** A number, or a port name resolved against TO's container ports. */
  port: number | string
  /** Default TCP. */
  protocol?: string
}

export interface ResolvedPort {
  port: number
  protocol: Protocol
  /** The name asked for, when the port was given by name. */
  name?: string
}

/** Undefined when the protocol is unknown, or a name TO has no container port for. */
export function resolvePortQuery(to: Endpoint, query: PortQuery): ResolvedPort | undefined {
  const protocol = parseProtocol(query.protocol)
  if (!protocol) return undefined
  const numeric = typeof query.port === 'number' ? query.port : /^\d+$/.test(query.port) ? Number(query.port) : undefined
  if (numeric !== undefined) return {port: numeric, protocol}
  if (isOutside(to)) return undefined
  const found = to.ports.find((port) => port.name === query.port && port.protocol === protocol)
  return found ? {port: found.port, protocol, name: query.port as string} : undefined
}

export interface RuleMatch {
  /** `namespace/name`. */
  policy: string
  rule: number
  /** Index of the peer that matched; absent when the rule has no peers (all sources or destinations). */
  peer?: number
  /** Index of the port entry that matched; absent when the rule has no ports (all ports). */
  port?: number
}

export interface SideVerdict {
  direction: Direction
  /**
   * not-enforced: no policy can act here (the endpoint is outside the cluster or on the host
   * network); not-isolated: no policy of this direction selects the pod; allowed / denied: it is
   * isolated and some rule does / no rule admits the connection.
   */
  status: 'not-enforced' | 'not-isolated' | 'allowed' | 'denied'
  isolatedBy: string[]
  allowedBy: RuleMatch[]
  /** For a denial: rules that admit the peer but not the port, or the port but not the peer. */
  nearMisses: string[]
  reason: string
}

export interface Verdict {
  allowed: boolean
  from: string
  to: string
  port: number
  protocol: Protocol
  portName?: string
  egress: SideVerdict
  ingress: SideVerdict
  /** TO (or FROM) uses the host network: NetworkPolicy cannot protect it (DOMAIN rule 8). */
  unprotectable: boolean
  notes: string[]
  /** The verdict as lines of text, for people. */
  explanation: string[]
}

export function explain(input: PolicyInput | PolicyIndex, from: Endpoint, to: Endpoint, query: PortQuery): Verdict {
  const index = 'byNamespace' in input ? input : indexPolicies(input)
  const fromId = endpointId(from)
  const toId = endpointId(to)
  const resolved = resolvePortQuery(to, query)
  if (!resolved || (isOutside(from) && isOutside(to))) {
    const protocol = parseProtocol(query.protocol)
    const reason = !protocol
      ? `unknown protocol ${String(query.protocol)}`
      : !resolved
        ? isOutside(to)
          ? `a port name (${String(query.port)}) needs a pod as TO`
          : `${toId} has no container port named ${String(query.port)}/${protocol}`
        : 'both ends are outside the cluster'
    const side = (direction: Direction): SideVerdict => ({direction, status: 'denied', isolatedBy: [], allowedBy: [], nearMisses: [], reason})
    return {
      allowed: false,
      from: fromId,
      to: toId,
      port: typeof query.port === 'number' ? query.port : 0,
      protocol: parseProtocol(query.protocol) ?? 'TCP',
      egress: side('egress'),
      ingress: side('ingress'),
      unprotectable: false,
      notes: [],
      explanation: [`DENIED ${fromId} → ${toId}: ${reason}`],
    }
  }

  const portText = resolved.name ? `${resolved.name} (${resolved.port}/${resolved.protocol})` : `${resolved.port}/${resolved.protocol}`
  const egress = judgeSide(index, 'egress', from, to, resolved, portText)
  const ingress = judgeSide(index, 'ingress', to, from, resolved, portText)
  const allowed = egress.status !== 'denied' && ingress.status !== 'denied'
  const unprotectable = (!isOutside(to) && to.hostNetwork) || (!isOutside(from) && from.hostNetwork)
  const notes: string[] = []
  if (!isOutside(to) && to.hostNetwork) {
    notes.push(`${toId} uses the host network: NetworkPolicy cannot protect it, whatever the policies say`)
  }
  if (!isOutside(from) && from.hostNetwork) {
    notes.push(
      `${fromId} uses the host network: its traffic carries the node's address${from.nodeAddresses?.length ? ` (${from.nodeAddresses.join(', ')})` : ''}, which pod and namespace selectors never select; traffic from a pod's own node is always allowed, and an ipBlock holding the node's address admits it where the network plugin matches node addresses against ipBlocks (Calico does; Cilium only with policy-cidr-match-mode: nodes)`,
    )
  }
  const explanation = [
    `${allowed ? 'ALLOWED' : 'DENIED'} ${fromId} → ${toId} on ${portText}`,
    `  egress:  ${egress.reason}`,
    ...egress.nearMisses.map((miss) => `    ${miss}`),
    `  ingress: ${ingress.reason}`,
    ...ingress.nearMisses.map((miss) => `    ${miss}`),
    ...notes.map((note) => `  note: ${note}`),
  ]
  return {
    allowed,
    from: fromId,
    to: toId,
    port: resolved.port,
    protocol: resolved.protocol,
    ...(resolved.name ? {portName: resolved.name} : {}),
    egress,
    ingress,
    unprotectable,
    notes,
    explanation,
  }
}

/** Judges one side: `self` is the pod whose policies apply (FROM for egress, TO for ingress). */
function judgeSide(index: PolicyIndex, direction: Direction, self: Endpoint, peer: Endpoint, port: ResolvedPort, portText: string): SideVerdict {
  const word = direction === 'egress' ? 'egress' : 'ingress'
  const base = {direction, isolatedBy: [] as string[], allowedBy: [] as RuleMatch[], nearMisses: [] as string[]}
  if (isOutside(self)) {
    return {...base, status: 'not-enforced', reason: `${endpointId(self)} is outside the cluster: no ${word} policy applies`}
  }
  if (self.hostNetwork) {
    return {...base, status: 'not-enforced', reason: `${self.id} uses the host network: ${word} policies do not apply to it`}
  }
  const policies = isolatingPolicies(index, self, direction)
  if (policies.length === 0) {
    return {...base, status: 'not-isolated', reason: `${self.id} is not isolated for ${word} (no policy with policyType ${capitalize(word)} selects it)`}
  }

  const subject = peerSubject(peer)
  const destination = direction === 'egress' ? (isOutside(peer) ? undefined : peer) : self
  const peerId = endpointId(peer)
  const allowedBy: RuleMatch[] = []
  const nearMisses: string[] = []
  for (const policy of policies) {
    rulesOf(policy.policy, direction).forEach((rule, ruleIndex) => {
      const peerIndex = rule.peers === undefined ? -1 : rule.peers.findIndex((candidate) => peerMatches(candidate, policy.namespace, subject, index))
      const peerOk = rule.peers === undefined || peerIndex >= 0
      const portIndex = matchingPortIndex(rule.ports, port, destination)
      const portOk = portIndex !== undefined
      if (peerOk && portOk) {
        allowedBy.push({
          policy: policy.id,
          rule: ruleIndex,
          ...(peerIndex >= 0 ? {peer: peerIndex} : {}),
          ...(portIndex >= 0 ? {port: portIndex} : {}),
        })
      } else if (peerOk) {
        nearMisses.push(`${policy.id} ${word} rule ${ruleIndex} admits ${peerId} but only on ${formatPorts(resolveSpec(portSpec(rule.ports), destination))}`)
      } else if (portOk) {
        nearMisses.push(`${policy.id} ${word} rule ${ruleIndex} allows ${portText} but none of its ${direction === 'egress' ? 'to' : 'from'} peers selects ${peerId}: ${JSON.stringify(rule.peers)}`)
      }
    })
  }
  const isolatedBy = policies.map((policy) => policy.id)
  if (allowedBy.length > 0) {
    const rules = allowedBy.map((match) => describeMatch(match, word)).join('; ')
    return {...base, isolatedBy, allowedBy, status: 'allowed', reason: `${self.id} is isolated for ${word} by ${isolatedBy.join(', ')}; allowed by ${rules}`}
  }
  const noRules = policies.every((policy) => rulesOf(policy.policy, direction).length === 0)
  return {
    ...base,
    isolatedBy,
    nearMisses,
    status: 'denied',
    reason: `${self.id} is isolated for ${word} by ${isolatedBy.join(', ')}${noRules ? ` (no ${word} rules: default deny)` : ''} and no ${word} rule admits ${peerId} on ${portText}`,
  }
}

function describeMatch(match: RuleMatch, word: string): string {
  const parts = [match.peer === undefined ? 'no peers: all' : `peer ${match.peer}`, match.port === undefined ? 'no ports: all' : `port ${match.port}`]
  return `${match.policy} ${word} rule ${match.rule} (${parts.join(', ')})`
}

/** -1: the rule has no ports (all ports); undefined: no entry matches. */
function matchingPortIndex(ports: readonly {protocol?: string; port?: number | string; endPort?: number}[] | undefined, port: ResolvedPort, destination: PodClass | undefined): number | undefined {
  if (!ports || ports.length === 0) return -1
  const index = ports.findIndex((entry) => containsPort(resolveSpec(portSpec([entry]), destination), port.port, port.protocol))
  return index >= 0 ? index : undefined
}

function peerSubject(endpoint: Endpoint): PeerSubject {
  if (isOutside(endpoint)) return endpoint.ip === undefined ? {kind: 'outside'} : {kind: 'outside', ip: endpoint.ip}
  if (endpoint.hostNetwork) return endpoint.nodeAddresses?.length ? {kind: 'node', ips: endpoint.nodeAddresses} : {kind: 'node'}
  return {kind: 'pod', namespace: endpoint.namespace, labels: endpoint.labels}
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
