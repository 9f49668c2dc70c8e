import {Flags} from '@oclif/core'

import {runAudit} from '../src/audit/run-audit.js'
import {BaseCommand, EXIT_CODES_HELP} from '../src/cli/base-command.js'
import {LIVE_ENVIRONMENT_HELP, LIVE_ONLY_FLAGS, liveFlags, reportFlags} from '../src/cli/flags.js'
import {collectLiveFromFlags, printWarnings} from '../src/cli/live.js'
import {emit, useColor} from '../src/cli/output.js'
import {ExitCode} from '../src/errors.js'
import {renderReport} from '../src/report/index.js'

export default class Audit extends BaseCommand {
  static override summary = 'Audit Juju models and Kubernetes namespaces against the hardening guides.'

  static override description = `Without --from, inspects the live estate: the Juju controllers of the juju client ($JUJU_DATA, or the HARDENCTL_JUJU_* environment) over the Juju API, and the Kubernetes cluster of the kubeconfig (or the in-cluster service account). A side with no configuration is skipped and named on stderr. With --from, reads dumps instead (a snapshot directory, or files of juju status, show-model, users, offers, disabled-commands, config, show-application, bundles, charm directories and kubectl get -o json output).

Runs every rule of the profiles that apply and prints the findings: each names its rule, its target, why it matters (guide and section) and how to fix it. Rules whose input is missing are listed as not evaluated.

${LIVE_ENVIRONMENT_HELP}

${EXIT_CODES_HELP}`

  static override examples = [
    {description: 'Audit the live estate (current Juju controller, current kubeconfig context)', command: '<%= config.bin %> audit'},
    {description: 'Audit the Livepatch example', command: '<%= config.bin %> audit --from examples/livepatch-k8s'},
    {description: 'Gate CI on high findings, SARIF for code scanning', command: '<%= config.bin %> audit --from snapshot/ --format sarif -o hardenctl.sarif --fail-on high'},
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
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Audit)
    const live = flags.from?.length ? undefined : await collectLiveFromFlags(flags)
    const failOn = flags['fail-on'] === 'never' ? undefined : flags['fail-on']
    const result = await runAudit({
      from: flags.from,
      live,
      policyFile: flags.policy,
      profiles: flags.profile,
      failOn,
      toolVersion: this.config.version,
    })
    printWarnings(result.warnings)
    const toTerminal = flags.output === undefined && process.stdout.isTTY === true
    const text = renderReport(flags.format, result.report, result.rules, {
      color: useColor(flags.output !== undefined),
      width: toTerminal ? process.stdout.columns : undefined,
      // GitHub code scanning rejects a SARIF result without a file; anchor those to the first input.
      fallbackArtifactUri: flags.from?.[0] ?? 'live:',
    })
    await emit(text, flags.output)
    // One live side could not be collected: the report covers the other, the run did not complete.
    if (live && live.failures.length > 0) {
      for (const failure of live.failures) process.stderr.write(`hardenctl: ${failure.message}\n`)
      this.exit(ExitCode.couldNotComplete)
    }
    if (result.report.summary.failed) this.exit(ExitCode.findingsAtOrAboveThreshold)
  }
}
