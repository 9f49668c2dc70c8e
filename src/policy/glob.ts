/**
 * Globs as the policy file uses them (`prod-*`, `livepatch/*`, `*`), matched with picomatch in
 * bash mode: `*` is any run of characters, `/` included, so a lone `*` means "everything" for
 * model keys, waiver targets and allowlists alike. One implementation for all of them.
 */
import picomatch from 'picomatch'

const matchers = new Map<string, (value: string) => boolean>()

export function globMatches(glob: string, value: string): boolean {
  let matcher = matchers.get(glob)
  if (!matcher) {
    matcher = picomatch(glob, {dot: true, bash: true})
    matchers.set(glob, matcher)
  }
  return matcher(value)
}

/** True when any glob matches any of the candidate spellings of a thing. */
export function anyGlobMatches(globs: Iterable<string>, candidates: readonly string[]): boolean {
  for (const glob of globs) {
    if (candidates.some((candidate) => globMatches(glob, candidate))) return true
  }
  return false
}

/** The globs (keys of a policy map) that match any candidate, most specific (longest) first. */
export function matchingKeys<T>(map: Record<string, T>, candidates: readonly string[]): string[] {
  return Object.keys(map)
    .filter((glob) => candidates.some((candidate) => globMatches(glob, candidate)))
    .sort((a, b) => b.length - a.length)
}
