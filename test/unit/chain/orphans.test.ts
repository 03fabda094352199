/** The orphan pool: bounded overall and per sender; a sender's run of blocks that do not connect is counted until one does. */
import { describe, expect, it } from 'vitest'
import { ORPHAN_LIMITS_DEFAULT, OrphanPool } from '../../../src/chain/orphans.js'
import { Block, Header } from '../../../src/ledger/block.js'

let nonce = 0n
/** A block (never checked here) with the given parent. */
function orphan(parentId = 'ab'.repeat(32)): Block {
  const header = Header.fromFields({
    version: 1,
    height: 5n,
    parentHash: Buffer.from(parentId, 'hex'),
    timestamp: 1n,
    txRoot: new Uint8Array(32),
    stateRoot: new Uint8Array(32),
    target: new Uint8Array(32).fill(0xff),
    miner: new Uint8Array(20),
    reward: 0n,
    nonce: nonce++,
  })
  return new Block(header, [])
}

describe('OrphanPool', () => {
  it('holds at most perPeerMax orphans of one sender, dropping its own oldest, not the others', () => {
    const pool = new OrphanPool({ countMax: 100, bytesMax: 1 << 20, perPeerMax: 3 })
    const honest = orphan()
    pool.add(honest)
    pool.attribute(honest.id, 'honest')
    const flood = Array.from({ length: 10 }, () => orphan())
    for (const b of flood) {
      pool.add(b)
      pool.attribute(b.id, 'flooder')
    }
    expect(pool.heldFrom('flooder')).toBe(3)
    expect(pool.has(honest.id)).toBe(true)
    expect(flood.map((b) => pool.has(b.id))).toEqual([...new Array(7).fill(false), true, true, true])
    expect(pool.size).toBe(4)
  })

  it('counts a sender’s blocks that do not connect, until one of its orphans connects or it sends one that does', () => {
    const pool = new OrphanPool()
    const parent = 'cd'.repeat(32)
    const blocks = [orphan(parent), orphan(), orphan()]
    const runs = blocks.map((b) => {
      pool.add(b)
      return pool.attribute(b.id, 'p')
    })
    expect(runs).toEqual([1, 2, 3])
    expect(pool.takeChildren(parent).map((b) => b.id)).toEqual([blocks[0]?.id])
    expect(pool.attribute(orphan().id, 'p')).toBe(1) // not held (never added), still counted
    pool.connected('p')
    expect(pool.attribute(orphan().id, 'p')).toBe(1)
    // Attributed but not counted (we are syncing): the run stays where it is.
    expect(pool.attribute(orphan().id, 'p', false)).toBe(1)
    expect(ORPHAN_LIMITS_DEFAULT.perPeerMax).toBeLessThan(ORPHAN_LIMITS_DEFAULT.countMax)
  })
})
