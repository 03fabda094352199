import { describe, expect, it } from 'vitest'
import { isContentOnlyProtocols } from '../../../src/net/content-peer.js'

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
