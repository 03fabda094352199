/** Tx kinds: the names, the two new Transaction fields in the codec, and what a Tx makes of them. */
import { describe, expect, it } from 'vitest'
import { decodeTx, encodeTx } from '../../../src/ledger/codec/codec.js'
import * as pb from '../../../src/ledger/codec/peerchain.js'
import { verify } from '../../../src/ledger/crypto.js'
import { DecodeError } from '../../../src/ledger/errors.js'
import { Tx } from '../../../src/ledger/tx.js'
import { isTxKind, parseTxKind, TX_KIND, txKindName } from '../../../src/ledger/tx-kind.js'
import { addressOf, bytesOf, concat, hex, normalize, signedTx, thrownBy, txFields, varint } from './fixtures.js'

const u8 = (...bytes: number[]): Uint8Array => new Uint8Array(bytes)

describe('TX_KIND names', () => {
  it('round-trip through txKindName and parseTxKind', () => {
    for (const [name, kind] of Object.entries(TX_KIND)) {
      expect(txKindName(kind)).toBe(name)
      expect(parseTxKind(name)).toBe(kind)
      expect(isTxKind(kind)).toBe(true)
    }
    expect(TX_KIND).toEqual({ transfer: 0, stake: 1, unstake: 2, evidence: 3 })
  })

  it('an undefined kind has a readable name and no parse', () => {
    expect(txKindName(4)).toBe('unknown(4)')
    expect(isTxKind(4)).toBe(false)
    expect(isTxKind(-1)).toBe(false)
    expect(isTxKind(1.5)).toBe(false)
    for (const name of ['Stake', 'bond', '', '1', 'toString', '__proto__']) {
      expect(() => parseTxKind(name), name).toThrow(RangeError)
    }
  })
})

describe('a transfer keeps its bytes, id and signature', () => {
  // Signed by test key 0 before kind and payload existed (Ed25519 signatures are deterministic).
  const BEFORE_ID = '1c7304393d804e36b3699d1bd4357af419183da413afb1c609dd9f4c514c1712'
  const BEFORE_HEX =
    '0a0a746573742d636861696e12200d32ee7c70bfbe71e5dcea19d2545dbf07245e802089fa683cce9e34608e424f' +
    '1a1466a9d52e0042ea4a2862f135de5d95ae0dba2f2220d209280530073a0268694240d39f27ddcf240840643d' +
    'ac22cc2375382e7af6575c87ba1af854952f9de834d8012f2773e2a9173d5517f82ab8ca739d66b9a2d2b91ad588' +
    '8d096dbd427ef409'
  const spec = { recipient: addressOf(1), amount: 1234n, fee: 5n, nonce: 7n, memo: new TextEncoder().encode('hi') }

  it('one made now is byte for byte the one made before, kind given or not', () => {
    for (const tx of [signedTx(spec), signedTx({ ...spec, kind: TX_KIND.transfer, payload: new Uint8Array(0) })]) {
      expect(hex(tx.bytes)).toBe(BEFORE_HEX)
      expect(tx.id).toBe(BEFORE_ID)
      expect(tx.kind).toBe(TX_KIND.transfer)
      expect(tx.isTransfer).toBe(true)
    }
  })

  it('kind 0 and an empty payload encode to nothing', () => {
    const { kind: _k, payload: _p, ...old } = txFields()
    expect(hex(encodeTx(txFields()))).toBe(hex(pb.Transaction.encode(old as Partial<pb.Transaction>)))
  })

  it('decoding the bytes of before gives kind 0 and an empty payload', () => {
    const fields = decodeTx(Uint8Array.from(Buffer.from(BEFORE_HEX, 'hex')))
    expect(fields.kind).toBe(0)
    expect(fields.payload.byteLength).toBe(0)
  })
})

describe('kind and payload on the wire', () => {
  it('are fields 9 (varint) and 10 (bytes), after the signature', () => {
    const bytes = encodeTx(txFields({ kind: 3, payload: u8(0xab, 0xcd) }))
    expect([...bytes.subarray(-6)]).toEqual([0x48, 0x03, 0x52, 0x02, 0xab, 0xcd])
    const back = decodeTx(bytes)
    expect(normalize(back)).toEqual(normalize(txFields({ kind: 3, payload: u8(0xab, 0xcd) })))
  })

  it('a kind up to 2^32 - 1 decodes (the rules refuse it, not the decoder)', () => {
    const bytes = concat(encodeTx(txFields()), u8(0x48), varint(2n ** 32n - 1n))
    expect(decodeTx(bytes).kind).toBe(2 ** 32 - 1)
    expect(hex(encodeTx(decodeTx(bytes)))).toBe(hex(bytes))
  })

  it.each([
    ['an explicit kind 0', u8(0x48, 0x00)],
    ['a non-minimal kind varint', u8(0x48, 0x81, 0x00)],
    ['a kind of 2^32', concat(u8(0x48), varint(2n ** 32n))],
    ['an empty payload written', u8(0x52, 0x00)],
    ['payload before kind', u8(0x52, 0x01, 0x07, 0x48, 0x01)],
    ['kind twice', u8(0x48, 0x01, 0x48, 0x02)],
    ['kind as bytes', u8(0x4a, 0x01, 0x01)],
    ['payload as a varint', u8(0x50, 0x01)],
    ['an unknown field 11 after them', u8(0x48, 0x01, 0x58, 0x01)],
  ])('%s is non-canonical', (_name, tail) => {
    const err = thrownBy(() => decodeTx(concat(encodeTx(txFields()), tail))) as DecodeError
    expect(err).toBeInstanceOf(DecodeError)
    expect(err.code).toBe('DECODE_NON_CANONICAL')
  })
})

describe('Tx with a kind', () => {
  const self = addressOf(0)
  const payload = bytesOf(40, 9)

  it('Tx.create signs kind and payload, which round-trip through the bytes', () => {
    const tx = signedTx({ kind: TX_KIND.evidence, amount: 0n, recipient: self, payload })
    const back = Tx.fromBytes(tx.bytes)
    expect(back.kind).toBe(TX_KIND.evidence)
    expect(back.isTransfer).toBe(false)
    expect(hex(back.fields.payload)).toBe(hex(payload))
    expect(verify(tx.fields.senderPubKey, back.signingBytes, back.fields.signature)).toBe(true)
    // neither can change without the signature failing
    for (const changed of [{ kind: TX_KIND.stake }, { payload: bytesOf(40, 8) }]) {
      const forged = Tx.fromFields({ ...tx.fields, ...changed })
      expect(verify(tx.fields.senderPubKey, forged.signingBytes, forged.fields.signature)).toBe(false)
    }
  })

  it('cost: amount + fee for a transfer and a stake, the fee alone for an unstake and evidence', () => {
    const of = (kind: number, amount: bigint) => signedTx({ kind, amount, fee: 7n, recipient: self }).cost
    expect(of(TX_KIND.transfer, 100n)).toBe(107n)
    expect(of(TX_KIND.stake, 100n)).toBe(107n)
    expect(of(TX_KIND.unstake, 100n)).toBe(7n)
    expect(of(TX_KIND.evidence, 0n)).toBe(7n)
  })
})
