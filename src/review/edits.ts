/**
 * Before deploy there is nothing to run `juju` against: the fix is an edit to the bundle or the
 * charm. For each pre-deploy rule, the edit is worked out from the finding (rule, target,
 * evidence, location) and the inventory the review read, so the rules themselves stay as they are.
 * Every edit starts with the file and line to change (`bundle.yaml:21: remove ...`).
 */
import {parse} from 'yaml'

import type {Finding} from '../findings/types.js'
import {isCaKeyOption} from '../inventory/charm-options.js'
import type {Application, Inventory, Model} from '../inventory/types.js'
import {type DataPath, formatPath, type SourceRef} from '../sources/document.js'
import {charmName, CHARMS, isCharmIn, isCharmStoreCharm} from '../rules/helpers/charms.js'
import {DEPLOY_UNLESS_PRESENT_NOTE} from '../rules/helpers/fix-line.js'
import {certificatesChannelBeforeDeploy, knownCharm, trustNeededBecause} from '../rules/helpers/known-charms.js'
import {certificatesFix} from '../rules/helpers/certificate-providers.js'
import {generatedCredentials} from '../rules/helpers/generated-credentials.js'
import {secretTypedOptions} from '../rules/helpers/juju-secrets.js'
import {servicesIgnoreCertificate} from '../rules/helpers/haproxy-services.js'
import {machineCollectorPlan} from '../rules/helpers/machine-collectors.js'
import {maasCharmTlsEra} from '../rules/helpers/maas-charm-tls.js'
import {stableChannelFor} from '../rules/helpers/stable-channel.js'
import {ADMIN_CIDRS, list} from '../rules/helpers/targets.js'
import {type BundleChange, bundleChanges, type PolicyEntry, remediationNotes} from './command-edits.js'

/** Where a bundle edit needs the user's choice of a charm's track. */
const TRACK_PLACEHOLDER = 'TRACK'

interface EditContext {
  finding: Finding
  inventory: Inventory
  model?: Model
  app?: Application
  /** `file:line: ` of the finding, or '' when it has no location. */
  at: string
}

/** A finding's pre-deploy fix: the words it prints, and the same edit as changes a program can apply. */
export interface PreDeployFix {
  text: string
  /** The bundle, overlay, charm metadata and hardenctl.yaml changes the text describes, in its order. */
  changes: BundleChange[]
  /** Set when the changes alone do not settle the finding: what else the text asks for, and why no change carries it. */
  incomplete?: string
}

type Edit = (context: EditContext) => PreDeployFix | undefined

function fix(text: string, changes: BundleChange[], incomplete?: string): PreDeployFix {
  return {text, changes, ...(incomplete === undefined ? {} : {incomplete})}
}

/** The pre-deploy fix for a finding: an edit to the bundle or charm, not a post-deploy command. */
export function preDeployEdit(finding: Finding, inventory: Inventory): PreDeployFix {
  const model = findModel(inventory, finding)
  const app = finding.target.kind === 'application' ? model?.applications.get(finding.target.name) : undefined
  const context: EditContext = {finding, inventory, at: where(finding.location), ...(model ? {model} : {}), ...(app ? {app} : {})}
  const edit = EDITS[finding.rule]?.(context) ?? fromCommands(context)
  return edit ?? fix(`${context.at}change the bundle or charm so that this no longer holds (after deploy the fix would be: ${finding.remediation})`, [], 'no edit is known for this finding')
}

