/**
 * What a transaction does (the Transaction's `kind` field, peerchain.proto).
 * A transfer is kind 0, which the encoding leaves out, so every transfer
 * keeps the bytes, id and signature it had before kinds existed. The other
 * kinds exist only on a proof-of-stake chain (rules/tx.ts).
 */

export const TX_KIND = { transfer: 0, stake: 1, unstake: 2, evidence: 3 } as const

export type TxKindName = keyof typeof TX_KIND
export type TxKind = (typeof TX_KIND)[TxKindName]

const NAMES: readonly TxKindName[] = ['transfer', 'stake', 'unstake', 'evidence']

/** True for a kind the protocol defines (a decoded tx may carry any uint32). */
export function isTxKind(kind: number): kind is TxKind {
  return Number.isInteger(kind) && kind >= 0 && kind < NAMES.length
}

/** The name of `kind` for JSON and the CLI; an undefined kind reads `unknown(<n>)`. */
export function txKindName(kind: number): string {
  return isTxKind(kind) ? (NAMES[kind] as TxKindName) : `unknown(${kind})`
}

/** The kind named `name` (as txKindName writes it); throws RangeError for any other name. */
export function parseTxKind(name: string): TxKind {
  if (Object.hasOwn(TX_KIND, name)) return TX_KIND[name as TxKindName]
  throw new RangeError(`unknown tx kind "${name}" (one of ${NAMES.join(', ')})`)
}
