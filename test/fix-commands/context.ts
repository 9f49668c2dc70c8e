import type {Estate} from './estate.js'
import {placeholderVerdict, type Slot} from './placeholders.js'

/** One command being checked, with what earlier commands of the same remediation created. */
export interface CommandContext {
  estate: Estate
  /** Applications deployed or consumed by earlier commands. */
  created: Set<string>
  /** Secrets added by earlier commands. */
  secrets: Set<string>
  report(check: string, problem: string): void
}

/**
 * Placeholder handling shared by every argument: `true` when `value` is a documented placeholder
 * for `slot` (nothing more to check), `false` when it is a placeholder used wrongly (reported),
 * `undefined` when it is a real value to check.
 */
export function placeholder(ctx: CommandContext, value: string, slot: Slot): boolean | undefined {
  const verdict = placeholderVerdict(value, slot)
  if (verdict === undefined) return undefined
  if (!verdict.ok) ctx.report('placeholder', verdict.problem)
  return verdict.ok
}

/** Checks `value` against a name pattern unless it is a placeholder; true when it is a real, valid name. */
export function validName(ctx: CommandContext, value: string, slot: Slot, pattern: RegExp | ((v: string) => boolean), check: string, why: string): boolean {
  const p = placeholder(ctx, value, slot)
  if (p !== undefined) return false
  const ok = typeof pattern === 'function' ? pattern(value) : pattern.test(value)
  if (!ok) ctx.report(check, `"${value}" is not a valid ${slot} name: ${why}`)
  return ok
}
