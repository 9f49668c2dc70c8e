/**
 * Checks one `juju ...` command: its syntax against the table (juju-syntax.ts), its names against
 * Juju's patterns (names.ts), and what it names against the inventory: the model of `-m`, the
 * applications (or ones an earlier command deploys or consumes), the endpoints of their charms,
 * the option keys of their charms.
 */
import type {CharmMetadata} from '../../src/inventory/charm.js'
import {isJuju4} from '../../src/inventory/juju-version.js'
import {modelQualifier} from '../../src/inventory/model-name.js'
import type {Model} from '../../src/inventory/types.js'
import {anyGlobMatches} from '../../src/policy/glob.js'
import {type CommandContext, placeholder, validName} from './context.js'
import {applicationNames, charmMetadata, controllerNames, modelsNamed, targetModel} from './estate.js'
import {flagValues, hasFlag, jujuCommand, type ParsedJuju, parseJuju} from './juju-syntax.js'
import {
  APPLICATION_NAME,
  BASE,
  CHANNEL,
  CONTROLLER_NAME,
  ENDPOINT_NAME,
  isCidr,
  MODEL_NAME,
  parseModelArg,
  parseOfferUrl,
  SECRET_KEY,
  USER_NAME,
} from './names.js'
import {placeholderVerdict} from './placeholders.js'
import type {Word} from './shell.js'

const WHY = {
  model: 'Juju model names match ^[a-z0-9]+[a-z0-9-]*$ (lower case letters, digits, non-leading hyphens; juju/names model.go)',
  controller: 'Juju controller names match ^[a-z0-9]+[a-z0-9-]*$ (juju/names controller.go)',
  application: 'Juju application names match ^[a-z][a-z0-9]*(-[a-z0-9]*[a-z][a-z0-9]*)*$ (juju/names application.go)',
  endpoint: 'endpoint names match ^[a-z][a-z0-9]*([_-][a-z0-9]+)*$ (juju/names RelationSnippet)',
  user: 'Juju user names match name[@provider] with ^[a-zA-Z][a-zA-Z0-9.-]*[a-zA-Z0-9]$ parts (juju/names user.go)',
}

/** Application config keys `juju config` accepts besides the charm's options (application-config). */
const APPLICATION_CONFIG_KEYS = new Set([
  'trust',
  'juju-external-hostname',
  'kubernetes-service-type',
  'kubernetes-service-annotations',
  'kubernetes-service-externalname',
  'kubernetes-service-loadbalancer-ip',
  'kubernetes-service-externalips',
  'kubernetes-ingress-class',
  'kubernetes-ingress-ssl-redirect',
  'kubernetes-ingress-ssl-passthrough',
  'kubernetes-ingress-allow-http',
])

/** revoke's access levels (docs/.../revoke.md): models, controllers, offers. */
const MODEL_ACCESS = ['read', 'write', 'admin']
const CONTROLLER_ACCESS = ['login', 'superuser']
const OFFER_ACCESS = ['read', 'consume', 'admin']
const COMMAND_SETS = ['all', 'destroy-model', 'remove-object']

/**
 * Commands Juju 4.0 removed (its release notes, "Breaking changes": in-place base or series
 * switching, and controller HA through add-unit in the controller model): a fix for a model that
 * runs Juju 4 must not print them.
 */
const REMOVED_IN_JUJU_4 = new Map([
  ['set-application-base', 'Juju 4 removed in-place base changes: the charm\'s own upgrade flow, or a new application on an LTS base'],
  ['upgrade-machine', 'Juju 4 removed in-place base changes'],
  ['enable-ha', 'Juju 4 scales the controller with juju add-unit in the controller model'],
])

/**
 * Flags Juju 4.0 removed from commands it kept (juju/juju PR #17169: `--series` from deploy, info and
 * add-machine, `--force-series` from refresh; PR #17579: bootstrap's `--bootstrap-series` and
 * `--add-model`; the 4.0.0 release notes: status's `--watch`): Juju 4 refuses them as "option
 * provided but not defined".
 */
