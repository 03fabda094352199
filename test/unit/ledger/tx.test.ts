import { describe, expect, it } from 'vitest'
import { addressFromPublicKey } from '../../../src/ledger/address.js'
import { encodeTx } from '../../../src/ledger/codec/codec.js'
import { sha256, verify } from '../../../src/ledger/crypto.js'
import { signingBytes, Tx } from '../../../src/ledger/tx.js'
import { bytesOf, CHAIN_ID, hex, signedTx, testKey, txFields } from './fixtures.js'

const DOMAIN = 'peerchain/tx/v1\n'

describe('Tx', () => {
  it('create signs with the key and fills in the sender', () => {
    const key = testKey(5)
    const tx = signedTx({ amount: 7n, fee: 2n, nonce: 3n }, 5)
    expect(hex(tx.fields.senderPubKey)).toBe(hex(key.publicKey))
    expect(tx.fields.signature.byteLength).toBe(64)
    expect(tx.fields.memo.byteLength).toBe(0)
    expect(verify(key.publicKey, tx.signingBytes, tx.fields.signature)).toBe(true)
    expect(hex(tx.sender)).toBe(hex(addressFromPublicKey(key.publicKey)))
    expect(tx.senderHex).toBe(hex(tx.sender))
  })

  it('its id is the hex SHA-256 of its canonical bytes', () => {
    const tx = signedTx()
    expect(hex(tx.bytes)).toBe(hex(encodeTx(tx.fields)))
    expect(hex(tx.hash)).toBe(hex(sha256(tx.bytes)))
    expect(tx.id).toBe(hex(tx.hash))
  })

  it('fromBytes gives the same tx as the one encoded', () => {
    const tx = signedTx({ memo: bytesOf(12, 0x61) })
    const again = Tx.fromBytes(tx.bytes)
    expect(again.id).toBe(tx.id)
    expect(hex(again.sender)).toBe(hex(tx.sender))
    expect(again.fields.amount).toBe(tx.fields.amount)
  })

  it('signing bytes are a domain tag then the tx with an empty signature', () => {
    const tx = signedTx()
    const body = encodeTx({ ...tx.fields, signature: new Uint8Array(0) })
    const expected = new Uint8Array([...new TextEncoder().encode(DOMAIN), ...body])
    expect(hex(tx.signingBytes)).toBe(hex(expected))
    expect(hex(signingBytes(tx.fields))).toBe(hex(expected))
    // the signature is not covered, so replacing it does not change the signing bytes
    expect(hex(signingBytes({ ...tx.fields, signature: bytesOf(64, 1) }))).toBe(hex(expected))
  })

  it('signs over the chain id: the same transfer on another chain needs another signature', () => {
    const a = signedTx({ chainId: CHAIN_ID })
    const b = signedTx({ chainId: 'another-chain' })
    expect(hex(a.fields.signature)).not.toBe(hex(b.fields.signature))
    expect(verify(a.fields.senderPubKey, b.signingBytes, a.fields.signature)).toBe(false)
  })

  it('cost is amount + fee', () => {
    expect(Tx.fromFields(txFields({ amount: 40n, fee: 2n })).cost).toBe(42n)
  })
})
