/**
 * The fake controller's Controller.WatchAllModels and AllModelWatcher (Juju 3.x
 * apiserver/facades/client/controller WatchAllModels, apiserver/allwatcher.go): a watcher id,
 * then Next calls that each answer with the deltas since the last one, the first with every
 * entity there is. A Next with nothing new waits until the estate changes or the watcher stops
 * (`watcher was stopped`, code "stopped"). Deltas are `[kind, "change" | "remove", info]`, info
 * shaped as Juju's multiwatcher params (ModelUpdate, ApplicationInfo, RelationInfo,
 * RemoteApplicationUpdate, BlockInfo), made here from each model's FullStatus.
 */
import type {FullStatus} from '@canonical/jujulib/dist/api/facades/client/ClientV6.js'

import type {FakeEstate, FakeModel} from './estate.js'

type Json = Record<string, unknown>
export type Delta = [kind: string, change: 'change' | 'remove', info: Json]

interface Watcher {
  /** Entity key → the info last sent, as JSON. Undefined until the first Next. */
  sent?: Map<string, {kind: string; info: string}>
  waiting?: {resolve: (deltas: Delta[]) => void; reject: (error: Error) => void}
  stopped: boolean
}

export class StoppedWatcher extends Error {
  readonly code = 'stopped'
  constructor() {
    super('watcher was stopped')
  }
}

export class AllModelWatchers {
  private readonly watchers = new Map<string, Watcher>()
  private nextId = 1

  constructor(
    private readonly estate: FakeEstate,
    private readonly statusOf: (model: FakeModel) => FullStatus,
  ) {}

  start(): string {
    const id = String(this.nextId++)
    this.watchers.set(id, {stopped: false})
    return id
  }

  /** The deltas since this watcher's last Next; waits while there are none. */
  next(id: string): Promise<Delta[]> {
    const watcher = this.watchers.get(id)
    if (!watcher || watcher.stopped) return Promise.reject(new StoppedWatcher())
    const deltas = this.deltasFor(watcher)
    if (deltas.length > 0) return Promise.resolve(deltas)
    return new Promise((resolve, reject) => (watcher.waiting = {resolve, reject}))
  }

  stop(id: string): void {
    const watcher = this.watchers.get(id)
    if (!watcher) return
    watcher.stopped = true
    watcher.waiting?.reject(new StoppedWatcher())
    this.watchers.delete(id)
  }

  /** The estate changed: every waiting Next with something new answers. */
  changed(): void {
    for (const watcher of this.watchers.values()) {
      if (!watcher.waiting) continue
      const deltas = this.deltasFor(watcher)
      if (deltas.length === 0) continue
      const {resolve} = watcher.waiting
      watcher.waiting = undefined
      resolve(deltas)
    }
  }

  stopAll(): void {
    for (const id of [...this.watchers.keys()]) this.stop(id)
  }

  private deltasFor(watcher: Watcher): Delta[] {
    const now = this.entities()
    const deltas: Delta[] = []
    const before = watcher.sent ?? new Map()
    for (const [key, entity] of now) {
      if (before.get(key)?.info !== entity.info) deltas.push([entity.kind, 'change', JSON.parse(entity.info) as Json])
    }
    for (const [key, entity] of before) if (!now.has(key)) deltas.push([entity.kind, 'remove', JSON.parse(entity.info) as Json])
    watcher.sent = now
    return deltas
  }

  private entities(): Map<string, {kind: string; info: string}> {
    const out = new Map<string, {kind: string; info: string}>()
    const add = (kind: string, id: string, info: Json) => out.set(`${kind}|${String(info['model-uuid'])}|${id}`, {kind, info: JSON.stringify(info)})
    for (const model of this.estate.models) {
      const uuid = model.uuid
      add('model', uuid, {'model-uuid': uuid, name: model.name, life: 'alive', owner: model.owner, 'controller-uuid': this.estate.controllerUuid, type: model.type})
      for (const block of model.blocks ?? []) {
        add('block', block.type, {'model-uuid': uuid, id: `${uuid}:${block.type}`, type: block.type, message: block.message, tag: `model-${uuid}`})
      }
      if (model.statusError) continue
      const status = this.statusOf(model)
      for (const [name, app] of Object.entries(status.applications ?? {})) {
        add('application', name, {
          'model-uuid': uuid,
          name,
          exposed: app.exposed,
          'charm-url': app.charm,
          life: app.life || 'alive',
          subordinate: (app['subordinate-to'] ?? []).length > 0,
          'workload-version': app['workload-version'] ?? '',
          status: {current: app.status?.status ?? '', message: app.status?.info ?? '', since: app.status?.since ?? '', version: ''},
        })
      }
      for (const relation of status.relations ?? []) {
        add('relation', relation.key, {
          'model-uuid': uuid,
          key: relation.key,
          id: relation.id,
          endpoints: relation.endpoints.map((endpoint) => ({
            'application-name': endpoint.application,
            relation: {name: endpoint.name, role: endpoint.role, interface: relation.interface, optional: false, limit: 0, scope: relation.scope},
          })),
        })
      }
      for (const [name, remote] of Object.entries(status['remote-applications'] ?? {})) {
        add('remoteApplication', name, {'model-uuid': uuid, name, 'offer-url': remote['offer-url'], life: remote.life || 'alive', status: {current: remote.status?.status ?? ''}})
      }
    }
    return out
  }
}
