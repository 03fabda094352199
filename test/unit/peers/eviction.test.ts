import { describe, expect, it } from 'vitest'
import { type EvictionCandidate, keyedGroupHash, selectPeerToEvict } from '../../../src/peers/eviction.js'

const key = new Uint8Array(32).fill(7)

/** Group names ordered by this key's hash, highest (most favoured) first. */
function groupsByHash(k: Uint8Array, n = 40): string[] {
  const groups = Array.from({ length: n }, (_, i) => `ip4:10.${i}`)
  return groups.sort((a, b) => (keyedGroupHash(a, k) < keyedGroupHash(b, k) ? 1 : -1))
}

const ranked = groupsByHash(key)
/** The 4 groups the key favours: one peer each soaks up the group protection. */
const favoured = ranked.slice(0, 4)
const [groupA, groupB, groupX] = ranked.slice(10, 13) as [string, string, string]

function peer(
  id: string,
  group: string,
  connectedAtMs: number,
  extra: Partial<EvictionCandidate> = {},
): EvictionCandidate {
  return { id, group, connectedAtMs, ...extra }
}

const decoys = (): EvictionCandidate[] => favoured.map((g, i) => peer(`decoy${i}`, g, 1_000 + i))

describe('selectPeerToEvict', () => {
  it('returns undefined when there is no one or everyone is protected', () => {
    expect(selectPeerToEvict([], key)).toBeUndefined()
    expect(selectPeerToEvict([peer('a', groupA, 1)], key)).toBeUndefined()
    expect(selectPeerToEvict(decoys(), key)).toBeUndefined()
    // 4 by group, 8 by ping, 4 by tx, 4 by block: 20 peers, all protected
    const all = [
      ...decoys(),
      ...Array.from({ length: 8 }, (_, i) => peer(`p${i}`, groupX, 10 + i, { minPingMs: 5 })),
      ...Array.from({ length: 4 }, (_, i) => peer(`t${i}`, groupX, 30 + i, { lastTxMs: 100 })),
      ...Array.from({ length: 4 }, (_, i) => peer(`b${i}`, groupX, 40 + i, { lastBlockMs: 100 })),
    ]
    expect(selectPeerToEvict(all, key)).toBeUndefined()
    // one more unprotected peer is the one to go
    expect(selectPeerToEvict([...all, peer('late', groupX, 99)], key)).toBe('late')
  })

  it('protects peers of the groups the key favours, whatever their age', () => {
    // five lone peers: without the group rule the youngest would go; it sits in the most favoured group
    const lone = ranked.slice(0, 5).map((g, i) => peer(`g${i}`, g, 100 - i))
    expect(selectPeerToEvict(lone, key)).toBe('g4')
  })

  it('is a pure function of the candidates and the key, and the key changes the choice', () => {
    const lone = Array.from({ length: 10 }, (_, i) => peer(`g${i}`, `ip4:20.${i}`, 50))
    const first = selectPeerToEvict(lone, key)
    expect(selectPeerToEvict([...lone].reverse(), key)).toBe(first)
    expect(selectPeerToEvict(lone, new Uint8Array(32).fill(7))).toBe(first)
    const chosen = new Set<string | undefined>()
    for (let k = 0; k < 20; k++) chosen.add(selectPeerToEvict(lone, new Uint8Array(32).fill(k)))
    expect(chosen.size).toBeGreaterThan(2)
  })

  it('protects the peer with the best ping even as the youngest of a crowded group', () => {
    const crowd = Array.from({ length: 10 }, (_, i) => peer(`a${i}`, groupA, 10 + i, { minPingMs: 200 }))
    const fast = peer('fast', groupA, 100, { minPingMs: 5 })
    const victim = selectPeerToEvict([...decoys(), ...crowd, fast], key)
    expect(victim).toBeDefined()
    expect(victim).not.toBe('fast')
  })

  it('protects the peers that last sent useful txs, and those that last sent useful blocks', () => {
    const crowd = Array.from({ length: 10 }, (_, i) => peer(`a${i}`, groupA, 10 + i))
    const txPeer = peer('tx', groupA, 100, { lastTxMs: 500 })
    expect(selectPeerToEvict([...decoys(), ...crowd, txPeer], key)).not.toBe('tx')
    const blockPeer = peer('block', groupA, 100, { lastBlockMs: 500 })
    expect(selectPeerToEvict([...decoys(), ...crowd, blockPeer], key)).not.toBe('block')
    // an older tx loses to 4 newer ones
    const txCrowd = Array.from({ length: 4 }, (_, i) => peer(`t${i}`, groupA, 10 + i, { lastTxMs: 900 }))
    expect(selectPeerToEvict([...decoys(), ...txCrowd, peer('old-tx', groupA, 100, { lastTxMs: 500 })], key)).toBe(
      'old-tx',
    )
  })

  it('protects the longest-connected half of the rest', () => {
    // a is old, h a little younger in the same group, b young alone: by group size h would go
    const cands = [...decoys(), peer('a', groupA, 1), peer('h', groupA, 5), peer('b', groupB, 10)]
    expect(selectPeerToEvict(cands, key)).toBe('b')
  })

  it('evicts the youngest of the group with the most connections, not the youngest overall', () => {
    const flood = Array.from({ length: 6 }, (_, i) => peer(`x${i}`, groupX, 200 + i))
    const honest = [peer('h1', groupA, 300), peer('h2', groupB, 301)]
    expect(selectPeerToEvict([...decoys(), ...flood, ...honest], key)).toBe('x5')
  })

  it('between groups of equal size, the one holding the youngest connection loses it', () => {
    const cands = [
      ...decoys(),
      ...Array.from({ length: 4 }, (_, i) => peer(`old${i}`, groupB, i)),
      peer('a1', groupA, 50),
      peer('a2', groupA, 60),
      peer('x1', groupX, 55),
      peer('x2', groupX, 58),
    ]
    // left after uptime: a1, a2, x1, x2 (4 of 8 oldest kept) → A and X both 2; A holds the youngest (60)
    expect(selectPeerToEvict(cands, key)).toBe('a2')
  })

  it('a flood from one group never evicts honest peers of other groups', () => {
    let table: EvictionCandidate[] = Array.from({ length: 16 }, (_, i) =>
      peer(`honest${i}`, `ip4:30.${i}`, i, { minPingMs: 50 + i }),
    )
    for (let n = 0; n < 500; n++) {
      table.push(peer(`attacker${n}`, groupX, 1_000 + n, { minPingMs: 1 }))
      if (table.length > 32) {
        const victim = selectPeerToEvict(table, key)
        expect(victim).toMatch(/^attacker/)
        table = table.filter((c) => c.id !== victim)
      }
    }
    expect(table.filter((c) => c.id.startsWith('honest'))).toHaveLength(16)
  })
})