const FLAGS_REMOVED_IN_JUJU_4: Readonly<Record<string, readonly string[]>> = {
  deploy: ['series'],
  info: ['series'],
  'add-machine': ['series'],
  refresh: ['force-series'],
  status: ['watch'],
  bootstrap: ['bootstrap-series', 'add-model'],
}

/** What of the command Juju 4 took out, for a model that runs it. */
function removedInJuju4(parsed: ParsedJuju, model: Model, ctx: CommandContext): void {
  const name = parsed.command.name
  const where = `on model ${model.name}, which runs Juju ${model.version}`
  const removed = REMOVED_IN_JUJU_4.get(name)
  if (removed) ctx.report('removed-in-juju-4', `"juju ${name}" does not exist ${where}: ${removed}`)
  if (name === 'status' && parsed.positionals.length > 0) ctx.report('removed-in-juju-4', `"juju status" takes no selector ${where}: Juju 4 removed server-side status filtering`)
  for (const flag of FLAGS_REMOVED_IN_JUJU_4[name] ?? []) {
    if (hasFlag(parsed, flag)) ctx.report('removed-in-juju-4', `"juju ${name} --${flag}" is refused ${where}: Juju 4 took the flag out`)
  }
}

export function checkJuju(words: readonly Word[], ctx: CommandContext): void {
  const sub = words[0]?.value
  const spec = sub === undefined ? undefined : jujuCommand(sub)
  if (!spec) {
    ctx.report('unknown-subcommand', `"juju ${sub ?? ''}" is not a Juju 3.x command in the checker's table (its syntax is taken from cmd/juju; add it there if it is real)`)
    return
  }
  const parsed = parseJuju(spec, words.slice(1))
  for (const p of parsed.problems) ctx.report(p.check, p.problem)
  const model = spec.base === 'model' ? modelFlag(parsed, ctx) : targetModel(ctx.estate)
  if (spec.base === 'controller') controllerFlag(parsed, ctx)
  if (model && isJuju4(model)) removedInJuju4(parsed, model, ctx)
  const check = CHECKS[spec.name]
  check?.(parsed, {...ctx, model})
}

interface JujuContext extends CommandContext {
  /** The model the command works in, when the inventory has it. */
  model: Model | undefined
}

function modelFlag(parsed: ParsedJuju, ctx: CommandContext): Model | undefined {
  const value = flagValues(parsed, 'm', 'model').at(-1)
  if (value === undefined) return targetModel(ctx.estate)
  const p = placeholder(ctx, value, 'model')
  if (p !== undefined) return targetModel(ctx.estate)
  const arg = parseModelArg(value)
  if (!arg) {
    ctx.report('model-name', `-m "${value}" is not [<controller>:][<qualifier>/]<model>`)
    return targetModel(ctx.estate)
  }
  if (arg.controller !== undefined) knownController(ctx, arg.controller, `-m ${value}`)
  if (!MODEL_NAME.test(arg.model)) {
    ctx.report('model-name', `-m "${value}": "${arg.model}" is not a valid model name: ${WHY.model}`)
    return targetModel(ctx.estate)
  }
  const found = modelsNamed(ctx.estate, arg.model, arg.controller)
  // A bundle alone does not say what its model is called: any valid name may be the one meant.
  if (found.length === 0 && onlyBundles(ctx)) return targetModel(ctx.estate)
  if (found.length === 0) {
    const names = [...ctx.estate.inventory.models.values()].map((m) => (m.controller ? `${m.controller}:${m.name}` : m.name))
    ctx.report('model-missing', `-m ${value} names a model the inventory does not have (models: ${names.join(', ') || 'none'})`)
    return targetModel(ctx.estate)
  }
  unqualified(ctx, found[0]!, arg.qualifier, `-m ${value}`)
  return found[0]
}

