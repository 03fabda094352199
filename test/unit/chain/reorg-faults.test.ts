/**
 * What goes wrong during a reorg: a block that fails mid-walk, a store write
 * that fails at any step (a full disk), a corrupt stored block. Each leaves a
 * consistent chain on a valid head, and none is charged to an honest peer.
 */
import { describe, expect, it } from 'vitest'
import { ChainHaltedError, type HeadChange, StoreCorruptError, StoreWriteError } from '../../../src/chain/chain.js'
import { layout } from '../../../src/chain/layout.js'
import { Block, type Header } from '../../../src/ledger/block.js'
import { isVerifyError } from '../../../src/ledger/errors.js'
import { SimScheduler } from '../../../src/sim/scheduler.js'
import { MemoryStore } from '../../../src/storage/memory.js'
import { Synchronizer } from '../../../src/sync/synchronizer.js'
import { toHex } from '../../../src/util/bytes.js'
import { ManualClock } from '../../../src/util/clock.js'
import { minerAddress, openTestChain, type TestChain, transfer } from '../../helpers/chain.js'
import { diskFullError, FailingStore } from '../../helpers/instrumented-store.js'
import { headStateDigest } from '../../helpers/store-state.js'
import { drive, fakeFns, mineFast } from '../sync/helpers.js'

async function mineOn(t: TestChain, count: number, from: number): Promise<Block[]> {
  const blocks: Block[] = []
  for (let i = 0; i < count; i++) {
    const block = await mineFast(t, [transfer(from, from + 2, BigInt(i))])
    expect((await t.chain.importBlock(block, 'rpc')).status).toBe('head')
    blocks.push(block)
  }
  return blocks
}

/** A sealed block on `parent` with a wrong state root, and `children` sealed on top of it (never checked). */
async function badBranch(t: TestChain, children: number): Promise<Block[]> {
  t.clock.advance(1000)
  const { fields } = await t.chain.buildBlock({ miner: minerAddress(), txs: [] })
  const out: Block[] = []
  let parent = { ...fields, stateRoot: new Uint8Array(32) }
  for (let i = 0; i <= children; i++) {
    const header = (await t.engine.seal(parent)) as Header
    out.push(new Block(header, []))
    parent = { ...parent, height: parent.height + 1n, parentHash: header.hash, timestamp: parent.timestamp + 1000n }
  }
  return out
}

const copyOf = (block: Block): Block => Block.fromBytes(block.bytes)

describe('a block that fails mid-reorg', () => {
  it('leaves the node on its old chain with its old state, marks the block invalid, and tells no listener', async () => {
    const a = await openTestChain()
    const old = await mineOn(a, 5, 0)
    const b = await openTestChain()
    b.clock.advance(500)
    const good = await mineOn(b, 3, 1)
    const [bad, ...children] = await badBranch(b, 2) // heights 4, 5, 6: the branch has more work than a's 5
    a.clock.set(b.clock.nowMs() + 10_000)
    const before = await headStateDigest(a.store)
    const changes: HeadChange[] = []
    a.chain.onHeadChange((change) => changes.push(change))

    for (const block of [...good, bad, children[0]] as Block[]) {
      expect((await a.chain.importBlock(copyOf(block), 'rpc')).status).toBe('side')
    }
    // The last child makes the branch the best: the walk goes back 5, forward 3, and fails at `bad`.
    await expect(a.chain.importBlock(copyOf(children[1] as Block), 'rpc')).rejects.toMatchObject({
      code: 'BLOCK_INVALID_ANCESTOR',
    })
    expect(a.chain.head.id).toBe((old.at(-1) as Block).id)
    expect(await headStateDigest(a.store)).toEqual(before)
    expect(a.chain.index.get((bad as Block).id)?.status).toBe('invalid')
    expect(changes).toEqual([]) // the head ended where it was: no head change happened
    await expect(a.chain.importBlock(copyOf(bad as Block), 'rpc')).rejects.toMatchObject({
      code: 'BLOCK_INVALID_ANCESTOR',
    })

    // The verdict is on disk: a restart neither retries the branch nor moves the head.
    const reopened = await openTestChain({ store: a.store, clock: a.clock })
    expect(reopened.chain.head.id).toBe((old.at(-1) as Block).id)
    expect(reopened.chain.index.get((bad as Block).id)?.status).toBe('invalid')
  })

  it('at open, an interrupted walk onto a branch with a bad block ends on the best valid prefix', async () => {
    const b = await openTestChain()
    b.clock.advance(500)
    const good = await mineOn(b, 3, 1)
    const [bad, child] = (await badBranch(b, 1)) as [Block, Block]
    // `side` holds a's 5 blocks and the whole branch (stored, never connected: it has no more work).
    const side = await openTestChain({ clock: new ManualClock(b.clock.nowMs() + 10_000) })
    const a = await mineOn(side, 5, 0)
    for (const block of [...good, bad, child]) await side.chain.importBlock(copyOf(block), 'rpc')
    // A node with only 2 of a's blocks, and the branch's records copied in as a crash might leave them.
    const store = new MemoryStore()
    const t = await openTestChain({ store, clock: side.clock })
    for (const block of a.slice(0, 2)) await t.chain.importBlock(copyOf(block), 'rpc')
    await t.chain.close()
    for (const block of [...good, bad, child]) {
      const ops = [layout.header(block.hash), layout.block(block.hash)].map(async (key) => ({
        type: 'put' as const,
        key,
        value: (await side.store.get(key)) as Uint8Array,
      }))
      await store.batch(await Promise.all(ops))
    }

    const reopened = await openTestChain({ store, clock: side.clock })
    // Back 2, forward 3, `bad` fails: the 3 good blocks carry more work than a's 2, so the head stays on them.
    expect(reopened.chain.head.id).toBe((good.at(-1) as Block).id)
    expect(reopened.chain.index.get(bad.id)?.status).toBe('invalid')
    expect(toHex(reopened.chain.head.header.fields.stateRoot)).toBe(
      toHex(b.chain.index.get(good[2]?.id as string)?.header.fields.stateRoot as Uint8Array),
    )
    expect(await headStateDigest(store)).toEqual(await headStateDigestAt(b, good.length))
  })
})

