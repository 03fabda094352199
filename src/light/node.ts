/**
 * The light node as wiring only (the full node's is node/node.ts): it takes
 * the network, a store, a clock, timers and a log, and connects
 * - the status handshake (relay/status.ts, role `light`, our header tip as
 *   head): peers of another chain are cut as on a full node, and a peer
 *   ahead of us starts a header sync from it;
 * - header sync into the header store (header-store.ts): on a
 *   proof-of-work chain header-sync.ts (most work, FlyClient start on a
 *   version 2 chain), on a proof-of-stake chain pos-sync.ts (runs verified
 *   by the commits of the set it trusts, from the genesis set on, so the
 *   head is the newest header with a verified commit); and a follow timer
 *   that asks one full peer at a time for headers past our tip (the light
 *   node takes no block gossip);
 * - the queries (queries.ts) and the node's own txs (txs.ts), which the API
 *   (api.ts) answers from.
 * It subscribes to no gossip topic: its own txs are published on the tx
 * topic (gossipsub's fanout), so it never validates or relays anyone else's
 * messages, and it serves neither sync nor the light protocol.
 */
import { buildGenesisBlock } from '../chain/genesis-block.js'
import { StateTrie } from '../chain/trie.js'
import { genesisValidators } from '../consensus/pos/genesis-set.js'
import type { Header } from '../ledger/block.js'
import { type Genesis, headerVersionOf } from '../ledger/genesis.js'
import type { Network, PeerIdString } from '../net/network.js'
import { type StatusChain, StatusExchange } from '../relay/status.js'
import { lightProtocol, txTopic } from '../relay/topics.js'
import type { KvStore } from '../storage/kv.js'
import { MemoryStore } from '../storage/memory.js'
import type { SyncStatus } from '../sync/meter.js'
import type { Clock } from '../util/clock.js'
import type { Logger } from '../util/log.js'
import type { Timers } from '../util/timers.js'
import type { LightApiParts } from './api.js'
import { createLightClient, type LightClient } from './client.js'
import { LightHeaderStore } from './header-store.js'
import { HeaderSync, type HeaderSyncOptions } from './header-sync.js'
import { LIGHT_REQUEST_LIMITS } from './limits.js'
import { PosHeaderSync, type PosHeaderSyncOptions } from './pos-sync.js'
import { type LightPeer, LightQueries, type LightQueriesOptions } from './queries.js'
import { LightTxs } from './txs.js'

export interface LightNodeDeps {
  network: Network
  /** The header store's: opened by the node, closed with it. */
  store: KvStore
  clock: Clock
  timers: Timers
  log: Logger
}

export interface LightNodeInit {
  genesis: Genesis
  /** How often one full peer is asked for headers past our tip. Default: the block time, within 1–10 s. */
  followMs?: number
  /** Proof-of-work header sync's options (header-sync.ts). */
  sync?: Partial<HeaderSyncOptions>
  /** Proof-of-stake header sync's options (pos-sync.ts). */
  posSync?: Partial<PosHeaderSyncOptions>
  queries?: Partial<LightQueriesOptions>
}

/** The genesis header of `genesis` (its state root needs the allocation's trie, built in memory and dropped). */
export async function genesisHeaderOf(genesis: Genesis): Promise<Header> {
  const kv = new MemoryStore()
  await kv.open()
  try {
    return (await buildGenesisBlock(genesis, await StateTrie.open(kv, 1024))).header
  } finally {
    await kv.close()
  }
}

/** What the node needs of either header sync: proof of work's (header-sync.ts) or proof of stake's (pos-sync.ts). */
export interface LightSync {
  /** Queues a run with `peer` (ahead of us, or the follow timer's turn). */
  poke(peer: PeerIdString): Promise<void>
  /** The peer of the run in progress; null when idle. */
  progress(): { peer: PeerIdString | null }
  stop(): Promise<void>
}

/** One proof-of-stake block weighs 1 in fork choice (consensus/pos/engine.ts), as on a full node. */
const posWork = (): bigint => 1n

export class LightNode {
  private followTimer: unknown
  private followNext = 0
  private started = false
  private stopped = false

  private constructor(
    private readonly deps: LightNodeDeps,
    readonly genesis: Genesis,
    readonly store: LightHeaderStore,
    readonly status: StatusExchange,
    readonly client: LightClient,
    readonly sync: LightSync,
    readonly queries: LightQueries,
    readonly txs: LightTxs,
    private readonly followMs: number,
  ) {}

