/**
 * Before deploy there is nothing to run `juju` against: the fix is an edit to the bundle or the
 * charm. For each pre-deploy rule, the edit is worked out from the finding (rule, target,
 * evidence, location) and the inventory the review read, so the rules themselves stay as they are.
 * Every edit starts with the file and line to change (`bundle.yaml:21: remove ...`).
 */
import type {Finding} from '../findings/types.js'
import {isCaKeyOption} from '../inventory/charm-options.js'
import type {Application, Inventory, Model} from '../inventory/types.js'
import {type DataPath, formatPath, type SourceRef} from '../sources/document.js'
import {charmName, CHARMS, isCharmIn, isCharmStoreCharm} from '../rules/helpers/charms.js'
import {DEPLOY_UNLESS_PRESENT_NOTE} from '../rules/helpers/fix-line.js'
import {knownCharm, trustNeededBecause} from '../rules/helpers/known-charms.js'
import {generatedCredentials} from '../rules/helpers/generated-credentials.js'
import {servicesIgnoreCertificate} from '../rules/helpers/haproxy-services.js'
import {machineCollectorPlan} from '../rules/helpers/machine-collectors.js'
import {maasCharmTlsEra} from '../rules/helpers/maas-charm-tls.js'
import {stableChannelFor} from '../rules/helpers/stable-channel.js'
import {list} from '../rules/helpers/targets.js'
import {type BundleChange, bundleChanges, remediationNotes} from './command-edits.js'

interface EditContext {
  finding: Finding
  inventory: Inventory
  model?: Model
  app?: Application
  /** `file:line: ` of the finding, or '' when it has no location. */
  at: string
}

type Edit = (context: EditContext) => string | undefined

/** The pre-deploy fix for a finding: an edit to the bundle or charm, not a post-deploy command. */
export function preDeployEdit(finding: Finding, inventory: Inventory): string {
  const model = findModel(inventory, finding)
  const app = finding.target.kind === 'application' ? model?.applications.get(finding.target.name) : undefined
  const context: EditContext = {finding, inventory, at: where(finding.location), ...(model ? {model} : {}), ...(app ? {app} : {})}
  const edit = EDITS[finding.rule]?.(context) ?? fromCommands(context)
  return edit ?? `${context.at}change the bundle or charm so that this no longer holds (after deploy the fix would be: ${finding.remediation})`
}

