/**
 * What the `juju` commands fixes print do to the estate, applied to an inventory: enough of Juju's
 * documented behaviour for fix-effects.test.ts to audit the estate again after a fix "ran". Each
 * command is parsed with the fix checker's syntax table (test/fix-commands/juju-syntax.ts), so a
 * command the checker accepts is read the same way here. A command whose effect is not modelled
 * (migrate, set-application-base, add-secret, ...) makes the whole fix "not simulated".
 *
 * The effects, from Juju's CLI documentation:
 * - `integrate A[:ep] B[:ep]` adds a relation, and fails where it exists; `consume URL [ALIAS]` adds a SAAS named ALIAS (else the offer's name).
 * - `deploy CHARM [NAME] [--channel C] [--trust]` adds an application with no units yet, and fails
 *   where one of that name exists.
 * - `refresh APP [--channel C] [--switch CHARM]` moves the application to that channel (`--switch`
 *   without a channel: the charm's default, stable) at its newest revision there.
 * - `expose APP [--endpoints E] [--to-cidrs X] [--to-spaces S]` replaces E's (all endpoints': "")
 *   exposure; with neither, to 0.0.0.0/0 and ::/0. `unexpose APP [--endpoints E]` removes it.
 * - `trust APP [--remove]`, `config APP trust=false`: trust; Juju rewrites the application's Role and
 *   ClusterRole to the charm's own rules when trust goes (the wildcard goes with it).
 * - `config APP k=v ... | --reset k[,k]`: options.
 * - `revoke USER LEVEL [MODEL|OFFER]`: the user keeps the level below (superuser → login,
 *   admin → write → read → none; offers: admin → consume → read → none).
 * - `disable-user USER`, `disable-command SET`.
 * - `show-application APP` succeeds when APP is in the model, `info` and `run` change nothing.
 *
 * And what a charm does in the cluster once a relation gives it what it waits for: an
 * nginx-ingress-integrator related on `certificates` puts the certificate on the Ingresses it
 * manages (their `tls`), which is how its TLS reaches the Ingress.
 */
import type {Application, Inventory, Model, RelationEndpoint} from '../../src/inventory/types.js'
import {appRbac} from '../../src/rules/helpers/k8s-app.js'
import {flagValues, hasFlag, jujuCommand, parseJuju, type ParsedJuju} from '../fix-commands/juju-syntax.js'
import {parseModelArg, parseOfferUrl} from '../fix-commands/names.js'
import {PLACEHOLDERS, upperRuns} from '../fix-commands/placeholders.js'
import type {Word} from '../fix-commands/shell.js'
import {fillPlaceholders} from './placeholders.js'

export class NotSimulated extends Error {}

/** Runs one command against the inventory; true when it succeeds (what `&&` and `||` test). */
export function simulateJuju(words: readonly Word[], inventory: Inventory, defaultModel: Model | undefined): boolean {
  const values = words.map((word) => substitute(word.value))
  const spec = jujuCommand(values[0] ?? '')
  if (!spec) throw new NotSimulated(`juju ${values[0]}: not in the syntax table`)
  const parsed = parseJuju(spec, words.slice(1).map((word, i) => ({...word, value: values[i + 1]!})))
  if (parsed.problems.length > 0) throw new NotSimulated(`juju ${spec.name}: ${parsed.problems.map((p) => p.problem).join('; ')}`)
  const args = parsed.positionals.map((word) => word.value)
  const model = () => modelOf(parsed, inventory, defaultModel)
  const app = (name: string | undefined) => {
    const found = name === undefined ? undefined : model().applications.get(name)
    if (!found) throw new NotSimulated(`juju ${spec.name}: no application ${name} in model ${model().name}`)
    return found
  }
  switch (spec.name) {
    case 'info':
    case 'run':
      return true
    case 'show-application':
      return args.every((name) => model().applications.has(name) || model().consumed.some((c) => c.name === name))
    case 'integrate':
      // Juju refuses a relation that exists (its error code is already-exists): the command fails.
      if (!integrate(model(), args[0]!, args[1]!)) return false
      ingressTakesCertificate(inventory, model(), args[0]!, args[1]!)
      return true
    case 'consume':
      consume(model(), args[0]!, args[1])
      return true
    case 'deploy':
      // Juju refuses to deploy over an application of the same name: the command fails.
      if (model().applications.has(args[1] ?? args[0]!)) return false
      deploy(inventory, model(), args[0]!, args[1], parsed)
      return true
    case 'refresh':
      refresh(app(args[0]), parsed)
      return true
    case 'expose':
      expose(app(args[0]), parsed)
      return true
    case 'unexpose':
      unexpose(app(args[0]), parsed)
      return true
    case 'trust':
      setTrust(inventory, model(), app(args[0]), !hasFlag(parsed, 'remove'))
      return true
    case 'config':
      config(inventory, model(), app(args[0]), parsed.positionals.slice(1), flagValues(parsed, 'reset'))
      return true
    case 'revoke':
      revoke(inventory, args, defaultModel)
      return true
    case 'disable-user':
      for (const controller of inventory.controllers.values()) for (const user of controller.users ?? []) if (user.name === args[0]) user.disabled = true
      return true
    case 'set-application-base': {
      // The application's base; its existing units keep theirs until replaced (the fixes say so in their notes).
      const [name, channel] = (args[1] ?? '').split('@')
      const target = app(args[0])
      target.base = {name: name!, channel: channel!}
      delete target.series
      return true
    }
    case 'disable-command':
      model().disabledCommands = [...(model().disabledCommands ?? []), {commandSet: args[0]!}]
      return true
    default:
      throw new NotSimulated(`juju ${spec.name}: its effect is not modelled`)
  }
}

