/**
 * `reconcile --watch`: each Juju model's last collection, used again by a pass while the
 * controller's AllModelWatcher has seen no delta of any kind for the model since (a unit's status
 * included), so a pass started by a Kubernetes change asks the controllers for no model at all.
 * Passes on schedule (the first, and each --interval) collect every model afresh and keep what
 * they get: anything the watcher does not report is still seen at the interval, as before there
 * was a watch.
 */
import type {CollectedModel, ModelReuse} from '../sources/juju-api/collect.js'
import {deepFreeze} from '../sources/freeze.js'
import type {LiveCollection} from '../sources/live.js'
import type {PassContext} from './watch.js'

interface Kept {
  version: string
  collected: CollectedModel
}

export class UnchangedModels {
  private kept = new Map<string, Kept>()

  /**
   * The reuse for one pass's collection. `reuseKept` false: every model is collected (and kept).
   * Call `commit` once the collection succeeded: only then does it replace what is kept, and
   * models no longer listed are let go.
   */
  forPass(versionOf: (controller: string, modelUuid: string) => string | undefined, reuseKept: boolean): ModelReuse & {commit(): void; reused(): number} {
    const next = new Map<string, Kept>()
    const key = (controller: string, modelUuid: string) => `${controller}\u0000${modelUuid}`
    let reused = 0
    return {
      version: versionOf,
      get: (controller, modelUuid, version) => {
        const kept = reuseKept ? this.kept.get(key(controller, modelUuid)) : undefined
        if (kept?.version !== version) return undefined
        next.set(key(controller, modelUuid), kept)
        reused++
        return kept.collected
      },
      reused: () => reused,
      put: (controller, modelUuid, version, collected) => {
        // The next pass reads the same objects: none of its steps may change them.
        for (const document of collected.documents) deepFreeze(document.data)
        next.set(key(controller, modelUuid), {version, collected})
      },
      commit: () => {
        this.kept = next
      },
    }
  }

  /**
   * A pass's Juju collection: `collect` is given the reuse (a pass changes brought asks only for
   * the models the watch saw change); what it collected is kept once it succeeded, and how many
   * models were not read again is said on `log`.
   */
  async collectForPass(pass: number, context: PassContext, collect: (reuse: ModelReuse) => Promise<LiveCollection>, log: (line: string) => void): Promise<LiveCollection> {
    const reuse = this.forPass(context.jujuModelVersion, !context.scheduled)
    const collected = await collect(reuse)
    reuse.commit()
    const reused = reuse.reused()
    if (reused > 0) log(`hardenctl: pass ${pass}: ${reused} Juju model${reused === 1 ? '' : 's'} not read again (the model watch saw no change in ${reused === 1 ? 'it' : 'them'} since the last pass)`)
    return collected
  }

  /**
   * After a pass: not every Juju write shows in the model watch (an offer's users do not), so after
   * a pass that wrote to Juju, or may have (it failed: `jujuWritten` undefined), the next pass
   * reads every model.
   */
  afterPass(jujuWritten: boolean | undefined): void {
    if (jujuWritten !== false) this.forget()
  }

  /** After hardenctl's own Juju writes: some change a model without a delta (an offer's users). */
  forget(): void {
    this.kept.clear()
  }
}
