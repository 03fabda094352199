/** A gossiped orphan's sender: charged every 10th block in a row that does not connect; a sync from it at most once per interval. */
import { describe, expect, it } from 'vitest'
import { OrphanPool } from '../../../src/chain/orphans.js'
import { UNKNOWN_PARENT_LIMITS, UnknownParentPolicy } from '../../../src/sync/unknown-parent.js'
import { ManualClock } from '../../../src/util/clock.js'

function setup() {
  const clock = new ManualClock(0)
  const pool = new OrphanPool()
  const charges: Array<{ peer: string; penalty: number }> = []
  const syncs: string[] = []
  const state = { syncing: false }
  const policy = new UnknownParentPolicy({
    attribute: (id, peer, counted) => pool.attribute(id, peer, counted),
    resetRun: (peer) => pool.connected(peer),
    reportPeer: (peer, penalty) => charges.push({ peer, penalty }),
    startSync: (peer) => syncs.push(peer),
    syncing: () => state.syncing,
    clock,
  })
  return { clock, pool, policy, charges, syncs, state }
}

describe('UnknownParentPolicy', () => {
  it('charges a peer on its 10th block in a row that does not connect, and again on the 20th', () => {
    const { policy, pool, charges } = setup()
    for (let i = 1; i <= 9; i++) policy.onUnknownParent('p', `id${i}`)
    expect(charges).toEqual([])
    policy.onUnknownParent('p', 'id10')
    expect(charges).toEqual([{ peer: 'p', penalty: UNKNOWN_PARENT_LIMITS.penalty }])
    for (let i = 11; i <= 20; i++) policy.onUnknownParent('p', `id${i}`)
    expect(charges.length).toBe(2)
    // A block of its that connects ends the run.
    for (let i = 21; i <= 29; i++) policy.onUnknownParent('p', `id${i}`)
    pool.connected('p')
    for (let i = 30; i <= 38; i++) policy.onUnknownParent('p', `id${i}`)
    expect(charges.length).toBe(2)
  })

  it('starts a sync from a peer at most syncBurst times, then once per interval; other peers are not held back', () => {
    const { policy, clock, syncs } = setup()
    const { syncBurst, syncIntervalMs } = UNKNOWN_PARENT_LIMITS
    for (let i = 0; i < 50; i++) policy.onUnknownParent('p', `x${i}`)
    policy.onUnknownParent('q', 'y')
    expect(syncs).toEqual([...new Array(syncBurst).fill('p'), 'q'])
    clock.advance(syncIntervalMs - 1)
    policy.onUnknownParent('p', 'z')
    expect(syncs.length).toBe(syncBurst + 1)
    clock.advance(1)
    policy.onUnknownParent('p', 'z2')
    expect(syncs).toEqual([...new Array(syncBurst).fill('p'), 'q', 'p'])
  })

  it('while we sync, orphans are expected: not counted, and each is passed on to the sync as a hint', () => {
    const { policy, charges, syncs, state } = setup()
    state.syncing = true
    for (let i = 0; i < 30; i++) policy.onUnknownParent('p', `s${i}`)
    expect(charges).toEqual([])
    expect(syncs.length).toBe(30)
    state.syncing = false
    for (let i = 0; i < 9; i++) policy.onUnknownParent('p', `t${i}`)
    expect(charges).toEqual([])
    policy.onUnknownParent('p', 't9')
    expect(charges).toEqual([{ peer: 'p', penalty: UNKNOWN_PARENT_LIMITS.penalty }])
  })
})
