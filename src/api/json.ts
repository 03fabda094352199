/**
 * The JSON shapes the API speaks, and the helpers that build them from ledger
 * objects. Hashes and bytes are lower-case hex without `0x`; amounts, nonces
 * and work are decimal strings (they are u64/u256, past a JSON number's safe
 * range); heights and millisecond timestamps are numbers; addresses are `pc1…`.
 */

import type { HeaderEntry } from '../chain/header-index.js'
import { JAILED_FOREVER } from '../consensus/pos/stake-record.js'
import { formatAddress } from '../ledger/address.js'
import type { Block } from '../ledger/block.js'
import type { Account } from '../ledger/state.js'
import type { Tx } from '../ledger/tx.js'
import { TX_KIND, txKindName } from '../ledger/tx-kind.js'
import type { AddResult, PoolTxInfo, TxStatus } from '../mempool/index.js'
import type { AddrManStats, ConnectionType, PeerInfo } from '../net/network.js'
import type { SyncStatus } from '../sync/meter.js'
import { toHex } from '../util/bytes.js'

export type PendingStatus = TxStatus

export interface TxJson {
  hash: string
  chainId: string
  /** The sender's address, derived from `senderPubKey`. */
  from: string
  senderPubKey: string
  to: string
  amount: string
  fee: string
  nonce: string
  memo: string
  /** `transfer`, `stake`, `unstake` or `evidence` (ledger/tx-kind.ts). */
  kind: string
  /** Evidence only: the encoded DuplicateVoteEvidence, hex. */
  payload?: string
}

export interface HeadJson {
  hash: string
  height: number
  /** Cumulative work of the chain up to this block. */
  totalWork: string
  /** Milliseconds since the Unix epoch. */
  timestamp: number
  stateRoot: string
  /** The last final block (under proof of stake the head itself); null under proof of work, which has no finality. */
  finalizedHeight: number | null
  finalizedHash: string | null
}

export interface BlockJson {
  hash: string
  height: number
  parentHash: string
  timestamp: number
  txRoot: string
  stateRoot: string
  /** 64 hex digits: the block hash read as a number must not exceed it. */
  target: string
  miner: string
  reward: string
  nonce: string
  txs: TxJson[]
}

export interface AccountJson {
  address: string
  balance: string
  nonce: string
  /** Proof of stake, present when the account holds a stake. */
  stake?: StakeJson
  /** A light node: the account was proven by Merkle proofs from two full peers of different network groups. */
  verified?: true
  /** A light node: the header of its own chain whose stateRoot the proofs were checked against. */
  provenAt?: { height: number; hash: string }
}

export interface StakeJson {
  /** The validator key (hex), the account's own. */
  publicKey: string
  bonded: string
  unbonding: Array<{ amount: string; startHeight: number; releaseHeight: number }>
  /** Not eligible for a set below this height; null: never jailed. */
  jailedUntil: number | null
  /** Slashed for signing twice: jailed for good. */
  tombstoned: boolean
}

export interface MempoolTxJson {
  hash: string
  sender: string
  nonce: string
  fee: string
  status: PendingStatus
  /** `transfer`, `stake`, `unstake` or `evidence`. */
  kind: string
}

export interface MempoolJson {
  /** Every pending tx, ready and future. */
  size: number
  /** At most the requested limit (1000 at most), oldest first. */
  txs: MempoolTxJson[]
}

export interface SubmitTxJson {
  hash: string
  status: PendingStatus
}

/** What `validator_stake` and `validator_unstake` answer: the tx the node signed and submitted. */
export interface ValidatorTxJson {
  txId: string
  status: PendingStatus
}

export type TxLookupJson =
  | { status: 'pending'; tx: TxJson }
  /** `verified` (a light node): a Merkle path to the txRoot of that block, a header of the light node's chain. */
  | { status: 'included'; blockHash: string; height: number; index: number; tx: TxJson; verified?: true }
  | { status: 'unknown' }

/**
 * `light_accountProof`: the raw material to check an account in a web page
 * (light/verify-browser.ts): the block's header, the trie nodes from its
 * `stateRoot` down the address's path, and the encoded account they end in.
 * Hex throughout; the client checks, it trusts none of it.
 */
export interface AccountProofJson {
  address: string
  blockHash: string
  height: number
  /** The header's canonical bytes: its SHA-256 is `blockHash`. */
  header: string
  /** Trie nodes, root first (as the light protocol's AccountProofResponse). */
  proof: string[]
  /** The encoded account the proof ends in; "" when the proof shows there is none. */
  account: string
}

