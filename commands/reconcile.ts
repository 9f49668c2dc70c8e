import * as Errors from '@oclif/core/errors'
import * as Flags from '@oclif/core/flags'
import type * as Interfaces from '@oclif/core/interfaces'

import {BaseCommand} from '../src/cli/base-command.js'
import {policyReportMessages} from '../src/apply/policy-reports.js'
import {
  checkHtmlOutput,
  checkReportToCluster,
  LIVE_ENVIRONMENT_HELP,
  LIVE_ONLY_FLAGS,
  liveFlags,
  policyFlag,
  reportToClusterFlag,
} from '../src/cli/flags.js'
import {collectLiveFromFlags, liveLimits, printWarnings} from '../src/cli/live.js'
import {emit} from '../src/cli/output.js'
import {createProgress} from '../src/cli/progress.js'
import {ExitCode, IncompleteError, InputError} from '../src/errors.js'
import {planReachability} from '../src/netpol/after-plan.js'
import {renderPlanJson, renderPlanText} from '../src/plan/render.js'
import {type LoadedPolicy, loadPolicy} from '../src/policy/load.js'
import {renderPlanHtml} from '../src/report/html/index.js'
import {DEFAULT_MAX_CHANGES, runReconcile} from '../src/reconcile/run-reconcile.js'
import {formatDuration, parseInterval, reconcileLoop} from '../src/reconcile/watch.js'
import {UnchangedModels} from '../src/reconcile/unchanged-models.js'
import {collectWatchedPass} from '../src/reconcile/watched-live.js'
import {positiveWholeSchema, readVariable} from '../src/sources/environment.js'
import {type ControllerTarget, discoverJuju} from '../src/sources/juju-api/juju-data.js'
import {discoverKubernetes} from '../src/sources/kubernetes-api/discover.js'
import type {LiveCollection} from '../src/sources/live.js'

export default class Reconcile extends BaseCommand {
  static override summary = 'Apply least-privilege NetworkPolicies from the Juju relation graph, and the policy\'s Juju access, command blocks and exposure.'

  static override description = `For every Juju model namespace (and the controller namespace): a default-deny ingress policy, then one policy per application admitting its own units, the applications related to it (on the ports of its Services), consumers of its offers from their namespaces, and, for exposed applications on the policy's exposure allowlist, the allowed CIDRs. Juju's own traffic (model operator 17071, controller API 17070, controller database 37017) keeps working. Every rule says in the hardenctl.io/reason annotation which relation, offer or profile line produced it.

Applied with server-side apply (field manager hardenctl), allow policies first, then default-deny, then pruning of stale hardenctl policies; only objects labelled app.kubernetes.io/managed-by: hardenctl are ever changed or deleted. A namespace whose Juju or Kubernetes view is incomplete is left exactly as it is. A second run changes nothing.

On the Juju side, through the controllers' API (one call per change, each reported with before and after):
  access     revoke controller superuser, model admin/write/read and offer consume/admin beyond hardenctl.yaml's access section (nothing is ever granted); applied with access.enforce: true
  users      disable users idle longer than access.staleUserDays; applied with access.enforce and access.disableStaleUsers
  commands   switch on the command blocks (disable-command) the commands section asks for; blocks are never removed
  exposure   unexpose applications not on exposure.allow and, on machine models, narrow exposed endpoints to the allowed CIDRs; applied with exposure.enforce: true
A section that is not switched on is planned and printed, never applied. hardenctl never changes the access of the user it logs in as, of the controller's admin, or of a model's last admin. With more than --max-changes enforced Juju changes, none is made (NetworkPolicies are still applied).

Before any write, the reachability engine compares who reaches whom now and after the plan; the plan lists under "Closes:" every closed path the estate shows in use or intended (exposure, relations, Ingress backends, Juju agents, DNS), why, and whether the policy asked for it (exposure.enforce). A real run whose plan closes one the policy did not ask for refuses (exit 2) unless --allow-closing.

With --report-to-cluster, the audit findings are also written to the cluster after the apply: one wgpolicyk8s.io/v1alpha2 PolicyReport named hardenctl per Juju model namespace, updated in place (with --dry-run, validated with dryRun=All like every other write). They are the findings of the estate as read at the start of the run, before its changes. Without the PolicyReport CRD, one warning says so and the run goes on.

With --watch, hardenctl keeps running: a pass like the above every --interval, and about 5 seconds after a Namespace or Service is added, changed or deleted, or a Juju model, application, relation, consumed offer or command block is added or removed, or an application exposed, unexposed or given another charm. It lists the cluster once and then follows every kind it reads with watches (so its ClusterRole needs watch on them), listing again when the API server has dropped the history (410 Gone) and every --resync; it follows each controller's models with Juju's AllModelWatcher (Controller.WatchAllModels, which needs superuser; without it, Juju changes are seen at each --interval). Each pass reads the cluster from what the watches keep; a pass that changes brought asks the controllers only for the models the watch saw change, while the first pass and each --interval pass read every model afresh. One pass at a time; a pass that fails is reported on stderr and the next one runs. SIGINT or SIGTERM lets the current pass finish and exits 0.

${LIVE_ENVIRONMENT_HELP}

EXIT CODES
  0  converged (or, with --dry-run, the plan was made and validated)
  2  bad input or usage, or (without --dry-run and --allow-closing) a plan that would close a path in use the policy does not ask to close: nothing is written
  3  something did not converge: a failed or conflicting write, a failed Juju call, Juju changes held back by --max-changes, or a namespace left alone for lack of a full view`

