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

/** Each bracket picomatch reports missing, with the one it pairs with. */
const PAIRS: Record<string, string> = {']': '[', '[': ']', '}': '{', '{': '}', ')': '(', '(': ')'}

/**
 * Why a policy glob would not match as written, or undefined when it is fine: unbalanced
 * brackets, braces or parentheses (picomatch would otherwise read `[` as a literal or match
 * nothing), or a pattern that compiles to no regular expression at all (`[z-a]`, a trailing `\`).
 */
export function globProblem(glob: string): string | undefined {
  if (glob === '') return 'an empty pattern matches nothing'
  let source: string
  try {
    source = picomatch.makeRe(glob, {dot: true, bash: true, strictBrackets: true}).source
  } catch (error) {
    // picomatch: 'Missing closing: "]" - use "\\]" to match literal characters'.
    const missing = /^Missing (opening|closing): "(.)"/.exec((error as Error).message)
    if (!missing) return `not a valid glob: ${(error as Error).message}`
    const [, side, bracket] = missing
    // The bracket that is there: the one that pairs with the missing one.
    const present = PAIRS[bracket!]!
    const what = side === 'closing' ? `opens ${present} without a closing ${bracket}` : `closes ${present} without an opening ${bracket}`
    return `not a valid glob: ${JSON.stringify(glob)} ${what} (write \\${present} for a literal ${present})`
  }
  // picomatch falls back to a regex that matches nothing when its own output does not compile.
  if (source === '$^') return 'not a valid glob: it can match nothing (an inverted range such as [z-a], or a trailing \\)'
  return undefined
}
