/**
 * Which peers are stock IPFS nodes rather than peers of another chain: a peer
 * that says (identify) it speaks Bitswap and no peerchain protocol at all.
 * Every peerchain node speaks Bitswap too, so Bitswap alone proves nothing: a
 * node of another chain still lists its `/peerchain/<chainId>/…` protocols
 * and is discouraged as before.
 */
import type { IdentifyResult, Libp2p, PeerId } from '@libp2p/interface'
import type { PeerIdString } from './network.js'
import { toPeerId } from './peer-ids.js'

/** How long a peer whose status exchange failed may take to identify itself as an IPFS node. */
const IDENTIFY_WAIT_MS = 3_000
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

type HostForPeers = Pick<Libp2p, 'peerStore' | 'getConnections' | 'addEventListener' | 'removeEventListener'>

/**
 * Whether `peer` is a stock IPFS node. A failed status exchange may come
 * before the peer's identify (the store may hold only the protocols of its
 * streams to us so far): then its identify is waited for, briefly.
 */
export async function isContentOnlyPeer(host: HostForPeers, peer: PeerIdString): Promise<boolean> {
  const known = await knownProtocols(host, peer)
  const protocols =
    known !== undefined && protocolsDecide(known)
      ? known
      : // its identify may also have landed while we looked: the store has it then
        ((await identifiedProtocols(host, peer)) ?? (await knownProtocols(host, peer)))
  return protocols !== undefined && isContentOnlyProtocols(protocols)
}

async function knownProtocols(host: HostForPeers, peer: PeerIdString): Promise<string[] | undefined> {
  try {
    const { protocols } = await host.peerStore.get(toPeerId(peer))
    return protocols.length > 0 ? protocols : undefined
  } catch {
    return undefined // not in the peer store (gone, or never identified)
  }
}

/**
 * The protocols `peer` lists in its identify, or undefined if none comes
 * within IDENTIFY_WAIT_MS or it disconnects first (a peer that hung up on us
 * is decided at once, not left undiscouraged meanwhile).
 */
function identifiedProtocols(host: HostForPeers, peer: PeerIdString): Promise<string[] | undefined> {
  if (host.getConnections(toPeerId(peer)).length === 0) return Promise.resolve(undefined)
  return new Promise((resolve) => {
    const done = (protocols: string[] | undefined): void => {
      clearTimeout(timer)
      host.removeEventListener('peer:identify', onIdentify)
      host.removeEventListener('peer:disconnect', onDisconnect)
      resolve(protocols)
    }
    const onIdentify = (evt: CustomEvent<IdentifyResult>): void => {
      if (evt.detail.peerId.toString() === peer) done(evt.detail.protocols)
    }
    const onDisconnect = (evt: CustomEvent<PeerId>): void => {
      if (evt.detail.toString() === peer) done(undefined)
    }
    const timer = setTimeout(() => done(undefined), IDENTIFY_WAIT_MS)
    host.addEventListener('peer:identify', onIdentify)
    host.addEventListener('peer:disconnect', onDisconnect)
  })
}
