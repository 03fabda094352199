/**
 * The DHT diversity guard against a small fake routing table (the events and
 * `remove` of kad-dht's), and once against kad-dht's real table: a node in
 * lab mode whose table three peers from one 127.A.B group try to enter at
 * one common prefix length.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { identify } from '@libp2p/identify'
import type { Libp2p, PeerId, PrivateKey } from '@libp2p/interface'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { afterEach, describe, expect, it } from 'vitest'
import {
  DhtDiversityGuard,
  type DhtRoutingTable,
  guardableTable,
  hostDhtDiversityGuard,
  kadIdOf,
} from '../../../src/net/dht-diversity-guard.js'
import { createHost, type Host } from '../../../src/net/host.js'
import { loadOrCreateNodeKey } from '../../../src/net/identity.js'
import { dhtProtocol, resolveOptions } from '../../../src/net/options.js'
import { toPeerId } from '../../../src/net/peer-ids.js'
import { TrafficCounter } from '../../../src/net/traffic.js'
import { commonPrefixLength } from '../../../src/peers/dht-diversity.js'
import { LOCAL_GROUP } from '../../../src/peers/net-group.js'
import { fakePeerId, noLog } from './helpers.js'

interface Logged {
  msg: string
  fields: Record<string, unknown> | undefined
}

type TableListener = (evt: CustomEvent<PeerId>) => void

/** kad-dht's routing table as the guard sees it: members, events on join and leave, `remove`. */
class FakeRoutingTable implements DhtRoutingTable {
  readonly members = new Map<string, PeerId>()
  failRemovals = false
  private readonly listeners = { 'peer:add': new Set<TableListener>(), 'peer:remove': new Set<TableListener>() }

  addEventListener(type: 'peer:add' | 'peer:remove', listener: TableListener): void {
    this.listeners[type].add(listener)
  }

  removeEventListener(type: 'peer:add' | 'peer:remove', listener: TableListener): void {
    this.listeners[type].delete(listener)
  }

  private emit(type: 'peer:add' | 'peer:remove', peer: PeerId): void {
    for (const listener of this.listeners[type]) listener(new CustomEvent(type, { detail: peer }))
  }

  get size(): number {
    return this.members.size
  }

  /** A peer joins (kad-dht added it), announced with `peer:add` if the guard listens. */
  join(peer: PeerId): void {
    this.members.set(peer.toString(), peer)
    this.emit('peer:add', peer)
  }

  /** A peer leaves on kad-dht's own account (failed a ping, evicted). */
  leave(peer: PeerId): void {
    if (this.members.delete(peer.toString())) this.emit('peer:remove', peer)
  }

  async remove(peer: PeerId): Promise<void> {
    await Promise.resolve()
    if (this.failRemovals) throw new Error('RoutingTable is not started')
    this.leave(peer)
  }

  closestPeers(_kadId: Uint8Array, options?: { count?: number }): PeerId[] {
    return [...this.members.values()].slice(0, options?.count ?? 20)
  }

  has(peer: PeerId): boolean {
    return this.members.has(peer.toString())
  }
}

const SELF = toPeerId(fakePeerId(1_000_000))
const CANDIDATES = Array.from({ length: 400 }, (_, i) => toPeerId(fakePeerId(i)))

/** `count` peers (fixed, from CANDIDATES) whose kad ids share exactly `cpl` leading bits with `self`'s. */
function peersAtCpl(cpl: number, count: number, self: PeerId = SELF): PeerId[] {
  const selfKadId = kadIdOf(self)
  const found = CANDIDATES.filter((p) => commonPrefixLength(selfKadId, kadIdOf(p)) === cpl).slice(0, count)
  if (found.length < count) throw new Error(`only ${found.length} candidates at cpl ${cpl}`)
  return found
}

/** Lets the guard's removals (a promise each) finish. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

function setup() {
  const groups = new Map<string, string>()
  const table = new FakeRoutingTable()
  const logged: Logged[] = []
  const guard = new DhtDiversityGuard({
    table,
    self: SELF,
    groupOf: (peer) => groups.get(peer.toString()),
    log: (msg, fields) => logged.push({ msg, fields }),
  })
  /** `peer` connected from `group` and joins the table. */
  const join = (peer: PeerId, group: string): void => {
    groups.set(peer.toString(), group)
    table.join(peer)
  }
  return { table, logged, guard, join, groups }
}

