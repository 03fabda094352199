/**
 * One node's gossip router. Two models, chosen per fabric:
 *
 * - 'gossipsub': a per-topic symmetric mesh (degree `meshDegree` = D, kept
 *   within `meshDegreeMin` = Dlo .. `meshDegreeMax` = Dhi), formed when peers
 *   connect or subscribe and repaired when they leave: no periodic heartbeat.
 *   A publish goes to the mesh; a received message is checked against the
 *   seen-cache, validated, and only when accepted handed to onMessage and
 *   relayed to the mesh except its sender. Lazy gossip: an accepted message
 *   is announced (IHAVE) to `lazyDegree` = Dlazy random non-mesh peers at the
 *   node's next heartbeat boundary (one event, scheduled only when there is
 *   something to announce); a peer that lacks it answers IWANT and gets it.
 * - 'flood': every message goes to every connected peer subscribed to its topic.
 *
 * A 'reject' verdict lowers the sender's gossip score (a PeerScores of its
 * own, like gossipsub's, apart from the application score of reportPeer); at
 * SCORE_BAN_THRESHOLD the sender is graylisted: pruned from the mesh and
 * ignored until its score recovers.
 */
import { createHash } from 'node:crypto'
import type { GossipMessage, GossipValidator, GossipVerdict } from '../net/network.js'
import { isAtBanThreshold, PeerScores } from '../net/scores.js'
import type { SimStats } from './counters.js'
import type { GossipModel, GossipParams } from './gossip-params.js'
import { FRAME_OVERHEAD_BYTES, MESSAGE_ID_BYTES, type PacketBody, type SimMessage } from './links.js'
import { type MeshNode, pick, repairMesh, tryGraft } from './mesh.js'
import { RecentIds, RecentMap } from './recent.js'
import type { SimEvent, SimScheduler } from './scheduler.js'

/** What a router needs of its node and of the fabric. */
export interface RouterHost {
  readonly index: number
  readonly scheduler: SimScheduler
  readonly stats: SimStats
  isStarted(): boolean
  idOf(node: number): string
  /** Peers with an open connection, in the order they connected. */
  connectedPeers(): Iterable<number>
  routerOf(node: number): SimGossipRouter
  send(peer: number, body: PacketBody, bytes: number): void
  log(msg: string, fields?: Record<string, unknown>): void
}

interface Topic {
  validate: GossipValidator
  onMessage: (msg: GossipMessage) => void
  readonly mesh: Set<number>
}

const VERDICTS = new Set<GossipVerdict>(['accept', 'ignore', 'reject'])

export class SimGossipRouter implements MeshNode {
  private readonly topics = new Map<string, Topic>()
  private readonly seen: RecentIds
  private readonly cache: RecentMap<SimMessage>
  private readonly asked: RecentIds
  private readonly scores: PeerScores
  /** Topic → ids accepted since the last heartbeat, to announce at the next one. */
  private readonly pendingIhave = new Map<string, string[]>()
  private heartbeat: SimEvent | undefined
  private inFlight = 0

  constructor(
    private readonly host: RouterHost,
    private readonly model: GossipModel,
    private readonly params: GossipParams,
    /** Where in each heartbeat period this node's boundaries fall. */
    private readonly heartbeatPhaseMs: number,
  ) {
    this.seen = new RecentIds(params.seenTtlMs, params.seenMax)
    this.cache = new RecentMap(params.messageCacheMs, params.messageCacheMax)
    this.asked = new RecentIds(params.iwantFollowupMs, params.seenMax)
    this.scores = new PeerScores(() => host.scheduler.nowMs())
  }

  subscribed(topic: string): boolean {
    return this.topics.has(topic)
  }

  get index(): number {
    return this.host.index
  }

  /** The topic's mesh (gossipsub; live, do not change it), or undefined when not subscribed. */
  meshOf(topic: string): Set<number> | undefined {
    return this.topics.get(topic)?.mesh
  }

  gossipScore(peer: number): number {
    return this.scores.get(this.host.idOf(peer))
  }

  isGraylisted(peer: number): boolean {
    return isAtBanThreshold(this.gossipScore(peer))
  }

  subscribe(topic: string, validate: GossipValidator, onMessage: (msg: GossipMessage) => void): void {
    if (this.topics.has(topic)) throw new Error(`already subscribed to ${topic}`)
    this.topics.set(topic, { validate, onMessage, mesh: new Set() })
    if (this.host.isStarted()) for (const peer of this.host.connectedPeers()) this.tryGraft(topic, peer)
  }

