import {readFileSync} from 'node:fs'
import {findNodeAtLocation, parseTree} from 'jsonc-parser'
import {describe, expect, it} from 'vitest'

import {JsonLocator} from '../../src/sources/json-locator.js'
import {LineIndex} from '../../src/sources/line-index.js'

/** What a full parse tree says: the key of a property, the start of an array item. */
function expected(text: string, path: (string | number)[]) {
  const node = findNodeAtLocation(parseTree(text)!, path)!
  const anchor = node.parent?.type === 'property' ? node.parent : node
  return new LineIndex(text).position(anchor.offset)
}

function everyPath(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(prefix)
  if (Array.isArray(value)) value.forEach((item, index) => everyPath(item, [...prefix, index], out))
  else if (value && typeof value === 'object') for (const [key, item] of Object.entries(value)) everyPath(item, [...prefix, key], out)
  return out
}

describe('JsonLocator', () => {
  it('agrees with a full parse tree on every path of real files', () => {
    for (const file of [
      'test/corpus/status/jhack__jhack__tests__utils__test_show_relation__mocks__cmrs__full_status_clite.json',
      'examples/livepatch-k8s/kubernetes/statefulsets.json',
    ]) {
      const text = readFileSync(file, 'utf8')
      const locator = new JsonLocator(text)
      for (const path of everyPath(JSON.parse(text))) expect(locator.locate(0, path), `${file} ${path.join('.')}`).toEqual(expected(text, path))
    }
  })

  it('agrees in any order of lookups (each container is read only as far as asked), and after release', () => {
    const file = 'examples/livepatch-k8s/kubernetes/statefulsets.json'
    const text = readFileSync(file, 'utf8')
    const paths = everyPath(JSON.parse(text))
    // Deepest and last first, so a lookup often resumes a container an earlier one left half read.
    const shuffled = [...paths].reverse().filter((_, index) => index % 2 === 0).concat(paths.filter((_, index) => index % 3 === 0))
    const locator = new JsonLocator(() => text)
    shuffled.forEach((path, index) => {
      if (index % 50 === 0) locator.release()
      expect(locator.locate(0, path), path.join('.')).toEqual(expected(text, path))
    })
  })

  it('handles escapes, nested brackets in strings, compact JSON and missing leaves', () => {
    const text = '{"a\\"b":"x]}\\\\","list":[1,{"k":"v"},[2,3]],"n":null,"t":true,"e":{}}'
    const locator = new JsonLocator(text)
    expect(locator.locate(0, ['list', 1, 'k'])).toEqual(expected(text, ['list', 1, 'k']))
    expect(locator.locate(0, ['list', 2, 1])).toEqual(expected(text, ['list', 2, 1]))
    expect(locator.locate(0, ['a"b'])).toEqual(expected(text, ['a"b']))
    expect(locator.locate(0, ['t'])).toEqual(expected(text, ['t']))
    // A path that goes further than the data points at the deepest part that exists.
    expect(locator.locate(0, ['e', 'missing'])).toEqual(expected(text, ['e']))
    expect(locator.locate(0, ['list', 9])).toEqual(expected(text, ['list']))
  })
})