describe('DhtDiversityGuard', () => {
  it('takes a third peer of one group at one common prefix length out of the table, and logs it', async () => {
    const { table, logged, guard, join } = setup()
    guard.start()
    const [a, b, c, d] = peersAtCpl(0, 4)
    join(a!, 'ip4:9.9')
    join(b!, 'ip4:9.9')
    join(c!, 'ip4:9.9')
    join(d!, 'ip4:8.8')
    await settle()
    expect(table.has(a!) && table.has(b!)).toBe(true)
    expect(table.has(c!)).toBe(false)
    expect(table.size).toBe(3)
    expect(logged).toEqual([
      { msg: 'net: dht table refused a peer', fields: { peer: c!.toString(), group: 'ip4:9.9', why: 'cpl-full' } },
    ])
  })

  it('takes a fourth peer of one group out of the table', async () => {
    const { table, guard, join } = setup()
    guard.start()
    const peers = [0, 1, 2, 3].map((cpl) => peersAtCpl(cpl, 1)[0]!)
    for (const peer of peers) join(peer, 'lab:127.0.2')
    await settle()
    expect(peers.map((p) => table.has(p))).toEqual([true, true, true, false])
  })

  it('takes out a peer whose group it cannot read (no open connection)', async () => {
    const { table, logged, guard } = setup()
    guard.start()
    const [peer] = peersAtCpl(0, 1)
    table.join(peer!)
    await settle()
    expect(table.size).toBe(0)
    expect(logged[0]?.fields).toEqual({ peer: peer!.toString(), group: null, why: 'no-group' })
  })

  it('leaves the local group alone', async () => {
    const { table, guard, join } = setup()
    guard.start()
    for (const peer of peersAtCpl(0, 10)) join(peer, LOCAL_GROUP)
    await settle()
    expect(table.size).toBe(10)
  })

  it("frees a member's place when it leaves the table", async () => {
    const { table, guard, join } = setup()
    guard.start()
    const [a, b, c] = peersAtCpl(1, 3)
    join(a!, 'ip4:9.9')
    join(b!, 'ip4:9.9')
    table.leave(a!)
    join(c!, 'ip4:9.9')
    await settle()
    expect(table.has(c!)).toBe(true)
    expect(table.size).toBe(2)
  })

  it('judges the peers already in the table when it starts', async () => {
    const { table, guard, groups } = setup()
    const peers = peersAtCpl(0, 3)
    for (const peer of peers) {
      groups.set(peer.toString(), 'ip4:9.9')
      table.join(peer)
    }
    guard.start()
    await settle()
    expect(table.size).toBe(2)
  })

  it('stops listening at stop and forgets the members (kad-dht empties its table without events)', async () => {
    const { table, guard, join } = setup()
    guard.start()
    const [a, b, c, d, e] = peersAtCpl(0, 5)
    join(a!, 'ip4:9.9')
    join(b!, 'ip4:9.9')
    guard.stop()
    // a and b fill the group's share at this prefix length, but nobody judges c
    join(c!, 'ip4:9.9')
    await settle()
    expect(table.has(c!)).toBe(true)
    table.members.clear()
    guard.start()
    join(d!, 'ip4:9.9')
    join(e!, 'ip4:9.9')
    await settle()
    expect(table.has(d!) && table.has(e!)).toBe(true)
  })

  it('logs a removal that fails instead of letting it escape', async () => {
    const { table, logged, guard } = setup()
    table.failRemovals = true
    guard.start()
    table.join(peersAtCpl(0, 1)[0]!)
    await settle()
    expect(logged.map((l) => l.msg)).toEqual([
      'net: dht table refused a peer',
      'net: could not remove a peer from the dht table',
    ])
  })

  it("computes kad-dht's kad ids: SHA-256 of the peer id's multihash", () => {
    // the 32-byte digest behind kad-dht's convertPeerId; checked against the real table below
    expect(kadIdOf(SELF)).toHaveLength(32)
    expect(kadIdOf(SELF)).toEqual(kadIdOf(toPeerId(SELF.toString())))
    expect(kadIdOf(SELF)).not.toEqual(kadIdOf(CANDIDATES[0]!))
  })
})

