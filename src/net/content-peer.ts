/**
 * Which peers are stock IPFS nodes rather than peers of another chain: a peer
 * that says (identify) it speaks Bitswap and no peerchain protocol at all.
 * Every peerchain node speaks Bitswap too, so Bitswap alone proves nothing: a
 * node of another chain still lists its `/peerchain/<chainId>/…` protocols
 * and is discouraged as before.
 */
const BITSWAP_PREFIX = '/ipfs/bitswap/'
const PEERCHAIN_PREFIX = '/peerchain/'

export function isContentOnlyProtocols(protocols: readonly string[]): boolean {
  return protocols.some((p) => p.startsWith(BITSWAP_PREFIX)) && !protocols.some((p) => p.startsWith(PEERCHAIN_PREFIX))
}

/**
 * Whether a peer-store record already tells: it lists Bitswap or a peerchain
 * protocol. A record made before the peer's identify may hold only the
 * protocols its own streams to us negotiated (`/ipfs/id/1.0.0`), which tells
 * nothing yet.
 */
export function protocolsDecide(protocols: readonly string[]): boolean {
  return protocols.some((p) => p.startsWith(BITSWAP_PREFIX) || p.startsWith(PEERCHAIN_PREFIX))
}
