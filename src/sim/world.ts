/**
 * A simulated network of real nodes: each is the production wiring
 * (`createNode`) over a memory store, the modelled proof of work, the shared
 * signature checker and one endpoint of the simulated network, all driven by
 * one scheduler. The scenario's timeline (tx load, partitions, heals) runs on
 * the same scheduler, so one seed gives one exact run.
 */
import type { HeadChange } from '../chain/chain.js'
import type { TrieNode } from '../chain/mpt/nodes.js'
import type { KeyPair } from '../ledger/crypto.js'
import type { Genesis } from '../ledger/genesis.js'
import type { Tx } from '../ledger/tx.js'
import { createNode, type PeerchainNode } from '../node/node.js'
import { MemoryStore, SharedValues } from '../storage/memory.js'
import { BoundedCache } from '../util/bounded-cache.js'
import { exponential } from '../util/rng.js'
import { SharedDecodeMemo } from './decode-memo.js'
import { SimPowEngine } from './engine.js'
import { simGenesis, simMinerAddress, simSenderKey } from './genesis.js'
import { TxLoad } from './load.js'
import { errorRecordingLogger } from './log.js'
import { SimFabric } from './network.js'
import { SimObserver, type TraceSink } from './observer.js'
import { WAN6 } from './regions.js'
import type { Scenario } from './scenario.js'
import { SimScheduler } from './scheduler.js'
import { SharedSignatureMemo, SimSignatures } from './signatures.js'

export interface SimNode {
  index: number
  node: PeerchainNode
  /** Share of the network's hash power (0 for a node that does not mine). */
  hashShare: number
}

export interface SimWorldOptions {
  /** Every trace line as it is written (the trace's hash is kept either way). */
  trace?: TraceSink
  /** Hears every node's head changes (tests check invariants here). */
  onHeadChange?(node: SimNode, change: HeadChange): void
}

/**
 * Decoded trie nodes kept for all simulated nodes together (production keeps
 * 100,000 per node): nodes are content-addressed, so the nodes of one run
 * share them and each trie node is decoded once per run, not once per node.
 */
const SIM_TRIE_CACHE_NODES = 200_000

/** Runs past this many virtual block intervals per block are a bug (a stalled network), not a long run. */
const STALL_INTERVALS_PER_BLOCK = 50

export class SimWorld {
  readonly nodes: SimNode[] = []
  readonly observer: SimObserver
  /** Errors logged by nodes and submissions that failed for a reason other than a rule's verdict: our bugs. */
  readonly internalErrors: string[] = []
  private readonly load: TxLoad
  private readonly startMs: number

  private constructor(
    readonly scenario: Scenario,
    readonly scheduler: SimScheduler,
    readonly fabric: SimFabric,
    readonly genesis: Genesis,
    readonly senders: readonly KeyPair[],
    readonly signatures: SharedSignatureMemo,
    readonly decoders: SharedDecodeMemo,
    options: SimWorldOptions,
  ) {
    this.startMs = scheduler.nowMs()
    this.observer = new SimObserver({ nowMs: () => scheduler.nowMs() - this.startMs }, scenario.nodes, options.trace)
    this.load = new TxLoad(
      {
        rng: scheduler.rng,
        timers: scheduler,
        chainId: genesis.chainId,
        senders,
        nodeCount: scenario.nodes,
        submit: (index, tx) => this.submitTx(index, tx),
        onOutcome: (index, tx, outcome) => {
          if (outcome.startsWith('INTERNAL')) this.internalErrors.push(outcome)
          this.observer.onTxSubmitted(index, tx.id, outcome)
        },
      },
      scenario.tx_rate,
    )
  }