const EDITS: Record<string, Edit> = {
  'JUJU-TRUST': ({at, app}) => {
    if (!app) return undefined
    const needed = trustNeededBecause(app)
    if (needed) return `${at}keep \`trust: true\` on ${appPath(app)}: ${charmName(app)} needs it (${needed}); audit it and list "${policyName(app)}" under trust.allow in hardenctl.yaml`
    return `${at}remove \`trust: true\` from ${appPath(app)} (or set it to false); if the charm needs trust, audit it and list "${policyName(app)}" under trust.allow in hardenctl.yaml`
  },

  'JUJU-EXPOSED': ({at, app, finding}) => {
    if (!app) return undefined
    const allowed = Array.isArray(finding.evidence.allowed) ? (finding.evidence.allowed as string[]) : ['10.0.0.0/8']
    const endpoints = Object.keys((finding.evidence.exposedEndpoints as Record<string, unknown> | undefined) ?? {'': null})
    const restrict = `exposed-endpoints: {${endpoints.map((e) => `${JSON.stringify(e)}: {expose-to-cidrs: [${allowed.join(', ')}]}`).join(', ')}}`
    if (app.refs['exposed-endpoints'] && app.exposedEndpoints && Object.keys(app.exposedEndpoints).length > 0) {
      return `${at}restrict ${appPath(app)}.exposed-endpoints to the networks that need it (${restrict}), or remove them; list intended exposure under exposure.allow in hardenctl.yaml`
    }
    // A front door or an OpenStack API is exposed to be reached (JUJU-EXPOSED's audit fix narrows it too).
    if (isCharmIn(app, CHARMS.frontDoors) || isCharmIn(app, CHARMS.openstackApis)) {
      return `${at}keep ${appPath(app)} reachable to its clients: remove \`expose: true\` from it and give it, in the bundle or an overlay, ${appPath(app)}.${restrict} naming the networks they come from (Juju refuses the two together; without either, nothing outside reaches it); list intended exposure under exposure.allow in hardenctl.yaml`
    }
    return `${at}remove \`expose: true\` from ${appPath(app)}; to open only what is needed, write in an overlay ${appPath(app)}.${restrict}`
  },

  'JUJU-CHARM-SOURCE': ({at, app, finding}) => {
    if (!app) return undefined
    if (finding.evidence.charmOrigin === 'local' || /^(\.|\/|~|local:)/.test(app.charm) || app.charm.endsWith('.charm')) {
      // Its tracks are not known (`latest` may not exist): no channel is Charmhub's default, stable.
      const name = charmName(app)
      return `${at}in ${appPath(app)}, replace the local charm ${app.charm} with the Charmhub charm it was built from (charm: ${name}, if Charmhub's ${name} is that charm: \`juju info ${name}\`), with no channel (the charm's default, stable)`
    }
    if (isCharmStoreCharm(app)) {
      // The retired Charm Store: Juju 3 deploys none of its charms; Charmhub's charm of the name, if it is this one.
      const name = charmName(app)
      return `${at}in ${appPath(app)}, replace the Charm Store (cs:) charm with Charmhub's (charm: ${name}, if Charmhub's ${name} is this charm: \`juju info ${name}\` lists it and its tracks), and give it the channel of the track to follow (TRACK/stable); Juju 3 deploys no Charm Store charm`
    }
    const {channel, trackNote} = stableChannelFor(app)
    return `${at}set ${appPath(app)}.channel to ${channel} (it is ${app.channel ?? 'unset'})${trackNote ? `: ${trackNote}` : ''}`
  },

  'JUJU-BASE-NOT-LTS': ({at, app}) => app && `${at}set ${appPath(app)}.base to ubuntu@24.04 (an Ubuntu LTS)${app.series ? ` in place of series: ${app.series}` : ''}`,

  'JUJU-EXPOSE-EXTERNAL': ({at, app}) =>
    app &&
    `${at}set ${appPath(app)}.options.expose-external to false and reach ${app.name} through an ingress with TLS, or list "${policyName(app)}" and its CIDRs under exposure.allow in hardenctl.yaml`,

  'JUJU-OBSERVABILITY': ({at, model}) => {
    const saas = "and under saas, the COS offers it sends to (e.g. prometheus-receive-remote-write), related to the collector"
    if (model?.type === 'caas') {
      const collector = 'opentelemetry-collector-k8s'
      return `${at}add a collector to the bundle: under applications, \`${collector}: {charm: ${collector}, scale: 1, trust: true}\` (it patches its own StatefulSet: audit it and list it under trust.allow in hardenctl.yaml); under relations, \`- [${collector}, APP]\` for each workload; ${saas}`
    }
    // The collector the audit's fix chooses (grafana-agent where opentelemetry-collector cannot run on the bundle's base), a subordinate: no units of its own.
    const plan = model ? machineCollectorPlan(model, 'bundle') : undefined
    if (plan?.blocked !== undefined) return `${at}no collector can be added to this bundle as it is: ${plan.blocked}; then add one (\`opentelemetry-collector: {charm: opentelemetry-collector}\` under applications, related to each workload and to COS's offers under saas)`
    const assignments = plan?.assignments ?? []
    const entries = assignments.length > 0 ? assignments.map(({collector, bases}) => `\`${collector.charm}: {charm: ${collector.charm}${bases.length === 1 ? `, base: ${bases[0]}` : ''}}\``) : ['`opentelemetry-collector: {charm: opentelemetry-collector}`']
    const names = assignments.length > 0 ? assignments.map(({collector}) => collector.charm) : ['opentelemetry-collector']
    const notes = plan && plan.notes.length > 0 ? ` (${plan.notes.join('; ')})` : ''
    return `${at}add ${names.length === 1 ? 'a collector' : 'the collectors'} to the bundle: under applications, ${entries.join(' and ')}${notes}; under relations, \`- [${names[0]}, APP]\` for each workload${names.length > 1 ? ' (each to the collector that runs on its base)' : ''}; ${saas}`
  },

  'ACCESS-OFFER': ({at, model, finding}) => {
    const offer = model?.offers.find((o) => o.name === finding.target.name)
    const user = String(finding.evidence.user ?? 'USER')
    const allowed = String(finding.evidence.allowed ?? '')
    const acl = offer ? `applications.${offer.application}.offers.${offer.name}.acl` : `the acl of offer ${finding.target.name}`
    return allowed && allowed !== 'undefined'
      ? `${at}in ${acl}, set ${user} to ${allowed} (or remove the entry), or list ${user} under access.offers in hardenctl.yaml`
      : `${at}remove ${user} from ${acl}, or list ${user} under access.offers in hardenctl.yaml`
  },

  'TLS-SELF-SIGNED': ({at, app, finding}) => {
    if (!app) return undefined
    if (finding.evidence.sslCert !== undefined) {
      return `${at}replace \`ssl_cert: SELFSIGNED\` in ${appPath(app)}.options with a certificate from a CA the clients trust (ssl_cert and ssl_key, e.g. include-base64://fullchain.pem), or relate a certificates provider such as lego`
    }
    return `${at}relate ${app.name} to a certificates provider the clients trust (e.g. \`- [${app.name}:certificates, lego]\` under relations) in place of self-signed-certificates`
  },

  'TLS-CONFIG-KEY': (context) => sensitiveOptionsEdit(context, 'TLS key material', 'get certificates over a certificates relation, or from a secret-typed option'),
  'JUJU-NO-SECRETS': (context) => sensitiveOptionsEdit(context, 'credentials', 'keep them in a Juju secret and give the charm its URI through a secret-typed option'),

  'JUJU-ROOT-CONTAINER': ({at, finding}) => {
    const container = String(finding.evidence.container ?? 'NAME')
    return `${at}set containers.${container}.uid and containers.${container}.gid to a non-zero id (e.g. 584792) in the charm's metadata, so Juju runs the container with that runAsUser and runAsGroup; for a charm you do not maintain, choose a revision that does`
  },

  'JUJU-CHARM-USER': ({at}) => `${at}set \`charm-user: non-root\` in the charm's metadata (charmcraft.yaml or metadata.yaml; Juju 3.6+), so the charm code does not run as root`,

  'LANDSCAPE-EXPOSURE': ({at, app}) => app && `${at}remove \`expose: true\` and exposed-endpoints from ${appPath(app)}: only the reverse proxy of a Landscape deployment should be exposed`,

  'LANDSCAPE-INTERNAL-PORTS': ({at, app}) =>
    app && `${at}remove \`expose: true\` from ${appPath(app)}, or restrict it in an overlay with ${appPath(app)}.exposed-endpoints: {"": {expose-to-cidrs: [10.0.0.0/8]}}; and keep the internal ports out of its frontends`,

  'LANDSCAPE-HTTP-PORT': ({at, app}) =>
    app && `${at}once the Landscape clients use https, drop the port-80 frontend from ${appPath(app)}.options (services); if you mirror repositories, set landscape.mirroring: true in hardenctl.yaml instead`,

  'LANDSCAPE-PROXY-TLS': ({at, app}) => {
    if (!app) return undefined
    const certificate = `set ${appPath(app)}.options.ssl_cert and ssl_key to a certificate from a CA the clients trust (e.g. include-base64://fullchain.pem and include-base64://privkey.pem), not SELFSIGNED`
    const unbound = servicesIgnoreCertificate(app)
    // Its services option, when the bundle sets one, decides what listens: the certificate is served only where a service binds it.
    return unbound
      ? `${at}${certificate}, and in ${appPath(app)}.options.services put ${list(unbound.names)} on service_port 443 with \`crts: [DEFAULT]\` (or leave services empty, so that landscape-server sends its own)`
      : `${at}${certificate}`
  },

  'LIVEPATCH-ADMIN-API': ({at, app, model}) => {
    if (!app) return undefined
    if (model?.type === 'caas') return `${at}the admin API needs a NetworkPolicy admitting only livepatch.adminCidrs, which a bundle cannot carry: set livepatch.adminCidrs in hardenctl.yaml and let hardenctl reconcile write it after deploy; meanwhile do not expose ${appPath(app)}`
    return `${at}replace \`expose: true\` in ${appPath(app)} with exposed-endpoints in an overlay: {"": {expose-to-cidrs: [ADMIN-CIDRS]}} (the admin networks of livepatch.adminCidrs)`
  },

  'LIVEPATCH-DB-EXPOSED': ({at, app, finding}) => {
    if (!app) return undefined
    const offers = Array.isArray(finding.evidence.offers) ? (finding.evidence.offers as string[]) : []
    if (offers.length > 0) return `${at}remove the offers ${offers.join(', ')} from ${appPath(app)}.offers unless another model needs them`
    return `${at}remove \`expose: true\` and exposed-endpoints from ${appPath(app)}: the database of Livepatch needs no outside access`
  },

  'MAAS-TLS': ({at, app}) => {
    if (!app) return undefined
    const certificates = 'ssl_cert_content and ssl_key_content (e.g. include-file://cert.pem and include-file://key.pem)'
    switch (maasCharmTlsEra(app)) {
      case 'tls-mode-termination-only':
        return `${at}set ${appPath(app)}.options.tls_mode to termination and give the HAProxy related on its api endpoint its own ssl_cert and ssl_key: the ${app.channel} charm cannot turn TLS on in MAAS (or deploy a later track: 3.6 with tls_mode passthrough and the certificate options, 3.7 and later with the certificate options alone)`
      case 'tls-mode-passthrough':
        return `${at}set ${appPath(app)}.options.tls_mode to passthrough and ${certificates}: the 3.6 charm reads the certificate only with tls_mode=passthrough, and MAAS then serves its API over TLS on 5443`
      default:
        return `${at}set ${appPath(app)}.options.${certificates}, so MAAS serves its API over TLS on 5443`
    }
  },

  'MAAS-VAULT': ({at, app}) =>
    app && `${at}a bundle cannot set MAAS's Vault integration: after deploy run \`sudo maas config-vault configure\` and \`sudo maas config-vault migrate\` on ${app.name}, or waive this finding in hardenctl.yaml if Vault is configured outside Juju`,
}

