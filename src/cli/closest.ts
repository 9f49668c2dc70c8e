/** The names a person most likely meant when what they typed names nothing. */

/**
 * Up to `limit` of `names` closest to `typed` (compared in upper case): within a third of its
 * length in edits (at least 2), or containing it, nearest first.
 */
export function closestNames(typed: string, names: readonly string[], limit = 3): string[] {
  const wanted = typed.trim().toUpperCase()
  if (wanted === '') return []
  const maxEdits = Math.max(2, Math.floor(wanted.length / 3))
  return [...new Set(names)]
    .map((name) => {
      const upper = name.toUpperCase()
      return {name, score: upper.includes(wanted) ? 0 : editDistance(wanted, upper)}
    })
    .filter((entry) => entry.score <= maxEdits)
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name))
    .slice(0, limit)
    .map((entry) => entry.name)
}

/** Levenshtein distance: insertions, deletions and substitutions each cost one. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({length: b.length + 1}, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1))
      diagonal = above
    }
  }
  return row[b.length]!
}
