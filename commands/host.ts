import {Flags} from '@oclif/core'

import {BaseCommand, EXIT_CODES_HELP} from '../src/cli/base-command.js'
import {checkTableView, reportFlags, tableViewFlags} from '../src/cli/flags.js'
import {printWarnings} from '../src/cli/live.js'
import {emitReport} from '../src/cli/output.js'
import {ExitCode} from '../src/errors.js'
import {localRoot} from '../src/host/local.js'
import {runHostAudit} from '../src/host/run-host.js'

export default class Host extends BaseCommand {
  static override summary = 'Audit MAAS and Landscape hosts: file permissions, login failures, listening ports, firewall, TLS.'

  static override description = `Reads the host's own files and never executes anything on it or writes to it: MAAS regiond.conf and rackd.conf (deb: /etc/maas, snap: /var/snap/maas/current) with owners from the host's etc/passwd and etc/group, regiond.log and auth.log (newest first, as far back as the policy's host.logLookbackHours), listening sockets from proc/net/tcp, tcp6, udp and udp6, ufw's configuration, haproxy.cfg, nginx and Apache sites, postgresql.conf and pg_hba.conf, and Landscape's client.conf. No configuration value that could be a secret (regiond.conf's database password, client.conf's registration key) is read into a report.

Without flags, audits this host (/). With --root DIR, audits a directory laid out like a host's / (a mounted image, a copy, a fixture) with the same code; symlinks are never followed out of it.

A host with neither MAAS nor Landscape Client gets no findings. A rule whose file is absent on a host where its product is installed is listed as not evaluated.

${EXIT_CODES_HELP}`

  static override examples = [
    {description: 'Audit this host', command: '<%= config.bin %> host'},
    {description: 'Audit a copy of a MAAS region controller\'s files', command: '<%= config.bin %> host --root /mnt/maas-region'},
    {description: 'SARIF for code scanning, failing on high findings', command: '<%= config.bin %> host --format sarif -o host.sarif --fail-on high'},
  ]

  static override flags = {
    root: Flags.string({description: 'A directory laid out like a host\'s / to audit instead of this host.'}),
    ...reportFlags,
    ...tableViewFlags,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Host)
    checkTableView(flags)
    const root = await localRoot(flags.root)
    const result = await runHostAudit({
      roots: [root],
      policyFile: flags.policy,
      profiles: flags.profile,
      failOn: flags['fail-on'] === 'never' ? undefined : flags['fail-on'],
      toolVersion: this.config.version,
    })
    printWarnings(result.warnings)
    await emitReport(result.report, result.rules, {
      format: flags.format,
      output: flags.output,
      fallbackArtifactUri: root.source,
      quiet: flags.quiet,
      table: {
        byRule: flags.summary,
        ...(flags['min-severity'] === undefined ? {} : {minSeverity: flags['min-severity']}),
      },
    })
    if (result.report.summary.failed) this.exit(ExitCode.findingsAtOrAboveThreshold)
  }
}
