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

import {InputError} from '../errors.js'
import type {Finding, Profile, Severity} from '../findings/types.js'
import {buildInventory} from '../inventory/build.js'
import {type CharmMetadata, normalizeCharmName} from '../inventory/charm.js'
import type {Application, InputKind, Inventory} from '../inventory/types.js'
import {auditInventory} from '../audit/run-audit.js'
import {loadPolicy} from '../policy/load.js'
import type {AuditReport} from '../report/audit-report.js'
import {ALL_RULES} from '../rules/catalog.js'
import type {Rule} from '../rules/rule.js'
import type {SourceRef} from '../sources/document.js'
import {type FileSourceResult, readFileSources} from '../sources/files.js'
import {type PreDeployFix, preDeployEdit} from './edits.js'

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
  /** What was reviewed, for the HTML report's graph. */
  inventory: Inventory
  /** Each finding's fix as bundle changes, beside the text its remediation prints. */
  fixes: ReadonlyMap<Finding, PreDeployFix>
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

  const sources = await readFileSources(options.paths, {overlays: options.overlays ?? [], deployable: true, ...(policyFile === undefined ? {} : {policyInUse: policyFile})})
  checkReviewable(sources)
  const given = await readGivenCharms(options.charms ?? [])
  for (const charm of given) merge(sources, charm.sources)
  const inventory = buildInventory(sources.contributions, {files: sources.files, locators: sources.locators})
  grantOnlyTheBundlesAcl(inventory)
  checkSomethingToReview(inventory, sources)
  const warnings = [...sources.warnings, ...attachGivenCharms(inventory, given)]
  checkOptionsAgainstCharms(inventory)
  checkRelationEndpointsAgainstCharms(inventory)

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
  const fixes = new Map<Finding, PreDeployFix>()
  for (const finding of report.findings) {
    const fix = preDeployEdit(finding, inventory)
    finding.remediation = fix.text
    fixes.set(finding, fix)
  }
  return {report, rules, warnings, inventory, fixes}
}

/**
 * Before deploy, an offer's access is what the bundle grants: `juju deploy` creates each offer
 * and grants exactly its `acl` entries (bundlechanges handleOffers: one GrantOfferAccess per
 * entry), so an offer without `acl` is granted to no one but the deployer. An audit of an exported
 * bundle cannot assume that: the offer may have been granted since.
 */
function grantOnlyTheBundlesAcl(inventory: Inventory): void {
  for (const model of inventory.models.values()) for (const offer of model.offers) offer.users ??= []
}

/** What `review` reads: bundles, their overlays and charms. Anything else was deployed already. */
const REVIEWABLE_KINDS = new Set(['juju bundle', 'juju bundle overlay', 'charm metadata', 'charmcraft.yaml', 'charm config', 'charm directory', 'charm archive', 'policy (in use)', 'policy (ignored)', 'not recognised (skipped)'])

/** Running estates (status, dump-model, kubectl output) are audited, not reviewed: say what they are. */
function checkReviewable(sources: FileSourceResult): void {
  for (const {file, kind} of sources.files) {
    const other = kind.split(', ').filter((part) => !REVIEWABLE_KINDS.has(part))
    if (other.length === 0) continue
    const what = other.map((part) => (part === 'kubernetes objects' ? 'Kubernetes objects (kubectl get output)' : `${part} output`)).join(' and ')
    throw new InputError(file, `this is ${what}, which describes a deployed estate; review judges bundles and charms before deploy: audit it with hardenctl audit --from ${file}`)
  }
}

/**
 * A gate that passes what it never judged is worse than none: with no bundle and no charm
 * metadata or options, there is nothing to review.
 */
function checkSomethingToReview(inventory: Inventory, sources: FileSourceResult): void {
  if (inventory.inputs.has('juju-bundle') || inventory.inputs.has('charm-metadata')) return
  if ([...inventory.charms.values()].some((charm) => charm.options !== undefined && Object.keys(charm.options).length > 0)) return
  const what = sources.files.map(({file, kind}) => `${file} ${describeUnreviewable(kind)}`)
  throw new InputError(undefined, `nothing to review: ${what.join('; ') || 'no file was read'}`)
}

