import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { IndexedHeap } from '../../../src/mempool/heap.js'

interface Item {
  value: number
  at: number
}

function heapOf(): IndexedHeap<Item> {
  return new IndexedHeap<Item>((a, b) => a.value < b.value, {
    get: (item) => item.at,
    set: (item, i) => {
      item.at = i
    },
  })
}

type Op = { kind: 'push'; value: number } | { kind: 'pop' } | { kind: 'remove'; pick: number }

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('push' as const), value: fc.integer({ min: 0, max: 50 }) }),
  fc.record({ kind: fc.constant('pop' as const) }),
  fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
)

describe('IndexedHeap', () => {
  it('matches a sorted list under push, pop and remove from the middle', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const heap = heapOf()
        let model: Item[] = []
        for (const o of ops) {
          if (o.kind === 'push') {
            const item = { value: o.value, at: -1 }
            heap.push(item)
            model.push(item)
          } else if (o.kind === 'pop') {
            const top = heap.pop()
            const min = model.length === 0 ? undefined : Math.min(...model.map((i) => i.value))
            expect(top?.value).toBe(min)
            if (top) {
              expect(top.at).toBe(-1)
              model = model.filter((i) => i !== top)
            }
          } else if (model.length > 0) {
            const victim = model[o.pick % model.length] as Item
            expect(heap.remove(victim)).toBe(true)
            expect(heap.remove(victim)).toBe(false)
            expect(heap.has(victim)).toBe(false)
            model = model.filter((i) => i !== victim)
          }
          expect(heap.size).toBe(model.length)
          for (const item of model) expect(heap.has(item)).toBe(true)
        }
        // ordered() walks the heap in order without changing it.
        const values = [...heap.ordered()].map((i) => i.value)
        expect(values).toEqual(model.map((i) => i.value).sort((a, b) => a - b))
        expect(heap.size).toBe(model.length)
      }),
    )
  })

  it('stops the ordered walk early at no extra cost to the heap', () => {
    const heap = heapOf()
    for (const value of [5, 3, 9, 1, 7]) heap.push({ value, at: -1 })
    const first: number[] = []
    for (const item of heap.ordered()) {
      first.push(item.value)
      if (first.length === 2) break
    }
    expect(first).toEqual([1, 3])
    expect(heap.peek()?.value).toBe(1)
    expect(heap.size).toBe(5)
  })
})
