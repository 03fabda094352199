import { describe, expect, it } from 'vitest'
import {
  commonPrefixLength,
  DHT_GROUP_PER_CPL_MAX,
  DHT_GROUP_PER_TABLE_MAX,
  DhtDiversity,
} from '../../../src/peers/dht-diversity.js'
import { LOCAL_GROUP, netGroup } from '../../../src/peers/net-group.js'
import type { GroupPolicy } from '../../../src/peers/types.js'

const internet: GroupPolicy = { lab: false, localCluster: false }
const lab: GroupPolicy = { lab: true, localCluster: false }

/** Our kad id in these tests: all zeros, so a peer's common prefix length is the index of its first set bit. */
const SELF = new Uint8Array(32)

/** A kad id sharing exactly `cpl` leading bits with SELF; `tag` (in the last byte) tells ids of one cpl apart. */
function kadId(cpl: number, tag = 0): Uint8Array {
  const id = new Uint8Array(32)
  id[cpl >> 3] = 0x80 >> (cpl & 7)
  id[31] = (id[31] ?? 0) | tag
  return id
}

const G = 'ip4:9.9'

describe('commonPrefixLength', () => {
  it('counts the leading bits two ids share', () => {
    expect(commonPrefixLength(SELF, kadId(0))).toBe(0)
    expect(commonPrefixLength(SELF, kadId(7))).toBe(7)
    expect(commonPrefixLength(SELF, kadId(8))).toBe(8)
    expect(commonPrefixLength(SELF, kadId(9))).toBe(9)
    expect(commonPrefixLength(SELF, kadId(200, 3))).toBe(200)
    expect(commonPrefixLength(Uint8Array.of(0xab, 0xcd), Uint8Array.of(0xab, 0xc9))).toBe(13)
  })

  it('is the whole length for equal ids, and the shorter length when one is a prefix of the other', () => {
    expect(commonPrefixLength(SELF, new Uint8Array(32))).toBe(256)
    expect(commonPrefixLength(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 3))).toBe(16)
  })
})

describe('DhtDiversity', () => {
  it('uses go-libp2p-kad-dht limits: 2 per common prefix length, 3 per table', () => {
    expect(DHT_GROUP_PER_CPL_MAX).toBe(2)
    expect(DHT_GROUP_PER_TABLE_MAX).toBe(3)
  })

  it('refuses a third peer of one group at one common prefix length, while the table has room for the group', () => {
    const table = new DhtDiversity(SELF)
    expect(table.admit('a', kadId(0, 1), G)).toEqual({ admitted: true })
    expect(table.admit('b', kadId(0, 2), G)).toEqual({ admitted: true })
    expect(table.admit('c', kadId(0, 3), G)).toEqual({ admitted: false, why: 'cpl-full' })
    // the same group at another prefix length, and another group at this one, still fit
    expect(table.admit('d', kadId(1, 1), G)).toEqual({ admitted: true })
    expect(table.admit('e', kadId(0, 4), 'ip4:8.8')).toEqual({ admitted: true })
  })

  it('refuses a fourth peer of one group in the table, each at its own common prefix length', () => {
    const table = new DhtDiversity(SELF)
    for (const [i, cpl] of [0, 5, 17].entries()) expect(table.admit(`p${i}`, kadId(cpl), G).admitted).toBe(true)
    expect(table.admit('p3', kadId(40), G)).toEqual({ admitted: false, why: 'table-full' })
    expect(table.admit('q', kadId(40), 'ip6:2001:0db9')).toEqual({ admitted: true })
  })

  it('never limits the local group: a devnet on 127.0.0.1 fills the table', () => {
    const table = new DhtDiversity(SELF)
    const group = netGroup('127.0.0.1', internet)
    expect(group).toBe(LOCAL_GROUP)
    for (let i = 0; i < 20; i++) expect(table.admit(`local-${i}`, kadId(0, i), group).admitted).toBe(true)
    expect(table.size).toBe(20)
  })

  it('limits lab groups (127.A.B in lab mode) like internet ones', () => {
    const table = new DhtDiversity(SELF)
    const group = netGroup('127.0.2.1', lab)
    expect(group).toBe('lab:127.0.2')
    expect(table.admit('a', kadId(3, 1), netGroup('127.0.2.1', lab)).admitted).toBe(true)
    expect(table.admit('b', kadId(3, 2), netGroup('127.0.2.7', lab)).admitted).toBe(true)
    expect(table.admit('c', kadId(3, 3), netGroup('127.0.2.9', lab))).toEqual({ admitted: false, why: 'cpl-full' })
    expect(table.admit('d', kadId(3, 4), netGroup('127.0.3.1', lab)).admitted).toBe(true)
  })

  it('refuses a peer whose group is unknown', () => {
    const table = new DhtDiversity(SELF)
    expect(table.admit('a', kadId(0), undefined)).toEqual({ admitted: false, why: 'no-group' })
    expect(table.has('a')).toBe(false)
  })

  it('frees a place when a member leaves, per prefix length and per table', () => {
    const table = new DhtDiversity(SELF)
    table.admit('a', kadId(0, 1), G)
    table.admit('b', kadId(0, 2), G)
    table.admit('c', kadId(9), G)
    expect(table.admit('x', kadId(0, 3), G).admitted).toBe(false)
    expect(table.admit('y', kadId(12), G).admitted).toBe(false)
    table.remove('a')
    expect(table.admit('x', kadId(0, 3), G).admitted).toBe(true)
    expect(table.admit('y', kadId(12), G).admitted).toBe(false)
    table.remove('c')
    expect(table.admit('y', kadId(12), G).admitted).toBe(true)
  })

  it('judges a member that joins again without counting its old place', () => {
    const table = new DhtDiversity(SELF)
    table.admit('a', kadId(0, 1), G)
    table.admit('b', kadId(0, 2), G)
    expect(table.admit('a', kadId(0, 1), G).admitted).toBe(true)
    // now from another group: its place in G is freed
    expect(table.admit('a', kadId(0, 1), 'ip4:7.7').admitted).toBe(true)
    expect(table.admit('c', kadId(0, 3), G).admitted).toBe(true)
    expect(table.size).toBe(3)
  })

  it('remembers only admitted peers: refusals and unknown removals leave nothing behind', () => {
    const table = new DhtDiversity(SELF)
    table.admit('a', kadId(0, 1), G)
    table.admit('b', kadId(0, 2), G)
    table.admit('c', kadId(1), G)
    for (let i = 0; i < 1_000; i++) {
      expect(table.admit(`flood-${i}`, kadId(i % 2, i & 0x7f), G).admitted).toBe(false)
      expect(table.admit(`nogroup-${i}`, kadId(5), undefined).admitted).toBe(false)
      table.remove(`never-${i}`)
    }
    expect(table.size).toBe(3)
  })

  it('forgets everyone on clear (the DHT stopped and emptied its table)', () => {
    const table = new DhtDiversity(SELF)
    table.admit('a', kadId(0, 1), G)
    table.admit('b', kadId(0, 2), G)
    table.clear()
    expect(table.size).toBe(0)
    expect(table.admit('c', kadId(0, 3), G).admitted).toBe(true)
  })
})