const EDITS: Record<string, Edit> = {
  'JUJU-TRUST': ({at, app}) => {
    if (!app) return undefined
    const needed = trustNeededBecause(app)
    if (needed) return fix(`${at}keep \`trust: true\` on ${appPath(app)}: ${charmName(app)} needs it (${needed}); audit it and list "${policyName(app)}" under trust.allow in hardenctl.yaml`, [{kind: 'policy', entry: {list: 'trust.allow', name: policyName(app)}}])
    return fix(`${at}remove \`trust: true\` from ${appPath(app)} (or set it to false); if the charm needs trust, audit it and list "${policyName(app)}" under trust.allow in hardenctl.yaml`, [{kind: 'untrust', app: app.name}])
  },

  'JUJU-EXPOSED': ({at, app, finding}) => {
    if (!app) return undefined
    // A Kubernetes bundle: Juju enforces no CIDRs there, so the only edit is the flag itself.
    if (finding.evidence.opensNothing === true || typeof finding.evidence.ingressHost === 'string') {
      const effect = finding.evidence.opensNothing === true ? 'it opens nothing on Kubernetes' : `it makes an Ingress for ${String(finding.evidence.ingressHost)}`
      return fix(`${at}remove \`expose: true\` and exposed-endpoints from ${appPath(app)} (${effect}), or list "${policyName(app)}" under exposure.allow in hardenctl.yaml`, [{kind: 'unexpose', app: app.name}])
    }
    const listed = Array.isArray(finding.evidence.allowed)
    const allowed = listed ? (finding.evidence.allowed as string[]) : [ADMIN_CIDRS]
    // The endpoints exposed beyond what is allowed, each with the spaces it is exposed to: a narrowing keeps those.
    const offending = Object.entries((finding.evidence.exposedEndpoints as Record<string, {spaces?: string[]}> | undefined) ?? {'': {}})
    const restricted = offending.map(([endpoint, {spaces = []}]): Extract<BundleChange, {kind: 'expose-to'}> => ({kind: 'expose-to', app: app.name, endpoints: endpoint === '' ? [] : [endpoint], cidrs: allowed, ...(spaces.length > 0 ? {spaces} : {})}))
    const restrict = `exposed-endpoints: {${restricted.map(exposedEndpointsEntry).join(', ')}}`
    // Networks the policy does not list yet stay a finding until they are listed.
    const listThem: BundleChange[] = listed ? [] : [{kind: 'policy', entry: {list: 'exposure.allow', name: policyName(app), cidrs: allowed}}]
    const allow = 'list intended exposure under exposure.allow in hardenctl.yaml'
    // A front door or an OpenStack API is exposed to be reached: narrowed, as the audit's fix narrows it; anything else is closed first.
    if (isCharmIn(app, CHARMS.frontDoors) || isCharmIn(app, CHARMS.openstackApis)) {
      if (app.refs['exposed-endpoints'] && app.exposedEndpoints && Object.keys(app.exposedEndpoints).length > 0) {
        return fix(`${at}keep ${appPath(app)} reachable to its clients, narrowed: in ${appPath(app)}.exposed-endpoints set ${restrict.slice('exposed-endpoints: '.length)}, naming the networks they come from; ${allow}`, [...restricted, ...listThem])
      }
      return fix(
        `${at}keep ${appPath(app)} reachable to its clients: remove \`expose: true\` from it and give it, in an overlay, ${appPath(app)}.${restrict} naming the networks they come from (Juju takes exposed-endpoints only from an overlay and refuses it beside \`expose: true\`; without either, nothing outside reaches it); ${allow}`,
        [{kind: 'unexpose', app: app.name}, ...restricted.map((change) => ({...change, inOverlay: true as const})), ...listThem],
      )
    }
    return fix(
      `${at}remove \`expose: true\` and exposed-endpoints from ${appPath(app)}; to open only what is needed, write in an overlay ${appPath(app)}.${restrict}${listed ? '' : ', and list those networks under exposure.allow in hardenctl.yaml'}`,
      [{kind: 'unexpose', app: app.name}],
    )
  },

  'JUJU-CHARM-SOURCE': ({at, app, finding}) => {
    if (!app) return undefined
    if (finding.evidence.charmOrigin === 'local' || /^(\.|\/|~|local:)/.test(app.charm) || app.charm.endsWith('.charm')) {
      // Its tracks are not known (`latest` may not exist): no channel is Charmhub's default, stable.
      const name = charmName(app)
      return fix(`${at}in ${appPath(app)}, replace the local charm ${app.charm} with the Charmhub charm it was built from (charm: ${name}, if Charmhub's ${name} is that charm: \`juju info ${name}\`), with no channel (the charm's default, stable)`, [{kind: 'replace-charm', app: app.name, charm: name}])
    }
    if (isCharmStoreCharm(app)) {
      // The retired Charm Store: Juju 3 deploys none of its charms; Charmhub's charm of the name, if it is this one.
      const name = charmName(app)
      return fix(
        `${at}in ${appPath(app)}, replace the Charm Store (cs:) charm with Charmhub's (charm: ${name}, if Charmhub's ${name} is this charm: \`juju info ${name}\` lists it and its tracks), and give it the channel of the track to follow (${TRACK_PLACEHOLDER}/stable); Juju 3 deploys no Charm Store charm`,
        [{kind: 'replace-charm', app: app.name, charm: name, channel: `${TRACK_PLACEHOLDER}/stable`}],
      )
    }
    const {channel, trackNote} = stableChannelFor(app, 'before deploy')
    return fix(`${at}set ${appPath(app)}.channel to ${channel} (it is ${app.channel ?? 'unset'})${trackNote ? `: ${trackNote}` : ''}`, [{kind: 'channel', app: app.name, channel}])
  },

  'JUJU-BASE-NOT-LTS': ({at, app}) => app && fix(`${at}set ${appPath(app)}.base to ubuntu@24.04 (an Ubuntu LTS)${app.series ? ` in place of series: ${app.series}` : ''}`, [{kind: 'base', app: app.name, base: 'ubuntu@24.04'}]),

  'JUJU-EXPOSE-EXTERNAL': ({at, app}) =>
    app &&
    fix(
      // A string option: unquoted, YAML's false is a boolean, which Juju refuses for it.
      `${at}set ${appPath(app)}.options.expose-external to "false" (quoted: the option is a string) and reach ${app.name} through an ingress with TLS, or list "${policyName(app)}" and its CIDRs under exposure.allow in hardenctl.yaml`,
      [{kind: 'set-options', app: app.name, options: {'expose-external': 'false'}}],
    ),

  'JUJU-OBSERVABILITY': ({at, model}) => {
    // Where a collector can be added, the audit's commands (deploy, integrate, consume COS's offer) are the bundle's edits.
    const plan = model && model.type !== 'caas' ? machineCollectorPlan(model, 'bundle') : undefined
    if (plan?.blocked === undefined) return undefined
    // A Juju 2 model moves controller first (nothing in the bundle); otherwise the bases the collector runs on come first.
    const rebase = plan.juju?.juju2 ? [] : plan.unsupported.map((app): BundleChange => ({kind: 'base', app: app.name, base: 'ubuntu@24.04'}))
    return fix(
      `${at}no collector can be added to this bundle as it is: ${plan.blocked}; then add one (\`opentelemetry-collector: {charm: opentelemetry-collector}\` under applications, related to each workload and to COS's offers under saas)`,
      rebase,
      plan.blocked,
    )
  },

  'ACCESS-OFFER': ({at, model, finding}) => {
    const offer = model?.offers.find((o) => o.name === finding.target.name)
    const user = String(finding.evidence.user ?? 'USER')
    const allowed = String(finding.evidence.allowed ?? '')
    const acl = offer ? `applications.${offer.application}.offers.${offer.name}.acl` : `the acl of offer ${finding.target.name}`
    const lowered = allowed !== '' && allowed !== 'undefined'
    const changes: BundleChange[] = offer ? [{kind: 'offer-access', app: offer.application, offer: offer.name, user, ...(lowered ? {access: allowed} : {})}] : []
    const unknown = offer ? undefined : 'the offer is not in the bundle'
    return lowered
      ? fix(`${at}in ${acl}, set ${user} to ${allowed} (or remove the entry), or list ${user} under access.offers in hardenctl.yaml`, changes, unknown)
      : fix(`${at}remove ${user} from ${acl}, or list ${user} under access.offers in hardenctl.yaml`, changes, unknown)
  },

  'TLS-DB-PLAINTEXT': (context) => {
    const {app, model, inventory, finding, at} = context
    // A track without a certificates endpoint (the legacy postgresql charm): after deploy the data must move to another application; before, the bundle deploys the charm that has one.
    const noEndpoint = emptyList(finding.evidence.certificatesEndpoints)
    const moved = app && model && noEndpoint ? certificatesChannelBeforeDeploy(app) : undefined
    // No known track of the charm takes a certificate: the audit's advice (a move to plan) holds before deploy too.
    if (noEndpoint && !moved) return fix(`${at}${finding.remediation}`, [], 'no track of the charm known here takes a certificate')
    if (!app || !model || !moved) return undefined
    const channel: BundleChange = {kind: 'channel', app: app.name, channel: moved.channel}
    const first = `${describeChange(channel, context)}: ${moved.why}, and before deploy there is no data to move`
    const relation = certificatesFix(inventory, model, {...app, channel: moved.channel}, {publicFacing: false})
    const then = relation ? fromCommands(context, relation.text) : undefined
    if (!then) return fix(first, [channel], `no certificates provider is known for ${app.name} on ${moved.channel}`)
    return fix(`${first}; then ${then.text}`, [channel, ...then.changes], then.incomplete)
  },

  'TLS-SELF-SIGNED': ({at, app, finding}) => {
    if (!app) return undefined
    if (finding.evidence.sslCert !== undefined) {
      return fix(
        `${at}replace \`ssl_cert: SELFSIGNED\` in ${appPath(app)}.options with a certificate from a CA the clients trust (ssl_cert and ssl_key, e.g. include-base64://fullchain.pem), or relate a certificates provider such as lego`,
        [{kind: 'set-options', app: app.name, options: {ssl_cert: 'include-base64://fullchain.pem', ssl_key: 'include-base64://privkey.pem'}}],
      )
    }
    // A relation to self-signed-certificates: the audit's commands (the relation removed, a provider the clients trust deployed and related) as bundle edits.
    return undefined
  },

  'TLS-CONFIG-KEY': (context) => sensitiveOptionsEdit(context, 'TLS key material', 'get certificates over a certificates relation, or from a secret-typed option'),
  'JUJU-NO-SECRETS': (context) => sensitiveOptionsEdit(context, 'credentials', 'keep them in a Juju secret and give the charm its URI through a secret-typed option'),

  'JUJU-ROOT-CONTAINER': ({at, finding}) => {
    const container = String(finding.evidence.container ?? 'NAME')
    return fix(
      `${at}set containers.${container}.uid and containers.${container}.gid to a non-zero id (e.g. 584792) in the charm's metadata, so Juju runs the container with that runAsUser and runAsGroup; for a charm you do not maintain, choose a revision that does`,
      [{kind: 'charm-metadata', charm: finding.target.name, set: [{path: ['containers', container, 'uid'], value: 584792}, {path: ['containers', container, 'gid'], value: 584792}]}],
    )
  },

  'JUJU-CHARM-USER': ({at, finding}) =>
    fix(`${at}set \`charm-user: non-root\` in the charm's metadata (charmcraft.yaml or metadata.yaml; Juju 3.6+), so the charm code does not run as root`, [{kind: 'charm-metadata', charm: finding.target.name, set: [{path: ['charm-user'], value: 'non-root'}]}]),

  'LANDSCAPE-EXPOSURE': ({at, app}) => app && fix(`${at}remove \`expose: true\` and exposed-endpoints from ${appPath(app)}: only the reverse proxy of a Landscape deployment should be exposed`, [{kind: 'unexpose', app: app.name}]),

  'LANDSCAPE-INTERNAL-PORTS': ({at, app}) =>
    app &&
    fix(
      `${at}remove \`expose: true\` from ${appPath(app)}, or restrict it in an overlay with ${appPath(app)}.exposed-endpoints: {"": {expose-to-cidrs: [${ADMIN_CIDRS}]}}; and keep the internal ports out of its frontends`,
      [{kind: 'unexpose', app: app.name}],
      'which frontends of its services option carry internal ports is the user\'s to edit',
    ),

  // The audit's redirect_https=all, as an option of the bundle (dropping the proxy's port-80 frontend would not stick: landscape-server asks for it again).
  'LANDSCAPE-HTTP-PORT': (context) => {
    const redirect = fromCommands(context)
    return redirect && fix(`${redirect.text}; if you mirror repositories, set landscape.mirroring: true in hardenctl.yaml instead`, redirect.changes, redirect.incomplete)
  },

  'LANDSCAPE-PROXY-TLS': ({at, app}) => {
    if (!app) return undefined
    const certificate = `set ${appPath(app)}.options.ssl_cert and ssl_key to a certificate from a CA the clients trust (e.g. include-base64://fullchain.pem and include-base64://privkey.pem), not SELFSIGNED`
    const setCertificate: BundleChange = {kind: 'set-options', app: app.name, options: {ssl_cert: 'include-base64://fullchain.pem', ssl_key: 'include-base64://privkey.pem'}}
    const unbound = servicesIgnoreCertificate(app)
    // Its services option, when the bundle sets one, decides what listens: the certificate is served only where a service binds it.
    return unbound
      ? fix(
          `${at}${certificate}, and in ${appPath(app)}.options.services put ${list(unbound.names)} on service_port 443 with \`crts: [DEFAULT]\` (or leave services empty, so that landscape-server sends its own)`,
          [setCertificate, {kind: 'unset-options', app: app.name, options: ['services']}],
        )
      : fix(`${at}${certificate}`, [setCertificate])
  },

  'LIVEPATCH-ADMIN-API': ({at, app, model, finding}) => {
    if (!app) return undefined
    if (model?.type === 'caas') {
      return fix(
        `${at}the admin API needs a NetworkPolicy admitting only livepatch.adminCidrs, which a bundle cannot carry: set livepatch.adminCidrs in hardenctl.yaml and let hardenctl reconcile write it after deploy; meanwhile do not expose ${appPath(app)}`,
        [],
        'the NetworkPolicy is written after deploy',
      )
    }
    // Reached through a proxy the bundle exposes (haproxy): the exposure to narrow is the proxy's.
    const through = typeof finding.evidence.through === 'string' ? model?.applications.get(finding.evidence.through) : undefined
    const exposed = through ?? app
    const onlyIf = through ? `: only if every Livepatch client is in these networks too; otherwise keep ${through.name} open and admit the admin API's paths only from them in its own configuration` : ''
    return fix(`${at}replace \`expose: true\` in ${appPath(exposed)} with exposed-endpoints in an overlay: {"": {expose-to-cidrs: [${ADMIN_CIDRS}]}} (the admin networks of livepatch.adminCidrs)${onlyIf}`, [
      {kind: 'unexpose', app: exposed.name},
      {kind: 'expose-to', app: exposed.name, endpoints: [], cidrs: [ADMIN_CIDRS], inOverlay: true},
      {kind: 'policy', entry: {list: 'livepatch.adminCidrs', cidrs: [ADMIN_CIDRS]}},
    ])
  },

  'LIVEPATCH-DB-EXPOSED': ({at, app, finding}) => {
    if (!app) return undefined
    const offers = Array.isArray(finding.evidence.offers) ? (finding.evidence.offers as string[]) : []
    if (offers.length > 0) return fix(`${at}remove the offers ${offers.join(', ')} from ${appPath(app)}.offers unless another model needs them`, [{kind: 'remove-offers', app: app.name, offers}])
    return fix(`${at}remove \`expose: true\` and exposed-endpoints from ${appPath(app)}: the database of Livepatch needs no outside access`, [{kind: 'unexpose', app: app.name}])
  },

  'MAAS-TLS': ({at, app}) => {
    if (!app) return undefined
    const certificates = 'ssl_cert_content and ssl_key_content (e.g. include-file://cert.pem and include-file://key.pem)'
    const certificateOptions = {ssl_cert_content: 'include-file://cert.pem', ssl_key_content: 'include-file://key.pem'}
    switch (maasCharmTlsEra(app)) {
      case 'tls-mode-termination-only':
        return fix(
          `${at}set ${appPath(app)}.options.tls_mode to termination and give the HAProxy related on its api endpoint its own ssl_cert and ssl_key: the ${app.channel} charm cannot turn TLS on in MAAS (or deploy a later track: 3.6 with tls_mode passthrough and the certificate options, 3.7 and later with the certificate options alone)`,
          [{kind: 'set-options', app: app.name, options: {tls_mode: 'termination'}}],
          'the HAProxy and its certificate are not part of this finding\'s application',
        )
      case 'tls-mode-passthrough':
        return fix(`${at}set ${appPath(app)}.options.tls_mode to passthrough and ${certificates}: the 3.6 charm reads the certificate only with tls_mode=passthrough, and MAAS then serves its API over TLS on 5443`, [
          {kind: 'set-options', app: app.name, options: {tls_mode: 'passthrough', ...certificateOptions}},
        ])
      default:
        return fix(`${at}set ${appPath(app)}.options.${certificates}, so MAAS serves its API over TLS on 5443`, [{kind: 'set-options', app: app.name, options: certificateOptions}])
    }
  },

  'MAAS-VAULT': ({at, app}) =>
    app &&
    fix(
      `${at}a bundle cannot set MAAS's Vault integration: after deploy run \`sudo maas config-vault configure\` and \`sudo maas config-vault migrate\` on ${app.name}, or waive this finding in hardenctl.yaml if Vault is configured outside Juju`,
      [],
      'Vault is configured in MAAS after deploy',
    ),
}

