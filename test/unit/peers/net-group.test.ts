import { describe, expect, it } from 'vitest'
import { ipOfAddr, isGroupLimited, isRoutable, LOCAL_GROUP, netGroup, parseIp } from '../../../src/peers/net-group.js'
import type { GroupPolicy } from '../../../src/peers/types.js'

const internet: GroupPolicy = { lab: false, localCluster: false }
const lab: GroupPolicy = { lab: true, localCluster: false }

/** A real, tiny AS map: exact /16 prefixes of IPv4 and /32 of IPv6 (the AsMap class has its own tests). */
function tinyAsMap(entries: Record<string, number>): GroupPolicy['asmap'] {
  return {
    lookup(ip: string) {
      const p = parseIp(ip)
      if (p === undefined) return undefined
      const key =
        p.family === 4
          ? `${p.v4 >>> 24}.${(p.v4 >>> 16) & 255}`
          : `${p.hextets[0]?.toString(16)}:${p.hextets[1]?.toString(16)}`
      return entries[key]
    },
  }
}

describe('ipOfAddr', () => {
  it('takes the IP out of multiaddrs and bare IPs', () => {
    expect(ipOfAddr('/ip4/1.2.3.4/tcp/9000')).toBe('1.2.3.4')
    expect(ipOfAddr('/ip4/1.2.3.4/tcp/9000/ws/p2p/12D3KooWabc')).toBe('1.2.3.4')
    expect(ipOfAddr('/ip6/2001:db8::1/tcp/9000')).toBe('2001:db8::1')
    expect(ipOfAddr('/ip6zone/eth0/ip6/fe80::1/tcp/9000')).toBe('fe80::1')
    expect(ipOfAddr('5.6.7.8')).toBe('5.6.7.8')
    expect(ipOfAddr('::1')).toBe('::1')
  })

  it('is undefined for DNS names, bad IPs and non-addresses', () => {
    expect(ipOfAddr('/dns4/example.com/tcp/9000')).toBeUndefined()
    expect(ipOfAddr('/ip4/300.1.1.1/tcp/1')).toBeUndefined()
    expect(ipOfAddr('/ip4/1.2.3.04/tcp/1')).toBeUndefined()
    expect(ipOfAddr('/ip4/1.2.3.4.')).toBeUndefined()
    expect(ipOfAddr('/ip4/')).toBeUndefined()
    expect(ipOfAddr('/ip4/::1/tcp/1')).toBeUndefined()
    expect(ipOfAddr('/ip6/1.2.3.4/tcp/1')).toBeUndefined()
    expect(ipOfAddr('/ip4')).toBeUndefined()
    expect(ipOfAddr('/')).toBeUndefined()
    expect(ipOfAddr('')).toBeUndefined()
    expect(ipOfAddr('example.com')).toBeUndefined()
  })
})

describe('netGroup', () => {
  it('groups IPv4 by /16', () => {
    expect(netGroup('1.2.3.4', internet)).toBe('ip4:1.2')
    expect(netGroup('1.2.255.255', internet)).toBe('ip4:1.2')
    expect(netGroup('1.3.0.1', internet)).not.toBe(netGroup('1.2.0.1', internet))
  })

  it('groups IPv6 by /32, normalised whatever the notation', () => {
    expect(netGroup('2a01:4f8:c17:1::1', internet)).toBe('ip6:2a01:04f8')
    expect(netGroup('2A01:04F8:0c17:0001:0000:0000:0000:0001', internet)).toBe('ip6:2a01:04f8')
    expect(netGroup('2a01:4f8::', internet)).toBe('ip6:2a01:04f8')
    expect(netGroup('2a01:4f9::1', internet)).toBe('ip6:2a01:04f9')
    expect(netGroup('2604::1', internet)).toBe('ip6:2604:0000')
    expect(netGroup('2a01:4f8::1%eth0', internet)).toBe('ip6:2a01:04f8')
  })

  it('groups an IPv6 address that carries an IPv4 one as that IPv4', () => {
    expect(netGroup('::ffff:1.2.3.4', internet)).toBe('ip4:1.2')
    expect(netGroup('::ffff:102:304', internet)).toBe('ip4:1.2')
    expect(netGroup('64:ff9b::1.2.3.4', internet)).toBe('ip4:1.2')
    expect(netGroup('2002:0102:0304::1', internet)).toBe('ip4:1.2') // 6to4
    // Teredo: the client IPv4 bit-inverted in the last 32 bits (1.2.3.4 → fefd:fcfb)
    expect(netGroup('2001:0:4136:e378:8000:63bf:fefd:fcfb', internet)).toBe('ip4:1.2')
    expect(netGroup('::ffff:10.0.0.1', internet)).toBe(LOCAL_GROUP)
  })

  it('puts every non-routable address in `local`, and non-IPs too', () => {
    for (const ip of ['127.0.0.1', '10.1.2.3', '192.168.1.1', '::1', '::', 'fe80::1', 'fd00::1', 'not-an-ip']) {
      expect(netGroup(ip, internet), ip).toBe(LOCAL_GROUP)
    }
  })

  it('in lab mode groups 127.A.B.C by 127.A.B', () => {
    expect(netGroup('127.0.5.1', lab)).toBe('lab:127.0.5')
    expect(netGroup('127.0.5.200', lab)).toBe('lab:127.0.5')
    expect(netGroup('127.1.5.1', lab)).toBe('lab:127.1.5')
    expect(netGroup('::ffff:127.0.5.1', lab)).toBe('lab:127.0.5')
    expect(netGroup('127.0.5.1', internet)).toBe(LOCAL_GROUP)
    // other private ranges stay local in lab mode
    expect(netGroup('10.0.0.1', lab)).toBe(LOCAL_GROUP)
    expect(netGroup('8.8.8.8', lab)).toBe('ip4:8.8')
  })

  it('uses the AS number as the group when the AS map knows the address', () => {
    const asmap = tinyAsMap({ '1.2': 13335, '5.6': 13335, '2a01:4f8': 24940 })
    const policy: GroupPolicy = { lab: false, localCluster: false, asmap }
    expect(netGroup('1.2.3.4', policy)).toBe('as:13335')
    expect(netGroup('5.6.7.8', policy)).toBe('as:13335')
    expect(netGroup('::ffff:5.6.7.8', policy)).toBe('as:13335')
    expect(netGroup('2a01:4f8::1', policy)).toBe('as:24940')
    // not in the map: the prefix group
    expect(netGroup('9.9.9.9', policy)).toBe('ip4:9.9')
    // non-routable addresses never reach the map
    const everything = { lookup: () => 1 }
    expect(netGroup('10.0.0.1', { lab: false, localCluster: false, asmap: everything })).toBe(LOCAL_GROUP)
    expect(netGroup('127.0.3.1', { lab: true, localCluster: false, asmap: everything })).toBe('lab:127.0.3')
  })
})

