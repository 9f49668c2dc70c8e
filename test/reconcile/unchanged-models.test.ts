import {describe, expect, it} from 'vitest'

import {UnchangedModels} from '../../src/reconcile/unchanged-models.js'

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

  it('forgets everything after hardenctl wrote to Juju (not every write shows in the model watch)', () => {
    const models = new UnchangedModels()
    const first = models.forPass(() => '1:0', false)
    first.put('c', 'u1', '1:0', collected('cos'))
    first.commit()
    models.forget()
    expect(models.forPass(() => '1:0', true).get('c', 'u1', '1:0')).toBeUndefined()
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
