import {describe, expect, it} from 'vitest'

import {findDuplicateJsonKey, hasDuplicateJsonKeys, keyColons} from '../../src/sources/json-duplicate-keys.js'

/** The plain character scan the fast count must agree with. */
function referenceColons(text: string): number {
  let count = 0
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++
    } else if (text[i] === ':') count++
  }
  return count
}

describe('JSON duplicate keys', () => {
  const texts = [
    '{}',
    '{"a": 1, "b": "x:y", "c": {"d": "\\"quoted: colon\\""}}',
    '{"url": "https://u:p@host:443/x", "t": "12:30:00"}',
    '{"path": "C:\\\\dir\\\\", "next": 1}',
    '{"k\\\\": "v:\\\\\\"", "z": [1, {"y": ":"}]}',
    '[{"a": 1}, {"a": 2}]',
    '{"a": 1, "a": 2}',
    '{"a": {"b": 1, "c": {"b": 2}}, "d": "::::"}',
  ]

  it('counts the colons outside strings exactly as a character scan does', () => {
    for (const text of texts) expect(keyColons(text), text).toBe(referenceColons(text))
  })

  it('finds a repeated key, and only then', () => {
    for (const text of texts) {
      const data: unknown = JSON.parse(text)
      expect(hasDuplicateJsonKeys(text, data), text).toBe(findDuplicateJsonKey(text) !== undefined)
    }
    expect(findDuplicateJsonKey('{"a": 1, "a": 2}')).toEqual({key: 'a', offset: 9})
  })
})
