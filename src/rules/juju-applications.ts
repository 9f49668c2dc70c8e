/**
 * Juju application rules from "Harden the applications" (002): --trust, exposure, charm source
 * and currency, and the Ubuntu base.
 */
import type {Severity} from '../findings/types.js'
import type {Application, Machine, Model} from '../inventory/types.js'
import {appCandidates} from '../policy/candidates.js'
import {
  allowedCidrs,
  describeExposure,
  exposureAllowed,
  exposeEffect,
  exposureRef,
  jujuExposure,
  type JujuExposure,
} from '../policy/exposure.js'
import {cite} from './guides.js'
import {appLabel, charmName, CHARMS, isCharmIn, isCharmStoreCharm, isLocalPath} from './helpers/charms.js'
import {trustNeededBecause} from './helpers/known-charms.js'
import {charmMadeExternalService, exposeExternalServiceType} from './helpers/charm-services.js'
import {isJuju4} from '../inventory/juju-version.js'
import {isSunbeamModel} from './helpers/products.js'
import {type StableChannel, stableChannelFor} from './helpers/stable-channel.js'
import {anyGlobMatches} from './helpers/glob.js'
import {appRbac} from './helpers/k8s-app.js'
import {isWildcardRole} from './helpers/rbac.js'
import {ADMIN_CIDRS, appModelArg, appPolicyName, applications, appTarget, list, modelArg, modelTarget} from './helpers/targets.js'
import {modelHas} from './needs.js'
import type {Rule} from './rule.js'

const APPLICATIONS = cite('juju', 'Harden the applications')

export const jujuTrust: Rule = {
  id: 'JUJU-TRUST',
  title: 'Application deployed with --trust',
  severity: 'high',
  profile: 'juju',
  guide: APPLICATIONS,
  rationale:
    'A trusted application can use the cloud credential of its model; on Kubernetes `juju trust` rewrites its Role and ClusterRole to every verb on every resource, i.e. full control of the cluster. The guide says to choose charms that do not need --trust, and to audit those that do.',
  remediation:
    'Remove trust unless the charm needs it: `juju trust APP --remove` (or `juju config APP trust=false`). If it is needed, audit the charm and list it under `trust.allow` in hardenctl.yaml.',
  autoFixable: false,
  needs: [['juju-config', 'juju-bundle', 'k8s-rbac']],
  evaluate({inventory, policy, report, notEvaluated}) {
    for (const {model, app} of applications(inventory)) {
      if (anyGlobMatches(policy.trust.allow, appCandidates(app))) continue
      const rbac = appRbac(inventory, model, app)
      const wildRoles = rbac.roles.filter(isWildcardRole)
      const wildClusterRoles = rbac.clusterRoles.filter(isWildcardRole)
      const rbacTrusted = wildRoles.length + wildClusterRoles.length > 0
      if (app.trust === undefined && !rbac.known) {
        notEvaluated(appTarget(app, model), ['juju-config', 'juju-bundle', 'k8s-rbac'], 'needs juju config or a bundle or Kubernetes RBAC')
        continue
      }
      if (app.trust !== true && !rbacTrusted) continue

      const severity: Severity = wildClusterRoles.length > 0 ? 'critical' : 'high'
      const how: string[] = []
      if (app.trust === true) how.push('its configuration says trust=true')
      if (wildClusterRoles.length > 0) how.push(`ClusterRole ${list(wildClusterRoles.map((r) => r.metadata.name))} grants * on * in every API group (the whole cluster)`)
      if (wildRoles.length > 0) how.push(`Role ${list(wildRoles.map((r) => `${r.metadata.namespace}/${r.metadata.name}`))} grants * on * in its namespace`)
      report({
        target: appTarget(app, model),
        severity,
        message: `${appLabel(app)} runs with --trust: ${how.join('; ')}.`,
        evidence: {
          trust: app.trust,
          wildcardRoles: wildRoles.map((r) => `${r.metadata.namespace}/${r.metadata.name}`),
          wildcardClusterRoles: wildClusterRoles.map((r) => r.metadata.name),
        },
        remediation: trustRemediation(app),
        ref: app.trust === true ? app.refs.trust : (wildClusterRoles[0] ?? wildRoles[0])?.ref,
      })
    }
  },
}

