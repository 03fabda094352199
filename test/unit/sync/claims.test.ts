/** Claimed work counts only once headers prove it: a peer whose headers stop short of its claim is charged and refuted. */
import { beforeAll, describe, expect, it } from 'vitest'
import type { Block } from '../../../src/ledger/block.js'
import { SimScheduler } from '../../../src/sim/scheduler.js'
import { DEFAULT_PENALTIES } from '../../../src/sync/limits.js'
import { Synchronizer } from '../../../src/sync/synchronizer.js'
import type { SyncFns } from '../../../src/sync/types.js'
import { ManualClock } from '../../../src/util/clock.js'
import { openTestChain, type TestChain } from '../../helpers/chain.js'
import { copyChain, drive, fakeFns, sourceChain } from './helpers.js'

let source: TestChain
let blocks: Block[]

beforeAll(async () => {
  ;({ source, blocks } = await sourceChain(40))
})

describe('claimed work', () => {
  it('a peer claiming more work than its headers show is charged, refuted, and sync goes on with an honest peer', async () => {
    const s = new SimScheduler({ seed: 3, startMs: 0 })
    const local = await openTestChain({ clock: new ManualClock(source.clock.nowMs()) })
    // The liar holds only the first 10 blocks but claims far more work than the honest peer.
    const liarChain = await copyChain(source, blocks, 10)
    const base = fakeFns(
      local,
      [
        { id: 'liar', chain: liarChain, latencyMs: () => 1 },
        { id: 'honest', chain: source, latencyMs: () => 1 },
      ],
      s,
    )
    const refuted: string[] = []
    const fns: SyncFns = {
      ...base,
      peerHead: (peer) =>
        peer === 'liar' && !refuted.includes(peer) ? { height: 1_000_000, totalWork: 1n << 200n } : base.peerHead(peer),
      refuteClaim: (peer) => refuted.push(peer),
    }
    const sync = new Synchronizer(fns, { clock: s, timers: s, rng: s.rng })
    await drive(s, sync.sync('liar'))
    expect(local.chain.head.height).toBe(40)
    expect(refuted).toEqual(['liar'])
    const charges = base.reports.filter((r) => r.peer === 'liar')
    expect(charges).toEqual([
      { peer: 'liar', penalty: DEFAULT_PENALTIES.claimRefuted, reason: expect.stringContaining('claimed work') },
    ])
    expect(base.reports.filter((r) => r.peer === 'honest')).toEqual([])
  })

  it('a peer with nothing past our head but no claim above our work is not charged', async () => {
    const s = new SimScheduler({ seed: 4, startMs: 0 })
    const local = await copyChain(source, blocks, 40)
    const fns = fakeFns(local, [{ id: 'level', chain: source, latencyMs: () => 1 }], s)
    const refuted: string[] = []
    const sync = new Synchronizer({ ...fns, refuteClaim: (p) => refuted.push(p) }, { clock: s, timers: s, rng: s.rng })
    await drive(s, sync.sync('level'))
    expect(fns.reports).toEqual([])
    expect(refuted).toEqual([])
  })
})
