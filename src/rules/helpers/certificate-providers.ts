/**
 * Which certificate provider a fix should relate an application to: one the estate already has
 * (an application of the same model, an offer the model consumes, an offer another model makes),
 * and only when there is none, one to deploy, the deploy coming first in the printed commands.
 */
import type {Application, Inventory, Model} from '../../inventory/types.js'
import {offerUrl} from '../../policy/access.js'
import {type CertificatesProtocol, providerProtocol, requirerProtocol} from './certificate-protocols.js'
import {charmName, CHARMS, isCharmIn} from './charms.js'
import {DEPLOY_UNLESS_PRESENT_NOTE, deployUnlessPresent, fixLine} from './fix-line.js'
import {servicesIgnoreCertificate} from './haproxy-services.js'
import {TLS_CERTIFICATE_INTERFACES} from './interfaces.js'
import {certificateEndpoints, certificatesInstead, issuingEndpoint, knownCharm} from './known-charms.js'
import {type RelationView, relationsOf} from './relations.js'
import {appModelArg, list, modelArg} from './targets.js'

export interface CertificateProvider {
  /** The name to integrate with in the application's model: an application, or a consumed offer. */
  name: string
  /** Its endpoint that issues certificates, when known; Juju infers it otherwise. */
  endpoint?: string
  /** Its charm, when known (for an offer, its URL). */
  what: string
  where: 'model' | 'consumed offer' | 'offer' | 'to deploy'
  selfSigned: boolean
  /** A CA clients already trust (Let's Encrypt through lego). */
  publicCa: boolean
  /** Commands to run before relating to it: consume the offer, or deploy the charm. */
  setup: string[]
  /** What to do by hand after `setup` (configure lego). */
  note?: string
  /** How many applications of the model it already gives certificates to (the estate's choice of CA). */
  serves: number
  /** The relation-data protocol it issues with, when known (helpers/certificate-protocols.ts). */
  protocol?: CertificatesProtocol
}

const isTls = (iface: string | undefined): boolean => iface !== undefined && (TLS_CERTIFICATE_INTERFACES as readonly string[]).includes(iface)

function issuesCertificates(app: Application): boolean {
  if (isCharmIn(app, CHARMS.certificateIssuers)) return true
  return (app.metadata?.endpoints ?? []).some((e) => e.role === 'provides' && isTls(e.interface))
}

/**
 * The endpoint on which `provider` already issues certificates in the model, when its charm and
 * track say nothing (vault on `latest/edge`): its end of the relations whose other end requests
 * them (a `tls-certificates` relation, or a requirer endpoint named `certificates` or `*-certificates`).
 */
function endpointIssuingInModel(model: Model, provider: string): string | undefined {
  const uses = new Map<string, number>()
  for (const relation of model.relations) {
    const mine = relation.endpoints.find((e) => e.application === provider)
    const other = relation.endpoints.find((e) => e.application !== provider)
    if (!mine?.endpoint || !other) continue
    if (isTls(relation.interface) || /(^|-)certificates$/.test(other.endpoint ?? '')) uses.set(mine.endpoint, (uses.get(mine.endpoint) ?? 0) + 1)
  }
  return [...uses].sort((a, b) => b[1] - a[1])[0]?.[0]
}

function fromApplication(app: Application, model: Model): CertificateProvider {
  const endpoint = issuingEndpoint(app) ?? endpointIssuingInModel(model, app.name)
  const provider: CertificateProvider = {
    name: app.name,
    what: charmName(app),
    where: 'model',
    selfSigned: isCharmIn(app, CHARMS.selfSigned),
    publicCa: isCharmIn(app, CHARMS.publicCertificateIssuers),
    setup: [],
    serves: servedBy(model, app.name, endpoint),
  }
  if (endpoint) provider.endpoint = endpoint
  const protocol = providerProtocol(app, endpoint)
  if (protocol) provider.protocol = protocol
  return provider
}

/** The relations in which `provider` already issues certificates (a TLS interface, or its issuing endpoint). */
function servedBy(model: Model, provider: string, endpoint: string | undefined): number {
  return model.relations.filter((relation) => {
    const end = relation.endpoints.find((e) => e.application === provider)
    if (!end || relation.endpoints.length < 2) return false
    return isTls(relation.interface) || (endpoint !== undefined && end.endpoint === endpoint)
  }).length
}

function urlNames(url: string, family: readonly string[]): boolean {
  const last = url.slice(url.lastIndexOf('.') + 1)
  return family.some((charm) => last.includes(charm))
}

