/** Builds the genesis block of a genesis file: no transactions, the allocation as its state. */
import { genesisValidators } from '../consensus/pos/genesis-set.js'
import { ValidatorSet } from '../consensus/pos/validator-set.js'
import { BLOCK_VERSION_MMR, Block, Header } from '../ledger/block.js'
import { sha256 } from '../ledger/crypto.js'
import { type Genesis, genesisToJson, headerVersionOf } from '../ledger/genesis.js'
import { ADDRESS_BYTES } from '../ledger/limits.js'
import { EMPTY_ROOT } from '../ledger/merkle.js'
import { EMPTY_MMR, mmrRoot } from '../ledger/mmr.js'
import { bigintToBytes, toHex } from '../util/bytes.js'
import type { AccountChange, StateTrie } from './trie.js'

/**
 * The genesis state: the allocation, and under proof of stake each genesis
 * validator's bonded stake on its own account (beside any balance the
 * allocation gives it).
 */
export function genesisAccounts(genesis: Genesis): AccountChange[] {
  const accounts = new Map<string, AccountChange>()
  for (const { address, balance } of genesis.alloc) {
    accounts.set(toHex(address), { address, account: { balance, nonce: 0n } })
  }
  for (const v of genesis.pos?.validators ?? []) {
    const hex = toHex(v.address)
    const balance = accounts.get(hex)?.account.balance ?? 0n
    const stake = { publicKey: v.publicKey, bonded: v.stake, unbonding: [] }
    accounts.set(hex, { address: v.address, account: { balance, nonce: 0n, stake } })
  }
  return [...accounts.values()]
}

/** What the genesis block's `parentHash` holds: a hash of the whole genesis file (chain id, allocation, parameters, limits). */
export function genesisCommitment(genesis: Genesis): Uint8Array {
  let commitment = commitments.get(genesis)
  if (!commitment) {
    commitment = sha256(new TextEncoder().encode(JSON.stringify(genesisToJson(genesis))))
    commitments.set(genesis, commitment)
  }
  return commitment
}

/** Commitments by genesis object: a process that opens many chains of one genesis (the simulator) computes it once. */
const commitments = new WeakMap<Genesis, Uint8Array>()

/** The genesis block; its state's trie nodes are left pending in `trie`. */
export async function buildGenesisBlock(genesis: Genesis, trie: StateTrie): Promise<Block> {
  const stateRoot = await trie.update(trie.emptyRoot, genesisAccounts(genesis))
  const version = headerVersionOf(genesis.params)
  const header = Header.fromFields({
    version,
    height: 0n,
    // The genesis block commits to the whole genesis file (chain id, parameters, limits).
    parentHash: genesisCommitment(genesis),
    timestamp: BigInt(genesis.timestampMs),
    txRoot: EMPTY_ROOT,
    stateRoot,
    target: bigintToBytes(genesis.params.initialTarget),
    miner: new Uint8Array(ADDRESS_BYTES),
    reward: 0n,
    nonce: 0n,
    // version 2: the MMR of no blocks (a version 1 genesis encodes exactly as before the field existed)
    ...(version >= BLOCK_VERSION_MMR ? { mmrRoot: mmrRoot(EMPTY_MMR) } : {}),
    // proof of stake: the genesis set signs height 1
    ...(genesis.params.engine === 'pos' ? { validatorsHash: genesisValidatorsHash(genesis) } : {}),
  })
  return new Block(header, [])
}

/** The hash of a proof-of-stake genesis' set (ValidatorSet.hash), which its genesis header commits to. */
export function genesisValidatorsHash(genesis: Genesis): Uint8Array {
  return ValidatorSet.create(genesisValidators(genesis)).hash()
}
