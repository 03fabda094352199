/**
 * The validator set of one height: members in canonical order (power
 * descending, then address ascending), their proposer priorities, and the
 * hash a header commits to. Immutable: `next()` and `withChanges()` return
 * new sets, and `proposer(round)` only reads.
 *
 * Proposer rotation follows Tendermint (proposer-priority.ts). A set holds
 * the priorities *before* its height's first step: round r's proposer is the
 * one chosen by r + 1 steps from them, and `next()` is the set one step on,
 * so the set of height h + 1 is `setOf(h).next()`; at an epoch change it is
 * `setOf(h).next().withChanges(chosen)` (epoch.ts), as CometBFT applies
 * validator updates before the step of the new height.
 */

import { addressFromPublicKey } from '../../ledger/address.js'
import { sha256 } from '../../ledger/crypto.js'
import { ADDRESS_BYTES } from '../../ledger/limits.js'
import { compareBytes, equalBytes, toHex, u64be } from '../../util/bytes.js'
import type { Validator, ValidatorSetView } from '../bft/validators.js'
import { ValidatorSetError } from './errors.js'
import { advanceProposer, newcomerPriority, normalizePriorities } from './proposer-priority.js'

export const PUBLIC_KEY_BYTES = 32

/**
 * The most total voting power a set may have: 2^60 − 1, CometBFT's
 * MaxInt64 / 8. Priorities stay within a few multiples of the total, so
 * under this cap they fit an int64 in any other implementation (a light
 * client in Go or Rust), and every power fits the u64 of the set's encoding.
 */
export const TOTAL_VOTING_POWER_MAX = (1n << 60n) - 1n

/** Domain tag of the set's hash, so it can never equal the hash of another kind of object. */
const HASH_TAG = new TextEncoder().encode('peerchain/validator-set/v1')

/** What every set of the same members shares, computed once. */
interface Members {
  readonly validators: readonly Validator[]
  readonly powers: readonly bigint[]
  readonly totalPower: bigint
  /** Position of each validator in ascending address order: the proposer tie-break. */
  readonly addressRank: Uint32Array
  readonly indexByAddress: ReadonlyMap<string, number>
}

interface ProposerCursor {
  round: number
  proposer: number
  readonly priorities: bigint[]
}

export class ValidatorSet implements ValidatorSetView {
  readonly size: number
  readonly totalPower: bigint
  readonly #members: Members
  readonly #priorities: readonly bigint[]
  /** The last round asked for and the priorities after it, so rounds asked in order cost one step each. */
  #cursor: ProposerCursor | undefined
  #hash: Uint8Array | undefined

  private constructor(members: Members, priorities: readonly bigint[]) {
    this.#members = members
    this.#priorities = priorities
    this.size = members.validators.length
    this.totalPower = members.totalPower
  }

  /**
   * A set of these validators, every priority zero (genesis). Refuses, with a
   * ValidatorSetError, an empty list, a power ≤ 0, a total power over
   * TOTAL_VOTING_POWER_MAX, a public key that is not 32 bytes, an address
   * that is not addressFromPublicKey(publicKey), and a duplicate address.
   */
  static create(validators: readonly Validator[]): ValidatorSet {
    const members = membersOf(validators)
    return new ValidatorSet(members, new Array<bigint>(members.validators.length).fill(0n))
  }

  /** The members in canonical order. */
  get validators(): readonly Validator[] {
    return this.#members.validators
  }

  validator(index: number): Validator {
    this.#checkIndex(index)
    return this.#members.validators[index] as Validator
  }

  indexOf(address: Uint8Array): number {
    return this.#members.indexByAddress.get(toHex(address)) ?? -1
  }

  /** Validator `index`'s proposer priority before this height's first step (for audits and tests). */
  priority(index: number): bigint {
    this.#checkIndex(index)
    return this.#priorities[index] as bigint
  }

