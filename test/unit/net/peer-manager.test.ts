import { describe, expect, it } from 'vitest'
import {
  FEELER_LIFETIME_MS,
  MANAGER_TICK_MS,
  type ManagedConnection,
  type ManagedHost,
  PeerManager,
} from '../../../src/net/peer-manager.js'
import { AddrMan } from '../../../src/peers/addrman.js'
import { DIAL_BACKOFF_BASE_MS } from '../../../src/peers/dial-backoff.js'
import { netGroup } from '../../../src/peers/net-group.js'
import { FEELER_INTERVAL_MS } from '../../../src/peers/outbound-slots.js'
import type { ConnectionType, GroupPolicy, PeerAddress } from '../../../src/peers/types.js'
import { SimScheduler } from '../../../src/sim/scheduler.js'
import { seededRng } from '../../../src/util/rng.js'
import { fakePeerId, noLog } from './helpers.js'

type Outcome = 'connect' | 'fail' | 'hang'

/** A libp2p stand-in: dials connect, fail or hang as each test says; connections come and go on command. */
class FakeHost implements ManagedHost {
  readonly self = fakePeerId(0)
  readonly dials: PeerAddress[] = []
  conns: ManagedConnection[] = []
  outcome: (addr: PeerAddress) => Outcome = () => 'connect'
  manager: PeerManager | undefined

  connections(): ManagedConnection[] {
    return [...this.conns]
  }

  async dial(addr: PeerAddress): Promise<void> {
    this.dials.push(addr)
    const outcome = this.outcome(addr)
    if (outcome === 'fail') throw new Error('ECONNREFUSED')
    if (outcome === 'hang') return new Promise(() => {})
    this.conns.push({ peer: addr.peer, direction: 'outbound', remoteAddr: addr.addr })
    this.manager?.outboundOpened(addr.peer)
  }

  async hangUp(peer: string): Promise<void> {
    this.drop(peer)
  }

  /** The peer's connections close (either side). */
  drop(peer: string): void {
    const before = this.conns.length
    this.conns = this.conns.filter((c) => c.peer !== peer)
    if (this.conns.length < before) this.manager?.disconnected(peer)
  }

  inbound(peer: string, remoteAddr: string): ManagedConnection {
    const conn: ManagedConnection = { peer, direction: 'inbound', remoteAddr }
    this.conns.push(conn)
    return conn
  }
}

const PUBLIC: GroupPolicy = { lab: false, localCluster: false }

interface SetupOptions {
  policy?: GroupPolicy
  bootstrap?: PeerAddress[]
  anchors?: PeerAddress[]
  refused?: Set<string>
  targets?: { fullRelay: number; blockRelay: number }
  /** Varies the address manager's key and the manager's randomness. */
  seed?: number
}

function setup(options: SetupOptions = {}) {
  const policy = options.policy ?? PUBLIC
  const s = new SimScheduler({ startMs: 1_700_000_000_000 })
  const nowMs = (): number => s.nowMs()
  const seed = options.seed ?? 0
  const addrman = new AddrMan({ key: new Uint8Array(32).fill(3 + seed), policy, nowMs, rng: seededRng(7 + seed) })
  const host = new FakeHost()
  const refused = options.refused ?? new Set<string>()
  const manager = new PeerManager({
    host,
    addrman,
    policy,
    bootstrap: options.bootstrap ?? [],
    anchors: options.anchors ?? [],
    isRefused: (peer) => refused.has(peer),
    isAddressRefused: () => false,
    targets: options.targets ?? { fullRelay: 8, blockRelay: 2 },
    dialTimeoutMs: 1_000,
    timers: s,
    nowMs,
    rng: seededRng(11 + seed),
    log: noLog,
  })
  host.manager = manager
  /** Lets the dials in flight finish (promise chains) and moves virtual time by `ms`. */
  const advance = async (ms = 0): Promise<void> => {
    await s.run({ untilMs: s.nowMs() + ms })
  }
  const typesOf = () =>
    host.conns.map((c) => manager.connectionType(c.peer, c.direction === 'outbound')) as ConnectionType[]
  return { s, host, addrman, manager, advance, typesOf, policy }
}

