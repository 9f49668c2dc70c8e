/** Shell-style globs (`*` any run of characters, `?` one character) as the policy file uses them. */

const cache = new Map<string, RegExp>()

export function globToRegExp(glob: string): RegExp {
  let re = cache.get(glob)
  if (!re) {
    const body = glob
      .split('')
      .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\/]/g, '\\$&')))
      .join('')
    re = new RegExp(`^${body}$`)
    cache.set(glob, re)
  }
  return re
}

export function globMatches(glob: string, value: string): boolean {
  return globToRegExp(glob).test(value)
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
