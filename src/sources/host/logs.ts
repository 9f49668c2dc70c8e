/**
 * Login failures in regiond.log and auth.log, read newest first and only as far back as the
 * lookback (measured from the newest line), bucketed by minute. A 5 GB log costs one read chunk
 * plus one bucket per minute of failures.
 */
import type {FailureBucket, LogScan} from '../../inventory/host.js'
import {linesNewestFirst} from './reverse-lines.js'
import type {HostRoot} from './root.js'

const MINUTE = 60_000

export interface LineParse {
  /** ms since the epoch; undefined when the line carries no timestamp (a traceback line). */
  time?: number
  /** The failure's source address, when the line is a failure. */
  failureFrom?: string
  /** How many failures the line stands for (`message repeated 5 times: [ Failed password …]`); 1 when absent. */
  failures?: number
}

export type LineParser = (line: string, context: {year: number}) => LineParse

/**
 * regiond.log, as the MAAS 2.x hardening guide quotes it (one line per request):
 * `2020-03-31 21:18:08 regiond: [info] 10.132.172.1 POST /MAAS/accounts/login/ HTTP/1.1 --> 400 BAD_REQUEST (referrer: ...)`.
 * 400 is bad credentials, 204 empty ones.
 */
const REGIOND_TIME = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)/
const REGIOND_LOGIN_FAILURE = /\s(\S+)\s+POST\s+\/MAAS\/accounts\/login\/?\S*\s+HTTP\/[\d.]+\s+-->\s+(?:400|204)\b/

export const parseRegiondLine: LineParser = (line) => {
  const t = REGIOND_TIME.exec(line)
  if (!t) return {}
  const time = Date.UTC(Number(t[1]), Number(t[2]) - 1, Number(t[3]), Number(t[4]), Number(t[5]), Number(t[6]))
  const failure = REGIOND_LOGIN_FAILURE.exec(line)
  return failure ? {time, failureFrom: failure[1]} : {time}
}

/**
 * auth.log: syslog (`Jun 06 13:45:19 host sshd[2487]: Failed password for root from 234.19.184.6 port 42258 ssh2`,
 * as the guide quotes it) or RFC 3339 stamps (`2024-06-06T13:45:19.123456+00:00 host sshd[..]: ...`,
 * Ubuntu 24.04).
 *
 * What counts is each failed attempt, once: every `Failed password` line, `message repeated N
 * times: [ Failed password …]` (rsyslog folding N more of them) as N, and an `Invalid user NAME
 * from ADDR` (with ` port N` since OpenSSH 7.5, without before) only when that connection tried no
 * password: one that did logs `Failed password for invalid user NAME` too, under the same sshd PID.
 */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const SYSLOG_TIME = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d) /
const ISO_TIME = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?) /
const FAILED_PASSWORD = /\bsshd\[(\d+)\]: (?:message repeated (\d+) times: \[ )?Failed password for (invalid user )?\S+ from (\S+) port \d+/
const INVALID_USER = /\bsshd\[(\d+)\]: Invalid user \S* ?from (\S+)(?: port \d+)?\s*$/

/**
 * A parser for one auth.log, read newest first (as scanLog reads): it remembers the connections
 * whose invalid user tried a password, so their earlier `Invalid user` line is not a second failure.
 */
export function authLogParser(): LineParser {
  const triedPassword = new Set<string>()
  return (line, {year}) => {
    let time: number | undefined
    const iso = ISO_TIME.exec(line)
    if (iso) time = Date.parse(iso[1]!)
    else {
      const s = SYSLOG_TIME.exec(line)
      const month = s ? MONTHS.indexOf(s[1]!) : -1
      if (s && month >= 0) time = Date.UTC(year, month, Number(s[2]), Number(s[3]), Number(s[4]), Number(s[5]))
    }
    if (time === undefined || Number.isNaN(time)) return {}
    const failed = FAILED_PASSWORD.exec(line)
    if (failed) {
      const [, pid, repeated, invalidUser, from] = failed
      if (invalidUser) triedPassword.add(`${pid} ${from}`)
      return {time, failureFrom: from, failures: repeated === undefined ? 1 : Number(repeated)}
    }
    const invalid = INVALID_USER.exec(line)
    if (invalid && !triedPassword.has(`${invalid[1]} ${invalid[2]}`)) return {time, failureFrom: invalid[2]}
    return {time}
  }
}

export interface ScanOptions {
  /** How far back from the newest line to read. */
  lookbackMs: number
  /** Lines without a timestamp are malformed (auth.log), not continuation lines (regiond tracebacks). */
  everyLineTimestamped: boolean
}

export async function scanLog(root: HostRoot, hostPath: string, parse: LineParser, options: ScanOptions): Promise<LogScan | undefined> {
  const file = await root.open(hostPath)
  if (!file) return undefined
  // Syslog stamps carry no year: the file's modification year, one less for dates after it.
  const modified = new Date(file.mtimeMs)
  const buckets = new Map<number, FailureBucket>()
  let newest: number | undefined
  let linesRead = 0
  let malformed = 0
  let readBackTo: number | undefined
  try {
    for await (const {text} of linesNewestFirst(file.handle, file.size)) {
      if (text.includes('\u0000')) {
        root.warn(hostPath, 'is a binary file, not a text log; skipped')
        return undefined
      }
      if (text.trim() === '') continue
      linesRead++
      let parsed = parse(text, {year: modified.getUTCFullYear()})
      if (parsed.time !== undefined && parsed.time > file.mtimeMs + 2 * 86_400_000 && !/^\d{4}-/.test(text)) {
        parsed = parse(text, {year: modified.getUTCFullYear() - 1})
      }
      if (parsed.time === undefined) {
        if (options.everyLineTimestamped) malformed++
        continue
      }
      newest ??= parsed.time
      if (parsed.time < newest - options.lookbackMs) {
        readBackTo = newest - options.lookbackMs
        break
      }
      if (parsed.failureFrom === undefined) continue
      const minute = Math.floor(parsed.time / MINUTE) * MINUTE
      let bucket = buckets.get(minute)
      if (!bucket) buckets.set(minute, (bucket = {minute, count: 0, sources: new Map()}))
      const failures = parsed.failures ?? 1
      bucket.count += failures
      bucket.sources.set(parsed.failureFrom, (bucket.sources.get(parsed.failureFrom) ?? 0) + failures)
    }
  } catch (error) {
    root.warn(hostPath, `cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`)
    return undefined
  } finally {
    await file.handle.close()
  }
  if (malformed > 0) root.warn(hostPath, `${malformed} line${malformed === 1 ? '' : 's'} without a timestamp skipped`)
  return {
    file: root.shown(hostPath),
    buckets: [...buckets.values()].sort((a, b) => b.minute - a.minute),
    linesRead,
    ...(newest === undefined ? {} : {newest}),
    ...(readBackTo === undefined ? {} : {readBackTo}),
  }
}
