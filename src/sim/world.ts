/**
 * A simulated network of real nodes: each is the production wiring
 * (`createNode`) over a memory store, the scenario's consensus (the modelled
 * proof of work, or proof of stake with BFT validators: consensus.ts), the
 * shared signature checker and one endpoint of the simulated network, all
 * driven by one scheduler. The scenario's timeline (tx load, partitions,
 * heals) runs on the same scheduler, so one seed gives one exact run.
 */
import type { HeadChange } from '../chain/chain.js'
import type { TrieNode } from '../chain/mpt/nodes.js'
import type { ConsensusEngine } from '../consensus/engine.js'
import { PosEngine } from '../consensus/pos/engine.js'
import { addressFromPublicKey } from '../ledger/address.js'
import type { KeyPair } from '../ledger/crypto.js'
import type { Genesis } from '../ledger/genesis.js'
import type { Tx } from '../ledger/tx.js'
import { createNode, type PeerchainNode } from '../node/node.js'
import type { ValidatorFault } from '../node/validator.js'
import { MemoryStore, SharedValues } from '../storage/memory.js'
import { BoundedCache } from '../util/bounded-cache.js'
import { toHex } from '../util/bytes.js'
import { absentProposers } from './checks.js'
import { roundMsMax, type SimConsensus, type SimNodeConsensus, simConsensus, simGenesisOf } from './consensus.js'
import { SharedDecodeMemo } from './decode-memo.js'
import { FinalityRecord } from './finality.js'
import { type FinalityWatchDeps, onFinalHeadChange, readDecidedRounds, watchProposals } from './finality-watch.js'
import { simSenderKey } from './genesis.js'
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
  /** The node's own consensus engine (under proof of stake, its PosEngine: its validator schedule). */
  engine: ConsensusEngine
  /** Share of the network's hash power (0 for a node that does not mine). */
  hashShare: number
  /** Proof of stake: voting power (0 for a full node). */
  power: bigint
  /** False for an offline validator: built, never started, never connected. */
  running: boolean
  /** Proof of stake: the fault the scenario drives this validator to (absent: honest). */
  fault?: ValidatorFault
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
/**
 * Proof of stake: runs past this many worst-case heights per block are a bug.
 * A worst-case height waits the commit pause plus, for each offline proposer
 * in a row and one more, a round at its capped timeouts.
 */
const STALL_HEIGHTS_PER_BLOCK = 3

export class SimWorld {
  readonly nodes: SimNode[] = []
  readonly observer: SimObserver
  /** Errors logged by nodes and submissions that failed for a reason other than a rule's verdict: our bugs. */
  readonly internalErrors: string[] = []
  /** Proof of stake: safety, liveness and pace, recorded as the run goes; undefined under proof of work. */
  readonly finality: FinalityRecord | undefined
  private readonly load: TxLoad
  /** Each node's engine and role, by index. */
  private readonly parts: readonly SimNodeConsensus[]
  /** Indices of the nodes that run (every node, but offline validators). */
  private readonly runningIndices: number[]
  /** Proof of stake: each node's validator address (hex), or undefined for a full node. */
  private readonly validatorAddresses: readonly (string | undefined)[]
  private readonly startMs: number

  private constructor(
    readonly scenario: Scenario,
    readonly scheduler: SimScheduler,
    readonly fabric: SimFabric,
    readonly genesis: Genesis,
    readonly senders: readonly KeyPair[],
    readonly signatures: SharedSignatureMemo,
    readonly decoders: SharedDecodeMemo,
    private readonly consensus: SimConsensus,
    options: SimWorldOptions,
  ) {
    this.startMs = scheduler.nowMs()
    this.observer = new SimObserver({ nowMs: () => scheduler.nowMs() - this.startMs }, scenario.nodes, options.trace)
    const parts = Array.from({ length: scenario.nodes }, (_, i) => consensus.nodeConsensus(i))
    this.parts = parts
    this.validatorAddresses = parts.map((p) => {
      const key = p.init.validator?.key
      return key && toHex(addressFromPublicKey(key.publicKey))
    })
    this.runningIndices = parts.flatMap((p, i) => (p.running ? [i] : []))
    this.finality =
      scenario.consensus === 'pos'
        ? new FinalityRecord({
            running: parts.map((p) => p.running),
            power: parts.map((p) => p.power),
            faulty: parts.map((p) => p.fault !== undefined),
            powerAt: (height) => this.powerAt(height),
            lossy: scenario.loss > 0,
          })
        : undefined
    // Wallets submit to running nodes only (under proof of work, every node: the same draws as ever).
    const running = this.runningIndices
    this.load = new TxLoad(
      {
        rng: scheduler.rng,
        timers: scheduler,
        chainId: genesis.chainId,
        senders,
        nodeCount: running.length,
        submit: (index, tx) => this.submitTx(running[index] as number, tx),
        onOutcome: (index, tx, outcome) => {
          if (outcome.startsWith('INTERNAL')) this.internalErrors.push(outcome)
          this.observer.onTxSubmitted(running[index] as number, tx.id, outcome)
        },
      },
      scenario.tx_rate,
    )
  }