/** `light_txProof`: a tx's bytes, its block's header, and its Merkle path (leaf to root) to that header's `txRoot`. */
export interface TxProofJson {
  hash: string
  blockHash: string
  height: number
  header: string
  tx: string
  index: number
  txCount: number
  path: string[]
}

export interface PeerJson {
  id: string
  addresses: string[]
  direction: 'inbound' | 'outbound'
  /** Network group of the connection's remote address: `ip4:A.B`, `ip6:xxxx:xxxx`, `as:N`, `lab:127.A.B` or `local`. */
  group: string
  /** `full-relay`, `block-relay`, `feeler`, `manual` (outbound) or `inbound`. */
  connectionType: ConnectionType
  score: number
}

/** The address manager's tables: addresses in "new" and "tried", in total and by network group. */
export interface AddrManJson {
  new: number
  tried: number
  /** One row per group holding an address, most addresses first. */
  groups: Array<{ group: string; new: number; tried: number }>
}

export interface NodeInfoJson {
  peerId: string
  chainId: string
  genesisHash: string
  listenAddresses: string[]
  role: 'full' | 'miner' | 'validator' | 'light'
  mining: boolean
  head: { hash: string; height: number }
  peers: number
  version: string
}

/** The consensus engine the node runs (ConsensusEngine.name): proof of work or proof of stake. */
export type ConsensusJson = 'pow' | 'pos'

/** Where this node's validator stands in the BFT rounds. */
export interface ValidatorJson {
  /** The validator key's address (pc1…). */
  address: string
  /** The height being decided: the one above the head. */
  height: number
  round: number
  /** `propose`, `prevote`, `precommit` or `decided`; `starting` until the service begins its first height. */
  step: string
  /** Double signs seen so far (the evidence the service keeps, 256 at most). */
  evidenceSeen: number
}

/** One validator of a height's set, as `pos_validators` lists it. */
export interface PosValidatorJson {
  /** pc1… */
  address: string
  /** The Ed25519 key its votes are checked against, hex. */
  publicKey: string
  /** Voting power, a decimal string. */
  power: string
  /** Bonded stake at the head (base units, decimal); "0" when the account holds no stake record. */
  stake: string
  /** Jailed at the head (not eligible for the next epoch's set). */
  jailed: boolean
  /** Jailed for good: slashed for signing twice. */
  tombstoned: boolean
  /** It proposes round 0 of the height. */
  proposer: boolean
  /** Of the last `missedWindow` committed blocks, how many have a commit without its precommit. */
  missed: number
}

/** What `pos_validators` answers: the validator set of one height. */
export interface PosValidatorsJson {
  /** The height whose set this is (by default the one above the head). */
  height: number
  /** The epoch of that height (0 on a chain without stake in its state). */
  epoch: number
  /** The first height of the next epoch, when the set may change; null on a chain without epochs. */
  nextEpochHeight: number | null
  /** Sum of the set's voting power, a decimal string. */
  totalPower: string
  /** Committed blocks the `missed` counts cover: min(window, the head's height). */
  missedWindow: number
  /** In the set's canonical order (power descending, then address). */
  validators: PosValidatorJson[]
}

/** Where the node's catch-up stands (sync/meter.ts); the same numbers drive `start`'s progress bar and `peerchain status`. */
export type SyncStatusJson = SyncStatus

export interface NodeStatusJson {
  /** Set by a light node ("light"): its head is a header, and it has no mempool or miner of its own. */
  role?: 'light'
  peerId: string
  chainId: string
  version: string
  head: { hash: string; height: number; timestamp: number }
  peers: { inbound: number; outbound: number }
  sync: SyncStatusJson
  /** `bytes` is the encoded size of every pending tx. */
  mempool: { size: number; bytes: number }
  /** `address` is paid for mined blocks (pc1…); `threads` are the sealing worker threads. */
  mining: { active: boolean; threads: number; address: string }
  consensus: ConsensusJson
  /** The last final block; null under proof of work. */
  finalized: { height: number; hash: string } | null
  /** Null when the node runs no validator service (proof of work, or no validator key). */
  validator: ValidatorJson | null
}

