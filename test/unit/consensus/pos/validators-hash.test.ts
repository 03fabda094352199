/**
 * The header rule that lets a light client follow validator sets: every
 * proof-of-stake header carries `validatorsHash`, the hash of the set that
 * signs the next height, so the last block of an epoch commits to the next
 * epoch's set. Full nodes refuse a block whose hash is wrong or missing.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { genesisValidatorsHash } from '../../../../src/chain/genesis-block.js'
import { Block } from '../../../../src/ledger/block.js'
import { VerifyError } from '../../../../src/ledger/errors.js'
import { COIN } from '../../../../src/ledger/genesis.js'
import { checkHeaderFields } from '../../../../src/ledger/rules/block.js'
import { toHex } from '../../../../src/util/bytes.js'
import {
  commitBlock,
  commitOf,
  NEWCOMER,
  openPosHarness,
  POS_EPOCH,
  type PosHarness,
  posGenesis,
  proposeBlock,
  stakeTx,
} from './pos-harness.js'

const open: PosHarness[] = []
afterEach(async () => {
  for (const h of open.splice(0)) await h.chain.close()
})

async function harness(): Promise<PosHarness> {
  const h = await openPosHarness()
  open.push(h)
  return h
}

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(VerifyError)
  return (err as VerifyError).code
}

/** `block` with its validatorsHash replaced, resealed. */
async function withHash(h: PosHarness, block: Block, validatorsHash: Uint8Array): Promise<Block> {
  return new Block(await h.engine.seal({ ...block.header.fields, validatorsHash }), block.txs)
}

describe('validatorsHash: each proof-of-stake header commits to the next height’s set', () => {
  it('the genesis commits to the genesis set, and each block to the set of the height after it, across an epoch change', async () => {
    const h = await harness()
    const genesis = h.chain.head.header
    expect(genesis.height).toBe(0)
    expect(toHex(genesis.fields.validatorsHash ?? new Uint8Array(0))).toBe(toHex(genesisValidatorsHash(posGenesis)))
    expect(toHex(genesisValidatorsHash(posGenesis))).toBe(toHex(h.engine.schedule.setAt(1).hash()))
    const blocks = [await commitBlock(h, [stakeTx(NEWCOMER, 500n * COIN, 0n)])]
    for (let i = 1; i < POS_EPOCH + 1; i++) blocks.push(await commitBlock(h))
    for (const block of blocks) {
      expect(toHex(block.header.fields.validatorsHash ?? new Uint8Array(0))).toBe(
        toHex(h.engine.schedule.setAt(block.height + 1).hash()),
      )
    }
    // the epoch's last block (height 3) commits to a set that differs from its own: the newcomer joined
    const last = blocks[POS_EPOCH - 2] as Block
    expect(last.height).toBe(POS_EPOCH - 1)
    expect(toHex(last.header.fields.validatorsHash as Uint8Array)).not.toBe(toHex(h.engine.schedule.setAt(3).hash()))
  })

  it('refuses a block that commits to another set, inside an epoch and at its end', async () => {
    const h = await harness()
    const mid = await proposeBlock(h)
    const wrong = await withHash(h, mid, new Uint8Array(32).fill(7))
    expect(await refusal(h.chain.checkCandidate(wrong))).toBe('BLOCK_BAD_VALIDATORS_HASH')
    expect(await refusal(h.chain.importBlock(wrong, 'gossip', commitOf(h, wrong)))).toBe('BLOCK_BAD_VALIDATORS_HASH')
    await h.chain.importBlock(mid, 'gossip', commitOf(h, mid))
    await commitBlock(h, [stakeTx(NEWCOMER, 500n * COIN, 0n)])
    // height 3 ends epoch 0: it must commit to the set the state chose (with the newcomer), not the old one
    const end = await proposeBlock(h)
    expect(end.height).toBe(POS_EPOCH - 1)
    const stale = await withHash(h, end, h.engine.schedule.setAt(end.height).hash())
    expect(await refusal(h.chain.importBlock(stale, 'gossip', commitOf(h, stale)))).toBe('BLOCK_BAD_VALIDATORS_HASH')
    expect((await h.chain.importBlock(end, 'gossip', commitOf(h, end))).status).toBe('head')
  })

  it('a proof-of-stake header without a 32-byte validatorsHash is malformed, and a proof-of-work header with one', async () => {
    const h = await harness()
    const block = await proposeBlock(h)
    const missing = await withHash(h, block, new Uint8Array(0))
    expect(await refusal(h.chain.importBlock(missing, 'gossip', commitOf(h, missing)))).toBe('BLOCK_BAD_FIELD')
    const short = await withHash(h, block, new Uint8Array(31))
    expect(await refusal(h.chain.importBlock(short, 'gossip', commitOf(h, short)))).toBe('BLOCK_BAD_FIELD')
    expect(() => checkHeaderFields(block.header, 1, false)).toThrow(/validatorsHash is 32 bytes in a proof-of-work/)
    expect(() => checkHeaderFields(block.header, 1, true)).not.toThrow()
  })
})