  static override examples = [
    {description: 'Show what would change, validated by the API server, without changing anything', command: '<%= config.bin %> reconcile --dry-run'},
    {description: 'Plan from a snapshot, no cluster needed; the plan as JSON for review', command: '<%= config.bin %> reconcile --dry-run --from estate/ --format json'},
    {description: 'Apply (the CronJob runs this)', command: '<%= config.bin %> reconcile'},
    {description: 'Only the Juju side, for machine models', command: '<%= config.bin %> reconcile --no-kubernetes --dry-run'},
    {description: 'Stay running: apply every 10 minutes and soon after a namespace or Service changes', command: '<%= config.bin %> reconcile --watch --interval 10m'},
    {description: 'Apply, then write the audit findings as one PolicyReport per Juju model namespace', command: '<%= config.bin %> reconcile --report-to-cluster'},
  ]

  static override flags = {
    from: Flags.string({
      char: 'f',
      multiple: true,
      description: 'Plan from a snapshot directory or files instead of the live estate (needs --dry-run).',
      exclusive: [...LIVE_ONLY_FLAGS, 'namespace'],
    }),
    'dry-run': Flags.boolean({description: 'Print the plan and change nothing (against a cluster: server-side dry run, so the API server validates).', default: false}),
    'allow-closing': Flags.boolean({
      description: 'Apply even when the plan closes a path in use (exposure, a relation, an Ingress backend, Juju agents, DNS) that the policy does not ask to close; without it such a plan is refused (exit 2) before any write.',
      default: false,
    }),
    'force-conflicts': Flags.boolean({description: 'Take over fields another field manager owns instead of reporting the conflict.', default: false}),
    format: Flags.option({
      options: ['table', 'json', 'html'] as const,
      default: 'table' as const,
      description: 'table for people; json prints the ReconcilePlan; html (with --dry-run and -o FILE) is one self-contained page: the relation graph with reachability before and after, and the plan.',
    })(),
    output: Flags.string({char: 'o', description: 'Write the plan/result to this file instead of stdout.'}),
    ...policyFlag,
    'max-changes': Flags.custom<number>({
      description: 'Make no Juju change at all when more than this many would be made (the plan is printed instead).',
      default: DEFAULT_MAX_CHANGES,
      parse: async (input) => {
        if (!/^\d+$/.test(input.trim())) throw new Errors.CLIError(`expected a whole number of changes, 0 or more (got ${JSON.stringify(input)})`)
        return Number(input.trim())
      },
    })(),
    watch: Flags.boolean({description: 'Keep running: reconcile every --interval and soon after a Namespace, a Service or a Juju model changes, until SIGINT/SIGTERM.', default: false}),
    interval: Flags.string({description: 'With --watch: time between passes when nothing changes: 30s, 5m, 1h, or seconds. Default: 5m.'}),
    resync: Flags.string({description: 'With --watch: list the whole cluster again this often, whatever the watches saw: 30m, 1h, 12h, or seconds. Default: 1h.'}),
    ...reportToClusterFlag,
    ...liveFlags,
  }

