import {describe, expect, it} from 'vitest'

import {pairRelations, type RelationHalf} from '../../../src/sources/juju/status-relations.js'

const ref = {file: 'status.json', document: 0, path: []}
const half = (application: string, endpoint: string, related: string, iface?: string): RelationHalf => ({application, endpoint, related, interface: iface, ref})
const pairs = (halves: RelationHalf[]): string[] =>
  pairRelations(halves, new Map()).map((r) => r.endpoints.map((e) => `${e.application}:${e.endpoint ?? '?'}`).join(' '))

describe('pairRelations', () => {
  it('pairs same-named endpoints first, then the rest in sorted order', () => {
    const halves = [
      half('a', 'zeta', 'b'),
      half('a', 'shared', 'b'),
      half('a', 'alpha', 'b'),
      half('b', 'omega', 'a'),
      half('b', 'beta', 'a'),
      half('b', 'shared', 'a'),
    ]
    const expected = ['a:alpha b:beta', 'a:shared b:shared', 'a:zeta b:omega']
    expect(pairs(halves)).toEqual(expected)
    expect(pairs([...halves].reverse())).toEqual(expected)
  })

  it('uses interfaces to tell endpoints apart when every half has one', () => {
    const halves = [
      half('a', 'alpha', 'b', 'x'),
      half('a', 'zeta', 'b', 'y'),
      half('b', 'beta', 'a', 'y'),
      half('b', 'omega', 'a', 'x'),
    ]
    expect(pairs(halves)).toEqual(['a:alpha b:omega', 'a:zeta b:beta'])
  })

  it('reads a self-reference as one peer endpoint, once', () => {
    const relations = pairRelations([half('a', 'peers', 'a'), half('a', 'peers', 'a')], new Map())
    expect(relations).toEqual([{endpoints: [{application: 'a', endpoint: 'peers', role: 'peer'}], interface: undefined, scope: undefined, ref}])
  })

  it('keeps a relation whose other side is missing, with the other endpoint unknown', () => {
    expect(pairs([half('a', 'db', 'gone')])).toEqual(['a:db gone:?'])
  })

  it('reuses the only endpoint of the other side for extra halves', () => {
    expect(pairs([half('a', 'one', 'b'), half('a', 'two', 'b'), half('b', 'only', 'a')])).toEqual(['a:one b:only', 'a:two b:only'])
  })
})
