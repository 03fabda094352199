import { describe, expect, it } from 'vitest'
import { Block, Header, txRootOf } from '../../../src/ledger/block.js'
import { encodeBlock, encodeHeader } from '../../../src/ledger/codec/codec.js'
import { sha256 } from '../../../src/ledger/crypto.js'
import { merkleRoot } from '../../../src/ledger/merkle.js'
import { bigintToBytes } from '../../../src/util/bytes.js'
import { blockOf, bytesOf, headerFields, hex, signedTx } from './fixtures.js'

describe('Header', () => {
  it('hashes its canonical encoding; id is the hex hash', () => {
    const header = Header.fromFields(headerFields({ nonce: 9n }))
    expect(hex(header.bytes)).toBe(hex(encodeHeader(header.fields)))
    expect(hex(header.hash)).toBe(hex(sha256(header.bytes)))
    expect(header.id).toBe(hex(header.hash))
    expect(Header.fromBytes(header.bytes).id).toBe(header.id)
  })

  it('exposes height, parent id, target and timestamp as numbers', () => {
    const header = Header.fromFields(
      headerFields({
        height: 77n,
        parentHash: bytesOf(32, 0x12),
        target: bigintToBytes(12345n),
        timestamp: 1_700_000_000_123n,
      }),
    )
    expect(header.height).toBe(77)
    expect(header.parentId).toBe('12'.repeat(32))
    expect(header.target).toBe(12345n)
    expect(header.timestampMs).toBe(1_700_000_000_123)
  })

  it('any field change changes the hash', () => {
    const base = Header.fromFields(headerFields()).id
    for (const change of [{ nonce: 1n }, { height: 2n }, { reward: 1n }, { stateRoot: bytesOf(32, 0) }]) {
      expect(Header.fromFields(headerFields(change)).id).not.toBe(base)
    }
  })
})

describe('Block', () => {
  it('encodes header then txs, and decodes back to the same ids', () => {
    const txs = [signedTx({}, 0), signedTx({}, 1)]
    const block = blockOf(txs)
    expect(hex(block.bytes)).toBe(hex(encodeBlock({ header: block.header.fields, txs: txs.map((t) => t.fields) })))
    const again = Block.fromBytes(block.bytes)
    expect(again.id).toBe(block.id)
    expect(again.hash).toEqual(block.hash)
    expect(again.height).toBe(block.height)
    expect(again.txs.map((t) => t.id)).toEqual(txs.map((t) => t.id))
  })

  it('the block id is the header id: the header commits to txs through txRoot', () => {
    const txs = [signedTx()]
    expect(blockOf(txs).id).toBe(blockOf(txs).header.id)
    expect(blockOf(txs).id).not.toBe(blockOf([]).id)
  })

  it('txRootOf is the Merkle root of the tx hashes', () => {
    const txs = [signedTx({}, 0), signedTx({}, 1), signedTx({}, 2)]
    expect(hex(txRootOf(txs))).toBe(hex(merkleRoot(txs.map((t) => t.hash))))
    expect(hex(txRootOf([]))).toBe(hex(merkleRoot([])))
  })
})
