/**
 * Our application score per peer (not gossipsub's): it starts at 0 and falls
 * by the penalty of every fault the upper layers report. At or below
 * SCORE_BAN_THRESHOLD the peer is discouraged (disconnected and refused) for
 * SCORE_BAN_DURATION_MS, in memory only (discouraged.ts). Scores recover toward 0 by
 * SCORE_RECOVERY_PER_MINUTE, so rare faults of a long-lived peer never add up
 * to a ban while a burst of them does.
 */
export const SCORE_BAN_THRESHOLD = -100
export const SCORE_BAN_DURATION_MS = 10 * 60_000
export const SCORE_RECOVERY_PER_MINUTE = 1
/** Peers with a non-zero score we remember at most; the least recently charged go first. */
export const SCORE_PEERS_MAX = 10_000

interface ScoreRecord {
  score: number
  atMs: number
}

export class PeerScores {
  private readonly records = new Map<string, ScoreRecord>()

  constructor(private readonly nowMs: () => number) {}

  get(peer: string): number {
    const record = this.records.get(peer)
    if (record === undefined) return 0
    const score = this.current(record)
    if (score === 0) this.records.delete(peer)
    return score
  }

  /** Charges `penalty` (>= 0) and returns the new score. */
  charge(peer: string, penalty: number): number {
    if (!Number.isFinite(penalty) || penalty < 0)
      throw new RangeError(`penalty must be a finite number >= 0: ${penalty}`)
    const score = this.get(peer) - penalty
    this.records.delete(peer)
    if (score !== 0) this.records.set(peer, { score, atMs: this.nowMs() })
    if (this.records.size > SCORE_PEERS_MAX) {
      const oldest = this.records.keys().next().value
      if (oldest !== undefined) this.records.delete(oldest)
    }
    return score
  }

  /** Forgets the peer's score (after its ban, so it starts again from 0). */
  reset(peer: string): void {
    this.records.delete(peer)
  }

  private current(record: ScoreRecord): number {
    // whole minutes only, so scores stay the integers callers charged
    const minutes = Math.floor(Math.max(0, this.nowMs() - record.atMs) / 60_000)
    return Math.min(0, record.score + minutes * SCORE_RECOVERY_PER_MINUTE)
  }
}

export function isAtBanThreshold(score: number): boolean {
  return score <= SCORE_BAN_THRESHOLD
}
