import * as Flags from '@oclif/core/flags'

import {InputError} from '../errors.js'
import {PROFILES, SEVERITIES} from '../findings/types.js'
import {REPORT_FORMATS} from '../report/index.js'

/**
 * `--profile`: repeatable, and comma-separated like kubectl's lists (`--profile juju,k8s`); every
 * value is checked against the profiles.
 */
export function profileFlag(description: string) {
  return Flags.option({options: PROFILES, multiple: true, delimiter: ',', description})()
}

/**
 * `--policy`, the same on every command that takes it (audit, review, reconcile, netpol): each
 * loads and validates it with src/policy/load.ts before reading anything else.
 */
export const policyFlag = {
  policy: Flags.string({
    description:
      'Policy file (allowlists, waivers; "hardenctl policy init" writes a starter). Default: ./hardenctl.yaml when it exists. A missing or invalid policy is refused (exit 2) with every problem in it.',
    env: 'HARDENCTL_POLICY',
  }),
}

/** Flags shared by the commands that read an estate and print a report. */
export const reportFlags = {
  format: Flags.option({
    options: REPORT_FORMATS,
    default: 'table' as const,
    description: 'Report format: a table for people, JSON (the stable contract), SARIF 2.1.0 or JUnit XML for CI, or html (one self-contained page with the relation graph; needs -o FILE).',
    env: 'HARDENCTL_FORMAT',
  })(),
  output: Flags.string({
    char: 'o',
    description: 'Write the report to this file instead of stdout; the one-line summary then goes to stderr.',
    env: 'HARDENCTL_OUTPUT',
  }),
  ...policyFlag,
  profile: profileFlag('Run only these rule profiles (repeatable or comma-separated: juju,k8s). Default: chosen from the charms present.'),
  'fail-on': Flags.option({
    options: [...SEVERITIES, 'never'] as const,
    description: 'Exit 1 when an unwaived finding is at or above this severity.',
    env: 'HARDENCTL_FAIL_ON',
  })(),
}

/** Flags that shape the table (audit and review): a compact view, a display filter, a quiet mode. */
export const tableViewFlags = {
  summary: Flags.boolean({
    description: 'Table: one row per rule (worst severity, findings, how many are auto-fixable) instead of one per finding.',
    default: false,
  }),
  'min-severity': Flags.option({
    options: SEVERITIES,
    description: 'Table: show only findings at or above this severity (the summary line and --fail-on still count all).',
  })(),
  quiet: Flags.boolean({
    char: 'q',
    description: 'Print only the one-line summary (for CI); with -o FILE, the report still goes to FILE.',
    default: false,
  }),
}

export interface TableViewFlagValues {
  format: string
  output?: string | undefined
  summary: boolean
  'min-severity'?: string | undefined
  quiet: boolean
}

/** The table-only flags make no sense for JSON, SARIF or JUnit, whose shape is a contract: refuse them. */
export function checkTableView(flags: TableViewFlagValues): void {
  checkHtmlOutput(flags)
  if (flags.quiet && flags.summary) throw new InputError(undefined, '--quiet prints only the summary line; drop --summary or --quiet')
  if (flags.format === 'table') return
  for (const flag of ['summary', 'min-severity'] as const) {
    if (flags[flag]) throw new InputError(undefined, `--${flag} shapes the table; --format ${flags.format} always holds every finding`)
  }
  if (flags.quiet && flags.output === undefined) {
    throw new InputError(undefined, `--quiet prints only the summary line; write the ${flags.format} report to a file with -o FILE`)
  }
}

/** `--format html` is a page to open or forward, never terminal output: it needs `-o FILE`. */
export function checkHtmlOutput(flags: {format: string; output?: string | undefined}): void {
  if (flags.format === 'html' && flags.output === undefined) throw new InputError(undefined, '--format html writes a page: add -o FILE (e.g. -o report.html)')
}

/**
 * `--report-to-cluster` (audit and reconcile, live runs only): the findings as one
 * wgpolicyk8s.io/v1alpha2 PolicyReport per audited namespace (src/apply/policy-reports.ts).
 */
export const reportToClusterFlag = {
  'report-to-cluster': Flags.boolean({
    description:
      'Also write the findings to the cluster: one wgpolicyk8s.io/v1alpha2 PolicyReport named hardenctl per audited namespace, updated in place (needs the PolicyReport CRD; live runs only).',
    default: false,
  }),
}

