/**
 * Typed errors of the proof-of-stake rules. Each names the rule a caller
 * broke with a stable `code`; none of them is a peer's fault by itself (the
 * engine that reads a set or a stake table from a block decides that and
 * wraps it), so they are not VerifyErrors.
 */

export type ValidatorSetErrorCode =
  | 'EMPTY'
  | 'BAD_POWER'
  | 'TOTAL_POWER_TOO_HIGH'
  | 'BAD_PUBLIC_KEY'
  | 'BAD_ADDRESS'
  | 'DUPLICATE_ADDRESS'
  | 'BAD_INDEX'
  | 'BAD_ROUND'

/** A validator set that cannot exist, or a question it cannot answer. */
export class ValidatorSetError extends Error {
  override readonly name = 'ValidatorSetError'
  constructor(
    readonly code: ValidatorSetErrorCode,
    message: string,
  ) {
    super(message)
  }
}

export type EpochErrorCode =
  | 'BAD_EPOCH_LENGTH'
  | 'BAD_HEIGHT'
  | 'BAD_EPOCH'
  | 'BAD_RULES'
  | 'BAD_CANDIDATE'
  | 'UNKNOWN_EPOCH'
  | 'BAD_RECORD'

/** Epoch arithmetic or selection asked with arguments outside its domain. */
export class EpochError extends Error {
  override readonly name = 'EpochError'
  constructor(
    readonly code: EpochErrorCode,
    message: string,
  ) {
    super(message)
  }
}

export type SlashingErrorCode =
  | 'BAD_FRACTION'
  | 'BAD_HEIGHT'
  | 'BAD_AMOUNT'
  | 'BAD_WINDOW'
  | 'BAD_SEQUENCE'
  | 'DUPLICATE_VALIDATOR'

/** A slashing, unbonding or downtime rule called with arguments outside its domain. */
export class SlashingError extends Error {
  override readonly name = 'SlashingError'
  constructor(
    readonly code: SlashingErrorCode,
    message: string,
  ) {
    super(message)
  }
}