/** The word with the placeholders the simulation can fill filled in; MODEL is left to `-m`. */
function substitute(value: string): string {
  const out = fillPlaceholders(value)
  const unfilled = upperRuns(out).filter((run) => run !== 'MODEL' && run in PLACEHOLDERS)
  if (unfilled.length > 0) throw new NotSimulated(`a placeholder the simulation cannot fill: ${unfilled.join(', ')}`)
  return out
}

function modelOf(parsed: ParsedJuju, inventory: Inventory, fallback: Model | undefined): Model {
  const value = flagValues(parsed, 'm', 'model').at(-1)
  if (value === undefined || value === 'MODEL') {
    if (!fallback) throw new NotSimulated('no model to run in')
    return fallback
  }
  const arg = parseModelArg(value)
  const found = [...inventory.models.values()].find((m) => m.name === arg?.model && (arg.controller === undefined || m.controller === '' || m.controller === arg.controller))
  if (!found) throw new NotSimulated(`no model ${value}`)
  return found
}

function endpointOf(model: Model, spec: string): RelationEndpoint {
  const [application = '', endpoint] = spec.split(':')
  const remote = !model.applications.has(application) && model.consumed.some((c) => c.name === application)
  if (!remote && !model.applications.has(application)) throw new NotSimulated(`integrate: no application ${application}`)
  return {application, ...(endpoint ? {endpoint} : {}), ...(remote ? {remote: true} : {})}
}

/** Adds the relation; false when the model already has it (the same two applications, on the endpoints named). */
function integrate(model: Model, a: string, b: string): boolean {
  const endpoints = [endpointOf(model, a), endpointOf(model, b)].sort((x, y) => x.application.localeCompare(y.application))
  const same = (x: RelationEndpoint, y: RelationEndpoint) => x.application === y.application && (x.endpoint === undefined || y.endpoint === undefined || x.endpoint === y.endpoint)
  const exists = model.relations.some((r) => r.endpoints.length === 2 && endpoints.every((e) => r.endpoints.some((o) => same(e, o))))
  if (exists) return false
  model.relations = [...model.relations, {endpoints}]
  return true
}

/** nginx-ingress-integrator with a certificate: the Ingresses labelled as its own get `tls`. */
function ingressTakesCertificate(inventory: Inventory, model: Model, a: string, b: string): void {
  for (const [side, other] of [[a, b], [b, a]] as const) {
    const [name = '', endpoint] = side.split(':')
    const app = model.applications.get(name)
    if (!app || app.charm !== 'nginx-ingress-integrator' || (endpoint !== undefined && endpoint !== 'certificates') || !/certificates/.test(other)) continue
    for (const ingress of inventory.kubernetes.ingresses) {
      if (ingress.metadata.labels?.['nginx-ingress-integrator.charm.juju.is/managed-by'] !== name) continue
      const hosts = (ingress.spec.rules ?? []).flatMap((rule) => (rule.host ? [rule.host] : []))
      ingress.spec.tls = [{hosts, secretName: `${name}-tls`}]
    }
  }
}

function consume(model: Model, url: string, alias: string | undefined): void {
  const offer = parseOfferUrl(url)
  if (!offer) throw new NotSimulated(`consume: not an offer URL: ${url}`)
  model.consumed = [...model.consumed, {name: alias ?? offer.application, url, endpoints: []}]
}

function deploy(inventory: Inventory, model: Model, charm: string, name: string | undefined, parsed: ParsedJuju): void {
  const appName = name ?? charm
  const channel = flagValues(parsed, 'channel').at(-1) ?? 'stable'
  const metadata = inventory.charms.get(charm)
  const app: Application = {
    model: model.name,
    controller: model.controller,
    ...(model.unnamed ? {modelUnnamed: true as const} : {}),
    ...(model.qualifier ?? model.owner ? {modelQualifier: model.qualifier ?? model.owner} : {}),
    name: appName,
    charm,
    charmOrigin: 'charmhub',
    channel,
    trust: hasFlag(parsed, 'trust'),
    options: {},
    optionRefs: {},
    units: [],
    refs: {},
    ...(metadata ? {metadata} : {}),
  }
  model.applications.set(appName, app)
}

