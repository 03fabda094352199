/**
 * What a failed sync request says about the peer. A peer's fault costs it a
 * penalty; anything we do not recognise is our own bug and is rethrown.
 */
import { VerifyError } from '../ledger/errors.js'
import { RequestError } from '../net/network.js'
import type { SyncPenalties } from './limits.js'

export type SyncFaultCode = 'UNLINKED_HEADERS' | 'TOO_MANY' | 'UNREQUESTED_BLOCK'

/** A peer broke the sync protocol in a way no ledger rule code names. */
export class SyncPeerError extends Error {
  override readonly name = 'SyncPeerError'
  constructor(
    readonly code: SyncFaultCode,
    message: string,
  ) {
    super(`${code}: ${message}`)
  }
}

/** The run was stopped; not anyone's fault. */
export class SyncAborted extends Error {
  override readonly name = 'SyncAborted'
}

const FAULT_PENALTY: Record<SyncFaultCode, keyof SyncPenalties> = {
  UNLINKED_HEADERS: 'unlinkedHeaders',
  TOO_MANY: 'tooMany',
  UNREQUESTED_BLOCK: 'unrequestedBlock',
}

/**
 * What `err` (thrown by a request to a peer) costs that peer, or undefined when
 * it is not a peer's fault at all (our bug: rethrow it).
 */
export function faultOf(err: unknown, penalties: SyncPenalties): { penalty: number; reason: string } | undefined {
  if (err instanceof SyncPeerError) return { penalty: penalties[FAULT_PENALTY[err.code]], reason: err.message }
  if (err instanceof VerifyError) return { penalty: err.verdict === 'reject' ? err.penalty : 0, reason: err.message }
  if (err instanceof RequestError) {
    const penalty =
      err.code === 'TIMEOUT'
        ? penalties.timeout
        : err.code === 'TOO_LARGE'
          ? penalties.tooLarge
          : err.code === 'PROTOCOL'
            ? penalties.protocol
            : 0 // RESET, DIAL_FAILED: the peer went away
    return { penalty, reason: err.message }
  }
  return undefined
}
