/**
 * The live Juju source: logs in to each controller and each model and turns the answers into
 * the documents of the snapshot layout (README "Input layout"). API calls grow with models, not
 * applications: per controller ListModelSummaries, ModelInfo (all models in one call), UserInfo,
 * ControllerConfig and ListApplicationOffers (one filter per model); per model FullStatus,
 * ExportBundle (the batch source of `trust`, which otherwise needs Application.Get per
 * application) and Block.List.
 */
import {InputError} from '../../errors.js'
import {type Deadline, noDeadline} from '../deadline.js'
import type {SourceDocument} from '../source-document.js'
import {
  apiModelQualifier,
  type ApiModelInfo,
  applicationGetSchema,
  type ApiModelSummary,
  blockResultsSchema,
  checkAnswer,
  controllerConfigSchema,
  fullStatusSchema,
  modelInfoResultsSchema,
  modelSummariesSchema,
  offersResultsSchema,
  stringResultSchema,
  userInfoResultsSchema,
} from './api-shapes.js'
import {configDocument, disabledCommandsDocument, offersDocument, showModelDocument, statusDocument, usersDocument} from './cli-documents.js'
import type {ControllerTarget} from './juju-data.js'
import {JujuCallError, JujuSession, type SessionOptions} from './session.js'

export interface JujuProgress {
  controller: string
  model?: string
  step: string
}

export interface JujuCollectOptions {
  /** `--model`, repeatable: model names (`cos`) or qualified names (`admin/cos`); default every model the user can see. */
  models?: string[]
  insecureSkipVerify?: boolean
  timeoutMs?: number
  /** Every handshake, login and call ends by then. */
  deadline?: Deadline
  /** Models collected at once, each over its own connection. */
  concurrency?: number
  /** What a model's earlier collection may be used for instead of its calls (`reconcile --watch`). */
  reuse?: ModelReuse
  onProgress?: (event: JujuProgress) => void
}

export interface JujuCollection {
  documents: SourceDocument[]
  /** API calls made, logins included (the benchmark's O(models) check). */
  calls: number
  warnings: string[]
}

/**
 * Models collected before and unchanged since (reconcile --watch: the controller's AllModelWatcher
 * saw no delta for them): their documents and warnings are used again instead of FullStatus,
 * ExportBundle and Block.List.
 */
export interface ModelReuse {
  /** The model's version now; undefined when nothing vouches for it (it is collected). */
  version(controller: string, modelUuid: string): string | undefined
  get(controller: string, modelUuid: string, version: string): CollectedModel | undefined
  put(controller: string, modelUuid: string, version: string, collected: CollectedModel): void
}

/** What one model's own calls yield. */
export interface CollectedModel {
  documents: SourceDocument[]
  warnings: string[]
}

const DEFAULT_TIMEOUT_MS = 120_000
const DEFAULT_CONCURRENCY = 4

export async function collectJuju(controllers: ControllerTarget[], options: JujuCollectOptions = {}): Promise<JujuCollection> {
  const collection: JujuCollection = {documents: [], calls: 0, warnings: []}
  const sessionOptions: SessionOptions = {
    insecureSkipVerify: options.insecureSkipVerify ?? false,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    deadline: options.deadline ?? noDeadline(),
    onCall: () => collection.calls++,
  }
  const matched = new Set<string>()
  for (const target of controllers) await collectController(target, {...options, strictModels: controllers.length === 1}, sessionOptions, collection, matched)
  // With several controllers a --model need only exist on one of them.
  const unmatched = (options.models ?? []).filter((name) => !matched.has(name))
  if (unmatched.length > 0) {
    throw new InputError(undefined, `--model ${unmatched.join(', ')}: no such model on controllers ${controllers.map((target) => target.name).join(', ')}`)
  }
  return collection
}

