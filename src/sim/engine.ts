/**
 * Proof of work, modelled rather than done: a miner with `hashShare` of the
 * network's hash power finds its next block after an exponential delay of
 * mean `blockIntervalMs / hashShare`, drawn from the simulation's rng. The
 * process is memoryless, so abandoning a search for a new head and starting
 * over loses nothing, exactly like real mining. Headers carry a random nonce
 * and the parent's target (no retarget: the block rate is the model's), and
 * nobody checks their hash against it.
 */
import type { ConsensusEngine, HeaderTree } from '../consensus/engine.js'
import { requireTarget, workOf } from '../consensus/pow/target.js'
import { Header, type HeaderFields } from '../ledger/block.js'
import { VerifyError } from '../ledger/errors.js'
import type { ConsensusParams } from '../ledger/genesis.js'
import type { Clock } from '../util/clock.js'
import { exponential, type Rng } from '../util/rng.js'
import type { Timers } from '../util/timers.js'

export interface SimEngineDeps {
  clock: Clock
  timers: Timers
  rng: Rng
}

export interface SimEngineInit {
  params: ConsensusParams
  /** This miner's share of the hash power, in [0, 1]; 0 never finds a block. */
  hashShare: number
  /** The network's mean block interval (all shares together). */
  blockIntervalMs: number
}

export class SimPowEngine implements ConsensusEngine {
  readonly name = 'sim-pow'
  private readonly params: ConsensusParams
  /** Mean time for this miner to find a block; Infinity for a non-miner. */
  readonly meanFindMs: number

  constructor(
    private readonly deps: SimEngineDeps,
    init: SimEngineInit,
  ) {
    if (!(init.hashShare >= 0 && init.hashShare <= 1))
      throw new RangeError(`hashShare must be within [0, 1]: ${init.hashShare}`)
    if (!(init.blockIntervalMs > 0)) throw new RangeError(`blockIntervalMs must be > 0: ${init.blockIntervalMs}`)
    this.params = init.params
    this.meanFindMs = init.hashShare > 0 ? init.blockIntervalMs / init.hashShare : Number.POSITIVE_INFINITY
  }

  nextTarget(parent: Header, _tree?: HeaderTree): bigint {
    return parent.target
  }

  checkSeal(header: Header): void {
    if (header.target > this.params.powLimit) {
      throw new VerifyError('BLOCK_BAD_TARGET', `target ${header.target.toString(16)} is easier than the limit`)
    }
  }

  checkHeader(header: Header, parent: Header, tree: HeaderTree): void {
    const expected = this.nextTarget(parent, tree)
    requireTarget(header, expected)
  }

  work(header: Header): bigint {
    return workOf(header.target)
  }

  /** Resolves when this miner "finds" the block, or null once `signal` aborts (never, for a non-miner, unless aborted). */
  seal(fields: HeaderFields, signal?: AbortSignal): Promise<Header | null> {
    if (signal?.aborted) return Promise.resolve(null)
    const { clock, timers, rng } = this.deps
    return new Promise((resolve) => {
      let timer: unknown
      const onAbort = (): void => {
        if (timer !== undefined) timers.clearTimeout(timer)
        resolve(null)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      if (this.meanFindMs === Number.POSITIVE_INFINITY) return
      const delayMs = exponential(rng, this.meanFindMs)
      timer = timers.setTimeout(() => {
        signal?.removeEventListener('abort', onAbort)
        const timestampMs = Math.max(Math.floor(clock.nowMs()), Number(fields.timestamp))
        const nonce = (BigInt(rng.int(2 ** 32)) << 32n) | BigInt(rng.int(2 ** 32))
        resolve(Header.fromFields({ ...fields, timestamp: BigInt(timestampMs), nonce }))
      }, delayMs)
    })
  }

  async close(): Promise<void> {}
}
