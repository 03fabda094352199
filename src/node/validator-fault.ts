/**
 * Faults a validator can be driven to, to test that the others stay safe and
 * punish it (the fuzzers, and PEERCHAIN_TEST_VALIDATOR_FAULT in the fault
 * tests): `equivocate` sends, beside each of its votes, a conflicting one
 * (another block, or nil); `silent` never votes nor proposes; `late` sends
 * each vote `lateMs` after it was cast.
 */
import { encodeVote, signVote, type Vote } from '../consensus/bft/vote.js'
import type { KeyPair } from '../ledger/crypto.js'
import type { Timers } from '../util/timers.js'

export type ValidatorFault = { kind: 'equivocate' } | { kind: 'silent' } | { kind: 'late'; lateMs: number }

/**
 * Sends `vote` (`resend`: the round re-sending it) through `publish` as the
 * fault says: not at all, late, or with a conflicting vote beside it.
 */
export function sendVote(
  vote: Vote,
  resend: number | undefined,
  publish: (bytes: Uint8Array) => void,
  ctx: { fault?: ValidatorFault; key?: KeyPair; chainId: string; timers: Timers },
): void {
  const { fault, key, chainId, timers } = ctx
  const bytes = encodeVote(vote, resend)
  if (fault?.kind === 'silent') return
  if (fault?.kind === 'late') {
    timers.setTimeout(() => publish(bytes), fault.lateMs)
    return
  }
  publish(bytes)
  if (fault?.kind === 'equivocate' && key && resend === undefined) {
    const other = vote.blockHash === null ? new Uint8Array(32).fill(0xee) : null
    const { signature: _, ...unsigned } = vote
    publish(encodeVote(signVote(chainId, { ...unsigned, blockHash: other }, key.secretKey)))
  }
}