/** The head-determined store content of a node that only ever followed `t`'s chain up to `height`. */
async function headStateDigestAt(t: TestChain, height: number) {
  const copy = await openTestChain({ clock: new ManualClock(t.clock.nowMs()) })
  for (let h = 1; h <= height; h++) await copy.chain.importBlock(copyOf((await t.chain.getBlockAt(h)) as Block), 'rpc')
  return headStateDigest(copy.store)
}

describe('a store write that fails during a reorg (a full disk)', () => {
  it('at any step: the chain stops writing, says so once, and the next start finishes the reorg', async () => {
    const a = await openTestChain()
    const old = await mineOn(a, 4, 0)
    const b = await openTestChain()
    b.clock.advance(500)
    const winning = await mineOn(b, 5, 1)
    const clock = new ManualClock(b.clock.nowMs() + 10_000)
    const oldDigest = await headStateDigest(a.store)
    const newDigest = await headStateDigest(b.store)
    // The import of the last block writes: the block, 4 steps back, 5 forward.
    const batches = 1 + 4 + 5
    for (let ok = 0; ok < batches; ok++) {
      const inner = new MemoryStore()
      const store = new FailingStore(inner)
      const t = await openTestChain({ store, clock })
      for (const block of [...old, ...winning.slice(0, 4)]) await t.chain.importBlock(copyOf(block), 'rpc')
      const halts: StoreWriteError[] = []
      t.chain.onHalt((err) => halts.push(err))
      const changes: HeadChange[] = []
      t.chain.onHeadChange((change) => changes.push(change))
      store.failAfter(ok)

      const failed = await t.chain.importBlock(copyOf(winning.at(-1) as Block), 'rpc').catch((err: unknown) => err)
      expect(failed, `write ${ok + 1}`).toBeInstanceOf(StoreWriteError)
      expect(isVerifyError(failed)).toBe(false)
      expect((failed as StoreWriteError).diskFull).toBe(true)
      expect((failed as Error).message).toMatch(/the disk is full/)
      expect(halts).toEqual([failed])
      // Listeners hear of the steps that landed, as one head change.
      expect(changes.length).toBe(ok <= 1 ? 0 : 1)
      // The chain refuses further work instead of writing after a failed write.
      await expect(t.chain.importBlock(copyOf(winning[0] as Block), 'rpc')).rejects.toBeInstanceOf(ChainHaltedError)
      expect(store.failures).toBe(1)

      // A restart with space: a consistent chain, and the reorg finished if its block was stored.
      const restarted = await openTestChain({ store: inner, clock })
      const stored = ok >= 1
      expect(restarted.chain.head.id).toBe(stored ? (winning.at(-1) as Block).id : (old.at(-1) as Block).id)
      expect(await headStateDigest(inner)).toEqual(stored ? newDigest : oldDigest)
    }
  })

  it('a disk-full error from LevelDB (an IO error naming ENOSPC) is recognised as a full disk', () => {
    const level = new Error('IO error: /data/chain/000012.log: No space left on device')
    expect(new StoreWriteError(level).diskFull).toBe(true)
    expect(new StoreWriteError(diskFullError()).diskFull).toBe(true)
    expect(new StoreWriteError(new Error('IO error: permission denied')).diskFull).toBe(false)
  })
})

describe('a corrupt stored block', () => {
  it('is a StoreCorruptError naming its key, and sync charges the honest peer nothing', async () => {
    const local = await openTestChain()
    const mine = await mineOn(local, 3, 0)
    const peer = await openTestChain()
    peer.clock.advance(500)
    await mineOn(peer, 5, 1)
    local.clock.set(peer.clock.nowMs() + 10_000)
    const top = mine.at(-1) as Block
    await local.store.batch([{ type: 'put', key: layout.block(top.hash), value: new Uint8Array([1, 2, 3]) }])

    // Straight from the chain: our fault, named, and no VerifyError.
    const side = await local.chain.getBlock(top.id).catch((err: unknown) => err)
    expect(side).toBeInstanceOf(StoreCorruptError)
    expect(isVerifyError(side)).toBe(false)
    expect((side as StoreCorruptError).key).toBe(`b/${toHex(top.hash)}`)

    // Through sync: the reorg needs the corrupt block; the run stops as our failure, not the peer's.
    const s = new SimScheduler({ seed: 3, startMs: 0 })
    const fns = fakeFns(local, [{ id: 'honest', chain: peer, latencyMs: () => 1 }], s)
    const logged: string[] = []
    const sync = new Synchronizer(fns, {
      clock: s,
      timers: s,
      rng: s.rng,
      log: (msg, fields) => logged.push(`${msg} ${JSON.stringify(fields)}`),
    })
    await drive(s, sync.sync())
    expect(fns.reports).toEqual([])
    expect(logged.some((line) => line.includes('StoreCorruptError'))).toBe(true)
    expect(local.chain.head.id).toBe(top.id)
  })
})
