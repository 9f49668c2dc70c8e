import {describe, expect, it} from 'vitest'

import {sameData} from '../../src/plan/same-data.js'

describe('sameData: what the plan compares a desired policy with the cluster by', () => {
  it('ignores key order and keys whose value is undefined', () => {
    expect(sameData({podSelector: {matchLabels: {app: 'a'}}, policyTypes: ['Ingress']}, {policyTypes: ['Ingress'], podSelector: {matchLabels: {app: 'a'}}})).toBe(true)
    expect(sameData({ingress: [{ports: [{port: 80, protocol: 'TCP', endPort: undefined}]}]}, {ingress: [{ports: [{protocol: 'TCP', port: 80}]}]})).toBe(true)
    expect(sameData({a: 1}, {a: 1, b: undefined})).toBe(true)
  })

  it('tells every real difference', () => {
    expect(sameData({ports: [{port: 80}, {port: 443}]}, {ports: [{port: 443}, {port: 80}]})).toBe(false)
    expect(sameData({a: 1}, {a: 1, b: null})).toBe(false)
    expect(sameData({a: {}}, {a: []})).toBe(false)
    expect(sameData({a: [1]}, {a: [1, 1]})).toBe(false)
    expect(sameData({a: '1'}, {a: 1})).toBe(false)
    expect(sameData({a: 1, b: 2}, {a: 1, c: 2})).toBe(false)
    expect(sameData({selector: {matchLabels: {app: 'a'}}}, {selector: {matchLabels: {app: 'b'}}})).toBe(false)
  })
})
