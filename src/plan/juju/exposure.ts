/**
 * Exposure fixes (002 "Harden the applications": expose application endpoints only as needed;
 * 000 "Harden the network": in a Landscape deployment only the reverse proxy takes external
 * traffic). One Application.Expose or Application.Unexpose per call, fixing what JUJU-EXPOSED and
 * LANDSCAPE-EXPOSURE report; applied only with `exposure.enforce: true`.
 *
 * - Not on `exposure.allow`: unexpose the application entirely (JUJU-EXPOSED).
 * - In a Landscape model, anything but the reverse proxy: unexpose entirely (LANDSCAPE-EXPOSURE),
 *   unless `exposure.allow` names the application literally (not through a glob).
 * - On the allowlist, in a machine model: narrow each offending endpoint to the allowed CIDRs
 *   (one Expose per application, every narrowed endpoint in it); an endpoint the allowlist
 *   admits none of the sources of is unexposed instead.
 * - On the allowlist, in a Kubernetes model: nothing. Juju enforces no expose CIDRs there, and a
 *   sidecar charm's expose lets nothing in (exposeEffect); listing the application says it is meant.
 *
 * Wire semantics (juju/juju): Application.Expose calls state `Application.MergeExposeSettings`
 * (state/application.go), which copies the current `exposed-endpoints`, overwrites the settings
 * of each endpoint named in the call (an entry with neither CIDRs nor spaces becomes
 * 0.0.0.0/0 + ::/0) and keeps the others. Application.Unexpose
 * (apiserver/facades/client/application/application.go) calls `ClearExposed` when
 * `exposed-endpoints` is empty and `UnsetExposeSettings(endpoints)` otherwise, which drops those
 * entries and unexposes the application when none is left.
 */
import type {Application, Inventory, Model} from '../../inventory/types.js'
import {appCandidates} from '../../policy/candidates.js'
import {cidrWithin, cidrWithinAny, isWorldCidr} from '../../policy/cidr.js'
import {allowedCidrs, describeExposure, exposureAllowed, jujuExposure, type JujuExposure} from '../../policy/exposure.js'
import {matchingKeys} from '../../policy/glob.js'
import type {Policy} from '../../policy/schema.js'
import {evaluateRules} from '../../rules/engine.js'
import {CHARMS, isCharmIn} from '../../rules/helpers/charms.js'
import {maasPorts} from '../../rules/maas.js'
import {OUTSIDE_ID} from '../../netpol/types.js'
import type {ClosedPath, JujuAction} from '../types.js'
import {modelLabel, modelScope} from './action.js'

export interface ExposurePlan {
  actions: JujuAction[]
  notes: string[]
  /** What each enforced action closes, on machine models (Kubernetes models: the NetworkPolicy side says). */
  closes: Map<JujuAction, ClosedPath[]>
}

const LANDSCAPE_REASON = 'the Landscape hardening guide (Harden the network) lets only the reverse proxy (haproxy or apache2) receive external traffic'

export function planExposure(inventory: Inventory, policy: Policy): ExposurePlan {
  const actions: JujuAction[] = []
  const notes: string[] = []
  const closes = new Map<JujuAction, ClosedPath[]>()
  const maasNotes = maasPortNotes(inventory, policy)

  for (const model of [...inventory.models.values()].sort(byModel)) {
    const landscape = [...model.applications.values()].some((app) => isCharmIn(app, CHARMS.landscapeServer))
    for (const app of [...model.applications.values()].sort((a, b) => compare(a.name, b.name))) {
      const planned = planApp(model, app, landscape, policy)
      actions.push(...planned.actions)
      notes.push(...planned.notes)
      for (const [action, paths] of planned.closes) closes.set(action, paths)
      const maas = maasNotes.get(appKey(model.controller, model.name, app.name))
      if (maas) notes.push(maas)
    }
  }
  return {actions, notes, closes}
}

