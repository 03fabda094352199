import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { isContentOnlyPeer, isContentOnlyProtocols, protocolsDecide } from '../../../src/net/content-peer.js'

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

describe('isContentOnlyPeer', () => {
  const PEER = '12D3KooWJvpGmey5c8kgqtKTLRaNSwtwUHcnQLnp9hHritSFTQam'

  /** A libp2p host slice: a peer-store record, a connection count and the identify/disconnect events. */
  function fakeHost(record: string[], connections = 1) {
    const events = new EventTarget()
    const host = {
      peerStore: { get: async () => ({ protocols: record }) },
      getConnections: () => Array.from({ length: connections }),
      addEventListener: events.addEventListener.bind(events),
      removeEventListener: events.removeEventListener.bind(events),
    }
    const emit = (type: string, detail: unknown) => events.dispatchEvent(new CustomEvent(type, { detail }))
    return { host: host as unknown as Parameters<typeof isContentOnlyPeer>[0], emit }
  }

  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('decides from a record that already tells', async () => {
    expect(await isContentOnlyPeer(fakeHost(['/ipfs/bitswap/1.2.0']).host, PEER)).toBe(true)
    expect(await isContentOnlyPeer(fakeHost(['/ipfs/bitswap/1.2.0', '/peerchain/x/status/1']).host, PEER)).toBe(false)
  })

  it('waits for the identify when the record holds only the protocol of its own stream to us', async () => {
    const { host, emit } = fakeHost(['/ipfs/id/1.0.0'])
    const decided = isContentOnlyPeer(host, PEER)
    await vi.advanceTimersByTimeAsync(100)
    emit('peer:identify', { peerId: { toString: () => PEER }, protocols: ['/ipfs/id/1.0.0', '/ipfs/bitswap/1.2.0'] })
    expect(await decided).toBe(true)
  })

  it('stops waiting when the peer disconnects, and does not wait for one already gone', async () => {
    const { host, emit } = fakeHost(['/ipfs/id/1.0.0'])
    let settled = false
    const decided = isContentOnlyPeer(host, PEER).finally(() => {
      settled = true
    })
    await vi.advanceTimersByTimeAsync(100)
    expect(settled).toBe(false)
    emit('peer:disconnect', { toString: () => PEER })
    expect(await decided).toBe(false)
    expect(vi.getTimerCount()).toBe(0)
    // gone already: decided without a timer
    expect(await isContentOnlyPeer(fakeHost(['/ipfs/id/1.0.0'], 0).host, PEER)).toBe(false)
    expect(vi.getTimerCount()).toBe(0)
  })
})
