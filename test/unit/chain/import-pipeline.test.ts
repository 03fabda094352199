/**
 * The import pipeline: a block's signatures are checked while the blocks before
 * it are applied (once per block), an orphan's are not checked at all, and
 * head changes from sync are fsynced at most once a second.
 */
import { describe, expect, it } from 'vitest'
import { SYNC_FSYNC_INTERVAL_MS } from '../../../src/chain/chain.js'
import { Block } from '../../../src/ledger/block.js'
import { firstBadSignature } from '../../../src/ledger/rules/tx.js'
import type { Tx } from '../../../src/ledger/tx.js'
import type { BatchOp } from '../../../src/storage/kv.js'
import { MemoryStore } from '../../../src/storage/memory.js'
import { mineBlock, openTestChain, type TestChain, transfer } from '../../helpers/chain.js'

/** Three blocks of one transfer each, mined on a producer chain. */
async function producedBlocks(n = 3): Promise<{ producer: TestChain; blocks: Block[] }> {
  const producer = await openTestChain()
  const blocks: Block[] = []
  for (let i = 0; i < n; i++) {
    const block = await mineBlock(producer, [transfer(0, 1, BigInt(i))])
    await producer.chain.importBlock(block, 'mined')
    blocks.push(Block.fromBytes(block.bytes))
  }
  return { producer, blocks }
}

/** A signature checker whose answers the test releases by hand, recording each call. */
function heldSignatures() {
  const calls: Tx[][] = []
  const pending: Array<() => void> = []
  return {
    calls,
    releaseAll: () => {
      for (const release of pending.splice(0)) release()
    },
    verifyTxs: (txs: readonly Tx[]) => {
      calls.push([...txs])
      return new Promise<number>((resolve) => pending.push(() => resolve(firstBadSignature(txs))))
    },
  }
}

describe('import pipeline', () => {
  it('starts every queued block’s signature check at once, and checks each block once', async () => {
    const { producer, blocks } = await producedBlocks()
    const signatures = heldSignatures()
    const t = await openTestChain({ signatures, clock: producer.clock })
    const imports = blocks.map((b) => t.chain.importBlock(b, 'gossip'))
    // Block 1 is not applied yet (its check is held), and the checks of blocks 2 and 3 already run.
    expect(signatures.calls.map((txs) => txs[0]?.id)).toEqual(blocks.map((b) => b.txs[0]?.id))
    const released = setInterval(signatures.releaseAll, 1)
    try {
      await Promise.all(imports)
    } finally {
      clearInterval(released)
    }
    expect(t.chain.head.id).toBe(blocks[2]?.id)
    expect(signatures.calls).toHaveLength(3)
  })

  it('checks no signature of an orphan before its parent arrives', async () => {
    const { producer, blocks } = await producedBlocks()
    const signatures = heldSignatures()
    const t = await openTestChain({ signatures, clock: producer.clock })
    const orphan = blocks[2] as Block
    expect(await t.chain.importBlock(orphan, 'gossip')).toEqual({ status: 'orphan' })
    expect(signatures.calls).toHaveLength(0)
  })

  it('reports a bad signature found ahead of the import from the import itself', async () => {
    const { producer, blocks } = await producedBlocks(1)
    const t = await openTestChain({
      clock: producer.clock,
      signatures: { verifyTxs: async () => 0 },
    })
    await expect(t.chain.importBlock(blocks[0] as Block, 'gossip')).rejects.toMatchObject({ code: 'BLOCK_INVALID_TX' })
  })

  it('fsyncs every head change, except sync’s: those at most once a second', async () => {
    const { producer, blocks } = await producedBlocks(4)
    const syncFlags: boolean[] = []
    class RecordingStore extends MemoryStore {
      override async batch(ops: BatchOp[], opts: { sync?: boolean } = {}): Promise<void> {
        if (ops.some((op) => op.type === 'put' && op.key[0] === 'm'.charCodeAt(0))) syncFlags.push(opts.sync ?? false)
        return super.batch(ops)
      }
    }
    const t = await openTestChain({ store: new RecordingStore(), clock: producer.clock })
    syncFlags.length = 0
    await t.chain.importBlock(blocks[0] as Block, 'sync')
    await t.chain.importBlock(blocks[1] as Block, 'sync')
    t.clock.advance(SYNC_FSYNC_INTERVAL_MS)
    await t.chain.importBlock(blocks[2] as Block, 'sync')
    await t.chain.importBlock(blocks[3] as Block, 'gossip')
    expect(syncFlags).toEqual([true, false, true, true])
  })
})
