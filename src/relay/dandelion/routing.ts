/**
 * Dandelion++ stem routing (Fanti et al., SIGMETRICS'18, Algorithm 2), as
 * pure logic on an injected clock and RNG, so the node and the simulator
 * run the same code.
 *
 * Time is cut into epochs of DANDELION_EPOCH_MS, each node on its own clock.
 * At the start of an epoch a node:
 * - decides once whether it is a *diffuser* for the epoch (with the fluff
 *   probability, 10% by default): a diffuser fluffs every stem tx relayed to
 *   it, a relayer passes them on in the stem;
 * - chooses STEM_RELAYS_PER_EPOCH (2) of its outbound peers as stem relays;
 * - forgets its per-inbound-edge map: the first stem tx from a peer in the
 *   epoch maps that peer to one of the two relays, and every later one from
 *   it goes the same way, so an adversary sending many txs learns one path,
 *   not a fan of them;
 * - picks one of the two relays for the txs that originate here. Own txs are
 *   always stemmed, even by a diffuser: a node that fluffed its own txs
 *   would be their first gossiper.
 *
 * A relay that disconnects is replaced at once within the epoch, and the
 * edges mapped to it move to its replacement. With no outbound peer left,
 * every route is `fluff`.
 */
import type { PeerIdString } from '../../net/network.js'
import type { Clock } from '../../util/clock.js'
import type { Rng } from '../../util/rng.js'

/** One routing epoch: relays, the inbound map and the diffuser coin are fixed for this long. */
export const DANDELION_EPOCH_MS = 10 * 60_000
/** Outbound stem relays chosen per epoch (Dandelion++'s 4-regular approximation uses two). */
export const STEM_RELAYS_PER_EPOCH = 2
/** The chance that a node is a diffuser for an epoch: the stem's per-hop fluff probability. */
export const FLUFF_PROBABILITY_DEFAULT = 0.1
/** Inbound edges the map remembers per epoch; past it the oldest mapping is forgotten (re-drawn if used again). */
export const STEM_INBOUND_EDGES_MAX = 1024

/** Where a stem tx goes: on to one relay, or into gossip here. */
export type StemRoute = { kind: 'stem'; peer: PeerIdString } | { kind: 'fluff' }

export interface StemRouterDeps {
  clock: Clock
  rng: Rng
  /** Our outbound peers now: the only candidates for stem relays (an attacker chooses its inbound links, not these). */
  outboundPeers(): readonly PeerIdString[]
}

export interface StemRouterOptions {
  /** Per-epoch chance of being a diffuser, 0-1 (default FLUFF_PROBABILITY_DEFAULT). */
  fluffProbability?: number
  epochMs?: number
}

const FLUFF: StemRoute = Object.freeze({ kind: 'fluff' })

export class StemRouter {
  readonly fluffProbability: number
  readonly epochMs: number
  private epochStartMs = Number.NEGATIVE_INFINITY
  private epochCount = 0
  private diffuser = false
  private relays: PeerIdString[] = []
  private ownRelay: PeerIdString | undefined
  /** Inbound edge → relay, in insertion order (the oldest is forgotten first). */
  private readonly edges = new Map<PeerIdString, PeerIdString>()
  /** Relays that refused or failed this epoch: not chosen again until the next one. */
  private readonly failed = new Set<PeerIdString>()

  constructor(
    private readonly deps: StemRouterDeps,
    options: StemRouterOptions = {},
  ) {
    const q = options.fluffProbability ?? FLUFF_PROBABILITY_DEFAULT
    if (!(q >= 0 && q <= 1)) throw new RangeError(`fluffProbability must be within 0-1: ${q}`)
    const epochMs = options.epochMs ?? DANDELION_EPOCH_MS
    if (!(epochMs > 0)) throw new RangeError(`epochMs must be > 0: ${epochMs}`)
    this.fluffProbability = q
    this.epochMs = epochMs
  }

  /** Epochs begun so far (0 before the first route). */
  get epoch(): number {
    return this.epochCount
  }

  /** Inbound edges mapped in this epoch (at most STEM_INBOUND_EDGES_MAX). */
  get inboundEdges(): number {
    return this.edges.size
  }

  /** Whether this node fluffs relayed stem txs in the current epoch. */
  get isDiffuser(): boolean {
    this.refresh()
    return this.diffuser
  }

