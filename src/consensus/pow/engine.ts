/** Proof of work: SHA-256 of the header at or below a target that retargets toward the block time. */

import { Header, type HeaderFields, headerNonceSplit } from '../../ledger/block.js'
import { VerifyError } from '../../ledger/errors.js'
import type { ConsensusParams } from '../../ledger/genesis.js'
import { bigintToBytes, bytesToBigint } from '../../util/bytes.js'
import type { ConsensusEngine, HeaderTree } from '../engine.js'
import { MinerPool } from './miner.js'
import { requireTarget, retarget, workOf } from './target.js'

export interface PowOptions {
  /** Worker threads used by `seal` (default 1). */
  mineThreads?: number
}

export class PowEngine implements ConsensusEngine {
  readonly name = 'pow'
  private readonly pool: MinerPool

  constructor(
    private readonly params: ConsensusParams,
    opts: PowOptions = {},
  ) {
    this.pool = new MinerPool(Math.max(1, opts.mineThreads ?? 1))
  }

  nextTarget(parent: Header, tree: HeaderTree): bigint {
    const height = parent.height + 1
    return retarget(
      height,
      parent.target,
      parent.timestampMs,
      () => {
        const first = tree.ancestor(parent, height - this.params.retargetInterval)
        if (!first) throw new Error(`header tree is missing the ancestor at ${height - this.params.retargetInterval}`)
        return first.timestampMs
      },
      this.params,
    )
  }

  checkSeal(header: Header): void {
    if (header.target > this.params.powLimit) {
      throw new VerifyError('BLOCK_BAD_TARGET', `target ${header.target.toString(16)} is easier than the limit`)
    }
    if (bytesToBigint(header.hash) > header.target) {
      throw new VerifyError('BLOCK_BAD_POW', `hash ${header.id} is above its own target`)
    }
  }

  checkHeader(header: Header, parent: Header, tree: HeaderTree): void {
    const expected = this.nextTarget(parent, tree)
    requireTarget(header, expected)
    if (bytesToBigint(header.hash) > expected) {
      throw new VerifyError('BLOCK_BAD_POW', `hash ${header.id} is above the target`)
    }
  }

  work(header: Header): bigint {
    return workOf(header.target)
  }

  async seal(fields: HeaderFields, signal?: AbortSignal): Promise<Header | null> {
    const zero = Header.fromFields({ ...fields, nonce: 0n })
    if (bytesToBigint(zero.hash) <= zero.target) return zero
    const { prefix, tail } = headerNonceSplit(fields)
    const found = await this.pool.mine(prefix, bigintToBytes(zero.target), signal, tail)
    return found ? Header.fromFields({ ...fields, nonce: found.nonce }) : null
  }

  async close(): Promise<void> {
    await this.pool.close()
  }
}
