import { describe, expect, it } from 'vitest'
import { newEntry } from '../../../src/mempool/entry.js'
import { SenderQueue } from '../../../src/mempool/sender-queue.js'
import { address, tx } from './helpers.js'

function queueWith(nonces: number[], account = { balance: 1_000_000n, nonce: 0n }, cost = 1_001n): SenderQueue {
  const queue = new SenderQueue(address(0), 'sender', account)
  nonces.forEach((n, seq) => {
    queue.insert(newEntry(tx(0, n, { amount: cost - 1_000n, fee: 1_000n }), 0, seq))
  })
  queue.normalize(64)
  return queue
}

const nonces = (q: SenderQueue, which: 'ready' | 'all' = 'all'): bigint[] =>
  (which === 'ready' ? q.ready() : q.all()).map((e) => e.nonce)

describe('SenderQueue', () => {
  it('keeps nonce order and marks the contiguous run ready', () => {
    const q = queueWith([3, 0, 1, 5])
    expect(nonces(q)).toEqual([0n, 1n, 3n, 5n])
    expect(nonces(q, 'ready')).toEqual([0n, 1n])
    expect(q.nextNonce).toBe(2n)
    expect(q.all().map((e) => e.status)).toEqual(['ready', 'ready', 'future', 'future'])
  })

  it('demotes the entries after a removed ready entry', () => {
    const q = queueWith([0, 1, 2])
    const demoted = q.remove(q.get(1n)!)
    expect(demoted.map((e) => e.nonce)).toEqual([2n])
    expect(q.get(2n)?.status).toBe('future')
    expect(nonces(q, 'ready')).toEqual([0n])
  })

  it('claims nothing ready after an insert below the ready run, until normalize', () => {
    const q = queueWith([2, 3], { balance: 1_000_000n, nonce: 2n })
    expect(nonces(q, 'ready')).toEqual([2n, 3n])
    q.insert(newEntry(tx(0, 1), 0, 9)) // a returned tx, before the account is re-read
    expect(nonces(q, 'ready')).toEqual([])
    q.account = { balance: 1_000_000n, nonce: 1n }
    q.normalize(64)
    expect(nonces(q, 'ready')).toEqual([1n, 2n, 3n])
  })

  it('sums the cost below a nonce and slices the tail from one', () => {
    const q = queueWith([0, 1, 4], undefined, 1_500n)
    expect(q.costBefore(4n)).toBe(3_000n)
    expect(q.costBefore(0n)).toBe(0n)
    expect(q.tailFrom(1n).map((e) => e.nonce)).toEqual([1n, 4n])
  })

  it('normalize drops stale nonces, uncovered costs and entries past the per-sender cap', () => {
    const q = queueWith([0, 1, 2, 3, 4, 5])
    q.account = { nonce: 2n, balance: 3_500n }
    expect(q.normalize(64).dropped.map((e) => e.nonce)).toEqual([0n, 1n, 5n])
    expect(nonces(q, 'ready')).toEqual([2n, 3n, 4n])
    expect(q.normalize(2).dropped.map((e) => e.nonce)).toEqual([4n])
    expect(nonces(q)).toEqual([2n, 3n])
  })
})
