/**
 * Compact-relay nodes over a fake wire: each node is a test chain, a mempool
 * and a CompactRelay; `send` hands a request to the named peer's handler.
 * Peers can be made silent (never answer missing-tx requests) or mute
 * (do not speak the protocol), and every charge, fetch and gossip publish
 * is recorded. A wire made `withMessages` gives its nodes message streams
 * too (`push` hands a message to the peer's `onMessage`; it fails to a peer
 * in `brokenStreams`); messages are recorded as `from→to kind (msg)`.
 */
import { Block } from '../../../../src/ledger/block.js'
import { Tx } from '../../../../src/ledger/tx.js'
import { Mempool } from '../../../../src/mempool/index.js'
import { type PeerIdString, RequestError } from '../../../../src/net/network.js'
import { decodeCompactRequest } from '../../../../src/relay/compact/compact-codec.js'
import {
  type CompactObserver,
  CompactRelay,
  type FallbackReason,
  RecentTxs,
} from '../../../../src/relay/compact/index.js'
import { toHex } from '../../../../src/util/bytes.js'
import { seededRng } from '../../../../src/util/rng.js'
import type { Timers } from '../../../../src/util/timers.js'
import { openTestChain, type TestChain } from '../../../helpers/chain.js'

/** Timers that fire only when told to. */
export class HeldTimers implements Timers {
  private readonly waiting = new Map<number, () => void>()
  private next = 0
  setTimeout(callback: () => void): unknown {
    this.next++
    this.waiting.set(this.next, callback)
    return this.next
  }
  clearTimeout(handle: unknown): void {
    this.waiting.delete(handle as number)
  }
  get pending(): number {
    return this.waiting.size
  }
  fireAll(): void {
    const callbacks = [...this.waiting.values()]
    this.waiting.clear()
    for (const callback of callbacks) callback()
  }
}

export class Counts implements CompactObserver {
  receivedCount = 0
  rebuiltWithout = 0
  rebuiltWith = 0
  requestedTxs: number[] = []
  fallbacks: FallbackReason[] = []
  bytesIn = 0
  bytesOut = 0
  importedCount = 0
  received(): void {
    this.receivedCount++
  }
  imported(): void {
    this.importedCount++
  }
  rebuilt(requested: boolean): void {
    if (requested) this.rebuiltWith++
    else this.rebuiltWithout++
  }
  missingTxsRequested(count: number): void {
    this.requestedTxs.push(count)
  }
  fullBlockFallback(reason: FallbackReason): void {
    this.fallbacks.push(reason)
  }
  bytes(direction: 'in' | 'out', count: number): void {
    if (direction === 'in') this.bytesIn += count
    else this.bytesOut += count
  }
}

export interface TestNode {
  name: string
  t: TestChain
  mempool: Mempool
  recent: RecentTxs
  relay: CompactRelay
  timers: HeldTimers
  counts: Counts
  charges: Array<{ peer: string; penalty: number; reason: string }>
  /** Peers the full block was fetched from, in order. */
  fetchedFrom: string[]
  /** Ids of blocks published on the gossip topic. */
  gossiped: string[]
  unknownParents: string[]
}

export class Wire {
  constructor(private readonly options: { withMessages?: boolean } = {}) {}
  readonly nodes = new Map<string, TestNode>()
  /** Peers whose message stream fails (the sender falls back to a request). */
  readonly brokenStreams = new Set<string>()
  /** Peers that drop every getBlock message they get (as if they no longer held the block). */
  readonly dropGetBlock = new Set<string>()
  /** Peers that do not speak the protocol (they still get gossip). */
  readonly mute = new Set<string>()
  /** Peers that never answer a missing-tx request. */
  readonly silent = new Set<string>()
  /** Nodes whose block imports wait until `releaseImports()`. */
  readonly slowImports = new Set<string>()
  private readonly heldImports: Array<() => void> = []
  /** While true, missing-tx requests wait until `releaseTxRequests()`. */
  holdTxRequests = false
  private readonly held: Array<() => void> = []
  /** Links, both ways. */
  private readonly links = new Map<string, Set<string>>()
  /** Missing-tx requests sent, as `from→to`. */
  readonly txRequests: string[] = []
  /** Requests by kind, as `from→to kind`. */
  readonly sent: string[] = []
  /** Each request's and message's size, by its `sent` line. */
  readonly bytesSent: Array<{ line: string; bytes: number }> = []