/**
 * juju qualifies a bare model name with the logged-in user's qualifier (cmd/modelcmd
 * QualifyingClientStore.QualifiedModelName): where the inventory knows the model's qualifier
 * (Juju 3: its owner), the command must name it, or it fails for every other user.
 */
function unqualified(ctx: CommandContext, model: Model, qualifier: string | undefined, where: string): void {
  const known = modelQualifier(model)
  if (known === undefined) return
  if (qualifier === undefined) ctx.report('model-unqualified', `${where}: model ${model.name} is ${known}/${model.name}; a bare name means the logged-in user's model of that name`)
  else if (qualifier !== known) ctx.report('model-missing', `${where}: model ${model.name} is ${known}/${model.name}, not ${qualifier}/${model.name}`)
}

function onlyBundles(ctx: CommandContext): boolean {
  const models = [...ctx.estate.inventory.models.values()]
  return models.length > 0 && models.every((m) => !m.controller && [...m.inputs].every((i) => i === 'juju-bundle' || i === 'charm-metadata'))
}

function controllerFlag(parsed: ParsedJuju, ctx: CommandContext): void {
  const value = flagValues(parsed, 'c', 'controller').at(-1)
  if (value !== undefined) knownController(ctx, value, `-c ${value}`)
}

function knownController(ctx: CommandContext, name: string, where: string): void {
  if (!validName(ctx, name, 'controller', CONTROLLER_NAME, 'controller-name', WHY.controller)) return
  const known = controllerNames(ctx.estate)
  if (known.size > 0 && !known.has(name)) ctx.report('controller-missing', `${where}: the inventory has no controller ${name} (controllers: ${[...known].join(', ')})`)
}

/** An application argument: a valid name that exists in the model, or a documented placeholder. */
function application(ctx: JujuContext, name: string): boolean {
  if (!validName(ctx, name, 'application', APPLICATION_NAME, 'app-name', WHY.application)) return false
  if (!ctx.model) return true
  const names = applicationNames(ctx.model, ctx.created)
  if (names.has(name)) return true
  ctx.report(
    'app-missing',
    `${name} is not an application of model ${ctx.model.name} (it has: ${[...names].sort().join(', ') || 'none'}) and no earlier command on the line deploys or consumes it`,
  )
  return false
}

interface EndpointRef {
  app: string
  endpoint?: string
  metadata?: CharmMetadata
  remote: boolean
}

/** `APP[:endpoint]` or an offer URL `[ctrl:][qualifier/]model.app[:endpoint]` (integrate, remove-relation). */
function endpointRef(ctx: JujuContext, value: string): EndpointRef | undefined {
  if (value.includes('.')) {
    if (placeholder(ctx, value, 'offer-url') !== undefined) return undefined
    const url = parseOfferUrl(value)
    if (!url) ctx.report('offer-url', `"${value}" is neither <application>[:<endpoint>] nor an offer URL [<controller>:][<qualifier>/]<model>.<application>[:<endpoint>]`)
    else if (!MODEL_NAME.test(url.model)) ctx.report('model-name', `"${url.model}" in ${value} is not a valid model name: ${WHY.model}`)
    return url ? {app: url.application, ...(url.endpoint ? {endpoint: url.endpoint} : {}), remote: true} : undefined
  }
  const [app = '', endpoint, extra] = value.split(':')
  if (extra !== undefined || endpoint === '') {
    ctx.report('endpoint-name', `"${value}" is not <application>[:<endpoint>]`)
    return undefined
  }
  if (!application(ctx, app)) return undefined
  const ref: EndpointRef = {app, remote: false}
  const metadata = ctx.model ? charmMetadata(ctx.estate, ctx.model, app) : undefined
  if (metadata) ref.metadata = metadata
  if (endpoint === undefined) return ref
  if (placeholder(ctx, endpoint, 'endpoint') !== undefined) return ref
  if (!ENDPOINT_NAME.test(endpoint)) {
    ctx.report('endpoint-name', `"${endpoint}" in ${value} is not a valid endpoint name: ${WHY.endpoint}`)
    return ref
  }
  ref.endpoint = endpoint
  if (metadata) charmEndpoint(ctx, app, metadata, endpoint)
  return ref
}

