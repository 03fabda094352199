/**
 * The medium every simulated node shares. It owns the nodes, their
 * connections and the partition, and moves packets:
 *
 *   departure = max(now, sender's uplink free) + bytes·8 / uplink bits/s    (a FIFO uplink)
 *   arrival   = departure + one-way latency of the regions ± jitter         (uniform, from the rng)
 *   arrival   = max(arrival, last arrival on this connection and direction) (TCP-like order)
 *
 * then, when the receiver has a modelled downlink, the packet also waits for
 * it (FIFO, taking the packet from its first bit on). Delivery happens at the
 * arrival rounded up to a whole ms. Each packet counts its payload plus
 * FRAME_OVERHEAD_BYTES. Gossip messages are lost with the link's loss
 * probability; across a partition every packet is dropped silently (a request
 * then times out, like on a black-holed TCP link), while connections stay open.
 */
import { RequestError } from '../net/network.js'
import { emptyStats, type SimStats } from './counters.js'
import { SimNetwork } from './endpoint.js'
import { GOSSIP_DEFAULTS, type GossipModel, type GossipParams } from './gossip-params.js'
import {
  type Access,
  type Packet,
  type PacketBody,
  parseSimPeerId,
  SimConnection,
  simPeerId,
  transmitMs,
} from './links.js'
import { Partition } from './partition.js'
import { checkLatencyMatrix, regionIndex, WAN6 } from './regions.js'
import type { SimScheduler } from './scheduler.js'

export interface SimFabricInit {
  scheduler: SimScheduler
  /** Default 'gossipsub'. */
  gossip?: GossipModel
  gossipParams?: Partial<GossipParams>
  /** Region-to-region one-way latency (default WAN6.latencyMs). */
  latencyMs?: readonly (readonly number[])[]
  /** Region names, for addNode({ region: 'europe' }) (default WAN6's when the matrix is WAN6's). */
  regionNames?: readonly string[]
  /** Each packet's latency moves by a uniform draw in [-jitterMs, +jitterMs] (default 0). */
  jitterMs?: number
  /** Probability that a gossip message is lost on a link (default 0). */
  loss?: number
  /** A dial into a partition fails after this long (default 10 s). */
  dialTimeoutMs?: number
  log?: (msg: string, fields?: Record<string, unknown>) => void
}

export interface AddNodeOptions {
  /** Index into the latency matrix, or a region name. */
  region: number | string
  uplinkBitsPerSec: number
  /** Default: not modelled (unlimited). */
  downlinkBitsPerSec?: number
}

const PAIR_KEY = 2 ** 21

export class SimFabric {
  readonly scheduler: SimScheduler
  readonly stats: SimStats = emptyStats()
  readonly gossipModel: GossipModel
  readonly gossipParams: GossipParams
  readonly latencyMs: readonly (readonly number[])[]
  readonly jitterMs: number
  private lossNow: number
  readonly dialTimeoutMs: number
  readonly log: (msg: string, fields?: Record<string, unknown>) => void
  private readonly regionNames: readonly string[] | undefined
  private readonly nodes: SimNetwork[] = []
  private readonly ids: string[] = []
  private readonly linkLoss = new Map<number, number>()
  private readonly dialing = new Map<number, Promise<void>>()
  private readonly partitioning = new Partition()

  constructor(init: SimFabricInit) {
    this.scheduler = init.scheduler
    this.gossipModel = init.gossip ?? 'gossipsub'
    this.gossipParams = { ...GOSSIP_DEFAULTS, ...init.gossipParams }
    this.latencyMs = init.latencyMs ?? WAN6.latencyMs
    checkLatencyMatrix(this.latencyMs)
    this.regionNames = init.regionNames ?? (this.latencyMs === WAN6.latencyMs ? WAN6.regions : undefined)
    this.jitterMs = init.jitterMs ?? 0
    this.lossNow = init.loss ?? 0
    this.dialTimeoutMs = init.dialTimeoutMs ?? 10_000
    this.log = init.log ?? (() => {})
    if (!(this.jitterMs >= 0)) throw new RangeError(`jitterMs must be >= 0: ${this.jitterMs}`)
    checkProbability(this.loss)
  }

  get size(): number {
    return this.nodes.length
  }

  /** Loss probability of gossip messages on every link without its own (setLoss). */
  get loss(): number {
    return this.lossNow
  }

  /** No message is lost from now on, on any link (the global stabilisation time of partial synchrony). */
  stopLoss(): void {
    this.lossNow = 0
    this.linkLoss.clear()
  }

