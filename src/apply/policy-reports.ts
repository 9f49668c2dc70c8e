/**
 * Writes the audit findings to the cluster as PolicyReports (src/report/policy-report.ts): one
 * `wgpolicyk8s.io/v1alpha2` PolicyReport named `hardenctl` per audited namespace, updated in
 * place each run, through the same HTTP exchange and retries as the NetworkPolicy applier.
 *
 * - One cluster-wide LIST of the reports named `hardenctl` (`fieldSelector=metadata.name=hardenctl`,
 *   paginated) says whether the CRD is installed (404: one warning, nothing else is sent), which
 *   reports exist, which are hardenctl's (label `app.kubernetes.io/managed-by: hardenctl`) and
 *   what they hold.
 * - A report is written with server-side apply (field manager `hardenctl`, `force=true`: the
 *   reports are entirely hardenctl's own), `dryRun=All` in a dry run. A result found before keeps
 *   the timestamp it was first found at, and a report whose content did not change is not
 *   written at all, so an estate that does not change costs etcd nothing.
 * - A report named `hardenctl` without the label is someone else's: left alone, with a warning.
 * - A hardenctl report in a namespace this run saw that is no longer audited (neither a Juju model
 *   namespace nor in the policy's `kubernetes.namespaces`) is deleted, conditional on the
 *   resourceVersion and uid listed. Namespaces the run did not see (`--namespace`) are never pruned.
 * - 403 is one warning naming the permission that is missing; it does not fail the run, nor does
 *   a missing CRD. Other failures do (the caller exits 3); 401 stops the run.
 */

import type {KubeConfig} from '@kubernetes/client-node'

import {IncompleteError} from '../errors.js'
import {FIELD_MANAGER, MANAGED_BY_LABEL, MANAGED_BY_VALUE} from '../plan/types.js'
import {
  buildPolicyReports,
  POLICY_REPORT_API_VERSION,
  POLICY_REPORT_GROUP,
  POLICY_REPORT_NAME,
  POLICY_REPORT_PLURAL,
  type PolicyReportInputs,
  type PolicyReportObject,
  type PolicyReportResult,
} from '../report/policy-report.js'
import {type Answer, connect, type ConnectionOptions, describeStatus, isRecord, type Json, unauthorized, withRetries} from '../sources/kubernetes-api/http.js'
import {describeConflict, sendWrite, type WriteSession} from './request.js'
import {sameData} from '../plan/same-data.js'

/** Where to get the CRD when it is missing. */
export const POLICY_REPORT_CRD_URL = 'https://github.com/kubernetes-sigs/wg-policy-prototypes/tree/master/policy-report/crd/v1alpha2'

const RESOURCE = `${POLICY_REPORT_PLURAL}.${POLICY_REPORT_GROUP}`
const LIST_PATH = `/apis/${POLICY_REPORT_API_VERSION}/${POLICY_REPORT_PLURAL}`
const PAGE_SIZE = 500
const MAX_RESTARTS = 2
const DEFAULT_CONCURRENCY = 4

export interface PolicyReportWriteOptions extends ConnectionOptions {
  /** Every write carries `dryRun=All`: the API server validates, nothing persists. */
  dryRun: boolean
  onProgress?: (message: string) => void
  /** Namespaces written at the same time. */
  concurrency?: number
  /**
   * Namespaces this run listed (after `--namespace`): a stale hardenctl report is deleted only in
   * one of these. Undefined (the Namespace list was not read): nothing is deleted.
   */
  namespacesInView?: ReadonlySet<string>
}

export interface PolicyReportsOutcome {
  /** `crd-missing` and `forbidden`: the LIST was refused, nothing was written; `warnings` says why. */
  state: 'done' | 'crd-missing' | 'forbidden'
  dryRun: boolean
  /** Namespaces whose report was written (created or updated). */
  written: string[]
  /** Namespaces whose report already said the same. */
  unchanged: string[]
  /** Namespaces whose stale hardenctl report was deleted. */
  deleted: string[]
  /** Namespaces left alone: a report named `hardenctl` is there without hardenctl's label. */
  foreign: string[]
  /** What did not get done; `namespace` is undefined when the LIST itself failed. */
  failed: {namespace?: string; message: string}[]
  /** One line each: the CRD is missing, a permission is missing, foreign reports. */
  warnings: string[]
  /** HTTP requests sent, the LIST's pages included. */
  requests: number
}

