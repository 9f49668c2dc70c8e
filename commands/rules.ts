import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../src/cli/base-command.js'
import {profileFlag} from '../src/cli/flags.js'
import {emit, terminalWidth, useColor} from '../src/cli/output.js'
import {InputError} from '../src/errors.js'
import {renderRuleDetail, renderRulesJson, renderRulesTable} from '../src/report/index.js'
import {ALL_RULES} from '../src/rules/catalog.js'
import {closestRuleIds, findRule} from '../src/rules/lookup.js'

export default class Rules extends BaseCommand {
  static override summary = 'List the rule catalog, or explain one rule: what it checks, why, the guide, the fix and the inputs it reads.'

  static override description = `Every rule cites the hardening guide (title and public address) and the section it encodes. With a rule id, prints that rule in full: why it matters, the guide, the fix, whether hardenctl reconcile can apply it, and the inputs the rule reads.

EXIT CODES
  0  printed
  2  unknown rule id or bad usage (the message suggests the closest ids)
  3  could not write the -o file`

  static override examples = [
    '<%= config.bin %> rules',
    '<%= config.bin %> rules JUJU-TRUST',
    '<%= config.bin %> rules --profile landscape,livepatch',
    '<%= config.bin %> rules --format json',
  ]

  static override args = {
    rule: Args.string({description: 'A rule id (any letter case) to explain in full.', required: false}),
  }

  static override flags = {
    format: Flags.option({options: ['table', 'json'] as const, default: 'table' as const, description: 'Output format (json: a RuleCatalog, of one rule with RULE).'})(),
    profile: profileFlag('Only rules of these profiles (repeatable or comma-separated: juju,k8s).'),
    output: Flags.string({char: 'o', description: 'Write to this file instead of stdout.'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Rules)
    const toFile = flags.output !== undefined
    if (args.rule !== undefined) {
      if (flags.profile) throw new InputError(undefined, 'give a rule id or --profile, not both')
      const rule = findRule(ALL_RULES, args.rule)
      if (!rule) throw new InputError(undefined, unknownRuleMessage(args.rule))
      const text = flags.format === 'json' ? renderRulesJson([rule]) : renderRuleDetail(rule, {color: useColor(toFile), ...widthOption(toFile)})
      await emit(text, flags.output)
      return
    }
    const rules = flags.profile ? ALL_RULES.filter((rule) => flags.profile!.includes(rule.profile)) : ALL_RULES
    const text = flags.format === 'json' ? renderRulesJson(rules) : renderRulesTable(rules, {color: useColor(toFile)})
    await emit(text, flags.output)
  }
}

function unknownRuleMessage(id: string): string {
  const closest = closestRuleIds(ALL_RULES, id)
  const suggestion = closest.length === 0 ? '' : `; did you mean ${closest.join(' or ')}?`
  return `no rule ${JSON.stringify(id)}${suggestion} (hardenctl rules lists them all)`
}

function widthOption(toFile: boolean): {width?: number} {
  const width = toFile ? undefined : terminalWidth()
  return width === undefined ? {} : {width}
}
