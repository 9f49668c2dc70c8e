/** Model rules from "Harden the model(s)" and "Audit and observe" (002). */
import type {Inventory, Model} from '../inventory/types.js'
import type {Policy} from '../policy/schema.js'
import {commandBlocks} from '../policy/commands.js'
import {cite} from './guides.js'
import {CHARMS, isCharmIn} from './helpers/charms.js'
import {fixLine} from './helpers/fix-line.js'
import {anyGlobMatches} from './helpers/glob.js'
import {
  OBSERVABILITY_ENDPOINT_NAMES,
  OBSERVABILITY_INTERFACES,
  OBSERVABILITY_OFFER_WORDS,
} from './helpers/interfaces.js'
import {describeMine, describeOther, relationsOf, type RelationView} from './helpers/relations.js'
import {machineCollectorPlan} from './helpers/machine-collectors.js'
import {list, modelArg, modelTarget, policyAppName, qualifiedModelName, refField} from './helpers/targets.js'
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

/**
 * Machines: a collector subordinate, which needs no --trust, on each principal (helpers/machine-collectors.ts
 * chooses which); over cos-agent where the charm provides it, else over the juju-info every charm provides.
 */
function machineCollectorFix(model: Model, offer: CosOffer): string {
  const m = modelArg(model)
  const plan = machineCollectorPlan(model, 'model')
  if (plan.blocked !== undefined) {
    // Nothing to attach a collector to yet: the first step is a newer Juju, or a newer base.
    const why = `no application here can take a collector yet: ${plan.blocked}; then deploy the collector`
    if (plan.juju?.juju2) return `juju migrate ${qualifiedModelName(model)} NEW-CONTROLLER   # a Juju 2 controller cannot be upgraded to Juju 3 in place: bootstrap a Juju 3.6 controller (NEW-CONTROLLER) and run this with the model's current controller selected; ${why}`
    const rebase = plan.unsupported.map((app) => `juju set-application-base -m ${m} ${app.name} ubuntu@24.04`)
    return fixLine([{commands: rebase, notes: [why, 'set-application-base applies to new units: add units on new machines, then remove the old ones']}])
  }
  const commands: string[] = []
  for (const {collector, apps, bases} of plan.assignments) {
    commands.push(`juju deploy -m ${m} ${collector.charm}${bases.length === 1 ? ` --base ${bases[0]}` : ''}`)
    const cosAgent = apps.filter((app) => app.metadata?.endpoints.some((e) => e.role === 'provides' && e.interface === 'cos_agent'))
    for (const app of cosAgent) commands.push(`juju integrate -m ${m} ${collector.charm}:cos-agent ${app.name}:cos-agent`)
    for (const app of apps.filter((a) => !cosAgent.includes(a))) commands.push(`juju integrate -m ${m} ${collector.charm}:juju-info ${app.name}`)
  }
  commands.push(`juju consume -m ${m} ${offer.url}`)
  for (const {collector} of plan.assignments) commands.push(`juju integrate -m ${m} ${collector.charm}:send-remote-write ${offer.name}`)
  return fixLine([{commands, notes: [...plan.notes, 'a machine subordinate: no --trust needed', ...(offer.seen ? [] : [UNSEEN_COS_OFFER])]}])
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
