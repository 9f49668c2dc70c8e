/**
 * Which collector subordinate observes a machine model's principals, shared by JUJU-OBSERVABILITY's
 * fix and review's bundle edit: opentelemetry-collector where the model's Juju and the principal's
 * base allow it, else grafana-agent where that runs (an OpenStack on focal and Juju 3.4 gets
 * observed now, not after a series upgrade of every service), else nothing until a newer base.
 */
import type {Application, Model} from '../../inventory/types.js'
import {modelJujuVersion} from '../../inventory/juju-version.js'
import {isCharmStoreCharm} from './charms.js'
import {isSubordinate} from './known-charms.js'
import {list} from './targets.js'

/** A machine subordinate that ships a model's telemetry to COS: where its charm is built for, and the Juju it assumes. */
export interface MachineCollector {
  charm: string
  bases: ReadonlySet<string>
  /** Its charmcraft.yaml's `assumes: juju >= X.Y`, when it has one. */
  minJuju?: readonly [number, number]
}

/** canonical/opentelemetry-collector-operator charmcraft.yaml: bases 22.04 and 24.04, `assumes: juju >= 3.6`. */
export const OTEL_COLLECTOR: MachineCollector = {charm: 'opentelemetry-collector', bases: new Set(['ubuntu@22.04', 'ubuntu@24.04']), minJuju: [3, 6]}

/**
 * The collector it replaces, for what it cannot take yet: canonical/grafana-agent-operator is built for
 * 20.04 and 22.04 (charmcraft-22.04.yaml@744cd2e8) and 24.04 (charmcraft-24.04.yaml@09e390c5) and assumes
 * no Juju version. Its upstream, Grafana Agent, reached end of life on 1 November 2025 (grafana.com's
 * Grafana Agent documentation), so the fix says to move on once the model allows it.
 */
export const GRAFANA_AGENT: MachineCollector = {charm: 'grafana-agent', bases: new Set(['ubuntu@20.04', 'ubuntu@22.04', 'ubuntu@24.04'])}

export interface CollectorAssignment {
  collector: MachineCollector
  apps: Application[]
  /** The principals' bases, as far as the input says. */
  bases: string[]
}

export interface MachineCollectorPlan {
  assignments: CollectorAssignment[]
  /** Principals on a base no collector it may use runs on. */
  unsupported: Application[]
  /** Why the model's Juju is older than opentelemetry-collector needs, when its inputs show it. */
  juju?: {why: string; juju2: boolean}
  /** Why grafana-agent, what comes first: said with the commands, or with the bundle edit. */
  notes: string[]
  /** When no collector fits any principal yet: what comes first. */
  blocked?: string
}

