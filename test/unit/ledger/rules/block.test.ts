import { describe, expect, it } from 'vitest'
import { Block, Header } from '../../../../src/ledger/block.js'
import { BlockTxError } from '../../../../src/ledger/errors.js'
import {
  checkBlockBody,
  checkHeaderContext,
  checkHeaderFields,
  type HeaderContext,
  medianTimePast,
} from '../../../../src/ledger/rules/block.js'
import { Tx } from '../../../../src/ledger/tx.js'
import { blockOf, bytesOf, CHAIN_ID, expectVerifyError, headerFields, limits, signedTx, txFields } from '../fixtures.js'

describe('checkHeaderFields', () => {
  it('accepts a well-formed header', () => {
    expect(() => checkHeaderFields(Header.fromFields(headerFields()))).not.toThrow()
  })

  it.each([0, 2, 0xffffffff])('BLOCK_BAD_VERSION: version %i', (version) => {
    expectVerifyError(
      () => checkHeaderFields(Header.fromFields(headerFields({ version }))),
      'BLOCK_BAD_VERSION',
      'reject',
    )
  })

  it.each([
    ['parentHash', 0],
    ['parentHash', 31],
    ['txRoot', 31],
    ['txRoot', 33],
    ['stateRoot', 0],
    ['stateRoot', 33],
    ['target', 31],
    ['target', 33],
    ['miner', 0],
    ['miner', 19],
    ['miner', 21],
  ] as const)('BLOCK_BAD_FIELD: %s of %i bytes', (field, length) => {
    const header = Header.fromFields(headerFields({ [field]: bytesOf(length, 1) }))
    const err = expectVerifyError(() => checkHeaderFields(header), 'BLOCK_BAD_FIELD', 'reject')
    expect(err.message).toContain(field)
  })
})

describe('medianTimePast', () => {
  it('is the middle of the sorted timestamps', () => {
    expect(medianTimePast([5, 1, 4, 2, 3])).toBe(3)
    expect(medianTimePast([100, 50, 75])).toBe(75)
    expect(medianTimePast([7])).toBe(7)
    expect(medianTimePast([9, 9, 1, 9, 1])).toBe(9)
  })

  it('takes the upper middle of an even count and 0 for none', () => {
    expect(medianTimePast([4, 1, 3, 2])).toBe(3)
    expect(medianTimePast([])).toBe(0)
  })

  it('sorts numerically, not as strings, and leaves its input alone', () => {
    const input = [1000, 200, 30]
    expect(medianTimePast(input)).toBe(200)
    expect(input).toEqual([1000, 200, 30])
  })
})

describe('checkHeaderContext', () => {
  const parent = Header.fromFields(headerFields({ height: 10n, timestamp: 1_000_000n }))
  const ctx: HeaderContext = { parent, medianTimePastMs: 990_000, nowMs: 2_000_000, maxFutureDriftMs: 15_000 }
  const child = (height: bigint, timestamp: bigint): Header => Header.fromFields(headerFields({ height, timestamp }))

  it('accepts the next height with a timestamp inside the window', () => {
    expect(() => checkHeaderContext(child(11n, 1_000_001n), ctx)).not.toThrow()
  })

  it.each([10n, 12n, 0n, 9n])('BLOCK_BAD_HEIGHT: height %s after parent 10', (height) => {
    expectVerifyError(() => checkHeaderContext(child(height, 1_500_000n), ctx), 'BLOCK_BAD_HEIGHT', 'reject')
  })

  it('BLOCK_TIME_TOO_OLD at exactly the median time past, and below it', () => {
    expectVerifyError(() => checkHeaderContext(child(11n, 990_000n), ctx), 'BLOCK_TIME_TOO_OLD', 'reject')
    expectVerifyError(() => checkHeaderContext(child(11n, 1n), ctx), 'BLOCK_TIME_TOO_OLD', 'reject')
    expect(() => checkHeaderContext(child(11n, 990_001n), ctx)).not.toThrow()
  })

  it('BLOCK_TIME_TOO_NEW one ms past the drift (ignored: it may become valid); the drift itself passes', () => {
    expectVerifyError(() => checkHeaderContext(child(11n, 2_015_001n), ctx), 'BLOCK_TIME_TOO_NEW', 'ignore')
    expectVerifyError(() => checkHeaderContext(child(11n, (1n << 64n) - 1n), ctx), 'BLOCK_TIME_TOO_NEW', 'ignore')
    expect(() => checkHeaderContext(child(11n, 2_015_000n), ctx)).not.toThrow()
  })
})