  async node(name: string): Promise<TestNode> {
    const t = await openTestChain()
    const mempool = new Mempool({
      chainId: t.chain.chainId,
      limits: t.genesis.limits,
      staking: false,
      clock: t.clock,
      readAccounts: (a) => t.chain.getAccounts(a),
    })
    const recent = new RecentTxs()
    const timers = new HeldTimers()
    const counts = new Counts()
    const node: TestNode = {
      name,
      t,
      mempool,
      recent,
      timers,
      counts,
      charges: [],
      fetchedFrom: [],
      gossiped: [],
      unknownParents: [],
      relay: undefined as unknown as CompactRelay,
    }
    const { blockBytesMax, blockTxsMax, txBytesMax } = t.genesis.limits
    node.relay = new CompactRelay({
      net: {
        peers: () => [...(this.links.get(name) ?? [])],
        speaks: async (peer) => !this.mute.has(peer),
        send: (peer, request) => this.send(name, peer, request),
        push: this.options.withMessages ? (peer, message) => this.push(name, peer, message) : undefined,
        reportPeer: (peer, penalty, reason) => node.charges.push({ peer, penalty, reason }),
        notePeerActivity: () => {},
      },
      chain: {
        limits: { blockBytesMax, blockTxsMax, txBytesMax },
        knows: (id) => t.chain.index.get(id) !== undefined,
        hasParent: (header) => t.chain.index.get(header.parentId) !== undefined,
        checkSeal: (header) => t.engine.checkSeal(header),
        getBlock: (id) => t.chain.getBlock(id),
        importBlock: async (block) => {
          if (this.slowImports.has(name)) await new Promise<void>((resolve) => this.heldImports.push(resolve))
          return (await t.chain.importBlock(block, 'gossip')).status === 'orphan' ? 'orphan' : 'stored'
        },
      },
      txs: {
        candidates: () => [mempool.pending(), recent.values()],
        decodeTx: (bytes) => Tx.fromBytes(bytes),
      },
      fetchBlock: async (peer, hash) => {
        node.fetchedFrom.push(peer)
        return this.nodes.get(peer)?.t.chain.getBlock(toHex(hash))
      },
      publishGossip: async (block) => node.gossiped.push(block.id),
      onUnknownParent: (peer) => node.unknownParents.push(peer),
      clock: t.clock,
      timers,
      rng: seededRng(7),
      observer: counts,
    })
    this.nodes.set(name, node)
    return node
  }

  releaseImports(): void {
    this.slowImports.clear()
    for (const release of this.heldImports.splice(0)) release()
  }

  releaseTxRequests(): void {
    this.holdTxRequests = false
    for (const release of this.held.splice(0)) release()
  }

  link(a: string, b: string): void {
    for (const [x, y] of [
      [a, b],
      [b, a],
    ] as const) {
      const set = this.links.get(x) ?? new Set()
      set.add(y)
      this.links.set(x, set)
    }
  }

  private async push(from: PeerIdString, to: PeerIdString, message: Uint8Array): Promise<void> {
    const target = this.nodes.get(to)
    if (!target || this.mute.has(to)) throw new RequestError('PROTOCOL', `${to} does not speak the protocol`)
    const kind = decodeCompactRequest(message, target.t.genesis.limits).kind
    if (this.brokenStreams.has(to)) {
      this.sent.push(`${from}→${to} ${kind} (msg failed)`)
      throw new RequestError('RESET', 'stream reset')
    }
    this.sent.push(`${from}→${to} ${kind} (msg)`)
    this.bytesSent.push({ line: `${from}→${to} ${kind} (msg)`, bytes: message.byteLength })
    if (kind === 'getBlock' && this.dropGetBlock.has(to)) return
    void target.relay.onMessage(message, from)
  }

  private async send(from: PeerIdString, to: PeerIdString, request: Uint8Array): Promise<Uint8Array> {
    const target = this.nodes.get(to)
    if (!target || this.mute.has(to)) throw new Error(`${to} does not speak the protocol`)
    const kind = decodeCompactRequest(request, target.t.genesis.limits).kind
    this.sent.push(`${from}→${to} ${kind}`)
    this.bytesSent.push({ line: `${from}→${to} ${kind}`, bytes: request.byteLength })
    if (kind === 'getBlockTxs') {
      this.txRequests.push(`${from}→${to}`)
      if (this.silent.has(to)) return new Promise(() => {})
      if (this.holdTxRequests) await new Promise<void>((resolve) => this.held.push(resolve))
    }
    return target.relay.handle(request, from)
  }
}

/** Imports `block` on `node`'s chain (as the node that mined or first got it). */
export async function holdBlock(node: TestNode, block: Block): Promise<void> {
  await node.t.chain.importBlock(block, 'mined')
}

/** Keeps the other chains' clocks with the miner's, so its block's time is not in their future. */
export function syncClocks(wire: Wire, nowMs: number): void {
  for (const node of wire.nodes.values()) node.t.clock.set(nowMs)
}

export { Block, Tx }