  /** Resolves the number of peers sent to; 0 before start or for a message already seen. */
  publish(topic: string, data: Uint8Array): number {
    if (!this.host.isStarted()) return 0
    const now = this.host.scheduler.nowMs()
    const id = createHash('sha256').update(data).digest('hex')
    if (this.seen.has(id, now)) return 0
    this.seen.add(id, now)
    // one copy for the whole network: every hop shares it
    const copy = data.slice()
    const msg: SimMessage = { kind: 'gossip', id, topic, data: copy, bytes: copy.byteLength + FRAME_OVERHEAD_BYTES }
    this.cache.set(id, msg, now)
    const mesh = this.topics.get(topic)?.mesh
    const targets = this.model === 'flood' ? this.subscribedPeers(topic) : (mesh ?? this.fanout(topic))
    let sent = 0
    for (const peer of targets) {
      this.sendMessage(peer, msg)
      sent++
    }
    this.announceLater(msg)
    return sent
  }

  onConnect(peer: number): void {
    if (this.model !== 'gossipsub') return
    for (const topic of this.topics.keys()) this.tryGraft(topic, peer)
  }

  onDisconnect(peer: number): void {
    for (const [topic, state] of this.topics) {
      if (state.mesh.delete(peer) && state.mesh.size < this.params.meshDegreeMin) this.repair(topic)
    }
  }

  /** Drops pending announcements; the fabric closes the connections. */
  stop(): void {
    if (this.heartbeat) this.host.scheduler.clearTimeout(this.heartbeat)
    this.heartbeat = undefined
    this.pendingIhave.clear()
  }

  receive(from: number, body: PacketBody): void {
    if (body.kind === 'gossip') this.receiveMessage(from, body)
    else if (body.kind === 'ihave') this.receiveIhave(from, body.topic, body.ids)
    else if (body.kind === 'iwant') this.receiveIwant(from, body.ids)
  }

  private receiveMessage(from: number, msg: SimMessage): void {
    const { stats } = this.host
    const topic = this.topics.get(msg.topic)
    if (topic === undefined || this.isGraylisted(from)) {
      stats.gossipIgnored++
      return
    }
    const now = this.host.scheduler.nowMs()
    if (this.seen.has(msg.id, now)) {
      stats.gossipDuplicates++
      return
    }
    this.seen.add(msg.id, now)
    this.asked.delete(msg.id)
    stats.gossipDelivered++
    if (this.inFlight >= this.params.validationsInFlightMax) {
      stats.gossipIgnored++
      return
    }
    this.inFlight++
    this.host.scheduler.startedAsyncWork()
    const message: GossipMessage = { topic: msg.topic, data: msg.data, from: this.host.idOf(from) }
    void this.validate(topic, message).then((verdict) => {
      this.inFlight--
      this.settle(topic, msg, message, from, verdict)
    })
  }

  private async validate(topic: Topic, message: GossipMessage): Promise<GossipVerdict> {
    try {
      const verdict = await topic.validate(message)
      if (VERDICTS.has(verdict)) return verdict
      this.host.log('sim: gossip validator returned an unknown verdict; ignoring', { topic: message.topic, verdict })
    } catch (err) {
      this.host.log('sim: gossip validator threw; ignoring', { topic: message.topic, err: String(err) })
    }
    return 'ignore'
  }

  private settle(topic: Topic, msg: SimMessage, message: GossipMessage, from: number, verdict: GossipVerdict): void {
    if (!this.host.isStarted()) return
    if (verdict === 'reject') {
      this.host.stats.gossipRejected++
      this.penalize(from)
      return
    }
    if (verdict !== 'accept') return
    this.cache.set(msg.id, msg, this.host.scheduler.nowMs())
    const targets = this.model === 'flood' ? this.subscribedPeers(msg.topic) : topic.mesh
    for (const peer of targets) if (peer !== from) this.sendMessage(peer, msg)
    this.announceLater(msg)
    try {
      topic.onMessage(message)
    } catch (err) {
      this.host.stats.callbackErrors++
      this.host.log('sim: gossip onMessage threw', { topic: msg.topic, err: String(err) })
    }
  }

  private sendMessage(peer: number, msg: SimMessage): void {
    this.host.stats.gossipSent++
    this.host.send(peer, msg, msg.bytes)
  }

