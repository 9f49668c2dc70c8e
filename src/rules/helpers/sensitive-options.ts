/**
 * Options of a charm (declared in its config) or of an application (set in a bundle or `juju
 * config`) whose names say they hold a credential or TLS material. Values never leave this module:
 * evidence names options only.
 */
import {holdsMaterial, isPlainTextType} from '../../inventory/charm-options.js'
import type {SourceRef} from '../../sources/document.js'
import type {CharmSubject} from './charm-subjects.js'

export interface SensitiveOptions {
  /** Options set to a non-placeholder plain value. */
  set: string[]
  /** String options the charm declares but that are not (known to be) set. */
  declared: string[]
  ref?: SourceRef
}

export function sensitiveOptions(subject: CharmSubject, nameMatches: (name: string) => boolean): SensitiveOptions {
  const declaredOptions = subject.metadata?.options ?? {}
  const set: string[] = []
  let ref: SourceRef | undefined
  for (const [name, value] of Object.entries(subject.app?.options ?? {})) {
    if (!nameMatches(name)) continue
    if (!isPlainTextType(declaredOptions[name]?.type)) continue
    if (!holdsMaterial(value)) continue
    set.push(name)
    ref ??= subject.app?.optionRefs[name]
  }
  const declared: string[] = []
  for (const [name, option] of Object.entries(declaredOptions)) {
    if (option.type !== 'string' || !nameMatches(name) || set.includes(name)) continue
    declared.push(name)
    ref ??= option.ref
  }
  const out: SensitiveOptions = {set: set.sort(), declared: declared.sort()}
  if (ref) out.ref = ref
  return out
}
