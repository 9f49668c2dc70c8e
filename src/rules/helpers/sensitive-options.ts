/**
 * Options of a charm (declared in its config) or of an application (set in a bundle or `juju
 * config`) that hold a credential or TLS material. Values never leave this module: evidence names
 * options only.
 */
import {holdsMaterial, isPathValue, isPlaceholder, isPlainTextType} from '../../inventory/charm-options.js'
import type {CharmOption} from '../../inventory/charm.js'
import type {SourceRef} from '../../sources/document.js'
import type {CharmSubject} from './charm-subjects.js'

export interface SensitiveOptions {
  /** Options set to a real plain value. */
  set: string[]
  /** Options set to a placeholder (`changeme`, `FCE_TEMPLATE`, `<password>`): no secret yet. */
  placeholders: string[]
  /** Of `set`, those judged by their value (`user:pass`, a URL with a password), not their name. */
  byValue: string[]
  /** String options the charm declares but that are not (known to be) set. */
  declared: string[]
  ref?: SourceRef
}

export interface SensitiveJudges {
  /** Whether an option holds such material, by its name and the charm's description of it. */
  byName(name: string, description: string | undefined): boolean
  /** Whether a value set on any option is such material, whatever its name. */
  byValue?(name: string, value: unknown, description: string | undefined): boolean
  /** Paths (`/etc/ssl/private/key.pem`) point at material and are not it. */
  pathsAreNotMaterial?: boolean
}

export function sensitiveOptions(subject: CharmSubject, judges: SensitiveJudges): SensitiveOptions {
  const declaredOptions: Record<string, CharmOption> = subject.metadata?.options ?? {}
  const out: SensitiveOptions = {set: [], placeholders: [], byValue: [], declared: []}
  for (const [name, setValue] of Object.entries(subject.app?.options ?? {})) {
    const declared = declaredOptions[name]
    // `root-password: 987654321987` unquoted in a bundle is a number to YAML and a password to the charm.
    const value = typeof setValue === 'number' || typeof setValue === 'bigint' ? String(setValue) : setValue
    if (!isPlainTextType(declared?.type) || !holdsMaterial(value)) continue
    const byName = judges.byName(name, declared?.description)
    const byValue = !byName && (judges.byValue?.(name, value, declared?.description) ?? false)
    if (!byName && !byValue) continue
    if (isPlaceholder(value)) out.placeholders.push(name)
    else if (judges.pathsAreNotMaterial && isPathValue(value)) continue
    else {
      out.set.push(name)
      if (byValue) out.byValue.push(name)
    }
    out.ref ??= subject.app?.optionRefs[name]
  }
  const seen = new Set([...out.set, ...out.placeholders])
  for (const [name, option] of Object.entries(declaredOptions)) {
    if (option.type !== 'string' || seen.has(name) || !judges.byName(name, option.description)) continue
    out.declared.push(name)
    out.ref ??= option.ref
  }
  out.set.sort()
  out.placeholders.sort()
  out.byValue.sort()
  out.declared.sort()
  return out
}