  /** Plan notes a --watch pass already printed on stdout: later passes count them instead of repeating them. */
  private readonly notesShown = new Set<string>()
  /** Report warnings (CRD missing, permission missing, foreign reports) already printed: --watch says each once. */
  private readonly reportWarningsShown = new Set<string>()

  async run(): Promise<void> {
    const {flags} = await this.parse(Reconcile)
    checkReportToCluster(flags)
    if (flags.watch && flags.format === 'html') throw new InputError(undefined, '--format html draws one plan; it cannot be used with --watch')
    if (flags.format === 'html' && !flags['dry-run'] && !flags.watch) throw new InputError(undefined, '--format html draws the plan: add --dry-run')
    checkHtmlOutput(flags)
    if (flags.watch) return this.watch(flags)
    if (flags.interval !== undefined) throw new InputError(undefined, '--interval needs --watch')
    if (flags.resync !== undefined) throw new InputError(undefined, '--resync needs --watch')
    const policy = await loadPolicy(flags.policy)
    const live = flags.from?.length ? undefined : await collectLiveFromFlags(flags)
    const {converged} = await this.reconcileAndPrint(flags, live, {policy})
    if (!converged) this.exit(ExitCode.couldNotComplete)
  }

  /**
   * One pass: plan (and apply), print the plan or result; false when it did not converge. Without
   * `policy` (--watch) the pass reads the policy file again, so edits to it apply from the next pass.
   * A `watching` pass's JSON is one line and names unchanged policies rather than printing them.
   */
  private async reconcileAndPrint(
    flags: Interfaces.InferredFlags<typeof Reconcile.flags>,
    live: LiveCollection | undefined,
    {watching = false, separate = false, policy}: {watching?: boolean; separate?: boolean; policy?: LoadedPolicy} = {},
  ): Promise<{converged: boolean; jujuWritten: boolean}> {
    const progress = createProgress('Reconciling')
    let result
    try {
      result = await runReconcile({
        from: flags.from,
        live,
        kubeConfig: live?.kubeConfig,
        policyFile: flags.policy,
        ...(policy ? {policy} : {}),
        dryRun: flags['dry-run'],
        forceConflicts: flags['force-conflicts'],
        allowClosing: flags['allow-closing'],
        maxChanges: flags['max-changes'],
        reportToCluster: flags['report-to-cluster'],
        toolVersion: this.config.version,
        onProgress: (message) => progress.update(message),
      })
    } finally {
      progress.done()
    }
    printWarnings(result.warnings)
    const text =
      flags.format === 'json'
        ? renderPlanJson(result.plan, result.applied, result.juju, result.policyReports, {watchPass: watching})
        : flags.format === 'html'
          ? renderPlanHtml(result.plan, result.inventory, planReachability(result.inventory.kubernetes, result.plan), {
              inputs: flags.from ?? ['live'],
              ...(flags.policy === undefined ? {} : {policy: flags.policy}),
              tool: `hardenctl ${this.config.version}`,
              generatedAt: new Date().toISOString(),
            })
          : renderPlanText(result.plan, {
              dryRun: flags['dry-run'],
              applied: result.applied,
              juju: result.juju,
              // On stdout a watch pass repeats no note an earlier one printed; --output holds each pass whole.
              ...(watching && flags.output === undefined ? {notesShown: this.notesShown} : {}),
            })
    // Watch passes: one block each on stdout, a blank line between (JSON: one line each); --output holds the latest.
    await emit(separate && flags.output === undefined && flags.format !== 'json' ? `\n${text}` : text, flags.output)
    if (result.policyReports) {
      const {lines, warnings} = policyReportMessages(result.policyReports)
      for (const line of lines) process.stderr.write(`hardenctl: ${line}\n`)
      const fresh = warnings.filter((warning) => !this.reportWarningsShown.has(warning))
      for (const warning of fresh) this.reportWarningsShown.add(warning)
      printWarnings(fresh)
    }
    // A Juju write sent, applied or not, may have changed what a model shows.
    return {converged: result.converged && (live?.failures.length ?? 0) === 0, jujuWritten: result.juju.applied + result.juju.failed > 0}
  }