/** A key of the node's wallet (`<datadir>/wallet/`), and whether the node holds it unlocked in memory. */
export interface WalletKeyJson {
  name: string
  address: string
  unlocked: boolean
}

export const decimal = (value: bigint): string => value.toString(10)

const DECIMAL_RE = /^(0|[1-9][0-9]*)$/

/** Reads a decimal string of the API back into a bigint; throws TypeError on anything else. */
export function bigintFromJson(text: string): bigint {
  if (typeof text !== 'string' || !DECIMAL_RE.test(text)) {
    throw new TypeError(`expected a decimal string without sign or leading zeros, got ${JSON.stringify(text)}`)
  }
  return BigInt(text)
}

export function txToJson(tx: Tx): TxJson {
  const f = tx.fields
  return {
    hash: tx.id,
    chainId: f.chainId,
    from: formatAddress(tx.sender),
    senderPubKey: toHex(f.senderPubKey),
    to: formatAddress(f.recipient),
    amount: decimal(f.amount),
    fee: decimal(f.fee),
    nonce: decimal(f.nonce),
    memo: toHex(f.memo),
    kind: txKindName(f.kind),
    ...(f.kind === TX_KIND.evidence ? { payload: toHex(f.payload) } : {}),
  }
}

/** `finalized` is the chain's last final block (Chain.finalized): undefined under proof of work. */
export function headToJson(
  entry: Pick<HeaderEntry, 'header' | 'totalWork'>,
  finalized: Pick<HeaderEntry, 'id' | 'height'> | undefined,
): HeadJson {
  const { header } = entry
  return {
    hash: header.id,
    height: header.height,
    totalWork: decimal(entry.totalWork),
    timestamp: header.timestampMs,
    stateRoot: toHex(header.fields.stateRoot),
    finalizedHeight: finalized ? finalized.height : null,
    finalizedHash: finalized ? finalized.id : null,
  }
}

export function targetToHex(target: bigint): string {
  return target.toString(16).padStart(64, '0')
}

export function blockToJson(block: Block): BlockJson {
  const { header } = block
  const f = header.fields
  return {
    hash: block.id,
    height: header.height,
    parentHash: toHex(f.parentHash),
    timestamp: header.timestampMs,
    txRoot: toHex(f.txRoot),
    stateRoot: toHex(f.stateRoot),
    target: targetToHex(header.target),
    miner: formatAddress(f.miner),
    reward: decimal(f.reward),
    nonce: decimal(f.nonce),
    txs: block.txs.map(txToJson),
  }
}

export function accountToJson(address: Uint8Array, account: Account): AccountJson {
  const json: AccountJson = {
    address: formatAddress(address),
    balance: decimal(account.balance),
    nonce: decimal(account.nonce),
  }
  const stake = account.stake
  if (stake) {
    json.stake = {
      publicKey: toHex(stake.publicKey),
      bonded: decimal(stake.bonded),
      unbonding: stake.unbonding.map((e) => ({ ...e, amount: decimal(e.amount) })),
      jailedUntil: stake.jailedUntil ?? null,
      tombstoned: stake.jailedUntil === JAILED_FOREVER,
    }
  }
  return json
}

export function mempoolTxToJson(info: Pick<PoolTxInfo, 'id' | 'tx' | 'nonce' | 'fee' | 'status'>): MempoolTxJson {
  return {
    hash: info.id,
    sender: formatAddress(info.tx.sender),
    nonce: decimal(info.nonce),
    fee: decimal(info.fee),
    status: info.status,
    kind: txKindName(info.tx.kind),
  }
}

export function submitResultToJson(result: Pick<AddResult, 'id' | 'status'>): SubmitTxJson {
  return { hash: result.id, status: result.status }
}

/** Copies only the public fields, so nothing else a PeerInfo grows leaks out. */
export function peerToJson(peer: PeerInfo): PeerJson {
  return {
    id: peer.id,
    addresses: [...peer.addresses],
    direction: peer.direction,
    group: peer.group,
    connectionType: peer.connectionType,
    score: peer.score,
  }
}

/** The address manager's counts, groups with the most addresses first (ties by name, so the order is stable). */
export function addrmanToJson(stats: AddrManStats): AddrManJson {
  const groups = stats.groups
    .map((g) => ({ group: g.group, new: g.new, tried: g.tried }))
    .sort((a, b) => b.new + b.tried - (a.new + a.tried) || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0))
  return { new: stats.new, tried: stats.tried, groups }
}
