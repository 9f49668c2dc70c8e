import {describe, expect, it} from 'vitest'

import {InputError} from '../../src/errors.js'
import {durationSchema, endpointListSchema, isEndpoint, readVariable} from '../../src/sources/environment.js'

describe('isEndpoint: what a Juju api-endpoint may be', () => {
  it.each([
    ['10.0.0.5:17070', true],
    ['[fd00::5]:17070', true],
    ['juju-controller.internal:443', true],
    ['127.0.0.1:99999', false],
    ['127.0.0.1:0', false],
    ['10.0.0.5', false],
    ['fd00::5:17070', false],
    ['wss://10.0.0.5:17070', false],
    ['10.0.0.5:17070/api', false],
    ['host name:17070', false],
    [':17070', false],
  ])('%s → %s', (endpoint, expected) => {
    expect(isEndpoint(endpoint)).toBe(expected)
  })
})

describe('readVariable', () => {
  it('parses comma-separated endpoints, trimming spaces', () => {
    expect(readVariable(endpointListSchema, 'HARDENCTL_JUJU_ENDPOINTS', ' 10.0.0.5:17070 , [fd00::5]:17070 ')).toEqual(['10.0.0.5:17070', '[fd00::5]:17070'])
  })

  it.each([
    ['90s', 90_000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['1m500ms', 60_500],
    ['45', 45_000],
  ])('duration %s is %d ms', (text, ms) => {
    expect(readVariable(durationSchema, 'HARDENCTL_TIMEOUT', text)).toBe(ms)
  })

  it('names the variable, and echoes the value only when it is not secret', () => {
    expect(() => readVariable(durationSchema, 'HARDENCTL_TIMEOUT', '0s')).toThrow(new InputError(undefined, 'HARDENCTL_TIMEOUT=0s: expected a duration such as 90s, 10m, 1h30m or 500ms, or plain seconds (at most 24 days)'))
    expect(() => readVariable(durationSchema, 'HARDENCTL_SECRETISH', 'hunter2', {secret: true})).toThrow(/^HARDENCTL_SECRETISH: expected a duration/)
  })
})
