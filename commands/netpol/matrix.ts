import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../../src/cli/base-command.js'
import {checkHtmlOutput, netpolSourceFlags} from '../../src/cli/flags.js'
import {netpolSourceFromFlags, printWarnings} from '../../src/cli/live.js'
import {emit} from '../../src/cli/output.js'
import {loadNetpolInput, selectNamespaces} from '../../src/netpol/command-input.js'
import {matrixEntries} from '../../src/netpol/entries.js'
import {reachabilityMatrix} from '../../src/netpol/matrix.js'
import {renderMatrixJson, renderMatrixTable, SOURCE_LEGEND} from '../../src/netpol/render.js'
import {renderMatrixHtml} from '../../src/report/html/index.js'

export const NETPOL_EXIT_CODES = `EXIT CODES
  0  printed
  2  bad input or usage (an unknown namespace, class or port)
  3  could not complete`

export default class NetpolMatrix extends BaseCommand {
  static override summary = 'Show which applications can reach which, and on which ports, under the NetworkPolicies.'

  static override description = `Reads namespaces, pods and NetworkPolicies from the live cluster (or --from: kubectl get namespaces,pods,networkpolicies -A -o json output, or a snapshot directory); with --plan, the policies a reconcile would leave instead of the current ones. Evaluates the policies the way the API defines them: a pod is isolated only when a policy selects it, rules add up, and a connection needs the source's egress and the destination's ingress.

Pods are grouped into classes, one per application (pods of a namespace with the same labels, named by app.kubernetes.io/name). For each class it lists who can reach it and on which ports, then what can reach addresses outside the cluster. ${SOURCE_LEGEND} "outside" stands for the Internet at large: only 0.0.0.0/0 or ::/0 ipBlocks admit it; ask "netpol explain" with an address for narrower blocks. Pods on the host network are beyond NetworkPolicy and marked as such. Connections opened before a policy may survive it.

${NETPOL_EXIT_CODES}`

  static override examples = [
    {description: 'Who reaches what in the Livepatch example', command: '<%= config.bin %> netpol matrix --from examples/livepatch-k8s/kubernetes'},
    {description: 'One namespace, as JSON', command: '<%= config.bin %> netpol matrix --from snapshot/ --namespace livepatch --format json'},
    {description: 'What the cluster would allow after reconcile', command: '<%= config.bin %> netpol matrix --plan'},
  ]

  static override flags = {
    ...netpolSourceFlags,
    namespace: Flags.string({
      char: 'n',
      multiple: true,
      description: 'Only the applications of this namespace as destinations, and what they reach outside the cluster (repeatable). Default: all.',
    }),
    format: Flags.option({options: ['table', 'json', 'html'] as const, default: 'table' as const, description: 'Output format; html (with -o FILE) draws each Juju model and namespace with who reaches whom (before and after, with --plan).'})(),
    output: Flags.string({char: 'o', description: 'Write to this file instead of stdout.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(NetpolMatrix)
    checkHtmlOutput(flags)
    const loaded = await loadNetpolInput({...(await netpolSourceFromFlags(flags)), estate: flags.format === 'html'})
    const namespaces = selectNamespaces(loaded.namespaces, flags.namespace)
    const matrix = reachabilityMatrix(loaded.input, loaded.classes)
    const entries = matrixEntries(matrix, flags.namespace?.length ? {namespaces} : {})
    printWarnings(loaded.warnings)
    const text =
      flags.format === 'json'
        ? renderMatrixJson(matrix, entries, namespaces, loaded.warnings)
        : flags.format === 'html'
          ? renderMatrixHtml(loaded.inventory, {input: loaded.input, ...(loaded.before ? {before: loaded.before} : {}), classes: loaded.classes, namespaces}, {
              inputs: flags.from ?? ['live'],
              tool: `hardenctl ${this.config.version}`,
              generatedAt: new Date().toISOString(),
            })
          : renderMatrixTable(matrix, entries, namespaces)
    await emit(text, flags.output)
  }
}
