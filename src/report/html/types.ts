/**
 * The data an HTML report page carries (inlined as JSON and drawn by the page's script): findings,
 * one graph per Juju model (or namespace), and for reconcile / netpol the reachability change.
 * Every string here comes from the inputs and is untrusted: the page only ever sets it as text.
 */
import type {Severity} from '../../findings/types.js'
import type {ClosedPath} from '../../plan/types.js'

export type ReportKind = 'audit' | 'review' | 'reconcile' | 'matrix'

export interface GuideLink {
  title: string
  section: string
  /** The public page, when the guide reference carries one. */
  url?: string
}

export interface HtmlFinding {
  severity: Severity
  rule: string
  title: string
  message: string
  /** The model (or namespace, controller) the finding belongs to: the first grouping level. */
  model: string
  /** The application (or object) inside it: the second grouping level. */
  subject: string
  /** `graphId node:nodeId` when the subject is drawn in a graph. */
  node?: string
  /** Index into `PageData.guides` (a large estate cites the same few sections thousands of times). */
  guide: number
  location?: string
  fix: string
  autoFixable: boolean
  /** Why it is waived, when it is. */
  waived?: string
}

export type NodeKind = 'application' | 'remote' | 'offer' | 'consumer' | 'entry' | 'pod' | 'outside'

export interface GraphNode {
  id: string
  kind: NodeKind
  label: string
  /** Lines under the label: charm, channel, what the entry point is. */
  details: string[]
  /** Marks drawn as text badges (readable without colour): trust, root, exposed. */
  marks: string[]
}

export type EdgeKind = 'relation' | 'offer' | 'consumes' | 'entry' | 'reach'
export type ReachState = 'closed' | 'opened' | 'unchanged'

export interface GraphEdge {
  from: string
  to: string
  kind: EdgeKind
  label: string
  /** Reachability edges only. */
  state?: ReachState
  /** Reachability edges only: the ports still reachable after a change, when some are. */
  keeps?: string
}

export interface HtmlGraph {
  id: string
  title: string
  nodes: GraphNode[]
  edges: GraphEdge[]
}

export interface PolicyChange {
  op: string
  namespace: string
  name: string
  phase: string
}

export interface ReachChange {
  from: string
  to: string
  ports: string
  state: ReachState
}

export interface PlanSection {
  policies: PolicyChange[]
  closes: ClosedPath[]
  /** Every pair whose reachability changes (cross-namespace ones too). */
  changes: ReachChange[]
  notes: string[]
  /** Juju changes in words: `target: before → after`. */
  juju: string[]
  /** Exposure left reachable on purpose, namespaces left as they are, Juju changes refused: in words. */
  keptOpen: string[]
  untouched: string[]
  refused: string[]
}

export interface SummaryData {
  bySeverity?: Record<string, number>
  total?: number
  waived?: number
  rules?: {rule: string; title: string; count: number}[]
  notEvaluated?: {rule: string; message: string}[]
  inputs: string[]
  policy?: string
  profiles?: string[]
  generatedAt: string
  tool: string
}

export interface PageData {
  kind: ReportKind
  title: string
  summary: SummaryData
  findings: HtmlFinding[]
  /** The guide sections the findings cite. */
  guides: GuideLink[]
  graphs: HtmlGraph[]
  plan?: PlanSection
}
