import { describe, expect, it } from 'vitest'
import { FairValidationQueue, type ValidationLimits } from '../../../src/net/validation-queue.js'

interface Item {
  name: string
  sizeBytes: number
}

/** A queue whose validations the test finishes by hand, recording the order they started in. */
function heldQueue(limits: ValidationLimits) {
  const started: string[] = []
  const finishers = new Map<string, () => void>()
  const queue = new FairValidationQueue<Item>(
    limits,
    (peer, item) =>
      new Promise<void>((resolve) => {
        started.push(`${peer}:${item.name}`)
        finishers.set(item.name, resolve)
      }),
  )
  const finish = async (name: string): Promise<void> => {
    finishers.get(name)?.()
    await new Promise((resolve) => setImmediate(resolve))
  }
  return { queue, started, finish }
}

const item = (name: string, sizeBytes = 100): Item => ({ name, sizeBytes })

describe('FairValidationQueue', () => {
  const limits: ValidationLimits = {
    inFlightMax: 4,
    perPeerInFlightMax: 2,
    perPeerQueuedMax: 3,
    perPeerQueuedBytesMax: 1_000,
  }

  it('runs one peer at most perPeerInFlightMax at once, so a flooding peer leaves slots to others', () => {
    const { queue, started } = heldQueue(limits)
    for (let i = 0; i < 3; i++) expect(queue.push('flood', item(`f${i}`))).toBe(true)
    expect(queue.push('flood', item('f3'))).toBe(true)
    expect(queue.push('flood', item('f4'))).toBe(true)
    // the flooder's line is full: its own new messages are dropped
    expect(queue.push('flood', item('f5'))).toBe(false)
    expect(queue.push('honest', item('h0'))).toBe(true)
    expect(started).toEqual(['flood:f0', 'flood:f1', 'honest:h0'])
    expect(queue.inFlightCount).toBe(3)
  })

  it('hands a freed slot to the peers with waiting messages in turn', async () => {
    const { queue, started, finish } = heldQueue({ ...limits, inFlightMax: 1, perPeerInFlightMax: 1 })
    queue.push('a', item('a0'))
    queue.push('a', item('a1'))
    queue.push('a', item('a2'))
    queue.push('b', item('b0'))
    queue.push('b', item('b1'))
    queue.push('c', item('c0'))
    for (const name of ['a0', 'a1', 'b0', 'c0', 'a2', 'b1']) await finish(name)
    expect(started).toEqual(['a:a0', 'a:a1', 'b:b0', 'c:c0', 'a:a2', 'b:b1'])
    expect(queue.inFlightCount).toBe(0)
    expect(queue.queuedCount).toBe(0)
  })

  it('bounds the bytes a peer may have waiting', () => {
    const { queue } = heldQueue({ ...limits, perPeerInFlightMax: 1 })
    expect(queue.push('p', item('running', 5_000))).toBe(true)
    expect(queue.push('p', item('big', 900))).toBe(true)
    expect(queue.push('p', item('over', 200))).toBe(false)
    expect(queue.push('p', item('fits', 100))).toBe(true)
  })

  it("drops a gone peer's waiting messages and leaves the others'", () => {
    const { queue, started } = heldQueue({ ...limits, inFlightMax: 1 })
    queue.push('gone', item('g0'))
    queue.push('gone', item('g1'))
    queue.push('gone', item('g2'))
    queue.push('stays', item('s0'))
    expect(queue.dropQueued('gone').map((i) => i.name)).toEqual(['g1', 'g2'])
    expect(queue.queuedCount).toBe(1)
    expect(started).toEqual(['gone:g0'])
  })

  it('keeps going when a validation fails', async () => {
    const queue = new FairValidationQueue<Item>({ ...limits, inFlightMax: 1 }, async (_peer, it) => {
      if (it.name === 'bad') throw new Error('validator bug')
    })
    queue.push('p', item('bad'))
    queue.push('q', item('good'))
    await new Promise((resolve) => setImmediate(resolve))
    expect(queue.inFlightCount).toBe(0)
    expect(queue.queuedCount).toBe(0)
  })
})