function charmEndpoint(ctx: CommandContext, app: string, metadata: CharmMetadata, endpoint: string) {
  const found = metadata.endpoints.find((e) => e.name === endpoint)
  if (!found) {
    const all = metadata.endpoints.filter((e) => e.role !== 'peers').map((e) => `${e.name} (${e.role} ${e.interface})`)
    ctx.report('endpoint-missing', `charm ${metadata.name} of ${app} has no endpoint "${endpoint}"${metadata.subordinate ? ' (it is a subordinate charm)' : ''}; its endpoints: ${all.join(', ') || 'none'}`)
  }
  return found
}

const COMPLEMENT = {provides: 'requires', requires: 'provides', peers: 'peers'} as const

function integrate(parsed: ParsedJuju, ctx: JujuContext): void {
  for (const via of flagValues(parsed, 'via')) cidrList(ctx, via, '--via')
  const [a, b] = parsed.positionals.map((w) => endpointRef(ctx, w.value))
  for (const ref of [a, b]) {
    const endpoint = ref?.endpoint && ref.metadata?.endpoints.find((e) => e.name === ref.endpoint)
    if (endpoint && endpoint.role === 'peers') ctx.report('endpoint-peer', `${ref!.app}:${ref!.endpoint} is a peer endpoint: Juju relates peers itself, they cannot be integrated`)
  }
  if (!a?.metadata || !b?.metadata) return
  const known = (ref: EndpointRef) => ref.endpoint === undefined || ref.metadata!.endpoints.some((e) => e.name === ref.endpoint)
  if (!known(a) || !known(b)) return
  // Both charms known: Juju needs a provides/requires pair with the same interface.
  const sides = (ref: EndpointRef) => ref.metadata!.endpoints.filter((e) => e.role !== 'peers' && (ref.endpoint === undefined || e.name === ref.endpoint))
  const pairs = sides(a).flatMap((x) => sides(b).filter((y) => y.interface === x.interface && y.role === COMPLEMENT[x.role]))
  if (pairs.length === 0) {
    const describe = (ref: EndpointRef) => `${ref.app}${ref.endpoint ? `:${ref.endpoint}` : ''} (${sides(ref).map((e) => `${e.role} ${e.interface}`).join(', ') || 'no endpoints'})`
    ctx.report('endpoint-mismatch', `no matching provides/requires interface between ${describe(a)} and ${describe(b)}`)
  }
}

function config(parsed: ParsedJuju, ctx: JujuContext): void {
  const [appWord, ...args] = parsed.positionals
  if (!appWord) return
  const app = appWord.value
  if (app.includes('=')) ctx.report('positional-count', `juju config needs the application first, got "${app}"`)
  const known = application(ctx, app) && ctx.model ? charmMetadata(ctx.estate, ctx.model, app) : undefined
  const sets = args.filter((w) => w.value.includes('='))
  const gets = args.filter((w) => !w.value.includes('='))
  const resets = flagValues(parsed, 'reset').flatMap((v) => v.replace(/^,+|,+$/g, '').split(','))
  if (gets.length > 0 && (sets.length > 0 || resets.length > 0)) ctx.report('config-args', 'juju config cannot get a value and set or reset in the same call')
  if (gets.length > 1) ctx.report('config-args', 'juju config cannot get more than one key at a time')
  const key = (k: string, how: string) => {
    if (placeholder(ctx, k, 'config-key') !== undefined) return
    if (k === '') ctx.report('config-args', `${how}: empty key`)
    else if (known?.options && !(k in known.options) && !APPLICATION_CONFIG_KEYS.has(k)) {
      ctx.report('config-key-missing', `${how} ${k}: charm ${known.name} has no option "${k}" (options: ${Object.keys(known.options).join(', ') || 'none'})`)
    }
  }
  const setKeys = new Set<string>()
  for (const word of sets) {
    const k = word.value.slice(0, word.value.indexOf('='))
    if (setKeys.has(k)) ctx.report('config-args', `key ${k} is set twice`)
    setKeys.add(k)
    key(k, 'setting')
    if (k === 'trust' && /^(true|1)$/.test(word.value.slice(k.length + 1))) grantsTrust(ctx, app)
  }
  for (const k of resets) {
    if (k.includes('=')) ctx.report('config-args', `--reset takes keys "a,b,c", not "${k}"`)
    else key(k, '--reset')
    if (setKeys.has(k)) ctx.report('config-args', `cannot set and reset key "${k}" simultaneously`)
  }
  for (const word of gets) key(word.value, 'getting')
}

