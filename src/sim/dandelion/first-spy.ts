/**
 * The first-spy estimator (Biryukov et al., CCS'14; Fanti et al.'s baseline
 * adversary): spies run the protocol honestly and note, for each tx, which
 * peer first handed it to any of them (by stem or by gossip); they guess that
 * peer is the tx's origin. Precision is the share of guesses that name the
 * true origin, over txs from honest nodes (a tx is guessed once it reached a spy).
 */

export interface SpySighting {
  timeMs: number
  /** The honest or spy node that handed the tx to a spy. */
  from: number
}

export class FirstSpyEstimator {
  /** tx index → the earliest sighting by any spy. */
  private readonly first = new Map<number, SpySighting>()

  constructor(private readonly isSpy: (node: number) => boolean) {}

  /** A spy received tx `tx` from `from` at `timeMs` (stem or gossip). */
  observe(tx: number, from: number, timeMs: number): void {
    const seen = this.first.get(tx)
    if (seen === undefined || timeMs < seen.timeMs) this.first.set(tx, { timeMs, from })
  }

  /** The guessed origin of `tx`, or undefined when no spy saw it from an honest node. */
  guess(tx: number): number | undefined {
    const seen = this.first.get(tx)
    if (seen === undefined || this.isSpy(seen.from)) return undefined
    return seen.from
  }

  /** Correct guesses over all txs whose origin is given (unguessed txs count as wrong). */
  precision(origins: readonly number[]): number {
    if (origins.length === 0) return 0
    let correct = 0
    origins.forEach((origin, tx) => {
      if (this.guess(tx) === origin) correct++
    })
    return correct / origins.length
  }
}