export function machineCollectorPlan(model: Model, where: 'model' | 'bundle'): MachineCollectorPlan {
  const apps = [...model.applications.values()]
  // An exported bundle leaves num_units out for an application with no units as for a subordinate:
  // when that guess leaves no principal at all, only what is known to be a subordinate is left out.
  const guessed = apps.filter((app) => isSubordinate(app, model) !== true)
  const principals = guessed.length > 0 ? guessed : apps.filter((app) => isSubordinate(app) !== true)
  const juju = olderJuju(model)
  // A subordinate runs on its principal's base.
  const collectorFor = (app: Application): MachineCollector | undefined => {
    // A Juju 2 model moves to a Juju 3.6 controller first: whether grafana-agent runs on Juju 2 is not known here.
    if (juju?.juju2) return runsOn(OTEL_COLLECTOR, app) ? OTEL_COLLECTOR : undefined
    if (!juju && runsOn(OTEL_COLLECTOR, app)) return OTEL_COLLECTOR
    return runsOn(GRAFANA_AGENT, app) ? GRAFANA_AGENT : undefined
  }
  const byCollector = new Map<MachineCollector, Application[]>()
  const unsupported: Application[] = []
  for (const app of principals) {
    const collector = collectorFor(app)
    if (collector) byCollector.set(collector, [...(byCollector.get(collector) ?? []), app])
    else unsupported.push(app)
  }
  const assignments = [...byCollector].map(([collector, attached]) => ({collector, apps: attached, bases: [...new Set(attached.map(baseOf).filter((b): b is string => b !== undefined))]}))

  const needs = `${OTEL_COLLECTOR.charm} needs Juju ${OTEL_COLLECTOR.minJuju!.join('.')} or later`
  const notes: string[] = []
  if (juju?.juju2 && assignments.length > 0) notes.push(`${needs} and ${juju.why}: ${MOVE_TO_JUJU_3[where]} first`)
  const agentApps = byCollector.get(GRAFANA_AGENT) ?? []
  if (agentApps.length > 0) {
    const who = agentApps.length === principals.length ? 'every principal' : list(agentApps.map((app) => app.name))
    const offBase = agentApps.filter((app) => !runsOn(OTEL_COLLECTOR, app))
    const subject = offBase.length === agentApps.length ? (offBase.length === 1 ? 'it runs' : 'they run') : `${list(offBase.map((app) => app.name))} run${offBase.length === 1 ? 's' : ''}`
    const why = [
      ...(juju ? [`needs Juju ${OTEL_COLLECTOR.minJuju!.join('.')} or later (${juju.why})`] : []),
      ...(offBase.length > 0 ? [`is built for ${[...OTEL_COLLECTOR.bases].join(' and ')} only (${subject} on ${[...new Set(offBase.map(baseOf))].join(', ')})`] : []),
    ]
    const until = juju ? 'the controller and the model run Juju 3.6' : `${agentApps.length === 1 ? 'it runs' : 'they run'} on ubuntu@22.04 or later`
    notes.push(`${GRAFANA_AGENT.charm}, not ${OTEL_COLLECTOR.charm}, for ${who}: ${OTEL_COLLECTOR.charm} ${why.join(' and ')}; Grafana Agent reached its upstream end of life on 1 November 2025: move to ${OTEL_COLLECTOR.charm} once ${until}`)
  }
  for (const {collector, bases} of assignments) {
    if (bases.length > 1) notes.push(`the principals of ${collector.charm} run on ${list(bases)}: deploy one per base${where === 'model' ? ' (--base)' : ''}`)
  }
  if (unsupported.length > 0) {
    const bases = [...new Set(unsupported.map(baseOf))].join(', ')
    const builtFor = juju?.juju2 ? `which ${OTEL_COLLECTOR.charm} is not built for` : 'which neither collector is built for'
    const how = where === 'model' ? 'set-application-base ubuntu@24.04, then new units' : 'base: ubuntu@24.04 in the bundle'
    notes.push(`${list(unsupported.map((app) => app.name))} run${unsupported.length === 1 ? 's' : ''} on ${bases}, ${builtFor}: a newer base first (${how})`)
  }
  // A Juju 2 model deploys neither collector as printed (opentelemetry-collector assumes Juju 3.6): it moves first.
  const blocked =
    assignments.length === 0
      ? [...(juju ? [`${needs} and ${juju.why}: ${juju.juju2 ? MOVE_TO_JUJU_3[where] : 'upgrade the controller and the model'} first`] : []), ...notes].join('; ')
      : juju?.juju2
        ? notes.join('; ')
        : undefined
  return {assignments, unsupported, ...(juju ? {juju} : {}), notes, ...(blocked !== undefined ? {blocked} : {})}
}

/** How a Juju 2 estate gets to Juju 3.6: a deployed model moves controller; a bundle's Charm Store charms become Charmhub's, which Juju 3 deploys. */
const MOVE_TO_JUJU_3 = {model: 'move the model to a Juju 3.6 controller', bundle: "replace its Charm Store charms with Charmhub's (see JUJU-CHARM-SOURCE) and deploy it with Juju 3.6"} as const

function runsOn(collector: MachineCollector, app: Application): boolean {
  const base = baseOf(app)
  return base === undefined || collector.bases.has(base)
}

const UBUNTU_SERIES: Record<string, string> = {trusty: '14.04', xenial: '16.04', bionic: '18.04', focal: '20.04', jammy: '22.04', noble: '24.04'}

/**
 * `ubuntu@22.04` from a base, a series, or the series a Charm Store URL names (`cs:xenial/ceph-mon-6`,
 * `cs:~user/bionic/app-1`).
 */
export function baseOf(app: Application): string | undefined {
  if (app.base) return `${app.base.name}@${app.base.channel.split('/')[0]}`
  const series = app.series ?? /^cs:(?:~[^/]+\/)?([a-z]+)\//.exec(app.charm)?.[1]
  const version = series ? UBUNTU_SERIES[series] : undefined
  return version ? `ubuntu@${version}` : undefined
}

/** Why the model's Juju is older than the collector needs, when its inputs show it: the agent version, or Charm Store (`cs:`) charms, which only Juju 2 deploys. */
function olderJuju(model: Model): {why: string; juju2: boolean} | undefined {
  const version = modelJujuVersion(model)
  if (version) {
    const [major, minor] = version
    const [needMajor, needMinor] = OTEL_COLLECTOR.minJuju!
    const older = major < needMajor || (major === needMajor && minor < needMinor)
    return older ? {why: `this model runs Juju ${model.version}`, juju2: major < 3} : undefined
  }
  const charmStore = [...model.applications.values()].find(isCharmStoreCharm)
  return charmStore ? {why: `this model's charms come from the retired Charm Store (${charmStore.name}: cs:), which only Juju 2 deploys`, juju2: true} : undefined
}