let nextPeer = 1
/** An address of a new peer at `ip`. */
const at = (ip: string, port = 9000): PeerAddress => ({ peer: fakePeerId(nextPeer++), addr: `/ip4/${ip}/tcp/${port}` })
const groupOf = (addr: PeerAddress, policy: GroupPolicy = PUBLIC) => netGroup(addr.addr.split('/')[2] as string, policy)

describe('peer manager: outbound slots', () => {
  it('fills 2 block-relay and 8 full-relay slots, at most one per network group', async () => {
    const { host, addrman, manager, advance, typesOf } = setup()
    // 3 addresses in each of 12 /16s, learned from many sources
    for (let g = 0; g < 12; g++)
      for (let i = 0; i < 3; i++) addrman.add([at(`${20 + g}.7.${i}.1`)], 'dht', `${60 + g}.${i}.0.1`)
    manager.start()
    await advance()
    expect(host.dials).toHaveLength(10)
    expect(new Set(host.dials.map((d) => groupOf(d))).size).toBe(10)
    const types = typesOf()
    expect(types.filter((t) => t === 'block-relay')).toHaveLength(2)
    expect(types.filter((t) => t === 'full-relay')).toHaveLength(8)
    // full: the next tick dials nothing
    await advance(MANAGER_TICK_MS * 3)
    expect(host.dials).toHaveLength(10)
  })

  it('gives every network group an even chance: a group holding most of the book wins no more often than another', async () => {
    const runs = 40
    let flooderWins = 0
    for (let seed = 0; seed < runs; seed++) {
      const { host, addrman, manager, advance } = setup({ seed, targets: { fullRelay: 1, blockRelay: 0 } })
      // 300 addresses in one /16, from 300 sources (so they spread over many buckets), against 3 in each of 20 others
      for (let i = 0; i < 300; i++) addrman.add([at(`44.7.${i >> 8}.${i & 255}`)], 'dht', `${60 + (i % 150)}.${i}.0.1`)
      for (let g = 0; g < 20; g++)
        for (let i = 0; i < 3; i++) addrman.add([at(`${100 + g}.9.${i}.1`)], 'dht', `${60 + g}.${i}.9.1`)
      manager.start()
      await advance()
      expect(host.dials).toHaveLength(1)
      if (groupOf(host.dials[0] as PeerAddress) === 'ip4:44.7') flooderWins++
      manager.stop()
    }
    // taken as the book picks, the flooded group wins 35 runs of 40; with even odds, 4
    expect(flooderWins / runs).toBeLessThan(0.2)
  })

  it('opens a full-relay connection before any block-relay one: a small network relays txs to every node', async () => {
    const { host, addrman, manager, advance } = setup()
    addrman.add([at('70.7.0.1')], 'dht', '90.0.0.1')
    manager.start()
    await advance()
    // the only peer it knows (a devnet's bootstrap node) relays transactions
    expect(manager.connectionType((host.dials[0] as PeerAddress).peer, true)).toBe('full-relay')
    for (let g = 1; g < 5; g++) addrman.add([at(`${70 + g}.7.0.1`)], 'dht', `${90 + g}.0.0.1`)
    await advance(MANAGER_TICK_MS)
    // then the block-relay slots, then full-relay again
    expect(host.dials.map((d) => manager.connectionType(d.peer, true))).toEqual([
      'full-relay',
      'block-relay',
      'block-relay',
      'full-relay',
      'full-relay',
    ])
  })

  it('dials the anchors of the last run first, as block-relay, and hands them back at stop', async () => {
    const anchors = [at('31.1.0.1'), at('32.1.0.1')]
    const { host, addrman, manager, advance } = setup({ anchors })
    for (let g = 0; g < 12; g++) addrman.add([at(`${40 + g}.7.0.1`)], 'dht', `${70 + g}.0.0.1`)
    manager.start()
    await advance()
    expect(host.dials.slice(0, 2)).toEqual(anchors)
    expect(anchors.map((a) => manager.connectionType(a.peer, true))).toEqual(['block-relay', 'block-relay'])
    expect(manager.stop().sort((a, b) => a.peer.localeCompare(b.peer))).toEqual(
      [...anchors].sort((a, b) => a.peer.localeCompare(b.peer)),
    )
  })

  it('never dials a refused peer, a connected one, or itself', async () => {
    const banned = at('50.1.0.1')
    const inboundPeer = at('51.1.0.1')
    const selfAddr = { peer: fakePeerId(0), addr: '/ip4/52.1.0.1/tcp/1' }
    const { host, addrman, manager, advance } = setup({ refused: new Set([banned.peer]) })
    addrman.add([banned, inboundPeer, selfAddr], 'dht', '99.0.0.1')
    host.inbound(inboundPeer.peer, '/ip4/51.1.0.1/tcp/5555')
    manager.start()
    await advance(MANAGER_TICK_MS * 5)
    expect(host.dials).toEqual([])
  })

  it('bounds the work of a tick that finds nothing to dial: known peers refused or connected already', async () => {
    const refused = new Set<string>()
    const { host, addrman, manager, advance } = setup({ refused })
    for (let g = 0; g < 4; g++) {
      const addr = at(`${80 + g}.1.0.1`)
      addrman.add([addr], 'dht', `${150 + g}.0.0.1`)
      refused.add(addr.peer)
    }
    const connected = at('79.1.0.1')
    addrman.add([connected], 'dht', '149.0.0.1')
    host.inbound(connected.peer, '/ip4/79.1.0.1/tcp/40000')
    let draws = 0
    const select = addrman.select.bind(addrman)
    addrman.select = (newOnly) => {
      draws++
      return select(newOnly)
    }
    manager.start()
    await advance()
    expect(host.dials).toEqual([])
    // one filtered pick of at most 100 draws per slot type, not 100 picks each drawing until the connected one
    expect(draws).toBeLessThanOrEqual(200)
  })

  it('logs a tick that throws instead of taking the node down, and ticks again later', async () => {
    const { host, addrman, manager, advance } = setup()
    addrman.add([at('57.1.0.1')], 'dht', '99.0.0.1')
    const select = addrman.select.bind(addrman)
    let broken = true
    addrman.select = (newOnly) => {
      if (broken) throw new Error('a bug')
      return select(newOnly)
    }
    expect(() => manager.start()).not.toThrow()
    expect(host.dials).toEqual([])
    broken = false
    await advance(MANAGER_TICK_MS)
    expect(host.dials).toHaveLength(1)
  })

  it('backs off an address whose dial failed, doubling, and redials it after the wait', async () => {
    const lone = at('53.1.0.1')
    const { host, addrman, manager, advance } = setup()
    addrman.add([lone], 'dht', '99.0.0.1')
    host.outcome = () => 'fail'
    manager.start()
    await advance()
    expect(host.dials).toHaveLength(1)
    await advance(DIAL_BACKOFF_BASE_MS - 1)
    expect(host.dials).toHaveLength(1)
    await advance(MANAGER_TICK_MS)
    expect(host.dials).toHaveLength(2)
    // the second wait is twice as long
    await advance(DIAL_BACKOFF_BASE_MS + MANAGER_TICK_MS)
    expect(host.dials).toHaveLength(2)
    await advance(DIAL_BACKOFF_BASE_MS)
    expect(host.dials).toHaveLength(3)
  })

  it('replaces a lost outbound peer at once', async () => {
    const [a, b] = [at('54.1.0.1'), at('55.1.0.1')]
    const { host, addrman, manager, advance } = setup({ targets: { fullRelay: 1, blockRelay: 0 } })
    addrman.add([a, b], 'dht', '99.0.0.1')
    manager.start()
    await advance()
    const first = host.dials[0] as PeerAddress
    manager.statusCompleted(first.peer)
    expect(addrman.isTried(first.addr)).toBe(true)
    host.drop(first.peer)
    await advance()
    expect(host.dials).toHaveLength(2)
  })

  it('an address whose peer hung up before the status exchange waits like a failed dial', async () => {
    const lone = at('56.1.0.1')
    const { host, addrman, manager, advance } = setup({ targets: { fullRelay: 1, blockRelay: 0 } })
    addrman.add([lone], 'dht', '99.0.0.1')
    manager.start()
    await advance()
    host.drop(lone.peer)
    await advance(DIAL_BACKOFF_BASE_MS - 1)
    expect(host.dials).toHaveLength(1)
    await advance(MANAGER_TICK_MS)
    expect(host.dials).toHaveLength(2)
  })

  it('dials the bootstrap list when the address manager has nothing to offer', async () => {
    // a DNS bootstrap address: the address manager keeps IPs only
    const boot = { peer: fakePeerId(900), addr: '/dns4/seed.example/tcp/9000' }
    const { host, manager, advance } = setup({ bootstrap: [boot] })
    manager.start()
    await advance()
    expect(host.dials).toEqual([boot])
    expect(manager.connectionType(boot.peer, true)).toBe('full-relay')
  })

  it('joins a local devnet through its bootstrap list: 127.0.0.1 peers share the exempt local group', async () => {
    const policy = { lab: false, localCluster: true }
    const boots = [at('127.0.0.1', 4001), at('127.0.0.1', 4002), at('127.0.0.1', 4003)]
    const { host, manager, advance } = setup({ policy, bootstrap: boots })
    manager.start()
    await advance()
    expect(new Set(host.dials.map((d) => d.peer))).toEqual(new Set(boots.map((b) => b.peer)))
  })
})