  static async create(scenario: Scenario, options: SimWorldOptions = {}): Promise<SimWorld> {
    const blockIntervalMs = scenario.block_interval_s * 1000
    const senders = Array.from({ length: scenario.senders }, (_, i) => simSenderKey(i))
    const genesis = simGenesis(senders, blockIntervalMs)
    const scheduler = new SimScheduler({ seed: scenario.seed, startMs: genesis.timestampMs + 60_000 })
    const { rng } = scheduler
    const fabric = new SimFabric({
      scheduler,
      gossip: scenario.gossip,
      latencyMs: WAN6.latencyMs,
      jitterMs: scenario.jitter_ms,
      loss: scenario.loss,
    })
    const memo = new SharedSignatureMemo()
    const decoders = new SharedDecodeMemo()
    const trieNodeCache = new BoundedCache<string, TrieNode>(SIM_TRIE_CACHE_NODES)
    const world = new SimWorld(scenario, scheduler, fabric, genesis, senders, memo, decoders, options)
    const shares = drawHashShares(scenario, rng)
    // Every node starts from the same data directory: the first node writes the genesis, the others copy it.
    let genesisStore: MemoryStore | undefined
    for (let index = 0; index < scenario.nodes; index++) {
      const hashShare = shares.get(index) ?? 0
      const { bandwidth_mbps_min: min, bandwidth_mbps_max: max } = scenario
      const network = fabric.addNode({
        region: rng.int(WAN6.regions.length),
        uplinkBitsPerSec: (min + rng.next() * (max - min)) * 1e6,
      })
      const store = genesisStore?.copy() ?? new MemoryStore({ shared: new SharedValues() })
      const node = await createNode(
        {
          network,
          store,
          engine: new SimPowEngine(
            { clock: scheduler, timers: scheduler, rng },
            { params: genesis.params, hashShare, blockIntervalMs },
          ),
          signatures: new SimSignatures(memo),
          decoders,
          clock: scheduler,
          timers: scheduler,
          rng,
          // Quiet, except that an error (our bug: a failed reset, a mining failure) fails the run's checks.
          log: errorRecordingLogger((line) => world.internalErrors.push(`node ${index}: ${line}`)),
        },
        {
          genesis,
          role: hashShare > 0 ? 'miner' : 'full',
          mine: hashShare > 0,
          minerAddress: simMinerAddress(index),
          // Encoded nodes each node keeps for proofs: few, the simulator makes none.
          chain: { trieNodeCache, trieCacheNodesMax: 256 },
        },
      )
      genesisStore ??= store
      const simNode: SimNode = { index, node, hashShare }
      world.nodes.push(simNode)
      node.ledger.chain.onBlockStored((block, source) => world.observer.onBlockStored(index, block, source))
      node.ledger.chain.onHeadChange((change) => {
        world.observer.onHeadChange(index, change)
        options.onHeadChange?.(simNode, change)
      })
      node.ledger.mempool.onAdded((tx) => world.observer.onTxAdded(index, tx.id))
    }
    world.observer.setGenesis(world.nodes[0]?.node.ledger.chain.genesisBlock.id ?? '')
    return world
  }

  get submittedCount(): number {
    return this.load.submittedCount
  }

  /** Virtual ms since the run started. */
  get elapsedMs(): number {
    return this.scheduler.nowMs() - this.startMs
  }

  /** Submits a tx to one node, as its wallet would. */
  submitTx(index: number, tx: Tx): Promise<unknown> {
    const target = this.nodes[index]
    if (!target) return Promise.reject(new RangeError(`no node ${index}`))
    return target.node.submitTx(tx)
  }

  /** Starts every node, connects each to `outbound_peers` random others, starts the load and the timeline. */
  async start(): Promise<void> {
    const { scenario, scheduler } = this
    for (const { node } of this.nodes) await node.start()
    const n = this.nodes.length
    for (let i = 0; i < n; i++) {
      const wanted = Math.min(scenario.outbound_peers, n - 1)
      const picked = new Set<number>()
      while (picked.size < wanted) {
        const j = scheduler.rng.int(n)
        if (j !== i) picked.add(j)
      }
      for (const j of picked) void this.fabric.connect(i, j)
    }
    for (const p of scenario.partitions) this.schedulePartition(p.at_s * 1000, p.heal_s * 1000, p.fraction)
    this.load.start()
    this.observer.trace('start', { nodes: n, seed: scenario.seed })
  }