const CHAIN_ID = 'dht-guard-test'
const HOUR_MS = 3_600_000

/**
 * A DHT server on `ip` under `privateKey` that never starts a query, so it
 * never messages the node under test: the node adds it to its table once,
 * when it connects, and never again.
 */
function dhtPeer(privateKey: PrivateKey, ip: string): Promise<Libp2p> {
  return createLibp2p({
    privateKey,
    addresses: { listen: [`/ip4/${ip}/tcp/0`] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      identify: identify(),
      ping: ping(),
      dht: kadDHT({
        protocol: dhtProtocol(CHAIN_ID),
        clientMode: false,
        peerInfoMapper: passthroughMapper,
        initialQuerySelfInterval: HOUR_MS,
        querySelfInterval: HOUR_MS,
      }),
    },
  })
}

/** Fresh keys until `count` of them share exactly `cpl` leading kad-id bits with `self` (each does with odds 2^-(cpl+1)). */
async function keysAtCpl(self: PeerId, cpl: number, count: number): Promise<PrivateKey[]> {
  const keys: PrivateKey[] = []
  while (keys.length < count) {
    const key = await loadOrCreateNodeKey(undefined, noLog)
    if (commonPrefixLength(kadIdOf(self), kadIdOf(peerIdFromPrivateKey(key))) === cpl) keys.push(key)
  }
  return keys
}

describe('DhtDiversityGuard on a real kad-dht routing table', () => {
  const running: Array<Libp2p | Host> = []
  afterEach(async () => {
    await Promise.all(running.splice(0).map((node) => node.stop()))
  })

  it('keeps two of three peers from one lab group at one common prefix length', async () => {
    const options = resolveOptions({
      listen: ['/ip4/127.0.1.1/tcp/0'],
      bootstrap: [],
      chainId: CHAIN_ID,
      lab: true,
      dhtServer: true,
    })
    const host = await createHost(options, await loadOrCreateNodeKey(undefined, noLog), {}, new TrafficCounter(), {
      appScore: () => 0,
      onLanPeer: () => {},
    })
    running.push(host)
    const table = guardableTable(host.services.dht)
    expect(table).toBeDefined()
    const logged: Logged[] = []
    const guard = hostDhtDiversityGuard(host, { lab: true, localCluster: false }, (msg, fields) =>
      logged.push({ msg, fields }),
    )
    await host.start()
    guard?.start()

    const crowd = await Promise.all((await keysAtCpl(host.peerId, 0, 3)).map((key) => dhtPeer(key, '127.0.2.1')))
    const loner = await dhtPeer(await loadOrCreateNodeKey(undefined, noLog), '127.0.3.1')
    running.push(...crowd, loner)
    const everyone = [...crowd, loner].map((node) => node.peerId.toString())

    // every peer has joined the table once and the guard's removal has happened
    const joined = new Set<string>()
    const left: string[] = []
    const settled = new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`joined ${joined.size} of 4, removed ${left.length}`)), 20_000)
      const check = (): void => {
        if (everyone.every((id) => joined.has(id)) && left.length >= 1) {
          clearTimeout(deadline)
          resolve()
        }
      }
      table?.addEventListener('peer:add', (evt) => {
        joined.add(evt.detail.toString())
        check()
      })
      table?.addEventListener('peer:remove', (evt) => {
        left.push(evt.detail.toString())
        check()
      })
    })
    // a failed dial must not leave the deadline's rejection unobserved
    settled.catch(() => {})
    for (const node of [...crowd, loner]) await host.dial(node.getMultiaddrs()[0]!)
    await settled

    const inTable = (peer: PeerId): boolean =>
      table?.closestPeers(kadIdOf(peer), { count: 1 })[0]?.equals(peer) ?? false
    expect(crowd.filter((node) => inTable(node.peerId))).toHaveLength(2)
    expect(inTable(loner.peerId)).toBe(true)
    expect(left).toHaveLength(1)
    expect(crowd.map((node) => node.peerId.toString())).toContain(left[0])
    expect(table?.size).toBe(3)
    expect(logged.filter((l) => l.msg === 'net: dht table refused a peer')).toEqual([
      { msg: 'net: dht table refused a peer', fields: { peer: left[0], group: 'lab:127.0.2', why: 'cpl-full' } },
    ])
  })
})
