/**
 * The audit pipeline: sources → inventory → rules → findings (waivers) → report.
 * Commands call this with one options object and render what it returns.
 */
import {applyWaivers} from '../findings/waivers.js'
import type {Profile, Severity} from '../findings/types.js'
import {buildInventory} from '../inventory/build.js'
import type {Inventory} from '../inventory/types.js'
import {type LoadedPolicy, loadPolicy} from '../policy/load.js'
import type {Policy} from '../policy/schema.js'
import {type AuditReport, createAuditReport} from '../report/audit-report.js'
import {ALL_RULES, HOST_RULES} from '../rules/catalog.js'
import {evaluateRules} from '../rules/engine.js'
import type {Rule} from '../rules/rule.js'
import {readFileSources, readSourceDocuments} from '../sources/files.js'
import {releaseParsedInput} from '../sources/input-memory.js'
import {describeLiveInputs, type LiveCollection} from '../sources/live.js'
import {addSnapshotHosts} from '../host/snapshot-audit.js'
import {detectProfiles} from './profiles.js'

export interface AuditOptions {
  /** Files and directories to read (`--from`); or: */
  from?: string[]
  /** what the live source collected (audit without `--from`). */
  live?: LiveCollection
  /** `--policy FILE`; default `./hardenctl.yaml` when present. */
  policyFile?: string
  /** The policy, already loaded (the command checks it before collecting the live estate); else `policyFile` is loaded. */
  policy?: LoadedPolicy
  /** `--profile`: run exactly these profiles instead of detecting them from the charms present. */
  profiles?: Profile[]
  /** Unwaived findings at or above this severity fail the run (exit 1). */
  failOn?: Severity
  /** The audit's clock; tests pin it. */
  now?: Date
  toolVersion: string
}

export interface AuditResult {
  report: AuditReport
  inventory: Inventory
  /** The policy the rules ran with (defaults when there is no policy file). */
  policy: Policy
  /** The rules that ran (for SARIF/JUnit rule tables). */
  rules: Rule[]
  warnings: string[]
}

export interface AuditInventoryOptions {
  policy: Policy
  /** Where the policy came from, for waivers and the report's metadata. */
  policyFile?: string
  /** Run exactly these profiles instead of detecting them from the charms present. */
  profiles?: Profile[]
  failOn?: Severity
  now: Date
  toolVersion: string
  /** What the inventory was read from, for the report's metadata. */
  inputs: string[]
  /** The rules to choose from (by profile); default every estate rule. `review` passes the pre-deploy ones. */
  rules?: readonly Rule[]
}

/**
 * Sources → inventory, shared by every command that reads an estate: files (`--from`) or what
 * the live source collected. A live side that failed becomes a gap, so nothing reads it as empty.
 */
export async function loadInventory(options: {
  from?: string[] | undefined
  live?: LiveCollection | undefined
  kubernetesKindsOnly?: ReadonlySet<string>
  /** The policy file the command runs with: among the inputs, it is no input. */
  policyInUse?: string | undefined
}): Promise<{inventory: Inventory; warnings: string[]}> {
  const only = options.kubernetesKindsOnly ? {kubernetesKindsOnly: options.kubernetesKindsOnly} : {}
  const sources = options.live
    ? readSourceDocuments(options.live.documents, only)
    : await readFileSources(options.from ?? [], {...only, ...(options.policyInUse === undefined ? {} : {policyInUse: options.policyInUse})})
  releaseParsedInput()
  for (const failure of options.live?.failures ?? []) sources.contributions.push({type: 'gap', scope: {}, gap: failure.gap})
  const inventory = buildInventory(sources.contributions, {files: sources.files, locators: sources.locators})
  return {inventory, warnings: [...(options.live?.warnings ?? []), ...sources.warnings]}
}

export async function runAudit(options: AuditOptions): Promise<AuditResult> {
  const now = options.now ?? new Date()
  const {policy, file: policyFile} = options.policy ?? (await loadPolicy(options.policyFile))
  const {inventory, warnings} = await loadInventory({from: options.from, live: options.live, policyInUse: policyFile})
  if (options.from) warnings.push(...(await addSnapshotHosts(inventory, options.from, policy)))
  const audited = auditInventory(inventory, {
    policy,
    policyFile,
    profiles: options.profiles,
    failOn: options.failOn,
    now,
    toolVersion: options.toolVersion,
    inputs: options.live ? describeLiveInputs(options.live) : (options.from ?? []),
  })
  return {report: audited.report, inventory, policy, rules: audited.rules, warnings: [...warnings, ...audited.warnings]}
}

/**
 * The rules over an inventory already built, with a policy already loaded: the audit half of
 * the pipeline, shared by `audit` and by `reconcile --report-to-cluster` (which audits the
 * inventory it read at the start of its run instead of reading the estate twice).
 */
export function auditInventory(inventory: Inventory, options: AuditInventoryOptions): {report: AuditReport; rules: Rule[]; warnings: string[]} {
  const {now, policy, policyFile} = options
  const profiles = options.profiles && options.profiles.length > 0 ? options.profiles : detectProfiles(inventory)
  const selected = (rule: Rule) => rule.runsInEveryProfile || profiles.includes(rule.profile)
  const hosts = inventory.hosts ?? []
  // An inventory of hosts alone (hardenctl host) has no estate to judge: estate rules stay out.
  const onlyHosts = hosts.length > 0 && [...inventory.inputs].every((input) => input === 'host')
  const rules = [
    ...(onlyHosts ? [] : (options.rules ?? ALL_RULES).filter((rule) => selected(rule) && rule.scope !== 'host')),
    // Host checks run on the hosts the inventory holds (hardenctl host, a snapshot's hosts/).
    ...(hosts.length > 0 ? HOST_RULES.filter(selected) : []),
  ]
  const evaluation = evaluateRules(rules, inventory, policy, {now})
  const {findings, expiredWaivers, warnings} = applyWaivers(evaluation.findings, policy, {now, policyFile})

  const report = createAuditReport({
    generatedAt: now,
    toolVersion: options.toolVersion,
    profiles,
    inputs: options.inputs,
    policy: policyFile,
    findings,
    notEvaluated: evaluation.notEvaluated,
    expiredWaivers,
    failOn: options.failOn,
    ...(hosts.length > 0 ? {hosts: hosts.map((host) => host.source)} : {}),
  })
  return {report, rules, warnings}
}