/** Options set in the bundle are removed there; options the charm only declares become secret-typed. */
function sensitiveOptionsEdit({at, app, inventory, finding}: EditContext, what: string, instead: string): PreDeployFix {
  const set = stringList(finding.evidence.setOptions)
  const declared = stringList(finding.evidence.declaredStringOptions)
  if (app && set.length > 0) {
    const removed: BundleChange[] = [{kind: 'unset-options', app: app.name, options: set}]
    // A credential the charm makes itself when unset (keystone's admin-password): leaving it out is the fix.
    const generated = finding.rule === 'JUJU-NO-SECRETS' ? generatedCredentials(app, set) : []
    if (generated.length > 0 && generated.length === set.length) {
      return fix(`${at}remove ${set.join(', ')} from ${appPath(app)}.options: ${charmName(app)} then makes the password itself and keeps it in its leader settings (${generated.map((g) => g.credential.leaderKey).join(', ')}), which only the model's admins can read`, removed)
    }
    // A CA's key (octavia's), the key of a charm with no certificates endpoint (maas-region), and a
    // credential of a charm with no secret-typed option (landscape-client's registration-key) have no other way in.
    const onlyAsConfig =
      finding.rule === 'TLS-CONFIG-KEY' ? emptyList(finding.evidence.certificatesEndpoints) || set.every(isCaKeyOption) : secretTypedOptions(app.metadata).length === 0
    if (onlyAsConfig) {
      // Without the charm's metadata, what it takes is only what hardenctl knows of it.
      const how = finding.rule === 'JUJU-NO-SECRETS' && !app.metadata ? `takes as config (no option of type secret is known here; --charm ${app.name}=PATH would say)` : 'takes only as config'
      return fix(
        `${at}${set.map((option) => `${appPath(app)}.options.${option}`).join(', ')} ${set.length === 1 ? 'holds' : 'hold'} ${what} that ${charmName(app)} ${how}: keep ${set.length === 1 ? 'it' : 'them'} out of the bundle file and pass ${set.length === 1 ? 'it' : 'them'} at deploy time from a private overlay kept out of version control`,
        removed,
      )
    }
    const secretOptions = finding.rule === 'JUJU-NO-SECRETS' ? secretTypedOptions(app.metadata) : []
    const through = secretOptions.length > 0 ? ` (${list(secretOptions)})` : ''
    return fix(`${at}remove ${set.join(', ')} from ${appPath(app)}.options (${what} in plain config); ${instead}${through}`, removed)
  }
  const placeholders = stringList(finding.evidence.placeholderOptions)
  if (app && placeholders.length > 0) {
    return fix(
      `${at}${placeholders.map((option) => `${appPath(app)}.options.${option}`).join(', ')} ${placeholders.length === 1 ? 'holds a placeholder' : 'hold placeholders'}: do not fill ${placeholders.length === 1 ? 'it' : 'them'} in with ${what} here; pass the value at deploy time from a private overlay kept out of version control, or use a charm revision whose option takes a Juju secret (\`type: secret\`)`,
      [],
      'a placeholder stays a finding until the charm takes a secret',
    )
  }
  const charm = app?.metadata ?? inventory.charms.get(finding.target.name)
  const option = declared[0] === undefined ? undefined : charm?.options?.[declared[0]]
  const place = at || (option ? where(inventory.locate(option.ref)) : '')
  return fix(`${place}declare ${declared.join(', ')} with \`type: secret\` in the charm's config options (users then pass a secret URI, not the ${what})`, [
    {kind: 'secret-options', charm: finding.target.name, options: declared},
  ])
}

