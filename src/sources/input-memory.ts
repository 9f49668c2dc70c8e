/**
 * Frees the memory of input text once it has been parsed. Node keeps a large ASCII string (the
 * text of a `kubectl get pods -A -o json`) outside the JS heap, and frees it only when a full
 * garbage collection finds the string dead; a run that mostly builds small objects seldom makes
 * one. At the bench estate, 120 MB of texts parsed minutes before stayed to the end of the audit
 * and made its peak. After reading more than `THRESHOLD_BYTES`, one full collection frees them
 * (about a tenth of a second at that size); smaller runs skip it.
 */
import {setFlagsFromString} from 'node:v8'
import {runInNewContext} from 'node:vm'

const THRESHOLD_BYTES = 64 * 1024 * 1024

let bytesSinceCollection = 0
let collect: (() => void) | undefined

/** Counts text read from input files. */
export function noteInputRead(bytes: number): void {
  bytesSinceCollection += bytes
}

/** One full garbage collection if enough input was read since the last. */
export function releaseParsedInput(): void {
  if (bytesSinceCollection < THRESHOLD_BYTES) return
  bytesSinceCollection = 0
  collectGarbageNow()
}

/**
 * One full garbage collection now. `reconcile --watch` makes one after each pass, in the idle time
 * before the next: the pass's garbage (its inventory, plan and output) goes then, instead of in a
 * collection that lands inside the next pass, which marks the watch stores' whole cluster too.
 */
export function collectGarbageNow(): void {
  collect ??= exposeGc()
  collect()
}

/**
 * The collector as `--expose-gc` would give it, without asking users for the flag: set at run
 * time, it applies to contexts created after (the way Jest reaches it).
 */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}
