/**
 * The relation graph around one application. Relations read from a bundle may lack endpoint names
 * (`[landscape-server, haproxy]`) and interfaces; status has names but (before the API) no roles.
 * Helpers here fill the gaps from charm metadata where they can.
 */
import type {Application, ConsumedOffer, Model, Relation, RelationEndpoint} from '../../inventory/types.js'
import {CHARMS, isCharmIn} from './charms.js'
import {CA_TRANSFER_ENDPOINT_NAMES, TLS_CERTIFICATE_INTERFACES, TLS_ENDPOINT_NAMES} from './interfaces.js'
import {certificateEndpoints} from './known-charms.js'

export interface RelationView {
  relation: Relation
  /** This application's side. */
  mine: RelationEndpoint
  /** The other side (undefined for a peer relation). */
  other?: RelationEndpoint
  /** The other application when it is in the same model. */
  otherApp?: Application
  /** The consumed offer when the other side is a remote application. */
  consumed?: ConsumedOffer
  /** The interface: the relation's own, or from this app's metadata for its endpoint. */
  interface?: string
}

/**
 * The model's relations by local application, built once per relation list: scanning every
 * relation for every application made a 16k-application model quadratic.
 */
const relationsByApp = new WeakMap<Relation[], {length: number; byApp: Map<string, Relation[]>}>()

function relationsNaming(model: Model, app: string): Relation[] {
  let index = relationsByApp.get(model.relations)
  if (!index || index.length !== model.relations.length) {
    const byApp = new Map<string, Relation[]>()
    for (const relation of model.relations) {
      for (const name of new Set(relation.endpoints.filter((e) => !e.remote).map((e) => e.application))) {
        const list = byApp.get(name)
        if (list) list.push(relation)
        else byApp.set(name, [relation])
      }
    }
    index = {length: model.relations.length, byApp}
    relationsByApp.set(model.relations, index)
  }
  return index.byApp.get(app) ?? []
}

export function relationsOf(model: Model, app: Application): RelationView[] {
  const out: RelationView[] = []
  for (const relation of relationsNaming(model, app.name)) {
    const mineIndex = relation.endpoints.findIndex((e) => e.application === app.name && !e.remote)
    if (mineIndex < 0) continue
    const mine = relation.endpoints[mineIndex]
    if (!mine) continue
    const other = relation.endpoints.find((_, i) => i !== mineIndex)
    const view: RelationView = {relation, mine}
    if (other && other.application !== app.name) {
      view.other = other
      const local = other.remote ? undefined : model.applications.get(other.application)
      if (local) view.otherApp = local
      else {
        const consumed = model.consumed.find((c) => c.name === other.application)
        if (consumed) view.consumed = consumed
      }
    } else if (other) {
      continue // a peer relation
    }
    const iface = relation.interface ?? endpointInterface(app, mine.endpoint)
    if (iface) view.interface = iface
    out.push(view)
  }
  return out
}

export function endpointInterface(app: Application, endpoint: string | undefined): string | undefined {
  if (!endpoint) return undefined
  return app.metadata?.endpoints.find((e) => e.name === endpoint)?.interface
}

/** The endpoints of the app's charm on which it requests a certificate (from metadata only). */
export function tlsCertificateEndpoints(app: Application): string[] {
  return app.metadata ? (certificateEndpoints(app)?.endpoints ?? []) : []
}

function isCertificateAuthority(view: RelationView): boolean {
  if (view.otherApp) return isCharmIn(view.otherApp, CHARMS.certificateIssuers)
  if (view.consumed) {
    return (
      CHARMS.certificateIssuers.some((ca) => view.consumed?.url.includes(ca)) ||
      view.consumed.endpoints.some((e) => e.interface !== undefined && (TLS_CERTIFICATE_INTERFACES as readonly string[]).includes(e.interface))
    )
  }
  return false
}

/**
 * Whether a relation gives this app a certificate. Decided by the most precise fact available:
 * the interface, else this side's endpoint name, else (unnamed bundle relation) whether the other
 * side is a certificate authority charm.
 */
export function isTlsRelation(app: Application, view: RelationView): boolean {
  if (view.interface) return (TLS_CERTIFICATE_INTERFACES as readonly string[]).includes(view.interface)
  const endpoint = view.mine.endpoint
  if ([endpoint, view.other?.endpoint].some((name) => (CA_TRANSFER_ENDPOINT_NAMES as readonly (string | undefined)[]).includes(name))) return false
  if (endpoint) {
    const known = certificateEndpoints(app)
    if (app.metadata && known) return known.endpoints.includes(endpoint)
    if (known?.endpoints.includes(endpoint)) return true
    if ((TLS_ENDPOINT_NAMES as readonly string[]).includes(endpoint)) return true
    // Named endpoint, no metadata, no interface: only a CA on the other side says TLS.
    return isCertificateAuthority(view) && /cert|tls|ssl/.test(endpoint)
  }
  return isCertificateAuthority(view)
}

export function tlsRelations(model: Model, app: Application): RelationView[] {
  return relationsOf(model, app).filter((view) => isTlsRelation(app, view))
}

export function isSelfSignedRelation(view: RelationView): boolean {
  if (view.otherApp) return isCharmIn(view.otherApp, CHARMS.selfSigned)
  return view.consumed !== undefined && CHARMS.selfSigned.some((c) => view.consumed?.url.includes(c))
}

/** Applications in the same model related to `app` (any endpoint). */
export function relatedApps(model: Model, app: Application): Application[] {
  const out = new Map<string, Application>()
  for (const view of relationsOf(model, app)) if (view.otherApp) out.set(view.otherApp.name, view.otherApp)
  return [...out.values()]
}

/** Describes the other side for evidence: `postgresql:database` or `admin/cos.prometheus`. */
export function describeOther(view: RelationView): string {
  if (!view.other) return '(peer)'
  const name = view.consumed ? `${view.other.application} (${view.consumed.url})` : view.other.application
  return view.other.endpoint ? `${name}:${view.other.endpoint}` : name
}

export function describeMine(view: RelationView): string {
  return view.mine.endpoint ? `${view.mine.application}:${view.mine.endpoint}` : view.mine.application
}