/** Builds the reports for an audited inventory and writes them. */
export async function writeFindingsToCluster(config: KubeConfig, inputs: PolicyReportInputs, options: PolicyReportWriteOptions): Promise<PolicyReportsOutcome> {
  const {reports} = buildPolicyReports(inputs)
  const {inventory} = inputs
  const namespacesInView = options.namespacesInView ?? (inventory.inputs.has('k8s-namespaces') ? new Set(inventory.kubernetes.namespaces.keys()) : undefined)
  return writePolicyReports(config, reports, {...options, namespacesInView})
}

interface LiveReport {
  namespace: string
  managed: boolean
  resourceVersion?: string
  uid?: string
  object: Json
}

export async function writePolicyReports(config: KubeConfig, reports: readonly PolicyReportObject[], options: PolicyReportWriteOptions): Promise<PolicyReportsOutcome> {
  const session: WriteSession = {...connect(config, options), writes: 0, onProgress: options.onProgress}
  const outcome: PolicyReportsOutcome = {state: 'done', dryRun: options.dryRun, written: [], unchanged: [], deleted: [], foreign: [], failed: [], warnings: [], requests: 0}
  let reads = 0
  const count = () => {
    reads++
  }
  const finish = (): PolicyReportsOutcome => {
    outcome.requests = reads + session.writes
    return outcome
  }

  const listed = await listReports(session, count)
  if (!listed.ok) {
    const {answer} = listed
    if (answer === undefined) {
      outcome.failed.push({message: `cannot list ${RESOURCE}: ${listed.reason}`})
    } else if (answer.status === 401) {
      throw unauthorized(session)
    } else if (answer.status === 404) {
      outcome.state = 'crd-missing'
      outcome.warnings.push(
        `PolicyReport CRD (${POLICY_REPORT_API_VERSION}) not installed: findings not written to the cluster; install it from ${POLICY_REPORT_CRD_URL} (Kyverno and Policy Reporter install it too)`,
      )
    } else if (answer.status === 403) {
      outcome.state = 'forbidden'
      outcome.warnings.push(
        `PolicyReports not written: the credentials of ${session.description} may not list ${RESOURCE} at the cluster scope ` +
          `(hardenctl needs list, create, patch and delete on ${POLICY_REPORT_PLURAL} in API group ${POLICY_REPORT_GROUP})`,
      )
    } else {
      outcome.failed.push({message: `cannot list ${RESOURCE}: ${describeStatus(answer)}`})
    }
    return finish()
  }

  const live = new Map(listed.reports.map((report) => [report.namespace, report]))
  const wanted = new Set(reports.map((report) => report.metadata.namespace))
  const forbidden: {patch: string[]; delete: string[]} = {patch: [], delete: []}
  const failed = (namespace: string, message: string) => outcome.failed.push({namespace, message})

  const tasks: (() => Promise<void>)[] = []
  for (const desired of reports) {
    const namespace = desired.metadata.namespace
    const current = live.get(namespace)
    if (current && !current.managed) {
      outcome.foreign.push(namespace)
      continue
    }
    const report = current ? keepTimestamps(desired, current.object) : desired
    if (current && sameContent(report, current.object)) {
      outcome.unchanged.push(namespace)
      continue
    }
    tasks.push(async () => {
      const result = await applyReport(session, options, report)
      if (result === 'applied') outcome.written.push(namespace)
      else if (result === 'forbidden') forbidden.patch.push(namespace)
      else if (result !== 'gone') failed(namespace, `not written: ${result.message}`)
      session.onProgress?.(`PolicyReport ${namespace}/${POLICY_REPORT_NAME}: ${typeof result === 'string' ? result : `failed: ${result.message}`}`)
    })
  }
  for (const current of listed.reports) {
    const {namespace} = current
    if (!current.managed || wanted.has(namespace) || !options.namespacesInView?.has(namespace)) continue
    tasks.push(async () => {
      const result = await deleteReport(session, options, current)
      if (result === 'applied') outcome.deleted.push(namespace)
      else if (result === 'forbidden') forbidden.delete.push(namespace)
      else if (result !== 'gone') failed(namespace, `stale report not deleted: ${result.message}`)
      session.onProgress?.(`delete PolicyReport ${namespace}/${POLICY_REPORT_NAME}: ${typeof result === 'string' ? result : `failed: ${result.message}`}`)
    })
  }
  await eachLimited(tasks, Math.max(1, Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY)), session)

  for (const list of [outcome.written, outcome.unchanged, outcome.deleted, outcome.foreign, forbidden.patch, forbidden.delete]) list.sort()
  outcome.failed.sort((a, b) => (a.namespace ?? '').localeCompare(b.namespace ?? ''))
  if (outcome.foreign.length > 0) {
    outcome.warnings.push(
      `PolicyReport ${POLICY_REPORT_NAME} left alone in ${namespaceList(outcome.foreign)}: it is not hardenctl's ` +
        `(no ${MANAGED_BY_LABEL}: ${MANAGED_BY_VALUE}); rename or delete it to get hardenctl's report there`,
    )
  }
  if (forbidden.patch.length > 0) {
    outcome.warnings.push(
      `PolicyReports not written in ${namespaceList(forbidden.patch)}: the credentials of ${session.description} may not patch ${RESOURCE} there ` +
        `(hardenctl needs create and patch on ${POLICY_REPORT_PLURAL} in API group ${POLICY_REPORT_GROUP})`,
    )
  }
  if (forbidden.delete.length > 0) {
    outcome.warnings.push(
      `stale PolicyReports not deleted in ${namespaceList(forbidden.delete)}: the credentials of ${session.description} may not delete ${RESOURCE} there`,
    )
  }
  return finish()
}

