/**
 * Permanent bans: the operator's alone (`net_ban`), never automatic (automatic
 * misbehaviour goes to the in-memory discouragement filter, discouraged.ts).
 * A ban names a peer id or an IP subnet (ban-target.ts). At most BANS_MAX are
 * kept, and the list lives in `<dataDir>/bans.json`, written whole, atomically
 * (temp file, fsync, rename: json-file.ts).
 */
import type { ConnectionGater, MultiaddrConnection, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { type BanTarget, BanTargetError, banKey, ipOf, parseBanTarget, SubnetSet } from './ban-target.js'
import type { Admission } from './inbound-gate.js'
import { type JsonFile, JsonFileError } from './json-file.js'
import type { NetworkLog } from './options.js'
import { hasPeerIdShape } from './peer-ids.js'

export const BANS_FILE = 'bans.json'
/** Permanent bans kept at most (peer ids and subnets together); a ban beyond it is refused. */
export const BANS_MAX = 1_000
/** A ban's reason is cut to this many characters. */
export const BAN_REASON_CHARS_MAX = 256

export interface BanEntry {
  /** A peer id, or a subnet in CIDR form. */
  target: string
  reason: string
  sinceMs: number
}

export interface BansFile {
  version: 1
  /** `peer` holds a peer id or a subnet (the name predates subnet bans). */
  bans: Array<{ peer: string; reason: string; sinceMs: number }>
}

/** A ban the list cannot take: it is full. */
export class BanLimitError extends RangeError {
  override readonly name = 'BanLimitError'
}

/**
 * The bans of a parsed bans.json: the first BANS_MAX entries (the rest
 * counted as dropped), malformed ones skipped (counted), reasons cut to BAN_REASON_CHARS_MAX. Throws
 * JsonFileError when the document has no "bans" array. Pure: fuzzed.
 */
export function parseBansFile(
  doc: unknown,
  path: string,
): { bans: Array<{ target: BanTarget; entry: BanEntry }>; skipped: number; dropped: number } {
  const list = typeof doc === 'object' && doc !== null ? (doc as Partial<BansFile>).bans : undefined
  if (!Array.isArray(list)) throw new JsonFileError(path, 'no "bans" array')
  const bans: Array<{ target: BanTarget; entry: BanEntry }> = []
  const keys = new Set<string>()
  let skipped = 0
  let dropped = 0
  // Only the first BANS_MAX entries are looked at: a hand-edited file cannot make start-up slow.
  dropped = Math.max(0, list.length - BANS_MAX)
  for (const item of list.slice(0, BANS_MAX)) {
    const { peer, reason, sinceMs } = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>
    if (typeof peer === 'string' && keys.has(peer)) continue
    let target: BanTarget
    try {
      target = parseBanTarget(peer as string, hasPeerIdShape)
    } catch (err) {
      if (!(err instanceof BanTargetError)) throw err
      skipped++
      continue
    }
    const key = banKey(target)
    if (keys.has(key)) continue
    keys.add(key)
    bans.push({
      target,
      entry: {
        target: key,
        reason: typeof reason === 'string' ? reason.slice(0, BAN_REASON_CHARS_MAX) : '',
        sinceMs: typeof sinceMs === 'number' && Number.isFinite(sinceMs) ? sinceMs : 0,
      },
    })
  }
  return { bans, skipped, dropped }
}

export class BanList {
  private readonly entries = new Map<string, BanEntry>()
  private readonly subnets = new SubnetSet()

  constructor(
    private readonly file: JsonFile<BansFile>,
    private readonly nowMs: () => number,
    private readonly log: NetworkLog,
  ) {}

  get size(): number {
    return this.entries.size
  }

  /** Reads bans.json: a file that is not JSON or has no "bans" array is refused (JsonFileError); bad entries are skipped and logged. */
  async load(): Promise<void> {
    const doc = await this.file.load()
    if (doc === undefined) return
    const { bans, skipped, dropped } = parseBansFile(doc, this.file.path ?? BANS_FILE)
    if (skipped > 0) this.log('net: skipped malformed ban entries', { skipped })
    if (dropped > 0) this.log('net: bans.json holds more bans than BANS_MAX; the rest are not loaded', { dropped })
    for (const { target, entry } of bans) this.put(target, entry)
  }

  isBanned(peer: string): boolean {
    return this.entries.has(peer)
  }

  isAddressBanned(address: string, family: 'ipv4' | 'ipv6'): boolean {
    return this.subnets.has(address, family)
  }

  /** Bans `target` (a peer id or subnet; BanTargetError otherwise) and persists the list; BanLimitError when full. */
  async ban(text: string, reason: string): Promise<BanTarget> {
    const target = parseBanTarget(text)
    const key = banKey(target)
    if (!this.entries.has(key) && this.entries.size >= BANS_MAX) {
      throw new BanLimitError(`the ban list is full (${BANS_MAX}); unban something first`)
    }
    this.put(target, { target: key, reason: reason.slice(0, BAN_REASON_CHARS_MAX), sinceMs: this.nowMs() })
    await this.persist()
    return target
  }

  /** Lifts a ban on a peer id or subnet; false when there was none. */
  async unban(text: string): Promise<boolean> {
    const key = banKey(parseBanTarget(text))
    if (!this.entries.delete(key)) return false
    this.subnets.delete(key)
    await this.persist()
    return true
  }

  list(): BanEntry[] {
    return [...this.entries.values()].map((e) => ({ ...e }))
  }

  private put(target: BanTarget, entry: BanEntry): void {
    this.entries.set(entry.target, entry)
    if (target.kind === 'subnet') this.subnets.add(target)
  }

  private persist(): Promise<void> {
    const bans = [...this.entries.values()].map(({ target, reason, sinceMs }) => ({ peer: target, reason, sinceMs }))
    return this.file.save({ version: 1, bans })
  }
}

export interface GaterDeps {
  /** Banned or discouraged peer id. */
  isRefused(peer: string): boolean
  /** Banned subnet or discouraged address. */
  isAddressRefused(address: string, family: 'ipv4' | 'ipv6'): boolean
  /**
   * Whether a new inbound connection from `ip` may proceed: the caps per IP,
   * per group and in total, evicting a present peer when only the total is
   * full (inbound-gate.ts). Asked after the ban checks pass; the admission
   * is released when the raw connection closes.
   */
  admitInbound(ip: string): Admission | undefined
}

/**
 * Refuses banned and discouraged peers at every checkpoint libp2p offers: by
 * remote address before any handshake work (inbound) or before dialing, and
 * by peer id before dialing and right after the Noise handshake proves who
 * the remote is, both directions. Inbound connections past the caps per IP,
 * per network group and in total are refused before any handshake work too.
 */
export function createConnectionGater(deps: GaterDeps): PeerGater {
  const addressRefused = (ma: Multiaddr): boolean => {
    const ip = ipOf(ma)
    return ip !== undefined && deps.isAddressRefused(ip.address, ip.family)
  }
  const refused = (peerId: PeerId, maConn?: MultiaddrConnection): boolean =>
    deps.isRefused(peerId.toString()) || (maConn !== undefined && addressRefused(maConn.remoteAddr))
  return {
    denyDialPeer: (peerId) => refused(peerId),
    denyDialMultiaddr: (ma: Multiaddr) => {
      const peer = ma.getComponents().findLast((c) => c.name === 'p2p')?.value
      return (peer !== undefined && deps.isRefused(peer)) || addressRefused(ma)
    },
    denyInboundConnection: (maConn) => {
      if (addressRefused(maConn.remoteAddr)) return true
      // a transport without IPs (none we listen on today) counts as one IP in group `local`
      const admission = deps.admitInbound(ipOf(maConn.remoteAddr)?.address ?? '')
      if (admission === undefined) return true
      // a handshake that fails or is refused frees its slot now, not at the timeout
      maConn.addEventListener('close', () => admission.release(), { once: true })
      return false
    },
    denyInboundEncryptedConnection: refused,
    denyOutboundEncryptedConnection: refused,
    denyInboundUpgradedConnection: refused,
    denyOutboundUpgradedConnection: refused,
  }
}

/** The ConnectionGater checks we implement. */
export interface PeerGater extends ConnectionGater {
  denyDialPeer(peerId: PeerId): boolean
  denyDialMultiaddr(ma: Multiaddr): boolean
  denyInboundConnection(maConn: MultiaddrConnection): boolean
  denyInboundEncryptedConnection(peerId: PeerId, maConn?: MultiaddrConnection): boolean
  denyOutboundEncryptedConnection(peerId: PeerId, maConn?: MultiaddrConnection): boolean
  denyInboundUpgradedConnection(peerId: PeerId, maConn?: MultiaddrConnection): boolean
  denyOutboundUpgradedConnection(peerId: PeerId, maConn?: MultiaddrConnection): boolean
}