/** certificatesFix's text when the requirer's endpoint is not known (helpers/certificate-providers.ts). */
const UNKNOWN_CERTIFICATES_ENDPOINT = /integrate the endpoint on which (\S+) requests certificates \(interface tls-certificates, not known here: `([^`]+)` lists its relations\) with (\S+?)(?: \((.*)\))?$/

/** The rule's juju commands as bundle edits: the relations, applications and options they change. */
function fromCommands(context: EditContext, remediation = context.finding.remediation): PreDeployFix | undefined {
  const commanded = bundleChanges(remediation)
  if (commanded.length === 0) return undefined
  const {model} = context
  let incomplete: string | undefined
  // An application the same fix adds is named once, by its own edit, not again by each relation to it.
  const added = new Set(commanded.flatMap((change) => (change.kind === 'add-application' ? [change.name ?? change.charm] : change.kind === 'add-saas' ? [change.name] : [])))
  // A relation to an application the bundle lacks adds it too (`juju integrate` of a deployed one says nothing of it).
  const changes: BundleChange[] = []
  const edits: string[] = []
  for (const change of commanded) {
    if (change.kind === 'add-application') {
      const withUnits: BundleChange = {...change, ...unitsOf(model, change.charm)}
      changes.push(withUnits)
      edits.push(describeChange(withUnits, context))
      continue
    }
    changes.push(change)
    if (change.kind !== 'add-relation') {
      edits.push(describeChange(change, context))
      continue
    }
    const missing = change.ends.map((end) => end.split(':')[0]!).filter((name) => !added.has(name) && !model?.applications.has(name) && !model?.consumed.some((c) => c.name === name))
    const implied = missing.map((name): Extract<BundleChange, {kind: 'add-application'}> => ({kind: 'add-application', charm: name, ...unitsOf(model, name)}))
    for (const app of implied) added.add(app.charm)
    changes.push(...implied)
    const add = implied.length > 0 ? ` and the application${implied.length > 1 ? 's' : ''} ${implied.map((app) => `\`${app.charm}: {${applicationKeys(app).join(', ')}}\``).join(', ')} under applications` : ''
    edits.push(describeChange(change, context) + add)
  }
  // A certificates fix whose requirer endpoint is not known names no relation to add: say which one to find.
  const unknownEndpoint = UNKNOWN_CERTIFICATES_ENDPOINT.exec(remediation)
  if (unknownEndpoint) {
    const [, requirer, info, provider, notes = ''] = unknownEndpoint
    const kept = notes.split(/;\s+/).filter((note) => note !== '' && note !== DEPLOY_UNLESS_PRESENT_NOTE)
    edits.push(
      `${bundleFile(context)}add \`- [${requirer}:ENDPOINT, ${provider}]\` under relations, ENDPOINT being the endpoint on which ${requirer} requests certificates (interface tls-certificates: \`${info}\` lists its relations)${kept.length > 0 ? ` (${kept.join('; ')})` : ''}`,
    )
    incomplete = `the endpoint on which ${requirer} requests certificates is not known here`
  }
  // A TLS Secret an ingress charm reads is not part of any bundle.
  if (/create secret tls/.test(remediation)) edits.push("and, before deploying, create the kubernetes.io/tls Secret it names in the model's namespace")
  const notes = remediationNotes(remediation)
  return fix(edits.join('; ') + (notes.length > 0 ? ` (${notes.join('; ')})` : ''), changes, incomplete)
}

