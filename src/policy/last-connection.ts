/**
 * Juju prints a user's last connection as "never connected", "just now", "N minutes/hours/days
 * ago", a date ("2023-04-26") or, from the API, an RFC 3339 time. Anything else is unparseable
 * and the caller leaves that user not evaluated.
 */

export type LastConnection = {never: true} | {never: false; at: Date}

const UNIT_MS: Record<string, number> = {
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
  month: 30 * 86_400_000,
  year: 365 * 86_400_000,
}

export function parseLastConnection(text: string, now: Date): LastConnection | undefined {
  const t = text.trim().toLowerCase()
  if (t === '' ) return undefined
  if (t === 'never connected' || t === 'never') return {never: true}
  if (t === 'just now' || t === 'now') return {never: false, at: now}
  if (t === 'yesterday') return {never: false, at: new Date(now.getTime() - UNIT_MS.day!)}
  const relative = /^(an?|\d+)\s+(second|minute|hour|day|week|month|year)s?\s+ago$/.exec(t)
  if (relative) {
    const n = relative[1] === 'a' || relative[1] === 'an' ? 1 : Number(relative[1])
    const unit = UNIT_MS[relative[2] ?? '']
    if (unit === undefined) return undefined
    return {never: false, at: new Date(now.getTime() - n * unit)}
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) {
    const at = new Date(`${t}T00:00:00Z`)
    return Number.isNaN(at.getTime()) ? undefined : {never: false, at}
  }
  if (/^\d{4}-\d{2}-\d{2}[t ]\d{2}:\d{2}/.test(t)) {
    const at = new Date(text.trim())
    return Number.isNaN(at.getTime()) ? undefined : {never: false, at}
  }
  return undefined
}

export function daysBetween(earlier: Date, later: Date): number {
  return Math.floor((later.getTime() - earlier.getTime()) / UNIT_MS.day!)
}
