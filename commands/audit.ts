import {Flags} from '@oclif/core'

import {runAudit} from '../src/audit/run-audit.js'
import {BaseCommand, EXIT_CODES_HELP} from '../src/cli/base-command.js'
import {reportFlags} from '../src/cli/flags.js'
import {emit, useColor} from '../src/cli/output.js'
import {ExitCode, InputError} from '../src/errors.js'
import {renderReport} from '../src/report/index.js'

export default class Audit extends BaseCommand {
  static override summary = 'Audit Juju models and Kubernetes namespaces against the hardening guides.'

  static override description = `Reads dumps of Juju and Kubernetes state (--from: a snapshot directory, or files of juju status, show-model, users, offers, disabled-commands, config, show-application, bundles, charm directories and kubectl get -o json output), runs every rule of the profiles that apply, and prints the findings: each names its rule, its target, why it matters (guide and section) and how to fix it. Rules whose input is missing are listed as not evaluated.

${EXIT_CODES_HELP}`

  static override examples = [
    {description: 'Audit the Livepatch example', command: '<%= config.bin %> audit --from examples/livepatch-k8s'},
    {description: 'Gate CI on high findings, SARIF for code scanning', command: '<%= config.bin %> audit --from snapshot/ --format sarif -o hardenctl.sarif --fail-on high'},
  ]

  static override flags = {
    from: Flags.string({
      char: 'f',
      multiple: true,
      description: 'A directory (snapshot layout, see README) or file to read; repeatable.',
    }),
    ...reportFlags,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Audit)
    if (!flags.from || flags.from.length === 0) {
      throw new InputError(undefined, 'no inputs: pass --from DIR or --from FILE (live collection over the Juju and Kubernetes APIs is not available yet)')
    }
    const failOn = flags['fail-on'] === 'never' ? undefined : flags['fail-on']
    const result = await runAudit({
      from: flags.from,
      policyFile: flags.policy,
      profiles: flags.profile,
      failOn,
      toolVersion: this.config.version,
    })
    for (const warning of result.warnings) process.stderr.write(`hardenctl: warning: ${warning}\n`)
    const toTerminal = flags.output === undefined && process.stdout.isTTY === true
    const text = renderReport(flags.format, result.report, result.rules, {
      color: useColor(flags.output !== undefined),
      width: toTerminal ? process.stdout.columns : undefined,
      // GitHub code scanning rejects a SARIF result without a file; anchor those to the first input.
      fallbackArtifactUri: flags.from[0],
    })
    await emit(text, flags.output)
    if (result.report.summary.failed) this.exit(ExitCode.findingsAtOrAboveThreshold)
  }
}