  private penalize(peer: number): void {
    const score = this.scores.charge(this.host.idOf(peer), this.params.rejectPenalty)
    if (!isAtBanThreshold(score)) return
    const other = this.host.routerOf(peer)
    for (const [topic, state] of this.topics) {
      if (!state.mesh.delete(peer)) continue
      other.prunedBy(this.host.index, topic)
      if (state.mesh.size < this.params.meshDegreeMin) this.repair(topic)
    }
  }

  /** `peer` dropped us from its `topic` mesh. */
  private prunedBy(peer: number, topic: string): void {
    const state = this.topics.get(topic)
    if (state?.mesh.delete(peer) && state.mesh.size < this.params.meshDegreeMin) this.repair(topic)
  }

  // --- lazy gossip -------------------------------------------------------------------------

  private announceLater(msg: SimMessage): void {
    if (this.model !== 'gossipsub') return
    let ids = this.pendingIhave.get(msg.topic)
    if (ids === undefined) {
      ids = []
      this.pendingIhave.set(msg.topic, ids)
    }
    ids.push(msg.id)
    if (this.heartbeat !== undefined) return
    const { scheduler } = this.host
    const period = this.params.heartbeatMs
    const phase = this.heartbeatPhaseMs
    const nextMs = phase + (Math.floor((scheduler.nowMs() - phase) / period) + 1) * period
    this.heartbeat = scheduler.atSync(nextMs, emitIhave, this)
  }

  /** @internal (the heartbeat event) */
  emitIhave(): void {
    this.heartbeat = undefined
    if (!this.host.isStarted()) {
      this.pendingIhave.clear()
      return
    }
    for (const [topic, all] of this.pendingIhave) {
      const ids = all.length > this.params.ihaveIdsMax ? all.slice(-this.params.ihaveIdsMax) : all
      const mesh = this.topics.get(topic)?.mesh
      const candidates: number[] = []
      for (const peer of this.host.connectedPeers()) {
        if (mesh?.has(peer) || this.isGraylisted(peer) || !this.host.routerOf(peer).subscribed(topic)) continue
        candidates.push(peer)
      }
      const body: PacketBody = { kind: 'ihave', topic, ids }
      const bytes = FRAME_OVERHEAD_BYTES + MESSAGE_ID_BYTES * ids.length
      for (const peer of pick(candidates, this.params.lazyDegree, this.host.scheduler.rng)) {
        this.host.stats.ihaveSent++
        this.host.send(peer, body, bytes)
      }
    }
    this.pendingIhave.clear()
  }

  private receiveIhave(from: number, topic: string, ids: readonly string[]): void {
    if (!this.topics.has(topic) || this.isGraylisted(from)) return
    const now = this.host.scheduler.nowMs()
    const want: string[] = []
    for (const id of ids) {
      if (this.seen.has(id, now) || this.asked.has(id, now)) continue
      this.asked.add(id, now)
      want.push(id)
    }
    if (want.length === 0) return
    this.host.stats.iwantSent++
    this.host.send(from, { kind: 'iwant', ids: want }, FRAME_OVERHEAD_BYTES + MESSAGE_ID_BYTES * want.length)
  }

  private receiveIwant(from: number, ids: readonly string[]): void {
    if (this.isGraylisted(from)) return
    const now = this.host.scheduler.nowMs()
    for (const id of ids) {
      const msg = this.cache.get(id, now)
      if (msg !== undefined) this.sendMessage(from, msg)
    }
  }

  private subscribedPeers(topic: string): number[] {
    const out: number[] = []
    for (const peer of this.host.connectedPeers()) if (this.host.routerOf(peer).subscribed(topic)) out.push(peer)
    return out
  }

  /** Publishing to a topic we do not subscribe: D random subscribers. */
  private fanout(topic: string): number[] {
    return pick(this.subscribedPeers(topic), this.params.meshDegree, this.host.scheduler.rng)
  }

  private tryGraft(topic: string, peer: number): void {
    if (tryGraft(this, this.host.routerOf(peer), topic, this.params)) this.host.stats.grafts++
  }

  private repair(topic: string): void {
    if (this.model !== 'gossipsub' || !this.host.isStarted()) return
    const candidates = [...this.host.connectedPeers()]
    const routerOf = (index: number) => this.host.routerOf(index)
    this.host.stats.grafts += repairMesh(this, topic, candidates, routerOf, this.params, this.host.scheduler.rng)
  }
}

function emitIhave(router: SimGossipRouter): void {
  router.emitIhave()
}
