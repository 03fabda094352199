import { describe, expect, it } from 'vitest'
import { INBOUND_DEFAULTS, type InboundPeer, inboundVerdict } from '../../../src/peers/inbound-limits.js'
import type { GroupPolicy } from '../../../src/peers/types.js'

const internet: GroupPolicy = { lab: false, localCluster: false }
const cluster: GroupPolicy = { lab: false, localCluster: true }
const lab: GroupPolicy = { lab: true, localCluster: true }

const from = (ip: string, group: string, n: number): InboundPeer[] => Array.from({ length: n }, () => ({ ip, group }))
const spread = (n: number): InboundPeer[] =>
  Array.from({ length: n }, (_, i) => ({ ip: `9.${i}.0.1`, group: `ip4:9.${i}` }))

describe('inboundVerdict', () => {
  it('defaults to 32 inbound, 4 per IP, 8 per group', () => {
    expect(INBOUND_DEFAULTS).toEqual({ inboundMax: 32, perIpMax: 4, perGroupMax: 8 })
  })

  it('accepts while under every cap', () => {
    expect(inboundVerdict([], { ip: '1.2.3.4', group: 'ip4:1.2' }, INBOUND_DEFAULTS, internet)).toBe('accept')
    expect(inboundVerdict(spread(31), { ip: '1.2.3.4', group: 'ip4:1.2' }, INBOUND_DEFAULTS, internet)).toBe('accept')
  })

  it('refuses a fifth connection from one IP', () => {
    const current = [...spread(3), ...from('1.2.3.4', 'ip4:1.2', 4)]
    expect(inboundVerdict(current, { ip: '1.2.3.4', group: 'ip4:1.2' }, INBOUND_DEFAULTS, internet)).toBe('refuse')
    expect(inboundVerdict(current, { ip: '1.2.3.5', group: 'ip4:1.2' }, INBOUND_DEFAULTS, internet)).toBe('accept')
  })

  it('refuses a ninth connection from one group, whatever the IPs', () => {
    const current = Array.from({ length: 8 }, (_, i) => ({ ip: `1.2.3.${i}`, group: 'ip4:1.2' }))
    expect(inboundVerdict(current, { ip: '1.2.9.9', group: 'ip4:1.2' }, INBOUND_DEFAULTS, internet)).toBe('refuse')
    expect(inboundVerdict(current, { ip: '1.3.9.9', group: 'ip4:1.3' }, INBOUND_DEFAULTS, internet)).toBe('accept')
  })

  it('asks for an eviction when only the total is full, and refuses over a cap even then', () => {
    const full = spread(32)
    expect(inboundVerdict(full, { ip: '1.2.3.4', group: 'ip4:1.2' }, INBOUND_DEFAULTS, internet)).toBe(
      'evict-then-accept',
    )
    const fullOfOneIp = [...spread(28), ...from('1.2.3.4', 'ip4:1.2', 4)]
    expect(inboundVerdict(fullOfOneIp, { ip: '1.2.3.4', group: 'ip4:1.2' }, INBOUND_DEFAULTS, internet)).toBe('refuse')
  })

  it('follows the limits it is given', () => {
    const limits = { inboundMax: 3, perIpMax: 1, perGroupMax: 2 }
    expect(inboundVerdict(from('1.2.3.4', 'ip4:1.2', 1), { ip: '1.2.3.4', group: 'ip4:1.2' }, limits, internet)).toBe(
      'refuse',
    )
    expect(inboundVerdict(spread(3), { ip: '1.2.3.4', group: 'ip4:1.2' }, limits, internet)).toBe('evict-then-accept')
  })

  it('exempts local peers of a local cluster from the IP and group caps, but not in lab mode or on the internet', () => {
    const locals = from('127.0.0.1', 'local', 10)
    const newcomer = { ip: '127.0.0.1', group: 'local' }
    expect(inboundVerdict(locals, newcomer, INBOUND_DEFAULTS, cluster)).toBe('accept')
    expect(inboundVerdict(locals, newcomer, INBOUND_DEFAULTS, internet)).toBe('refuse')
    expect(inboundVerdict(locals, newcomer, INBOUND_DEFAULTS, lab)).toBe('refuse')
    // the total still holds
    expect(inboundVerdict(from('127.0.0.1', 'local', 32), newcomer, INBOUND_DEFAULTS, cluster)).toBe(
      'evict-then-accept',
    )
    // routable peers of a local cluster are capped as usual
    const labGroup = Array.from({ length: 8 }, (_, i) => ({ ip: `127.0.1.${i}`, group: 'lab:127.0.1' }))
    expect(inboundVerdict(labGroup, { ip: '127.0.1.99', group: 'lab:127.0.1' }, INBOUND_DEFAULTS, lab)).toBe('refuse')
  })
})
