import {Flags} from '@oclif/core'

import {BaseCommand} from '../src/cli/base-command.js'
import {LIVE_ENVIRONMENT_HELP, liveFlags} from '../src/cli/flags.js'
import {collectLiveFromFlags, printWarnings} from '../src/cli/live.js'
import {emit} from '../src/cli/output.js'
import {createProgress} from '../src/cli/progress.js'
import {ExitCode} from '../src/errors.js'
import {renderPlanJson, renderPlanText} from '../src/plan/render.js'
import {runReconcile} from '../src/reconcile/run-reconcile.js'

export default class Reconcile extends BaseCommand {
  static override summary = 'Derive least-privilege NetworkPolicies from the Juju relation graph and apply them.'

  static override description = `For every Juju model namespace (and the controller namespace): a default-deny ingress policy, then one policy per application admitting its own units, the applications related to it (on the ports of its Services), consumers of its offers from their namespaces, and, for exposed applications on the policy's exposure allowlist, the allowed CIDRs. Juju's own traffic (model operator 17071, controller API 17070, controller database 37017) keeps working. Every rule says in the hardenctl.io/reason annotation which relation, offer or profile line produced it.

Applied with server-side apply (field manager hardenctl), allow policies first, then default-deny, then pruning of stale hardenctl policies; only objects labelled app.kubernetes.io/managed-by: hardenctl are ever changed or deleted. A namespace whose Juju or Kubernetes view is incomplete is left exactly as it is. A second run changes nothing.

${LIVE_ENVIRONMENT_HELP}

EXIT CODES
  0  converged (or, with --dry-run, the plan was made and validated)
  2  bad input or usage
  3  something did not converge: a failed or conflicting write, or a namespace left alone for lack of a full view`

  static override examples = [
    {description: 'Show what would change, validated by the API server, without changing anything', command: '<%= config.bin %> reconcile --dry-run'},
    {description: 'Plan from a snapshot, no cluster needed; the plan as JSON for review', command: '<%= config.bin %> reconcile --dry-run --from estate/ --format json'},
    {description: 'Apply (the CronJob runs this)', command: '<%= config.bin %> reconcile'},
  ]

  static override flags = {
    from: Flags.string({char: 'f', multiple: true, description: 'Plan from a snapshot directory or files instead of the live estate (needs --dry-run).'}),
    'dry-run': Flags.boolean({description: 'Print the plan and change nothing (against a cluster: server-side dry run, so the API server validates).', default: false}),
    'force-conflicts': Flags.boolean({description: 'Take over fields another field manager owns instead of reporting the conflict.', default: false}),
    format: Flags.option({options: ['table', 'json'] as const, default: 'table' as const, description: 'table for people; json prints the ReconcilePlan.'})(),
    output: Flags.string({char: 'o', description: 'Write the plan/result to this file instead of stdout.'}),
    policy: Flags.string({description: 'Policy file. Default: ./hardenctl.yaml when it exists.', env: 'HARDENCTL_POLICY'}),
    ...liveFlags,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Reconcile)
    const live = flags.from?.length ? undefined : await collectLiveFromFlags(flags)
    const progress = createProgress('Reconciling')
    let result
    try {
      result = await runReconcile({
        from: flags.from,
        live,
        kubeConfig: live?.kubeConfig,
        policyFile: flags.policy,
        dryRun: flags['dry-run'],
        forceConflicts: flags['force-conflicts'],
        onProgress: (message) => progress.update(message),
      })
    } finally {
      progress.done()
    }
    printWarnings(result.warnings)
    const text = flags.format === 'json' ? renderPlanJson(result.plan, result.applied) : renderPlanText(result.plan, {dryRun: flags['dry-run'], applied: result.applied})
    await emit(text, flags.output)
    if (!result.converged || (live && live.failures.length > 0)) this.exit(ExitCode.couldNotComplete)
  }
}
