import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../../src/cli/base-command.js'
import {LIVE_ONLY_FLAGS, netpolSourceFlags} from '../../src/cli/flags.js'
import {netpolSourceFromFlags, printWarnings} from '../../src/cli/live.js'
import {emit} from '../../src/cli/output.js'
import {InputError} from '../../src/errors.js'
import {loadNetpolInput} from '../../src/netpol/command-input.js'
import {planDiff} from '../../src/netpol/after-plan.js'
import {renderDiffJson, renderDiffText} from '../../src/netpol/render.js'
import {NETPOL_EXIT_CODES} from './matrix.js'

export default class NetpolDiff extends BaseCommand {
  static override summary = 'Show what a reconcile would open and close: reachability now against reachability after the plan.'

  static override description = `Computes the reconcile plan (as "hardenctl reconcile --dry-run" would) and compares who can reach whom, on which ports, under the NetworkPolicies the cluster has now and under those it would have after the plan. Reads the live estate (the cluster and the Juju controllers, whose relation graph the plan comes from) or --from a snapshot.

${NETPOL_EXIT_CODES}`

  static override examples = [
    {description: 'Before applying: what will reconcile close?', command: '<%= config.bin %> netpol diff'},
    {description: 'From a snapshot, as JSON', command: '<%= config.bin %> netpol diff --from snapshot/ --format json'},
  ]

  static override flags = {
    ...netpolSourceFlags,
    // diff always judges the plan; --plan (shared with matrix and explain) would be a no-op, so it is refused.
    plan: Flags.boolean({hidden: true, default: false}),
    from: Flags.string({
      char: 'f',
      multiple: true,
      description: 'Read a snapshot directory or files (namespaces, pods, NetworkPolicies, and the Juju status the plan comes from) instead of the live estate; repeatable.',
      exclusive: LIVE_ONLY_FLAGS,
    }),
    format: Flags.option({options: ['table', 'json'] as const, default: 'table' as const, description: 'Output format.'})(),
    output: Flags.string({char: 'o', description: 'Write to this file instead of stdout.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(NetpolDiff)
    if (flags.plan) {
      throw new InputError(
        undefined,
        'netpol diff always compares the policies now with those the reconcile plan would leave: drop --plan (netpol matrix --plan shows the planned policies alone)',
      )
    }
    const loaded = await loadNetpolInput(await netpolSourceFromFlags(flags, true))
    const diff = planDiff({before: loaded.before!, after: loaded.input, classes: loaded.classes})
    printWarnings(loaded.warnings)
    await emit(flags.format === 'json' ? renderDiffJson(diff) : renderDiffText(diff), flags.output)
  }
}