describe('peer manager: feelers', () => {
  it('once the slots are full, tests a new address every ~2 minutes and hangs up after its status', async () => {
    const { host, addrman, manager, advance } = setup({ targets: { fullRelay: 2, blockRelay: 0 } })
    for (let g = 0; g < 10; g++) addrman.add([at(`${100 + g}.3.0.1`)], 'dht', `${150 + g}.0.0.1`)
    manager.start()
    await advance()
    expect(host.dials).toHaveLength(2)
    // exponential waits with a mean of 2 minutes: 20 minutes hold several
    let feeler: PeerAddress | undefined
    for (let t = 0; t < 20 * 60_000 && feeler === undefined; t += MANAGER_TICK_MS) {
      await advance(MANAGER_TICK_MS)
      feeler = host.dials[2]
    }
    if (feeler === undefined) throw new Error('no feeler within 20 minutes')
    expect(manager.connectionType(feeler.peer, true)).toBe('feeler')
    expect(addrman.isTried(feeler.addr)).toBe(false)
    manager.statusCompleted(feeler.peer)
    await advance()
    expect(addrman.isTried(feeler.addr)).toBe(true)
    expect(host.conns.some((c) => c.peer === feeler.peer)).toBe(false)
    expect(FEELER_INTERVAL_MS).toBe(120_000)
  })

  it('hangs up on a feeler that never completes the status exchange', async () => {
    const { host, addrman, manager, advance } = setup({ targets: { fullRelay: 1, blockRelay: 0 } })
    for (let g = 0; g < 10; g++) addrman.add([at(`${120 + g}.3.0.1`)], 'dht', `${170 + g}.0.0.1`)
    manager.start()
    await advance()
    let feeler: PeerAddress | undefined
    for (let t = 0; t < 20 * 60_000 && feeler === undefined; t += MANAGER_TICK_MS) {
      await advance(MANAGER_TICK_MS)
      feeler = host.dials[1]
    }
    if (feeler === undefined) throw new Error('no feeler within 20 minutes')
    await advance(FEELER_LIFETIME_MS)
    expect(host.conns.some((c) => c.peer === feeler.peer)).toBe(false)
    expect(addrman.isTried(feeler.addr)).toBe(false)
  })
})

