/**
 * Double signing a validator service has seen: kept for inspection (the
 * most recent EVIDENCE_MAX), logged, and reported once per offender through
 * `submit` (an evidence tx, which slashes and jails the offender when a block
 * includes it). A report that fails is retried on the next sighting.
 */
import { type DuplicateVoteEvidence, encodeEvidence } from '../consensus/bft/evidence.js'
import { toHex } from '../util/bytes.js'
import type { Logger } from '../util/log.js'

/** Evidence kept, and offenders remembered as reported. */
export const EVIDENCE_MAX = 256

export class EvidenceReports {
  private readonly kept: DuplicateVoteEvidence[] = []
  /** Offenders (address hex) already reported: a double-sign is punished once, so one report each. */
  private readonly reported = new Set<string>()

  constructor(
    private readonly log: Logger,
    /** Sends an evidence tx carrying `payload`; absent, evidence is only kept and logged. */
    private readonly submit?: (payload: Uint8Array) => Promise<unknown>,
  ) {}

  /** Double signing seen so far (most recent last). */
  get seen(): readonly DuplicateVoteEvidence[] {
    return this.kept
  }

  add(evidence: DuplicateVoteEvidence): void {
    this.kept.push(evidence)
    if (this.kept.length > EVIDENCE_MAX) this.kept.shift()
    const offender = toHex(evidence.voteA.validator)
    this.log.warn('double signing seen', {
      validator: offender,
      height: Number(evidence.voteA.height),
      round: evidence.voteA.round,
      type: evidence.voteA.type,
    })
    // Bounded: one entry per validator that ever double-signed in our sight, at most EVIDENCE_MAX.
    if (!this.submit || this.reported.has(offender) || this.reported.size >= EVIDENCE_MAX) return
    this.reported.add(offender)
    this.submit(encodeEvidence(evidence)).catch((err: unknown) => {
      this.reported.delete(offender)
      this.log.warn('reporting double signing failed', { validator: offender, error: String(err) })
    })
  }
}
