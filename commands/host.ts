import * as Flags from '@oclif/core/flags'

import {BaseCommand, EXIT_CODES_HELP} from '../src/cli/base-command.js'
import {checkTableView, reportFlags, tableViewFlags} from '../src/cli/flags.js'
import {printWarnings} from '../src/cli/live.js'
import {emitReport} from '../src/cli/output.js'
import {ExitCode} from '../src/errors.js'
import {createProgress} from '../src/cli/progress.js'
import {collectFleet, type FleetCollection} from '../src/host/fleet.js'
import {localRoot} from '../src/host/local.js'
import {type HostRootSpec, runHostAudit} from '../src/host/run-host.js'
import {loadPolicy} from '../src/policy/load.js'

export default class Host extends BaseCommand {
  static override summary = 'Audit MAAS and Landscape hosts: file permissions, login failures, listening ports, firewall, TLS.'

  static override description = `Reads the host's own files and never executes anything on it or writes to it: MAAS regiond.conf and rackd.conf (deb: /etc/maas, snap: /var/snap/maas/current) with owners from the host's etc/passwd and etc/group, regiond.log and auth.log (newest first, as far back as the policy's host.logLookbackHours), listening sockets from proc/net/tcp, tcp6, udp and udp6, ufw's configuration, haproxy.cfg, nginx and Apache sites, postgresql.conf and pg_hba.conf, and Landscape's client.conf. No configuration value that could be a secret (regiond.conf's database password, client.conf's registration key) is read into a report.

Without flags, audits this host (/). With --root DIR, audits a directory laid out like a host's / (a mounted image, a copy, a fixture) with the same code; symlinks are never followed out of it.

With --juju-model MODEL, runs one fixed, read-only collection script on each machine of that Juju machine model through the Juju API (Action.Run, what juju exec uses; needs admin on the model): the stat of the MAAS configuration files, only the lines of configuration files the rules judge, the newest part of regiond.log and auth.log, proc/net and ufw's configuration. The results are audited here; findings name controller, model and machine. A machine that cannot be collected is a warning.

A host with neither MAAS nor Landscape Client gets no findings. A rule whose file is absent on a host where its product is installed is listed as not evaluated.

${EXIT_CODES_HELP}`

  static override examples = [
    {description: 'Audit this host', command: '<%= config.bin %> host'},
    {description: 'Audit a copy of a MAAS region controller\'s files', command: '<%= config.bin %> host --root /mnt/maas-region'},
    {description: 'Audit machines 0 and 1 of the Juju model maas', command: '<%= config.bin %> host --juju-model maas --machine 0 --machine 1'},
    {description: 'SARIF for code scanning, failing on high findings', command: '<%= config.bin %> host --format sarif -o host.sarif --fail-on high'},
  ]

  static override flags = {
    root: Flags.string({description: 'A directory laid out like a host\'s / to audit instead of this host.', exclusive: ['juju-model']}),
    'juju-model': Flags.string({
      description: 'Audit the machines of this Juju machine model (name or owner/name): one fixed, read-only collection per machine through the Juju API (as juju exec does), audited here.',
    }),
    machine: Flags.string({multiple: true, description: 'With --juju-model: only these machines (repeatable). Default: every top-level machine.', dependsOn: ['juju-model']}),
    controller: Flags.string({description: 'With --juju-model: the controller from $JUJU_DATA/controllers.yaml. Default: the current controller.', dependsOn: ['juju-model']}),
    'juju-insecure-skip-verify': Flags.boolean({
      description: 'With --juju-model: do not verify the controller certificate. Anyone on the path can impersonate the controller; for labs only.',
      default: false,
    }),
    ...reportFlags,
    ...tableViewFlags,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Host)
    checkTableView(flags)
    // Validated before anything is collected, as every command that takes --policy does.
    const policy = await loadPolicy(flags.policy)
    const fleet = flags['juju-model'] ? await this.collect(flags['juju-model'], flags) : undefined
    const roots: HostRootSpec[] = fleet ? fleet.roots : [await localRoot(flags.root)]
    let result
    try {
      result = await runHostAudit({
        roots,
        policy,
        profiles: flags.profile,
        failOn: flags['fail-on'] === 'never' ? undefined : flags['fail-on'],
        toolVersion: this.config.version,
        warnings: fleet?.warnings ?? [],
      })
    } finally {
      await fleet?.cleanup()
    }
    printWarnings(result.warnings)
    await emitReport(result.report, result.rules, {
      format: flags.format,
      output: flags.output,
      fallbackArtifactUri: roots[0]?.source ?? 'host:',
      html: {kind: 'audit', inventory: result.inventory},
      quiet: flags.quiet,
      table: {
        byRule: flags.summary,
        ...(flags['min-severity'] === undefined ? {} : {minSeverity: flags['min-severity']}),
      },
    })
    if (result.report.summary.failed) this.exit(ExitCode.findingsAtOrAboveThreshold)
    // Machines the fleet could not audit: the report covers the others, the run did not complete.
    if (fleet && fleet.notAudited.length > 0) this.exit(ExitCode.couldNotComplete)
  }

  private async collect(model: string, flags: {machine?: string[]; controller?: string; 'juju-insecure-skip-verify': boolean}): Promise<FleetCollection> {
    if (flags['juju-insecure-skip-verify']) {
      process.stderr.write('hardenctl: WARNING: --juju-insecure-skip-verify: the Juju controller certificate is NOT verified\n')
    }
    const progress = createProgress('Collecting')
    try {
      return await collectFleet({
        model,
        ...(flags.machine ? {machines: flags.machine} : {}),
        ...(flags.controller ? {controller: flags.controller} : {}),
        insecureSkipVerify: flags['juju-insecure-skip-verify'],
        onProgress: (message) => progress.update(message),
      })
    } finally {
      progress.done()
    }
  }
}
