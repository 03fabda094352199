/**
 * The record of the set an epoch end chose, as the chain stores it beside
 * the block that chose it ('e' + height): count(4, BE), then per validator
 * its public key(32) | power(8, BE), in the order chosen. Empty (count 0)
 * when nobody qualified and the current set goes on. The address of each is
 * derived from its key, so a record cannot name a key and another address.
 */
import { addressFromPublicKey } from '../../ledger/address.js'
import type { Validator } from '../bft/validators.js'
import { EpochError } from './errors.js'

const KEY_BYTES = 32
const ENTRY_BYTES = KEY_BYTES + 8

export function encodeEpochRecord(validators: readonly Validator[]): Uint8Array {
  const out = new Uint8Array(4 + validators.length * ENTRY_BYTES)
  const view = new DataView(out.buffer)
  view.setUint32(0, validators.length)
  validators.forEach((v, i) => {
    const off = 4 + i * ENTRY_BYTES
    out.set(v.publicKey, off)
    view.setBigUint64(off + KEY_BYTES, v.power)
  })
  return out
}

/** Throws EpochError BAD_RECORD for bytes encodeEpochRecord did not write. */
export function decodeEpochRecord(bytes: Uint8Array): Validator[] {
  if (bytes.byteLength < 4) throw new EpochError('BAD_RECORD', `epoch record of ${bytes.byteLength} bytes`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const count = view.getUint32(0)
  if (bytes.byteLength !== 4 + count * ENTRY_BYTES) {
    throw new EpochError('BAD_RECORD', `epoch record of ${count} validators in ${bytes.byteLength} bytes`)
  }
  const out: Validator[] = []
  for (let i = 0; i < count; i++) {
    const off = 4 + i * ENTRY_BYTES
    const publicKey = bytes.slice(off, off + KEY_BYTES)
    const power = view.getBigUint64(off + KEY_BYTES)
    if (power === 0n) throw new EpochError('BAD_RECORD', `validator ${i} of an epoch record has no power`)
    out.push({ address: addressFromPublicKey(publicKey), publicKey, power })
  }
  return out
}
