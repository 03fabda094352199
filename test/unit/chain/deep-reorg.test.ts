/**
 * Reorgs of any depth: a 2,000-block reorg walks one block per batch (no batch
 * and no step grows with the depth), listeners hear one bounded head change,
 * and a node partitioned for 1,500 blocks rejoins the chain with more work
 * through the real Synchronizer, with the default reorg limit.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_MAX_REORG_DEPTH, HEAD_CHANGE_BLOCKS_MAX, type HeadChange } from '../../../src/chain/chain.js'
import { Block } from '../../../src/ledger/block.js'
import { SimScheduler } from '../../../src/sim/scheduler.js'
import { MemoryStore } from '../../../src/storage/memory.js'
import { Synchronizer } from '../../../src/sync/synchronizer.js'
import { toHex } from '../../../src/util/bytes.js'
import { ManualClock } from '../../../src/util/clock.js'
import { minerAddress, openTestChain, type TestChain, transfer } from '../../helpers/chain.js'
import { CountingStore } from '../../helpers/instrumented-store.js'
import { drive, fakeFns, mineFast } from '../sync/helpers.js'

const DEPTH = 2000
const PARTITION = 1500

/** `count` blocks on `t`'s head; every 10th carries a transfer from `from` to `to`. */
async function mineBranch(t: TestChain, count: number, from: number, to: number): Promise<Block[]> {
  const blocks: Block[] = []
  for (let i = 0; i < count; i++) {
    const txs = i % 10 === 0 ? [transfer(from, to, BigInt(i / 10))] : []
    const block = await mineFast(t, txs)
    if ((await t.chain.importBlock(block, 'rpc')).status !== 'head') throw new Error(`block ${i} is not the head`)
    blocks.push(block)
  }
  return blocks
}

let losing: Block[]
let winner: TestChain
let winning: Block[]

beforeAll(async () => {
  const a = await openTestChain()
  losing = await mineBranch(a, DEPTH, 0, 2)
  winner = await openTestChain()
  winner.clock.advance(500) // other timestamps: other blocks from the first one on
  winning = await mineBranch(winner, DEPTH + 1, 1, 3)
}, 60_000)

describe('a reorg of any depth', () => {
  it(`walks a ${DEPTH}-block reorg one block per batch and tells listeners once, in a bounded window`, async () => {
    expect(DEFAULT_MAX_REORG_DEPTH).toBeGreaterThanOrEqual(DEPTH)
    const store = new CountingStore(new MemoryStore())
    const t = await openTestChain({ store, clock: new ManualClock(winner.clock.nowMs()) })
    for (const block of losing) await t.chain.importBlock(Block.fromBytes(block.bytes), 'rpc')
    for (const block of winning.slice(0, DEPTH)) {
      expect((await t.chain.importBlock(Block.fromBytes(block.bytes), 'rpc')).status).toBe('side')
    }
    const changes: HeadChange[] = []
    t.chain.onHeadChange((change) => changes.push(change))
    store.reset()
    const result = await t.chain.importBlock(Block.fromBytes((winning.at(-1) as Block).bytes), 'rpc')

    expect(result.status).toBe('head')
    expect(t.chain.head.id).toBe(winner.chain.head.id)
    expect(toHex(t.chain.head.header.fields.stateRoot)).toBe(toHex(winner.chain.head.header.fields.stateRoot))
    for (const i of [0, 1, 2, 3, 100]) {
      expect(await t.chain.getAccount(minerAddress(i))).toEqual(await winner.chain.getAccount(minerAddress(i)))
    }
    // One batch to store the block, then one per step: DEPTH back, DEPTH + 1 forward.
    expect(store.batches).toBe(1 + DEPTH + DEPTH + 1)
    // Memory does not grow with the depth: no batch holds more than one block's writes,
    // and no step reads more than the one block it moves over.
    expect(store.opsMax).toBeLessThan(40)
    expect(store.blockReadsBetweenBatchesMax).toBeLessThanOrEqual(1)
    console.log(
      `deep reorg: ${DEPTH} back, ${DEPTH + 1} forward: ${store.batches} batches, largest ${store.opsMax} ops / ${store.bytesMax} bytes`,
    )

    // Listeners hear one head change, with the counts and a bounded window of blocks.
    expect(changes).toHaveLength(1)
    const [change] = changes as [HeadChange]
    expect(change.disconnectedCount).toBe(DEPTH)
    expect(change.connectedCount).toBe(DEPTH + 1)
    expect(change.disconnected).toHaveLength(HEAD_CHANGE_BLOCKS_MAX)
    expect(change.connected).toHaveLength(HEAD_CHANGE_BLOCKS_MAX)
    // The disconnected window is the blocks nearest the fork (their txs have the lowest nonces), newest first.
    expect(change.disconnected.map((b) => b.id)).toEqual(
      losing
        .slice(0, HEAD_CHANGE_BLOCKS_MAX)
        .map((b) => b.id)
        .reverse(),
    )
    // The connected window is the newest blocks, oldest first, ending with the head.
    expect(change.connected.map((b) => b.id)).toEqual(winning.slice(-HEAD_CHANGE_BLOCKS_MAX).map((b) => b.id))
    // The losing branch's txs are no longer indexed; the winner's are.
    expect(await t.chain.getTxLocation((losing[0] as Block).txs[0]?.hash as Uint8Array)).toBeUndefined()
    expect(await t.chain.getTxLocation((winning[0] as Block).txs[0]?.hash as Uint8Array)).toEqual({
      blockId: (winning[0] as Block).id,
      index: 0,
    })
  }, 40_000)

  it(`a node partitioned for ${PARTITION} blocks rejoins the chain with more work through sync`, async () => {
    const s = new SimScheduler({ seed: 11, startMs: 0 })
    const local = await openTestChain({ clock: new ManualClock(winner.clock.nowMs()) })
    for (const block of losing.slice(0, PARTITION)) await local.chain.importBlock(Block.fromBytes(block.bytes), 'rpc')
    expect(local.chain.head.height).toBe(PARTITION)
    const changes: HeadChange[] = []
    local.chain.onHeadChange((change) => changes.push(change))
    const fns = fakeFns(local, [{ id: 'other-side', chain: winner, latencyMs: () => 2 }], s)
    const sync = new Synchronizer(fns, { clock: s, timers: s, rng: s.rng })
    await drive(s, sync.sync())

    expect(local.chain.head.id).toBe(winner.chain.head.id)
    expect(toHex(local.chain.head.header.fields.stateRoot)).toBe(toHex(winner.chain.head.header.fields.stateRoot))
    const reorgs = changes.filter((c) => c.disconnectedCount > 0)
    expect(reorgs.map((c) => c.disconnectedCount)).toEqual([PARTITION])
    // The peer on the other side was honest: nothing was charged to it.
    expect(fns.reports).toEqual([])
  }, 40_000)
})
