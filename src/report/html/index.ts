/** `--format html`: the audit, review, reconcile plan and netpol matrix as one self-contained page. */
import type {Inventory} from '../../inventory/types.js'
import {reachabilityMatrix} from '../../netpol/matrix.js'
import type {PodClass, PolicyInput} from '../../netpol/types.js'
import {isJujuAction, type ReconcilePlan} from '../../plan/types.js'
import type {RuleMetadata} from '../../rules/rule.js'
import type {AuditReport} from '../audit-report.js'
import {estateGraphs, markTargets} from './estate-graph.js'
import {auditSummary, htmlFindings} from './findings.js'
import {renderPage} from './page.js'
import {addReachEdges, reachChanges} from './reach-edges.js'
import type {PageData} from './types.js'

/** Rules whose finding means the application's code runs as root: its node is marked `[root]`. */
const ROOT_RULES = new Set(['JUJU-ROOT-CONTAINER', 'JUJU-CHARM-USER', 'K8S-RUN-AS-ROOT'])

export function renderAuditHtml(kind: 'audit' | 'review', report: AuditReport, rules: readonly RuleMetadata[], inventory: Inventory): string {
  const rootTargets = report.findings.filter((finding) => ROOT_RULES.has(finding.rule) && !finding.waived).map((finding) => finding.target)
  const graphs = estateGraphs(inventory)
  markTargets(graphs, rootTargets, 'root')
  const data: PageData = {
    kind,
    title: kind === 'audit' ? 'hardenctl audit' : 'hardenctl review',
    summary: auditSummary(report, new Map(rules.map((rule) => [rule.id, rule.title]))),
    ...htmlFindings(report.findings, graphs.nodeOf),
    graphs: graphs.graphs,
  }
  return renderPage(data)
}

export interface ReachInput {
  before: PolicyInput
  after: PolicyInput
  classes: PodClass[]
}

export function renderPlanHtml(plan: ReconcilePlan, inventory: Inventory, reach: ReachInput, meta: {inputs: string[]; policy?: string; tool: string; generatedAt: string}): string {
  const graphs = estateGraphs(inventory, {classes: reach.classes})
  const before = reachabilityMatrix(reach.before, reach.classes)
  const after = reachabilityMatrix(reach.after, reach.classes)
  addReachEdges(graphs, reach.classes, before, after)
  const policies = plan.actions
    .filter((action) => !isJujuAction(action) && action.op !== 'unchanged')
    .map((action) => (isJujuAction(action) ? undefined : {op: action.op === 'delete' ? 'prune' : action.op, namespace: action.object.metadata.namespace, name: action.object.metadata.name, phase: action.phase}))
    .filter((entry) => entry !== undefined)
  const juju = plan.actions.filter(isJujuAction).map((action) => `${action.target}: ${action.before} → ${action.after} (${action.reason}${action.enforced ? '' : '; planned only, not enforced'})`)
  const data: PageData = {
    kind: 'reconcile',
    title: 'hardenctl reconcile --dry-run',
    summary: {inputs: meta.inputs, ...(meta.policy ? {policy: meta.policy} : {}), tool: meta.tool, generatedAt: meta.generatedAt},
    findings: [],
    guides: [],
    graphs: graphs.graphs,
    plan: {
      policies,
      closes: plan.closes.map((closed) => ({...closed})),
      changes: reachChanges(before, after),
      notes: plan.notes,
      juju,
      keptOpen: plan.keptOpen.map((kept) => `${kept.namespace}/${kept.application} (${kept.exposedBy}) from ${kept.sources.join(', ') || 'nowhere'} on ${kept.ports.join(', ') || 'every port'}: ${kept.narrowedBy}`),
      untouched: plan.untouched.map((entry) => `${entry.namespace}: ${entry.reason}`),
      refused: plan.refused.map((refusal) => `${refusal.target}: ${refusal.wanted} refused, ${refusal.reason}`),
    },
  }
  return renderPage(data)
}

export function renderMatrixHtml(inventory: Inventory, reach: {input: PolicyInput; before?: PolicyInput; classes: PodClass[]; namespaces: string[]}, meta: {inputs: string[]; tool: string; generatedAt: string}): string {
  const graphs = estateGraphs(inventory, {namespacesWithoutModel: reach.namespaces, classes: reach.classes})
  const after = reachabilityMatrix(reach.input, reach.classes)
  const before = reach.before ? reachabilityMatrix(reach.before, reach.classes) : after
  addReachEdges(graphs, reach.classes, before, after)
  const data: PageData = {
    kind: 'matrix',
    title: reach.before ? 'hardenctl netpol matrix --plan' : 'hardenctl netpol matrix',
    summary: {inputs: meta.inputs, tool: meta.tool, generatedAt: meta.generatedAt},
    findings: [],
    guides: [],
    graphs: graphs.graphs.filter((graph) => graph.nodes.length > 0),
    plan: {policies: [], closes: [], changes: reach.before ? reachChanges(before, after) : [], notes: [], juju: [], keptOpen: [], untouched: [], refused: []},
  }
  return renderPage(data)
}

