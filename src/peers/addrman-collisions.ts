/**
 * Test-before-evict (Bitcoin Core's tried collisions): an address that
 * worked does not push the occupant of its tried slot out at once. The
 * collision is recorded, a feeler tests the occupant, and the occupant
 * stays if it answers; only an occupant that failed, or that nobody managed
 * to test in time, gives way. An attacker who gets one connection through
 * cannot evict good tried entries with it.
 */

import type { Rng } from '../util/rng.js'
import type { BucketHasher } from './addrman-buckets.js'
import type { AddrEntry } from './addrman-entry.js'
import type { AddrStore } from './addrman-store.js'
import { EMPTY } from './addrman-table.js'

/** Collisions waiting for a feeler, at most; further ones are dropped (the address stays in new). */
export const TRIED_COLLISIONS_MAX = 10
/** A tried entry that succeeded this recently is never replaced by a colliding one. */
export const REPLACEMENT_MS = 4 * 3_600_000
/** A colliding address whose success is older than this replaces an occupant that was not tested. */
export const TEST_WINDOW_MS = 40 * 60_000
/** A feeler gets this long to reach the occupant before its silence counts. */
export const COLLISION_TEST_MIN_MS = 60_000

export class TriedCollisions {
  /** Ids of new entries whose tried slot is taken. */
  private readonly ids = new Set<number>()

  constructor(
    private readonly store: AddrStore,
    private readonly hasher: BucketHasher,
  ) {}

  /** Records that `entry` wants a taken tried slot (dropped when TRIED_COLLISIONS_MAX wait already). */
  record(entry: AddrEntry): void {
    if (this.ids.size < TRIED_COLLISIONS_MAX) this.ids.add(entry.id)
  }

  /** The entry was deleted. */
  forget(id: number): void {
    this.ids.delete(id)
  }

  private occupantOf(entry: AddrEntry): { slot: number; old: AddrEntry | undefined } {
    const slot = this.hasher.triedSlot(entry.seeds, entry.bucketGroup)
    return { slot, old: this.store.byId(this.store.triedTable.get(slot)) }
  }

  /** The occupant of a random collision's slot, for a feeler to test. */
  occupantToTest(rng: Rng): AddrEntry | undefined {
    if (this.ids.size === 0) return undefined
    const ids = [...this.ids]
    const id = ids[rng.int(ids.length)] ?? EMPTY
    const entry = this.store.byId(id)
    if (entry === undefined || entry.triedSlot !== EMPTY) {
      this.ids.delete(id)
      return undefined
    }
    return this.occupantOf(entry).old
  }

  /**
   * Settles the collisions: the occupant stays when it succeeded within
   * REPLACEMENT_MS; it is replaced when it was tried since (more than
   * COLLISION_TEST_MIN_MS ago) without success, or when nobody tested it
   * within TEST_WINDOW_MS of the newcomer's success. Others wait.
   */
  resolve(now: number): void {
    for (const id of [...this.ids]) {
      const entry = this.store.byId(id)
      let settled = true
      if (entry !== undefined && entry.triedSlot === EMPTY) {
        const { slot, old } = this.occupantOf(entry)
        if (old === undefined) {
          this.store.makeTried(entry, slot)
        } else if (now - old.lastSuccessMs < REPLACEMENT_MS) {
          // the occupant works: keep it, the newcomer stays in new
        } else if (now - old.lastTryMs < REPLACEMENT_MS) {
          if (now - old.lastTryMs > COLLISION_TEST_MIN_MS) this.store.makeTried(entry, slot)
          else settled = false
        } else if (now - entry.lastSuccessMs > TEST_WINDOW_MS) {
          this.store.makeTried(entry, slot)
        } else {
          settled = false
        }
      }
      if (settled) this.ids.delete(id)
    }
  }
}