type Listed = {ok: true; reports: LiveReport[]} | {ok: false; answer?: Answer; reason: string}

/** Every report named `hardenctl`, cluster-wide, page by page; restarted when a continue token expires. */
async function listReports(session: WriteSession, count: () => void): Promise<Listed> {
  for (let restarts = 0; ; restarts++) {
    const reports: LiveReport[] = []
    let token: string | undefined
    let expired = false
    do {
      const query = `fieldSelector=${encodeURIComponent(`metadata.name=${POLICY_REPORT_NAME}`)}&limit=${PAGE_SIZE}${token === undefined ? '' : `&continue=${encodeURIComponent(token)}`}`
      const sent = await withRetries(session, {method: 'GET', path: `${LIST_PATH}?${query}`}, {count})
      if (!sent.answered) return {ok: false, reason: sent.reason}
      const {answer} = sent
      if (answer.status === 410 && token !== undefined && restarts < MAX_RESTARTS) {
        expired = true
        break
      }
      if (answer.status < 200 || answer.status >= 300) return {ok: false, answer, reason: describeStatus(answer)}
      const body = isRecord(answer.body) ? answer.body : {}
      if (!Array.isArray(body.items)) return {ok: false, reason: `expected a list of ${RESOURCE}, got ${String(body.kind ?? 'something else')}`}
      for (const item of body.items) {
        if (!isRecord(item) || !isRecord(item.metadata)) continue
        const {name, namespace, labels, resourceVersion, uid} = item.metadata
        if (name !== POLICY_REPORT_NAME || typeof namespace !== 'string') continue
        reports.push({
          namespace,
          managed: isRecord(labels) && labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE,
          ...(typeof resourceVersion === 'string' ? {resourceVersion} : {}),
          ...(typeof uid === 'string' ? {uid} : {}),
          object: item,
        })
      }
      const next = isRecord(body.metadata) ? body.metadata.continue : undefined
      token = typeof next === 'string' && next !== '' ? next : undefined
    } while (token !== undefined)
    if (!expired) return {ok: true, reports}
  }
}

type WriteResult = 'applied' | 'forbidden' | 'gone' | {message: string}

function reportPath(namespace: string): string {
  return `/apis/${POLICY_REPORT_API_VERSION}/namespaces/${encodeURIComponent(namespace)}/${POLICY_REPORT_PLURAL}/${POLICY_REPORT_NAME}`
}