function planApp(model: Model, app: Application, landscape: boolean, policy: Policy): ExposurePlan {
  const closes = new Map<JujuAction, ClosedPath[]>()
  const exposure = jujuExposure(app)
  if (!exposure || exposure.length === 0) return {actions: [], notes: [], closes}
  const notes: string[] = []
  const build = actionFor(model, app, policy)
  const action: ActionBuilder = (rule, method, endpoints, before, after, reason) => {
    const built = build(rule, method, endpoints, before, after, reason)
    if (built.enforced && model.type !== 'caas') closes.set(built, closedByExposureChange(model, app, before, after, reason))
    return built
  }
  const candidates = appCandidates(app)
  const keys = matchingKeys(policy.exposure.allow, candidates)
  const allowed = allowedCidrs(app, policy)
  const where = `${app.name} in model ${modelLabel(model)}`

  if (landscape && !isCharmIn(app, CHARMS.reverseProxies)) {
    const literal = keys.filter((key) => candidates.includes(key))
    if (literal.length === 0) {
      const also = allowed ? ` (${policyLine(keys, policy)} matches it only through a glob)` : ' and it is not on exposure.allow'
      return {actions: [action('LANDSCAPE-EXPOSURE', 'Unexpose', [], exposure, [], `${LANDSCAPE_REASON}${also}`)], notes, closes}
    }
    notes.push(
      `${where} stays exposed because ${literal.map((key) => `exposure.allow[${JSON.stringify(key)}]`).join(' and ')} names it, although the Landscape guide exposes only the reverse proxy: LANDSCAPE-EXPOSURE will still be reported for it.`,
    )
  }

  if (!allowed) return {actions: [action('JUJU-EXPOSED', 'Unexpose', [], exposure, [], 'not on exposure.allow')], notes, closes}

  if (model.type === 'caas') return {actions: [], notes, closes}

  const offending = exposure.filter((e) => !exposureAllowed(e, allowed))
  if (offending.length === 0) return {actions: [], notes, closes}
  const line = policyLine(keys, policy)

  if (model.type !== 'iaas' && model.machines.length === 0) {
    notes.push(`${where} is exposed beyond ${line} (${offending.map(describeExposure).join('; ')}), but the model's type is not known, so reconcile does not narrow it (Juju enforces expose CIDRs on machine models only).`)
    return {actions: [], notes, closes}
  }

  // Machine model: narrow each offending entry; drop the ones left with no source at all.
  const replaced = new Map<string, JujuExposure>()
  const dropped: JujuExposure[] = []
  for (const entry of offending) {
    const cidrs = narrow(entry.cidrs, allowed)
    if (cidrs.length === 0 && entry.spaces.length === 0) dropped.push(entry)
    else replaced.set(entry.endpoint, {endpoint: entry.endpoint, cidrs, spaces: [...entry.spaces], implicitWorld: false, world: cidrs.some(isWorldCidr)})
  }
  const final = exposure.filter((e) => !dropped.includes(e)).map((e) => replaced.get(e.endpoint) ?? e)
  if (final.length === 0 || dropped.some((e) => e.endpoint === '')) {
    return {actions: [action('JUJU-EXPOSED', 'Unexpose', [], exposure, [], `${line} admits none of the sources it is exposed to`)], notes, closes}
  }

  const actions: JujuAction[] = []
  const afterExpose = exposure.map((e) => replaced.get(e.endpoint) ?? e)
  if (replaced.size > 0) {
    const endpoints = [...replaced.values()].sort((a, b) => compare(a.endpoint, b.endpoint))
    actions.push(action('JUJU-EXPOSED', 'Expose', Object.fromEntries(endpoints.map((e) => [e.endpoint, wireSettings(e)])), exposure, afterExpose, line))
  }
  if (dropped.length > 0) {
    const endpoints = dropped.map((e) => e.endpoint).sort(compare)
    actions.push(action('JUJU-EXPOSED', 'Unexpose', endpoints, afterExpose, final, `${line} admits none of the sources of ${endpoints.map((e) => `endpoint ${e}`).join(', ')}`))
  }
  return {actions, notes, closes}
}

type ActionBuilder = (
  rule: string,
  method: 'Expose' | 'Unexpose',
  endpoints: Record<string, WireSettings> | string[],
  before: JujuExposure[],
  after: JujuExposure[],
  reason: string,
) => JujuAction

function actionFor(model: Model, app: Application, policy: Policy): ActionBuilder {
  return (rule, method, endpoints, before, after, reason) => ({
    op: 'juju',
    section: 'exposure',
    rule,
    ...modelScope(model),
    connection: 'model',
    facade: 'Application',
    method,
    params: {application: app.name, 'exposed-endpoints': endpoints},
    target: `application ${app.name} in model ${modelLabel(model)}`,
    before: describeAll(before),
    after: describeAll(after),
    reason,
    enforced: policy.exposure.enforce,
  })
}