/** The model's applications that issue certificates, found once per model: asked per finding, a scan of every application was quadratic. */
const issuersByModel = new WeakMap<Model, {size: number; issuers: Application[]}>()

function issuersOf(model: Model): Application[] {
  let cached = issuersByModel.get(model)
  if (!cached || cached.size !== model.applications.size) {
    cached = {size: model.applications.size, issuers: [...model.applications.values()].filter(issuesCertificates)}
    issuersByModel.set(model, cached)
  }
  return cached.issuers
}

/** Every certificate provider the model can use, in the order a fix should prefer them. */
export function certificateProviders(inventory: Inventory, model: Model, exclude?: Application): CertificateProvider[] {
  const out: CertificateProvider[] = []
  for (const app of issuersOf(model)) {
    if (app !== exclude) out.push(fromApplication(app, model))
  }
  for (const consumed of model.consumed) {
    const endpoint = consumed.endpoints.find((e) => isTls(e.interface))
    if (!endpoint && !urlNames(consumed.url, CHARMS.certificateIssuers)) continue
    const provider: CertificateProvider = {
      name: consumed.name,
      what: consumed.url,
      where: 'consumed offer',
      selfSigned: urlNames(consumed.url, CHARMS.selfSigned),
      publicCa: urlNames(consumed.url, CHARMS.publicCertificateIssuers),
      setup: [],
      serves: servedBy(model, consumed.name, endpoint?.name),
    }
    if (endpoint) provider.endpoint = endpoint.name
    out.push(provider)
  }
  for (const other of inventory.models.values()) {
    if (other === model) continue
    for (const offer of other.offers) {
      const app = other.applications.get(offer.application)
      const endpoint = offer.endpoints.find((e) => isTls(e.interface))
      if (!endpoint && !(app && issuesCertificates(app))) continue
      if (model.consumed.some((c) => offer.url !== undefined && c.url.endsWith(offer.url.replace(/^[^:]*:/, '')))) continue
      const url = offer.url ?? `${other.controller && other.controller !== model.controller ? `${other.controller}:` : ''}${offerUrl(other, offer)}`
      const provider: CertificateProvider = {
        name: offer.name,
        what: url,
        where: 'offer',
        selfSigned: app ? isCharmIn(app, CHARMS.selfSigned) : false,
        publicCa: app ? isCharmIn(app, CHARMS.publicCertificateIssuers) : false,
        setup: [`juju consume -m ${modelArg(model)} ${url}`],
        serves: 0,
      }
      if (endpoint) provider.endpoint = endpoint.name
      const protocol = app ? providerProtocol(app) : undefined
      if (protocol) provider.protocol = protocol
      out.push(provider)
    }
  }
  return out
}

/**
 * Which existing provider suits best, fewest steps first among equals: for what the outside
 * reaches a CA clients trust, then a private CA, then a self-signed one; inside, a private CA
 * before ACME (whose DNS challenge needs public names).
 */
function rank(provider: CertificateProvider, publicFacing: boolean): number {
  const steps = {model: 0, 'consumed offer': 1, offer: 2, 'to deploy': 3}[provider.where]
  const kind = publicFacing ? (provider.publicCa ? 0 : provider.selfSigned ? 2 : 1) : provider.publicCa ? 1 : 0
  return kind * 10 + steps
}

export interface ProviderChoice {
  /** Only providers that are not self-signed (TLS-SELF-SIGNED's fix). */
  notSelfSigned?: boolean
  /** The application serves the outside: prefer a CA clients already trust. */
  publicFacing: boolean
  /** The requirer endpoint, when an existing relation already names it. */
  endpoint?: string
}

/** The provider a fix names: the best the estate has, else one to deploy. */
export function chooseProvider(inventory: Inventory, model: Model, app: Application, choice: ProviderChoice): CertificateProvider {
  // Only a provider of the requirer's protocol issues it anything (a provider of unknown protocol may).
  const protocol = requirerProtocol(app)
  const candidates = certificateProviders(inventory, model, app).filter((p) => !(choice.notSelfSigned && p.selfSigned) && !(protocol && p.protocol && p.protocol !== protocol))
  // Among equals, the CA the estate already uses most (OpenStack's vault over a leftover easyrsa).
  const best = candidates.sort((a, b) => rank(a, choice.publicFacing) - rank(b, choice.publicFacing) || b.serves - a.serves)[0]
  return best ?? deployProvider(model, choice.publicFacing || choice.notSelfSigned === true, protocol)
}