  /**
   * Index of the proposer of `round` at this set's height: round + 1 steps
   * from the height's priorities, on a copy. O(size · round) the first time;
   * asking rounds in increasing order costs one step each.
   */
  proposer(round: number): number {
    if (!Number.isSafeInteger(round) || round < 0) {
      throw new ValidatorSetError('BAD_ROUND', `a round is an integer ≥ 0, got ${round}`)
    }
    let cursor = this.#cursor
    if (cursor === undefined || cursor.round > round) {
      cursor = { round: -1, proposer: -1, priorities: [...this.#priorities] }
      this.#cursor = cursor
    }
    const { powers, addressRank, totalPower } = this.#members
    while (cursor.round < round) {
      cursor.proposer = advanceProposer(cursor.priorities, powers, addressRank, totalPower)
      cursor.round++
    }
    return cursor.proposer
  }

  /** The set of the next height: the same members, one step on. */
  next(): ValidatorSet {
    const priorities = [...this.#priorities]
    const { powers, addressRank, totalPower } = this.#members
    advanceProposer(priorities, powers, addressRank, totalPower)
    return new ValidatorSet(this.#members, priorities)
  }

  /**
   * The set whose members are exactly `validators` (an epoch change): those
   * who stay keep their priority, whatever their new power; newcomers start
   * at −1.125 · the new total power; then the priorities are brought back
   * into their window for the new total. Strict as `create`.
   */
  withChanges(validators: readonly Validator[]): ValidatorSet {
    const members = membersOf(validators)
    const start = newcomerPriority(members.totalPower)
    const priorities = members.validators.map((v) => {
      const before = this.indexOf(v.address)
      return before < 0 ? start : (this.#priorities[before] as bigint)
    })
    normalizePriorities(priorities, members.totalPower)
    return new ValidatorSet(members, priorities)
  }

  /**
   * SHA-256 of the canonical encoding: a domain tag, the member count (u32
   * big-endian), then per validator in canonical order its address (20
   * bytes), public key (32) and power (u64 big-endian). Fixed-width fields,
   * so one encoding per set. Priorities are not committed: they follow from
   * the chain's history.
   */
  hash(): Uint8Array {
    if (this.#hash === undefined) {
      const count = new Uint8Array(4)
      new DataView(count.buffer).setUint32(0, this.size)
      const parts: Uint8Array[] = [HASH_TAG, count]
      for (const v of this.#members.validators) parts.push(v.address, v.publicKey, u64be(v.power))
      this.#hash = sha256(...parts)
    }
    return new Uint8Array(this.#hash)
  }

  #checkIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new ValidatorSetError('BAD_INDEX', `no validator at index ${index} in a set of ${this.size}`)
    }
  }
}

function membersOf(input: readonly Validator[]): Members {
  if (input.length === 0) throw new ValidatorSetError('EMPTY', 'a validator set needs at least one validator')
  const byAddress = new Map<string, Validator>()
  let totalPower = 0n
  for (const v of input) {
    const validator = checkedCopy(v)
    const key = toHex(validator.address)
    if (byAddress.has(key)) throw new ValidatorSetError('DUPLICATE_ADDRESS', `validator ${key} appears twice`)
    byAddress.set(key, validator)
    totalPower += validator.power
  }
  if (totalPower > TOTAL_VOTING_POWER_MAX) {
    throw new ValidatorSetError('TOTAL_POWER_TOO_HIGH', `total power ${totalPower} > ${TOTAL_VOTING_POWER_MAX}`)
  }
  const validators = Object.freeze([...byAddress.values()].sort(canonicalOrder))
  const indexByAddress = new Map(validators.map((v, i) => [toHex(v.address), i]))
  const byAddressOrder = validators.map((_, i) => i).sort((a, b) => compareAddresses(validators, a, b))
  const addressRank = new Uint32Array(validators.length)
  byAddressOrder.forEach((index, rank) => {
    addressRank[index] = rank
  })
  return { validators, powers: validators.map((v) => v.power), totalPower, addressRank, indexByAddress }
}

/** A frozen copy of `v`, so no later change to the caller's bytes can reach the set. */
function checkedCopy(v: Validator): Validator {
  if (typeof v.power !== 'bigint' || v.power <= 0n) {
    throw new ValidatorSetError('BAD_POWER', `voting power must be a bigint > 0, got ${String(v.power)}`)
  }
  if (!(v.publicKey instanceof Uint8Array) || v.publicKey.byteLength !== PUBLIC_KEY_BYTES) {
    throw new ValidatorSetError('BAD_PUBLIC_KEY', `a public key is ${PUBLIC_KEY_BYTES} bytes`)
  }
  if (
    !(v.address instanceof Uint8Array) ||
    v.address.byteLength !== ADDRESS_BYTES ||
    !equalBytes(v.address, addressFromPublicKey(v.publicKey))
  ) {
    throw new ValidatorSetError('BAD_ADDRESS', 'a validator address is addressFromPublicKey(publicKey)')
  }
  return Object.freeze({ address: new Uint8Array(v.address), publicKey: new Uint8Array(v.publicKey), power: v.power })
}

function canonicalOrder(a: Validator, b: Validator): number {
  if (a.power !== b.power) return a.power > b.power ? -1 : 1
  return compareBytes(a.address, b.address)
}

function compareAddresses(validators: readonly Validator[], a: number, b: number): number {
  return compareBytes((validators[a] as Validator).address, (validators[b] as Validator).address)
}
