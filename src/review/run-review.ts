/**
 * The pre-deploy gate: charms (directories or `.charm` archives) and bundles (with overlays,
 * like `juju deploy --overlay`) → inventory → the rules that can be judged before anything is
 * deployed → findings at the file, line and column of the YAML node that caused them.
 *
 * A rule is judged here when every group of inputs it needs can be met by a bundle or charm
 * metadata; rules that need a running estate (status, users, Kubernetes objects) are left out,
 * not reported as "not evaluated". Within the judged rules, what charm metadata would decide and
 * is missing (a bundle's charm not given with `--charm`) is listed as not evaluated.
 */
import {stat} from 'node:fs/promises'
import {basename, extname} from 'node:path'

import {InputError} from '../errors.js'
import type {Profile, Severity} from '../findings/types.js'
import {buildInventory} from '../inventory/build.js'
import type {CharmMetadata} from '../inventory/charm.js'
import type {InputKind, Inventory} from '../inventory/types.js'
import {auditInventory} from '../audit/run-audit.js'
import {loadPolicy} from '../policy/load.js'
import type {AuditReport} from '../report/audit-report.js'
import {ALL_RULES} from '../rules/catalog.js'
import type {Rule} from '../rules/rule.js'
import {type FileSourceResult, readFileSources} from '../sources/files.js'

/** What exists before `juju deploy`: the bundle and the charms' own files. */
const PRE_DEPLOY_INPUTS: ReadonlySet<InputKind> = new Set(['juju-bundle', 'charm-metadata'])

export interface ReviewOptions {
  /** Charm directories, `.charm` files and bundle files. */
  paths: string[]
  /** `--overlay`, in order, applied over the bundles like `juju deploy --overlay`. */
  overlays?: string[]
  /** `--charm NAME=PATH`: the charm of application or charm NAME in the bundle. */
  charms?: string[]
  policyFile?: string
  profiles?: Profile[]
  failOn?: Severity
  now?: Date
  toolVersion: string
}

export interface ReviewResult {
  report: AuditReport
  rules: Rule[]
  warnings: string[]
}

/** The rules `review` runs: those whose every input group a bundle or charm metadata can meet. */
export function preDeployRules(rules: readonly Rule[] = ALL_RULES): Rule[] {
  return rules.filter((rule) => rule.scope !== 'host' && rule.needs.length > 0 && rule.needs.every((group) => group.some((input) => PRE_DEPLOY_INPUTS.has(input))))
}

/**
 * With a bundle, every pre-deploy rule runs, so what missing charm metadata leaves undecided is
 * listed. Charms alone have no applications: rules that need a bundle have nothing to judge.
 */
function reviewRules(inventory: Inventory): Rule[] {
  if (inventory.inputs.has('juju-bundle')) return preDeployRules()
  return preDeployRules().filter((rule) => rule.needs.every((group) => group.some((input) => PRE_DEPLOY_INPUTS.has(input) && inventory.inputs.has(input))))
}

export async function runReview(options: ReviewOptions): Promise<ReviewResult> {
  if (options.paths.length === 0) throw new InputError(undefined, 'review needs at least one charm directory, .charm file or bundle')
  const {policy, file: policyFile} = await loadPolicy(options.policyFile)

  const sources = await readFileSources(options.paths)
  if (options.overlays?.length) merge(sources, await readFileSources(options.overlays, {model: overlaidModel(sources)}))
  const given = await readGivenCharms(options.charms ?? [])
  for (const charm of given) merge(sources, charm.sources)
  const inventory = buildInventory(sources.contributions, {files: sources.files, locators: sources.locators})
  const warnings = [...sources.warnings, ...attachGivenCharms(inventory, given)]

  const {report, rules} = auditInventory(inventory, {
    policy,
    policyFile,
    profiles: options.profiles,
    failOn: options.failOn,
    now: options.now ?? new Date(),
    toolVersion: options.toolVersion,
    inputs: [...options.paths, ...(options.overlays ?? []), ...given.map((charm) => charm.path)],
    rules: reviewRules(inventory),
  })
  for (const entry of report.notEvaluated) {
    if (entry.needs.includes('charm-metadata')) entry.message += ' (give a bundle\'s charms with --charm NAME=PATH)'
  }
  return {report, rules, warnings}
}

/**
 * `--overlay` files apply to the one bundle being deployed (like `juju deploy BUNDLE --overlay`):
 * their documents are read into that bundle's model.
 */
function overlaidModel(sources: FileSourceResult): string {
  const bundles = sources.files.filter((file) => file.kind.split(', ').includes('juju bundle'))
  if (bundles.length !== 1) {
    throw new InputError(undefined, `--overlay applies to one bundle, as with juju deploy; ${bundles.length === 0 ? 'no bundle was given' : `${bundles.length} were given (${bundles.map((b) => b.file).join(', ')}): review them one at a time`}`)
  }
  const file = bundles[0]!.file
  return basename(file, extname(file))
}

interface GivenCharm {
  /** Application or charm name in the bundle. */
  name: string
  path: string
  sources: FileSourceResult
  metadata: CharmMetadata
}

async function readGivenCharms(specs: string[]): Promise<GivenCharm[]> {
  const given: GivenCharm[] = []
  for (const spec of specs) {
    const match = /^([^=]+)=(.+)$/.exec(spec)
    if (!match) throw new InputError(undefined, `--charm ${spec}: expected NAME=PATH (an application or charm name of the bundle, and a charm directory or .charm file)`)
    const [, name = '', path = ''] = match
    const isDirectory = await stat(path).then((info) => info.isDirectory(), () => false)
    if (!isDirectory && !/\.charm$/i.test(path)) throw new InputError(path, `--charm ${name}: expected a charm directory or a .charm file`)
    const sources = await readFileSources([path])
    const metadata = sources.contributions.flatMap((contribution) => (contribution.type === 'charm' ? [contribution.charm] : []))[0]
    if (!metadata) throw new InputError(path, `--charm ${name}: no charm found here (expected metadata.yaml or charmcraft.yaml)`)
    given.push({name, path, sources, metadata})
  }
  return given
}

/**
 * Joins each `--charm NAME=PATH` to the bundle's applications named NAME or deploying charm NAME,
 * whatever name the charm's own metadata gives (a local charm is deployed from a path).
 */
function attachGivenCharms(inventory: Inventory, given: GivenCharm[]): string[] {
  const warnings: string[] = []
  for (const charm of given) {
    let matched = 0
    for (const model of inventory.models.values()) {
      for (const app of model.applications.values()) {
        if (app.name !== charm.name && app.charm !== charm.name) continue
        app.metadata = charm.metadata
        matched++
      }
    }
    if (matched === 0) warnings.push(`--charm ${charm.name}=${charm.path}: no application or charm of that name in the bundles; reviewed as a charm on its own`)
  }
  return warnings
}

function merge(into: FileSourceResult, from: FileSourceResult): void {
  into.contributions.push(...from.contributions)
  into.files.push(...from.files)
  for (const [file, locator] of from.locators) into.locators.set(file, locator)
  into.warnings.push(...from.warnings)
}