function deployProvider(model: Model, publicCa: boolean, protocol: CertificatesProtocol | undefined): CertificateProvider {
  const m = modelArg(model)
  if (protocol === 'v0') {
    // Neither self-signed-certificates nor lego speaks v0: the classic vault charm does, on its 1.8 track.
    return {
      name: 'vault',
      endpoint: 'certificates',
      what: 'vault',
      where: 'to deploy',
      selfSigned: false,
      publicCa: false,
      setup: [deployUnlessPresent(m, 'vault', `juju deploy -m ${m} vault --channel 1.8/stable`)],
      serves: 0,
      protocol,
      note: "OpenStack's charms request certificates over the retired tls-certificates v0 protocol, which self-signed-certificates and lego do not speak: the classic vault charm (1.8 track) does; initialise and unseal it and give it a root CA (the OpenStack deployment guide's Vault steps) before it issues",
    }
  }
  if (publicCa) {
    return {
      name: 'lego',
      endpoint: 'certificates',
      what: 'lego',
      where: 'to deploy',
      selfSigned: false,
      publicCa: true,
      setup: [deployUnlessPresent(m, 'lego', `juju deploy -m ${m} lego`)],
      serves: 0,
      note: 'configure lego before it can issue: email, plugin and plugin-config-secret-id (see `juju info lego`)',
    }
  }
  return {
    name: 'self-signed-certificates',
    endpoint: 'certificates',
    what: 'self-signed-certificates',
    where: 'to deploy',
    selfSigned: true,
    publicCa: false,
    setup: [deployUnlessPresent(m, 'self-signed-certificates', `juju deploy -m ${m} self-signed-certificates`)],
    serves: 0,
  }
}

export function providerArg(provider: CertificateProvider): string {
  return provider.endpoint ? `${provider.name}:${provider.endpoint}` : provider.name
}

export interface CertificatesFix {
  /** The commands, joined with `&&`, or what to check when the endpoint is not known. */
  text: string
  provider: CertificateProvider
  /** The requirer endpoint used, when known. */
  endpoint?: string
  /** The `juju integrate` command alone, when the endpoint is known. */
  integrate?: string
  /** What follows the commands as a `#` comment (configure lego, a self-signed CA), if anything. */
  note?: string
}

/** The fix's commands around others: `setup && before && integrate && after   # notes`. */
export function withCommands(fix: CertificatesFix & {integrate: string}, before: string[], after: string[], notes: string[] = []): string {
  return fixLine([{commands: [...fix.provider.setup, ...before, fix.integrate, ...after], notes: [...(fix.note ? [fix.note] : []), ...notes]}])
}

/**
 * The fix that gives `app` a certificate: relate its certificates endpoint to the chosen provider,
 * after consuming or deploying it. When the endpoint is not known (no metadata, a charm whose
 * endpoint changed between tracks and no channel), it says what to check instead of inventing one.
 * Undefined when the charm is known to have no certificates endpoint.
 */
export function certificatesFix(inventory: Inventory, model: Model, app: Application, choice: ProviderChoice): CertificatesFix | undefined {
  const known = certificateEndpoints(app)
  if (known && known.endpoints.length === 0) return undefined
  const provider = chooseProvider(inventory, model, app, choice)
  const endpoint = choice.endpoint ?? known?.endpoints[0]
  const m = appModelArg(app)
  const notes = [
    provider.note,
    choice.publicFacing && provider.selfSigned ? 'a self-signed CA must be handed to every client; lego gives one they already trust' : undefined,
    clientsMustUseTls(model, app),
    provider.where === 'to deploy' ? DEPLOY_UNLESS_PRESENT_NOTE : undefined,
  ].filter((n): n is string => n !== undefined)
  const noteText = notes.join('; ')
  if (!endpoint) {
    const info = `juju info ${charmName(app)}${app.channel ? ` --channel ${app.channel}` : ''}`
    const setup = provider.setup.length > 0 ? `run \`${provider.setup.join(' && ')}\`, then ` : ''
    return {
      text: `${setup}integrate the endpoint on which ${app.name} requests certificates (interface tls-certificates, not known here: \`${info}\` lists its relations) with ${providerArg(provider)}${noteText ? ` (${noteText})` : ''}`,
      provider,
      ...(noteText ? {note: noteText} : {}),
    }
  }
  const integrate = `juju integrate -m ${m} ${app.name}:${endpoint} ${providerArg(provider)}`
  return {text: fixLine([{commands: [...provider.setup, integrate], notes}]), provider, endpoint, integrate, ...(noteText ? {note: noteText} : {})}
}

