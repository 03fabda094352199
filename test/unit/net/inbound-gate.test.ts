import { describe, expect, it } from 'vitest'
import { type InboundConnection, InboundGate } from '../../../src/net/inbound-gate.js'
import { netGroup } from '../../../src/peers/net-group.js'
import type { GroupPolicy } from '../../../src/peers/types.js'
import { manualClock } from './helpers.js'

const PUBLIC: GroupPolicy = { lab: false, localCluster: false }

function setup(options: { inboundMax?: number; perIpMax?: number; perGroupMax?: number; policy?: GroupPolicy } = {}) {
  const policy = options.policy ?? PUBLIC
  const clock = manualClock()
  const open: InboundConnection[] = []
  const evicted: string[] = []
  const gate = new InboundGate({
    limits: {
      inboundMax: options.inboundMax ?? 32,
      perIpMax: options.perIpMax ?? 4,
      perGroupMax: options.perGroupMax ?? 8,
    },
    policy,
    groupOf: (ip) => netGroup(ip, policy),
    inbound: () => [...open],
    evict: (peer) => evicted.push(peer),
    key: new Uint8Array(32).fill(7),
    nowMs: clock.nowMs,
    reservationMs: 10_000,
  })
  let n = 0
  /** Admits and, when admitted, opens a connection from `ip`. */
  const connect = (ip: string, extra: Partial<InboundConnection> = {}): string | undefined => {
    if (!gate.admit(ip)) return undefined
    const peer = extra.peer ?? `p${n++}`
    gate.opened(ip)
    open.push({ peer, ip, group: netGroup(ip, policy), connectedAtMs: clock.nowMs(), ...extra })
    clock.advance(1_000)
    return peer
  }
  const close = (peer: string): void => {
    open.splice(
      open.findIndex((c) => c.peer === peer),
      1,
    )
    gate.closed(peer)
  }
  return { gate, clock, open, evicted, connect, close }
}

describe('inbound gate', () => {
  it('refuses a fifth connection from one IP and a ninth from one /16', () => {
    const { connect } = setup()
    for (let i = 0; i < 4; i++) expect(connect('44.7.1.9')).toBeDefined()
    expect(connect('44.7.1.9')).toBeUndefined()
    for (let i = 0; i < 4; i++) expect(connect(`44.7.2.${i}`)).toBeDefined()
    expect(connect('44.7.200.1')).toBeUndefined()
    expect(connect('51.8.0.1')).toBeDefined()
  })

  it('counts connections still in their handshake, until they open or their reservation expires', () => {
    const { gate, clock } = setup()
    for (let i = 0; i < 4; i++) expect(gate.admit('44.7.1.9')).toBeDefined()
    // sixteen handshakes at once from one IP see the four before them
    expect(gate.admit('44.7.1.9')).toBeUndefined()
    expect(gate.pending).toBe(4)
    clock.advance(10_001)
    expect(gate.admit('44.7.1.9')).toBeDefined()
    expect(gate.pending).toBe(1)
  })

  it('frees the slot of a handshake that fails or is refused at once, not at the timeout', () => {
    // a local cluster: only the total counts, as on a devnet where every peer is 127.0.0.1
    const { gate, connect } = setup({ inboundMax: 4, policy: { lab: false, localCluster: true } })
    expect(connect('127.0.0.1')).toBeDefined()
    // a refused peer redialing: each attempt is admitted, then its raw connection closes
    for (let attempt = 0; attempt < 50; attempt++) {
      const admission = gate.admit('127.0.0.1')
      expect(admission, `attempt ${attempt}`).toBeDefined()
      admission?.release()
      admission?.release()
    }
    expect(gate.pending).toBe(0)
    // an honest newcomer still gets in
    expect(connect('127.0.0.1')).toBeDefined()
  })

  it('when every slot is taken, evicts the youngest peer of the biggest group and admits the newcomer', () => {
    const { connect, evicted, close } = setup({ inboundMax: 12 })
    const honest = [1, 2, 3, 4, 5, 6].map((g) => connect(`198.${g}.0.1`) as string)
    const flood = [1, 2, 3, 4, 5, 6].map((i) => connect(`44.7.1.${i}`, {}) ?? connect(`44.7.2.${i}`))
    expect(flood.every((p) => p !== undefined)).toBe(true)
    expect(connect('61.9.0.200')).toBeDefined()
    expect(evicted).toHaveLength(1)
    expect(honest).not.toContain(evicted[0])
    expect(flood).toContain(evicted[0])
    // the peer on its way out no longer counts: the next newcomer evicts another one
    expect(connect('62.9.0.200')).toBeDefined()
    expect(evicted).toHaveLength(2)
    expect(evicted[1]).not.toBe(evicted[0])
    close(evicted[0] as string)
  })

  it('weighs ping, useful txs and blocks: the useful peers of a flooded group are not evicted', () => {
    const { connect, evicted } = setup({ inboundMax: 10, perGroupMax: 10, perIpMax: 10 })
    const peers: string[] = []
    for (let i = 0; i < 7; i++) peers.push(connect(`44.7.1.${i}`) as string)
    // the three youngest did something useful: without that data, they would be the ones to go
    peers.push(connect('44.7.1.97', { lastBlockMs: 5 }) as string)
    peers.push(connect('44.7.1.98', { lastTxMs: 5 }) as string)
    peers.push(connect('44.7.1.99', { minPingMs: 1 }) as string)
    for (const newcomer of ['51.8.0.1', '51.9.0.1', '51.10.0.1']) expect(connect(newcomer)).toBeDefined()
    expect(evicted).toHaveLength(3)
    for (const useful of peers.slice(7)) expect(evicted).not.toContain(useful)
  })

  it('refuses the newcomer when everyone present is protected', () => {
    const { connect, evicted } = setup({ inboundMax: 3 })
    for (const ip of ['198.1.0.1', '198.2.0.1', '198.3.0.1']) expect(connect(ip)).toBeDefined()
    // three peers of three groups: all protected by their keyed group hash
    expect(connect('198.4.0.1')).toBeUndefined()
    expect(evicted).toEqual([])
  })

  it('exempts a local cluster from the per-IP and group caps, but not the lab', () => {
    const cluster = setup({ policy: { lab: false, localCluster: true } })
    for (let i = 0; i < 10; i++) expect(cluster.connect('127.0.0.1')).toBeDefined()
    const lab = setup({ policy: { lab: true, localCluster: true } })
    for (let i = 0; i < 4; i++) expect(lab.connect('127.0.5.1')).toBeDefined()
    expect(lab.connect('127.0.5.1')).toBeUndefined()
    for (let i = 2; i < 6; i++) expect(lab.connect(`127.0.5.${i}`)).toBeDefined()
    expect(lab.connect('127.0.5.9')).toBeUndefined()
    expect(lab.connect('127.0.6.1')).toBeDefined()
  })
})
