/** A failed store write stops the node: one clear line, the node closed, a non-zero exit, once. */
import { describe, expect, it } from 'vitest'
import { ChainStoreError, StoreWriteError } from '../../../src/chain/chain.js'
import { Block } from '../../../src/ledger/block.js'
import { STORE_FAILURE_EXIT_CODE, stopOnStoreFailure } from '../../../src/node/store-failure.js'
import { MemoryStore } from '../../../src/storage/memory.js'
import { mineBlock, openTestChain } from '../../helpers/chain.js'
import { FailingStore } from '../../helpers/instrumented-store.js'
import { headStateDigest } from '../../helpers/store-state.js'

describe('stopOnStoreFailure', () => {
  it('on a full disk: one error line saying so, then the node stops and the process exits non-zero', async () => {
    const inner = new MemoryStore()
    const store = new FailingStore(inner)
    const t = await openTestChain({ store })
    await t.chain.importBlock(await mineBlock(t), 'rpc')
    const digest = await headStateDigest(inner)
    const lines: Array<{ msg: string; fields?: Record<string, unknown> }> = []
    const events: string[] = []
    let exited: (code: number) => void = () => {}
    const exit = new Promise<number>((resolve) => {
      exited = resolve
    })
    stopOnStoreFailure({
      onHalt: (listener) => t.chain.onHalt(listener),
      log: { error: (msg, fields) => lines.push({ msg, fields }) },
      stop: async () => {
        events.push('stop')
        await t.chain.close()
      },
      exit: (code) => {
        events.push(`exit ${code}`)
        exited(code)
      },
    })

    store.failAfter(0)
    const block = await mineBlock(t)
    await expect(t.chain.importBlock(block, 'rpc')).rejects.toBeInstanceOf(StoreWriteError)
    expect(await exit).toBe(STORE_FAILURE_EXIT_CODE)
    expect(STORE_FAILURE_EXIT_CODE).not.toBe(0)
    expect(events).toEqual(['stop', `exit ${STORE_FAILURE_EXIT_CODE}`])
    expect(lines).toHaveLength(1)
    expect(lines[0]?.msg).toMatch(/^the disk is full: the node stops; free space and start it again/)
    // One line, no stack trace: the reason is the error's message.
    expect(String(lines[0]?.fields?.error)).not.toMatch(/\n\s+at /)

    // Nothing more is written or logged; the store holds the chain as it was, and opens.
    await expect(t.chain.importBlock(Block.fromBytes(block.bytes), 'rpc')).rejects.toBeInstanceOf(ChainStoreError)
    expect(lines).toHaveLength(1)
    expect(store.failures).toBe(1)
    expect(await headStateDigest(inner)).toEqual(digest)
    const restarted = await openTestChain({ store: inner })
    expect(restarted.chain.head.height).toBe(1)
    expect((await restarted.chain.importBlock(Block.fromBytes(block.bytes), 'rpc')).status).toBe('head')
  })
})