/** Remove trust, unless the charm's documentation says it needs it: then audit and allow it instead. */
function trustRemediation(app: Application): string {
  const m = appModelArg(app)
  const allowName = appPolicyName(app)
  const needed = trustNeededBecause(app)
  if (needed) {
    return `audit ${app.name} and add "${allowName}" to trust.allow in hardenctl.yaml: ${charmName(app)} needs --trust (${needed}), so \`juju trust -m ${m} ${app.name} --remove\` would break it`
  }
  return `juju trust -m ${m} ${app.name} --remove   # or: juju config -m ${m} ${app.name} trust=false; if the charm needs trust, audit it and add "${allowName}" to trust.allow`
}

export const jujuExposed: Rule = {
  id: 'JUJU-EXPOSED',
  title: 'Application exposed beyond the allowlist',
  severity: 'high',
  profile: 'juju',
  guide: APPLICATIONS,
  rationale:
    'Machines are behind a firewall inside a VPC by default; `juju expose` opens the application\'s ports, to 0.0.0.0/0 and ::/0 unless CIDRs are given. The guide says to expose application or offer endpoints only as needed. On Kubernetes the flag opens nothing to a sidecar charm (Services and Ingresses do, judged by the Kubernetes rules), so there it is reported low, as a record that misleads; a podspec charm\'s expose makes an Ingress.',
  remediation:
    'Unexpose it (`juju unexpose APP`) or restrict the sources (`juju expose APP --endpoints EP --to-cidrs ADMIN-CIDRS`); list intended exposure under `exposure.allow` in hardenctl.yaml.',
  autoFixable: true,
  needs: [['juju-status', 'juju-bundle', 'juju-show-application']],
  evaluate({inventory, policy, report, notEvaluated}) {
    for (const {model, app} of applications(inventory)) {
      const exposure = jujuExposure(app)
      if (exposure === undefined) {
        notEvaluated(appTarget(app, model), ['juju-status', 'juju-show-application', 'juju-bundle'])
        continue
      }
      const allowed = allowedCidrs(app, policy)
      const effect = exposeEffect(model, app)
      if (effect.opens !== 'firewall') {
        // Juju enforces no CIDRs on Kubernetes: listing the application is what says it is meant.
        if (exposure.length === 0 || allowed !== undefined) continue
        report(kubernetesExposure(app, exposure, effect.opens === 'ingress' ? effect.host : undefined, model))
        continue
      }
      const offending = exposure.filter((e) => !exposureAllowed(e, allowed))
      if (offending.length === 0) continue
      const world = offending.some((e) => e.world)
      const m = appModelArg(app)
      // `juju expose` replaces the endpoint's settings: name its spaces again, or the narrowing drops them.
      const restrict = offending
        .map((e) => `juju expose -m ${m} ${app.name}${e.endpoint ? ` --endpoints ${e.endpoint}` : ''}${e.spaces.length > 0 ? ` --to-spaces ${e.spaces.join(',')}` : ''} --to-cidrs ${(allowed ?? [ADMIN_CIDRS]).join(',')}`)
        .join('; ')
      report({
        target: appTarget(app, model),
        severity: world ? 'high' : 'medium',
        message: `${app.name} is exposed: ${offending.map(describeExposure).join('; ')}${allowed ? ` (allowed: ${allowed.join(', ')})` : ' and is not on the exposure allowlist'}.`,
        evidence: {
          exposed: app.exposed,
          exposedEndpoints: Object.fromEntries(offending.map((e) => [e.endpoint, {cidrs: e.cidrs, spaces: e.spaces}])),
          allowed: allowed ?? null,
        },
        remediation: exposedRemediation(app, restrict, allowed === undefined),
        ref: exposureRef(app),
      })
    }
  },
}

