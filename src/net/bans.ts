import type { ConnectionGater, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { JsonFile } from './json-file.js'
import type { NetworkLog } from './options.js'
import { isPeerId } from './peer-ids.js'

export const BANS_FILE = 'bans.json'

export interface BanEntry {
  peer: string
  reason: string
  sinceMs: number
  /** Set on temporary bans (score bans); those are never persisted. */
  untilMs?: number
}

export interface BansFile {
  version: 1
  bans: Array<{ peer: string; reason: string; sinceMs: number }>
}

/** Banned peers: permanent ones persist in `<dataDir>/bans.json`, temporary ones live in memory until they expire. */
export class BanList {
  private readonly entries = new Map<string, BanEntry>()

  constructor(
    private readonly file: JsonFile<BansFile>,
    private readonly nowMs: () => number,
    private readonly log: NetworkLog,
  ) {}

  async load(): Promise<void> {
    const doc = await this.file.load()
    if (doc === undefined) return
    const bans = (doc as Partial<BansFile>).bans
    if (!Array.isArray(bans)) throw new Error(`${BANS_FILE}: no "bans" array`)
    for (const entry of bans) {
      if (typeof entry?.peer !== 'string' || !isPeerId(entry.peer)) {
        this.log('net: skipping a malformed ban entry', { entry })
        continue
      }
      this.entries.set(entry.peer, {
        peer: entry.peer,
        reason: typeof entry.reason === 'string' ? entry.reason : '',
        sinceMs: typeof entry.sinceMs === 'number' ? entry.sinceMs : 0,
      })
    }
  }

  isBanned(peer: string): boolean {
    const entry = this.entries.get(peer)
    if (entry === undefined) return false
    if (entry.untilMs !== undefined && entry.untilMs <= this.nowMs()) {
      this.entries.delete(peer)
      return false
    }
    return true
  }

  /** Bans for good and persists the list. */
  async ban(peer: string, reason: string): Promise<void> {
    this.entries.set(peer, { peer, reason, sinceMs: this.nowMs() })
    await this.persist()
  }

  /** Bans for `durationMs`, in memory only; never shortens or replaces a permanent ban. */
  banFor(peer: string, reason: string, durationMs: number): void {
    const existing = this.entries.get(peer)
    const untilMs = this.nowMs() + durationMs
    if (existing !== undefined && (existing.untilMs === undefined || existing.untilMs >= untilMs)) return
    this.entries.set(peer, { peer, reason, sinceMs: this.nowMs(), untilMs })
  }

  async unban(peer: string): Promise<void> {
    const entry = this.entries.get(peer)
    if (entry === undefined) return
    this.entries.delete(peer)
    if (entry.untilMs === undefined) await this.persist()
  }

  /** Active bans, permanent and temporary. */
  list(): BanEntry[] {
    return [...this.entries.keys()]
      .filter((peer) => this.isBanned(peer))
      .map((peer) => ({ ...this.entries.get(peer)! }))
  }

  private persist(): Promise<void> {
    const bans = [...this.entries.values()]
      .filter((e) => e.untilMs === undefined)
      .map(({ peer, reason, sinceMs }) => ({ peer, reason, sinceMs }))
    return this.file.save({ version: 1, bans })
  }
}

export interface GaterDeps {
  isBanned(peer: string): boolean
  /** Inbound connections open now. */
  inboundCount(): number
  inboundMax: number
}

/**
 * Refuses banned peers at every checkpoint libp2p offers (before dialing, and
 * right after the Noise handshake proves who the remote is, both directions),
 * and inbound connections beyond `inboundMax` before any handshake work.
 */
export function createConnectionGater(deps: GaterDeps): PeerGater {
  const banned = (peerId: PeerId): boolean => deps.isBanned(peerId.toString())
  return {
    denyDialPeer: banned,
    denyDialMultiaddr: (ma: Multiaddr) => {
      const peer = ma.getComponents().findLast((c) => c.name === 'p2p')?.value
      return peer !== undefined && deps.isBanned(peer)
    },
    denyInboundConnection: () => deps.inboundCount() >= deps.inboundMax,
    denyInboundEncryptedConnection: banned,
    denyOutboundEncryptedConnection: banned,
    denyInboundUpgradedConnection: banned,
    denyOutboundUpgradedConnection: banned,
  }
}

/** The ConnectionGater checks we implement; none needs the raw connection. */
export interface PeerGater extends ConnectionGater {
  denyDialPeer(peerId: PeerId): boolean
  denyDialMultiaddr(ma: Multiaddr): boolean
  denyInboundConnection(): boolean
  denyInboundEncryptedConnection(peerId: PeerId): boolean
  denyOutboundEncryptedConnection(peerId: PeerId): boolean
  denyInboundUpgradedConnection(peerId: PeerId): boolean
  denyOutboundUpgradedConnection(peerId: PeerId): boolean
}
