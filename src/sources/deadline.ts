/**
 * The whole live collection's time budget (`--timeout`, `HARDENCTL_TIMEOUT`): every request,
 * handshake, retry and `Retry-After` wait of both sides fits in it, so a server that never answers,
 * answers slowly or asks to be called back in an hour cannot hold a run (or a CronJob) for longer.
 */
export const DEFAULT_DEADLINE_MS = 10 * 60_000

export class Deadline {
  private readonly endsAt: number
  private controller: AbortController | undefined
  private timer: NodeJS.Timeout | undefined

  constructor(readonly ms: number, now = Date.now()) {
    this.endsAt = now + ms
  }

  /**
   * Aborts when the deadline passes. Its timer starts on first use and keeps the process alive
   * until dispose(): a side left waiting on nothing (a promise no socket will settle) still ends
   * at the deadline instead of the process exiting under it.
   */
  get signal(): AbortSignal {
    if (!this.controller) {
      const controller = (this.controller = new AbortController())
      this.timer = setTimeout(() => controller.abort(), this.remainingMs())
    }
    return this.controller.signal
  }

  /**
   * 0 once its own timer has fired, even if the wall clock says a millisecond is left: Node's
   * timers run on a monotonic clock and may fire just before Date.now() reaches the end, and an
   * attempt cut by the deadline must not then read as one cut by something else.
   */
  remainingMs(now = Date.now()): number {
    if (this.controller?.signal.aborted) return 0
    return Math.max(0, this.endsAt - now)
  }

  passed(now = Date.now()): boolean {
    return this.remainingMs(now) === 0
  }

  /** `the --timeout deadline (10m)`, for messages. */
  describe(): string {
    return `the --timeout deadline (${formatDeadline(this.ms)})`
  }

  /** A wait of at most `ms`, shortened to what is left. */
  bound(ms: number): number {
    return Math.min(ms, this.remainingMs())
  }

  /** Stops the signal's timer once the collection is over. */
  dispose(): void {
    clearTimeout(this.timer)
  }
}

/** A deadline that never passes (library callers that set none; tests of other behaviour). */
export function noDeadline(): Deadline {
  return new Deadline(2 ** 31 - 1)
}

/** `10m`, `1m30s`, `45s`, `250ms`: as --timeout takes it. */
export function formatDeadline(ms: number): string {
  if (ms % 1000 !== 0) return `${ms}ms`
  const seconds = ms / 1000
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`
}
