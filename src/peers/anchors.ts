/**
 * Anchors: the block-relay-only peers we were connected to at shutdown,
 * saved in `<dataDir>/anchors.json` and dialed first at the next start
 * (Bitcoin Core's anchors.dat). An attacker who fills our address book while
 * we are down still finds two of our outbound slots held by peers we already
 * trusted, so a restart does not hand it the node.
 *
 * The file is ours, but it is read before anything else at start-up, so it
 * is parsed strictly: a document that is not an anchors file is refused
 * (AnchorsFileError), malformed entries are dropped, and at most
 * ANCHORS_MAX are kept. The net layer reads and writes it with its JsonFile
 * (atomic writes); this module only converts.
 */
import type { PeerAddress } from './types.js'

export const ANCHORS_FILE = 'anchors.json'
/** As many as the block-relay slots (Bitcoin Core keeps 2 as well). */
export const ANCHORS_MAX = 2

export interface AnchorsFile {
  version: 1
  anchors: PeerAddress[]
}

export class AnchorsFileError extends Error {
  override readonly name = 'AnchorsFileError'
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path}: ${reason}`)
  }
}

/** base58btc, as peer ids are written; the net layer parses an id in full before dialing it. */
const PEER_ID_SHAPE = /^[1-9A-HJ-NP-Za-km-z]{40,60}$/
/** The addresses we dial: IP or DNS, TCP, optionally WebSockets; no /p2p/ part. */
const ADDR_SHAPE = /^\/(?:ip4|ip6|dns|dns4|dns6)\/[0-9A-Za-z.:_-]{1,253}\/tcp\/\d{1,5}(?:\/wss?|\/tls\/ws)?$/

function isAnchor(item: unknown): item is PeerAddress {
  if (typeof item !== 'object' || item === null) return false
  const { peer, addr } = item as Record<string, unknown>
  return typeof peer === 'string' && PEER_ID_SHAPE.test(peer) && typeof addr === 'string' && ADDR_SHAPE.test(addr)
}

/**
 * The anchors of a parsed anchors.json: well-formed entries, one per peer,
 * at most ANCHORS_MAX. Throws AnchorsFileError when `doc` is not an anchors
 * document (not an object, another version, no "anchors" array).
 */
export function parseAnchorsFile(doc: unknown, path: string): PeerAddress[] {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new AnchorsFileError(path, 'not an object')
  const { version, anchors } = doc as Record<string, unknown>
  if (version !== 1) throw new AnchorsFileError(path, `unknown version ${JSON.stringify(version)}`)
  if (!Array.isArray(anchors)) throw new AnchorsFileError(path, 'no "anchors" array')
  const out: PeerAddress[] = []
  // bounded: a huge array costs at most this many checks
  for (const item of anchors.slice(0, ANCHORS_MAX * 8)) {
    if (out.length >= ANCHORS_MAX) break
    if (!isAnchor(item) || out.some((a) => a.peer === item.peer)) continue
    out.push({ peer: item.peer, addr: item.addr })
  }
  return out
}

/** The document to save: the first ANCHORS_MAX distinct peers of `list`. */
export function anchorsDocument(list: PeerAddress[]): AnchorsFile {
  const anchors: PeerAddress[] = []
  for (const { peer, addr } of list) {
    if (anchors.length >= ANCHORS_MAX) break
    if (!anchors.some((a) => a.peer === peer)) anchors.push({ peer, addr })
  }
  return { version: 1, anchors }
}