function endpointsFlag(parsed: ParsedJuju, ctx: JujuContext, app: string): void {
  for (const list of flagValues(parsed, 'endpoints')) {
    for (const endpoint of list.split(',').filter((e) => e.trim() !== '')) {
      if (placeholder(ctx, endpoint, 'endpoint') !== undefined) continue
      if (!ENDPOINT_NAME.test(endpoint)) ctx.report('endpoint-name', `--endpoints "${endpoint}" is not a valid endpoint name: ${WHY.endpoint}`)
      const metadata = ctx.model ? charmMetadata(ctx.estate, ctx.model, app) : undefined
      if (metadata) charmEndpoint(ctx, app, metadata, endpoint)
    }
  }
}

function cidrList(ctx: CommandContext, list: string, flag: string): void {
  if (placeholder(ctx, list, 'cidrs') !== undefined) return
  for (const cidr of list.split(',').map((c) => c.trim()).filter(Boolean)) {
    if (!isCidr(cidr)) ctx.report('cidr', `${flag} "${cidr}" is not a CIDR`)
  }
}

function expose(parsed: ParsedJuju, ctx: JujuContext): void {
  const app = parsed.positionals[0]?.value
  if (app === undefined) return
  application(ctx, app)
  endpointsFlag(parsed, ctx, app)
  for (const cidrs of flagValues(parsed, 'to-cidrs')) cidrList(ctx, cidrs, '--to-cidrs')
}

function trust(parsed: ParsedJuju, ctx: JujuContext): void {
  const app = parsed.positionals[0]?.value
  if (app === undefined) return
  application(ctx, app)
  if (!hasFlag(parsed, 'remove')) grantsTrust(ctx, app)
}

/** A fix that grants trust creates what JUJU-TRUST reports, unless the policy allows it. */
function grantsTrust(ctx: JujuContext, app: string): void {
  const model = ctx.model
  const candidates = [app, ...(model ? [`${model.name}/${app}`, ...(model.controller ? [`${model.controller}:${model.name}/${app}`] : [])] : [])]
  if (anyGlobMatches(ctx.estate.policy?.trust.allow ?? [], candidates)) return
  ctx.report('fix-adds-finding', `grants trust to ${app}, which JUJU-TRUST then reports (not in trust.allow): deploy without --trust, or say why the charm needs it and how to allow it`)
}

function channel(ctx: CommandContext, value: string): void {
  if (placeholder(ctx, value, 'channel') !== undefined) return
  if (!CHANNEL.test(value)) ctx.report('channel', `--channel "${value}" is not [<track>/]<risk>[/<branch>] with risk stable, candidate, beta or edge`)
}

function base(ctx: CommandContext, value: string, flag: string): void {
  if (placeholder(ctx, value, 'base') !== undefined) return
  if (!BASE.test(value)) ctx.report('base', `${flag} "${value}" is not a base <os>@<version> (e.g. ubuntu@24.04)`)
}

