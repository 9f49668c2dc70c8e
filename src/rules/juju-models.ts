/** Model rules from "Harden the model(s)" and "Audit and observe" (002). */
import type {Application, Inventory, Model} from '../inventory/types.js'
import type {Policy} from '../policy/schema.js'
import {commandBlocks} from '../policy/commands.js'
import {cite} from './guides.js'
import {CHARMS, isCharmIn} from './helpers/charms.js'
import {fixLine} from './helpers/fix-line.js'
import {anyGlobMatches, matchingKeys} from './helpers/glob.js'
import {isSubordinate} from './helpers/known-charms.js'
import {
  OBSERVABILITY_ENDPOINT_NAMES,
  OBSERVABILITY_INTERFACES,
  OBSERVABILITY_OFFER_WORDS,
} from './helpers/interfaces.js'
import {describeMine, describeOther, relationsOf, type RelationView} from './helpers/relations.js'
import {jujuModelName, list, modelArg, modelTarget, policyAppName, refField} from './helpers/targets.js'
import type {Rule} from './rule.js'

export const jujuDisabledCommands: Rule = {
  id: 'JUJU-DISABLED-COMMANDS',
  title: 'Production model without command blocks',
  severity: 'medium',
  profile: 'juju',
  guide: cite('juju', 'Harden the model(s)'),
  rationale:
    'A model can block whole command sets for every user: `destroy-model` stops the model being destroyed, `remove-object` also stops removing applications, units, machines and relations, `all` blocks every change. The guide says to restrict the commands users can perform on a model.',
  remediation: 'Block the missing command sets: `juju disable-command -m MODEL destroy-model "hardenctl: production model"` and `juju disable-command -m MODEL remove-object "hardenctl: production model"`; list non-production models under `nonProductionModels`.',
  autoFixable: true,
  needs: [['juju-disabled-commands']],
  evaluate({inventory, policy, report, notEvaluated}) {
    for (const model of inventory.models.values()) {
      const blocks = commandBlocks(model, policy)
      if (blocks.status === 'non-production') continue
      if (blocks.status === 'unknown') {
        notEvaluated(modelTarget(model), ['juju-disabled-commands'])
        continue
      }
      const {required, present, missing} = blocks
      if (missing.length === 0) continue
      const m = modelArg(model)
      report({
        target: modelTarget(model),
        message: `model ${model.name} does not block ${list(missing)}${present.length > 0 ? ` (blocked: ${present.join(', ')})` : ' (no commands are disabled)'}.`,
        evidence: {required, disabledCommands: present, missing},
        remediation: missing.map((set) => `juju disable-command -m ${m} ${set} "hardenctl: production model"`).join('; '),
        ...refField(model.disabledCommandsRef ?? model.refs[0]),
      })
    }
  },
}

function isObservabilityRelation(view: RelationView): boolean {
  if (view.interface && (OBSERVABILITY_INTERFACES as readonly string[]).includes(view.interface)) return true
  const names = [view.mine.endpoint, view.other?.endpoint].filter((n): n is string => n !== undefined)
  if (names.some((n) => (OBSERVABILITY_ENDPOINT_NAMES as readonly string[]).includes(n))) return true
  if (view.otherApp && isCharmIn(view.otherApp, CHARMS.observability)) return true
  if (view.consumed) {
    return (
      OBSERVABILITY_OFFER_WORDS.test(view.consumed.url) ||
      view.consumed.endpoints.some((e) => e.interface !== undefined && (OBSERVABILITY_INTERFACES as readonly string[]).includes(e.interface))
    )
  }
  return false
}

function observabilityLinks(model: Model): string[] {
  const links: string[] = []
  for (const app of model.applications.values()) {
    for (const view of relationsOf(model, app)) {
      if (isObservabilityRelation(view)) links.push(`${describeMine(view)} -> ${describeOther(view)}`)
    }
  }
  for (const consumed of model.consumed) {
    if (OBSERVABILITY_OFFER_WORDS.test(consumed.url) || consumed.endpoints.some((e) => e.interface !== undefined && (OBSERVABILITY_INTERFACES as readonly string[]).includes(e.interface))) {
      links.push(`consumes ${consumed.url}`)
    }
  }
  return [...new Set(links)]
}

