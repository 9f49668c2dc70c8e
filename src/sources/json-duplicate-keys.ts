/**
 * Finds the first key repeated inside one JSON object. JSON.parse keeps the last value of a
 * repeated key, Go's encoding/json (Juju) the last too, other readers the first: a second `trust`
 * in a file can mean different things to different tools, so such a file is refused. One pass over
 * the characters, holding only the keys of the objects open at that point.
 */
import {BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, COMMA, OPEN_BRACE, OPEN_BRACKET, QUOTE, stringEnd} from './json-scan.js'

/** Where a repeated key starts and what it is; undefined when every object's keys are distinct. */
export function findDuplicateJsonKey(text: string): {key: string; offset: number} | undefined {
  // One entry per open container: the keys seen so far for an object, null for an array.
  const open: (Set<string> | null)[] = []
  let expectKey = false
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code === QUOTE) {
      const start = i
      for (i++; i < text.length; i++) {
        const c = text.charCodeAt(i)
        if (c === BACKSLASH) i++
        else if (c === QUOTE) break
      }
      const keys = open[open.length - 1]
      if (expectKey && keys) {
        const raw = text.slice(start + 1, i)
        const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw
        if (keys.has(key)) return {key, offset: start}
        keys.add(key)
        expectKey = false
      }
    } else if (code === OPEN_BRACE) {
      open.push(new Set())
      expectKey = true
    } else if (code === OPEN_BRACKET) {
      open.push(null)
      expectKey = false
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      open.pop()
      expectKey = false
    } else if (code === COMMA) {
      expectKey = open[open.length - 1] != null
    }
  }
  return undefined
}

/**
 * Whether the text repeats a key somewhere: JSON.parse keeps one value per key, so the text then
 * holds more keys (a `:` outside strings is always a key's) than the parsed data. Two tight counts
 * instead of a set per object; the scanner above runs only to say where.
 */
export function hasDuplicateJsonKeys(text: string, data: unknown): boolean {
  const inText = keyColons(text)
  let parsed = 0
  const pending: unknown[] = [data]
  while (pending.length > 0) {
    const value = pending.pop()
    if (value === null || typeof value !== 'object') continue
    if (Array.isArray(value)) {
      for (const item of value) if (item !== null && typeof item === 'object') pending.push(item)
    } else {
      for (const key in value) {
        parsed++
        const item = (value as Record<string, unknown>)[key]
        if (item !== null && typeof item === 'object') pending.push(item)
      }
    }
  }
  return inText !== parsed
}

/**
 * Colons outside strings. Driven by indexOf (strings are most of a JSON text and V8 searches
 * them natively); both positions only move forward, so the count is linear in the text.
 */
export function keyColons(text: string): number {
  let count = 0
  let quote = text.indexOf('"')
  let colon = text.indexOf(':')
  while (colon !== -1) {
    if (quote === -1 || colon < quote) {
      count++
      colon = text.indexOf(':', colon + 1)
      continue
    }
    const after = stringEnd(text, quote) + 1
    quote = text.indexOf('"', after)
    if (colon < after) colon = text.indexOf(':', after)
  }
  return count
}
