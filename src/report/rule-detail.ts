/** `hardenctl rules ID`: one rule explained, for a person deciding what to do about a finding. */
import {INPUT_KIND_DESCRIPTIONS} from '../inventory/types.js'
import type {RuleMetadata} from '../rules/rule.js'
import {formatGuide, wrapText} from './describe.js'
import {SEVERITY_STYLE, createStylize} from './style.js'

const INDENT = '  '

export function renderRuleDetail(rule: RuleMetadata, options: {color: boolean; width?: number}): string {
  const stylize = createStylize(options.color)
  const width = options.width === undefined ? undefined : options.width - INDENT.length
  const paragraph = (text: string) => wrapText(text, width).map((line) => `${INDENT}${line}`)
  const section = (heading: string, lines: readonly string[]) => ['', stylize('bold', heading), ...lines]

  const out = [
    `${stylize('bold', rule.id)}  ${rule.title}`,
    `${INDENT}severity ${stylize(SEVERITY_STYLE[rule.severity], rule.severity)} · profile ${rule.profile}${rule.scope === 'host' ? ' · host check' : ''}`,
    ...section('Why', paragraph(rule.rationale)),
    // The address is never wrapped: it is there to be clicked.
    ...section('Guide', [...paragraph(formatGuide(rule.guide)), `${INDENT}${rule.guide.url}`]),
    // Nor is the fix: it is there to be pasted.
    ...section('Fix', rule.remediation.split(/\r?\n/).map((line) => `${INDENT}${line}`)),
    ...section(
      'Auto-fixable',
      paragraph(
        rule.autoFixable
          ? 'yes: hardenctl reconcile applies this fix (some changes only where hardenctl.yaml enables them); preview with hardenctl reconcile --dry-run.'
          : 'no: hardenctl reconcile does not change this; apply the fix above by hand.',
      ),
    ),
    ...section('Reads', readsLines(rule).flatMap(paragraph)),
  ]
  return `${out.join('\n')}\n`
}

/** Each line one input the rule needs, listing its alternatives. */
function readsLines(rule: RuleMetadata): string[] {
  if (rule.scope === 'host') return ['files and logs on the MAAS host itself, which audit does not read: audit does not run this check.']
  if (rule.needs.length === 0) return ['whatever the audit read (it judges the audit itself).']
  return rule.needs.map((alternatives) => alternatives.map((kind) => INPUT_KIND_DESCRIPTIONS[kind]).join(' or '))
}