function deploy(parsed: ParsedJuju, ctx: JujuContext): void {
  const [charmWord, nameWord] = parsed.positionals
  if (!charmWord) return
  const charm = charmWord.value
  for (const c of flagValues(parsed, 'channel')) channel(ctx, c)
  for (const b of flagValues(parsed, 'base')) base(ctx, b, '--base')
  if (placeholder(ctx, charm, 'charm') !== undefined) return
  const charmName = charm.replace(/^(ch|local):/, '').replace(/\.charm$/, '').split('/').at(-1)!
  const name = nameWord?.value ?? charmName
  if (validName(ctx, name, 'application', APPLICATION_NAME, 'app-name', WHY.application)) {
    if (ctx.model && !nameWord && ctx.model.applications.has(name)) ctx.report('app-exists', `model ${ctx.model.name} already has an application ${name}: juju deploy fails ("application already exists"); give another name`)
    ctx.created.add(name)
  }
  if (hasFlag(parsed, 'trust')) grantsTrust(ctx, name)
}

function refresh(parsed: ParsedJuju, ctx: JujuContext): void {
  const app = parsed.positionals[0]?.value
  if (app !== undefined) application(ctx, app)
  for (const c of flagValues(parsed, 'channel')) channel(ctx, c)
  for (const b of flagValues(parsed, 'base')) base(ctx, b, '--base')
  for (const c of flagValues(parsed, 'switch')) placeholder(ctx, c, 'charm')
  const exclusive = (x: string, y: string) => {
    if (flagValues(parsed, x).length > 0 && flagValues(parsed, y).length > 0) ctx.report('flag-value', `--${x} and --${y} are mutually exclusive (refresh.go Init)`)
  }
  exclusive('switch', 'revision')
  exclusive('path', 'revision')
  exclusive('switch', 'path')
  if (app && hasFlag(parsed, 'trust') && !flagValues(parsed, 'trust').includes('false')) grantsTrust(ctx, app)
}

function consume(parsed: ParsedJuju, ctx: JujuContext): void {
  const [urlWord, aliasWord] = parsed.positionals
  if (!urlWord) return
  let app: string | undefined
  if (placeholder(ctx, urlWord.value, 'offer-url') === undefined) {
    const url = parseOfferUrl(urlWord.value)
    if (!url) ctx.report('offer-url', `"${urlWord.value}" is not an offer path [<controller>:][<qualifier>/]<model>.<application>`)
    else if (url.endpoint) ctx.report('offer-url', `saas offer "${urlWord.value}" shouldn't include endpoint (consume.go)`)
    else app = url.application
  }
  if (aliasWord) {
    if (validName(ctx, aliasWord.value, 'application', APPLICATION_NAME, 'app-name', WHY.application)) app = aliasWord.value
  }
  if (app) ctx.created.add(app)
}

function removeRelation(parsed: ParsedJuju, ctx: JujuContext): void {
  if (parsed.positionals.length === 1) {
    if (!/^\d+$/.test(parsed.positionals[0]!.value)) ctx.report('positional-count', `one argument must be a relation id, not "${parsed.positionals[0]!.value}"`)
    return
  }
  const refs = parsed.positionals.map((w) => endpointRef(ctx, w.value))
  const [a, b] = refs
  if (!a || !b || a.remote || b.remote || !ctx.model || ctx.created.has(a.app) || ctx.created.has(b.app)) return
  const related = ctx.model.relations.some((r) => {
    const apps = r.endpoints.map((e) => e.application)
    return apps.includes(a.app) && apps.includes(b.app) && (a.app !== b.app || apps.length === 1)
  })
  if (!related) ctx.report('relation-missing', `model ${ctx.model.name} has no relation between ${a.app} and ${b.app}`)
}

function setApplicationBase(parsed: ParsedJuju, ctx: JujuContext): void {
  const [app, b] = parsed.positionals
  if (app) application(ctx, app.value)
  if (b) base(ctx, b.value, 'base')
}

