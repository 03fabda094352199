import { multiaddr } from '@multiformats/multiaddr'
import { type JsonFile, JsonFileError } from './json-file.js'
import type { NetworkLog } from './options.js'
import { hasPeerIdShape } from './peer-ids.js'

export const PEERS_FILE = 'peers.json'
/** Known peers kept at most; the least recently seen go first. */
export const PEER_BOOK_MAX = 1_000
/** Addresses kept per peer at most; the most recently learned win. */
export const ADDRS_PER_PEER_MAX = 8
/** Changes are written at most this often (and always on stop). */
export const PEER_BOOK_SAVE_DELAY_MS = 2_000

export interface KnownPeer {
  id: string
  /** Dialable multiaddrs without the /p2p/<id> suffix. */
  addrs: string[]
  lastSeenMs: number
}

export interface PeerBookFile {
  version: 1
  peers: KnownPeer[]
}

const P2P_CODE = 421

/**
 * Peers we have been connected to, with the addresses they listen on,
 * persisted in `<dataDir>/peers.json` so a restarted node can reconnect
 * without any bootstrap node.
 */
export class PeerBook {
  private readonly peers = new Map<string, KnownPeer>()
  private saveTimer: NodeJS.Timeout | undefined

  constructor(
    private readonly file: JsonFile<PeerBookFile>,
    private readonly nowMs: () => number,
    private readonly log: NetworkLog,
  ) {}

  /** Reads peers.json: a file that is not JSON or has no "peers" array is refused (JsonFileError); bad entries are skipped and logged. */
  async load(): Promise<void> {
    const doc = await this.file.load()
    if (doc === undefined) return
    const { peers, skipped } = parsePeerBookFile(doc, this.file.path ?? PEERS_FILE)
    if (skipped > 0) this.log('net: skipped malformed known-peer entries', { skipped })
    for (const peer of peers) this.peers.set(peer.id, peer)
  }

  /** Records that we are connected to `id`, reachable at `addrs`. */
  remember(id: string, addrs: string[]): void {
    const previous = this.peers.get(id)
    const merged = normalizeAddrs([...addrs, ...(previous?.addrs ?? [])])
    if (merged.length === 0) return
    this.peers.delete(id)
    this.peers.set(id, { id, addrs: merged, lastSeenMs: this.nowMs() })
    while (this.peers.size > PEER_BOOK_MAX) {
      const oldest = this.oldest()
      if (oldest === undefined) break
      this.peers.delete(oldest)
    }
    this.scheduleSave()
  }

  forget(id: string): void {
    if (this.peers.delete(id)) this.scheduleSave()
  }

  get(id: string): KnownPeer | undefined {
    return this.peers.get(id)
  }

  /** Most recently seen first. */
  list(): KnownPeer[] {
    return [...this.peers.values()].sort((a, b) => b.lastSeenMs - a.lastSeenMs)
  }

  get size(): number {
    return this.peers.size
  }

  /** Writes pending changes now and stops the save timer. */
  async flush(): Promise<void> {
    if (this.saveTimer !== undefined) {
      clearTimeout(this.saveTimer)
      this.saveTimer = undefined
      await this.save()
    }
    await this.file.flushed()
  }

  private scheduleSave(): void {
    if (this.saveTimer !== undefined) return
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined
      void this.save()
    }, PEER_BOOK_SAVE_DELAY_MS)
    this.saveTimer.unref()
  }

  private async save(): Promise<void> {
    try {
      await this.file.save({ version: 1, peers: this.list() })
    } catch (err) {
      this.log('net: could not save known peers', { err: String(err) })
    }
  }

  private oldest(): string | undefined {
    let oldest: KnownPeer | undefined
    for (const peer of this.peers.values())
      if (oldest === undefined || peer.lastSeenMs < oldest.lastSeenMs) oldest = peer
    return oldest?.id
  }
}

/**
 * The known peers of a parsed peers.json: the first PEER_BOOK_MAX entries,
 * malformed ones skipped (counted). Throws JsonFileError when the document
 * has no "peers" array. Pure: fuzzed.
 */
export function parsePeerBookFile(doc: unknown, path: string): { peers: KnownPeer[]; skipped: number } {
  const list = typeof doc === 'object' && doc !== null ? (doc as Partial<PeerBookFile>).peers : undefined
  if (!Array.isArray(list)) throw new JsonFileError(path, 'no "peers" array')
  const peers: KnownPeer[] = []
  let skipped = 0
  for (const item of list.slice(0, PEER_BOOK_MAX)) {
    const entry = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>
    const id = entry.id
    if (typeof id !== 'string' || !hasPeerIdShape(id)) {
      skipped++
      continue
    }
    const addrs = Array.isArray(entry.addrs) ? storedAddrs(entry.addrs.slice(0, ADDRS_PER_PEER_MAX)) : []
    if (addrs.length === 0) {
      skipped++
      continue
    }
    const lastSeenMs = typeof entry.lastSeenMs === 'number' && Number.isFinite(entry.lastSeenMs) ? entry.lastSeenMs : 0
    peers.push({ id, addrs, lastSeenMs })
  }
  return { peers, skipped }
}

/**
 * The address forms we write (normalizeAddrs of what libp2p reports): IP or
 * DNS, TCP, optionally WebSockets. Checked by shape at load, which is twenty
 * times cheaper than parsing a multiaddr; the dialer parses each for real
 * before it dials, so a bad one costs one failed dial at most.
 */
const STORED_ADDR = /^\/(?:ip4|ip6|dns|dns4|dns6)\/[0-9A-Za-z.:%_-]{1,253}\/tcp\/\d{1,5}(?:\/wss?|\/tls\/ws)?$/

/** Addresses of a peers.json entry that have the shape of ours, without /p2p/<id>, deduped. */
function storedAddrs(addrs: unknown[]): string[] {
  const out = new Set<string>()
  for (const addr of addrs) {
    if (typeof addr !== 'string' || addr.length > 512) continue
    const p2p = addr.indexOf('/p2p/')
    const bare = p2p < 0 ? addr : addr.slice(0, p2p)
    if (STORED_ADDR.test(bare)) out.add(bare)
  }
  return [...out]
}

/** Parses, strips /p2p/<id>, drops circuit-relay and unparsable addresses, dedupes, caps the count. */
export function normalizeAddrs(addrs: unknown[]): string[] {
  const out = new Set<string>()
  for (const addr of addrs) {
    if (typeof addr !== 'string' || out.size >= ADDRS_PER_PEER_MAX) continue
    try {
      const ma = multiaddr(addr)
      const names = ma.getComponents().map((c) => c.name)
      if (names.includes('p2p-circuit') || !names.includes('tcp')) continue
      const bare = names.includes('p2p') ? ma.decapsulateCode(P2P_CODE) : ma
      out.add(bare.toString())
    } catch {
      // not a multiaddr: skip it
    }
  }
  return [...out]
}
