import { loadOrCreateNodeKey } from '../../../src/net/identity.js'
import { ManualClock } from '../../../src/util/clock.js'

export const noLog = (): void => {}

/** A fresh, valid peer id string (an ephemeral Ed25519 key's). */
export async function newPeerId(): Promise<string> {
  return (await loadOrCreateNodeKey(undefined, noLog)).publicKey.toString()
}

/** A clock that moves only when told to, with `nowMs` detached for passing as a function. */
export function manualClock(startMs = 1_000_000): { nowMs: () => number; advance: (ms: number) => void } {
  const clock = new ManualClock(startMs)
  return { nowMs: () => clock.nowMs(), advance: (ms) => clock.advance(ms) }
}