async function collectController(
  target: ControllerTarget,
  options: JujuCollectOptions & {strictModels: boolean},
  sessionOptions: SessionOptions,
  out: JujuCollection,
  matched: Set<string>,
): Promise<void> {
  const progress = (step: string, model?: string): void => options.onProgress?.(model === undefined ? {controller: target.name, step} : {controller: target.name, model, step})
  const controllerDir = `juju/${target.name}`
  progress('logging in')
  const session = await JujuSession.open(target, '/api', `controller ${target.name}`, sessionOptions)
  try {
    const superuser = session.info.controllerAccess === 'superuser'
    progress('listing models')
    const all = await listModels(session, target.user, superuser)
    const models = uniqueNames(selectModels(all, options.models, target.name, options.strictModels, matched), target.name, out)
    const infos = await modelInfos(session, models, out)

    if (superuser) {
      progress('reading users')
      const users = checkAnswer(userInfoResultsSchema, await session.call('userManager', 'userInfo', {entities: [], 'include-disabled': true}), session.where, 'UserManager.UserInfo')
      const list = (users.results ?? []).flatMap((result) => (result.result ? [result.result] : []))
      out.documents.push({path: `${controllerDir}/users.json`, data: usersDocument(list)})
      const config = await optionalCall(session, 'controller', 'controllerConfig', {}, out, 'controller config')
      if (config !== undefined) {
        out.documents.push({path: `${controllerDir}/controller-config.json`, data: checkAnswer(controllerConfigSchema, config, session.where, 'Controller.ControllerConfig').config ?? {}})
      }
    } else {
      out.warnings.push(`controller ${target.name}: ${target.user} is not a superuser, so controller users and controller config were not inspected`)
    }

    progress('reading offers')
    const offersByModel = await listOffers(session, models, out)

    await forEachLimited(models, options.concurrency ?? DEFAULT_CONCURRENCY, async (model) => {
      const modelDir = `${controllerDir}/models/${model.name}`
      const info = infos.get(model.uuid)
      if (info) out.documents.push({path: `${modelDir}/show-model.json`, data: showModelDocument(info, target.name)})
      const offers = offersByModel.get(model.uuid)
      if (offers !== undefined) out.documents.push({path: `${modelDir}/offers.json`, data: offersDocument(offers, target.name)})
      // Taken before the calls: a change while they run makes the next pass collect again.
      const version = options.reuse?.version(target.name, model.uuid)
      const kept = version === undefined ? undefined : options.reuse?.get(target.name, model.uuid, version)
      if (kept) {
        out.documents.push(...kept.documents)
        out.warnings.push(...kept.warnings)
        return
      }
      progress('collecting', model.name)
      const own: JujuCollection = {documents: [], warnings: [], calls: 0}
      await collectModel(target, model, modelDir, sessionOptions, own)
      out.documents.push(...own.documents)
      out.warnings.push(...own.warnings)
      if (version !== undefined) options.reuse?.put(target.name, model.uuid, version, {documents: own.documents, warnings: own.warnings})
    })
  } finally {
    session.close()
  }
}

async function listModels(session: JujuSession, user: string, superuser: boolean): Promise<ApiModelSummary[]> {
  const answer = checkAnswer(
    modelSummariesSchema,
    await session.call('modelManager', 'listModelSummaries', {'user-tag': `user-${user}`, all: superuser}),
    session.where,
    'ModelManager.ListModelSummaries',
  )
  return (answer.results ?? []).flatMap((result) => (result.result ? [result.result] : [])).sort((a, b) => a.name.localeCompare(b.name))
}

/**
 * The snapshot layout names models without their owner; of two models with one name (admin/cos,
 * bob/cos) the first by owner is kept and the user told how to reach the other.
 */
function uniqueNames(models: ApiModelSummary[], controller: string, out: JujuCollection): ApiModelSummary[] {
  const byName = new Map<string, ApiModelSummary[]>()
  for (const model of models) byName.set(model.name, [...(byName.get(model.name) ?? []), model])
  const kept: ApiModelSummary[] = []
  for (const [name, same] of byName) {
    const sorted = same.sort((a, b) => (apiModelQualifier(a) ?? '').localeCompare(apiModelQualifier(b) ?? ''))
    kept.push(sorted[0]!)
    if (sorted.length > 1) {
      const qualified = sorted.map((model) => `${apiModelQualifier(model)}/${name}`)
      out.warnings.push(`controller ${controller}: several models are named ${name} (${qualified.join(', ')}); only ${qualified[0]} is audited — pass --model ${qualified[1]} to audit another`)
    }
  }
  return kept
}

function selectModels(
  models: ApiModelSummary[],
  wanted: string[] | undefined,
  controller: string,
  strict: boolean,
  matched: Set<string>,
): ApiModelSummary[] {
  if (!wanted || wanted.length === 0) return models
  return wanted.flatMap((name) => {
    const model = models.find((candidate) => candidate.name === name || `${apiModelQualifier(candidate)}/${candidate.name}` === name)
    if (model) matched.add(name)
    else if (strict) {
      const known = models.map((candidate) => candidate.name)
      throw new InputError(undefined, `--model ${name}: no such model on controller ${controller} (models: ${known.slice(0, 5).join(', ')}${known.length > 5 ? ', …' : ''})`)
    }
    return model ? [model] : []
  })
}

async function modelInfos(session: JujuSession, models: ApiModelSummary[], out: JujuCollection): Promise<Map<string, ApiModelInfo>> {
  const infos = new Map<string, ApiModelInfo>()
  if (models.length === 0) return infos
  const answer = checkAnswer(
    modelInfoResultsSchema,
    await session.call('modelManager', 'modelInfo', {entities: models.map((model) => ({tag: `model-${model.uuid}`}))}),
    session.where,
    'ModelManager.ModelInfo',
  )
  answer.results.forEach((result, index) => {
    if (result.result) infos.set(result.result.uuid, result.result)
    else if (result.error) out.warnings.push(`${session.where}: cannot read model users of ${models[index]?.name ?? '?'}: ${result.error.message}`)
  })
  return infos
}

