/** Deterministic validators for the proof-of-stake tests: key pairs from fixed seeds, made once. */
import type { Validator } from '../../../../src/consensus/bft/validators.js'
import { addressFromPublicKey } from '../../../../src/ledger/address.js'
import { keyPairFromSeed } from '../../../../src/ledger/crypto.js'

export interface TestKey {
  readonly address: Uint8Array
  readonly publicKey: Uint8Array
}

/** Enough distinct keys for any set the tests build. */
export const KEY_COUNT = 64

export const KEYS: readonly TestKey[] = Array.from({ length: KEY_COUNT }, (_, i) => {
  const seed = new Uint8Array(32).fill(i + 1)
  const { publicKey } = keyPairFromSeed(seed)
  return { address: addressFromPublicKey(publicKey), publicKey }
})

/** Validator `i` of KEYS with this power. */
export function validator(i: number, power: bigint): Validator {
  const key = KEYS[i]
  if (key === undefined) throw new RangeError(`only ${KEY_COUNT} test keys`)
  return { address: key.address, publicKey: key.publicKey, power }
}

/** Validators 0 … powers.length − 1 of KEYS with these powers. */
export function validators(powers: readonly bigint[]): Validator[] {
  return powers.map((power, i) => validator(i, power))
}
