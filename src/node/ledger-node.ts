/**
 * The ledger half of a node: chain and mempool over the store, engine and
 * signature checker it is given, with head changes fed to the mempool and to
 * the block being mined. It builds nothing of the outside world: the
 * production wiring (start.ts) passes LevelDB, proof of work and the worker
 * pool; the simulator passes a memory store, a modelled engine and its own
 * checker.
 */
import { Chain, type ChainOptions, type HeadChange } from '../chain/chain.js'
import type { ConsensusEngine } from '../consensus/engine.js'
import { isStaking } from '../consensus/engine.js'
import { Block } from '../ledger/block.js'
import type { Genesis } from '../ledger/genesis.js'
import type { TxSignatureChecker } from '../ledger/sigverify/checker.js'
import type { Tx } from '../ledger/tx.js'
import { type AddResult, Mempool, type MempoolOptions, type TxSource } from '../mempool/index.js'
import type { KvStore } from '../storage/kv.js'
import type { Clock } from '../util/clock.js'

export interface LedgerDeps {
  /** Opened by the ledger, closed with it. */
  store: KvStore
  engine: ConsensusEngine
  signatures: TxSignatureChecker
  clock: Clock
  /** Our own bugs that must not stop the node (a failed mempool reset). */
  onInternalError?(err: unknown, where: string): void
  /** Notes for the operator from the chain (a refused deep reorg, naming the config key to raise). */
  log?(msg: string, fields?: Record<string, unknown>): void
}

export interface LedgerOptions {
  genesis: Genesis
  chain?: ChainOptions
  mempool?: MempoolOptions
}

export class LedgerNode {
  private mining?: AbortController
  private lastReset: Promise<unknown> = Promise.resolve()

  private constructor(
    private readonly deps: LedgerDeps,
    readonly chain: Chain,
    readonly mempool: Mempool,
  ) {
    chain.onHeadChange((change) => this.onHeadChange(change))
  }

  static async open(deps: LedgerDeps, options: LedgerOptions): Promise<LedgerNode> {
    const { store, engine, signatures, clock, log } = deps
    await store.open()
    try {
      const chain = await Chain.open({ store, genesis: options.genesis, engine, clock, signatures, log }, options.chain)
      const mempool = new Mempool(
        {
          chainId: options.genesis.chainId,
          limits: options.genesis.limits,
          staking: isStaking(engine),
          clock,
          readAccounts: (addresses) => chain.getAccounts(addresses),
          checkState: (tx) => chain.checkStakingTx(tx),
          // On the worker pool, after the cheap checks; a signature checked on admission
          // need not be checked again when the block arrives.
          verify: (tx) => signatures.verifyTx(tx),
        },
        options.mempool,
      )
      return new LedgerNode(deps, chain, mempool)
    } catch (err) {
      await engine.close()
      await signatures.close()
      await store.close()
      throw err
    }
  }

  get engine(): ConsensusEngine {
    return this.deps.engine
  }

  get signatures(): TxSignatureChecker {
    return this.deps.signatures
  }

  submitTx(tx: Tx, source: TxSource = 'rpc'): Promise<AddResult> {
    return this.mempool.add(tx, source)
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
      const header = await this.deps.engine.seal(fields, attempt.signal)
      if (!header) return null
      const block = new Block(header, txs)
      const result = await this.chain.importBlock(block, 'mined')
      return result.status === 'head' ? block : null
    } finally {
      signal?.removeEventListener('abort', onAbort)
      if (this.mining === attempt) this.mining = undefined
    }
  }

  private onHeadChange(change: HeadChange): void {
    // A head from elsewhere makes the block being mined stale.
    this.mining?.abort()
    // A deep reorg's change carries a window of its blocks (chain/head-change.ts): the txs of the
    // blocks nearest the fork come back, and pool txs an older connected block holds fail the
    // nonce check the reset makes against the new head.
    this.lastReset = this.mempool
      .reset({
        included: change.connected.flatMap((b) => [...b.txs]),
        returned: change.disconnected.flatMap((b) => [...b.txs]),
      })
      .catch((err: unknown) => {
        // Our bug, not a peer's: surface it loudly.
        if (this.deps.onInternalError) this.deps.onInternalError(err, 'mempool reset')
        else process.emitWarning(`mempool reset failed: ${(err as Error).stack ?? String(err)}`)
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
    await this.deps.engine.close()
    await this.deps.signatures.close()
    await this.deps.store.close()
  }
}