/** Options set in the bundle are removed there; options the charm only declares become secret-typed. */
function sensitiveOptionsEdit({at, app, inventory, finding}: EditContext, what: string, instead: string): string {
  const set = stringList(finding.evidence.setOptions)
  const declared = stringList(finding.evidence.declaredStringOptions)
  if (app && set.length > 0) {
    // A credential the charm makes itself when unset (keystone's admin-password): leaving it out is the fix.
    const generated = finding.rule === 'JUJU-NO-SECRETS' ? generatedCredentials(app, set) : []
    if (generated.length > 0 && generated.length === set.length) {
      return `${at}remove ${set.join(', ')} from ${appPath(app)}.options: ${charmName(app)} then makes the password itself and keeps it in its leader settings (${generated.map((g) => g.credential.leaderKey).join(', ')}), which only the model's admins can read`
    }
    // A CA's key (octavia's) and the key of a charm with no certificates endpoint (maas-region) have no other way in.
    if (finding.rule === 'TLS-CONFIG-KEY' && (emptyList(finding.evidence.certificatesEndpoints) || set.every(isCaKeyOption))) {
      return `${at}${set.map((option) => `${appPath(app)}.options.${option}`).join(', ')} ${set.length === 1 ? 'holds' : 'hold'} ${what} that ${charmName(app)} takes only as config: keep ${set.length === 1 ? 'it' : 'them'} out of the bundle file and pass ${set.length === 1 ? 'it' : 'them'} at deploy time from a private overlay kept out of version control`
    }
    return `${at}remove ${set.join(', ')} from ${appPath(app)}.options (${what} in plain config); ${instead}`
  }
  const placeholders = stringList(finding.evidence.placeholderOptions)
  if (app && placeholders.length > 0) {
    return `${at}${placeholders.map((option) => `${appPath(app)}.options.${option}`).join(', ')} ${placeholders.length === 1 ? 'holds a placeholder' : 'hold placeholders'}: do not fill ${placeholders.length === 1 ? 'it' : 'them'} in with ${what} here; pass the value at deploy time from a private overlay kept out of version control, or use a charm revision whose option takes a Juju secret (\`type: secret\`)`
  }
  const charm = app?.metadata ?? inventory.charms.get(finding.target.name)
  const option = declared[0] === undefined ? undefined : charm?.options?.[declared[0]]
  const place = at || (option ? where(inventory.locate(option.ref)) : '')
  return `${place}declare ${declared.join(', ')} with \`type: secret\` in the charm's config options (users then pass a secret URI, not the ${what})`
}