describe('peer manager: what it learns', () => {
  it("learns an outbound peer's listen addresses with the peer's IP as source, and makes tried only what it dialed", async () => {
    const { host, addrman, manager, advance } = setup({ targets: { fullRelay: 1, blockRelay: 0 } })
    const out = at('60.1.0.1')
    addrman.add([out], 'dht', '99.0.0.1')
    manager.start()
    await advance()
    const conn = host.conns[0] as ManagedConnection
    manager.identified(out.peer, [`/ip4/61.2.0.1/tcp/9000/p2p/${out.peer}`, '/ip4/61.2.0.1/tcp/9000/ws'], conn)
    expect(addrman.has('/ip4/61.2.0.1/tcp/9000')).toBe(true)
    expect(addrman.has('/ip4/61.2.0.1/tcp/9000/ws')).toBe(true)
    expect(addrman.isTried('/ip4/61.2.0.1/tcp/9000')).toBe(false)
  })

  it("puts an inbound peer's self-reported addresses in new only, never tried, even after its status", () => {
    const { host, addrman, manager } = setup()
    const peer = fakePeerId(500)
    const conn = host.inbound(peer, '/ip4/62.1.0.9/tcp/40000')
    manager.identified(peer, ['/ip4/62.1.0.9/tcp/9000'], conn)
    manager.statusCompleted(peer)
    expect(addrman.has('/ip4/62.1.0.9/tcp/9000')).toBe(true)
    expect(addrman.isTried('/ip4/62.1.0.9/tcp/9000')).toBe(false)
  })

  it('learns no unroutable address from a remote peer, except in the lab or a local cluster', () => {
    const peer = fakePeerId(501)
    for (const [policy, learned] of [
      [PUBLIC, false],
      [{ lab: true, localCluster: false }, true],
      [{ lab: false, localCluster: true }, true],
    ] as const) {
      const { host, addrman, manager } = setup({ policy })
      const conn = host.inbound(peer, '/ip4/127.0.9.1/tcp/40000')
      manager.identified(peer, ['/ip4/127.0.9.1/tcp/9000', '/ip4/10.1.2.3/tcp/9000'], conn)
      expect(addrman.has('/ip4/127.0.9.1/tcp/9000')).toBe(learned)
    }
  })

  it('learns nothing from a block-relay peer, a refused peer, or about itself', async () => {
    const refusedPeer = fakePeerId(502)
    const { host, addrman, manager, advance } = setup({
      targets: { fullRelay: 0, blockRelay: 1 },
      refused: new Set([refusedPeer]),
    })
    const relay = at('63.1.0.1')
    addrman.add([relay], 'dht', '99.0.0.1')
    manager.start()
    await advance()
    expect(manager.connectionType(relay.peer, true)).toBe('block-relay')
    manager.identified(relay.peer, ['/ip4/64.1.0.1/tcp/9000'], host.conns[0] as ManagedConnection)
    const conn = host.inbound(refusedPeer, '/ip4/65.1.0.1/tcp/4000')
    manager.identified(refusedPeer, ['/ip4/65.1.0.1/tcp/9000'], conn)
    manager.discovered(host.self, ['/ip4/66.1.0.1/tcp/9000'], 'dht')
    for (const ip of ['64.1.0.1', '65.1.0.1', '66.1.0.1']) expect(addrman.has(`/ip4/${ip}/tcp/9000`)).toBe(false)
  })

  it('adds DHT and mDNS discoveries, and forgets every address of a banned peer', () => {
    const { addrman, manager } = setup({ policy: { lab: false, localCluster: true } })
    const peer = fakePeerId(503)
    manager.discovered(peer, ['/ip4/67.1.0.1/tcp/9000', '/ip4/67.1.0.1/udp/9000/quic-v1'], 'dht')
    manager.discovered(peer, ['/ip4/192.168.1.5/tcp/9000'], 'mdns')
    expect(addrman.addressesOf(peer).sort()).toEqual(['/ip4/192.168.1.5/tcp/9000', '/ip4/67.1.0.1/tcp/9000'])
    manager.forget(peer)
    expect(addrman.addressesOf(peer)).toEqual([])
  })

  it('counts outbound connections it did not open (DHT queries) as manual, and the operator dials too', () => {
    const { host, manager, addrman } = setup()
    const dhtPeer = fakePeerId(504)
    host.conns.push({ peer: dhtPeer, direction: 'outbound', remoteAddr: '/ip4/68.1.0.1/tcp/9000' })
    expect(manager.connectionType(dhtPeer, true)).toBe('manual')
    expect(manager.connectionType(dhtPeer, false)).toBe('inbound')
    const operator = at('69.1.0.1')
    manager.dialedManually(operator)
    manager.statusCompleted(operator.peer)
    expect(manager.connectionType(operator.peer, true)).toBe('manual')
    expect(addrman.isTried(operator.addr)).toBe(true)
  })
})
