/** Proof-of-work arithmetic: work per target and the retarget rule. Pure. */
import type { Header } from '../../ledger/block.js'
import { VerifyError } from '../../ledger/errors.js'
import type { ConsensusParams } from '../../ledger/genesis.js'

const TWO_256 = 1n << 256n

/** Expected hashes to find a block at `target`: 2^256 / (target + 1). */
export function workOf(target: bigint): bigint {
  return TWO_256 / (target + 1n)
}

/**
 * The target for the block at `height`, given its parent's target. Every
 * `retargetInterval` blocks the target is scaled by actual / expected time of
 * the last interval (parent's timestamp minus the timestamp `retargetInterval - 1`
 * blocks before it, against (retargetInterval - 1) * blockTimeMs), moved by at
 * most `maxAdjustFactor` either way, and capped at `powLimit`.
 */
export function retarget(
  height: number,
  parentTarget: bigint,
  parentTimestampMs: number,
  firstTimestampMs: () => number,
  params: ConsensusParams,
): bigint {
  if (height === 0 || height % params.retargetInterval !== 0) return parentTarget
  const expected = BigInt((params.retargetInterval - 1) * params.blockTimeMs)
  const factor = BigInt(params.maxAdjustFactor)
  const actual = BigInt(Math.max(0, parentTimestampMs - firstTimestampMs()))
  let next = (parentTarget * actual) / expected
  // Clamp the target itself (not the timespan), so rounding never moves it past the factor.
  if (next < parentTarget / factor) next = parentTarget / factor
  if (next > parentTarget * factor) next = parentTarget * factor
  if (next > params.powLimit) next = params.powLimit
  if (next < 1n) next = 1n
  return next
}

/** Throws BLOCK_BAD_TARGET unless `header` carries the target its parent requires. */
export function requireTarget(header: Header, expected: bigint): void {
  if (header.target !== expected) {
    throw new VerifyError(
      'BLOCK_BAD_TARGET',
      `target ${header.target.toString(16)} != expected ${expected.toString(16)}`,
    )
  }
}
