/**
 * The Juju part of a reconcile report: every call with its exact parameters, the change in
 * words (before → after), the rule it fixes and what happened to it; then the changes the
 * safety rules refused, and a summary line.
 */
import type {JujuApplyResult, JujuOutcome} from '../apply/juju.js'
import {JUJU_SECTION_SWITCH, type JujuAction, type JujuRefusal, type JujuSection} from './types.js'

export function renderJujuText(outcomes: readonly JujuOutcome[], refused: readonly JujuRefusal[], result: JujuApplyResult | undefined, dryRun: boolean): string[] {
  const lines: string[] = []
  const byController = new Map<string, JujuOutcome[]>()
  for (const outcome of outcomes) byController.set(outcome.action.controller, [...(byController.get(outcome.action.controller) ?? []), outcome])
  for (const [controller, list] of byController) {
    lines.push(`Juju${controller ? ` controller ${controller}` : ''}`)
    for (const {action, status, message} of list) {
      lines.push(`  ${callLine(action)}  [${statusText(status, message, dryRun)}]`)
      lines.push(`      ${JSON.stringify(action.params)}`)
      lines.push(`      ${action.rule}: ${action.reason}`)
    }
    lines.push('')
  }
  if (refused.length > 0) {
    lines.push('Refused by the safety rules (the finding stays):')
    for (const refusal of refused) lines.push(`  ${refusal.target}: ${refusal.wanted}: ${refusal.reason}`)
    lines.push('')
  }
  const off = new Set<JujuSection>(outcomes.filter((outcome) => outcome.status === 'not-enforced').map((outcome) => outcome.action.section))
  for (const section of off) {
    lines.push(`${sectionName(section)}: planned only — reconcile makes these changes with ${JUJU_SECTION_SWITCH[section]} in hardenctl.yaml.`)
  }
  if (result?.heldBack) lines.push(result.heldBack)
  if (outcomes.length > 0 || refused.length > 0) lines.push(summaryLine(outcomes, refused, dryRun))
  return lines
}

/** `ModelManager.ModifyModelAccess user bob on model prod:cos: write → read` */
export function callLine(action: JujuAction): string {
  return `${action.facade}.${action.method} ${action.target}: ${action.before} → ${action.after}`
}

function statusText(status: JujuOutcome['status'], message: string | undefined, dryRun: boolean): string {
  switch (status) {
    case 'planned':
      return dryRun ? 'dry run: would call' : 'planned'
    case 'not-enforced':
      return `planned only: ${message ?? 'section not enforced'}`
    case 'held':
      return 'held back: over --max-changes'
    case 'failed':
      return `failed: ${message ?? 'unknown error'}`
    case 'applied':
      return 'applied'
  }
}

function sectionName(section: JujuSection): string {
  return section === 'stale-users' ? 'Stale users' : `${section.charAt(0).toUpperCase()}${section.slice(1)}`
}

function summaryLine(outcomes: readonly JujuOutcome[], refused: readonly JujuRefusal[], dryRun: boolean): string {
  const count = (status: JujuOutcome['status']) => outcomes.filter((outcome) => outcome.status === status).length
  const parts = [
    [count('applied'), 'applied'],
    [count('failed'), 'failed'],
    [count('planned'), dryRun ? 'to make (dry run, nothing changed)' : 'planned'],
    [count('held'), 'held back'],
    [count('not-enforced'), 'not enforced'],
    [refused.length, 'refused'],
  ].filter(([n]) => (n as number) > 0)
  const total = outcomes.length
  const text = parts.map(([n, what]) => `${n} ${what}`).join(', ')
  const failed = count('failed') > 0 ? '; run again once the cause is fixed — reconcile converges.' : '.'
  return `${total} Juju change${total === 1 ? '' : 's'}: ${text || 'none'}${failed}`
}

/** The Juju results in the JSON report: each call with before, after and outcome. */
export function jujuResultsJson(outcomes: readonly JujuOutcome[]): Record<string, unknown>[] {
  return outcomes.map(({action, status, message}) => ({
    facade: action.facade,
    method: action.method,
    controller: action.controller,
    ...(action.model ? {model: action.model} : {}),
    target: action.target,
    before: action.before,
    after: action.after,
    status,
    ...(message ? {message} : {}),
  }))
}