  /** Opens the header store and connects the parts; `start()` puts the node on the network. */
  static async create(deps: LightNodeDeps, init: LightNodeInit): Promise<LightNode> {
    const { network, clock, timers, log } = deps
    const { genesis } = init
    const staking = genesis.params.engine === 'pos'
    const genesisHeader = await genesisHeaderOf(genesis)
    const store = await LightHeaderStore.open(
      deps.store,
      genesisHeader,
      genesis.params,
      staking ? { clock, work: posWork } : { clock },
    )
    const view: StatusChain = {
      chainId: genesis.chainId,
      genesisBlock: { hash: genesisHeader.hash, id: genesisHeader.id },
      get head() {
        return store.tip
      },
    }
    const status = new StatusExchange(
      { net: network, chain: view, clock, timers, log: (msg, fields) => log.debug(msg, fields) },
      { role: 'light' },
    )
    const report = (peer: PeerIdString, penalty: number, reason: string) => network.reportPeer(peer, penalty, reason)
    const protocol = lightProtocol(genesis.chainId)
    const client = createLightClient({
      send: (peer, request, signal) => network.request(peer, protocol, request, LIGHT_REQUEST_LIMITS, signal),
      report,
    })
    const syncLog = log.child({ module: 'light-sync' })
    let sync: LightSync
    try {
      sync = staking
        ? await PosHeaderSync.open(
            {
              store,
              client,
              rules: {
                chainId: genesis.chainId,
                headerVersion: headerVersionOf(genesis.params),
                epochLength: genesis.pos?.epochLength ?? Number.POSITIVE_INFINITY,
              },
              genesisValidators: genesisValidators(genesis),
              log: (msg, fields) => syncLog.info(msg, fields),
            },
            init.posSync,
          )
        : new HeaderSync(
            {
              store,
              client,
              report,
              claimedWork: (peer) => {
                const s = status.statusOf(peer)
                return s?.claimTrusted ? s.totalWork : undefined
              },
              refuteClaim: (peer) => status.refuteClaim(peer),
              clock,
              log: (msg, fields) => syncLog.info(msg, fields),
            },
            init.sync,
          )
    } catch (err) {
      await store.close()
      throw err
    }
    const fullPeers = (): LightPeer[] =>
      network
        .peers()
        .filter((p) => {
          const s = status.statusOf(p.id)
          return s !== undefined && s.role !== 'light'
        })
        .map((p) => ({ id: p.id, group: p.group, score: p.score }))
    const queries = new LightQueries(
      { store, client, peers: fullPeers, behind: (peer) => void sync.poke(peer) },
      init.queries,
    )
    const topic = txTopic(genesis.chainId)
    const txs = new LightTxs({
      publish: (data) => network.publish(topic, data),
      clock,
      log: (msg, fields) => log.info(msg, fields),
    })
    const followMs = init.followMs ?? Math.min(10_000, Math.max(1_000, genesis.params.blockTimeMs))
    const node = new LightNode(deps, genesis, store, status, client, sync, queries, txs, followMs)
    status.onPeerAhead((peer) => void sync.poke(peer))
    store.onTipChange((tip, previous) => {
      const fields = { height: tip.height, hash: tip.id, from: previous.height }
      if (tip.height - previous.height > 1 || tip.header.parentId !== previous.id) log.info('light: new tip', fields)
      else log.debug('light: new tip', fields)
    })
    return node
  }

  get network(): Network {
    return this.deps.network
  }

  get peerId(): string {
    return this.deps.network.peerId
  }

  /** Full peers with a completed handshake. */
  fullPeers(): PeerIdString[] {
    return this.deps.network
      .peers()
      .filter((p) => {
        const s = this.status.statusOf(p.id)
        return s !== undefined && s.role !== 'light'
      })
      .map((p) => p.id)
  }

  async start(): Promise<void> {
    await this.status.start()
    await this.deps.network.start()
    this.started = true
    this.scheduleFollow()
  }

  /** Asks the next full peer (in turn) for headers past our tip, and publishes again the txs no peer got. */
  private scheduleFollow(): void {
    if (this.stopped) return
    this.followTimer = this.deps.timers.setTimeout(() => {
      const peers = this.fullPeers()
      const peer = peers.length === 0 ? undefined : peers[this.followNext++ % peers.length]
      const work = Promise.all([peer === undefined ? undefined : this.sync.poke(peer), this.txs.tick()])
      work
        .catch((err: unknown) => this.deps.log.warn('light: follow failed', { error: String(err) }))
        .finally(() => this.scheduleFollow())
    }, this.followMs)
  }

  syncStatus(): SyncStatus {
    const tip = this.store.tip
    const { peer } = this.sync.progress()
    if (peer === null) {
      return {
        state: 'idle',
        doneHeight: tip.height,
        targetHeight: tip.height,
        blocksPerSecond: 0,
        etaSeconds: null,
        peer: null,
      }
    }
    const target = Math.max(tip.height, this.status.statusOf(peer)?.headHeight ?? 0)
    return {
      state: 'headers',
      doneHeight: tip.height,
      targetHeight: target,
      // Headers, not blocks: a light node downloads no block.
      blocksPerSecond: 0,
      etaSeconds: target === tip.height ? 0 : null,
      peer,
    }
  }

  /** What the API (api.ts) answers from. */
  apiParts(): LightApiParts {
    return {
      chainId: this.genesis.chainId,
      consensus: this.genesis.params.engine,
      genesisId: this.store.genesis.id,
      limits: this.genesis.limits,
      store: this.store,
      queries: this.queries,
      txs: this.txs,
      network: this.deps.network,
      syncStatus: () => this.syncStatus(),
      log: (level, msg, fields) => this.deps.log[level](msg, fields),
    }
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.followTimer !== undefined) this.deps.timers.clearTimeout(this.followTimer)
    await this.sync.stop()
    if (this.started) await this.deps.network.stop()
    await this.store.close()
  }
}
