/**
 * `reconcile --watch` reads the same live documents every pass: the watched cluster's objects are
 * frozen and handed over again, the exported bundles mostly come back unchanged. What is reused
 * between passes must never hide a change or let one pass alter what the next reads.
 */
import {describe, expect, it} from 'vitest'

import {z} from 'zod'

import {InputError} from '../../src/errors.js'
import {readSourceDocuments} from '../../src/sources/files.js'
import {check} from '../../src/sources/juju/common.js'

const bundle = (trust: boolean): string => `applications:
  postgresql:
    charm: postgresql-k8s
    scale: 1
    trust: ${trust}
relations: []
`

function trustOf(result: ReturnType<typeof readSourceDocuments>): unknown {
  const app = result.contributions.find((c) => c.type === 'application' && c.facts.name === 'postgresql')
  return app?.type === 'application' ? app.facts.trust : 'no application read'
}

const BUNDLE_PATH = 'juju/c/models/m/bundle.yaml'

describe('live documents read again on every pass', () => {
  it('a bundle read again unchanged reads the same, and a changed one reads as changed', () => {
    expect(trustOf(readSourceDocuments([{path: BUNDLE_PATH, data: undefined, text: bundle(true)}]))).toBe(true)
    expect(trustOf(readSourceDocuments([{path: BUNDLE_PATH, data: undefined, text: bundle(true)}]))).toBe(true)
    expect(trustOf(readSourceDocuments([{path: BUNDLE_PATH, data: undefined, text: bundle(false)}]))).toBe(false)
    expect(trustOf(readSourceDocuments([{path: BUNDLE_PATH, data: undefined, text: bundle(true)}]))).toBe(true)
  })

  const pod = (runAsUser: unknown) =>
    deepFreeze({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {name: 'web-0', namespace: 'shop'},
      spec: {containers: [{name: 'web', securityContext: {runAsUser}}]},
    })
  const list = (...items: object[]) => ({path: 'kubernetes/pods.json', data: {apiVersion: 'v1', kind: 'List', metadata: {resourceVersion: ''}, items}})

  it('a frozen object (as the watch stores keep them) is read without being changed, pass after pass', () => {
    const frozen = pod(0)
    for (let pass = 0; pass < 2; pass++) {
      const read = readSourceDocuments([list(frozen)])
      const object = read.contributions.find((c) => c.type === 'kube-object')
      expect(object?.type === 'kube-object' ? object.object.ref : undefined).toEqual({file: 'live:kubernetes/pods.json', document: 0, path: ['items', 0]})
      expect(object?.type === 'kube-object' ? object.object : undefined).not.toBe(frozen)
    }
    expect('ref' in frozen).toBe(false)
  })

  it('a frozen object read again at the same place is the same, frozen, object; read at another place it carries that place', () => {
    const frozen = pod(0)
    const other = pod(1000)
    const kubeObjects = (read: ReturnType<typeof readSourceDocuments>) => read.contributions.flatMap((c) => (c.type === 'kube-object' ? [c.object] : []))
    const [first] = kubeObjects(readSourceDocuments([list(frozen)]))
    const [again] = kubeObjects(readSourceDocuments([list(frozen)]))
    expect(again).toBe(first)
    expect(Object.isFrozen(again)).toBe(true)
    // No later step can change what the next pass is given.
    expect(() => {
      ;(again as {metadata: {name: string}}).metadata.name = 'changed'
    }).toThrow(TypeError)
    // Another object before it (a pod added to the store): its place, and so its ref, moved.
    const [, moved] = kubeObjects(readSourceDocuments([list(other, frozen)]))
    expect(moved).not.toBe(first)
    expect(moved!.ref).toEqual({file: 'live:kubernetes/pods.json', document: 0, path: ['items', 1]})
    expect(moved!.metadata.name).toBe('web-0')
  })

  it('a frozen Juju status (a model the watch saw unchanged) is read into contributions once, which are frozen and given again', () => {
    const status = deepFreeze({
      model: {name: 'm', type: 'caas', controller: 'c'},
      machines: {},
      applications: {postgresql: {charm: 'postgresql-k8s', 'charm-name': 'postgresql-k8s', exposed: false, 'application-status': {current: 'active'}}},
    })
    const read = () => readSourceDocuments([{path: 'juju/c/models/m/status.json', data: status}]).contributions
    const first = read()
    const again = read()
    expect(again.length).toBeGreaterThan(0)
    again.forEach((contribution, index) => expect(contribution).toBe(first[index]))
    expect(Object.isFrozen(again.find((c) => c.type === 'application'))).toBe(true)
    // The same data unfrozen (a one-shot run) is read afresh.
    const open = JSON.parse(JSON.stringify(status)) as object
    const once = readSourceDocuments([{path: 'juju/c/models/m/status.json', data: open}]).contributions
    expect(once.find((c) => c.type === 'application')).not.toBe(first.find((c) => c.type === 'application'))
    expect(once).toEqual(first)
  })

  it('a frozen object that does not fit its schema is refused on every pass, and a valid one after it is read', () => {
    const invalid = pod('root')
    for (let pass = 0; pass < 2; pass++) {
      expect(() => readSourceDocuments([list(invalid)])).toThrow(InputError)
      expect(() => readSourceDocuments([list(invalid)])).toThrow(/items\.0\.spec\.containers\.0\.securityContext\.runAsUser|expected number/)
    }
    expect(readSourceDocuments([list(pod(1000))]).contributions.some((c) => c.type === 'kube-object')).toBe(true)
  })

  it('a frozen Juju document (a model the watch saw unchanged) is validated once; its result is frozen and given again', () => {
    const schema = z.object({charm: z.string(), scale: z.number()})
    const ctx = {file: 'live:juju/c/models/m/status.json', document: 0, scope: {}}
    const frozen = deepFreeze({charm: 'postgresql-k8s', scale: 1, extra: true})
    const first = check(schema, frozen, ctx, ['applications', 'postgresql'], 'juju status')
    expect(first).toEqual({charm: 'postgresql-k8s', scale: 1})
    expect(Object.isFrozen(first)).toBe(true)
    expect(check(schema, frozen, ctx, ['applications', 'postgresql'], 'juju status')).toBe(first)
    // Another schema, or data that may still change, is validated afresh.
    expect(check(z.object({charm: z.string()}), frozen, ctx, [], 'juju status')).toEqual({charm: 'postgresql-k8s'})
    const open = {charm: 'postgresql-k8s', scale: 1}
    expect(check(schema, open, ctx, [], 'juju status')).not.toBe(check(schema, open, ctx, [], 'juju status'))
    const invalid = deepFreeze({charm: 'postgresql-k8s', scale: 'one'})
    for (let pass = 0; pass < 2; pass++) expect(() => check(schema, invalid, ctx, ['applications', 'postgresql'], 'juju status')).toThrow(/applications\.postgresql\.scale/)
  })
})

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) deepFreeze(item)
    Object.freeze(value)
  }
  return value
}