export const jujuObservability: Rule = {
  id: 'JUJU-OBSERVABILITY',
  title: 'Model not integrated with the observability stack',
  severity: 'low',
  profile: 'juju',
  guide: cite('juju', 'Audit and observe'),
  rationale:
    'Without metrics and logs leaving the model, misuse and failures go unseen and there is nothing to audit afterwards. The guide recommends integrating deployments with the Canonical Observability Stack.',
  remediation:
    'Deploy a collector, relate it to the workloads and to COS: on machines the `opentelemetry-collector` subordinate (no --trust: `juju integrate opentelemetry-collector:juju-info APP`), or `grafana-agent` where the model\'s Juju (before 3.6) or base (20.04) does not take it yet; on Kubernetes `opentelemetry-collector-k8s`, which needs --trust to patch its own StatefulSet, so list it under `trust.allow` in hardenctl.yaml after auditing it. Then consume the COS offers (`juju consume admin/cos.prometheus-receive-remote-write`) and integrate them.',
  autoFixable: false,
  needs: [['juju-status', 'juju-bundle']],
  evaluate({inventory, policy, report, notEvaluated}) {
    for (const model of inventory.models.values()) {
      if (model.applications.size === 0) continue
      if (observabilityLinks(model).length > 0) continue
      // An application whose status failed may hold the relation that observes the model.
      const unread = inventory.gaps.filter((gap) => gap.target.kind === 'application' && gap.target.model === model.name && (gap.target.controller ?? '') === model.controller)
      if (unread.length > 0) {
        notEvaluated(modelTarget(model), ['juju-status'], `the status of ${list(unread.map((gap) => gap.target.name))} could not be read, so its relations are unknown`)
        continue
      }
      const offer = cosOffer(inventory, model)
      report({
        target: modelTarget(model),
        message: `model ${model.name} has no relation to grafana-agent, opentelemetry-collector, a cos-agent endpoint or a COS offer: its ${model.applications.size} applications are not observed.`,
        evidence: {applications: [...model.applications.keys()], consumedOffers: model.consumed.map((c) => c.url), relations: model.relations.length},
        remediation: model.type === 'caas' ? kubernetesCollectorFix(model, policy, offer) : machineCollectorFix(model, offer),
        ...(model.refs[0] ? {ref: model.refs[0]} : {}),
      })
    }
  },
}

/** COS's remote-write offer: its URL to consume and the name it is consumed under. */
interface CosOffer {
  url: string
  name: string
  /** Read from the estate (an offer some model in view makes), not COS's documented default. */
  seen: boolean
}

/** Where COS's documentation deploys it: model `cos`, offer `prometheus-receive-remote-write`. */
const DOCUMENTED_COS_OFFER: CosOffer = {url: 'admin/cos.prometheus-receive-remote-write', name: 'prometheus-receive-remote-write', seen: false}

/**
 * The remote-write offer of a COS in view (a model offering an endpoint of interface
 * prometheus_remote_write, as COS's Prometheus or Mimir does), else COS's documented default,
 * which the fix then says to check. A URL without a controller gets the offering model's when that
 * is not the consuming model's.
 */
function cosOffer(inventory: Inventory, consumer: Model): CosOffer {
  for (const model of inventory.models.values()) {
    // Its own model relates to the application itself, not to its offer.
    if (model === consumer) continue
    for (const offer of model.offers) {
      if (!offer.url || !offer.endpoints.some((endpoint) => endpoint.interface === 'prometheus_remote_write')) continue
      const otherController = !offer.url.includes(':') && model.controller && consumer.controller && model.controller !== consumer.controller
      return {url: otherController ? `${model.controller}:${offer.url}` : offer.url, name: offer.name, seen: true}
    }
  }
  return DOCUMENTED_COS_OFFER
}