/**
 * `juju expose` on a Kubernetes model. A sidecar charm's flag opens nothing: reported low, since
 * it reads as exposure to whoever looks at the model, and unexposing changes no traffic. A podspec
 * charm's makes an Ingress for its external hostname: reachable by whoever reaches the ingress
 * controller, so high.
 */
function kubernetesExposure(app: Application, exposure: JujuExposure[], ingressHost: string | undefined, model: Model) {
  const m = appModelArg(app)
  const endpoints = exposure.some((e) => e.endpoint === '') ? 'all endpoints' : `endpoint${exposure.length === 1 ? '' : 's'} ${exposure.map((e) => e.endpoint).join(', ')}`
  const allow = `or list "${appPolicyName(app)}" under exposure.allow in hardenctl.yaml`
  const common = {
    target: appTarget(app, model),
    evidence: {exposed: app.exposed, exposedEndpoints: Object.fromEntries(exposure.map((e) => [e.endpoint, {cidrs: e.cidrs, spaces: e.spaces}])), allowed: null, ...(ingressHost ? {ingressHost} : {opensNothing: true})},
    ref: exposureRef(app),
  }
  if (ingressHost) {
    return {
      ...common,
      severity: 'high' as const,
      message: `${app.name} is exposed (${endpoints}): Juju makes an Ingress for ${ingressHost} (the expose of a podspec charm, through its juju-external-hostname), open to whoever reaches the ingress controller, and it is not on the exposure allowlist.`,
      remediation: `juju unexpose -m ${m} ${app.name}   # removes the Ingress Juju made for ${ingressHost}; Juju enforces no --to-cidrs on Kubernetes, so narrow at the ingress controller instead, ${allow}`,
    }
  }
  return {
    ...common,
    severity: 'low' as const,
    message: `${app.name} is marked exposed (${endpoints}), but on Kubernetes \`juju expose\` opens nothing to a sidecar charm: traffic from outside the cluster reaches its pods only through a LoadBalancer or NodePort Service or an Ingress, which the Kubernetes rules judge.`,
    remediation: `juju unexpose -m ${m} ${app.name}   # changes no traffic: it clears a flag that reads as exposure (${reachedThrough(app)}), ${allow}`,
  }
}

/** How clients outside the cluster reach a Kubernetes application instead of through the flag. */
function reachedThrough(app: Application): string {
  const own = charmMadeExternalService(app)
  return own ? `clients reach it through ${own}` : 'reach the application from outside through an ingress such as traefik-k8s'
}

/**
 * A front door (a proxy, a load balancer, an ingress) and an OpenStack API are exposed to be
 * reached: narrow them, do not close them. Anything else is unexposed first. Narrowed to networks
 * the policy does not list yet (`ADMIN-CIDRS`), it stays a finding until they are listed.
 */
function exposedRemediation(app: Application, restrict: string, unlisted: boolean): string {
  const m = appModelArg(app)
  const unexpose = `juju unexpose -m ${m} ${app.name}`
  const allow = 'list intended exposure under exposure.allow in hardenctl.yaml'
  if (isCharmIn(app, CHARMS.frontDoors)) {
    return `${restrict}   # ${charmName(app)} is how clients get in: narrow its sources to the networks clients come from, not only the admins', rather than unexpose it (\`${unexpose}\` cuts them all off); ${allow}`
  }
  if (isCharmIn(app, CHARMS.openstackApis)) {
    return `${restrict}   # ${charmName(app)} serves the cloud's API to its users: put the networks they come from, not only the admins', in --to-cidrs rather than unexpose it (\`${unexpose}\` cuts them all off); ${allow}`
  }
  return `${unexpose}   # or restrict${unlisted ? ' (then list those networks under exposure.allow in hardenctl.yaml)' : ''}: ${restrict}`
}

