/**
 * A reconcile plan for people (what will be created, updated with a readable diff, deleted, and
 * which namespaces are left alone and why) and for tools (`--format json`: the ReconcilePlan).
 */
import {createTwoFilesPatch} from 'diff'
import {stringify} from 'yaml'

import type {ApplyResult} from '../apply/index.js'
import type {JujuApplyResult} from '../apply/juju.js'
import type {PolicyReportsOutcome} from '../apply/policy-reports.js'
import {jujuResultsJson, renderJujuText} from './render-juju.js'
import {type ActionOp, isJujuAction, type NetworkPolicyAction, type NetworkPolicyObject, networkPolicyActions, type ReconcilePlan} from './types.js'

const SYMBOL: Record<ActionOp, string> = {create: '+', update: '~', delete: '-', unchanged: '='}

/** Notes a text plan prints before it counts the rest (JSON carries every one). */
const MAX_TEXT_NOTES = 50

/**
 * The ReconcilePlan as JSON. A `watchPass` (`reconcile --watch`) is one line per pass (a stream a log
 * collector takes line by line), and names the NetworkPolicies it leaves unchanged (`unchanged`:
 * namespace and name, as `kubectl apply` says "unchanged") instead of printing each again, in
 * `actions` and in `results`: a pass after one change prints that change, not the whole estate's
 * policies every time.
 */
export function renderPlanJson(
  plan: ReconcilePlan,
  applied?: ApplyResult,
  juju?: JujuApplyResult,
  policyReports?: PolicyReportsOutcome,
  {watchPass = false}: {watchPass?: boolean} = {},
): string {
  const listed = watchPass ? plan.actions.filter((action) => isJujuAction(action) || action.op !== 'unchanged') : plan.actions
  const document: Record<string, unknown> = {
    ...plan,
    actions: listed.map((action) => (isJujuAction(action) ? action : {op: action.op, phase: action.phase, object: action.object})),
  }
  if (watchPass) {
    document.unchanged = networkPolicyActions(plan)
      .filter((action) => action.op === 'unchanged')
      .map(({object}) => ({namespace: object.metadata.namespace, name: object.metadata.name}))
  }
  if (juju) {
    document.jujuResults = jujuResultsJson(juju.outcomes)
    if (juju.heldBack) document.jujuHeldBack = juju.heldBack
  }
  if (policyReports) {
    const {state, dryRun, written, unchanged, deleted, foreign, failed} = policyReports
    document.policyReports = {state, dryRun, written, unchanged, deleted, foreign, failed}
  }
  if (applied) {
    const reported = watchPass ? applied.results.filter((result) => result.action.op !== 'unchanged') : applied.results
    document.results = reported.map((result) => ({
      op: result.action.op,
      namespace: result.action.object.metadata.namespace,
      name: result.action.object.metadata.name,
      status: result.status,
      ...(result.message ? {message: result.message} : {}),
    }))
    document.labelResults = applied.labelResults.map((result) => ({
      namespace: result.action.namespace,
      status: result.status,
      ...(result.message ? {message: result.message} : {}),
    }))
    document.writes = applied.writes
  }
  return watchPass ? `${JSON.stringify(document)}\n` : `${JSON.stringify(document, null, 2)}\n`
}

/**
 * `notesShown`: notes an earlier `--watch` pass already had on the same terminal or log (printed, or
 * counted past the first MAX_TEXT_NOTES); they are counted rather than repeated, so a pass shows
 * what is new. New notes are added to it.
 */