/** `--report-to-cluster` writes to the cluster the live run inspected: a snapshot has none. */
/** `--report-to-cluster` writes to the live cluster: refuse the flags that leave none. */
export function checkReportToCluster(flags: {'report-to-cluster'?: boolean; from?: string[]; 'no-kubernetes'?: boolean}): void {
  if (!flags['report-to-cluster']) return
  if (flags.from?.length) throw new InputError(undefined, '--report-to-cluster writes to the live cluster; it cannot be used with --from (a snapshot)')
  if (flags['no-kubernetes']) throw new InputError(undefined, '--report-to-cluster writes to the Kubernetes cluster; it cannot be used with --no-kubernetes')
}

export const LIVE_ENVIRONMENT_HELP = `LIVE ESTATE ENVIRONMENT
  JUJU_DATA: juju client state, controllers.yaml and accounts.yaml (default ~/.local/share/juju).
  HARDENCTL_JUJU_ENDPOINTS: one controller's host:port list, used instead of JUJU_DATA (in a cluster).
  HARDENCTL_JUJU_CA_CERT or HARDENCTL_JUJU_CA_CERT_FILE: that controller's CA (PEM).
  HARDENCTL_JUJU_USER, HARDENCTL_JUJU_PASSWORD or HARDENCTL_JUJU_PASSWORD_FILE: the login.
  HARDENCTL_JUJU_CONTROLLER: the controller's name in reports (default "controller").
  KUBECONFIG: kubeconfig file(s); else ~/.kube/config; else the in-cluster service account.
  HARDENCTL_TIMEOUT: as --timeout (the flag wins).
  HARDENCTL_MAX_RESPONSE_MB: the largest Kubernetes API answer read, in MiB (default 64).`

/** The live flags, which `--from` (a snapshot) excludes. */
export const LIVE_ONLY_FLAGS = ['no-juju', 'no-kubernetes', 'controller', 'model', 'kubeconfig', 'context', 'juju-insecure-skip-verify', 'timeout']

/** Flags of the commands that read the live estate (audit without --from, snapshot). */
export const liveFlags = {
  'no-juju': Flags.boolean({description: 'Do not inspect Juju controllers.', default: false}),
  'no-kubernetes': Flags.boolean({description: 'Do not inspect the Kubernetes cluster.', default: false}),
  controller: Flags.string({
    multiple: true,
    description: 'Juju controller from $JUJU_DATA/controllers.yaml (repeatable). Default: the current controller.',
  }),
  model: Flags.string({
    char: 'm',
    multiple: true,
    description: 'Juju model name or owner/name (repeatable). Default: every model the user can see.',
  }),
  'juju-insecure-skip-verify': Flags.boolean({
    description: 'Do not verify the controller certificate. Anyone on the path can impersonate the controller; for labs only.',
    default: false,
  }),
  kubeconfig: Flags.string({description: 'Kubeconfig file. Default: $KUBECONFIG, ~/.kube/config, or the in-cluster service account.'}),
  context: Flags.string({description: 'Kubeconfig context. Default: the current context.'}),
  namespace: Flags.string({
    char: 'n',
    multiple: true,
    description: "Kubernetes namespace to keep (repeatable). Default: all. Objects are still listed cluster-wide; ingress controllers', Gateways' and Prometheus Operator's pods, Gateways, and the routes and monitors into the kept namespaces are kept from every namespace (a plan admits their backends from where those pods run).",
  }),
  timeout: Flags.string({
    description: 'The longest the live collection may take, every request, retry and wait included: 90s, 10m, 1h30m. Default: 10m, or $HARDENCTL_TIMEOUT.',
  }),
}

export interface LiveFlagValues {
  'no-juju': boolean
  'no-kubernetes': boolean
  controller?: string[]
  model?: string[]
  'juju-insecure-skip-verify': boolean
  kubeconfig?: string
  context?: string
  namespace?: string[]
  timeout?: string
}

/** The netpol commands' input: a snapshot, or the live cluster (and Juju, for --plan). */
export const netpolSourceFlags = {
  from: Flags.string({
    char: 'f',
    multiple: true,
    description: 'Read a snapshot directory or files (namespaces, pods, NetworkPolicies; Juju status too for --plan) instead of the live cluster; repeatable.',
    exclusive: LIVE_ONLY_FLAGS,
  }),
  plan: Flags.boolean({description: 'Judge the policies a reconcile would leave: the live ones with the reconcile plan applied.', default: false}),
  ...policyFlag,
  ...liveFlags,
}
