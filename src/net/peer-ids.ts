import type { PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'

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