export function renderPlanText(plan: ReconcilePlan, options: {dryRun: boolean; applied?: ApplyResult; juju?: JujuApplyResult; notesShown?: Set<string>}): string {
  const lines: string[] = []
  const byNamespace = new Map<string, NetworkPolicyAction[]>()
  const policyActions = networkPolicyActions(plan)
  for (const action of policyActions) {
    const namespace = action.object.metadata.namespace
    byNamespace.set(namespace, [...(byNamespace.get(namespace) ?? []), action])
  }
  const statusOf = new Map(options.applied?.results.map((result) => [result.action, result]) ?? [])
  for (const [namespace, actions] of byNamespace) {
    const unchanged = actions.filter((action) => action.op === 'unchanged').length
    lines.push(`Namespace ${namespace}${unchanged > 0 ? ` (${unchanged} NetworkPolicies unchanged)` : ''}`)
    for (const action of actions) {
      if (action.op === 'unchanged') continue
      const result = statusOf.get(action)
      const status = result ? `  [${result.status}${result.message ? `: ${result.message}` : ''}]` : ''
      lines.push(`  ${SYMBOL[action.op]} ${action.op} NetworkPolicy ${action.object.metadata.name} (${action.phase})${status}`)
      if (action.op === 'create') lines.push(...indent(summary(action.object)))
      if (action.op === 'update' && action.current) lines.push(...indent(diff(action.current, action.object)))
    }
    lines.push('')
  }
  const labelling = plan.namespaceLabels.filter((action) => action.op === 'update')
  if (labelling.length > 0) {
    const labelStatus = new Map(options.applied?.labelResults.map((result) => [result.action, result]) ?? [])
    lines.push('Pod Security Admission labels:')
    for (const action of labelling) {
      const result = labelStatus.get(action)
      const status = result ? `  [${result.status}${result.message ? `: ${result.message}` : ''}]` : ''
      const changes = Object.entries(action.labels).map(([key, value]) => `${key}=${value}${action.current[key] === undefined ? '' : action.current[key] === value ? '' : ` (was ${action.current[key]})`}`)
      lines.push(`  ~ label namespace ${action.namespace}: ${changes.join(', ')}${status}`)
    }
    lines.push('')
  }
  if (plan.untouched.length > 0) {
    lines.push('Left exactly as they are:')
    for (const {namespace, reason} of plan.untouched) lines.push(`  ${namespace}: ${reason}`)
    lines.push('')
  }
  if (plan.keptOpen.length > 0) {
    lines.push('Stays open on purpose (intentional exposure; exposure.enforce is off):')
    for (const kept of plan.keptOpen) {
      const on = kept.ports.length > 0 ? kept.ports.join(', ') : 'every port'
      lines.push(`  ${kept.namespace}/${kept.application}: ${kept.exposedBy}, from ${kept.sources.join(', ')} on ${on}; ${kept.narrowedBy}`)
    }
    lines.push('')
  }
  // Whenever something could close: NetworkPolicies, or a `juju expose` change (enforced or not).
  const exposureChanges = plan.actions.some((action) => isJujuAction(action) && action.section === 'exposure')
  if (policyActions.length > 0 || exposureChanges || plan.closes.length > 0) lines.push(...closesSection(plan.closes))
  if (plan.notes.length > 0) {
    const shown = options.notesShown
    const fresh = shown ? plan.notes.filter((note) => !shown.has(note)) : plan.notes
    const repeated = plan.notes.length - fresh.length
    lines.push('Notes:')
    for (const note of fresh.slice(0, MAX_TEXT_NOTES)) lines.push(`  - ${note}`)
    // A large estate without charm metadata has a note per relation: the terminal gets the first ones, JSON every one.
    if (fresh.length > MAX_TEXT_NOTES) lines.push(`  (${fresh.length - MAX_TEXT_NOTES} more notes: --format json lists every one)`)
    if (repeated > 0) lines.push(`  (${repeated === 1 ? '1 more note, as an earlier pass had it' : `${repeated} more notes, as an earlier pass had them`})`)
    lines.push('')
    for (const note of fresh) shown?.add(note)
  }
  const juju = renderJujuText(options.juju?.outcomes ?? [], plan.refused, options.juju, options.dryRun)
  // A Juju-only estate (machine models, no cluster): no NetworkPolicy summary to speak of.
  if (policyActions.length === 0 && plan.untouched.length === 0 && juju.length > 0) return `${[...lines, ...juju].join('\n')}\n`
  const counts = countOps(plan)
  const verb = options.applied ? (options.dryRun ? 'validated by the API server (dry run), nothing changed' : 'applied') : options.dryRun ? 'planned (dry run), nothing changed' : 'planned'
  const labels = labelling.length > 0 ? `, ${labelling.length} namespace${labelling.length === 1 ? '' : 's'} to label` : ''
  lines.push(`${counts.create} to create, ${counts.update} to update, ${counts.delete} to delete, ${counts.unchanged} unchanged${labels}: ${verb}.`)
  if (options.applied && options.applied.failed > 0) lines.push(`${options.applied.failed} failed; run again once the cause is fixed — reconcile converges.`)
  if (juju.length > 0) lines.push('', ...juju)
  return `${lines.join('\n')}\n`
}

/** What the plan closes of what the estate uses or intends: asked for by the policy, or not (a real run refuses those). */
function closesSection(closes: ReconcilePlan['closes']): string[] {
  if (closes.length === 0) return ['Closes: nothing the estate shows in use or intended.', '']
  const line = (path: ReconcilePlan['closes'][number]) =>
    `  ${path.from} → ${path.to} ${path.ports} (${path.why}; ${path.usedBy})${path.asked ? '' : ' [not asked for by the policy: a real run refuses without --allow-closing]'}`
  return ['Closes:', ...closes.map(line), '']
}

export function countOps(plan: ReconcilePlan): Record<ActionOp, number> {
  const counts = {create: 0, update: 0, delete: 0, unchanged: 0}
  for (const action of networkPolicyActions(plan)) counts[action.op]++
  return counts
}

/** The rules of a new policy, one line each, with the reason that produced it. */
function summary(object: NetworkPolicyObject): string[] {
  const reasons = (object.metadata.annotations?.['hardenctl.io/reason'] ?? '').split('\n').filter(Boolean)
  return reasons.length > 0 ? reasons : [`selects ${JSON.stringify(object.spec.podSelector)}`]
}

function diff(current: NetworkPolicyObject, desired: NetworkPolicyObject): string[] {
  const view = (object: NetworkPolicyObject) => stringify({labels: object.metadata.labels ?? {}, annotations: object.metadata.annotations ?? {}, spec: object.spec}, {aliasDuplicateObjects: false})
  const patch = createTwoFilesPatch('live', 'planned', view(current), view(desired), undefined, undefined, {context: 2})
  return patch.split('\n').slice(2).filter((line) => line !== '' && !line.startsWith('\\'))
}

function indent(lines: string[]): string[] {
  return lines.map((line) => `      ${line}`)
}
