import * as Args from '@oclif/core/args'

import {BaseCommand} from '../../src/cli/base-command.js'
import {InputError} from '../../src/errors.js'
import {DEFAULT_POLICY_FILE, loadPolicy} from '../../src/policy/load.js'
import {describeValidPolicy} from '../../src/policy/summary.js'

export default class PolicyCheck extends BaseCommand {
  static override summary = 'Validate a policy file the way every command that takes --policy does, and list every problem in it.'

  static override description = `Checks keys, types, CIDRs (parsed as Juju and the Kubernetes API parse them), globs, dates and waiver rule ids (against the rule catalog, with the closest id when one is mistyped). A valid policy prints one line: what it waives and what reconcile will apply. An invalid one prints every problem, one "FILE:LINE:COLUMN at PATH: problem" line each, on stderr.

EXIT CODES
  0  valid
  2  invalid, missing or unreadable (each problem on its own line)`

  static override examples = [
    {description: 'Before committing a policy change', command: '<%= config.bin %> policy check hardenctl.yaml'},
    {description: 'The policy the other commands would use ($HARDENCTL_POLICY or ./hardenctl.yaml)', command: '<%= config.bin %> policy check'},
  ]

  static override args = {
    file: Args.string({description: `Policy file. Default: $HARDENCTL_POLICY, else ./${DEFAULT_POLICY_FILE}: the one every command reads without --policy.`}),
  }

  async run(): Promise<void> {
    const {args} = await this.parse(PolicyCheck)
    const loaded = await loadPolicy(args.file ?? (process.env.HARDENCTL_POLICY || undefined))
    if (loaded.file === undefined) {
      throw new InputError(undefined, `no FILE given, no $HARDENCTL_POLICY and no ./${DEFAULT_POLICY_FILE} here ("hardenctl policy init > ${DEFAULT_POLICY_FILE}" writes a starter)`)
    }
    process.stdout.write(`${describeValidPolicy(loaded.file, loaded.policy, new Date())}\n`)
  }
}
