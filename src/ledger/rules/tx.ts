/** Stateless transaction rules: everything that can be checked without the state. */
import { equalBytes, U64_MAX } from '../../util/bytes.js'
import { verify } from '../crypto.js'
import { VerifyError } from '../errors.js'
import { ADDRESS_BYTES, type ChainLimits, EVIDENCE_BYTES_MAX, PUBKEY_BYTES, SIGNATURE_BYTES } from '../limits.js'
import type { Tx } from '../tx.js'
import { isTxKind, TX_KIND, txKindName } from '../tx-kind.js'

export interface TxContext {
  chainId: string
  limits: ChainLimits
  /**
   * True only on a proof-of-stake chain (isStaking): the kinds beside
   * transfer (stake, unstake, evidence) exist there alone.
   */
  staking: boolean
}

export function checkTxStateless(tx: Tx, ctx: TxContext): void {
  const f = tx.fields
  if (tx.bytes.byteLength > ctx.limits.txBytesMax) {
    throw new VerifyError('TX_TOO_LARGE', `${tx.bytes.byteLength} bytes > ${ctx.limits.txBytesMax}`)
  }
  if (f.memo.byteLength > ctx.limits.memoBytesMax) {
    throw new VerifyError('TX_MEMO_TOO_LARGE', `memo of ${f.memo.byteLength} bytes > ${ctx.limits.memoBytesMax}`)
  }
  if (f.senderPubKey.byteLength !== PUBKEY_BYTES) {
    throw new VerifyError(
      'TX_BAD_FIELD',
      `sender public key is ${f.senderPubKey.byteLength} bytes, not ${PUBKEY_BYTES}`,
    )
  }
  if (f.recipient.byteLength !== ADDRESS_BYTES) {
    throw new VerifyError('TX_BAD_FIELD', `recipient is ${f.recipient.byteLength} bytes, not ${ADDRESS_BYTES}`)
  }
  if (f.signature.byteLength !== SIGNATURE_BYTES) {
    throw new VerifyError('TX_BAD_FIELD', `signature is ${f.signature.byteLength} bytes, not ${SIGNATURE_BYTES}`)
  }
  if (f.chainId !== ctx.chainId) {
    throw new VerifyError('TX_WRONG_CHAIN', `chain id "${f.chainId}" is not "${ctx.chainId}"`)
  }
  if (f.amount < 0n || f.fee < 0n || f.amount + f.fee > U64_MAX) {
    throw new VerifyError('TX_AMOUNT_OVERFLOW', 'amount + fee exceeds u64')
  }
  checkTxKind(tx, ctx)
  if (f.fee < ctx.limits.minFee) {
    throw new VerifyError('TX_FEE_TOO_LOW', `fee ${f.fee} < minimum ${ctx.limits.minFee}`)
  }
}

/**
 * The rules of each kind (the fields' lengths are checked already): a
 * transfer carries no payload; a stake or unstake moves a positive amount
 * and names the sender itself as recipient; evidence moves nothing, names
 * the sender (who reports it) as recipient and carries one strictly decoded
 * DuplicateVoteEvidence. Whether the evidence convicts anyone is a state rule.
 */
function checkTxKind(tx: Tx, ctx: TxContext): void {
  const { kind, amount, recipient, payload } = tx.fields
  if (!isTxKind(kind)) throw new VerifyError('TX_BAD_KIND', `kind ${kind} is not one of 0 to 3`)
  if (kind === TX_KIND.transfer) {
    if (payload.byteLength !== 0) throw new VerifyError('TX_BAD_PAYLOAD', 'a transfer carries no payload')
    return
  }
  const name = txKindName(kind)
  if (!ctx.staking) {
    throw new VerifyError('TX_KIND_UNSUPPORTED', `a ${name} tx exists only on a proof-of-stake chain`)
  }
  if (!equalBytes(recipient, tx.sender)) {
    throw new VerifyError('TX_BAD_FIELD', `the recipient of a ${name} tx is its sender's own address`)
  }
  if (kind !== TX_KIND.evidence) {
    if (amount === 0n) throw new VerifyError('TX_BAD_FIELD', `the amount of a ${name} tx is above 0`)
    if (payload.byteLength !== 0) throw new VerifyError('TX_BAD_PAYLOAD', `a ${name} tx carries no payload`)
    return
  }
  if (amount !== 0n) throw new VerifyError('TX_BAD_FIELD', 'the amount of an evidence tx is 0')
  if (payload.byteLength === 0) throw new VerifyError('TX_BAD_PAYLOAD', 'an evidence tx carries its evidence')
  if (payload.byteLength > EVIDENCE_BYTES_MAX) {
    throw new VerifyError('TX_BAD_PAYLOAD', `evidence of ${payload.byteLength} bytes > ${EVIDENCE_BYTES_MAX}`)
  }
  // Whether the payload decodes, strictly, is the staking rules' to say (consensus/pos/staking.ts,
  // TX_BAD_PAYLOAD), asked at admission (the mempool's checkState) and in every block.
}

export function checkTxSignature(tx: Tx): void {
  if (!verify(tx.fields.senderPubKey, tx.signingBytes, tx.fields.signature)) {
    throw new VerifyError('TX_BAD_SIGNATURE', `signature of ${tx.id} does not verify`)
  }
}

/** Index of the first tx whose signature fails, or -1 (inline; see sigverify/ for worker threads). */
export function firstBadSignature(txs: readonly Tx[]): number {
  return txs.findIndex((tx) => !verify(tx.fields.senderPubKey, tx.signingBytes, tx.fields.signature))
}