/** certificatesFix's text when the requirer's endpoint is not known (helpers/certificate-providers.ts). */
const UNKNOWN_CERTIFICATES_ENDPOINT = /integrate the endpoint on which (\S+) requests certificates \(interface tls-certificates, not known here: `([^`]+)` lists its relations\) with (\S+?)(?: \((.*)\))?$/

/** The rule's juju commands as bundle edits: the relations, applications and options they change. */
function fromCommands(context: EditContext): string | undefined {
  const changes = bundleChanges(context.finding.remediation)
  if (changes.length === 0) return undefined
  // An application the same fix adds is named once, by its own edit, not again by each relation to it.
  const added = new Set(changes.flatMap((change) => (change.kind === 'add-application' ? [change.charm] : [])))
  const edits = changes.map((change) => describeChange(change, context, added))
  // A certificates fix whose requirer endpoint is not known names no relation to add: say which one to find.
  const unknownEndpoint = UNKNOWN_CERTIFICATES_ENDPOINT.exec(context.finding.remediation)
  if (unknownEndpoint) {
    const [, requirer, info, provider, notes = ''] = unknownEndpoint
    const kept = notes.split(/;\s+/).filter((note) => note !== '' && note !== DEPLOY_UNLESS_PRESENT_NOTE)
    edits.push(
      `${bundleFile(context)}add \`- [${requirer}:ENDPOINT, ${provider}]\` under relations, ENDPOINT being the endpoint on which ${requirer} requests certificates (interface tls-certificates: \`${info}\` lists its relations)${kept.length > 0 ? ` (${kept.join('; ')})` : ''}`,
    )
  }
  // A TLS Secret an ingress charm reads is not part of any bundle.
  if (/create secret tls/.test(context.finding.remediation)) edits.push("and, before deploying, create the kubernetes.io/tls Secret it names in the model's namespace")
  const notes = remediationNotes(context.finding.remediation)
  return edits.join('; ') + (notes.length > 0 ? ` (${notes.join('; ')})` : '')
}

