import { describe, expect, it } from 'vitest'
import { StemError } from '../../../../src/relay/dandelion/errors.js'
import { StemPool } from '../../../../src/relay/dandelion/stem-pool.js'
import { tx } from '../../mempool/helpers.js'

describe('StemPool', () => {
  it('refuses past its count cap with STEM_POOL_FULL', () => {
    const pool = new StemPool({ txsMax: 3, bytesMax: 1 << 20 })
    for (let n = 0; n < 3; n++) pool.add(tx(1, n), false, 0)
    const err = (() => {
      try {
        pool.add(tx(1, 3), false, 0)
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(StemError)
    expect((err as StemError).code).toBe('STEM_POOL_FULL')
    expect(pool.size).toBe(3)
  })

  it('refuses past its byte cap', () => {
    const [a, b] = [tx(1, 0), tx(1, 1)]
    const bytesMax = a.bytes.byteLength + b.bytes.byteLength
    const pool = new StemPool({ txsMax: 100, bytesMax })
    pool.add(a, false, 0)
    pool.add(b, false, 0)
    expect(() => pool.add(tx(1, 2), false, 0)).toThrow(StemError)
    expect(pool.bytes).toBe(bytesMax)
  })

  it('tracks the nonces its txs hold, and frees them when a tx leaves', () => {
    const pool = new StemPool()
    const a = tx(2, 5)
    pool.add(a, true, 0)
    expect(pool.holdsNonce(a.senderHex, 5n)).toBe(true)
    expect(pool.holdsNonce(a.senderHex, 6n)).toBe(false)
    expect(pool.take(a.id)?.own).toBe(true)
    expect(pool.holdsNonce(a.senderHex, 5n)).toBe(false)
    expect(pool.size).toBe(0)
    expect(pool.bytes).toBe(0)
    expect(pool.take(a.id)).toBeUndefined()
  })
})