function describeChange(change: BundleChange, context: EditContext): string {
  const {model, inventory} = context
  const app = (name: string): string => appPathByName(model, name)
  /** Changes to one application point at its definition; added relations and applications at `relations:`. */
  const at = (name?: string): string => {
    const definition = name === undefined ? undefined : model?.applications.get(name)?.refs.definition
    return definition ? where(inventory.locate(definition)) : bundleFile(context)
  }
  switch (change.kind) {
    case 'add-relation':
      return `${at()}add \`- [${change.ends.join(', ')}]\` under relations`
    case 'remove-relation':
      return `${at()}remove the relation between ${change.ends.join(' and ')} from relations`
    case 'add-application':
      return `${at()}add \`${change.name ?? change.charm}: {${applicationKeys(change).join(', ')}}\` under applications`
    case 'set-options':
      return `${at(change.app)}set ${Object.entries(change.options).map(([option, value]) => `${app(change.app)}.options.${option}${value.includes('$(') || value.includes('<') ? '' : `: ${asYamlString(value)}`}`).join(' and ')}`
    case 'unset-options':
      return `${at(change.app)}remove ${change.options.join(', ')} from ${app(change.app)}.options`
    case 'unexpose':
      return `${at(change.app)}remove \`expose: true\` and exposed-endpoints from ${app(change.app)}`
    case 'expose-to':
      return `${at(change.app)}restrict ${app(change.app)} in an overlay: exposed-endpoints: {${exposedEndpointsEntry(change)}}`
    case 'untrust':
      return `${at(change.app)}remove \`trust: true\` from ${app(change.app)}`
    case 'channel':
      return `${at(change.app)}set ${app(change.app)}.channel to ${change.channel}${change.charm ? ` and charm to ${change.charm}` : ''}`
    case 'base':
      return `${at(change.app)}set ${app(change.app)}.base to ${change.base}`
    case 'replace-charm':
      return `${at(change.app)}set ${app(change.app)}.charm to ${change.charm} and ${change.channel ? `its channel to ${change.channel}` : 'remove its channel'}`
    case 'offer-access':
      return `${at(change.app)}${change.access ? `set ${change.user} to ${change.access} in` : `remove ${change.user} from`} ${app(change.app)}.offers.${change.offer}.acl`
    case 'remove-offers':
      return `${at(change.app)}remove the offers ${change.offers.join(', ')} from ${app(change.app)}.offers`
    case 'add-saas':
      return `${at()}add \`${change.name}: {url: ${change.url}}\` under saas`
    case 'charm-metadata':
      return `set ${change.set.map(({path, value}) => `${path.join('.')}: ${value}`).join(' and ')} in the metadata of charm ${change.charm}`
    case 'secret-options':
      return `declare ${change.options.join(', ')} with \`type: secret\` in the config options of charm ${change.charm}`
    case 'policy':
      return `in hardenctl.yaml, ${describePolicyEntry(change.entry)}`
  }
}