function describeUnreviewable(kind: string): string {
  if (kind === 'charmcraft.yaml' || kind === 'charm directory') return 'has only build settings (type, parts, platforms) and no charm metadata (containers, provides/requires, config): give the charm directory with its metadata.yaml'
  if (kind.startsWith('juju bundle overlay')) return `is a bundle overlay without its bundle: review BUNDLE --overlay FILE`
  return `is ${kind}`
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
        const deployed = normalizeCharmName(app.charm)
        if (charm.metadata.name !== deployed) {
          warnings.push(`--charm ${charm.name}=${charm.path}: the charm there is named ${charm.metadata.name}, but application ${app.name} deploys ${deployed}; its metadata was used for ${app.name} anyway`)
        }
      }
    }
    if (matched === 0) warnings.push(`--charm ${charm.name}=${charm.path}: no application or charm of that name in the bundles; reviewed as a charm on its own`)
  }
  return warnings
}

/**
 * juju deploy checks a bundle's options against the charm's config (juju/charm config.go,
 * ValidateSettings and Option.validate): an option the charm does not declare is refused, and so is
 * a value of another type than the option's (`schema.String()` takes only strings: an unquoted
 * `false` or `8080` for a string option). Judged only where the charm's config was given
 * (`--charm NAME=PATH`); a type Juju might coerce (a string for an int) is left to it.
 */
function checkOptionsAgainstCharms(inventory: Inventory): void {
  for (const model of inventory.models.values()) {
    for (const app of model.applications.values()) {
      const declared = deployedCharmMetadata(app)?.options
      if (!declared || Object.keys(declared).length === 0) continue
      for (const [name, value] of Object.entries(app.options)) {
        const option = declared[name]
        const problem = option ? typeMismatch(option.type, value) : `charm ${app.metadata!.name} declares no option ${JSON.stringify(name)}`
        if (problem === undefined) continue
        throw refusedAt(inventory, app.optionRefs[name], problem)
      }
    }
  }
}

/**
 * juju deploy checks each relation end a bundle names (`app:endpoint`) against the charm's
 * endpoints (bundledata.go verifyRelations, with charms): an endpoint the charm does not have is
 * refused. Judged only where the charm's metadata was given; `juju-info` every charm has.
 */
function checkRelationEndpointsAgainstCharms(inventory: Inventory): void {
  for (const model of inventory.models.values()) {
    for (const relation of model.relations) {
      for (const end of relation.endpoints) {
        const app = model.applications.get(end.application)
        const metadata = app && deployedCharmMetadata(app)
        if (!metadata || end.endpoint === undefined || end.endpoint === 'juju-info' || metadata.endpoints.length === 0) continue
        if (metadata.endpoints.some((endpoint) => endpoint.name === end.endpoint)) continue
        throw refusedAt(
          inventory,
          relation.ref,
          `the relation names ${end.application}:${end.endpoint}, and charm ${metadata.name} has no endpoint ${JSON.stringify(end.endpoint)} (it has ${metadata.endpoints.map((e) => e.name).join(', ')})`,
        )
      }
    }
  }
}

/** What juju deploy refuses, as bad input at the bundle's line. */
function refusedAt(inventory: Inventory, ref: SourceRef | undefined, problem: string): InputError {
  const at = ref ? inventory.locate(ref) : undefined
  return new InputError(at?.file ?? ref?.file, `${problem}: juju deploy refuses it`, {...(ref ? {path: ref.path} : {}), line: at?.line, column: at?.column})
}

/** The metadata given for an application's charm when it is that charm: another charm's (warned of) says nothing of what Juju will check. */
function deployedCharmMetadata(app: Application): CharmMetadata | undefined {
  return app.metadata && app.metadata.name === normalizeCharmName(app.charm) ? app.metadata : undefined
}

/** Why Juju's checker for an option of `type` refuses `value`, when it certainly does. */
function typeMismatch(type: string | undefined, value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined
  const given = typeof value === 'boolean' ? `the boolean ${String(value)}` : typeof value === 'number' ? `the number ${String(value)}` : undefined
  if (given === undefined) return undefined
  if (type === 'string' || type === 'secret') return `${given} where the option takes a string (quote it: "${String(value)}")`
  if ((type === 'int' || type === 'float') && typeof value === 'boolean') return `${given} where the option takes a number`
  if (type === 'boolean' && typeof value === 'number') return `${given} where the option takes true or false`
  return undefined
}

function merge(into: FileSourceResult, from: FileSourceResult): void {
  into.contributions.push(...from.contributions)
  into.files.push(...from.files)
  for (const [file, locator] of from.locators) into.locators.set(file, locator)
  into.warnings.push(...from.warnings)
}