  private schedulePartition(atMs: number, healMs: number, fraction: number): void {
    const { scheduler } = this
    scheduler.setTimeout(() => {
      const order = this.nodes.map((n) => n.index)
      for (let i = order.length - 1; i > 0; i--) {
        const j = scheduler.rng.int(i + 1)
        ;[order[i], order[j]] = [order[j] as number, order[i] as number]
      }
      const cut = Math.max(1, Math.min(order.length - 1, Math.round(order.length * fraction)))
      const sides = [order.slice(0, cut).sort((a, b) => a - b), order.slice(cut).sort((a, b) => a - b)]
      this.fabric.partition(sides)
      this.observer.trace('split', { sizeA: sides[0]?.length ?? 0, sizeB: sides[1]?.length ?? 0 })
    }, atMs)
    scheduler.setTimeout(() => {
      this.fabric.heal()
      this.observer.trace('heal', {})
      this.observer.markHeal()
    }, healMs)
  }

  /** Runs the scheduler until `elapsedMs` reaches `untilElapsedMs` (or `until` holds). */
  async runUntil(untilElapsedMs: number, until?: () => boolean): Promise<void> {
    await this.scheduler.run({ untilMs: this.startMs + untilElapsedMs, until })
  }

  /**
   * The whole scenario: mining and load until the best chain holds `blocks`
   * blocks and every partition has healed, then the miners and the load stop
   * and the network drains for `drain_s`.
   */
  async run(): Promise<void> {
    const { scenario } = this
    await this.start()
    const lastHealMs = Math.max(0, ...scenario.partitions.map((p) => p.heal_s * 1000))
    const stallMs = scenario.blocks * scenario.block_interval_s * 1000 * STALL_INTERVALS_PER_BLOCK
    // Past the last heal, blocks keep coming until the sides have merged: a heal is over when every node holds one head.
    const done = (): boolean =>
      this.observer.bestHeight >= scenario.blocks &&
      this.elapsedMs >= lastHealMs &&
      this.observer.convergenceMs.length >= scenario.partitions.length
    await this.runUntil(lastHealMs + stallMs, done)
    if (!done()) {
      throw new Error(
        `the network stalled at height ${this.observer.bestHeight} of ${scenario.blocks}, ${this.observer.convergenceMs.length} of ${scenario.partitions.length} heals converged`,
      )
    }
    await this.stopProducing()
    await this.runUntil(this.elapsedMs + scenario.drain_s * 1000)
    this.observer.trace('end', { heads: this.observer.distinctHeads, height: this.observer.bestHeight })
  }

  /** Stops the miners and the tx load (the network keeps relaying). */
  async stopProducing(): Promise<void> {
    this.load.stop()
    for (const { node } of this.nodes) await node.miner.stop()
  }

  async close(): Promise<void> {
    for (const { node } of this.nodes) await node.stop()
  }
}

/**
 * Which nodes mine and with what share: `miners` distinct nodes, with shares
 * drawn as exponentials and normalised, so a few large miners and a tail of
 * small ones, like mining pools.
 */
function drawHashShares(scenario: Scenario, rng: SimScheduler['rng']): Map<number, number> {
  const chosen = new Set<number>()
  while (chosen.size < scenario.miners) chosen.add(rng.int(scenario.nodes))
  const weights = [...chosen].sort((a, b) => a - b).map((index) => ({ index, w: exponential(rng, 1) }))
  const total = weights.reduce((sum, x) => sum + x.w, 0)
  return new Map(weights.map(({ index, w }) => [index, w / total]))
}