describe('isRoutable', () => {
  it('refuses loopback, private, CGNAT, link-local, unspecified, multicast and documentation IPv4', () => {
    const refused = [
      '0.0.0.0',
      '0.1.2.3',
      '127.0.0.1',
      '127.200.1.1',
      '10.0.0.1',
      '10.255.255.255',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.0.1',
      '100.64.0.1',
      '100.127.255.255',
      '169.254.1.1',
      '192.0.2.1',
      '198.51.100.7',
      '203.0.113.9',
      '198.18.0.1',
      '224.0.0.1',
      '239.1.1.1',
      '240.0.0.1',
      '255.255.255.255',
    ]
    for (const ip of refused) expect(isRoutable(ip, internet), ip).toBe(false)
  })

  it('accepts public IPv4 just beside the refused ranges', () => {
    const accepted = ['1.1.1.1', '9.255.255.255', '11.0.0.0', '172.15.255.255', '172.32.0.0', '100.63.255.255']
    for (const ip of [...accepted, '100.128.0.0', '169.253.1.1', '192.167.1.1', '223.255.255.255']) {
      expect(isRoutable(ip, internet), ip).toBe(true)
    }
  })

  it('refuses loopback, unspecified, ULA, link-local, multicast and documentation IPv6', () => {
    const refused = ['::', '::1', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'febf::1', 'ff02::1', '2001:db8::1', '100::1']
    for (const ip of refused) expect(isRoutable(ip, internet), ip).toBe(false)
    for (const ip of ['2a01:4f8::1', '2600::1', 'fbff::1', '2001:db9::1']) {
      expect(isRoutable(ip, internet), ip).toBe(true)
    }
  })

  it('judges IPv4-mapped IPv6 as its IPv4', () => {
    expect(isRoutable('::ffff:1.2.3.4', internet)).toBe(true)
    expect(isRoutable('::ffff:192.168.1.1', internet)).toBe(false)
    expect(isRoutable('::ffff:127.0.0.1', internet)).toBe(false)
    expect(isRoutable('::ffff:127.0.0.1', lab)).toBe(true)
  })

  it('opens 127/8 in lab mode and nothing else', () => {
    expect(isRoutable('127.0.0.1', lab)).toBe(true)
    expect(isRoutable('127.9.8.7', lab)).toBe(true)
    expect(isRoutable('10.0.0.1', lab)).toBe(false)
    expect(isRoutable('::1', lab)).toBe(false)
    // localCluster lets the address manager learn local addresses; it does not make them routable
    expect(isRoutable('127.0.0.1', { lab: false, localCluster: true })).toBe(false)
  })

  it('refuses what is not an IP', () => {
    for (const text of [
      '',
      'example.com',
      '1.2.3',
      '1.2.3.4.5',
      '::g',
      '/ip4/1.2.3.4',
      '01.2.3.4',
      '1.2.3.256',
      '1..2.3',
    ]) {
      expect(isRoutable(text, internet), text).toBe(false)
    }
  })
})

describe('isGroupLimited', () => {
  it('limits every group but local', () => {
    expect(isGroupLimited(LOCAL_GROUP)).toBe(false)
    expect(isGroupLimited('ip4:1.2')).toBe(true)
    expect(isGroupLimited('ip6:2a01:04f8')).toBe(true)
    expect(isGroupLimited('lab:127.0.5')).toBe(true)
    expect(isGroupLimited('as:13335')).toBe(true)
  })
})

describe('parseIp', () => {
  it('expands compressed IPv6 and reads IPv4', () => {
    expect(parseIp('1::')).toEqual({ family: 6, hextets: [1, 0, 0, 0, 0, 0, 0, 0] })
    expect(parseIp('::2')).toEqual({ family: 6, hextets: [0, 0, 0, 0, 0, 0, 0, 2] })
    expect(parseIp('1:2:3:4:5:6:7:8')).toEqual({ family: 6, hextets: [1, 2, 3, 4, 5, 6, 7, 8] })
    expect(parseIp('1.2.3.4')).toEqual({ family: 4, v4: 0x01020304 })
    expect(parseIp('255.255.255.255')).toEqual({ family: 4, v4: 0xffffffff })
    expect(parseIp('1::2::3')).toBeUndefined()
  })
})
