/**
 * What `juju expose` says about an application, and whether the policy allows it.
 *
 * Juju semantics: `juju expose APP` with no `--to-cidrs`/`--to-spaces` opens the app's ports to
 * 0.0.0.0/0 (and ::/0). Per-endpoint exposure lives in `exposed-endpoints` (key `""` is "all
 * endpoints"); an entry with neither CIDRs nor spaces also means the whole Internet.
 */
import type {SourceRef} from '../sources/document.js'
import type {Application, Model} from '../inventory/types.js'
import type {Policy} from './schema.js'
import {cidrWithinAny, isWorldCidr, WORLD_CIDRS} from './cidr.js'
import {appCandidates} from './candidates.js'
import {matchingKeys} from './glob.js'

export interface JujuExposure {
  /** `""` means every endpoint. */
  endpoint: string
  /** The CIDRs traffic may come from; the world when Juju was given none. */
  cidrs: string[]
  spaces: string[]
  /** No CIDRs or spaces were given: Juju's default, 0.0.0.0/0. */
  implicitWorld: boolean
  /** Open to 0.0.0.0/0 or ::/0. */
  world: boolean
}

/**
 * The app's exposure: `[]` when known not exposed, `undefined` when no input said.
 */
export function jujuExposure(app: Application): JujuExposure[] | undefined {
  if (app.exposed === false) return []
  const endpoints = app.exposedEndpoints
  if (endpoints && Object.keys(endpoints).length > 0) {
    return Object.entries(endpoints).map(([endpoint, e]) => {
      const implicitWorld = e.cidrs.length === 0 && e.spaces.length === 0
      const cidrs = implicitWorld ? [...WORLD_CIDRS] : [...e.cidrs]
      return {endpoint, cidrs, spaces: [...e.spaces], implicitWorld, world: cidrs.some(isWorldCidr)}
    })
  }
  if (app.exposed === true) return [{endpoint: '', cidrs: [...WORLD_CIDRS], spaces: [], implicitWorld: true, world: true}]
  if (endpoints) return []
  return undefined
}

/**
 * What `juju expose` changes, which depends on the substrate. On machines Juju opens the firewall
 * to the CIDRs given, else to everyone. On Kubernetes a sidecar charm's expose changes nothing:
 * Juju's sidecar firewaller leaves it unimplemented (juju/juju worker/caasfirewallersidecar,
 * "implement expose once it's modelled"), and Juju 4's only keeps the Service's ports in step
 * with `open-port`. A podspec charm's expose makes an Ingress for its `juju-external-hostname`
 * (Juju refuses to expose one without it).
 */
export type ExposeEffect = {opens: 'firewall'} | {opens: 'nothing'} | {opens: 'ingress'; host: string}

export function exposeEffect(model: Pick<Model, 'type'> | undefined, app: Application): ExposeEffect {
  if (model?.type !== 'caas') return {opens: 'firewall'}
  const host = app.options['juju-external-hostname']
  return typeof host === 'string' && host !== '' ? {opens: 'ingress', host} : {opens: 'nothing'}
}

/**
 * The exposure that opens Juju's firewall to outside sources: the app's exposure on a machine
 * model, none on Kubernetes (where only Services and Ingresses let outside traffic in).
 * `undefined` when no input said.
 */
export function firewallExposure(model: Pick<Model, 'type'> | undefined, app: Application): JujuExposure[] | undefined {
  const exposure = jujuExposure(app)
  return exposure === undefined || exposeEffect(model, app).opens === 'firewall' ? exposure : []
}

export function exposureRef(app: Application): SourceRef | undefined {
  return app.refs['exposed-endpoints'] ?? app.refs.expose ?? app.refs.definition
}

/** The CIDRs `policy.exposure.allow` grants this app, or undefined when it is not listed. */
export function allowedCidrs(app: Application, policy: Policy): string[] | undefined {
  const keys = matchingKeys(policy.exposure.allow, appCandidates(app))
  if (keys.length === 0) return undefined
  return keys.flatMap((key) => policy.exposure.allow[key] ?? [])
}

/** True when every source the exposure opens lies inside the allowed CIDRs (spaces are internal). */
export function exposureAllowed(exposure: JujuExposure, allowed: readonly string[] | undefined): boolean {
  if (!allowed) return false
  if (exposure.cidrs.length === 0) return true
  return exposure.cidrs.every((cidr) => cidrWithinAny(cidr, allowed))
}

/** Human text for one exposure: `all endpoints to 0.0.0.0/0, ::/0`. */
export function describeExposure(exposure: JujuExposure): string {
  const what = exposure.endpoint === '' ? 'all endpoints' : `endpoint ${exposure.endpoint}`
  const to = [...exposure.cidrs, ...exposure.spaces.map((s) => `space ${s}`)].join(', ')
  return `${what} to ${to}${exposure.implicitWorld ? ' (no CIDRs given: Juju opens to everyone)' : ''}`
}