/** Where the collector sends metrics: COS's remote-write offer, consumed under its offer name. */
function cosCommands(model: Model, collector: string, offer: CosOffer): string[] {
  const m = modelArg(model)
  return [`juju consume -m ${m} ${offer.url}`, `juju integrate -m ${m} ${collector}:send-remote-write ${offer.name}`]
}

/** What the fix says of the offer it consumes when it was not seen in the estate. */
const UNSEEN_COS_OFFER = `${DOCUMENTED_COS_OFFER.url} is where COS's documentation puts it: use the URL \`juju find-offers --interface prometheus_remote_write\` shows for your COS`

const UBUNTU_SERIES: Record<string, string> = {trusty: '14.04', xenial: '16.04', bionic: '18.04', focal: '20.04', jammy: '22.04', noble: '24.04'}

/**
 * `ubuntu@22.04` from a base, a series, or the series a Charm Store URL names (`cs:xenial/ceph-mon-6`,
 * `cs:~user/bionic/app-1`); a subordinate must run on its principals' base.
 */
function baseOf(app: Application): string | undefined {
  if (app.base) return `${app.base.name}@${app.base.channel.split('/')[0]}`
  const series = app.series ?? /^cs:(?:~[^/]+\/)?([a-z]+)\//.exec(app.charm)?.[1]
  const version = series ? UBUNTU_SERIES[series] : undefined
  return version ? `ubuntu@${version}` : undefined
}

/** A machine subordinate that ships a model's telemetry to COS: where its charm is built for, and the Juju it assumes. */
interface MachineCollector {
  charm: string
  bases: ReadonlySet<string>
  /** Its charmcraft.yaml's `assumes: juju >= X.Y`, when it has one. */
  minJuju?: readonly [number, number]
}

/** canonical/opentelemetry-collector-operator charmcraft.yaml: bases 22.04 and 24.04, `assumes: juju >= 3.6`. */
const OTEL_COLLECTOR: MachineCollector = {charm: 'opentelemetry-collector', bases: new Set(['ubuntu@22.04', 'ubuntu@24.04']), minJuju: [3, 6]}

/**
 * The collector it replaces, for what it cannot take yet: canonical/grafana-agent-operator is built for
 * 20.04 and 22.04 (charmcraft-22.04.yaml@744cd2e8) and 24.04 (charmcraft-24.04.yaml@09e390c5) and assumes
 * no Juju version. Its upstream, Grafana Agent, reached end of life on 1 November 2025 (grafana.com's
 * Grafana Agent documentation), so the fix says to move on once the model allows it.
 */
const GRAFANA_AGENT: MachineCollector = {charm: 'grafana-agent', bases: new Set(['ubuntu@20.04', 'ubuntu@22.04', 'ubuntu@24.04'])}

/**
 * Machines: a collector subordinate, which needs no --trust, on each principal; over cos-agent
 * where the charm provides it, else over the juju-info every charm provides. opentelemetry-collector
 * where the model's Juju and the principal's base allow it, else grafana-agent where that runs (an
 * OpenStack on focal and Juju 3.4 gets observed now, not after a series upgrade of every service).
 */
