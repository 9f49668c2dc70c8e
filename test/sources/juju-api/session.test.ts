import {describe, expect, it} from 'vitest'

import {withoutSecret} from '../../../src/sources/juju-api/session.js'

describe('withoutSecret', () => {
  it('never lets jujulib\'s "cannot send request" (which carries the login request) through', () => {
    const jujulib = 'cannot send request {"type":"Admin","request":"Login","params":{"auth-tag":"user-admin","credentials":"pa55word"}}: connection state 3 is not open'
    expect(withoutSecret(jujulib, 'pa55word')).toBe('the connection closed before the login was sent')
  })

  it('masks the password wherever else it appears', () => {
    expect(withoutSecret('odd error mentioning pa55word twice: pa55word', 'pa55word')).toBe('odd error mentioning <redacted> twice: <redacted>')
    expect(withoutSecret('invalid entity name or password', undefined)).toBe('invalid entity name or password')
  })
})
