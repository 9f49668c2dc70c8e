import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {BaseCommand, EXIT_CODES_HELP} from '../src/cli/base-command.js'
import {checkTableView, reportFlags, tableViewFlags} from '../src/cli/flags.js'
import {printWarnings} from '../src/cli/live.js'
import {emitReport} from '../src/cli/output.js'
import {ExitCode} from '../src/errors.js'
import {SEVERITIES} from '../src/findings/types.js'
import {runReview} from '../src/review/run-review.js'

export default class Review extends BaseCommand {
  static override summary = 'Pre-deploy gate: review charms and bundles before `juju deploy`.'

  static override description = `Reads charm directories, .charm archives and bundles (multi-document, with --overlay files applied in order like juju deploy), and runs the rules that can be judged before anything is deployed: root containers and charm-user, trust, exposure (expose, exposed-endpoints, expose-external), TLS endpoints without a relation in the bundle, plaintext credentials in options, channels below stable and local charms, a production bundle without observability, and the Landscape, Livepatch and MAAS profile rules where their charms are present. Every finding points at the file, line and column of the YAML node that caused it, so SARIF annotations land on the right line in code scanning.

Overlays are merged as juju deploy merges them: overlay values replace the bundle's (trust: false, expose: false), option maps merge, an application set to null is removed with its relations, and relations are appended. Each finding's fix is the edit to make in the bundle or the charm, at its file and line, not a command to run after deploy.

For a bundle, charm metadata (containers, endpoints, option types) comes from --charm NAME=PATH where given; what it would have decided is otherwise listed as not evaluated. A --charm whose charm is named otherwise than the charm the application deploys gets a warning.

Outputs of a deployed estate (juju status, juju dump-model, kubectl output) are refused with exit 2 (audit them with hardenctl audit --from), and so is a review with nothing to judge (a charmcraft.yaml with only build settings, an overlay without its bundle).

.charm archives are untrusted input: entry count, total size and compression ratio are capped; absolute names, '..' and symbolic links are refused; nothing is written to disk.

${EXIT_CODES_HELP}`

  static override examples = [
    {description: 'Gate a charm before publishing it', command: '<%= config.bin %> review ./my-charm'},
    {description: 'Review a bundle and its overlay with the charms it deploys, SARIF for code scanning', command: '<%= config.bin %> review bundle.yaml --overlay prod.yaml --charm postgresql=./postgresql-k8s_ubuntu@22.04-amd64.charm --format sarif -o review.sarif'},
  ]

  static override strict = false

  static override args = {
    paths: Args.string({description: 'Charm directories, .charm files and bundle files.'}),
  }

  static override flags = {
    overlay: Flags.string({multiple: true, description: 'An overlay bundle applied over the bundles, in order (repeatable), as with `juju deploy --overlay`.'}),
    charm: Flags.string({multiple: true, description: 'NAME=PATH: the charm (directory or .charm) of application or charm NAME in the bundle (repeatable).'}),
    ...reportFlags,
    ...tableViewFlags,
    'fail-on': Flags.option({
      options: [...SEVERITIES, 'never'] as const,
      default: 'high',
      description: 'Exit 1 when an unwaived finding is at or above this severity (review is a gate: default high).',
      env: 'HARDENCTL_FAIL_ON',
    })(),
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Review)
    const paths = argv as string[]
    checkTableView(flags)
    const failOn = flags['fail-on'] === 'never' ? undefined : flags['fail-on']
    const result = await runReview({
      paths,
      overlays: flags.overlay,
      charms: flags.charm,
      policyFile: flags.policy,
      profiles: flags.profile,
      failOn,
      toolVersion: this.config.version,
    })
    printWarnings(result.warnings)
    await emitReport(result.report, result.rules, {
      format: flags.format,
      output: flags.output,
      fallbackArtifactUri: paths[0] ?? '',
      quiet: flags.quiet,
      table: {byRule: flags.summary, ...(flags['min-severity'] === undefined ? {} : {minSeverity: flags['min-severity']})},
      html: {kind: 'review', inventory: result.inventory},
    })
    if (result.report.summary.failed) this.exit(ExitCode.findingsAtOrAboveThreshold)
  }
}
