/**
 * The stem protocol's messages, `/peerchain/<chainId>/stem/1`: one request
 * per stream carrying exactly one tx in its canonical bytes (decoded by the
 * ledger's strict tx decoder, bounded by the chain's txBytesMax), and one
 * answer byte. Anything else is refused with a typed error.
 */

import { ABS_LIMITS } from '../../ledger/limits.js'
import type { RequestLimits } from '../../net/network.js'
import { StemError } from './errors.js'

export const stemProtocol = (chainId: string): string => `/peerchain/${chainId}/stem/1`

/** One tx per request (the absolute tx cap; the chain's own cap is checked by the decoder), one byte back, 5 s in all. */
export const STEM_LIMITS: RequestLimits = Object.freeze({
  requestBytesMax: ABS_LIMITS.txBytesMax,
  responseBytesMax: 1,
  timeoutMs: 5_000,
})

/** The next hop's answer: it took the tx into its stem (or already had it public), or it refused it. */
export type StemAnswer = 'accepted' | 'refused'

const ACCEPTED = 0x01
const REFUSED = 0x00

export function encodeStemAnswer(answer: StemAnswer): Uint8Array {
  return Uint8Array.of(answer === 'accepted' ? ACCEPTED : REFUSED)
}

/** Exactly one known byte; anything else is STEM_BAD_ANSWER. */
export function decodeStemAnswer(bytes: Uint8Array): StemAnswer {
  if (bytes.byteLength !== 1) throw new StemError('STEM_BAD_ANSWER', `a stem answer is 1 byte, got ${bytes.byteLength}`)
  if (bytes[0] === ACCEPTED) return 'accepted'
  if (bytes[0] === REFUSED) return 'refused'
  throw new StemError('STEM_BAD_ANSWER', `unknown stem answer byte 0x${(bytes[0] as number).toString(16)}`)
}
