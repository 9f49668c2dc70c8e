import {describe, expect, it} from 'vitest'

import {escapeHtml, jsonForScript} from '../../src/report/html/escape.js'

const NASTY = `</script><!-- <script>alert("x")</script> & 'quote' \u2028 <img onerror=x>`

describe('escaping input text for the page', () => {
  it('escapeHtml leaves no markup character', () => {
    const escaped = escapeHtml(NASTY)
    expect(escaped).not.toMatch(/[<>"']/)
    expect(escaped).toContain('&lt;/script&gt;')
    expect(escaped).toContain('&amp;')
  })

  it('jsonForScript cannot end the script element or open a comment, and parses back to the same value', () => {
    const value = {name: NASTY, nested: [NASTY]}
    const json = jsonForScript(value)
    expect(json).not.toMatch(/[<>&\u2028\u2029]/)
    expect(JSON.parse(json)).toEqual(value)
  })
})
