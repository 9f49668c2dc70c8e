/** Model rules from "Harden the model(s)" and "Audit and observe" (002). */
import type {Model} from '../inventory/types.js'
import {commandBlocks} from '../policy/commands.js'
import {cite} from './guides.js'
import {CHARMS, isCharmIn} from './helpers/charms.js'
import {anyGlobMatches, matchingKeys} from './helpers/glob.js'
import {
  OBSERVABILITY_ENDPOINT_NAMES,
  OBSERVABILITY_INTERFACES,
  OBSERVABILITY_OFFER_WORDS,
} from './helpers/interfaces.js'
import {describeMine, describeOther, relationsOf, type RelationView} from './helpers/relations.js'
import {list, modelArg, modelTarget, refField} from './helpers/targets.js'
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
    'Deploy a collector and relate it to the workloads and to COS, e.g. `juju deploy opentelemetry-collector` (machines) or `juju deploy opentelemetry-collector-k8s --trust` (Kubernetes), `juju integrate opentelemetry-collector APP`, then consume COS offers (`juju consume admin/cos.prometheus-receive-remote-write`) and integrate them.',
  autoFixable: false,
  needs: [['juju-status', 'juju-bundle']],
  evaluate({inventory, report}) {
    for (const model of inventory.models.values()) {
      if (model.applications.size === 0) continue
      if (observabilityLinks(model).length > 0) continue
      const collector = model.type === 'caas' ? 'opentelemetry-collector-k8s' : 'opentelemetry-collector'
      const m = modelArg(model)
      report({
        target: modelTarget(model),
        message: `model ${model.name} has no relation to grafana-agent, opentelemetry-collector, a cos-agent endpoint or a COS offer: its ${model.applications.size} applications are not observed.`,
        evidence: {applications: [...model.applications.keys()], consumedOffers: model.consumed.map((c) => c.url), relations: model.relations.length},
        remediation: `juju deploy -m ${m} ${collector}${model.type === 'caas' ? ' --trust' : ''}; juju integrate -m ${m} ${collector} APP; juju consume -m ${m} admin/cos.prometheus-receive-remote-write; juju integrate -m ${m} ${collector} prometheus-receive-remote-write`,
        ...(model.refs[0] ? {ref: model.refs[0]} : {}),
      })
    }
  },
}

export const JUJU_MODEL_RULES: Rule[] = [jujuDisabledCommands, jujuObservability]