function addSecret(parsed: ParsedJuju, ctx: JujuContext): void {
  const [nameWord, ...pairs] = parsed.positionals
  if (!nameWord) return
  placeholder(ctx, nameWord.value, 'secret')
  if (pairs.length === 0 && flagValues(parsed, 'file').length === 0) ctx.report('positional-count', 'juju add-secret needs key=value pairs or --file ("missing secret value or filename")')
  for (const pair of pairs) {
    // core/secrets CreateSecretData: base64 padding is stripped before looking for "=".
    const stripped = pair.value.replace(/=+$/, '')
    const idx = stripped.indexOf('=')
    if (idx < 1) {
      ctx.report('secret-key', `"${pair.value}" is not key=value`)
      continue
    }
    const key = pair.value.slice(0, idx).replace(/#(base64|file)$/, '')
    if (placeholder(ctx, key, 'config-key') !== undefined) continue
    if (!SECRET_KEY.test(key)) ctx.report('secret-key', `secret key "${key}" does not match Juju's ^([a-z](?:-?[a-z0-9]){2,})$ (core/secrets keyRegExp): lower case letters, digits, single hyphens, no underscores, at least 3 characters`)
  }
  ctx.secrets.add(nameWord.value)
}

function grantSecret(parsed: ParsedJuju, ctx: JujuContext): void {
  const [secret, apps] = parsed.positionals
  if (secret) placeholder(ctx, secret.value, 'secret')
  if (apps) for (const app of apps.value.split(',')) application(ctx, app)
}

function revoke(parsed: ParsedJuju, ctx: JujuContext): void {
  const [user, permission, ...targets] = parsed.positionals
  if (user) validName(ctx, user.value, 'user', USER_NAME, 'user-name', WHY.user)
  if (!permission) return
  const level = permission.value
  const all = [...new Set([...MODEL_ACCESS, ...CONTROLLER_ACCESS, ...OFFER_ACCESS])]
  if (!all.includes(level)) {
    ctx.report('permission', `"${level}" is not an access level (models: ${MODEL_ACCESS.join(', ')}; controllers: ${CONTROLLER_ACCESS.join(', ')}; offers: ${OFFER_ACCESS.join(', ')})`)
    return
  }
  if (CONTROLLER_ACCESS.includes(level)) {
    if (targets.length > 0) ctx.report('positional-count', `${level} is controller access: name no model or offer (got ${targets.map((t) => t.value).join(' ')})`)
    return
  }
  if (targets.length === 0) ctx.report('positional-count', `revoking ${level} needs the models or offer URLs it applies to`)
  const controller = flagValues(parsed, 'c', 'controller').at(-1)
  for (const target of targets) {
    const t = target.value
    if (placeholderVerdict(t, 'offer-url')?.ok || placeholderVerdict(t, 'model')?.ok) continue
    if (t.includes('.')) {
      if (placeholder(ctx, t, 'offer-url') !== undefined) continue
      const url = parseOfferUrl(t)
      if (!url) ctx.report('offer-url', `"${t}" is not an offer URL [<controller>:][<qualifier>/]<model>.<offer>`)
      else if (!OFFER_ACCESS.includes(level)) ctx.report('permission', `${level} is not an offer access level (${OFFER_ACCESS.join(', ')})`)
      continue
    }
    if (level === 'consume') ctx.report('permission', `consume is offer access, but "${t}" is a model name`)
    const [qualifier, name] = t.includes('/') ? t.split('/', 2) : [undefined, t]
    if (!validName(ctx, name!, 'model', MODEL_NAME, 'model-name', WHY.model)) continue
    const found = modelsNamed(ctx.estate, name!, controller)
    const anywhere = found.length > 0 ? found : modelsNamed(ctx.estate, name!)
    if (anywhere.length === 0) ctx.report('model-missing', `revoke names model ${t}, which the inventory does not have`)
    else unqualified(ctx, anywhere[0]!, qualifier, `revoke … ${t}`)
  }
}

function user(parsed: ParsedJuju, ctx: JujuContext): void {
  const name = parsed.positionals[0]?.value
  if (name !== undefined) validName(ctx, name, 'user', USER_NAME, 'user-name', WHY.user)
}

function disableCommand(parsed: ParsedJuju, ctx: JujuContext): void {
  const set = parsed.positionals[0]?.value
  if (set !== undefined && !COMMAND_SETS.includes(set)) ctx.report('command-set', `"${set}" is not a command set (${COMMAND_SETS.join(', ')})`)
}

function exec(parsed: ParsedJuju, ctx: JujuContext): void {
  const targets = ['all', 'a', 'app', 'application', 'machine', 'u', 'unit']
  if (!parsed.flags.some((f) => targets.includes(f.name))) ctx.report('flag-value', 'juju exec needs a target: --all, --application, --machine or --unit')
  for (const apps of flagValues(parsed, 'a', 'app', 'application')) for (const app of apps.split(',')) application(ctx, app)
}

function offer(parsed: ParsedJuju, ctx: JujuContext): void {
  const spec = parsed.positionals[0]?.value
  if (!spec) return
  const match = /^(?:([^.:]+)\.)?([^.:]+):(.+)$/.exec(spec)
  if (!match) {
    ctx.report('offer-url', `"${spec}" is not [model-name.]<application-name>:<endpoint-name>[,...]`)
    return
  }
  const [, , app = '', endpoints = ''] = match
  if (!application(ctx, app) || !ctx.model) return
  const metadata = charmMetadata(ctx.estate, ctx.model, app)
  for (const endpoint of endpoints.split(',')) if (metadata) charmEndpoint(ctx, app, metadata, endpoint)
}

function removeOffer(parsed: ParsedJuju, ctx: JujuContext): void {
  for (const word of parsed.positionals) {
    const value = word.value
    if (placeholder(ctx, value, 'offer-url') !== undefined) continue
    const url = value.includes('.') ? parseOfferUrl(value) : undefined
    if (value.includes('.') && !url) {
      ctx.report('offer-url', `"${value}" is not an offer URL [<controller>:][<qualifier>/]<model>.<offer>`)
      continue
    }
    const name = url?.application ?? value
    const models = url ? modelsNamed(ctx.estate, url.model) : ctx.model ? [ctx.model] : []
    const offers = models.flatMap((m) => m.offers)
    if (models.length > 0 && offers.length > 0 && !offers.some((o) => o.name === name)) ctx.report('offer-missing', `no offer ${name} in the inventory (offers: ${offers.map((o) => o.name).join(', ')})`)
  }
}

function addMachine(parsed: ParsedJuju, ctx: JujuContext): void {
  for (const b of flagValues(parsed, 'base')) base(ctx, b, '--base')
}

function removeMachine(parsed: ParsedJuju, ctx: JujuContext): void {
  for (const word of parsed.positionals) {
    if (!/^\d+(\/[a-z]+\/\d+)*$/.test(word.value)) ctx.report('machine', `"${word.value}" is not a machine number`)
    else if (ctx.model && ctx.model.machines.length > 0 && !ctx.model.machines.some((m) => m.id === word.value)) ctx.report('machine', `model ${ctx.model.name} has no machine ${word.value}`)
  }
}

const CHECKS: Record<string, (parsed: ParsedJuju, ctx: JujuContext) => void> = {
  integrate,
  config,
  expose,
  unexpose: expose,
  trust,
  deploy,
  refresh,
  consume,
  'remove-relation': removeRelation,
  'set-application-base': setApplicationBase,
  'add-secret': addSecret,
  'grant-secret': grantSecret,
  revoke,
  'disable-user': user,
  'remove-user': user,
  'disable-command': disableCommand,
  exec,
  offer,
  'remove-offer': removeOffer,
  'add-machine': addMachine,
  'remove-machine': removeMachine,
}
