/**
 * The simulated chain's genesis and keys: `senders` funded accounts whose
 * seeds are derived from their index (like the devnet's well-known keys), and
 * consensus parameters whose block time is the scenario's interval. Under
 * proof of stake, validator keys are derived from their index the same way.
 */

import type { TimeoutConfig } from '../consensus/bft/timeouts.js'
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
 * The proof-of-stake genesis (ledger/genesis.ts's PoS shape, as
 * devnetPosGenesis builds it): the fixed proof-of-work fields, the validators
 * bonded with equal stake, the scenario's epoch length and timeouts, and the
 * other stake rules at their defaults. Each validator's account is also
 * funded (SIM_VALIDATOR_BALANCE), so it can pay the fee of the evidence txs
 * it sends before it has proposed a block. The block time is the commit
 * pause between heights. Every node builds its engine from this genesis
 * (consensus/pos/genesis-set.ts posEngineOf), stake rules included.
 */
export function simPosGenesis(
  senderKeys: readonly KeyPair[],
  blockIntervalMs: number,
  validatorKeys: readonly KeyPair[],
  timeouts: TimeoutConfig,
  epochLength: number,
): Genesis {
  const base = simGenesis(senderKeys, blockIntervalMs)
  const validators = validatorKeys.map((key, i) => ({
    publicKey: key.publicKey,
    address: addressFromPublicKey(key.publicKey),
    stake: SIM_VALIDATOR_STAKE,
    name: `sim-validator-${i}`,
  }))
  return {
    ...base,
    alloc: [...base.alloc, ...validators.map((v) => ({ address: v.address, balance: SIM_VALIDATOR_BALANCE }))],
    params: { ...base.params, engine: 'pos', ...POS_FIXED_POW_PARAMS },
    pos: { ...POS_DEFAULTS, validators, epochLength, timeouts },
  }
}

/** Stake each simulated validator bonds at genesis (equal: power is equal). */
export const SIM_VALIDATOR_STAKE = 1_000n * COIN

/** Spendable balance of each simulated validator's account at genesis (fees of its evidence txs). */
export const SIM_VALIDATOR_BALANCE = 10n * COIN

export function simValidatorKey(index: number): KeyPair {
  return keyPairFromSeed(sha256(new TextEncoder().encode(`peerchain sim validator ${index}`)))
}