  addNode(opts: AddNodeOptions): SimNetwork {
    const region = regionIndex(opts.region, this.latencyMs.length, this.regionNames)
    const downlinkBitsPerSec = opts.downlinkBitsPerSec ?? Number.POSITIVE_INFINITY
    for (const [key, bps] of [
      ['uplinkBitsPerSec', opts.uplinkBitsPerSec],
      ['downlinkBitsPerSec', downlinkBitsPerSec],
    ] as const) {
      if (!(bps > 0)) throw new RangeError(`${key} must be > 0: ${bps}`)
    }
    const index = this.nodes.length
    if (index >= PAIR_KEY) throw new RangeError(`at most ${PAIR_KEY} nodes`)
    this.ids.push(simPeerId(index))
    const access: Access = {
      uplinkBitsPerSec: opts.uplinkBitsPerSec,
      downlinkBitsPerSec,
      uplinkFreeAtMs: 0,
      downlinkFreeAtMs: 0,
      bytesIn: 0,
      bytesOut: 0,
    }
    const phaseMs = this.scheduler.rng.int(this.gossipParams.heartbeatMs)
    const node = new SimNetwork(this, index, region, access, phaseMs)
    this.nodes.push(node)
    return node
  }

  node(index: number): SimNetwork {
    const node = this.nodes[index]
    if (node === undefined) throw new RangeError(`no simulated node ${index}`)
    return node
  }

  all(): readonly SimNetwork[] {
    return this.nodes
  }

  idOf(index: number): string {
    return this.ids[index] ?? simPeerId(index)
  }

  indexOf(peer: string): number | undefined {
    const index = parseSimPeerId(peer)
    return index !== undefined && index < this.nodes.length ? index : undefined
  }

  /** Node `a` dials node `b`; resolves true once connected (one round trip later), false if the dial failed. */
  connect(a: number | SimNetwork, b: number | SimNetwork): Promise<boolean> {
    const from = typeof a === 'number' ? a : a.index
    const to = typeof b === 'number' ? b : b.index
    return this.openConnection(from, to).then(
      () => true,
      () => false,
    )
  }

  /** Every node dials `outbound` distinct random others; resolves when all dials have ended. */
  async connectRandom(outbound: number): Promise<void> {
    const n = this.nodes.length
    const dials: Promise<boolean>[] = []
    for (let i = 0; i < n; i++) {
      const picked = new Set<number>()
      while (picked.size < Math.min(outbound, n - 1)) {
        const j = this.scheduler.rng.int(n)
        if (j !== i) picked.add(j)
      }
      for (const j of picked) dials.push(this.connect(i, j))
    }
    await Promise.all(dials)
  }

  /**
   * Cuts every link between nodes of different groups. Nodes in no group
   * form one more group together. Connections stay open.
   */
  partition(groups: readonly (readonly number[])[]): void {
    this.partitioning.split(groups, this.nodes.length)
  }

  heal(): void {
    this.partitioning.heal()
  }

  isCut(a: number, b: number): boolean {
    return this.partitioning.isCut(a, b)
  }

  /** Loss probability of gossip messages from `from` to `to` (overrides the fabric's `loss`). */
  setLoss(from: number, to: number, probability: number): void {
    checkProbability(probability)
    this.linkLoss.set(from * PAIR_KEY + to, probability)
  }

  /** The base one-way latency from node `from` to node `to` (without jitter). */
  baseLatencyMs(from: number, to: number): number {
    return this.latencyMs[this.node(from).region]?.[this.node(to).region] as number
  }

  /** @internal Opens a connection after one round trip; rejects with RequestError DIAL_FAILED. */
  openConnection(dialer: number, listener: number): Promise<void> {
    const a = this.node(dialer)
    const b = this.node(listener)
    if (dialer === listener) return Promise.reject(new RequestError('DIAL_FAILED', 'cannot dial self'))
    if (!a.isStarted()) return Promise.reject(new RequestError('DIAL_FAILED', `${a.peerId} is not started`))
    if (a.connectionTo(listener)) return Promise.resolve()
    if (a.isBanned(b.peerId)) return Promise.reject(new RequestError('DIAL_FAILED', `${b.peerId} is banned`))
    const key = Math.min(dialer, listener) * PAIR_KEY + Math.max(dialer, listener)
    const pending = this.dialing.get(key)
    if (pending) return pending
    const dial = new Promise<void>((resolve, reject) => {
      const now = this.scheduler.nowMs()
      if (this.isCut(dialer, listener)) {
        const fail = () => reject(new RequestError('DIAL_FAILED', `dial timed out after ${this.dialTimeoutMs} ms`))
        this.scheduler.at(now + this.dialTimeoutMs, fail, undefined)
        return
      }
      const rttMs = this.baseLatencyMs(dialer, listener) + this.baseLatencyMs(listener, dialer)
      this.scheduler.at(
        now + rttMs,
        () => {
          const refused = this.refusal(a, b)
          if (refused) return reject(new RequestError('DIAL_FAILED', refused))
          const conn = new SimConnection(dialer, listener, this.scheduler.nowMs())
          a.attach(conn)
          b.attach(conn)
          resolve()
        },
        undefined,
      )
    }).finally(() => this.dialing.delete(key))
    this.dialing.set(key, dial)
    return dial
  }

