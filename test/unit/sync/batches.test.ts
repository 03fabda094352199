import { beforeAll, describe, expect, it } from 'vitest'
import type { Block } from '../../../src/ledger/block.js'
import { DownloadQueue, type QueueLimits } from '../../../src/sync/batches.js'
import { SyncPeerError } from '../../../src/sync/faults.js'
import { sourceChain } from './helpers.js'

let blocks: Block[]

beforeAll(async () => {
  ;({ blocks } = await sourceChain(40))
})

const limits: QueueLimits = { batchSize: 4, bufferBlocksMax: 12, bufferBytesMax: 1 << 30 }
const queue = (l: Partial<QueueLimits> = {}) =>
  new DownloadQueue(
    blocks.map((b) => b.header),
    { ...limits, ...l },
  )
const blocksAt = (positions: readonly number[]) => positions.map((p) => blocks[p] as Block)
const any = () => true
let attempts = 0
function start(q: DownloadQueue, peer: string) {
  const batch = q.nextFor(any)
  if (!batch) throw new Error('no batch to start')
  batch.startDownload(peer, ++attempts)
  return batch
}

describe('DownloadQueue', () => {
  it('hands out the lowest waiting batch, no further ahead of the import point than the buffer allows', () => {
    const q = queue()
    const taken = []
    for (let b = q.nextFor(any); b; b = q.nextFor(any)) {
      b.startDownload('p', taken.length)
      taken.push(b.positions)
    }
    expect(taken).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9, 10, 11],
    ])
  })

  it('buffers out-of-order deliveries and releases blocks strictly in order', () => {
    const q = queue()
    const a = start(q, 'p')
    const b = start(q, 'q')
    q.deliver(b, 'q', blocksAt(b.positions))
    expect(q.ready()).toBe(false) // 4..7 wait for 0..3
    q.deliver(a, 'p', blocksAt(a.positions))
    const order: number[] = []
    for (let next = q.take(); next; next = q.take()) {
      order.push(next.position)
      q.advance()
    }
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    expect(q.importedCount).toBe(8)
  })

  it('stops starting batches past the byte bound, except the one the import waits for', () => {
    const q = queue({ bufferBytesMax: 1 })
    const first = start(q, 'p')
    const second = start(q, 'p')
    q.deliver(second, 'p', blocksAt(second.positions))
    expect(q.nextFor(any)).toBeUndefined() // buffer full, and 8.. is not what import waits for
    first.downloadFailed()
    expect(q.nextFor(any)).toBe(first) // 0..3 is: always allowed
  })

  it('re-queues what a partial answer left out; an empty answer marks the peer as lacking the batch', () => {
    const q = queue()
    const batch = q.nextFor(any)
    if (!batch) throw new Error('no batch')
    batch.startDownload('p', 1)
    q.deliver(batch, 'p', blocksAt([0, 2]))
    const rest = q.nextFor(any)
    expect(rest?.positions).toEqual([1, 3])
    rest?.startDownload('q', 2)
    if (!rest) throw new Error('no batch')
    q.deliver(rest, 'q', [])
    expect(rest.state.status).toBe('awaitingDownload')
    expect(q.nextFor((b) => !b.lackedBy.has('q'))).not.toBe(rest)
    expect(q.nextFor((b) => !b.lackedBy.has('r'))).toBe(rest)
  })

  it('refuses a block nobody asked for and files nothing', () => {
    const q = queue()
    const batch = q.nextFor(any)
    batch?.startDownload('p', 1)
    if (!batch) throw new Error('no batch')
    expect(() => q.deliver(batch, 'p', blocksAt([0, 1, 5]))).toThrow(SyncPeerError)
    expect(() => q.deliver(batch, 'p', blocksAt([0, 0]))).toThrow(SyncPeerError)
    expect(q.ready()).toBe(false)
    expect(batch.state.status).toBe('downloading')
  })

  it("disown() returns a dropped peer's delivered and in-flight batches to the queue", () => {
    const q = queue()
    const a = q.nextFor(any)
    a?.startDownload('bad', 1)
    const b = q.nextFor(any)
    b?.startDownload('bad', 2)
    if (!a || !b) throw new Error('no batches')
    q.deliver(a, 'bad', blocksAt(a.positions))
    q.disown('bad')
    expect(q.ready()).toBe(false)
    expect(b.state.status).toBe('awaitingDownload')
    expect(b.isAttempt(2)).toBe(false) // its late answer will be dropped
    expect(q.nextFor(any)?.positions).toEqual([0, 1, 2, 3])
  })

  it('checks batch transitions', () => {
    const q = queue()
    const batch = q.nextFor(any)
    expect(() => batch?.delivered()).toThrow(/awaitingDownload, not downloading/)
  })
})