function describePolicyEntry(entry: PolicyEntry): string {
  switch (entry.list) {
    case 'trust.allow':
      return `list "${entry.name}" under trust.allow`
    case 'exposure.allow':
      return `list "${entry.name}" under exposure.allow with ${entry.cidrs.join(', ')}`
    case 'livepatch.adminCidrs':
      return `set livepatch.adminCidrs to ${entry.cidrs.join(', ')}`
  }
}

/**
 * An option value as a bundle must write it to stay a string: charm options set from the command
 * line are strings, and YAML reads an unquoted `false`, `true`, `null` or number as something else,
 * which Juju refuses for a string option.
 */
function asYamlString(value: string): string {
  try {
    if (typeof parse(value) === 'string') return value
  } catch {
    // Not plain YAML (`*alias`, a stray `[`): quoted, it is the string it says.
  }
  return JSON.stringify(value)
}

/** `"endpoint": {expose-to-spaces: [...], expose-to-cidrs: [...]}`, as exposed-endpoints writes each endpoint ('' for all). */
function exposedEndpointsEntry(change: Extract<BundleChange, {kind: 'expose-to'}>): string {
  const spaces = change.spaces && change.spaces.length > 0 ? `expose-to-spaces: [${change.spaces.join(', ')}], ` : ''
  return (change.endpoints.length > 0 ? change.endpoints : ['']).map((endpoint) => `${JSON.stringify(endpoint)}: {${spaces}expose-to-cidrs: [${change.cidrs.join(', ')}]}`).join(', ')
}

/**
 * How a bundle counts an application's units: `scale` in a Kubernetes bundle, `num_units` in a
 * machine one. Left out, it is 0 (juju/juju internal/charm/bundledata.go@80c1f484: ApplicationSpec
 * NumUnits and Scale_ are plain ints, `omitempty`), so an added provider would have no unit to issue.
 * `juju deploy` makes one unit.
 */
function unitsOf(model: Model | undefined, charm: string): {units?: {key: 'scale' | 'num_units'; count: number}} {
  // A subordinate has no units of its own: the bundle verifier refuses one with num_units ("is subordinate but has non-zero num_units", same file).
  if (knownCharm(charm)?.subordinate) return {}
  return {units: {key: model?.type === 'caas' ? 'scale' : 'num_units', count: 1}}
}

/** An added application's keys as the bundle would write them. */
function applicationKeys(change: Extract<BundleChange, {kind: 'add-application'}>): string[] {
  return [
    `charm: ${change.charm}`,
    ...(change.channel ? [`channel: ${change.channel}`] : []),
    ...(change.base ? [`base: ${change.base}`] : []),
    ...(change.units ? [`${change.units.key}: ${change.units.count}`] : []),
    ...(change.trust ? ['trust: true'] : []),
  ]
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