const RISKS = ['stable', 'candidate', 'beta', 'edge'] as const

/** The risk of a channel (`14/edge`, `latest/beta/branch`, `edge`), or undefined when it has none. */
export function channelRisk(channel: string | undefined): (typeof RISKS)[number] | undefined {
  if (!channel) return undefined
  for (const part of channel.split('/')) {
    if ((RISKS as readonly string[]).includes(part)) return part as (typeof RISKS)[number]
  }
  return undefined
}

export function isLocalCharm(app: Application): boolean {
  return app.charmOrigin === 'local' || app.charm.startsWith('local:') || isLocalPath(app.charm)
}

export const jujuCharmSource: Rule = {
  id: 'JUJU-CHARM-SOURCE',
  title: 'Charm not from Charmhub stable',
  severity: 'medium',
  profile: 'juju',
  guide: APPLICATIONS,
  rationale:
    'Charms listed in Charmhub search have passed formal review; a local charm has not, a charm of the retired Charm Store (`cs:`) is maintained nowhere, and candidate/beta/edge revisions have not been released as stable. The guide says to choose charms that show up in Charmhub search and are actively maintained.',
  remediation: 'Deploy the charm from Charmhub on a stable channel: `juju refresh APP --channel TRACK/stable` (for a local or Charm Store charm, the Charmhub charm of its name: `juju refresh APP --switch CHARM`, which takes its default channel).',
  autoFixable: false,
  needs: [['juju-status', 'juju-bundle']],
  evaluate({inventory, report}) {
    for (const {model, app} of applications(inventory)) {
      const local = isLocalCharm(app)
      const charmStore = !local && isCharmStoreCharm(app)
      const risk = channelRisk(app.channel)
      const unstable = risk !== undefined && risk !== 'stable'
      if (!local && !charmStore && !unstable) continue
      const reasons: string[] = []
      if (local) reasons.push(`it is a local charm (${app.charm}), not from Charmhub`)
      if (charmStore) reasons.push('its charm comes from the retired Charm Store (cs:), not Charmhub')
      if (unstable) reasons.push(`it follows channel ${app.channel}, risk ${risk}`)
      const m = appModelArg(app)
      const stable = stableChannelFor(app)
      report({
        target: appTarget(app, model),
        message: `${app.name}: ${reasons.join(' and ')}.`,
        evidence: {charm: app.charm, charmOrigin: app.charmOrigin, channel: app.channel, risk},
        remediation: local ? localCharmFix(app, m) : charmStore ? charmStoreFix(app, m) : isSunbeamModel(model) && !SUNBEAM_INFRA_CHARMS.has(charmName(app)) ? sunbeamChannelFix(app, stable) : stableChannelFix(app, m, stable),
        ref: local || charmStore ? (app.refs.charm ?? app.refs.definition) : (app.refs.channel ?? app.refs.definition),
      })
    }
  },
}

/**
 * Moving from edge or candidate to stable can go back in revisions (a stable release trails the
 * riskier channels): refreshing to a lower revision is a downgrade, which charms with data or
 * schema migrations do not undo. So the fix says to compare first; Juju itself would refresh.
 */
function stableChannelFix(app: Application, modelArg: string, {channel, trackNote}: StableChannel): string {
  return `juju refresh -m ${modelArg} ${app.name} --channel ${channel}   # ${trackNote ? `${trackNote}; ` : ''}${compareRevisions(app, channel)}`
}

function compareRevisions(app: Application, channel: string): string {
  const running = app.revision === undefined ? '' : ` (this one runs revision ${app.revision})`
  return `first compare revisions: \`juju info ${charmName(app)}\` lists ${channel}'s${running}; a lower one is a downgrade, which a charm that migrates data or schemas may not survive: then wait for ${channel} to catch up`
}

