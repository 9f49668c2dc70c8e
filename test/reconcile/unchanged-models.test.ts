import {describe, expect, it} from 'vitest'

import {UnchangedModels} from '../../src/reconcile/unchanged-models.js'
import type {ModelReuse} from '../../src/sources/juju-api/collect.js'
import type {LiveCollection} from '../../src/sources/live.js'

const collected = (model: string) => ({documents: [{path: `juju/c/models/${model}/status.json`, data: {model: {name: model}}}], warnings: []})

describe('UnchangedModels: what a reconcile --watch pass may use again', () => {
  it('gives back a model only at the version it was collected at, and only to a pass changes brought', () => {
    const models = new UnchangedModels()
    const first = models.forPass(() => '1:0', false)
    expect(first.get('c', 'u1', '1:0')).toBeUndefined()
    first.put('c', 'u1', '1:0', collected('cos'))
    first.commit()

    const byChange = models.forPass(() => '1:0', true)
    expect(byChange.get('c', 'u1', '1:0')).toEqual(collected('cos'))
    expect(byChange.reused()).toBe(1)
    expect(byChange.get('c', 'u1', '1:1')).toBeUndefined()
    expect(byChange.get('c', 'u2', '1:0')).toBeUndefined()
    expect(byChange.get('other', 'u1', '1:0')).toBeUndefined()

    const onSchedule = models.forPass(() => '1:0', false)
    expect(onSchedule.get('c', 'u1', '1:0')).toBeUndefined()
  })

  it('keeps what the last committed pass collected or used, nothing else; a pass that failed changes nothing', () => {
    const models = new UnchangedModels()
    const first = models.forPass(() => '1:0', false)
    first.put('c', 'u1', '1:0', collected('cos'))
    first.put('c', 'u2', '1:0', collected('db'))
    first.commit()

    // A pass that used u1 again and did not list u2 (the model was destroyed).
    const second = models.forPass(() => '1:0', true)
    expect(second.get('c', 'u1', '1:0')).toBeDefined()
    second.commit()
    const third = models.forPass(() => '1:0', true)
    expect(third.get('c', 'u1', '1:0')).toBeDefined()
    expect(third.get('c', 'u2', '1:0')).toBeUndefined()

    // Not committed (its collection failed): what was kept stays.
    const failed = models.forPass(() => '1:0', false)
    failed.put('c', 'u1', '2:0', collected('cos'))
    expect(models.forPass(() => '1:0', true).get('c', 'u1', '1:0')).toBeDefined()
  })

  it('forgets everything after a pass that wrote to Juju or may have (it failed): not every write shows in the model watch', () => {
    for (const [jujuWritten, kept] of [
      [false, true],
      [true, false],
      [undefined, false],
    ] as const) {
      const models = new UnchangedModels()
      const first = models.forPass(() => '1:0', false)
      first.put('c', 'u1', '1:0', collected('cos'))
      first.commit()
      models.afterPass(jujuWritten)
      expect(models.forPass(() => '1:0', true).get('c', 'u1', '1:0') !== undefined).toBe(kept)
    }
  })

  it("a pass's collection: keeps what it collected, reuses on a pass changes brought, and says how many models it did not read", async () => {
    const models = new UnchangedModels()
    const lines: string[] = []
    const context = (scheduled: boolean) => ({scheduled, jujuModelVersion: () => '1:0'})
    const collect = (model: string) => async (reuse: ModelReuse): Promise<LiveCollection> => {
      if (!reuse.get('c', model, '1:0')) reuse.put('c', model, '1:0', collected(model))
      return {documents: [], warnings: [], failures: [], juju: {inspected: true, description: 'controller c'}, kubernetes: {inspected: false, reason: 'skipped'}, stats: {jujuCalls: 0, kubernetesRequests: {}}}
    }
    await models.collectForPass(1, context(true), collect('u1'), (line) => lines.push(line))
    await models.collectForPass(2, context(false), collect('u1'), (line) => lines.push(line))
    expect(lines).toEqual(['hardenctl: pass 2: 1 Juju model not read again (the model watch saw no change in it since the last pass)'])
    // A scheduled pass reads every model afresh, and says nothing.
    await models.collectForPass(3, context(true), collect('u1'), (line) => lines.push(line))
    expect(lines).toHaveLength(1)
    // A collection that failed leaves what was kept.
    await expect(models.collectForPass(4, context(false), async () => Promise.reject(new Error('controller gone')), () => {})).rejects.toThrow('controller gone')
    await models.collectForPass(5, context(false), collect('u1'), (line) => lines.push(line))
    expect(lines).toHaveLength(2)
  })

  it('freezes what it keeps: no step of a pass can change what the next one reads', () => {
    const models = new UnchangedModels()
    const pass = models.forPass(() => '1:0', false)
    const kept = collected('cos')
    pass.put('c', 'u1', '1:0', kept)
    expect(() => {
      ;(kept.documents[0]!.data.model as {name: string}).name = 'changed'
    }).toThrow(TypeError)
  })
})