function machineCollectorFix(model: Model, offer: CosOffer): string {
  const m = modelArg(model)
  const apps = [...model.applications.values()]
  // An exported bundle leaves num_units out for an application with no units as for a subordinate:
  // when that guess leaves no principal at all, only what is known to be a subordinate is left out.
  const guessed = apps.filter((app) => isSubordinate(app, model) !== true)
  const principals = guessed.length > 0 ? guessed : apps.filter((app) => isSubordinate(app) !== true)
  const juju = olderJuju(model)
  const runsOn = (collector: MachineCollector, app: Application): boolean => {
    const base = baseOf(app)
    return base === undefined || collector.bases.has(base)
  }
  // A subordinate runs on its principal's base.
  const byCollector = new Map<MachineCollector, Application[]>()
  const unsupported: Application[] = []
  for (const app of principals) {
    const collector = collectorFor(app)
    if (collector) byCollector.set(collector, [...(byCollector.get(collector) ?? []), app])
    else unsupported.push(app)
  }
  function collectorFor(app: Application): MachineCollector | undefined {
    // A Juju 2 model moves to a Juju 3.6 controller first (said below): whether grafana-agent runs on Juju 2 is not known here.
    if (juju?.juju2) return runsOn(OTEL_COLLECTOR, app) ? OTEL_COLLECTOR : undefined
    if (!juju && runsOn(OTEL_COLLECTOR, app)) return OTEL_COLLECTOR
    return runsOn(GRAFANA_AGENT, app) ? GRAFANA_AGENT : undefined
  }

  const commands: string[] = []
  const notes: string[] = []
  for (const [collector, attached] of byCollector) {
    const bases = [...new Set(attached.map(baseOf).filter((b): b is string => b !== undefined))]
    commands.push(`juju deploy -m ${m} ${collector.charm}${bases.length === 1 ? ` --base ${bases[0]}` : ''}`)
    const cosAgent = attached.filter((app) => app.metadata?.endpoints.some((e) => e.role === 'provides' && e.interface === 'cos_agent'))
    for (const app of cosAgent) commands.push(`juju integrate -m ${m} ${collector.charm}:cos-agent ${app.name}:cos-agent`)
    for (const app of attached.filter((a) => !cosAgent.includes(a))) commands.push(`juju integrate -m ${m} ${collector.charm}:juju-info ${app.name}`)
    if (bases.length > 1) notes.push(`the principals of ${collector.charm} run on ${list(bases)}: deploy one per base (--base)`)
  }
  if (byCollector.size > 0) {
    commands.push(`juju consume -m ${m} ${offer.url}`)
    for (const collector of byCollector.keys()) commands.push(`juju integrate -m ${m} ${collector.charm}:send-remote-write ${offer.name}`)
  }

  const agentApps = byCollector.get(GRAFANA_AGENT) ?? []
  if (agentApps.length > 0) {
    const who = agentApps.length === principals.length ? 'every principal' : list(agentApps.map((app) => app.name))
    const offBase = agentApps.filter((app) => !runsOn(OTEL_COLLECTOR, app))
    const why = [
      ...(juju ? [`needs Juju ${OTEL_COLLECTOR.minJuju!.join('.')} or later (${juju.why})`] : []),
      ...(offBase.length > 0 ? [`is built for ${[...OTEL_COLLECTOR.bases].join(' and ')} only (${offBase.length === agentApps.length ? (offBase.length === 1 ? 'it runs' : 'they run') : `${list(offBase.map((app) => app.name))} run${offBase.length === 1 ? 's' : ''}`} on ${[...new Set(offBase.map(baseOf))].join(', ')})`] : []),
    ]
    notes.unshift(
      `${GRAFANA_AGENT.charm}, not ${OTEL_COLLECTOR.charm}, for ${who}: ${OTEL_COLLECTOR.charm} ${why.join(' and ')}; Grafana Agent reached its upstream end of life on 1 November 2025: move to ${OTEL_COLLECTOR.charm} once ${juju ? 'the controller and the model run Juju 3.6' : `${agentApps.length === 1 ? 'it runs' : 'they run'} on ubuntu@22.04 or later`}`,
    )
  }
  if (juju?.juju2 && byCollector.size > 0) notes.unshift(`${OTEL_COLLECTOR.charm} needs Juju ${OTEL_COLLECTOR.minJuju!.join('.')} or later and ${juju.why}: move the model to a Juju 3.6 controller first`)
  if (unsupported.length > 0) {
    const bases = [...new Set(unsupported.map(baseOf))].join(', ')
    const builtFor = juju?.juju2 ? `which ${OTEL_COLLECTOR.charm} is not built for` : 'which neither collector is built for'
    notes.push(`${list(unsupported.map((app) => app.name))} run${unsupported.length === 1 ? 's' : ''} on ${bases}, ${builtFor}: a newer base first (set-application-base ubuntu@24.04, then new units)`)
  }
  if (commands.length === 0) {
    // Nothing to attach a collector to yet: the first step is a newer Juju, or a newer base.
    const first = [...(juju ? [`${OTEL_COLLECTOR.charm} needs Juju ${OTEL_COLLECTOR.minJuju!.join('.')} or later and ${juju.why}: ${juju.juju2 ? 'move the model to a Juju 3.6 controller' : 'upgrade the controller and the model'} first`] : []), ...notes]
    const why = `no application here can take a collector yet: ${first.join('; ')}; then deploy the collector`
    if (juju?.juju2) return `juju migrate ${jujuModelName(model)} NEW-CONTROLLER   # a Juju 2 controller cannot be upgraded to Juju 3 in place: bootstrap a Juju 3.6 controller (NEW-CONTROLLER) and run this with the model's current controller selected; ${why}`
    const rebase = unsupported.map((app) => `juju set-application-base -m ${m} ${app.name} ubuntu@24.04`)
    return `${rebase.join(' && ')}   # ${why}; set-application-base applies to new units: add units on new machines, then remove the old ones`
  }
  notes.push('a machine subordinate: no --trust needed', ...(offer.seen ? [] : [UNSEEN_COS_OFFER]))
  return fixLine([{commands, notes}])
}