/** Charms Sunbeam's in-channel refresh leaves out (intra_channel.py `INFRA_APPS`: refreshed on their own). */
const SUNBEAM_INFRA_CHARMS = new Set(['mysql-k8s', 'vault-k8s', 'k8s'])

/**
 * A Sunbeam model's charms follow Sunbeam's manifest: its refresh sets each charm with a manifest
 * entry to that entry's channel (canonical/snap-openstack sunbeam/steps/upgrades/intra_channel.py,
 * `refresh_apps`), and an edge or candidate deployment's manifest names every charm's. So the channel
 * moves in the manifest; `sunbeam cluster refresh --manifest` applies it (`sunbeam refresh` before).
 */
function sunbeamChannelFix(app: Application, {channel, trackNote}: StableChannel): string {
  const charm = charmName(app)
  return (
    `sunbeam cluster refresh --manifest manifest.yaml   # this model is Sunbeam's: in a copy of its manifest (\`sunbeam manifest show latest\`), set software.charms.${charm}.channel to ${channel}${trackNote ? ` (${trackNote})` : ''}, then apply it with this command (\`sunbeam refresh\` in older snaps); ` +
    `Sunbeam refreshes each charm to the channel its manifest gives (an edge or candidate deployment's manifest names every charm's), so its next refresh undoes one made by hand with juju; ${compareRevisions(app, channel)}`
  )
}

/**
 * A local charm is switched to the Charmhub charm of its name. Its tracks are not known here
 * (`latest` may not exist; an OpenStack charm's track is its OpenStack release), so the command
 * takes Charmhub's default channel and the comment says to name the track the build follows.
 * Whether Charmhub's charm of that name is the one it was built from cannot be known offline:
 * `juju info` stops the command where there is none, and the comment says what to check.
 */
function localCharmFix(app: Application, modelArg: string): string {
  const name = charmName(app)
  return `juju info ${name} && juju refresh -m ${modelArg} ${app.name} --switch ${name}   # only if Charmhub's ${name} is the charm this local build is of; if not, publish it (charmcraft upload) and switch to that; \`juju info ${name}\` lists its tracks: add \`--channel TRACK/stable\` for the one this build follows, or the switch takes Charmhub's default`
}

/**
 * A Charm Store charm moves to Charmhub's charm of its name with `refresh --switch` on the Juju 2.9
 * controller that runs it (Juju 3 deploys no Charm Store charm, so it comes first). A namespaced
 * `cs:~USER/NAME` may have no Charmhub twin, or another charm under that name: `juju info` stops the
 * command where there is none, and the comment says what to check.
 */
function charmStoreFix(app: Application, modelArg: string): string {
  const name = charmName(app)
  return `juju info ${name} && juju refresh -m ${modelArg} ${app.name} --switch ${name}   # the Charm Store is retired and Juju 3 deploys none of its charms: run this on the Juju 2.9 controller that runs the model, before it moves to Juju 3; only if Charmhub's ${name} is this charm (a namespaced cs:~USER/ charm may have no Charmhub twin); \`juju info ${name}\` lists its tracks: add \`--channel TRACK/stable\` for the one to follow, or the switch takes Charmhub's default`
}

