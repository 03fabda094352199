/** Each block rule enforced by Chain.importBlock, with its exact code; the head never moves on a bad block. */
import { describe, expect, it } from 'vitest'
import { Block, Header, type HeaderFields } from '../../../src/ledger/block.js'
import { bigintToBytes, bytesToBigint } from '../../../src/util/bytes.js'
import { mineBlock, minerAddress, openTestChain, type TestChain, testGenesis, transfer } from '../../helpers/chain.js'

/** A template on the head, changed by `edit`, sealed, as a block. */
async function craft(
  t: TestChain,
  txs: ReturnType<typeof transfer>[],
  edit: (f: HeaderFields) => HeaderFields = (f) => f,
  blockTxs?: ReturnType<typeof transfer>[],
): Promise<Block> {
  t.clock.advance(1000)
  const { fields, txs: included } = await t.chain.buildBlock({ miner: minerAddress(), txs })
  const header = await t.engine.seal(edit(fields))
  if (!header) throw new Error('aborted')
  return new Block(header, blockTxs ?? included)
}

async function expectRejected(t: TestChain, block: Block, code: string) {
  const before = t.chain.head.id
  await expect(t.chain.importBlock(block, 'rpc')).rejects.toMatchObject({ code })
  expect(t.chain.head.id).toBe(before)
}

