/** HashWorkers: the same digests as the thread's, the answer's bytes handed back whole, small or shared answers kept here. */
import { createHash, randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { HashWorkers, inThreadHasher } from '../../../../src/files/exchange/hasher.js'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

let pool: HashWorkers | undefined
afterEach(async () => {
  await pool?.close()
  pool = undefined
})

describe('answer hashers', () => {
  const ranges = [
    { offset: 10, length: 300_000 },
    { offset: 300_010, length: 0 },
    { offset: 300_010, length: 700_000 },
  ]

  it('a worker hashes each range of a large answer it takes, and hands the same bytes back', async () => {
    pool = new HashWorkers(2)
    const answer = new Uint8Array(randomBytes(1_000_010))
    const copy = answer.slice()
    const out = await pool.digests(answer, ranges)
    // the buffer went to the worker and came back: the caller's view is detached, the returned one whole
    expect(answer.byteLength).toBe(0)
    expect(Buffer.compare(out.answer, copy)).toBe(0)
    expect(out.digests.map(hex)).toEqual(ranges.map((r) => sha(copy.subarray(r.offset, r.offset + r.length))))
    const here = await inThreadHasher.digests(copy, ranges)
    expect(here.digests.map(hex)).toEqual(out.digests.map(hex))
  })

  it('hashes in the thread an answer that is small or shares its buffer, leaving it in place', async () => {
    pool = new HashWorkers(1)
    const small = new Uint8Array(1_000)
    const out = await pool.digests(small, [{ offset: 0, length: 1_000 }])
    expect(out.answer).toBe(small)
    const big = new Uint8Array(2_000_000)
    const view = big.subarray(1, 1_500_001)
    const shared = await pool.digests(view, [{ offset: 0, length: 1_500_000 }])
    expect(shared.answer).toBe(view)
    expect(big.byteLength).toBe(2_000_000)
    expect(hex(shared.digests[0] as Uint8Array)).toBe(sha(view))
  })
})
