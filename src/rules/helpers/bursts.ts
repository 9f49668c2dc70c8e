/** Bursts of failures in minute buckets: any `windowMinutes` holding `threshold` failures or more. */
import type {FailureBucket} from '../../inventory/host.js'

const MINUTE = 60_000

export interface Burst {
  /** First and last minute of the burst (ms since the epoch). */
  start: number
  end: number
  count: number
  /** Source address → failures, most first. */
  sources: [string, number][]
}

export function findBursts(buckets: readonly FailureBucket[], threshold: number, windowMinutes: number): Burst[] {
  const ascending = [...buckets].sort((a, b) => a.minute - b.minute)
  const ranges: [number, number][] = []
  let from = 0
  let inWindow = 0
  for (let to = 0; to < ascending.length; to++) {
    inWindow += ascending[to]!.count
    while (ascending[to]!.minute - ascending[from]!.minute >= windowMinutes * MINUTE) inWindow -= ascending[from++]!.count
    if (inWindow < threshold) continue
    const last = ranges[ranges.length - 1]
    if (last && from <= last[1] + 1) last[1] = to
    else ranges.push([from, to])
  }
  return ranges.map(([first, last]) => {
    const sources = new Map<string, number>()
    let count = 0
    for (const bucket of ascending.slice(first, last + 1)) {
      count += bucket.count
      for (const [address, n] of bucket.sources) sources.set(address, (sources.get(address) ?? 0) + n)
    }
    return {start: ascending[first]!.minute, end: ascending[last]!.minute, count, sources: [...sources].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))}
  })
}

/** `2020-03-31 21:18` (log time as written: the logs carry no zone). */
export function minuteText(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ')
}

export function describeBurst(burst: Burst): string {
  const sources = burst.sources.slice(0, 5).map(([address, n]) => `${address} (${n})`).join(', ')
  const more = burst.sources.length > 5 ? ` and ${burst.sources.length - 5} more` : ''
  const start = minuteText(burst.start)
  const end = minuteText(burst.end + MINUTE - 1)
  // The same day: `2020-03-31 21:18-21:22`.
  const span = burst.end === burst.start ? start : end.slice(0, 10) === start.slice(0, 10) ? `${start}-${end.slice(11)}` : `${start} to ${end}`
  return `${burst.count} in ${span} from ${sources}${more}`
}
