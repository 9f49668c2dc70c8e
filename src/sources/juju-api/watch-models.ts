/**
 * `reconcile --watch` follows the Juju side too: one Controller.WatchAllModels per controller
 * (Juju's AllModelWatcher: the first Next answers with every entity, each later one with what
 * changed since). A change that can alter the plan starts a pass: a model, an application, a
 * relation, a consumed offer (remote application) or a command block added or removed, or an
 * application exposed, unexposed or given another charm. Unit, machine and status changes do not:
 * update-status hooks make them every few minutes, and they change no NetworkPolicy or Juju
 * restriction.
 *
 * It also tells how far each model is known unchanged (`modelVersion`: no delta of any kind since,
 * over one unbroken watch), which src/reconcile/unchanged-models.ts uses to skip reading models
 * again in passes that changes brought. While a controller cannot be watched, its changes are seen
 * at each --interval, as before; the watch retries with backoff and, once back, starts a pass if
 * something changed while it was down. A Juju 4 controller has no AllWatcher: its models are read
 * at each --interval, every pass (nothing vouches for a model being unchanged).
 */
import {z} from 'zod'

import {checkAnswer} from './api-shapes.js'
import type {ControllerTarget} from './juju-data.js'
import {FacadeMissingError, JujuCallError, JujuSession} from './session.js'

export interface JujuWatchOptions {
  controllers: ControllerTarget[]
  /** Only changes in these models start a pass (`--model`: a name or owner/name); all models when absent. */
  models?: string[] | undefined
  insecureSkipVerify: boolean
  signal: AbortSignal
  /** A change that can alter the plan, described in one line. */
  onChange: (description: string) => void
  /** The watch of a controller failed, or cannot be had; one line, without a trailing newline. */
  onProblem: (message: string) => void
}

export interface JujuWatch {
  /** Resolves once every controller's watch has ended after the signal. */
  stopped: Promise<void>
  /**
   * The model as the watch knows it now: equal tokens mean no delta of any kind (a unit's status
   * included) arrived for it in between, over one unbroken watch. Undefined while the watch of
   * the controller is not current (connecting, failed, not yet listed): then nothing is vouched for.
   */
  modelVersion(controller: string, modelUuid: string): string | undefined
}

const watcherIdSchema = z.looseObject({'watcher-id': z.string()})
const deltaSchema = z.tuple([z.string(), z.string(), z.looseObject({'model-uuid': z.string().optional()})])
const nextSchema = z.looseObject({deltas: z.array(deltaSchema).nullish()})
type Delta = z.infer<typeof deltaSchema>

const MAX_BACKOFF_MS = 60_000
/** Login and WatchAllModels, each; Next waits as long as nothing changes. */
const CALL_TIMEOUT_MS = 60_000

export function watchJuju(options: JujuWatchOptions): JujuWatch {
  const versions = new Map(options.controllers.map((target) => [target.name, new ModelVersions()]))
  return {
    stopped: Promise.all(options.controllers.map((target) => followController(target, options, versions.get(target.name)!))).then(() => undefined),
    modelVersion: (controller, modelUuid) => versions.get(controller)?.of(modelUuid),
  }
}

/** Per model, how many deltas the current watch has seen; a new watch (reconnection) starts a new epoch. */
class ModelVersions {
  private epoch = 0
  private current = false
  private readonly seen = new Map<string, number>()

  listed(): void {
    this.epoch++
    this.seen.clear()
    this.current = true
  }

  lost(): void {
    this.current = false
  }

  saw(deltas: Delta[]): void {
    for (const [, , info] of deltas) {
      const uuid = info['model-uuid']
      if (uuid !== undefined) this.seen.set(uuid, (this.seen.get(uuid) ?? 0) + 1)
    }
  }

  of(modelUuid: string): string | undefined {
    return this.current ? `${this.epoch}:${this.seen.get(modelUuid) ?? 0}` : undefined
  }
}

async function followController(target: ControllerTarget, options: JujuWatchOptions, versions: ModelVersions): Promise<void> {
  const where = `controller ${target.name}`
  const known = new KnownEntities(options.models)
  let attempt = 0
  let failing = false
  while (!options.signal.aborted) {
    let session: JujuSession | undefined
    const closeOnStop = (): void => session?.close()
    options.signal.addEventListener('abort', closeOnStop, {once: true})
    try {
      // Stopping does not wait for a controller slow to answer the handshake: a late session is closed when it comes.
      const opening = JujuSession.open(target, '/api', where, {insecureSkipVerify: options.insecureSkipVerify, timeoutMs: CALL_TIMEOUT_MS})
      session = await untilAborted(opening, options.signal)
      if (!session) {
        opening.then((late) => late.close(), () => {})
        break
      }
      const {'watcher-id': id} = checkAnswer(watcherIdSchema, await session.call('controller', 'watchAllModels'), where, 'Controller.WatchAllModels')
      let first = true
      while (!options.signal.aborted) {
        const answer = await session.call('allModelWatcher', 'next', {id}, {untimed: true})
        const deltas = checkAnswer(nextSchema, answer, where, 'AllModelWatcher.Next').deltas ?? []
        if (failing) options.onProblem(`juju ${where}: watching its models again`)
        failing = false
        attempt = 0
        // The first answer is every entity: after a reconnection, what differs from before changed meanwhile.
        const changes = first ? known.replaceAll(deltas) : known.apply(deltas)
        if (first) versions.listed()
        else versions.saw(deltas)
        first = false
        if (changes.length > 0) options.onChange(describeChanges(target.name, changes))
      }
    } catch (error) {
      versions.lost()
      if (options.signal.aborted) break
      // The session's errors already start with where they happened.
      const message = (error instanceof Error ? error.message : String(error)).replace(`juju ${where}: `, '')
      if (error instanceof JujuCallError && /permission denied|unauthorized/i.test(message)) {
        options.onProblem(`juju ${where}: cannot watch its models (${message}; Controller.WatchAllModels needs superuser): their changes are seen at each --interval only`)
        return
      }
      // Juju 4.0 removed the AllWatcher (its release notes): WatchAllModels answers "not implemented"
      // and no AllModelWatcher facade is offered. Retrying cannot help either way.
      const notImplemented = error instanceof JujuCallError && /not implemented/i.test(message)
      if (notImplemented || error instanceof FacadeMissingError) {
        options.onProblem(`juju ${where}: cannot watch its models (${message}${notImplemented ? '; Juju 4 has no AllWatcher' : ''}): their changes are seen at each --interval only`)
        return
      }
      if (!failing) options.onProblem(`juju ${where}: cannot watch its models: ${message}; retrying (meanwhile their changes are seen at each --interval)`)
      failing = true
      await pause(Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempt++), options.signal)
    } finally {
      options.signal.removeEventListener('abort', closeOnStop)
      session?.close()
    }
  }
}

