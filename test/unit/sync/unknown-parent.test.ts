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
  const policy = new UnknownParentPolicy({
    attribute: (id, peer) => pool.attribute(id, peer),
    resetRun: (peer) => pool.connected(peer),
    reportPeer: (peer, penalty) => charges.push({ peer, penalty }),
    startSync: (peer) => syncs.push(peer),
    clock,
  })
  return { clock, pool, policy, charges, syncs }
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

  it('starts a sync from a peer at most once per interval, whatever it sends; other peers are not held back', () => {
    const { policy, clock, syncs } = setup()
    for (let i = 0; i < 50; i++) policy.onUnknownParent('p', `x${i}`)
    policy.onUnknownParent('q', 'y')
    expect(syncs).toEqual(['p', 'q'])
    clock.advance(UNKNOWN_PARENT_LIMITS.syncIntervalMs - 1)
    policy.onUnknownParent('p', 'z')
    expect(syncs).toEqual(['p', 'q'])
    clock.advance(1)
    policy.onUnknownParent('p', 'z2')
    expect(syncs).toEqual(['p', 'q', 'p'])
  })
})