function describeChange(change: BundleChange, context: EditContext, added: ReadonlySet<string>): string {
  const {model, inventory} = context
  const app = (name: string): string => appPathByName(model, name)
  /** Changes to one application point at its definition; added relations and applications at `relations:`. */
  const at = (name?: string): string => {
    const definition = name === undefined ? undefined : model?.applications.get(name)?.refs.definition
    return definition ? where(inventory.locate(definition)) : bundleFile(context)
  }
  switch (change.kind) {
    case 'add-relation': {
      const missing = change.ends.map((end) => end.split(':')[0]!).filter((name) => !added.has(name) && !model?.applications.has(name) && !model?.consumed.some((c) => c.name === name))
      const add = missing.length > 0 ? ` and the application${missing.length > 1 ? 's' : ''} ${missing.map((name) => `\`${name}: {${[`charm: ${name}`, ...units(model, name)].join(', ')}}\``).join(', ')} under applications` : ''
      return `${at()}add \`- [${change.ends.join(', ')}]\` under relations${add}`
    }
    case 'remove-relation':
      return `${at()}remove the relation between ${change.ends.join(' and ')} from relations`
    case 'add-application': {
      // `juju deploy` makes one unit; an application in a bundle without num_units (scale) gets none.
      const keys = [`charm: ${change.charm}`, ...(change.channel ? [`channel: ${change.channel}`] : []), ...(change.base ? [`base: ${change.base}`] : []), ...units(model, change.charm), ...(change.trust ? ['trust: true'] : [])]
      return `${at()}add \`${change.charm}: {${keys.join(', ')}}\` under applications`
    }
    case 'set-options':
      return `${at(change.app)}set ${Object.entries(change.options).map(([option, value]) => `${app(change.app)}.options.${option}${value.includes('$(') || value.includes('<') ? '' : `: ${value}`}`).join(' and ')}`
    case 'unset-options':
      return `${at(change.app)}remove ${change.options.join(', ')} from ${app(change.app)}.options`
    case 'unexpose':
      return `${at(change.app)}remove \`expose: true\` and exposed-endpoints from ${app(change.app)}`
    case 'expose-to':
      return `${at(change.app)}restrict ${app(change.app)} in an overlay: exposed-endpoints: {${(change.endpoints.length > 0 ? change.endpoints : ['']).map((e) => `${JSON.stringify(e)}: {expose-to-cidrs: [${change.cidrs.join(', ')}]}`).join(', ')}}`
    case 'untrust':
      return `${at(change.app)}remove \`trust: true\` from ${app(change.app)}`
    case 'channel':
      return `${at(change.app)}set ${app(change.app)}.channel to ${change.channel}${change.charm ? ` and charm to ${change.charm}` : ''}`
    case 'base':
      return `${at(change.app)}set ${app(change.app)}.base to ${change.base}`
  }
}