interface Entity {
  /** The model's name (its uuid until the model's own delta named it). */
  model: string
  kind: string
  name: string
}

interface EntityChange extends Entity {
  how: 'added' | 'changed' | 'removed'
}

/** What each entity that can alter the plan looks like, by kind, model and name. */
class KnownEntities {
  private entities = new Map<string, Entity & {shape: string}>()
  private listed = false
  private readonly modelNames = new Map<string, string>()

  constructor(private readonly onlyModels: readonly string[] | undefined) {}

  /** A Next's deltas: what they add, change or remove. */
  apply(deltas: Delta[]): EntityChange[] {
    const changes: EntityChange[] = []
    for (const delta of deltas) {
      const read = this.entity(delta)
      if (!read) continue
      const {key, entity} = read
      const before = this.entities.get(key)
      if (delta[1] === 'remove') {
        if (before) changes.push({...before, how: 'removed'})
        this.entities.delete(key)
        continue
      }
      if (!before) changes.push({...entity, how: 'added'})
      else if (before.shape !== entity.shape) changes.push({...entity, how: 'changed'})
      this.entities.set(key, entity)
    }
    return this.relevant(changes)
  }

  /** A first Next (every entity): nothing on the first listing, after a reconnection what differs. */
  replaceAll(deltas: Delta[]): EntityChange[] {
    const before = this.entities
    const wasListed = this.listed
    this.entities = new Map()
    this.listed = true
    this.apply(deltas)
    if (!wasListed) return []
    const changes: EntityChange[] = []
    for (const [key, entity] of this.entities) {
      const old = before.get(key)
      if (!old) changes.push({...entity, how: 'added'})
      else if (old.shape !== entity.shape) changes.push({...entity, how: 'changed'})
    }
    for (const [key, old] of before) if (!this.entities.has(key)) changes.push({...old, how: 'removed'})
    return this.relevant(changes)
  }

  private relevant(changes: EntityChange[]): EntityChange[] {
    const only = this.onlyModels
    // `--model` takes owner/name too; the deltas name a model without its owner.
    return only === undefined ? changes : changes.filter((change) => only.some((wanted) => wanted === change.model || wanted.split('/').pop() === change.model))
  }

  private entity([kind, , info]: Delta): {key: string; entity: Entity & {shape: string}} | undefined {
    const uuid = info['model-uuid'] ?? ''
    if (kind === 'model' && typeof info.name === 'string') this.modelNames.set(uuid, info.name)
    const shape = shapeOf(kind, info)
    if (shape === undefined) return undefined
    const name = kind === 'relation' ? String(info.key ?? info.id ?? '') : kind === 'block' ? String(info.type ?? info.id ?? '') : String(info.name ?? '')
    const model = this.modelNames.get(uuid) ?? uuid
    return {key: `${kind}\u0000${uuid}\u0000${name}`, entity: {model, kind, name, shape}}
  }
}

/** What of an entity can alter the plan, as text; undefined for kinds that cannot. */
function shapeOf(kind: string, info: Record<string, unknown>): string | undefined {
  switch (kind) {
    case 'model':
      return JSON.stringify([info.life])
    case 'application':
      return JSON.stringify([info.life, info.exposed, info['exposed-endpoints'] ?? null, info['charm-url'], info.subordinate])
    case 'relation':
      return JSON.stringify(info.endpoints ?? null)
    case 'remoteApplication':
      return JSON.stringify([info.life, info['offer-url']])
    case 'applicationOffer':
      return JSON.stringify([info['application-name'], info.endpoints ?? null])
    case 'block':
      return JSON.stringify([info.type])
    default:
      return undefined
  }
}

/** `juju prod:cos: relation "a:db b:db" added` and how many more. */
function describeChanges(controller: string, changes: EntityChange[]): string {
  const [first] = changes
  const kind = first!.kind === 'remoteApplication' ? 'consumed offer' : first!.kind === 'applicationOffer' ? 'offer' : first!.kind
  const more = changes.length - 1
  const name = first!.name.includes(' ') ? JSON.stringify(first!.name) : first!.name
  return `juju ${controller}:${first!.model}: ${kind} ${name} ${first!.how}${more > 0 ? ` and ${more} more change${more === 1 ? '' : 's'}` : ''}`
}

/** The promise's value, or undefined as soon as the signal aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined)
  return new Promise((resolve, reject) => {
    const aborted = (): void => resolve(undefined)
    signal.addEventListener('abort', aborted, {once: true})
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', aborted))
  })
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, {once: true})
    function done(): void {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
  })
}