describe('block rules at import', () => {
  it('accepts a valid block', async () => {
    const t = await openTestChain()
    const b = await craft(t, [transfer(0, 1, 0n)])
    expect((await t.chain.importBlock(b, 'rpc')).status).toBe('head')
  })

  it('BLOCK_KNOWN for a block already stored', async () => {
    const t = await openTestChain()
    const b = await craft(t, [])
    await t.chain.importBlock(b, 'rpc')
    await expectRejected(t, b, 'BLOCK_KNOWN')
  })

  it('BLOCK_BAD_STATE_ROOT when the state root does not match the txs', async () => {
    const t = await openTestChain()
    const b = await craft(t, [transfer(0, 1, 0n)], (f) => ({ ...f, stateRoot: new Uint8Array(32).fill(7) }))
    await expectRejected(t, b, 'BLOCK_BAD_STATE_ROOT')
  })

  it('BLOCK_BAD_REWARD when the miner claims more than subsidy + fees', async () => {
    const t = await openTestChain()
    const b = await craft(t, [transfer(0, 1, 0n)], (f) => ({ ...f, reward: f.reward + 1n }))
    await expectRejected(t, b, 'BLOCK_BAD_REWARD')
  })

  it('BLOCK_BAD_TX_ROOT when the body does not match the header', async () => {
    const t = await openTestChain()
    const b = await craft(t, [transfer(0, 1, 0n)], undefined, [transfer(0, 1, 0n, 999n)])
    await expectRejected(t, b, 'BLOCK_BAD_TX_ROOT')
  })

  it('BLOCK_INVALID_TX (TX_NONCE_TOO_HIGH) for a tx out of nonce order', async () => {
    const t = await openTestChain()
    const good = await craft(t, [transfer(0, 1, 0n)])
    const tx = transfer(0, 1, 5n)
    const { txRootOf } = await import('../../../src/ledger/block.js')
    const b = new Block((await t.engine.seal({ ...good.header.fields, txRoot: txRootOf([tx]) })) as Header, [tx])
    await expect(t.chain.importBlock(b, 'rpc')).rejects.toMatchObject({
      code: 'BLOCK_INVALID_TX',
      cause: { code: 'TX_NONCE_TOO_HIGH' },
    })
  })

  it('BLOCK_INVALID_TX (TX_BAD_SIGNATURE) for a forged signature', async () => {
    const t = await openTestChain()
    const honest = transfer(0, 1, 0n)
    const sig = new Uint8Array(honest.fields.signature)
    sig[3] = (sig[3] as number) ^ 1
    const { Tx } = await import('../../../src/ledger/tx.js')
    const forged = Tx.fromFields({ ...honest.fields, signature: sig })
    const b = await craft(t, [honest], (f) => f, [forged])
    // the tx root covers the forged tx's hash, so fix it to reach the signature rule
    const { txRootOf } = await import('../../../src/ledger/block.js')
    const sealed = (await t.engine.seal({ ...b.header.fields, txRoot: txRootOf([forged]) })) as Header
    await expect(t.chain.importBlock(new Block(sealed, [forged]), 'rpc')).rejects.toMatchObject({
      code: 'BLOCK_INVALID_TX',
      cause: { code: 'TX_BAD_SIGNATURE' },
    })
  })

  it('BLOCK_BAD_HEIGHT when the height is not parent + 1', async () => {
    const t = await openTestChain()
    const b = await craft(t, [], (f) => ({ ...f, height: 2n }))
    await expectRejected(t, b, 'BLOCK_BAD_HEIGHT')
  })

  it('BLOCK_TIME_TOO_OLD at or before the median of the last blocks', async () => {
    const t = await openTestChain()
    for (let i = 0; i < 3; i++) await t.chain.importBlock(await mineBlock(t), 'rpc')
    const mtpBlock = await t.chain.getBlockAt(2) // median of heights 0..3 is height 2's timestamp
    const b = await craft(t, [], (f) => ({ ...f, timestamp: mtpBlock!.header.fields.timestamp }))
    await expectRejected(t, b, 'BLOCK_TIME_TOO_OLD')
    const ok = await craft(t, [], (f) => ({ ...f, timestamp: mtpBlock!.header.fields.timestamp + 1n }))
    expect((await t.chain.importBlock(ok, 'rpc')).status).toBe('head')
  })

  it('BLOCK_TIME_TOO_NEW beyond the allowed drift ahead of our clock', async () => {
    const t = await openTestChain()
    const drift = BigInt(t.genesis.params.maxFutureDriftMs)
    const b = await craft(t, [], (f) => ({ ...f, timestamp: BigInt(t.clock.nowMs()) + drift + 1n }))
    await expectRejected(t, b, 'BLOCK_TIME_TOO_NEW')
    const ok = await craft(t, [], (f) => ({ ...f, timestamp: BigInt(t.clock.nowMs()) + drift }))
    expect((await t.chain.importBlock(ok, 'rpc')).status).toBe('head')
  })

  it('BLOCK_BAD_TARGET when the target is not the retarget rule output', async () => {
    const t = await openTestChain()
    const b = await craft(t, [], (f) => ({ ...f, target: bigintToBytes((1n << 256n) - 1n) }))
    await expectRejected(t, b, 'BLOCK_BAD_TARGET')
  })

  it('BLOCK_BAD_POW when the hash is above the target', async () => {
    const t = await openTestChain()
    t.clock.advance(1000)
    const { fields } = await t.chain.buildBlock({ miner: minerAddress(), txs: [] })
    let nonce = 0n
    let header = Header.fromFields(fields)
    while (bytesToBigint(header.hash) <= header.target) header = Header.fromFields({ ...fields, nonce: ++nonce })
    await expectRejected(t, new Block(header, []), 'BLOCK_BAD_POW')
  })

  it('checks the proof of work of a block with an unknown parent before holding it as an orphan', async () => {
    const t = await openTestChain()
    t.clock.advance(1000)
    const { fields } = await t.chain.buildBlock({ miner: minerAddress(), txs: [] })
    const orphanFields = { ...fields, height: 5n, parentHash: new Uint8Array(32).fill(9) }
    let nonce = 0n
    let header = Header.fromFields(orphanFields)
    while (bytesToBigint(header.hash) <= header.target) header = Header.fromFields({ ...orphanFields, nonce: ++nonce })
    await expect(t.chain.importBlock(new Block(header, []), 'rpc')).rejects.toMatchObject({ code: 'BLOCK_BAD_POW' })
    expect(t.chain.orphanCount).toBe(0)
    const easier = Header.fromFields({ ...orphanFields, target: bigintToBytes((1n << 256n) - 1n) })
    const limited = await openTestChain({ genesis: testGenesis({ powLimit: 1n << 255n }) })
    await expect(limited.chain.importBlock(new Block(easier, []), 'rpc')).rejects.toMatchObject({
      code: 'BLOCK_BAD_TARGET',
    })
    const sealed = (await t.engine.seal(orphanFields)) as Header
    expect((await t.chain.importBlock(new Block(sealed, []), 'rpc')).status).toBe('orphan')
    expect(t.chain.orphanCount).toBe(1)
  })

  it('BLOCK_DUPLICATE_TX for the same tx twice', async () => {
    const t = await openTestChain()
    const tx = transfer(0, 1, 0n)
    const { txRootOf } = await import('../../../src/ledger/block.js')
    const b = await craft(t, [], (f) => ({ ...f, txRoot: txRootOf([tx, tx]) }), [tx, tx])
    await expectRejected(t, b, 'BLOCK_DUPLICATE_TX')
  })

  it('marks a side-branch block invalid when it fails to connect, and refuses its descendants', async () => {
    const a = await openTestChain()
    const b = await openTestChain()
    b.clock.advance(500)
    const mainA = await mineBlock(a)
    await a.chain.importBlock(mainA, 'rpc')
    // b's branch: a block with a wrong state root on top of a valid one; side branch until it has more work.
    const good = await mineBlock(b)
    await b.chain.importBlock(good, 'rpc')
    b.clock.advance(1000)
    const { fields } = await b.chain.buildBlock({ miner: minerAddress(), txs: [] })
    const bad = new Block((await b.engine.seal({ ...fields, stateRoot: new Uint8Array(32) })) as Header, [])
    a.clock.set(b.clock.nowMs())
    expect((await a.chain.importBlock(good, 'rpc')).status).toBe('side')
    await expect(a.chain.importBlock(bad, 'rpc')).rejects.toMatchObject({ code: 'BLOCK_BAD_STATE_ROOT' })
    expect(a.chain.head.id).toBe(mainA.id)
    const child = new Block(
      (await b.engine.seal({
        ...fields,
        height: 3n,
        parentHash: bad.hash,
        timestamp: fields.timestamp + 1n,
      })) as Header,
      [],
    )
    await expect(a.chain.importBlock(child, 'rpc')).rejects.toMatchObject({ code: 'BLOCK_INVALID_ANCESTOR' })
    await expect(a.chain.importBlock(bad, 'rpc')).rejects.toMatchObject({ code: 'BLOCK_INVALID_ANCESTOR' })
  })

  it('refuses a store that belongs to another genesis', async () => {
    const t = await openTestChain()
    const { Chain } = await import('../../../src/chain/chain.js')
    const other = testGenesis({ blockTimeMs: 1234 })
    await expect(
      Chain.open({
        store: t.store,
        genesis: other,
        engine: t.engine,
        clock: t.clock,
        signatures: { verifyTxs: async () => -1 },
      }),
    ).rejects.toMatchObject({ name: 'ChainStoreError' })
  })

  it('refuses a store made from a genesis that differs only in its allocation, and reopens its own', async () => {
    const t = await openTestChain()
    const { Chain } = await import('../../../src/chain/chain.js')
    const base = testGenesis()
    const richer = { ...base, alloc: base.alloc.map((a, i) => (i === 0 ? { ...a, balance: a.balance + 1n } : a)) }
    const deps = { store: t.store, engine: t.engine, clock: t.clock, signatures: { verifyTxs: async () => -1 } }
    await expect(Chain.open({ ...deps, genesis: richer })).rejects.toThrow('made from another genesis file')
    const again = await Chain.open({ ...deps, genesis: base })
    expect(again.genesisBlock.id).toBe(t.chain.genesisBlock.id)
    expect(again.head.id).toBe(t.chain.head.id)
  })
})