  /** @internal Closes both ends at once. */
  closeConnection(conn: SimConnection): void {
    if (!conn.open) return
    conn.open = false
    this.node(conn.dialer).detach(conn)
    this.node(conn.listener).detach(conn)
  }

  /** @internal Puts a packet on the sender's uplink and schedules its arrival. */
  send(conn: SimConnection, from: number, to: number, body: PacketBody, bytes: number): void {
    const { stats, scheduler } = this
    const src = (this.nodes[from] as SimNetwork).access
    const startMs = Math.max(scheduler.nowMs(), src.uplinkFreeAtMs)
    const endMs = startMs + transmitMs(bytes, src.uplinkBitsPerSec)
    src.uplinkFreeAtMs = endMs
    src.bytesOut += bytes
    stats.bytesSent += bytes
    if (!conn.open) {
      this.drop('closed')
      return
    }
    if (this.isCut(from, to)) {
      this.drop('cut')
      return
    }
    if (body.kind === 'gossip') {
      const loss = this.linkLoss.size > 0 ? (this.linkLoss.get(from * PAIR_KEY + to) ?? this.loss) : this.loss
      if (loss > 0 && scheduler.rng.next() < loss) {
        this.drop('lost')
        return
      }
    }
    let latencyMs = this.baseLatencyMs(from, to)
    if (this.jitterMs > 0) latencyMs = Math.max(0, latencyMs + (scheduler.rng.next() * 2 - 1) * this.jitterMs)
    const direction = from === conn.dialer ? 0 : 1
    const arrivalMs = Math.max(endMs + latencyMs, conn.lastArrivalMs[direction] as number)
    conn.lastArrivalMs[direction] = arrivalMs
    const packet: Packet = {
      body,
      conn,
      from,
      to,
      bytes,
      firstBitMs: startMs + latencyMs,
      arrivalMs,
      downlinked: false,
    }
    scheduler.atSync(arrivalMs, this.arrive, packet)
  }

  private readonly arrive = (packet: Packet): void => {
    if (!packet.conn.open) {
      this.drop('closed')
      return
    }
    if (this.isCut(packet.from, packet.to)) {
      this.drop('cut')
      return
    }
    const dst = this.nodes[packet.to] as SimNetwork
    const { access } = dst
    if (!packet.downlinked && access.downlinkBitsPerSec !== Number.POSITIVE_INFINITY) {
      packet.downlinked = true
      const takenMs =
        Math.max(access.downlinkFreeAtMs, packet.firstBitMs) + transmitMs(packet.bytes, access.downlinkBitsPerSec)
      const finishMs = Math.max(packet.arrivalMs, takenMs)
      access.downlinkFreeAtMs = finishMs
      if (Math.ceil(finishMs) > this.scheduler.nowMs()) {
        this.scheduler.atSync(finishMs, this.arrive, packet)
        return
      }
    }
    access.bytesIn += packet.bytes
    this.stats.bytesDelivered += packet.bytes
    dst.deliver(packet)
  }

  private drop(why: 'closed' | 'cut' | 'lost'): void {
    this.stats.dropped++
    this.stats[why]++
  }

  private refusal(a: SimNetwork, b: SimNetwork): string | undefined {
    if (!a.isStarted()) return `${a.peerId} stopped while dialing`
    if (!b.isStarted()) return `${b.peerId} refused the connection (not running)`
    if (a.isBanned(b.peerId)) return `${b.peerId} is banned`
    if (b.isBanned(a.peerId)) return `${b.peerId} refused the connection (we are banned)`
    if (this.isCut(a.index, b.index)) return 'the handshake was cut by a partition'
    return undefined
  }
}

function checkProbability(p: number): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`a loss probability must be within [0, 1]: ${p}`)
}