  /** The current epoch's relays (at most STEM_RELAYS_PER_EPOCH). */
  currentRelays(): readonly PeerIdString[] {
    this.refresh()
    return [...this.relays]
  }

  /** Route for a tx that originates here: always the epoch's own relay, unless we have none. */
  routeOwn(): StemRoute {
    this.refresh()
    if (this.ownRelay === undefined) return FLUFF
    return { kind: 'stem', peer: this.ownRelay }
  }

  /** Route for a stem tx that `from` relayed to us: fluff if we diffuse this epoch, else its edge's relay. */
  routeRelayed(from: PeerIdString): StemRoute {
    this.refresh()
    if (this.diffuser) return FLUFF
    let relay = this.edges.get(from)
    if (relay === undefined) {
      relay = this.pickRelayFor(from)
      if (relay === undefined) return FLUFF
      if (this.edges.size >= STEM_INBOUND_EDGES_MAX) {
        const oldest = this.edges.keys().next().value as PeerIdString
        this.edges.delete(oldest)
      }
      this.edges.set(from, relay)
    }
    return { kind: 'stem', peer: relay }
  }

  /**
   * The next hop refused the tx or could not be reached: it stops being a
   * relay for the rest of the epoch (replaced when another outbound peer is
   * free), and the tx takes the other route, never back to `from`. Fluff when
   * no relay is left.
   */
  fallback(failed: PeerIdString, from?: PeerIdString): StemRoute {
    this.refresh()
    if (this.failed.size < STEM_INBOUND_EDGES_MAX) this.failed.add(failed)
    this.dropRelay(failed)
    const candidates = this.relays.filter((r) => r !== failed && r !== from)
    if (candidates.length === 0) return FLUFF
    return { kind: 'stem', peer: candidates[this.deps.rng.int(candidates.length)] as PeerIdString }
  }

  /** A peer disconnected: if it was a relay, replace it now; its inbound mapping is forgotten. */
  peerGone(peer: PeerIdString): void {
    this.edges.delete(peer)
    if (this.relays.includes(peer)) this.dropRelay(peer)
  }

  /** Starts a new epoch when the current one is over (or none began). */
  private refresh(): void {
    const now = this.deps.clock.nowMs()
    if (now - this.epochStartMs < this.epochMs && now >= this.epochStartMs) {
      if (this.relays.length < STEM_RELAYS_PER_EPOCH) this.topUp()
      return
    }
    this.epochStartMs = now
    this.epochCount++
    this.diffuser = this.deps.rng.next() < this.fluffProbability
    this.relays = []
    this.edges.clear()
    this.failed.clear()
    this.ownRelay = undefined
    this.topUp()
  }

  /** Fills the relay set from outbound peers not yet in it, at random; sets the own relay if it has none. */
  private topUp(): void {
    const free = this.deps.outboundPeers().filter((p) => !this.relays.includes(p) && !this.failed.has(p))
    while (this.relays.length < STEM_RELAYS_PER_EPOCH && free.length > 0) {
      const i = this.deps.rng.int(free.length)
      this.relays.push(free[i] as PeerIdString)
      free.splice(i, 1)
    }
    if (this.ownRelay === undefined && this.relays.length > 0) {
      this.ownRelay = this.relays[this.deps.rng.int(this.relays.length)]
    }
  }

  private dropRelay(peer: PeerIdString): void {
    const at = this.relays.indexOf(peer)
    if (at < 0) return
    this.relays.splice(at, 1)
    const free = this.deps.outboundPeers().filter((p) => p !== peer && !this.relays.includes(p) && !this.failed.has(p))
    const replacement = free.length > 0 ? (free[this.deps.rng.int(free.length)] as PeerIdString) : undefined
    if (replacement !== undefined) this.relays.push(replacement)
    const moveTo = replacement ?? this.relays[0]
    for (const [edge, relay] of this.edges) {
      if (relay !== peer) continue
      if (moveTo === undefined) this.edges.delete(edge)
      else this.edges.set(edge, moveTo)
    }
    if (this.ownRelay === peer) this.ownRelay = moveTo
  }

  /** One of the relays for a new inbound edge, uniformly; not the sender itself when another exists. */
  private pickRelayFor(from: PeerIdString): PeerIdString | undefined {
    const candidates = this.relays.filter((r) => r !== from)
    if (candidates.length === 0) return undefined
    return candidates[this.deps.rng.int(candidates.length)]
  }
}
