import type { PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { base58 } from '@scure/base'

/** Parses a peer id string, or undefined when it is not one. */
export function parsePeerId(text: string): PeerId | undefined {
  try {
    return peerIdFromString(text)
  } catch {
    return undefined
  }
}

export function isPeerId(text: string): boolean {
  return parsePeerId(text) !== undefined
}

const BASE58_PEER_ID = /^[1-9A-HJ-NP-Za-km-z]{40,60}$/
/** Identity multihashes hold a protobuf public key: Ed25519 and secp256k1 keys are 36 and 37 bytes. */
const IDENTITY_KEY_BYTES_MAX = 42

/**
 * Whether `text` has the shape of a peer id as we write them (base58btc of an
 * identity multihash of a small key, or of a sha256 multihash), without
 * building its public key: about 50 µs less per id, which a file of a
 * thousand ids read at start-up needs. Whoever uses such an id for more than
 * a comparison parses it in full (parsePeerId) and handles a failure.
 */
export function hasPeerIdShape(text: string): boolean {
  if (typeof text !== 'string' || !BASE58_PEER_ID.test(text)) return false
  let bytes: Uint8Array
  try {
    bytes = base58.decode(text)
  } catch {
    return false
  }
  if (bytes[0] === 0x00)
    return bytes.length >= 4 && bytes[1] === bytes.length - 2 && bytes[1]! <= IDENTITY_KEY_BYTES_MAX
  return bytes.length === 34 && bytes[0] === 0x12 && bytes[1] === 0x20
}

/** Parses a peer id string; RangeError when it is not one (a caller's bug, not the network's). */
export function toPeerId(text: string): PeerId {
  const peerId = parsePeerId(text)
  if (peerId === undefined) throw new RangeError(`not a peer id: ${text}`)
  return peerId
}
