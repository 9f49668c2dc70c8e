import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../src/cli/base-command.js'
import {LIVE_ENVIRONMENT_HELP, liveFlags} from '../src/cli/flags.js'
import {collectLiveFromFlags, printWarnings} from '../src/cli/live.js'
import {IncompleteError, InputError} from '../src/errors.js'
import {collectFleet, type FleetCollection} from '../src/host/fleet.js'
import {copyHostsInto} from '../src/host/snapshot-audit.js'
import {writeSnapshot} from '../src/sources/snapshot.js'

export default class Snapshot extends BaseCommand {
  static override summary = 'Write the live Juju and Kubernetes inventory to a directory, secrets removed.'

  static override description = `Collects what a live audit reads (Juju controllers over the Juju API, the Kubernetes cluster over its API) and writes it in the snapshot layout (README "Input layout"): juju status, show-model, users, offers, disabled-commands, controller-config and exported bundles per model, and kubectl-style lists per kind. Secret data, credential-looking options and environment values are replaced by <redacted>. "hardenctl audit --from DIR" on the result reports what "hardenctl audit" reported live.

${LIVE_ENVIRONMENT_HELP}

EXIT CODES
  0  the snapshot was written
  2  bad input or usage (a flag, a kubeconfig, controllers.yaml, an --out directory that is not empty)
  3  could not complete (a side unreachable, a login refused, a write failed); nothing is written`

  static override examples = [
    {description: 'Snapshot the current controller and cluster', command: '<%= config.bin %> snapshot --out estate-2026-11-23'},
    {description: 'Only the Juju side, two models', command: '<%= config.bin %> snapshot --out cos-only --no-kubernetes -m cos -m cos-lite'},
  ]

  static override flags = {
    // No -o: everywhere else -o names a report file, and a directory is only ever --out.
    out: Flags.string({required: true, description: 'Directory to create (must not exist or be empty).'}),
    hosts: Flags.string({
      multiple: true,
      description:
        'Also collect the machines of this Juju machine model (repeatable) as hardenctl host --juju-model does, into hosts/MODEL/MACHINE/ (the --root layout); audit --from reads them. Runs the read-only collection script on each machine through the Juju API (needs admin on the model).',
      exclusive: ['no-juju'],
    }),
    ...liveFlags,
  }

  async run(): Promise<void> {
    if (givesOutputFlag(this.argv)) {
      throw new InputError(undefined, 'snapshot writes a directory: give it with --out DIR (in every other command, -o/--output names the file the output goes to)')
    }
    const {flags} = await this.parse(Snapshot)
    const live = await collectLiveFromFlags(flags)
    printWarnings(live.warnings)
    // A snapshot is whole or not written: one side missing would read later as "nothing there".
    if (live.failures.length > 0) throw new IncompleteError(`${live.failures.map((failure) => failure.message).join('; ')} (no snapshot written)`)
    const fleets: {model: string; fleet: FleetCollection}[] = []
    try {
      for (const model of flags.hosts ?? []) {
        const fleet = await collectFleet({model, ...(flags.controller?.[0] ? {controller: flags.controller[0]} : {}), insecureSkipVerify: flags['juju-insecure-skip-verify']})
        fleets.push({model, fleet})
        printWarnings(fleet.warnings)
        if (fleet.notAudited.length > 0) throw new IncompleteError(`--hosts ${model}: machine${fleet.notAudited.length === 1 ? '' : 's'} ${fleet.notAudited.join(', ')} could not be collected (no snapshot written)`)
      }
      const written = await writeSnapshot(flags.out, live.documents, async (staging) => {
        const paths: string[] = []
        for (const {model, fleet} of fleets) paths.push(...(await copyHostsInto(staging, model, fleet.roots)))
        return paths
      })
      process.stderr.write(`hardenctl: wrote ${written.length} files to ${flags.out}\n`)
    } finally {
      for (const {fleet} of fleets) await fleet.cleanup()
    }
  }
}

/** `-o DIR`, `-oDIR`, `--output DIR` or `--output=DIR` before any `--`. */
function givesOutputFlag(argv: readonly string[]): boolean {
  const end = argv.indexOf('--')
  return (end === -1 ? argv : argv.slice(0, end)).some((token) => /^-o/.test(token) || token === '--output' || token.startsWith('--output='))
}