/** For messages: `vault (in this model)`, `the consumed offer admin/certs.ca`, `lego (to deploy)`. */
export function describeProvider(provider: CertificateProvider): string {
  switch (provider.where) {
    case 'model':
      return `${provider.name} (${provider.what})`
    case 'consumed offer':
      return `${provider.name} (consumed offer ${provider.what})`
    case 'offer':
      return `the offer ${provider.what}`
    default:
      return `${provider.name} (not deployed yet)`
  }
}

/** Why a charm has no certificates endpoint, when the table knows where its TLS comes from. */
export function tlsComesFrom(app: Application): string | undefined {
  return knownCharm(app)?.tlsFrom
}

/**
 * A reverse proxy's certificate (haproxy, apache2): over its certificates relation where it has
 * one (haproxy 2.8), else its `ssl_cert`/`ssl_key` options (the legacy charms take it only so).
 */
export function proxyCertificateFix(inventory: Inventory, model: Model, proxy: Application): {relation?: CertificatesFix & {integrate: string}; text: string} {
  const relationFix = certificatesFix(inventory, model, proxy, {publicFacing: true, notSelfSigned: true})
  if (relationFix?.integrate) return {relation: {...relationFix, integrate: relationFix.integrate}, text: relationFix.text}
  const certificate = 'ssl_cert="$(base64 -w0 fullchain.pem)" ssl_key="$(base64 -w0 privkey.pem)"'
  const plain = isCharmIn(proxy, ['haproxy']) ? servicesIgnoreCertificate(proxy) : undefined
  if (plain) {
    // The certificate options alone change no listener: the services must bind with them.
    return {
      text: `juju config -m ${appModelArg(proxy)} ${proxy.name} ${certificate} services="$(cat services.yaml)"   # a certificate from a CA the clients trust (e.g. LetsEncrypt); services.yaml is ${proxy.name}'s services option as it is now with ${list(plain.names)} on service_port 443 and \`crts: [DEFAULT]\` (DEFAULT is that ssl_cert/ssl_key pair), and a service on 80 that only redirects (\`http-request redirect scheme https\`): ${proxy.name}'s services bind no certificate now, so the certificate options alone change nothing`,
    }
  }
  return {text: `juju config -m ${appModelArg(proxy)} ${proxy.name} ${certificate}   # a certificate from a CA the clients trust (e.g. LetsEncrypt)`}
}

/**
 * Endpoints over which nothing connects to a database as its client: certificates, observability,
 * backups, replication, and a router's or pooler's `backend-database` (mysql-router-k8s,
 * pgbouncer-k8s), which is the cluster it connects to.
 */
const NOT_CLIENT_ENDPOINTS = /^(certificates|client-certificates|peer-certificates|metrics-endpoint|grafana-dashboard|logging|cos-agent|s3-parameters|replication|replication-offer|async-primary|async-replica|tracing|backend-database|juju-info)$/

/**
 * Whether a related application connects to this one as its client. A subordinate attached over
 * juju-info (either side may name the endpoint; a bundle's `[ntp, postgresql]` names neither) runs
 * beside it and is no client.
 */
function isClientRelation(view: RelationView): boolean {
  if (NOT_CLIENT_ENDPOINTS.test(view.mine.endpoint ?? '') || view.other?.endpoint === 'juju-info' || view.interface === 'juju-info') return false
  return !(view.otherApp && knownCharm(view.otherApp)?.attachesOnly)
}

/**
 * For a charm that refuses clients without TLS once it has a certificate: which of its related
 * applications must connect with TLS first. The fix must say so, or it cuts those that do not.
 */
function clientsMustUseTls(model: Model, app: Application): string | undefined {
  const enforced = knownCharm(app)?.tlsRequiredOfClients
  if (!enforced) return undefined
  const clients = [...new Set(relationsOf(model, app).filter(isClientRelation).map((view) => view.other?.application).filter((name): name is string => name !== undefined))].sort()
  const check = clients.length > 0 ? `its clients (${clients.join(', ')}) connect with TLS, or they are cut off` : 'every client connects with TLS, or it is cut off'
  return `${charmName(app)} ${enforced}: check first that ${check}`
}

/**
 * The fix for a database whose charm has no certificates endpoint (certificatesFix gave none): what
 * takes a certificate instead, from the table where it says, else a charm or revision to find.
 */
export function noCertificatesEndpointFix(app: Application): string {
  const name = charmName(app)
  const instead = certificatesInstead(app) ?? `plan a move to a charm or revision that takes one (\`juju info ${name}\` lists each channel's relations)`
  return `${name} cannot obtain a certificate over a relation: ${instead}; until then keep it on a network only its clients reach`
}
