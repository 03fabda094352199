/**
 * The mining loop: build a template on the head, seal it in worker threads,
 * import and publish the block; a new head from elsewhere cancels the search
 * and the loop starts again on the new head.
 */
import type { Block } from '../ledger/block.js'
import type { Logger } from '../util/log.js'
import type { LedgerNode } from './ledger-node.js'

export class MinerLoop {
  private controller?: AbortController
  private running?: Promise<void>

  constructor(
    private readonly ledger: LedgerNode,
    private readonly payTo: Uint8Array,
    private readonly publish: (block: Block) => Promise<unknown>,
    private readonly canMine: () => boolean,
    private readonly log: Logger,
  ) {}

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
    while (!signal.aborted) {
      if (!this.canMine()) {
        await new Promise((resolve) => setTimeout(resolve, 200))
        continue
      }
      try {
        const block = await this.ledger.mineBlock(this.payTo, signal)
        if (block) {
          this.log.info('mined block', { height: block.height, hash: block.id, txs: block.txs.length })
          await this.publish(block).catch((err: unknown) =>
            this.log.warn('publishing a block failed', { error: String(err) }),
          )
        }
      } catch (err) {
        this.log.error('mining failed', { error: (err as Error).stack ?? String(err) })
        await new Promise((resolve) => setTimeout(resolve, 1000))
      }
    }
  }
}
