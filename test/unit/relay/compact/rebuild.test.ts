import { describe, expect, it } from 'vitest'
import type { Header } from '../../../../src/ledger/block.js'
import type { Tx } from '../../../../src/ledger/tx.js'
import { compactTxs, fillMissing, matchesTxRoot, rebuildBlock } from '../../../../src/relay/compact/rebuild.js'
import { RECENT_TXS_MAX, RecentTxs } from '../../../../src/relay/compact/recent-txs.js'
import { packShortIds } from '../../../../src/relay/compact/short-ids.js'
import { mineBlock, openTestChain, transfer } from '../../../helpers/chain.js'

async function block(count: number) {
  const t = await openTestChain()
  return mineBlock(
    t,
    Array.from({ length: count }, (_, i) => transfer(i, i + 10, 0n)),
  )
}

function partsOf(b: { header: Header; txs: readonly Tx[] }, prefill: number[] = [], nonce = 3n) {
  const { ids, prefilled } = compactTxs(b.header.bytes, nonce, b.txs, new Set(prefill))
  return { header: b.header, nonce, shortIds: packShortIds(ids), prefilled }
}

describe('rebuildBlock', () => {
  it('fills every slot from the candidates, whatever their order, and the txs make the header root', async () => {
    const b = await block(5)
    const result = rebuildBlock(partsOf(b), [[...b.txs].reverse()])
    expect(result.status).toBe('complete')
    if (result.status !== 'complete') return
    expect(result.txs.map((tx) => tx.id)).toEqual(b.txs.map((tx) => tx.id))
    expect(matchesTxRoot(b.header, result.txs)).toBe(true)
  })

  it('places prefilled txs at their indexes and reports the slots no candidate fills', async () => {
    const b = await block(6)
    const result = rebuildBlock(partsOf(b, [0, 3]), [[b.txs[1] as Tx], [b.txs[5] as Tx]])
    expect(result.status).toBe('partial')
    if (result.status !== 'partial') return
    expect(result.missing).toEqual([2, 4])
    const txs = fillMissing(result.slots, result.missing, [b.txs[2] as Tx, b.txs[4] as Tx])
    expect(matchesTxRoot(b.header, txs)).toBe(true)
  })

  it('reports every slot missing when no candidate matches', async () => {
    const b = await block(3)
    const result = rebuildBlock(partsOf(b), [[transfer(20, 21, 0n)]])
    expect(result).toMatchObject({ status: 'partial', missing: [0, 1, 2] })
  })

  it('reports a collision when two different txs we hold share a slot short id', async () => {
    const b = await block(2)
    const real = b.txs[0] as Tx
    // Another tx with the same hash-derived short id: an impostor with the same hash and another id.
    const impostor = { id: `${real.id.slice(0, -1)}0`, hash: real.hash } as unknown as Tx
    expect(rebuildBlock(partsOf(b), [[real, impostor]])).toEqual({ status: 'collision' })
    // The same tx seen in two pools is no collision.
    expect(rebuildBlock(partsOf(b), [[real], [real, b.txs[1] as Tx]]).status).toBe('complete')
  })

  it('reports a collision when the block names one short id twice', async () => {
    const b = await block(3)
    const parts = partsOf(b)
    const twice = new Uint8Array(parts.shortIds)
    twice.copyWithin(6, 0, 6)
    expect(rebuildBlock({ ...parts, shortIds: twice }, [b.txs])).toEqual({ status: 'collision' })
  })

  it('tells a rebuilt list that is not the block apart by its root', async () => {
    const b = await block(3)
    expect(matchesTxRoot(b.header, [b.txs[1] as Tx, b.txs[0] as Tx, b.txs[2] as Tx])).toBe(false)
  })
})

describe('RecentTxs', () => {
  it('keeps at most its count and bytes, dropping the oldest first', () => {
    const pool = new RecentTxs(3, 10_000)
    const txs = Array.from({ length: 5 }, (_, i) => transfer(i, i + 10, 0n))
    for (const tx of txs) pool.add(tx)
    expect([...pool.values()].map((tx) => tx.id)).toEqual(txs.slice(2).map((tx) => tx.id))
    const bytes = new RecentTxs(100, (txs[0] as Tx).bytes.byteLength * 2)
    for (const tx of txs) bytes.add(tx)
    expect(bytes.size).toBe(2)
    expect(bytes.bytes).toBeLessThanOrEqual((txs[0] as Tx).bytes.byteLength * 2 + 8)
    expect(RECENT_TXS_MAX).toBeGreaterThan(0)
  })
})
