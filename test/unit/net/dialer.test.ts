import { describe, expect, it } from 'vitest'
import { BanList, type BansFile } from '../../../src/net/bans.js'
import {
  DIAL_BACKOFF_BASE_MS,
  type DialerHost,
  FORGET_AFTER_FAILURES,
  OutboundDialer,
} from '../../../src/net/dialer.js'
import { JsonFile } from '../../../src/net/json-file.js'
import { PeerBook, type PeerBookFile } from '../../../src/net/peer-book.js'
import { SimScheduler } from '../../../src/sim/scheduler.js'
import { newPeerId, noLog } from './helpers.js'

type Outcome = 'connect' | 'fail' | 'hang'

/** A libp2p stand-in: dials succeed, fail or never finish, as each test says. */
class FakeHost implements DialerHost {
  readonly peerId = 'self'
  readonly dials: string[] = []
  readonly merged = new Map<string, string[]>()
  connections: Array<{ direction: string; status: string; remotePeer: string }> = []
  outcome: (peer: string) => Outcome = () => 'connect'

  getConnections() {
    return this.connections
  }
  getPeers() {
    return [...new Set(this.connections.map((c) => c.remotePeer))]
  }
  async dial(peer: { toString(): string }): Promise<unknown> {
    const id = peer.toString()
    this.dials.push(id)
    const outcome = this.outcome(id)
    if (outcome === 'fail') throw new Error('ECONNREFUSED')
    if (outcome === 'hang') return new Promise(() => {})
    this.connections.push({ direction: 'outbound', status: 'open', remotePeer: id })
    return {}
  }
  peerStore = {
    merge: async (peer: { toString(): string }, data: { multiaddrs: Array<{ toString(): string }> }) => {
      this.merged.set(peer.toString(), data.multiaddrs.map(String))
    },
  }
}

/**
 * Virtual time: `settle()` lets the dials in flight finish (they are promise
 * chains of the fake host), `advance(ms)` moves the dialer's clock.
 */
async function setup(outboundTarget: number, bootstrap: string[] = []) {
  const s = new SimScheduler({ startMs: 1_000_000 })
  const nowMs = (): number => s.nowMs()
  const settle = async (): Promise<void> => {
    await s.run()
  }
  const advance = async (ms: number): Promise<void> => {
    await s.run({ untilMs: s.nowMs() + ms })
  }
  const host = new FakeHost()
  const peerBook = new PeerBook(new JsonFile<PeerBookFile>(undefined), nowMs, noLog)
  const bans = new BanList(new JsonFile<BansFile>(undefined), nowMs, noLog)
  const dialer = new OutboundDialer({
    host,
    peerBook,
    bans,
    bootstrap,
    outboundTarget,
    dialTimeoutMs: 1_000,
    nowMs,
    log: noLog,
  })
  return { s, settle, advance, host, peerBook, bans, dialer }
}

describe('OutboundDialer', () => {
  it('dials known peers first (with their saved addresses), then bootstrap, then discovered, up to the target', async () => {
    const [known, boot, found, extra] = await Promise.all([newPeerId(), newPeerId(), newPeerId(), newPeerId()])
    const { settle, host, peerBook, dialer } = await setup(3, [`/ip4/127.0.0.1/tcp/9/p2p/${boot}`])
    peerBook.remember(known, ['/ip4/127.0.0.1/tcp/7'])
    dialer.addCandidate(extra)
    dialer.addCandidate(found) // most recently discovered first
    dialer.start()
    await settle()
    dialer.stop()
    // the oldest discovered candidate is the one left out (dials start in order; they finish in any order)
    expect(host.dials.sort()).toEqual([known, boot, found].sort())
    expect(host.merged.get(known)).toEqual(['/ip4/127.0.0.1/tcp/7'])
    expect(dialer.outboundCount()).toBe(3)
    await peerBook.flush()
  })

  it('counts dials in flight toward the target and skips connected, banned and self', async () => {
    const [a, b, c] = await Promise.all([newPeerId(), newPeerId(), newPeerId()])
    const { settle, host, bans, dialer } = await setup(2)
    host.outcome = () => 'hang'
    host.connections.push({ direction: 'inbound', status: 'open', remotePeer: a })
    await bans.ban(b, 'test')
    for (const id of [a, b, c, 'self']) dialer.addCandidate(id)
    dialer.start()
    dialer.tick()
    dialer.tick()
    await settle()
    dialer.stop()
    expect(host.dials).toEqual([c])
  })

  it('backs off from a peer whose dials fail, and from one that hangs up before identify', async () => {
    const [flaky, rude] = await Promise.all([newPeerId(), newPeerId()])
    const { s, settle, advance, host, dialer } = await setup(2)
    host.outcome = (peer) => (peer === flaky ? 'fail' : 'connect')
    dialer.addCandidate(flaky)
    dialer.addCandidate(rude)
    dialer.start()
    await settle()
    expect(host.dials.sort()).toEqual([flaky, rude].sort())

    // the rude peer's connection closes at once (it banned us): no identify ran
    host.connections = []
    dialer.tick()
    await settle()
    expect(host.dials).toHaveLength(2) // both wait out their backoff: no tight redial loop

    await advance(DIAL_BACKOFF_BASE_MS - 1)
    dialer.tick()
    await settle()
    expect(host.dials).toHaveLength(2) // one ms short of the backoff
    await advance(1)
    dialer.tick()
    await settle()
    expect(host.dials).toHaveLength(4)
    expect(s.elapsedMs()).toBe(DIAL_BACKOFF_BASE_MS)

    // after identify the rude peer is forgiven; the flaky one's backoff doubles
    dialer.onIdentified(rude)
    host.connections = []
    await advance(DIAL_BACKOFF_BASE_MS)
    dialer.tick()
    await settle()
    dialer.stop()
    expect(host.dials.slice(4)).toEqual([rude])
  })

  it('forgets a known peer after FORGET_AFTER_FAILURES failed dials in a row', async () => {
    const peer = await newPeerId()
    const { settle, advance, host, peerBook, dialer } = await setup(1)
    host.outcome = () => 'fail'
    peerBook.remember(peer, ['/ip4/127.0.0.1/tcp/7'])
    dialer.start()
    for (let i = 0; i < FORGET_AFTER_FAILURES + 1; i++) {
      await settle()
      await advance(60 * 60_000)
      dialer.tick()
    }
    await settle()
    dialer.stop()
    expect(peerBook.get(peer)).toBeUndefined()
    await peerBook.flush()
  })
})
