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
