/**
 * The addresses we keep for dialing, as the address manager stores them: a
 * multiaddr over TCP (optionally WebSockets) with an IP or DNS host and no
 * /p2p/<id> part. What peers announce (identify, the DHT, mDNS) passes
 * through here first: circuit-relay and unparsable addresses are dropped.
 */
import { multiaddr } from '@multiformats/multiaddr'
import type { PeerAddress } from '../peers/types.js'

/** Addresses taken from one announcement, at most (identify lists a handful). */
export const ANNOUNCED_ADDRS_MAX = 8

const P2P_CODE = 421

/** Parses, strips /p2p/<id>, drops circuit-relay, non-TCP and unparsable addresses, dedupes, caps the count. */
export function dialableAddrs(addrs: ReadonlyArray<unknown>): string[] {
  const out = new Set<string>()
  for (const addr of addrs) {
    if (out.size >= ANNOUNCED_ADDRS_MAX) break
    const text = typeof addr === 'string' ? addr : addr?.toString()
    if (typeof text !== 'string' || text.length > 512) continue
    try {
      const ma = multiaddr(text)
      const names = ma.getComponents().map((c) => c.name)
      if (names.includes('p2p-circuit') || !names.includes('tcp')) continue
      out.add((names.includes('p2p') ? ma.decapsulateCode(P2P_CODE) : ma).toString())
    } catch {
      // not a multiaddr: skip it
    }
  }
  return [...out]
}

/** A multiaddr with /p2p/<id>, split into the id and the bare address; undefined without an id. */
export function splitPeerAddr(text: string): PeerAddress | undefined {
  try {
    const ma = multiaddr(text)
    const peer = ma.getComponents().findLast((c) => c.name === 'p2p')?.value
    if (peer === undefined) return undefined
    const [addr] = dialableAddrs([text])
    return addr === undefined ? undefined : { peer, addr }
  } catch {
    return undefined
  }
}
