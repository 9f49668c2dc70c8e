/**
 * DaemonSets whose host access, root and capabilities are what they are for: the cluster network
 * (flannel, Calico, Cilium), kube-proxy, and the node exporter. Taking them away (the generic fixes
 * of K8S-HOST-ACCESS, K8S-RUN-AS-ROOT and K8S-PRIVILEGED) takes down pod networking or the node's
 * metrics on every node the change rolls to. The finding stands, as the catalog asks; the fix is to
 * waive it knowingly and keep its namespace narrow.
 */
import type {PodSubject} from './pod-specs.js'

interface NodeAgent {
  /** Label values that name it (`app.kubernetes.io/name`, `k8s-app`, `app`). */
  names: readonly string[]
  what: string
  needs: string
  /** The rules whose finding is what it is for; the others keep their own fix. */
  byDesign: readonly string[]
}

const NETWORK = ['K8S-HOST-ACCESS', 'K8S-RUN-AS-ROOT', 'K8S-PRIVILEGED']

const NODE_AGENTS: readonly NodeAgent[] = [
  {names: ['flannel'], what: 'flannel, the cluster network (CNI)', needs: 'the host network, NET_ADMIN/NET_RAW, root and its host paths to set up pod networking on each node', byDesign: NETWORK},
  {names: ['calico-node'], what: 'calico-node, the cluster network (CNI)', needs: 'the host network, privileges and its host paths to program each node', byDesign: NETWORK},
  {names: ['cilium'], what: 'cilium, the cluster network (CNI)', needs: 'the host network, privileges and its host paths to program each node', byDesign: NETWORK},
  {names: ['kube-proxy'], what: 'kube-proxy', needs: "the host network and privileges to program each node's Service routing", byDesign: NETWORK},
  // It runs as nobody upstream (kube-prometheus, the Helm chart): only its host access is by design.
  {names: ['node-exporter', 'prometheus-node-exporter'], what: 'node-exporter', needs: "the host's network, PID namespace and filesystem to report the node's metrics", byDesign: ['K8S-HOST-ACCESS']},
]

const NAME_LABELS = ['app.kubernetes.io/name', 'k8s-app', 'app']

/** The node agent a DaemonSet is, by its pod labels, when `rule`'s finding is what it is for. */
function nodeAgentOf(subject: PodSubject, rule: string): NodeAgent | undefined {
  if (subject.kind !== 'DaemonSet') return undefined
  const values = NAME_LABELS.map((label) => subject.labels[label]).filter((value): value is string => value !== undefined)
  return NODE_AGENTS.find((agent) => agent.byDesign.includes(rule) && agent.names.some((name) => values.includes(name)))
}

/**
 * The fix for a node agent's `rule` finding: waive it in hardenctl.yaml rather than change the
 * agent. Undefined when the subject is no node agent (or `rule` is not by design for it).
 */
export function nodeAgentFix(rule: string, subject: PodSubject): string | undefined {
  const agent = nodeAgentOf(subject, rule)
  if (!agent) return undefined
  const waiver = JSON.stringify({rule, target: `${subject.namespace}/${subject.name}`, reason: `${agent.what} needs it`})
  return `${agent.what} needs ${agent.needs}: changing that breaks it on every node. Waive the finding in hardenctl.yaml (waivers: [${waiver}]) and keep who may change the ${subject.namespace} namespace narrow.`
}
