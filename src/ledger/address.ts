/**
 * Addresses: the first 20 bytes of SHA-256 of the Ed25519 public key, shown
 * as bech32m with the prefix `pc` (BIP 350), whose checksum catches any
 * mistyped address of up to four characters.
 */
import { bech32m } from '@scure/base'
import { sha256 } from './crypto.js'
import { ADDRESS_BYTES } from './limits.js'

export const ADDRESS_PREFIX = 'pc'

export class AddressError extends Error {
  override readonly name = 'AddressError'
}

export function addressFromPublicKey(publicKey: Uint8Array): Uint8Array {
  return sha256(publicKey).subarray(0, ADDRESS_BYTES)
}

export function formatAddress(address: Uint8Array): string {
  if (address.byteLength !== ADDRESS_BYTES) throw new AddressError(`an address is ${ADDRESS_BYTES} bytes`)
  return bech32m.encode(ADDRESS_PREFIX, bech32m.toWords(address))
}

/** Parses a `pc1…` address; throws AddressError saying what is wrong. */
export function parseAddress(text: string): Uint8Array {
  if (typeof text !== 'string') throw new AddressError('an address is a string')
  let decoded: { prefix: string; words: number[] }
  try {
    decoded = bech32m.decode(text as `${string}1${string}`, 90)
  } catch (err) {
    throw new AddressError(`invalid address "${text}": ${(err as Error).message}`)
  }
  if (decoded.prefix !== ADDRESS_PREFIX) {
    throw new AddressError(`invalid address "${text}": prefix must be "${ADDRESS_PREFIX}"`)
  }
  let bytes: Uint8Array
  try {
    bytes = bech32m.fromWords(decoded.words)
  } catch (err) {
    throw new AddressError(`invalid address "${text}": ${(err as Error).message}`)
  }
  if (bytes.byteLength !== ADDRESS_BYTES) {
    throw new AddressError(`invalid address "${text}": must encode ${ADDRESS_BYTES} bytes`)
  }
  return bytes
}