export const jujuCharmOutdated: Rule = {
  id: 'JUJU-CHARM-OUTDATED',
  title: 'Newer charm revision available',
  severity: 'low',
  profile: 'juju',
  guide: APPLICATIONS,
  rationale: "The guide says to keep an application's charm up to date; `juju status` shows `can-upgrade-to` when a newer revision is published in the app's channel.",
  remediation: 'Refresh the charm: `juju refresh APP`.',
  autoFixable: false,
  needs: [['juju-status']],
  evaluate({inventory, report, notEvaluated}) {
    for (const model of inventory.models.values()) {
      if (!modelHas(model, 'juju-status')) {
        if (model.applications.size > 0) notEvaluated(modelTarget(model), ['juju-status'])
        continue
      }
      for (const app of model.applications.values()) {
        if (!app.canUpgradeTo) continue
        report({
          target: appTarget(app, model),
          message: `${app.name} (${charmName(app)}${app.revision === undefined ? '' : ` revision ${app.revision}`}) can be refreshed to ${app.canUpgradeTo}.`,
          evidence: {charm: app.charm, revision: app.revision, channel: app.channel, canUpgradeTo: app.canUpgradeTo},
          remediation: `juju refresh -m ${appModelArg(app)} ${app.name}`,
          ref: app.refs['can-upgrade-to'] ?? app.refs.definition,
        })
      }
    }
  },
}

const LTS_SERIES = new Set(['precise', 'trusty', 'xenial', 'bionic', 'focal', 'jammy', 'noble', 'resolute'])
const INTERIM_SERIES = new Set([
  'quantal', 'raring', 'saucy', 'utopic', 'vivid', 'wily', 'yakkety', 'zesty', 'artful', 'cosmic', 'disco', 'eoan',
  'groovy', 'hirsute', 'impish', 'kinetic', 'lunar', 'mantic', 'oracular', 'plucky', 'questing',
])

export type BaseVerdict = {lts: true} | {lts: false; reason: string} | undefined

/** Whether a base (`ubuntu` + `22.04`, or `ubuntu@23.10`) or series (`jammy`) is an Ubuntu LTS. */
export function baseVerdict(base: {name: string; channel: string} | undefined, series: string | undefined): BaseVerdict {
  if (base) {
    let {name, channel} = base
    if (name.includes('@')) [name = '', channel = ''] = name.split('@')
    const version = channel.split('/')[0] ?? ''
    if (name !== 'ubuntu') return {lts: false, reason: `base ${name}@${version} is not Ubuntu`}
    const m = /^(\d{2})\.(\d{2})$/.exec(version)
    if (!m) return undefined
    const year = Number(m[1])
    if (m[2] === '04' && year % 2 === 0) return {lts: true}
    return {lts: false, reason: `base ubuntu@${version} is an interim release, not an LTS`}
  }
  if (series) {
    const s = series.toLowerCase()
    if (LTS_SERIES.has(s)) return {lts: true}
    if (INTERIM_SERIES.has(s)) return {lts: false, reason: `series ${s} is an interim Ubuntu release, not an LTS`}
  }
  return undefined
}

function baseText(base: {name: string; channel: string} | undefined, series: string | undefined): string | undefined {
  return base ? `${base.name}@${base.channel}` : series
}

export const jujuBaseNotLts: Rule = {
  id: 'JUJU-BASE-NOT-LTS',
  title: 'Machine or application not on an Ubuntu LTS base',
  severity: 'low',
  profile: 'juju',
  guide: APPLICATIONS,
  rationale:
    'Juju deploys applications on the latest Ubuntu LTS by default; an interim release (e.g. 23.10) gets security updates for only nine months and is not covered by the Ubuntu Security Guide tooling the guide points to.',
  remediation: 'Move the application to an LTS base: `juju set-application-base APP ubuntu@24.04`, add units on new machines, then remove the old ones.',
  autoFixable: false,
  needs: [['juju-status', 'juju-bundle', 'juju-show-application']],
  evaluate({inventory, report}) {
    for (const model of inventory.models.values()) {
      for (const machine of model.machines) reportMachine(model, machine)
      for (const app of model.applications.values()) {
        const verdict = baseVerdict(app.base, app.series)
        if (!verdict || verdict.lts) continue
        report({
          target: appTarget(app, model),
          message: `${app.name}: ${verdict.reason}.`,
          evidence: {base: app.base, series: app.series},
          remediation: isJuju4(model) ? juju4BaseFix(app) : `juju set-application-base -m ${appModelArg(app)} ${app.name} ubuntu@24.04   # an LTS base the charm supports (\`juju info ${charmName(app)}\` lists each channel's bases); it applies to new units only: first \`juju refresh -m ${appModelArg(app)} ${app.name}\` for that base's charm, as Juju's CLI reference says, then add units on new machines and remove the old ones`,
          ref: app.refs.base ?? app.refs.definition,
        })
      }
    }

    function reportMachine(model: Model, machine: Machine): void {
      const verdict = baseVerdict(machine.base, machine.series)
      if (!verdict || verdict.lts) return
      const target = {kind: 'machine', name: machine.id, model: model.name, ...(model.controller ? {controller: model.controller} : {})}
      report({
        target,
        message: `machine ${machine.id} in model ${model.name}: ${verdict.reason} (${baseText(machine.base, machine.series)}).`,
        evidence: {base: machine.base, series: machine.series},
        remediation: `juju add-machine -m ${modelArg(model)} --base ubuntu@24.04, move its units there, then juju remove-machine -m ${modelArg(model)} ${machine.id}`,
        ref: machine.ref,
      })
    }
  },
}