async function applyReport(session: WriteSession, options: PolicyReportWriteOptions, report: PolicyReportObject): Promise<WriteResult> {
  // Never anything but a labelled PolicyReport named hardenctl.
  if (report.kind !== 'PolicyReport' || report.metadata.name !== POLICY_REPORT_NAME || report.metadata.labels[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE) {
    return {message: `refusing to apply ${report.metadata.namespace}/${report.metadata.name}: not a PolicyReport named ${POLICY_REPORT_NAME} labelled ${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`}
  }
  const namespace = report.metadata.namespace
  let query = `fieldManager=${encodeURIComponent(FIELD_MANAGER)}&force=true`
  if (options.dryRun) query += '&dryRun=All'
  const sent = await sendWrite(session, {
    method: 'PATCH',
    path: `${reportPath(namespace)}?${query}`,
    body: JSON.stringify(report),
    contentType: 'application/apply-patch+yaml',
    what: `PolicyReport ${namespace}/${POLICY_REPORT_NAME}`,
  })
  if (!sent.answered) return {message: sent.reason}
  const {answer} = sent
  if (answer.status >= 200 && answer.status < 300) return 'applied'
  if (answer.status === 401) throw unauthorized(session)
  if (answer.status === 403) return 'forbidden'
  // The namespace went away since it was listed: nothing to report there any more.
  if (answer.status === 404 && statusKind(answer) === 'namespaces') return 'gone'
  if (answer.status === 409) return {message: describeConflict(answer)}
  if (answer.status === 422 && /Unsupported value: "(critical|info)"/.test(describeStatus(answer))) {
    return {
      message:
        `${describeStatus(answer)}: the installed PolicyReport CRD predates the critical and info severities of ${POLICY_REPORT_API_VERSION}; ` +
        `update it from ${POLICY_REPORT_CRD_URL}`,
    }
  }
  return {message: describeStatus(answer)}
}

async function deleteReport(session: WriteSession, options: PolicyReportWriteOptions, current: LiveReport): Promise<WriteResult> {
  if (!current.managed || (current.resourceVersion === undefined && current.uid === undefined)) {
    return {message: `refusing to delete ${current.namespace}/${POLICY_REPORT_NAME}: not hardenctl's, or nothing to make the delete conditional on`}
  }
  const preconditions: Json = {}
  if (current.resourceVersion !== undefined) preconditions.resourceVersion = current.resourceVersion
  if (current.uid !== undefined) preconditions.uid = current.uid
  const sent = await sendWrite(session, {
    method: 'DELETE',
    path: `${reportPath(current.namespace)}${options.dryRun ? '?dryRun=All' : ''}`,
    body: JSON.stringify({apiVersion: 'v1', kind: 'DeleteOptions', preconditions}),
    contentType: 'application/json',
    what: `PolicyReport ${current.namespace}/${POLICY_REPORT_NAME}`,
  })
  if (!sent.answered) return {message: sent.reason}
  const {answer} = sent
  if (answer.status >= 200 && answer.status < 300) return 'applied'
  if (answer.status === 401) throw unauthorized(session)
  if (answer.status === 403) return 'forbidden'
  if (answer.status === 404) return 'applied'
  if (answer.status === 409) return {message: 'it changed since it was listed'}
  return {message: describeStatus(answer)}
}

function statusKind(answer: Answer): string | undefined {
  const details = isRecord(answer.body) && isRecord(answer.body.details) ? answer.body.details : undefined
  return typeof details?.kind === 'string' ? details.kind : undefined
}

/** What a report says, without when: each result, in order, without its timestamp. */
function resultKey(result: unknown): string {
  if (!isRecord(result)) return canonical(result)
  const {timestamp: _timestamp, ...rest} = result
  return canonical(rest)
}

/** A result the live report already holds keeps the time it was first found. */
function keepTimestamps(desired: PolicyReportObject, live: Json): PolicyReportObject {
  const found = new Map<string, unknown[]>()
  for (const result of Array.isArray(live.results) ? live.results : []) {
    if (!isRecord(result) || !isTimestamp(result.timestamp)) continue
    const key = resultKey(result)
    found.set(key, [...(found.get(key) ?? []), result.timestamp])
  }
  const results = desired.results.map((result): PolicyReportResult => {
    const earlier = found.get(resultKey(result))?.shift()
    return isTimestamp(earlier) ? {...result, timestamp: {seconds: earlier.seconds, nanos: earlier.nanos}} : result
  })
  return {...desired, results}
}

function isTimestamp(value: unknown): value is {seconds: number; nanos: number} {
  return isRecord(value) && typeof value.seconds === 'number' && typeof value.nanos === 'number'
}

/** The live report already says what `desired` says: labels, scope, summary and results. */
function sameContent(desired: PolicyReportObject, live: Json): boolean {
  const metadata = isRecord(live.metadata) ? live.metadata : {}
  const labels = isRecord(metadata.labels) ? metadata.labels : {}
  if (Object.entries(desired.metadata.labels).some(([key, value]) => labels[key] !== value)) return false
  return sameData({scope: desired.scope, summary: desired.summary, results: desired.results}, {scope: live.scope, summary: live.summary, results: live.results})
}

/** JSON with sorted keys: the same text whatever the key order. */
function canonical(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) => (isRecord(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v)) ?? 'undefined'
  )
}

