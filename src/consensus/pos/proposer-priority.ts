/**
 * Tendermint's proposer priority, as pure arithmetic over bigint arrays (a
 * weighted round robin: each validator proposes in proportion to its power).
 *
 * One step: bring the priorities back into their window (below), add every
 * validator's power to its priority, pick the highest (ties: the lowest
 * address) as proposer and take the total power off it. The sum of the
 * priorities is unchanged by a step, so over `totalPower` steps each
 * validator gains `power · totalPower` and loses `totalPower` per turn:
 * it proposes `power` times, give or take what its priority drifted.
 *
 * The window is what keeps this safe under any sequence of set changes:
 * priorities are centred on zero (so joins and leaves cannot drag the whole
 * set up or down without bound) and, when their spread exceeds
 * PRIORITY_WINDOW_FACTOR · totalPower, divided down until it does not (so a
 * validator far behind, or far ahead, after a power change is never starved
 * or entrenched for longer than a couple of cycles). With the spread at most
 * 2·total (+1 for rounding) after this, the mean in [0, 1), and a step moving
 * a priority by at most `total`, every priority stays within ±(3·total + 2);
 * bigint rules out overflow, and the cap on
 * total power (validator-set.ts) keeps them inside an int64 for any other
 * implementation that must agree with us.
 *
 * We normalise before every step, where CometBFT normalises once per call of
 * IncrementProposerPriority(times); both agree step by step while the spread
 * stays inside the window, and ours is the same function for `proposer(r)`
 * and `next()`, which is what the chain needs.
 */

/** Priorities may spread over at most this many times the total power. */
export const PRIORITY_WINDOW_FACTOR = 2n

/** ⌊a / b⌋ for b > 0 (bigint `/` truncates toward zero). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b
  return a % b !== 0n && a < 0n ? q - 1n : q
}

/**
 * The priority a validator joining the set starts at: −1.125 · total power
 * of the new set, as CometBFT does, so that it does not propose at once and
 * cannot leave and rejoin to jump the queue.
 */
export function newcomerPriority(totalPower: bigint): bigint {
  return -(totalPower + totalPower / 8n)
}

/** In place: scales the priorities down if they spread over the window, then centres them on zero. */
export function normalizePriorities(priorities: bigint[], totalPower: bigint): void {
  const n = priorities.length
  if (n === 0) return
  let min = priorities[0] as bigint
  let max = min
  for (const p of priorities) {
    if (p < min) min = p
    if (p > max) max = p
  }
  const spreadMax = PRIORITY_WINDOW_FACTOR * totalPower
  const spread = max - min
  if (spread > spreadMax) {
    // ⌈spread / spreadMax⌉: the smallest divisor that brings the spread inside the window.
    const divisor = (spread + spreadMax - 1n) / spreadMax
    for (let i = 0; i < n; i++) priorities[i] = (priorities[i] as bigint) / divisor
  }
  let sum = 0n
  for (const p of priorities) sum += p
  const average = floorDiv(sum, BigInt(n))
  if (average !== 0n) for (let i = 0; i < n; i++) priorities[i] = (priorities[i] as bigint) - average
}

/**
 * In place: one step of proposer selection. `addressRank[i]` is validator i's
 * position in address order, which breaks ties. Returns the proposer's index.
 */
export function advanceProposer(
  priorities: bigint[],
  powers: readonly bigint[],
  addressRank: Uint32Array,
  totalPower: bigint,
): number {
  normalizePriorities(priorities, totalPower)
  let best = -1
  let bestPriority = 0n
  for (let i = 0; i < priorities.length; i++) {
    const p = (priorities[i] as bigint) + (powers[i] as bigint)
    priorities[i] = p
    if (
      best < 0 ||
      p > bestPriority ||
      (p === bestPriority && (addressRank[i] as number) < (addressRank[best] as number))
    ) {
      best = i
      bestPriority = p
    }
  }
  priorities[best] = bestPriority - totalPower
  return best
}
