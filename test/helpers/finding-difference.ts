/** A reported finding as the real-world corpus tests compare it. */
export interface ReportedFinding {
  rule: string
  target: string
  severity: string
  file: string
  line: number | undefined
}

/**
 * The difference between expected and reported findings, for the real-world corpus tests: each
 * expectation takes one reported finding, the most precise expectations first (so a looser one
 * cannot take a finding a precise one needs); what is left on either side is listed. Empty when
 * they agree.
 */
export function findingDifference<E, A>(
  expected: readonly E[],
  actual: readonly A[],
  how: {looseness: (f: E) => number; matches: (want: E, got: A) => boolean; describeExpected: (f: E) => string; describeActual: (f: A) => string},
): string {
  const unmatched = [...actual]
  const missing: E[] = []
  for (const want of [...expected].sort((a, b) => how.looseness(a) - how.looseness(b))) {
    const index = unmatched.findIndex((got) => how.matches(want, got))
    if (index < 0) missing.push(want)
    else unmatched.splice(index, 1)
  }
  const lines: string[] = []
  if (missing.length > 0) lines.push('missing (expected, not reported):', ...missing.map((f) => `  - ${how.describeExpected(f)}`))
  if (unmatched.length > 0) lines.push('extra (reported, not expected):', ...unmatched.map((f) => `  + ${how.describeActual(f)}`))
  return lines.join('\n')
}
