/**
 * What a simulation measures, heard from the same events the API and metrics
 * hear (head changes with their source, the mempool's `added`): block and tx
 * propagation delays, stale blocks, convergence after each heal, and a trace
 * of every event whose SHA-256 identifies the run. Nothing here feeds back
 * into the nodes.
 */
import { createHash, type Hash } from 'node:crypto'
import type { BlockSource, HeadChange } from '../chain/chain.js'
import type { Block } from '../ledger/block.js'
import type { Clock } from '../util/clock.js'
import { Samples } from './stats.js'

export type TraceSink = (line: string) => void

export class SimObserver {
  readonly blockDelaysMs = new Samples()
  readonly txDelaysMs = new Samples()
  /** Block id → when it was mined, and by whom. */
  readonly mined = new Map<string, { atMs: number; node: number; height: number }>()
  /** Tx id → when it was accepted by the node it was submitted to. */
  readonly submitted = new Map<string, { atMs: number; node: number }>()
  private heads: string[]
  private readonly headCounts = new Map<string, number>()
  private readonly hash: Hash = createHash('sha256')
  private lines = 0
  private healAtMs: number | undefined
  readonly convergenceMs: number[] = []
  bestHeight = 0
  reorgs = 0

  constructor(
    private readonly clock: Clock,
    private readonly nodeCount: number,
    private readonly sink?: TraceSink,
  ) {
    this.heads = new Array<string>(nodeCount).fill('')
  }

  /**
   * Every node starts at genesis. Only the `runningNodes` that run count
   * towards convergence (an offline validator stays at genesis for good).
   */
  setGenesis(genesisId: string, runningNodes = this.nodeCount): void {
    this.heads = new Array<string>(this.nodeCount).fill(genesisId)
    this.headCounts.clear()
    this.headCounts.set(genesisId, runningNodes)
  }

  /** One trace record: virtual ms since the start, the event, its fields. Deterministic JSON. */
  trace(event: string, fields: Record<string, string | number | boolean>): void {
    const line = `${JSON.stringify({ t: this.clock.nowMs(), ev: event, ...fields })}\n`
    this.hash.update(line)
    this.lines++
    this.sink?.(line)
  }

  get traceLines(): number {
    return this.lines
  }

  /** The trace's SHA-256 (hex); ends the trace. */
  digest(): string {
    return this.hash.digest('hex')
  }

  /**
   * A block stored by a node: mined there, or arrived (by gossip or sync)
   * from its miner after a delay. Under proof of stake every validator that
   * decides a block stores it as `mined`: the first is its birth, the others
   * arrivals.
   */
  onBlockStored(node: number, block: Block, source: BlockSource): void {
    const now = this.clock.nowMs()
    if (source === 'mined' && !this.mined.has(block.id)) {
      this.mined.set(block.id, { atMs: now, node, height: block.height })
      this.trace('mined', { node, id: block.id.slice(0, 16), height: block.height })
      return
    }
    const born = this.mined.get(block.id)
    if (born) this.blockDelaysMs.push(now - born.atMs)
  }

  onHeadChange(node: number, change: HeadChange): void {
    if (change.disconnectedCount > 0) this.reorgs++
    this.trace('head', {
      node,
      id: change.head.id.slice(0, 16),
      height: change.head.height,
      src: change.source,
      dropped: change.disconnectedCount,
    })
    this.moveHead(node, change.head.id)
    if (change.head.height > this.bestHeight) this.bestHeight = change.head.height
  }

  onTxAdded(node: number, txId: string): void {
    const at = this.submitted.get(txId)
    if (at && at.node !== node) this.txDelaysMs.push(this.clock.nowMs() - at.atMs)
  }

  onTxSubmitted(node: number, txId: string, outcome: string): void {
    if (outcome === 'accepted') this.submitted.set(txId, { atMs: this.clock.nowMs(), node })
    this.trace('tx', { node, id: txId.slice(0, 16), outcome })
  }

  /** From now on, the first moment every node holds one head is a convergence. */
  markHeal(): void {
    this.healAtMs = this.clock.nowMs()
    this.checkConverged()
  }

  private moveHead(node: number, id: string): void {
    const old = this.heads[node] as string
    if (old === id) return
    const left = (this.headCounts.get(old) ?? 1) - 1
    if (left === 0) this.headCounts.delete(old)
    else this.headCounts.set(old, left)
    this.heads[node] = id
    this.headCounts.set(id, (this.headCounts.get(id) ?? 0) + 1)
    this.checkConverged()
  }

  private checkConverged(): void {
    if (this.healAtMs === undefined || this.headCounts.size !== 1) return
    const tookMs = this.clock.nowMs() - this.healAtMs
    this.convergenceMs.push(tookMs)
    this.trace('converged', { afterHealMs: tookMs })
    this.healAtMs = undefined
  }

  /** How many distinct heads the nodes hold now (1 = converged). */
  get distinctHeads(): number {
    return this.headCounts.size
  }
}
