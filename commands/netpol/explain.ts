import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../../src/cli/base-command.js'
import {netpolSourceFlags} from '../../src/cli/flags.js'
import {netpolSourceFromFlags, printWarnings} from '../../src/cli/live.js'
import {emit} from '../../src/cli/output.js'
import {InputError} from '../../src/errors.js'
import {loadNetpolInput, parseEndpoint, parsePort} from '../../src/netpol/command-input.js'
import {explain} from '../../src/netpol/explain.js'
import {renderVerdictJson, renderVerdictText} from '../../src/netpol/render.js'
import {isOutside} from '../../src/netpol/types.js'
import {NETPOL_EXIT_CODES} from './matrix.js'

export default class NetpolExplain extends BaseCommand {
  static override summary = 'Say whether one connection is allowed under the NetworkPolicies, and which policy rule decides.'

  static override description = `FROM and TO are applications as namespace/app (the app.kubernetes.io/name label, or a pod name), "outside" (the Internet at large) or an IP address outside the cluster. PORT is 5432, 5432/TCP, 53/UDP or one of TO's container port names; the protocol defaults to TCP.

Prints ALLOWED or DENIED, then each side: FROM's egress and TO's ingress, which policies isolate them, which rule (policy, rule, peer and port index) admits the connection, or, for a denial, the rules that admit the peer but not the port or the port but not the peer. The exit code does not depend on the verdict.

${NETPOL_EXIT_CODES}`

  static override examples = [
    {description: 'Can Livepatch reach its database?', command: '<%= config.bin %> netpol explain livepatch/livepatch livepatch/postgresql 5432 --from examples/livepatch-k8s/kubernetes'},
    {description: 'From an address on the Internet, by port name', command: '<%= config.bin %> netpol explain 203.0.113.7 livepatch/modeloperator api --from snapshot/'},
  ]

  static override args = {
    from: Args.string({required: true, description: 'namespace/app, "outside" or an IP address'}),
    to: Args.string({required: true, description: 'namespace/app, "outside" or an IP address'}),
    port: Args.string({required: true, description: '5432, 5432/TCP, 53/UDP or a port name of TO'}),
  }

  static override flags = {
    ...netpolSourceFlags,
    format: Flags.option({options: ['text', 'json'] as const, default: 'text' as const, description: 'Output format.'})(),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(NetpolExplain)
    const loaded = await loadNetpolInput(await netpolSourceFromFlags(flags))
    const from = parseEndpoint(args.from, loaded.classes, 'FROM')
    const to = parseEndpoint(args.to, loaded.classes, 'TO')
    if (isOutside(from) && isOutside(to)) throw new InputError(undefined, 'FROM and TO are both outside the cluster: NetworkPolicy has nothing to say')
    const port = parsePort(args.port, to)
    const verdict = explain(loaded.input, from, to, {port: port.name ?? port.port, protocol: port.protocol})
    printWarnings(loaded.warnings)
    await emit(flags.format === 'json' ? renderVerdictJson(verdict) : renderVerdictText(verdict), undefined)
  }
}