  /** `--watch`: passes like the one above, every --interval and soon after a change, until SIGINT/SIGTERM. */
  private async watch(flags: Interfaces.InferredFlags<typeof Reconcile.flags>): Promise<void> {
    if (flags.from?.length) throw new InputError(undefined, '--watch follows the live estate; a snapshot (--from) does not change')
    const intervalMs = parseInterval(flags.interval ?? '5m')
    const resyncMs = flags.resync === undefined ? undefined : parseInterval(flags.resync, '--resync')
    const {maxResponseBytes} = liveLimits(flags.timeout, process.env)
    // Test seam: stop after this many passes, so a test of the loop ends by itself.
    const maxPasses = positiveWhole('HARDENCTL_WATCH_MAX_PASSES', process.env.HARDENCTL_WATCH_MAX_PASSES)
    // Test seam: a shorter wait after a change than the 5 s a cluster's bursts of changes need.
    const debounceMs = positiveWhole('HARDENCTL_WATCH_DEBOUNCE_MS', process.env.HARDENCTL_WATCH_DEBOUNCE_MS)
    if (flags['no-kubernetes']) throw new InputError(undefined, '--watch needs the Kubernetes cluster (it applies there and watches it); drop --no-kubernetes')
    const cluster = await discoverKubernetes({kubeconfig: flags.kubeconfig, context: flags.context})
    if (!cluster.found) throw new InputError(undefined, `reconcile --watch needs a Kubernetes cluster: ${cluster.reason}`)

    // The controllers' models are watched as the cluster is: their changes start a pass. A Juju
    // configuration that cannot be read is left to the passes, which report it.
    const jujuFound = flags['no-juju'] ? undefined : discoverJujuQuietly(flags.controller)

    const unchangedModels = new UnchangedModels()
    const stop = new AbortController()
    let signals = 0
    const onSignal = (name: NodeJS.Signals): void => {
      // A second signal does not wait for the pass: each write is atomic, the next run converges.
      if (++signals > 1) {
        process.stderr.write(`hardenctl: ${name} again: stopping now\n`)
        process.exit(ExitCode.ok)
      }
      stop.abort(name)
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    let printed = false
    try {
      await reconcileLoop({
        intervalMs,
        maxPasses,
        ...(debounceMs === undefined ? {} : {debounceMs}),
        kubeConfig: cluster.config,
        kubernetesDescription: cluster.description,
        namespaces: flags.namespace,
        resyncMs,
        maxResponseBytes,
        ...(jujuFound ? {juju: {controllers: jujuFound, models: flags.model, insecureSkipVerify: flags['juju-insecure-skip-verify']}} : {}),
        signal: stop.signal,
        log: (line) => process.stderr.write(`${line}\n`),
        pass: async (pass, watched, context) => {
          const live = watched
            ? await collectWatchedPass({
                cluster: watched,
                kubeConfig: cluster.config,
                description: cluster.description,
                juju: flags['no-juju'] ? false : {controllers: flags.controller},
                collectJuju: () =>
                  unchangedModels.collectForPass(
                    pass,
                    context,
                    (reuse) => collectLiveFromFlags({...flags, 'no-kubernetes': true}, {jujuReuse: reuse}),
                    (line) => process.stderr.write(`${line}\n`),
                  ),
              })
            : await collectLiveFromFlags(flags)
          if (!live.kubeConfig) throw new IncompleteError(live.failures.map((failure) => failure.message).join('; ') || 'the Kubernetes cluster was not inspected')
          let reconciled: {converged: boolean; jujuWritten: boolean} | undefined
          try {
            reconciled = await this.reconcileAndPrint(flags, live, {watching: true, separate: printed})
          } finally {
            unchangedModels.afterPass(reconciled?.jujuWritten)
          }
          const {converged} = reconciled
          printed = true
          if (!converged) {
            process.stderr.write(`hardenctl: pass ${pass} did not converge; trying again on the next change or in ${formatDuration(intervalMs)}\n`)
          }
        },
      })
    } finally {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
  }
}

function discoverJujuQuietly(controllers: string[] | undefined): ControllerTarget[] | undefined {
  try {
    const found = discoverJuju({controllers, env: process.env})
    return found.found ? found.controllers : undefined
  } catch {
    return undefined
  }
}

function positiveWhole(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined
  return readVariable(positiveWholeSchema, name, value)
}