describe('checkBlockBody', () => {
  const ctx = { chainId: CHAIN_ID, limits: limits(), staking: false }
  const threeTxs = (): Tx[] => [signedTx({ nonce: 0n }, 0), signedTx({ nonce: 0n }, 1), signedTx({ nonce: 0n }, 2)]

  it('accepts an empty block and a block of valid txs', () => {
    expect(() => checkBlockBody(blockOf([]), ctx)).not.toThrow()
    expect(() => checkBlockBody(blockOf(threeTxs()), ctx)).not.toThrow()
  })

  it('BLOCK_TOO_MANY_TXS: more than blockTxsMax txs', () => {
    const block = blockOf(threeTxs())
    expectVerifyError(
      () => checkBlockBody(block, { ...ctx, limits: limits({ blockTxsMax: 2 }) }),
      'BLOCK_TOO_MANY_TXS',
      'reject',
    )
    expect(() => checkBlockBody(block, { ...ctx, limits: limits({ blockTxsMax: 3 }) })).not.toThrow()
  })

  it('BLOCK_TOO_LARGE: encoded block above blockBytesMax', () => {
    const block = blockOf(threeTxs())
    const size = block.bytes.byteLength
    expectVerifyError(
      () => checkBlockBody(block, { ...ctx, limits: limits({ blockBytesMax: size - 1 }) }),
      'BLOCK_TOO_LARGE',
      'reject',
    )
    expect(() => checkBlockBody(block, { ...ctx, limits: limits({ blockBytesMax: size }) })).not.toThrow()
  })

  it('BLOCK_TOO_LARGE counts the bytes the block arrived as', () => {
    const block = blockOf(threeTxs())
    const decoded = Block.fromBytes(block.bytes)
    expectVerifyError(
      () => checkBlockBody(decoded, { ...ctx, limits: limits({ blockBytesMax: block.bytes.byteLength - 1 }) }),
      'BLOCK_TOO_LARGE',
      'reject',
    )
  })

  it('BLOCK_BAD_TX_ROOT: root does not commit to the txs', () => {
    const txs = threeTxs()
    expectVerifyError(
      () => checkBlockBody(blockOf(txs, { txRoot: bytesOf(32, 0) }), ctx),
      'BLOCK_BAD_TX_ROOT',
      'reject',
    )
    // same txs, different order
    const reordered = new Block(blockOf(txs).header, [txs[1]!, txs[0]!, txs[2]!])
    expectVerifyError(() => checkBlockBody(reordered, ctx), 'BLOCK_BAD_TX_ROOT', 'reject')
    // a tx dropped
    const dropped = new Block(blockOf(txs).header, txs.slice(0, 2))
    expectVerifyError(() => checkBlockBody(dropped, ctx), 'BLOCK_BAD_TX_ROOT', 'reject')
  })

  it('BLOCK_DUPLICATE_TX: the same tx twice, even under a matching root', () => {
    const tx = signedTx()
    const err = expectVerifyError(
      () => checkBlockBody(blockOf([tx, signedTx({}, 1), tx]), ctx),
      'BLOCK_DUPLICATE_TX',
      'reject',
    )
    expect(err.message).toContain(tx.id)
  })

  it('BLOCK_INVALID_TX: wraps a stateless tx error with its index, always reject', () => {
    const bad = signedTx({ fee: 0n }, 1) // TX_FEE_TOO_LOW is `ignore` on its own
    const err = expectVerifyError(
      () => checkBlockBody(blockOf([signedTx({}, 0), bad, signedTx({}, 2)]), ctx),
      'BLOCK_INVALID_TX',
      'reject',
    )
    expect(err).toBeInstanceOf(BlockTxError)
    const wrapped = err as BlockTxError
    expect(wrapped.txIndex).toBe(1)
    expect(wrapped.cause.code).toBe('TX_FEE_TOO_LOW')
    expect(wrapped.cause.verdict).toBe('ignore')
    expect(wrapped.message).toContain('tx 1')
  })

  it.each([
    ['TX_WRONG_CHAIN', Tx.fromFields(txFields({ chainId: 'elsewhere' }))],
    ['TX_BAD_FIELD', Tx.fromFields(txFields({ recipient: bytesOf(3, 1) }))],
    ['TX_MEMO_TOO_LARGE', Tx.fromFields(txFields({ memo: bytesOf(257, 1) }))],
  ] as const)('BLOCK_INVALID_TX wraps %s at index 0', (code, tx) => {
    const err = expectVerifyError(() => checkBlockBody(blockOf([tx]), ctx), 'BLOCK_INVALID_TX', 'reject')
    expect((err as BlockTxError).txIndex).toBe(0)
    expect((err as BlockTxError).cause.code).toBe(code)
  })
})
