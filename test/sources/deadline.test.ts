import {describe, expect, it} from 'vitest'

import {Deadline} from '../../src/sources/deadline.js'

describe('Deadline', () => {
  it('has passed once its own timer fired, even when the wall clock is a moment short of the end', async () => {
    const deadline = new Deadline(20)
    const {signal} = deadline
    await new Promise((resolve) => signal.addEventListener('abort', resolve))
    // Node's timers run on a monotonic clock and can fire a millisecond before Date.now() reaches the end.
    const justBefore = Date.now() - 5
    expect(deadline.passed(justBefore)).toBe(true)
    expect(deadline.remainingMs(justBefore)).toBe(0)
    deadline.dispose()
  })

  it('before its timer fires, what is left is read from the clock', () => {
    const start = Date.now()
    const deadline = new Deadline(1_000, start)
    expect(deadline.remainingMs(start + 400)).toBe(600)
    expect(deadline.passed(start + 999)).toBe(false)
    expect(deadline.passed(start + 1_000)).toBe(true)
  })
})
