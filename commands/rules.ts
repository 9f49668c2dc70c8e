import {Flags} from '@oclif/core'

import {BaseCommand, EXIT_CODES_HELP} from '../src/cli/base-command.js'
import {emit, useColor} from '../src/cli/output.js'
import {PROFILES} from '../src/findings/types.js'
import {renderRulesJson, renderRulesTable} from '../src/report/index.js'
import {ALL_RULES} from '../src/rules/catalog.js'

export default class Rules extends BaseCommand {
  static override summary = 'List the rule catalog: id, severity, profile, guide section and whether reconcile can fix it.'

  static override description = `Every rule cites the hardening guide and section it encodes.

${EXIT_CODES_HELP}`

  static override examples = [
    '<%= config.bin %> rules',
    '<%= config.bin %> rules --profile landscape',
    '<%= config.bin %> rules --format json',
  ]

  static override flags = {
    format: Flags.option({options: ['table', 'json'] as const, default: 'table' as const, description: 'Output format.'})(),
    profile: Flags.option({options: PROFILES, multiple: true, description: 'Only rules of these profiles (repeatable).'})(),
    output: Flags.string({char: 'o', description: 'Write to this file instead of stdout.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Rules)
    const rules = flags.profile ? ALL_RULES.filter((rule) => flags.profile!.includes(rule.profile)) : ALL_RULES
    const text = flags.format === 'json' ? renderRulesJson(rules) : renderRulesTable(rules, {color: useColor(flags.output !== undefined)})
    await emit(text, flags.output)
  }
}