interface WireSettings {
  'expose-to-cidrs'?: string[]
  'expose-to-spaces'?: string[]
}

/** params.ExposedEndpoint; both fields are `omitempty` in Juju, and never both empty here. */
function wireSettings(e: JujuExposure): WireSettings {
  return {...(e.cidrs.length > 0 ? {'expose-to-cidrs': e.cidrs} : {}), ...(e.spaces.length > 0 ? {'expose-to-spaces': e.spaces} : {})}
}

/**
 * The sources of `cidrs` the allowlist admits: each CIDR that lies inside an allowed one, and each
 * allowed CIDR that lies inside one of them (0.0.0.0/0 with 10.0.0.0/8 allowed gives 10.0.0.0/8).
 * A CIDR covered by another in the result is left out.
 */
function narrow(cidrs: readonly string[], allowed: readonly string[]): string[] {
  const wanted = [...cidrs.filter((c) => cidrWithinAny(c, allowed)), ...allowed.filter((a) => cidrs.some((c) => cidrWithin(a, c)))]
  const kept: string[] = []
  for (const cidr of wanted) {
    if (kept.some((k) => cidrWithin(cidr, k))) continue
    for (let i = kept.length - 1; i >= 0; i--) if (cidrWithin(kept[i]!, cidr)) kept.splice(i, 1)
    kept.push(cidr)
  }
  return kept
}

/**
 * The sources an exposure change takes away, per endpoint entry: every CIDR of BEFORE that no
 * entry of AFTER for the same endpoint (or all endpoints) still admits.
 */
function closedByExposureChange(model: Model, app: Application, before: readonly JujuExposure[], after: readonly JujuExposure[], why: string): ClosedPath[] {
  const closes: ClosedPath[] = []
  for (const entry of before) {
    const still = after.filter((kept) => kept.endpoint === entry.endpoint || kept.endpoint === '').flatMap((kept) => kept.cidrs)
    const lost = entry.cidrs.filter((cidr) => !cidrWithinAny(cidr, still))
    const world = lost.some(isWorldCidr)
    const sources = [...(world ? [OUTSIDE_ID] : []), ...lost.filter((cidr) => !isWorldCidr(cidr))]
    const opened = [...new Set(app.units.flatMap((unit) => unit.openPorts))]
    const ports = entry.endpoint === '' ? (opened.length > 0 ? opened.join(', ') : 'the ports its units open') : `the ports of endpoint ${entry.endpoint}`
    for (const from of sources) {
      closes.push({from, to: `${modelLabel(model)}/${app.name}`, ports, usedBy: `juju expose, ${entry.endpoint === '' ? 'all endpoints' : `endpoint ${entry.endpoint}`}`, why: `exposure.enforce: ${why}`, asked: true})
    }
  }
  return closes
}

function describeAll(exposure: readonly JujuExposure[]): string {
  return exposure.length === 0 ? 'not exposed' : exposure.map(describeExposure).join('; ')
}

/** `exposure.allow["haproxy"]: 10.0.0.0/8`, one clause per matching key. */
function policyLine(keys: readonly string[], policy: Policy): string {
  return keys.map((key) => `exposure.allow[${JSON.stringify(key)}]: ${(policy.exposure.allow[key] ?? []).join(', ') || '(none)'}`).join('; ')
}

/**
 * MAAS-PORTS findings as plan notes: Juju has no call that closes a port a unit opened, so the
 * extra ports are left to the hosts' firewall (the rule's remediation gives the ufw commands).
 */
function maasPortNotes(inventory: Inventory, policy: Policy): Map<string, string> {
  const notes = new Map<string, string>()
  for (const {finding} of evaluateRules([maasPorts], inventory, policy, {now: new Date()}).findings) {
    const {name, model = '', controller = ''} = finding.target
    const extra = Array.isArray(finding.evidence.extraPorts) ? (finding.evidence.extraPorts as string[]) : []
    notes.set(
      appKey(controller, model, name),
      `${name} in model ${modelLabel({controller, name: model})} opens ${extra.join(', ')} beyond the ports MAAS uses; Juju cannot close a port a unit opened, so reconcile leaves them (MAAS-PORTS): ${finding.remediation}`,
    )
  }
  return notes
}

function appKey(controller: string, model: string, app: string): string {
  return `${controller}\u0000${model}\u0000${app}`
}

function byModel(a: Model, b: Model): number {
  return compare(a.controller, b.controller) || compare(a.name, b.name)
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
