import {describe, expect, it} from 'vitest'

import {formatLocation, formatNeeds, pathToUriReference, qualifiedTargetName, wrapText} from '../../src/report/describe.js'

describe('qualifiedTargetName', () => {
  it.each([
    [{kind: 'application', controller: 'prod', model: 'livepatch', name: 'postgresql-k8s'}, 'prod:livepatch/postgresql-k8s'],
    [{kind: 'unit', controller: 'prod', model: 'livepatch', name: 'postgresql-k8s/0'}, 'prod:livepatch/postgresql-k8s/0'],
    [{kind: 'application', model: 'livepatch', name: 'postgresql-k8s'}, 'livepatch/postgresql-k8s'],
    [{kind: 'model', controller: 'prod', model: 'livepatch', name: 'livepatch'}, 'prod:livepatch'],
    [{kind: 'offer', controller: 'prod', model: 'db', name: 'postgresql'}, 'prod:db/offer/postgresql'],
    [{kind: 'Service', namespace: 'cos', name: 'traefik'}, 'cos/Service/traefik'],
    [{kind: 'namespace', namespace: 'cos', name: 'cos'}, 'cos'],
    [{kind: 'namespace', name: 'cos'}, 'cos'],
    [{kind: 'ClusterRole', name: 'livepatch-postgresql-k8s'}, 'ClusterRole/livepatch-postgresql-k8s'],
    [{kind: 'user', controller: 'prod', name: 'alice'}, 'prod:user/alice'],
    [{kind: 'controller', controller: 'prod', name: 'prod'}, 'prod'],
    [{kind: 'charm', name: 'traefik-k8s'}, 'charm/traefik-k8s'],
  ])('%o is %s', (target, name) => {
    expect(qualifiedTargetName(target)).toBe(name)
  })
})

describe('pathToUriReference', () => {
  it.each([
    ['examples/livepatch-k8s/juju/bundle.yaml', 'examples/livepatch-k8s/juju/bundle.yaml'],
    ['./examples\\k8s\\svc.yaml', 'examples/k8s/svc.yaml'],
    ['my dir/a#b?.yaml', 'my%20dir/a%23b%3F.yaml'],
    ['/srv/audit/bundle.yaml', 'file:///srv/audit/bundle.yaml'],
    ['C:\\audit\\bundle.yaml', 'file:///C:/audit/bundle.yaml'],
  ])('%s is %s', (file, uri) => {
    expect(pathToUriReference(file)).toBe(uri)
  })
})

describe('small formatters', () => {
  it('formats locations and needs', () => {
    expect(formatLocation({file: 'a.yaml', line: 3, column: 7})).toBe('a.yaml:3')
    expect(formatLocation({file: 'a.yaml'})).toBe('a.yaml')
    expect(formatNeeds(['k8s-pods'])).toBe('k8s-pods')
    expect(formatNeeds(['charm-metadata', 'k8s-pods'])).toBe('charm-metadata or k8s-pods')
  })

  it('wraps at spaces and never cuts a word longer than a line', () => {
    expect(wrapText('one two three four', 9)).toEqual(['one two', 'three', 'four'])
    // A word longer than the width overflows whole: paths and commands stay copyable.
    expect(wrapText('abcdefghij xy', 4)).toEqual(['abcdefghij', 'xy'])
    expect(wrapText('see a/b/c.yaml:10 now', 8)).toEqual(['see', 'a/b/c.yaml:10', 'now'])
    expect(wrapText('first\nsecond', undefined)).toEqual(['first', 'second'])
    // Width counts code points: an emoji (a surrogate pair) is one, a lone surrogate is one.
    expect(wrapText('ab😀 cd', 3)).toEqual(['ab😀', 'cd'])
    expect(wrapText('ab😀 cd', 2)).toEqual(['ab😀', 'cd'])
    expect(wrapText('a\ud800 b', 4)).toEqual(['a\ud800 b'])
    expect(wrapText('a\ud800 b', 2)).toEqual(['a\ud800', 'b'])
  })
})
