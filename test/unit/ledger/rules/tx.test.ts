import { describe, expect, it } from 'vitest'
import { checkTxSignature, checkTxStateless, firstBadSignature } from '../../../../src/ledger/rules/tx.js'
import { Tx } from '../../../../src/ledger/tx.js'
import { U64_MAX } from '../../../../src/util/bytes.js'
import { bytesOf, CHAIN_ID, expectVerifyError, limits, signedTx, testKey, txFields } from '../fixtures.js'

const ctx = { chainId: CHAIN_ID, limits: limits(), staking: false }

describe('checkTxStateless', () => {
  it('accepts a well-formed tx', () => {
    expect(() => checkTxStateless(signedTx(), ctx)).not.toThrow()
    expect(() => checkTxStateless(Tx.fromFields(txFields()), ctx)).not.toThrow()
  })

  it('TX_TOO_LARGE: encoded tx above txBytesMax', () => {
    const tx = signedTx({ memo: bytesOf(150, 7) })
    const small = {
      chainId: CHAIN_ID,
      staking: false,
      limits: limits({ txBytesMax: tx.bytes.byteLength - 1, memoBytesMax: 1024 }),
    }
    expectVerifyError(() => checkTxStateless(tx, small), 'TX_TOO_LARGE', 'reject')
    const exact = {
      chainId: CHAIN_ID,
      staking: false,
      limits: limits({ txBytesMax: tx.bytes.byteLength, memoBytesMax: 1024 }),
    }
    expect(() => checkTxStateless(tx, exact)).not.toThrow()
  })

  it('TX_MEMO_TOO_LARGE: memo above memoBytesMax', () => {
    const tight = { chainId: CHAIN_ID, staking: false, limits: limits({ memoBytesMax: 10 }) }
    expectVerifyError(() => checkTxStateless(signedTx({ memo: bytesOf(11, 1) }), tight), 'TX_MEMO_TOO_LARGE', 'reject')
    expect(() => checkTxStateless(signedTx({ memo: bytesOf(10, 1) }), tight)).not.toThrow()
  })

  it.each([
    ['senderPubKey', 0],
    ['senderPubKey', 31],
    ['senderPubKey', 33],
    ['recipient', 0],
    ['recipient', 19],
    ['recipient', 21],
    ['signature', 0],
    ['signature', 63],
    ['signature', 65],
  ] as const)('TX_BAD_FIELD: %s of %i bytes', (field, length) => {
    const tx = Tx.fromFields(txFields({ [field]: bytesOf(length, 5) }))
    const err = expectVerifyError(() => checkTxStateless(tx, ctx), 'TX_BAD_FIELD', 'reject')
    expect(err.message).toContain(`${length} bytes`)
  })

  it('TX_WRONG_CHAIN: chain id differs', () => {
    const err = expectVerifyError(
      () => checkTxStateless(signedTx({ chainId: 'other-chain' }), ctx),
      'TX_WRONG_CHAIN',
      'reject',
    )
    expect(err.message).toContain('other-chain')
  })

  it('TX_AMOUNT_OVERFLOW: amount + fee above u64', () => {
    expectVerifyError(
      () => checkTxStateless(signedTx({ amount: U64_MAX, fee: 1n }), ctx),
      'TX_AMOUNT_OVERFLOW',
      'reject',
    )
    expectVerifyError(
      () => checkTxStateless(signedTx({ amount: 1n << 63n, fee: 1n << 63n }), ctx),
      'TX_AMOUNT_OVERFLOW',
      'reject',
    )
    expect(() => checkTxStateless(signedTx({ amount: U64_MAX - 1n, fee: 1n }), ctx)).not.toThrow()
  })

  it('TX_FEE_TOO_LOW: fee below minFee is ignored, not punished', () => {
    expectVerifyError(() => checkTxStateless(signedTx({ fee: 0n }), ctx), 'TX_FEE_TOO_LOW', 'ignore')
    const pricey = { chainId: CHAIN_ID, staking: false, limits: limits({ minFee: 100n }) }
    expectVerifyError(() => checkTxStateless(signedTx({ fee: 99n }), pricey), 'TX_FEE_TOO_LOW', 'ignore')
    expect(() => checkTxStateless(signedTx({ fee: 100n }), pricey)).not.toThrow()
  })
})

describe('checkTxSignature', () => {
  const flipBit = (bytes: Uint8Array, index: number, bit = 0): Uint8Array => {
    const out = new Uint8Array(bytes)
    out[index] = (out[index] ?? 0) ^ (1 << bit)
    return out
  }

  it('accepts a tx signed by its sender', () => {
    expect(() => checkTxSignature(signedTx())).not.toThrow()
    expect(() => checkTxSignature(signedTx({ memo: bytesOf(40, 9), amount: 123n, nonce: 7n }, 3))).not.toThrow()
  })

  it.each([0, 31, 32, 63])('TX_BAD_SIGNATURE: one bit flipped in signature byte %i', (index) => {
    const good = signedTx()
    const tx = Tx.fromFields({ ...good.fields, signature: flipBit(good.fields.signature, index, index % 8) })
    expectVerifyError(() => checkTxSignature(tx), 'TX_BAD_SIGNATURE', 'reject')
  })

  it('TX_BAD_SIGNATURE: signed fields changed after signing', () => {
    const good = signedTx({ amount: 10n })
    for (const changed of [
      { amount: 11n },
      { amount: 10n ^ 1n },
      { fee: 2n },
      { nonce: 1n },
      { chainId: 'test-chaim' },
      { recipient: flipBit(good.fields.recipient, 0) },
      { memo: bytesOf(1, 0) },
      { kind: 1 },
      { payload: bytesOf(1, 0) },
    ]) {
      const tx = Tx.fromFields({ ...good.fields, ...changed })
      expectVerifyError(() => checkTxSignature(tx), 'TX_BAD_SIGNATURE', 'reject')
    }
  })

  it('TX_BAD_SIGNATURE: signature by a different key than senderPubKey', () => {
    const good = signedTx({}, 0)
    const tx = Tx.fromFields({ ...good.fields, senderPubKey: testKey(1).publicKey })
    expectVerifyError(() => checkTxSignature(tx), 'TX_BAD_SIGNATURE', 'reject')
  })

  it('TX_BAD_SIGNATURE: garbage key and signature bytes do not throw anything else', () => {
    for (const fields of [
      txFields(),
      txFields({ senderPubKey: bytesOf(32, 0xff) }),
      txFields({ senderPubKey: bytesOf(31, 1) }),
      txFields({ signature: new Uint8Array(0) }),
      txFields({ signature: bytesOf(64, 0xff) }),
    ]) {
      expectVerifyError(() => checkTxSignature(Tx.fromFields(fields)), 'TX_BAD_SIGNATURE', 'reject')
    }
  })
})

describe('firstBadSignature', () => {
  it('is -1 when every signature verifies, else the first failing index', () => {
    const good = [signedTx({}, 0), signedTx({}, 1), signedTx({}, 2)]
    expect(firstBadSignature([])).toBe(-1)
    expect(firstBadSignature(good)).toBe(-1)
    const forged = Tx.fromFields({ ...good[1]!.fields, amount: 1_000n })
    expect(firstBadSignature([good[0]!, forged, good[2]!, forged])).toBe(1)
    expect(firstBadSignature([good[0]!, good[1]!, Tx.fromFields(txFields())])).toBe(2)
  })
})
