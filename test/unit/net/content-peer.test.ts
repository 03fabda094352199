import { describe, expect, it } from 'vitest'
import { isContentOnlyProtocols, protocolsDecide } from '../../../src/net/content-peer.js'

describe('isContentOnlyProtocols', () => {
  it('takes a Bitswap peer that speaks no peerchain protocol for an IPFS node', () => {
    expect(isContentOnlyProtocols(['/ipfs/id/1.0.0', '/ipfs/bitswap/1.2.0', '/ipfs/kad/1.0.0'])).toBe(true)
  })

  it('never takes a peer of another chain for one, though it speaks Bitswap too', () => {
    expect(isContentOnlyProtocols(['/ipfs/bitswap/1.2.0', '/peerchain/other-chain/status/1'])).toBe(false)
  })

  it('needs Bitswap: a peer that speaks neither, or has not identified yet, is not one', () => {
    expect(isContentOnlyProtocols(['/ipfs/id/1.0.0', '/ipfs/ping/1.0.0'])).toBe(false)
    expect(isContentOnlyProtocols([])).toBe(false)
  })
})

describe('protocolsDecide', () => {
  it('waits on a record that holds only the protocols of streams the peer opened to us before its identify', () => {
    expect(protocolsDecide(['/ipfs/id/1.0.0'])).toBe(false)
    expect(protocolsDecide([])).toBe(false)
  })

  it('decides on a record that lists Bitswap or a peerchain protocol', () => {
    expect(protocolsDecide(['/ipfs/id/1.0.0', '/ipfs/bitswap/1.2.0'])).toBe(true)
    expect(protocolsDecide(['/peerchain/other-chain/status/1'])).toBe(true)
  })
})