/** Offers of every model in one call: one filter per model (Juju requires at least one). */
async function listOffers(session: JujuSession, models: ApiModelSummary[], out: JujuCollection) {
  const byModel = new Map<string, NonNullable<ReturnType<typeof offersResultsSchema.parse>['results']>>()
  if (models.length === 0) return byModel
  // Juju 3's OfferFilter takes owner-name, Juju 4's (ApplicationOffers v6) model-qualifier instead
  // (juju/juju rpc/params/crossmodel.go@beb1285e); each side ignores the field it does not know.
  const filters = models.map((model) => ({'model-name': model.name, 'owner-name': apiModelQualifier(model), 'model-qualifier': apiModelQualifier(model)}))
  const answer = await optionalCall(session, 'applicationOffers', 'listApplicationOffers', {filters}, out, 'offers')
  if (answer === undefined) return byModel
  for (const model of models) byModel.set(model.uuid, [])
  for (const offer of checkAnswer(offersResultsSchema, answer, session.where, 'ApplicationOffers.ListApplicationOffers').results ?? []) {
    const [owner, rest] = offer['offer-url'].replace(/^[^:/]+:/, '').split('/')
    const modelName = rest?.split('.')[0]
    const model = models.find((candidate) => candidate.name === modelName && apiModelQualifier(candidate) === owner)
    if (model) byModel.get(model.uuid)!.push(offer)
  }
  return byModel
}

async function collectModel(
  target: ControllerTarget,
  model: ApiModelSummary,
  modelDir: string,
  sessionOptions: SessionOptions,
  out: JujuCollection,
): Promise<void> {
  const session = await JujuSession.open(target, `/model/${model.uuid}/api`, `model ${target.name}:${model.name}`, sessionOptions)
  try {
    let status: unknown
    try {
      status = await session.call('client', 'fullStatus', {patterns: []})
    } catch (error) {
      if (!(error instanceof JujuCallError)) throw error
      // The shape `juju status` prints for a model it could not read: the audit reports it as a gap.
      out.documents.push({path: `${modelDir}/status.json`, data: {model: {'status-error': error.message}}})
      out.warnings.push(`model ${target.name}:${model.name}: cannot read status: ${error.message}`)
    }
    if (status !== undefined) {
      out.documents.push({path: `${modelDir}/status.json`, data: statusDocument(checkAnswer(fullStatusSchema, status, session.where, 'Client.FullStatus'), target.name)})
    }

    const bundle = await exportBundle(session)
    if (bundle.text !== undefined) out.documents.push({path: `${modelDir}/bundle.yaml`, data: undefined, text: bundle.text})
    else if (status !== undefined) {
      // Some models cannot be exported (Juju refuses certain features); trust is too important
      // to leave out, so read it per application — the only O(applications) path, taken only here.
      const applications = Object.keys(checkAnswer(fullStatusSchema, status, session.where, 'Client.FullStatus').applications ?? {})
      if (applications.length > 0) out.warnings.push(`${session.where}: cannot export the bundle (${bundle.problem}); reading trust and options of ${applications.length} applications one by one`)
      for (const application of applications) {
        const answer = await optionalCall(session, 'application', 'get', {application, branch: ''}, out, `the config of ${application}`)
        if (answer === undefined) continue
        out.documents.push({path: `${modelDir}/config/${application}.json`, data: configDocument(checkAnswer(applicationGetSchema, answer, session.where, 'Application.Get'))})
      }
    }

    const blocks = await optionalCall(session, 'block', 'list', {}, out, 'disabled commands')
    if (blocks !== undefined) {
      const list = (checkAnswer(blockResultsSchema, blocks, session.where, 'Block.List').results ?? []).flatMap((result) => (result.result ? [result.result] : []))
      out.documents.push({path: `${modelDir}/disabled-commands.json`, data: disabledCommandsDocument(list)})
    }
  } finally {
    session.close()
  }
}

async function exportBundle(session: JujuSession): Promise<{text?: string; problem?: string}> {
  try {
    const result = checkAnswer(stringResultSchema, await session.call('bundle', 'exportBundle', {'include-charm-defaults': false}), session.where, 'Bundle.ExportBundle')
    if (result.result) return {text: result.result}
    return {problem: result.error?.message ?? 'the controller returned no bundle'}
  } catch (error) {
    if (!(error instanceof JujuCallError)) throw error
    return {problem: error.message}
  }
}

/** A call whose refusal leaves one input out (reported), not the whole audit. */
async function optionalCall(session: JujuSession, facade: Parameters<JujuSession['call']>[0], method: string, params: unknown, out: JujuCollection, what: string): Promise<unknown> {
  try {
    return await session.call(facade, method, params)
  } catch (error) {
    if (!(error instanceof JujuCallError)) throw error
    out.warnings.push(`${session.where}: cannot read ${what}: ${error.message}`)
    return undefined
  }
}

async function forEachLimited<T>(items: T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) await run(items[next++]!)
  }
  await Promise.all(Array.from({length: Math.min(limit, items.length)}, worker))
}
