import type { Libp2p, Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { BITSWAP_PROTOCOL, BITSWAP_WANTS_PER_PEER_MAX, bitswapOptions } from '../../../src/net/bitswap.js'
import { UploadPacer } from '../../../src/net/bitswap-pacer.js'
import { ManualTimers, newPeerId } from './helpers.js'

const RATE = { capacity: 1_000, ratePerSec: 1_000 }

/** The part of a stream the pacer touches, recording what was sent. */
class FakeStream {
  sent = 0
  full = false
  drains = 0
  readonly #secret = 'private fields still work through the pacer'
  send(data: Uint8Array): boolean {
    this.sent += data.byteLength
    return !this.full
  }
  async onDrain(): Promise<void> {
    this.drains++
  }
  secret(): string {
    return this.#secret
  }
}

/** Lets promise chains run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve()
}

describe('UploadPacer', () => {
  it('signals backpressure once a peer is in debt, and onDrain waits until the debt is repaid', async () => {
    const timers = new ManualTimers()
    const pacer = new UploadPacer(RATE, timers, timers)
    const fake = new FakeStream()
    const stream = pacer.pace(fake as unknown as Stream, 'peer-a')
    expect(stream.send(new Uint8Array(600))).toBe(true)
    expect(stream.send(new Uint8Array(900))).toBe(false) // 500 bytes of debt
    expect(fake.sent).toBe(1_500)
    let drained = false
    void stream.onDrain().then(() => {
      drained = true
    })
    timers.advance(499)
    await settle()
    expect(drained).toBe(false)
    timers.advance(1)
    await settle()
    expect(drained).toBe(true)
    // the real stream had room: its own drain was never awaited
    expect(fake.drains).toBe(0)
    expect((stream as unknown as FakeStream).secret()).toBe('private fields still work through the pacer')
  })

  it("a peer's debt slows only that peer", () => {
    const timers = new ManualTimers()
    const pacer = new UploadPacer(RATE, timers, timers)
    const a = pacer.pace(new FakeStream() as unknown as Stream, 'peer-a')
    const b = pacer.pace(new FakeStream() as unknown as Stream, 'peer-b')
    expect(a.send(new Uint8Array(5_000))).toBe(false)
    expect(pacer.debtMs('peer-a')).toBe(4_000)
    expect(b.send(new Uint8Array(500))).toBe(true)
    expect(pacer.debtMs('peer-b')).toBe(0)
  })

  it("waits for the real stream's drain too when it reported backpressure", async () => {
    const timers = new ManualTimers()
    const pacer = new UploadPacer(RATE, timers, timers)
    const fake = new FakeStream()
    fake.full = true
    const stream = pacer.pace(fake as unknown as Stream, 'peer-a')
    expect(stream.send(new Uint8Array(10))).toBe(false)
    await stream.onDrain()
    expect(fake.drains).toBe(1)
  })

  it('an aborted drain rejects at once', async () => {
    const timers = new ManualTimers()
    const pacer = new UploadPacer(RATE, timers, timers)
    const stream = pacer.pace(new FakeStream() as unknown as Stream, 'peer-a')
    stream.send(new Uint8Array(3_000))
    const controller = new AbortController()
    const drain = stream.onDrain({ signal: controller.signal })
    controller.abort()
    await expect(drain).rejects.toThrow()
  })

  it('the paced host charges streams to the peer they were opened to', async () => {
    const timers = new ManualTimers()
    const pacer = new UploadPacer(RATE, timers, timers)
    const peer = peerIdFromString(await newPeerId())
    const host = {
      dialProtocol: async () => new FakeStream() as unknown as Stream,
    } as unknown as Pick<Libp2p, 'dialProtocol'>
    const stream = await pacer.pacedHost(host).dialProtocol(peer, '/ipfs/bitswap/1.2.0')
    stream.send(new Uint8Array(2_000))
    expect(pacer.debtMs(peer.toString())).toBe(1_000)
  })
})

describe('bitswap limits', () => {
  it('caps the wants a peer holds with us under both spellings the library reads', () => {
    const options = bitswapOptions() as Record<string, unknown>
    expect(options.maxWantlistSize).toBe(BITSWAP_WANTS_PER_PEER_MAX)
    expect(options.maxWantListSize).toBe(BITSWAP_WANTS_PER_PEER_MAX)
  })

  it('speaks Bitswap 1.2.0 only, under the key the library reads', () => {
    expect((bitswapOptions() as Record<string, unknown>).protocols).toEqual([BITSWAP_PROTOCOL])
  })
})