/** Why the model's Juju is older than the collector needs, when its inputs show it: the agent version, or Charm Store (`cs:`) charms, which only Juju 2 deploys. */
function olderJuju(model: Model): {why: string; juju2: boolean} | undefined {
  const version = model.version?.match(/^(\d+)\.(\d+)/)
  if (version) {
    const [major, minor] = [Number(version[1]), Number(version[2])]
    const [needMajor, needMinor] = OTEL_COLLECTOR.minJuju!
    const older = major < needMajor || (major === needMajor && minor < needMinor)
    return older ? {why: `this model runs Juju ${model.version}`, juju2: major < 3} : undefined
  }
  const charmStore = [...model.applications.values()].find((app) => app.charmOrigin === 'charmstore')
  return charmStore ? {why: `this model's charms come from the retired Charm Store (${charmStore.name}: cs:), which only Juju 2 deploys`, juju2: true} : undefined
}

/**
 * Kubernetes: opentelemetry-collector-k8s patches its own StatefulSet's resource limits, which
 * takes --trust. Say so, and how the policy allows it, rather than print a deploy that JUJU-TRUST
 * then reports as a finding.
 */
function kubernetesCollectorFix(model: Model, policy: Policy, offer: CosOffer): string {
  const m = modelArg(model)
  const collector = 'opentelemetry-collector-k8s'
  const scraped = [...model.applications.values()].filter((app) => app.metadata?.endpoints.some((e) => e.role === 'provides' && e.interface === 'prometheus_scrape'))
  const commands = [`juju deploy -m ${m} ${collector} --trust`]
  for (const app of scraped) {
    const endpoint = app.metadata?.endpoints.find((e) => e.role === 'provides' && e.interface === 'prometheus_scrape')?.name
    commands.push(`juju integrate -m ${m} ${collector}:metrics-endpoint ${app.name}:${endpoint}`)
  }
  commands.push(...cosCommands(model, collector, offer))
  const allowed = anyGlobMatches(policy.trust.allow, [collector, `${model.name}/${collector}`, ...(model.controller ? [`${model.controller}:${model.name}/${collector}`] : [])])
  const notes = [
    allowed
      ? `--trust: the collector patches its own StatefulSet; trust.allow in hardenctl.yaml already allows it`
      : `--trust: the collector patches its own StatefulSet; audit it and add "${policyAppName(model, collector)}" to trust.allow in hardenctl.yaml, or JUJU-TRUST reports it`,
  ]
  if (scraped.length === 0) notes.push(`then integrate ${collector}:metrics-endpoint with each application that provides metrics-endpoint (prometheus_scrape)`)
  if (!offer.seen) notes.push(UNSEEN_COS_OFFER)
  return fixLine([{commands, notes}])
}

export const JUJU_MODEL_RULES: Rule[] = [jujuDisabledCommands, jujuObservability]
