/**
 * The simulated chain's genesis and keys: `senders` funded accounts whose
 * seeds are derived from their index (like the devnet's well-known keys), and
 * consensus parameters whose block time is the scenario's interval.
 */
import { addressFromPublicKey } from '../ledger/address.js'
import { type KeyPair, keyPairFromSeed, sha256 } from '../ledger/crypto.js'
import { COIN, devnetGenesis, type Genesis } from '../ledger/genesis.js'
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