function namespaceList(namespaces: readonly string[]): string {
  const shown = namespaces.slice(0, 10).join(', ')
  return namespaces.length > 10 ? `${shown} and ${namespaces.length - 10} more` : shown
}

/**
 * Runs the tasks, at most `limit` at a time. A thrown error (credentials rejected) halts the
 * session so no new request starts, waits for the work in flight, then is rethrown.
 */
async function eachLimited(tasks: (() => Promise<void>)[], limit: number, session: WriteSession): Promise<void> {
  let next = 0
  let failure: {error: unknown} | undefined
  const worker = async (): Promise<void> => {
    while (next < tasks.length && !failure) {
      const task = tasks[next++]!
      try {
        await task()
      } catch (error) {
        failure ??= {error}
        if (error instanceof IncompleteError) session.halted ??= error
      }
    }
  }
  await Promise.all(Array.from({length: Math.min(limit, tasks.length)}, () => worker()))
  if (failure) throw failure.error
}

/**
 * What a run says about its reports, one line for stderr (without the `hardenctl: ` prefix), or
 * undefined when the LIST was refused (the warning says it all).
 */
export function describePolicyReports(outcome: PolicyReportsOutcome): string | undefined {
  if (outcome.state !== 'done') return undefined
  const part = (count: number, what: string, namespaces: readonly string[]) =>
    count === 0 ? `0 ${what}` : `${count} ${what} (${namespaceList(namespaces)})`
  const parts = [
    part(outcome.written.length, outcome.dryRun ? 'to write' : 'written', outcome.written),
    `${outcome.unchanged.length} unchanged`,
    part(outcome.deleted.length, outcome.dryRun ? 'stale to delete' : 'stale deleted', outcome.deleted),
  ]
  if (outcome.foreign.length > 0) parts.push(`${outcome.foreign.length} left alone`)
  if (outcome.failed.length > 0) parts.push(`${outcome.failed.length} failed`)
  const head = `PolicyReport ${POLICY_REPORT_NAME} (${POLICY_REPORT_API_VERSION}), one per audited namespace: ${parts.join(', ')}`
  return outcome.dryRun ? `${head}; dry run: validated by the API server, nothing persisted` : head
}

/** One line per failure, identical reasons together. */
export function describePolicyReportFailures(outcome: PolicyReportsOutcome): string[] {
  const byMessage = new Map<string, string[]>()
  for (const failure of outcome.failed) {
    const namespaces = byMessage.get(failure.message) ?? []
    if (failure.namespace !== undefined) namespaces.push(failure.namespace)
    byMessage.set(failure.message, namespaces)
  }
  return [...byMessage].map(([message, namespaces]) =>
    namespaces.length === 0 ? `PolicyReports not written: ${message}` : `PolicyReport ${POLICY_REPORT_NAME} in ${namespaceList(namespaces)}: ${message}`,
  )
}

/**
 * What a command prints on stderr about its reports: the summary line and failures (`lines`),
 * and the warnings (CRD missing, permission missing, foreign reports), each without a prefix.
 */
export function policyReportMessages(outcome: PolicyReportsOutcome): {lines: string[]; warnings: string[]} {
  const summary = describePolicyReports(outcome)
  return {lines: [...(summary === undefined ? [] : [summary]), ...describePolicyReportFailures(outcome)], warnings: [...outcome.warnings]}
}