function refresh(app: Application, parsed: ParsedJuju): void {
  const switched = flagValues(parsed, 'switch').at(-1)
  if (switched !== undefined) {
    app.charm = switched
    app.charmOrigin = 'charmhub'
  }
  const channel = flagValues(parsed, 'channel').at(-1)
  if (channel !== undefined) app.channel = channel
  else if (switched !== undefined) app.channel = 'stable'
  delete app.canUpgradeTo
}

function expose(app: Application, parsed: ParsedJuju): void {
  const endpoints = flagValues(parsed, 'endpoints').at(-1)?.split(',') ?? ['']
  const cidrs = flagValues(parsed, 'to-cidrs').at(-1)?.split(',') ?? []
  const spaces = flagValues(parsed, 'to-spaces').at(-1)?.split(',') ?? []
  const settings = cidrs.length === 0 && spaces.length === 0 ? {cidrs: ['0.0.0.0/0', '::/0'], spaces: []} : {cidrs, spaces}
  app.exposed = true
  app.exposedEndpoints = {...(app.exposedEndpoints ?? {}), ...Object.fromEntries(endpoints.map((e) => [e, settings]))}
}

function unexpose(app: Application, parsed: ParsedJuju): void {
  const endpoints = flagValues(parsed, 'endpoints').at(-1)?.split(',')
  if (endpoints === undefined) {
    app.exposed = false
    app.exposedEndpoints = {}
    return
  }
  const left = Object.fromEntries(Object.entries(app.exposedEndpoints ?? {}).filter(([e]) => !endpoints.includes(e)))
  app.exposedEndpoints = left
  app.exposed = Object.keys(left).length > 0
}

function setTrust(inventory: Inventory, model: Model, app: Application, trusted: boolean): void {
  app.trust = trusted
  if (trusted) return
  const rbac = appRbac(inventory, model, app)
  for (const role of [...rbac.roles, ...rbac.clusterRoles]) role.rules = []
}

/** Options whose content a rule parses: a value the shell reads from the user's file cannot be judged here. */
const PARSED_OPTIONS = new Set(['services'])

function config(inventory: Inventory, model: Model, app: Application, settings: readonly Word[], resets: string[]): void {
  for (const key of resets.flatMap((r) => r.split(','))) {
    delete app.options[key]
    delete app.optionRefs[key]
  }
  for (const word of settings) {
    const [key, ...rest] = word.value.split('=')
    if (key === undefined || rest.length === 0) throw new NotSimulated(`config: ${word.value} is not key=value`)
    if (word.dynamic && PARSED_OPTIONS.has(key)) throw new NotSimulated(`config: ${key} comes from a file the user writes`)
    const value = rest.join('=')
    if (key === 'trust') setTrust(inventory, model, app, value === 'true')
    else app.options[key] = value
  }
}

const MODEL_LEVELS = ['read', 'write', 'admin']
const OFFER_LEVELS = ['read', 'consume', 'admin']

/** The level left after revoking `level` from one holding `held`: the one below it, or none. */
function below(levels: readonly string[], held: string, level: string): string | undefined {
  const revoked = levels.indexOf(level)
  if (levels.indexOf(held) < revoked) return held
  return revoked > 0 ? levels[revoked - 1] : undefined
}

function revoke(inventory: Inventory, args: string[], fallback: Model | undefined): void {
  const [user, level, ...targets] = args
  if (user === undefined || level === undefined) throw new NotSimulated('revoke: USER LEVEL')
  if (level === 'superuser' || level === 'login') {
    for (const controller of inventory.controllers.values()) {
      for (const u of controller.users ?? []) if (u.name === user) u.access = level === 'superuser' ? 'login' : 'none'
    }
    return
  }
  for (const target of targets.length > 0 ? targets : [fallback?.name ?? '']) {
    const offer = parseOfferUrl(target)
    if (offer) {
      for (const model of inventory.models.values()) {
        for (const o of model.offers) {
          // MODEL: the fix's model, which no input named.
          if (o.name !== offer.application || model.name !== (offer.model === 'MODEL' ? fallback?.name : offer.model)) continue
          o.users = (o.users ?? []).flatMap((u) => {
            if (u.name !== user) return [u]
            const left = below(OFFER_LEVELS, u.access, level)
            return left ? [{...u, access: left}] : []
          })
        }
      }
      continue
    }
    const name = parseModelArg(target)?.model
    const model = [...inventory.models.values()].find((m) => m.name === name)
    if (!model) throw new NotSimulated(`revoke: no model ${target}`)
    model.users = (model.users ?? []).flatMap((u) => {
      if (u.name !== user) return [u]
      const left = below(MODEL_LEVELS, u.access, level)
      return left ? [{...u, access: left}] : []
    })
  }
}
