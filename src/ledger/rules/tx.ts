/** Stateless transaction rules: everything that can be checked without the state. */
import { U64_MAX } from '../../util/bytes.js'
import { verify } from '../crypto.js'
import { VerifyError } from '../errors.js'
import { ADDRESS_BYTES, type ChainLimits, PUBKEY_BYTES, SIGNATURE_BYTES } from '../limits.js'
import type { Tx } from '../tx.js'

export interface TxContext {
  chainId: string
  limits: ChainLimits
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
  if (f.fee < ctx.limits.minFee) {
    throw new VerifyError('TX_FEE_TOO_LOW', `fee ${f.fee} < minimum ${ctx.limits.minFee}`)
  }
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