  static async create(scenario: Scenario, options: SimWorldOptions = {}): Promise<SimWorld> {
    const senders = Array.from({ length: scenario.senders }, (_, i) => simSenderKey(i))
    const genesis = simGenesisOf(scenario, senders)
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
    const consensus = simConsensus(scenario, genesis, scheduler)
    const world = new SimWorld(scenario, scheduler, fabric, genesis, senders, memo, decoders, consensus, options)
    const { finality } = world
    const watch: FinalityWatchDeps | undefined = finality && {
      record: finality,
      nowMs: () => world.elapsedMs,
      trace: (event, fields) => world.observer.trace(event, fields),
    }
    // Every node starts from the same data directory: the first node writes the genesis, the others copy it.
    let genesisStore: MemoryStore | undefined
    for (let index = 0; index < scenario.nodes; index++) {
      const { engine, init, hashShare, power, running, fault } = world.parts[index] as SimNodeConsensus
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
          engine,
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
          ...init,
          // Encoded nodes each node keeps for proofs: few, the simulator makes none.
          chain: { trieNodeCache, trieCacheNodesMax: 256 },
        },
      )
      genesisStore ??= store
      const simNode: SimNode = { index, node, engine, hashShare, power, running, ...(fault && { fault }) }
      world.nodes.push(simNode)
      node.ledger.chain.onBlockStored((block, source) => world.observer.onBlockStored(index, block, source))
      node.ledger.chain.onHeadChange((change) => {
        world.observer.onHeadChange(index, change)
        if (watch) onFinalHeadChange(watch, index, change)
        options.onHeadChange?.(simNode, change)
      })
      if (watch) watchProposals(watch, index, network, node.ledger.chain)
      node.ledger.mempool.onAdded((tx) => world.observer.onTxAdded(index, tx.id))
    }
    world.observer.setGenesis(world.nodes[0]?.node.ledger.chain.genesisBlock.id ?? '', world.runningIndices.length)
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

  /**
   * Starts every running node, connects each to `outbound_peers` random
   * other running nodes, starts the load and the timeline.
   */
  async start(): Promise<void> {
    const { scenario, scheduler } = this
    const running = this.runningIndices
    for (const i of running) await (this.nodes[i] as SimNode).node.start()
    const n = this.nodes.length
    // With every node running, running[k] is k: the same draws as before offline nodes existed.
    for (const i of running) {
      const wanted = Math.min(scenario.outbound_peers, running.length - 1)
      const picked = new Set<number>()
      while (picked.size < wanted) {
        const j = running[scheduler.rng.int(running.length)] as number
        if (j !== i) picked.add(j)
      }
      for (const j of picked) void this.fabric.connect(i, j)
    }
    if (scenario.connect_validators) {
      const validators = running.filter((i) => this.validatorAddresses[i] !== undefined)
      for (const [k, i] of validators.entries()) for (const j of validators.slice(k + 1)) void this.fabric.connect(i, j)
    }
    for (const p of scenario.partitions) this.schedulePartition(p.at_s * 1000, p.heal_s * 1000, p.fraction, p.redial)
    if (scenario.loss_until_s !== undefined) {
      scheduler.setTimeout(() => {
        this.fabric.stopLoss()
        this.observer.trace('reliable', {})
        this.finality?.onReliable(this.elapsedMs)
      }, scenario.loss_until_s * 1000)
    }
    this.load.start()
    this.observer.trace('start', { nodes: n, seed: scenario.seed })
  }

  private schedulePartition(atMs: number, healMs: number, fraction: number, redial: boolean): void {
    const { scheduler, fabric } = this
    /** With `redial`: the connections the split closed, as [dialer, listener], dialed again at the heal. */
    const closed: Array<[number, number]> = []
    scheduler.setTimeout(() => {
      const order = this.nodes.map((n) => n.index)
      for (let i = order.length - 1; i > 0; i--) {
        const j = scheduler.rng.int(i + 1)
        ;[order[i], order[j]] = [order[j] as number, order[i] as number]
      }
      const cut = Math.max(1, Math.min(order.length - 1, Math.round(order.length * fraction)))
      const sides = [order.slice(0, cut).sort((a, b) => a - b), order.slice(cut).sort((a, b) => a - b)]
      fabric.partition(sides)
      if (redial) {
        for (const { index } of this.nodes) {
          const endpoint = fabric.node(index)
          for (const peer of [...endpoint.connectedPeers()]) {
            const conn = endpoint.connectionTo(peer)
            if (!conn || !fabric.isCut(index, peer) || conn.dialer !== index) continue
            closed.push([conn.dialer, conn.listener])
            fabric.closeConnection(conn)
          }
        }
      }
      this.observer.trace('split', { sizeA: sides[0]?.length ?? 0, sizeB: sides[1]?.length ?? 0 })
      this.finality?.onSplit(sides, this.elapsedMs)
    }, atMs)
    scheduler.setTimeout(() => {
      fabric.heal()
      for (const [dialer, listener] of closed) void fabric.connect(dialer, listener)
      this.observer.trace('heal', {})
      this.observer.markHeal()
      this.finality?.onHeal(this.elapsedMs)
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
    const { scenario, finality } = this
    await this.start()
    const lastHealMs = 1000 * Math.max(0, scenario.loss_until_s ?? 0, ...scenario.partitions.map((p) => p.heal_s))
    // The end of loss counts as a heal. Past the last heal, blocks keep coming until the sides have merged: a heal is over when every node holds one head.
    // Under proof of stake, a height must also have committed since the last heal.
    const done = (): boolean =>
      this.observer.bestHeight >= scenario.blocks &&
      this.elapsedMs >= lastHealMs &&
      this.observer.convergenceMs.length >= scenario.partitions.length &&
      (finality?.heals.every((heal) => heal.committedAfter) ?? true)
    await this.runUntil(lastHealMs + this.stallMs(), done)
    finality?.onEnd(this.elapsedMs)
    if (!done()) {
      throw new Error(
        `the network stalled at height ${this.observer.bestHeight} of ${scenario.blocks}, ${this.observer.convergenceMs.length} of ${scenario.partitions.length} heals converged`,
      )
    }
    await this.stopProducing()
    await this.runUntil(this.elapsedMs + scenario.drain_s * 1000)
    if (finality) await this.readDecidedRounds(finality)
    this.observer.trace('end', { heads: this.observer.distinctHeads, height: this.observer.bestHeight })
  }

  /** How long a run may go before it is a stall: a bug, not a long run. */
  private stallMs(): number {
    const { scenario } = this
    const blockIntervalMs = scenario.block_interval_s * 1000
    if (scenario.consensus === 'pow') return scenario.blocks * blockIntervalMs * STALL_INTERVALS_PER_BLOCK
    const heightMsMax = blockIntervalMs + (absentProposers(scenario) + 1) * roundMsMax(scenario.timeouts)
    return scenario.blocks * heightMsMax * STALL_HEIGHTS_PER_BLOCK
  }

  /**
   * Each node's voting power in the set of `height`, as the first running
   * node whose engine knows that set holds it (every node's sets agree, or
   * the safety checks say so); undefined when none knows it yet.
   */
  private powerAt(height: number): bigint[] | undefined {
    for (const { index, running } of this.nodes) {
      const engine = this.parts[index]?.engine
      if (!running || !(engine instanceof PosEngine) || !engine.schedule.knows(height)) continue
      const set = engine.schedule.setAt(height)
      const byAddress = new Map<string, bigint>()
      for (let i = 0; i < set.size; i++) {
        const v = set.validator(i)
        byAddress.set(toHex(v.address), v.power)
      }
      return this.validatorAddresses.map((address) => (address ? (byAddress.get(address) ?? 0n) : 0n))
    }
    return undefined
  }

  /** The decided round of every height, from the stored commits of the running node with the longest chain. */
  private async readDecidedRounds(record: FinalityRecord): Promise<void> {
    let best: SimNode | undefined
    for (const n of this.nodes) {
      if (n.running && n.node.ledger.chain.head.height > (best?.node.ledger.chain.head.height ?? -1)) best = n
    }
    const engine = best && this.parts[best.index]?.engine
    if (best && engine instanceof PosEngine) await readDecidedRounds(record, best.node, engine)
  }

  /** Stops the miners, the validators and the tx load (the network keeps relaying). */
  async stopProducing(): Promise<void> {
    this.load.stop()
    for (const { node } of this.nodes) {
      await node.miner.stop()
      node.validator?.stop()
    }
  }

  async close(): Promise<void> {
    for (const { node } of this.nodes) await node.stop()
  }

  /** Indices of the nodes that run (every node, but offline validators). */
  get running(): readonly number[] {
    return this.runningIndices
  }
}
