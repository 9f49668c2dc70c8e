import * as Flags from '@oclif/core/flags'

import {type AuditResult, runAudit} from '../src/audit/run-audit.js'
import {BaseCommand, EXIT_CODES_HELP} from '../src/cli/base-command.js'
import {
  checkReportToCluster,
  LIVE_ENVIRONMENT_HELP,
  LIVE_ONLY_FLAGS,
  liveFlags,
  reportFlags,
  reportToClusterFlag,
  checkTableView,
  tableViewFlags,
} from '../src/cli/flags.js'
import {collectLiveFromFlags, printWarnings} from '../src/cli/live.js'
import {reconcileDryRunCommand} from '../src/cli/next-command.js'
import {emitReport} from '../src/cli/output.js'
import {createProgress} from '../src/cli/progress.js'
import {ExitCode} from '../src/errors.js'
import {loadPolicy} from '../src/policy/load.js'
import type {LiveCollection} from '../src/sources/live.js'

export default class Audit extends BaseCommand {
  static override summary = 'Audit Juju models and Kubernetes namespaces against the hardening guides.'

  static override description = `Without --from, inspects the live estate: the Juju controllers of the juju client ($JUJU_DATA, or the HARDENCTL_JUJU_* environment) over the Juju API, and the Kubernetes cluster of the kubeconfig (or the in-cluster service account). A side with no configuration is skipped and named on stderr. With --from, reads dumps instead (a snapshot directory, or files of juju status, show-model, users, offers, disabled-commands, config, show-application, bundles, charm directories and kubectl get -o json output).

Runs every rule of the profiles that apply and prints the findings: each names its rule, its target, why it matters (guide and section) and how to fix it. Rules whose input is missing are listed as not evaluated.

With --report-to-cluster (live runs only), the findings are also written to the cluster as one wgpolicyk8s.io/v1alpha2 PolicyReport named hardenctl per Juju model namespace, updated in place (server-side apply, field manager hardenctl). Without the PolicyReport CRD, one warning says so and the run goes on.

${LIVE_ENVIRONMENT_HELP}

${EXIT_CODES_HELP}`

  static override examples = [
    {description: 'Audit the live estate (current Juju controller, current kubeconfig context)', command: '<%= config.bin %> audit'},
    {description: 'Audit the Livepatch example', command: '<%= config.bin %> audit --from examples/livepatch-k8s'},
    {description: 'Gate CI on high findings, SARIF for code scanning', command: '<%= config.bin %> audit --from snapshot/ --format sarif -o hardenctl.sarif --fail-on high'},
    {description: 'One row per rule, high and critical only', command: '<%= config.bin %> audit --from snapshot/ --summary --min-severity high'},
    {description: 'Also write the findings to the cluster as PolicyReports (Policy Reporter, kubectl get polr)', command: '<%= config.bin %> audit --report-to-cluster'},
  ]

  static override flags = {
    from: Flags.string({
      char: 'f',
      multiple: true,
      description: 'A directory (snapshot layout, see README) or file to read; repeatable. Without it the live estate is inspected.',
      exclusive: [...LIVE_ONLY_FLAGS, 'namespace'],
    }),
    ...liveFlags,
    ...reportFlags,
    ...tableViewFlags,
    ...reportToClusterFlag,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Audit)
    checkReportToCluster(flags)
    checkTableView(flags)
    const policy = await loadPolicy(flags.policy)
    const live = flags.from?.length ? undefined : await collectLiveFromFlags(flags)
    const failOn = flags['fail-on'] === 'never' ? undefined : flags['fail-on']
    const result = await runAudit({
      from: flags.from,
      live,
      policy,
      profiles: flags.profile,
      failOn,
      toolVersion: this.config.version,
    })
    printWarnings(result.warnings)
    await emitReport(result.report, result.rules, {
      format: flags.format,
      output: flags.output,
      fallbackArtifactUri: flags.from?.[0] ?? 'live:',
      quiet: flags.quiet,
      table: {
        byRule: flags.summary,
        ...(flags['min-severity'] === undefined ? {} : {minSeverity: flags['min-severity']}),
        reconcileCommand: reconcileDryRunCommand(this.config.bin, flags),
      },
      html: {kind: 'audit', inventory: result.inventory},
    })
    const reportsFailed = live && flags['report-to-cluster'] ? await this.reportToCluster(live, result) : false
    // One live side could not be collected: the report covers the other, the run did not complete.
    if (live && live.failures.length > 0) {
      for (const failure of live.failures) process.stderr.write(`hardenctl: ${failure.message}\n`)
      this.exit(ExitCode.couldNotComplete)
    }
    if (reportsFailed) this.exit(ExitCode.couldNotComplete)
    if (result.report.summary.failed) this.exit(ExitCode.findingsAtOrAboveThreshold)
  }

  /** `--report-to-cluster`: the findings as PolicyReports; true when some could not be written. */
  private async reportToCluster(live: LiveCollection, result: AuditResult): Promise<boolean> {
    if (!live.kubeConfig) {
      printWarnings(['--report-to-cluster: no Kubernetes cluster was inspected, so no PolicyReports were written'])
      return false
    }
    // Loaded here, not at the top: its HTTP client is the live path's, and most audits are not live.
    const {policyReportMessages, writeFindingsToCluster} = await import('../src/apply/policy-reports.js')
    const progress = createProgress('Writing PolicyReports')
    let outcome
    try {
      outcome = await writeFindingsToCluster(
        live.kubeConfig,
        {report: result.report, inventory: result.inventory, policy: result.policy, rules: result.rules, now: new Date(result.report.metadata.generatedAt)},
        {dryRun: false, onProgress: (message) => progress.update(message), ...(live.kubernetes.inspected ? {description: live.kubernetes.description} : {})},
      )
    } finally {
      progress.done()
    }
    const {lines, warnings} = policyReportMessages(outcome)
    for (const line of lines) process.stderr.write(`hardenctl: ${line}\n`)
    printWarnings(warnings)
    return outcome.failed.length > 0
  }
}
