/**
 * `hardenctl host`: host roots (sources) → host inventory → host rules → findings (waivers) →
 * report, the same pipeline and report as audit. Roots are the local `/`, a `--root DIR`, or the
 * machines the fleet collection brought back (see fleet.ts).
 */
import type {Profile, Severity} from '../findings/types.js'
import {auditInventory} from '../audit/run-audit.js'
import type {HostInventory} from '../inventory/host.js'
import {buildInventory} from '../inventory/build.js'
import type {Inventory} from '../inventory/types.js'
import {type LoadedPolicy, loadPolicy} from '../policy/load.js'
import type {Policy} from '../policy/schema.js'
import type {AuditReport} from '../report/audit-report.js'
import type {Rule} from '../rules/rule.js'
import type {Locator} from '../sources/document.js'
import {readHost, type ReadHostOptions} from '../sources/host/read-host.js'

/** One root to read: where it is on this machine and how findings name it. */
export type HostRootSpec = Omit<ReadHostOptions, 'logLookbackMs'>

export interface HostAuditOptions {
  roots: HostRootSpec[]
  /** Loaded (and validated) before the roots were collected; else read from policyFile. */
  policy?: LoadedPolicy
  policyFile?: string
  profiles?: Profile[]
  failOn?: Severity
  now?: Date
  toolVersion: string
  /** Warnings from collecting the roots (the fleet path), shown with the readers' own. */
  warnings?: string[]
}

export interface HostAuditResult {
  report: AuditReport
  rules: Rule[]
  policy: Policy
  inventory: Inventory
  warnings: string[]
}

export async function runHostAudit(options: HostAuditOptions): Promise<HostAuditResult> {
  const now = options.now ?? new Date()
  const {policy, file: policyFile} = options.policy ?? (await loadPolicy(options.policyFile))
  const {inventory, warnings} = await readHosts(options.roots, policy)
  const audited = auditInventory(inventory, {
    policy,
    policyFile,
    profiles: options.profiles,
    failOn: options.failOn,
    now,
    toolVersion: options.toolVersion,
    inputs: options.roots.map((root) => root.source),
  })
  return {report: audited.report, rules: audited.rules, policy, inventory, warnings: [...(options.warnings ?? []), ...warnings, ...audited.warnings]}
}

/** Reads every root into one inventory holding only hosts. */
export async function readHosts(roots: readonly HostRootSpec[], policy: Policy): Promise<{inventory: Inventory; warnings: string[]}> {
  const hosts: HostInventory[] = []
  const warnings: string[] = []
  for (const root of roots) {
    const read = await readHost({...root, logLookbackMs: policy.host.logLookbackHours * 3_600_000})
    hosts.push(read.host)
    warnings.push(...read.warnings.map((w) => (roots.length > 1 ? `${root.source}: ${w}` : w)))
  }
  return {inventory: hostInventory(hosts), warnings}
}

/** An inventory of hosts only; findings point at `file:line` through `['line', N]` refs. */
export function hostInventory(hosts: HostInventory[]): Inventory {
  const locators = new Map<string, Locator>()
  for (const file of filesOf(hosts)) locators.set(file, LINE_LOCATOR)
  const inventory = buildInventory([], {files: [], locators})
  inventory.hosts = hosts
  if (hosts.length > 0) inventory.inputs.add('host')
  return inventory
}

const LINE_LOCATOR: Locator = {
  locate: (_document, path) => (path[0] === 'line' && typeof path[1] === 'number' ? {line: path[1], column: 1} : undefined),
}

/** Every `file` a host inventory names. */
function filesOf(value: unknown, out = new Set<string>()): Set<string> {
  if (value instanceof Map) for (const v of value.values()) filesOf(v, out)
  else if (Array.isArray(value)) for (const v of value) filesOf(v, out)
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'file' && typeof v === 'string') out.add(v)
      else filesOf(v, out)
    }
  }
  return out
}
