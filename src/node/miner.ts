/**
 * The mining loop: build a template on the head, seal it with the engine,
 * import the block (its head change, sourced `mined`, is what the relay
 * announces); a new head from elsewhere cancels the search and the loop
 * starts again on the new head.
 */
import type { Logger } from '../util/log.js'
import { sleep, type Timers } from '../util/timers.js'
import type { LedgerNode } from './ledger-node.js'

export interface MinerDeps {
  ledger: Pick<LedgerNode, 'mineBlock'>
  timers: Timers
  log: Logger
  /** False while the node is catching up: a block on a stale head is wasted work. */
  canMine(): boolean
}

export interface MinerOptions {
  /** The address paid for mined blocks. */
  payTo: Uint8Array
  /** How often a paused miner checks whether it may mine again. */
  pausePollMs?: number
  /** How long the loop waits after a failure (our bug) before it tries again. */
  retryDelayMs?: number
}

export class MinerLoop {
  private controller?: AbortController
  private running?: Promise<void>
  private readonly pausePollMs: number
  private readonly retryDelayMs: number

  constructor(
    private readonly deps: MinerDeps,
    private readonly options: MinerOptions,
  ) {
    this.pausePollMs = options.pausePollMs ?? 200
    this.retryDelayMs = options.retryDelayMs ?? 1000
  }

  get active(): boolean {
    return this.controller !== undefined
  }

  start(): void {
    if (this.controller) return
    const controller = new AbortController()
    this.controller = controller
    this.running = this.loop(controller.signal)
  }

  async stop(): Promise<void> {
    this.controller?.abort()
    this.controller = undefined
    await this.running
    this.running = undefined
  }

  private async loop(signal: AbortSignal): Promise<void> {
    const { ledger, timers, log } = this.deps
    while (!signal.aborted) {
      if (!this.deps.canMine()) {
        await sleep(timers, this.pausePollMs, signal)
        continue
      }
      try {
        const block = await ledger.mineBlock(this.options.payTo, signal)
        if (block) log.info('mined block', { height: block.height, hash: block.id, txs: block.txs.length })
      } catch (err) {
        log.error('mining failed', { error: (err as Error).stack ?? String(err) })
        await sleep(timers, this.retryDelayMs, signal)
      }
    }
  }
}