/**
 * Juju 4 removed the in-place base change: "Base/series commands (juju set-application-base, juju
 * upgrade-machine / machine-upgrade): In-place base or series switching via these commands is
 * removed; use charm-defined upgrade flows" (Juju 4.0.0 release notes, 14 Nov 2025).
 */
function juju4BaseFix(app: Application): string {
  const m = appModelArg(app)
  return `juju info ${charmName(app)}   # this model runs Juju 4, which removed set-application-base and upgrade-machine (Juju 4.0.0 release notes): follow the charm's own upgrade flow to a revision on an LTS base where it has one (\`juju info\` lists each channel's bases), or deploy the charm anew on ubuntu@24.04 beside ${app.name} (\`juju deploy -m ${m} ${charmName(app)} ${app.name}-lts --base ubuntu@24.04\`), move its relations and data there, then remove ${app.name}`
}

export const jujuExposeExternal: Rule = {
  id: 'JUJU-EXPOSE-EXTERNAL',
  title: 'Charm configured to create a LoadBalancer or NodePort Service',
  severity: 'high',
  profile: 'k8s',
  guide: APPLICATIONS,
  rationale:
    'On Kubernetes `juju expose` does nothing; charms such as postgresql-k8s, mysql-k8s and kafka-k8s instead create a NodePort or LoadBalancer Service when their `expose-external` option asks for one, which makes the workload reachable from outside the cluster. The guide says to expose endpoints only as needed. Caught before deploy, this is the K8S-LOADBALANCER finding of a running model.',
  remediation: 'Leave `expose-external` at `false` and reach the application through an ingress with TLS, or list the application and its CIDRs under `exposure.allow` in hardenctl.yaml.',
  autoFixable: false,
  needs: [['juju-bundle', 'juju-config']],
  evaluate({inventory, policy, report}) {
    for (const {app} of applications(inventory)) {
      const value = app.options['expose-external']
      const type = exposeExternalServiceType(app)
      if (!type || allowedCidrs(app, policy) !== undefined) continue
      report({
        target: appTarget(app),
        message: `${app.name} sets expose-external: ${String(value)}, so the charm will create a ${type} Service reachable from outside the cluster, and it is not on the exposure allowlist.`,
        evidence: {option: 'expose-external', value, serviceType: type},
        remediation: `juju config -m ${appModelArg(app)} ${app.name} expose-external=false   # or list "${appPolicyName(app)}" under exposure.allow in hardenctl.yaml`,
        ref: app.optionRefs['expose-external'] ?? app.refs.definition,
      })
    }
  },
}

export const JUJU_APPLICATION_RULES: Rule[] = [jujuTrust, jujuExposed, jujuCharmSource, jujuCharmOutdated, jujuBaseNotLts, jujuExposeExternal]
