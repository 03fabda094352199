/**
 * The simulated chain's genesis and keys: `senders` funded accounts whose
 * seeds are derived from their index (like the devnet's well-known keys), and
 * consensus parameters whose block time is the scenario's interval. Under
 * proof of stake, validator keys are derived from their index the same way.
 */

import type { TimeoutConfig } from '../consensus/bft/timeouts.js'
import type { Validator } from '../consensus/bft/validators.js'
import { addressFromPublicKey } from '../ledger/address.js'
import { type KeyPair, keyPairFromSeed, sha256 } from '../ledger/crypto.js'
import { COIN, devnetGenesis, type Genesis, POS_DEFAULTS, POS_FIXED_POW_PARAMS } from '../ledger/genesis.js'
import { ADDRESS_BYTES } from '../ledger/limits.js'

export const SIM_CHAIN_ID = 'peerchain-sim'

export function simSenderKey(index: number): KeyPair {
  return keyPairFromSeed(sha256(new TextEncoder().encode(`peerchain sim account ${index}`)))
}

/** The address a simulated miner is paid at: 20 bytes derived from its index (nobody spends it in a run, so no key). */
export function simMinerAddress(index: number): Uint8Array {
  return sha256(new TextEncoder().encode(`peerchain sim miner ${index}`)).subarray(0, ADDRESS_BYTES)
}

export function simGenesis(senderKeys: readonly KeyPair[], blockIntervalMs: number): Genesis {
  const base = devnetGenesis({ blockTimeMs: blockIntervalMs }, SIM_CHAIN_ID)
  return {
    ...base,
    alloc: senderKeys.map((key) => ({ address: addressFromPublicKey(key.publicKey), balance: 1_000_000n * COIN })),
  }
}

/**
 * The proof-of-stake genesis (ledger/genesis.ts's PoS shape): the fixed
 * proof-of-work fields, and the validators bonded with equal stake. Only the
 * validators' keys and power reach the engines (consensus.ts); the block time
 * is the commit pause between heights.
 */
export function simPosGenesis(
  senderKeys: readonly KeyPair[],
  blockIntervalMs: number,
  validatorKeys: readonly KeyPair[],
  timeouts: TimeoutConfig,
): Genesis {
  const base = simGenesis(senderKeys, blockIntervalMs)
  return {
    ...base,
    params: { ...base.params, engine: 'pos', ...POS_FIXED_POW_PARAMS },
    pos: {
      ...POS_DEFAULTS,
      validators: validatorKeys.map((key, i) => ({
        publicKey: key.publicKey,
        address: addressFromPublicKey(key.publicKey),
        stake: SIM_VALIDATOR_STAKE,
        name: `sim-validator-${i}`,
      })),
      timeouts,
    },
  }
}

/** Stake each simulated validator bonds at genesis (equal: power is equal). */
export const SIM_VALIDATOR_STAKE = 1_000n * COIN

export function simValidatorKey(index: number): KeyPair {
  return keyPairFromSeed(sha256(new TextEncoder().encode(`peerchain sim validator ${index}`)))
}

/** Voting power of each simulated validator: equal, so ⅔+ of the power is ⅔+ of the validators. */
export const SIM_VALIDATOR_POWER = 10n

/** The genesis validator set of `count` simulated validators (keys 0 … count − 1). */
export function simValidators(keys: readonly KeyPair[]): Validator[] {
  return keys.map((key) => ({
    address: addressFromPublicKey(key.publicKey),
    publicKey: key.publicKey,
    power: SIM_VALIDATOR_POWER,
  }))
}
