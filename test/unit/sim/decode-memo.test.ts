import { describe, expect, it } from 'vitest'
import { DecodeError } from '../../../src/ledger/errors.js'
import { SharedDecodeMemo } from '../../../src/sim/decode-memo.js'
import { blockOf, signedTx } from '../ledger/fixtures.js'

const tx = signedTx({ nonce: 0n })
const block = blockOf([signedTx({ nonce: 0n }, 1), signedTx({ nonce: 0n }, 2)])
const LIMITS = { blockBytesMax: 1 << 20, blockTxsMax: 100 }

describe('SharedDecodeMemo', () => {
  it('decodes one bytes object once and hands every caller the same Tx', () => {
    const memo = new SharedDecodeMemo()
    const bytes = tx.bytes.slice()
    const a = memo.tx(bytes, 1024)
    const b = memo.tx(bytes, 1024)
    expect(a).toBe(b)
    expect(a.id).toBe(tx.id)
    expect(memo.decodes).toBe(1)
  })

  it('decodes equal bytes in another object again (keyed by identity, never by look)', () => {
    const memo = new SharedDecodeMemo()
    const a = memo.tx(tx.bytes.slice(), 1024)
    const b = memo.tx(tx.bytes.slice(), 1024)
    expect(a).not.toBe(b)
    expect(a.id).toBe(b.id)
    expect(memo.decodes).toBe(2)
  })

  it('shares a block, its txs and its computed tx root', () => {
    const memo = new SharedDecodeMemo()
    const bytes = block.bytes.slice()
    const a = memo.block(bytes, LIMITS)
    const b = memo.block(bytes, LIMITS)
    expect(b).toBe(a)
    expect(b.txs).toBe(a.txs)
    expect(a.id).toBe(block.id)
    expect(a.computedTxRoot).toEqual(block.computedTxRoot)
    expect(memo.decodes).toBe(1)
  })

  it('remembers a failed decode and throws its DecodeError to every caller', () => {
    const memo = new SharedDecodeMemo()
    const junk = new Uint8Array([0xff, 0xff, 0xff])
    let first: unknown
    try {
      memo.block(junk, LIMITS)
    } catch (err) {
      first = err
    }
    expect(first).toBeInstanceOf(DecodeError)
    expect(() => memo.block(junk, LIMITS)).toThrow(first as Error)
    expect(memo.decodes).toBe(1)
  })

  it('refuses a second set of limits (one run, one genesis)', () => {
    const memo = new SharedDecodeMemo()
    memo.tx(tx.bytes.slice(), 1024)
    expect(() => memo.tx(tx.bytes.slice(), 2048)).toThrow(/limit/)
    memo.block(block.bytes.slice(), LIMITS)
    expect(() => memo.block(block.bytes.slice(), { ...LIMITS, blockTxsMax: 99 })).toThrow(/limits/)
  })
})
