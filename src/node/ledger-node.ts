/**
 * Composition root of the ledger: store → chain → mempool → miner, wired from
 * options. Nothing else constructs these subsystems. The networked node will
 * wrap this with net/, relay/ and sync/.
 */
import { Chain, type ChainOptions, type HeadChange } from '../chain/chain.js'
import { PowEngine } from '../consensus/pow/engine.js'
import { Block } from '../ledger/block.js'
import type { Genesis } from '../ledger/genesis.js'
import { checkTxSignature } from '../ledger/rules/tx.js'
import { SignatureVerifier } from '../ledger/sigverify/pool.js'
import type { Tx } from '../ledger/tx.js'
import { type AddResult, Mempool, type MempoolOptions } from '../mempool/index.js'
import type { KvStore } from '../storage/kv.js'
import { LevelStore } from '../storage/level.js'
import { MemoryStore } from '../storage/memory.js'
import { type Clock, systemClock } from '../util/clock.js'

export interface LedgerNodeOptions {
  genesis: Genesis
  /** LevelDB directory; omitted = in memory. */
  dbPath?: string
  clock?: Clock
  chain?: ChainOptions
  mempool?: MempoolOptions
  /** Mining worker threads (default 1). */
  mineThreads?: number
}

export class LedgerNode {
  private mining?: AbortController
  private lastReset: Promise<unknown> = Promise.resolve()

  private constructor(
    readonly store: KvStore,
    readonly chain: Chain,
    readonly mempool: Mempool,
    readonly engine: PowEngine,
    readonly signatures: SignatureVerifier,
  ) {
    chain.onHeadChange((change) => this.onHeadChange(change))
  }

  static async open(opts: LedgerNodeOptions): Promise<LedgerNode> {
    const clock = opts.clock ?? systemClock
    const store: KvStore = opts.dbPath ? new LevelStore(opts.dbPath) : new MemoryStore()
    await store.open()
    const engine = new PowEngine(opts.genesis.params, { mineThreads: opts.mineThreads })
    const signatures = new SignatureVerifier({})
    try {
      const chain = await Chain.open({ store, genesis: opts.genesis, engine, clock, signatures }, opts.chain)
      const mempool = new Mempool(
        {
          chainId: opts.genesis.chainId,
          limits: opts.genesis.limits,
          clock,
          readAccounts: (addresses) => chain.getAccounts(addresses),
          // Signatures checked on admission need not be checked again when the block arrives.
          verify: (tx) => {
            checkTxSignature(tx)
            signatures.markVerified(tx)
          },
        },
        opts.mempool,
      )
      return new LedgerNode(store, chain, mempool, engine, signatures)
    } catch (err) {
      await signatures.close()
      await store.close()
      throw err
    }
  }

  submitTx(tx: Tx): Promise<AddResult> {
    return this.mempool.add(tx)
  }

  /**
   * Mines one block on the current head from the mempool's best txs and
   * imports it. Resolves null if a new head arrived first (the search is then
   * cancelled) or `signal` aborted.
   */
  async mineBlock(miner: Uint8Array, signal?: AbortSignal): Promise<Block | null> {
    const { limits } = this.chain.genesis
    const candidates = this.mempool.template({ txsMax: limits.blockTxsMax, bytesMax: limits.blockBytesMax - 1024 })
    const { fields, txs } = await this.chain.buildBlock({ miner, txs: candidates })
    const attempt = new AbortController()
    this.mining = attempt
    const onAbort = (): void => attempt.abort()
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      const header = await this.engine.seal(fields, attempt.signal)
      if (!header) return null
      const block = new Block(header, txs)
      const result = await this.chain.importBlock(block)
      return result.status === 'head' ? block : null
    } finally {
      signal?.removeEventListener('abort', onAbort)
      if (this.mining === attempt) this.mining = undefined
    }
  }

  private onHeadChange(change: HeadChange): void {
    // A head from elsewhere makes the block being mined stale.
    this.mining?.abort()
    this.lastReset = this.mempool
      .reset({
        included: change.connected.flatMap((b) => [...b.txs]),
        returned: change.disconnected.flatMap((b) => [...b.txs]),
      })
      .catch((err: unknown) => {
        // Our bug, not a peer's: surface it loudly.
        process.emitWarning(`mempool reset failed: ${(err as Error).stack ?? String(err)}`)
      })
    this.mempool.expire()
  }

  /** Resolves when the mempool has caught up with the latest head change. */
  async settled(): Promise<void> {
    await this.lastReset
  }

  async close(): Promise<void> {
    this.mining?.abort()
    await this.chain.close()
    await this.engine.close()
    await this.signatures.close()
    await this.store.close()
  }
}