/**
 * How a bundle counts an application's units: `scale` in a Kubernetes bundle, `num_units` in a
 * machine one. Left out, it is 0 (juju/juju internal/charm/bundledata.go@80c1f484: ApplicationSpec
 * NumUnits and Scale_ are plain ints, `omitempty`), so an added provider would have no unit to issue.
 */
function units(model: Model | undefined, charm: string): string[] {
  // A subordinate has no units of its own: the bundle verifier refuses one with num_units ("is subordinate but has non-zero num_units", same file).
  if (knownCharm(charm)?.subordinate) return []
  return [`${model?.type === 'caas' ? 'scale' : 'num_units'}: 1`]
}

/** `bundle.yaml:30: ` at the bundle's `relations:` key (or its top), where relations and applications are added. */
function bundleFile({app, model, inventory, at}: EditContext): string {
  const definition = app?.refs.definition ?? model?.refs.find((ref) => ref.file !== undefined)
  if (!definition?.file) return at
  const relations: SourceRef = {file: definition.file, document: definition.document ?? 0, path: ['relations']}
  return where(inventory.locate(relations))
}

function findModel(inventory: Inventory, finding: Finding): Model | undefined {
  const {model, controller} = finding.target
  if (model === undefined) return inventory.models.size === 1 ? [...inventory.models.values()][0] : undefined
  return [...inventory.models.values()].find((m) => m.name === model && (controller === undefined || m.controller === controller))
}

function where(location: {file: string; line?: number} | undefined): string {
  if (!location) return ''
  return location.line === undefined ? `${location.file}: ` : `${location.file}:${location.line}: `
}

/** `applications.postgresql`, as the bundle writes it. */
function appPath(app: Application): string {
  const path: DataPath | undefined = app.refs.definition?.path
  const key = path?.[0] === 'services' && path[1] === app.name ? 'services' : 'applications'
  return formatPath([key, app.name])
}

function appPathByName(model: Model | undefined, name: string): string {
  const app = model?.applications.get(name)
  return app ? appPath(app) : formatPath(['applications', name])
}

/** How hardenctl.yaml names the application: `model/app`, or just `app` for a bundle without a model name. */
function policyName(app: Application): string {
  return app.modelUnnamed ? app.name : `${app.model}/${app.name}`
}

/** An evidence field that is a list, and empty (a charm known to have no certificates endpoint). */
function emptyList(value: unknown): boolean {
  return Array.isArray(value) && value.length === 0
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []
}
