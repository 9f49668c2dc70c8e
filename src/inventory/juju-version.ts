import type {Model} from './types.js'

/** The Juju version a model's agents run, as its inputs report it (`3.4.2` → [3, 4]). */
export function modelJujuVersion(model: Model): readonly [number, number] | undefined {
  const match = /^(\d+)\.(\d+)/.exec(model.version ?? '')
  return match ? [Number(match[1]), Number(match[2])] : undefined
}

/** Whether the model's inputs say it runs Juju 4 or later (no owners, no AllWatcher, no in-place base change). */
export function isJuju4(model: Model): boolean {
  return (modelJujuVersion(model)?.[0] ?? 0) >= 4
}
