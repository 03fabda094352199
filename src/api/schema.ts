/**
 * Every method's parameters and result, as types: what the typed client
 * checks calls against. docs/API.md describes the same table in prose.
 */

import type {
  FileAddedJson,
  FileDownloadJson,
  FileExportJson,
  FileGcJson,
  FileRootJson,
  FileStatJson,
} from '../files/json.js'
import type {
  AccountJson,
  AccountProofJson,
  AddrManJson,
  BlockJson,
  HeadJson,
  MempoolJson,
  NodeInfoJson,
  NodeStatusJson,
  PeerJson,
  PosValidatorsJson,
  SubmitTxJson,
  TxLookupJson,
  TxProofJson,
  ValidatorTxJson,
  WalletKeyJson,
} from './json.js'
import type { Topic } from './subscriptions.js'

/** A method that takes no parameters. */
export type NoParams = Record<string, never> | undefined

export interface RpcSchema {
  node_info: { params: NoParams; result: NodeInfoJson }
  node_status: { params: NoParams; result: NodeStatusJson }
  net_peers: { params: NoParams; result: PeerJson[] }
  net_addrman: { params: NoParams; result: AddrManJson }
  net_connect: { params: { multiaddr: string }; result: { peerId: string } }
  net_ban: { params: { peerId?: string; subnet?: string; reason?: string }; result: true }
  net_unban: { params: { peerId?: string; subnet?: string }; result: true }
  chain_head: { params: NoParams; result: HeadJson }
  chain_getBlock: { params: { hash: string } | { height: number }; result: BlockJson | null }
  chain_getAccount: { params: { address: string }; result: AccountJson }
  tx_submit: { params: { tx: string }; result: SubmitTxJson }
  tx_get: { params: { hash: string }; result: TxLookupJson }
  mempool_list: { params: { limit?: number } | undefined; result: MempoolJson }
  miner_start: { params: NoParams; result: true }
  miner_stop: { params: NoParams; result: true }
  /** Mines `blocks` (1-100, default 1) blocks on the head now. */
  miner_generate: { params: { blocks?: number } | undefined; result: Array<{ hash: string; height: number }> }
  wallet_list: { params: NoParams; result: WalletKeyJson[] }
  /** `timeout`: seconds until the key locks itself, 1-86400 (default 300). */
  wallet_unlock: { params: { name: string; passphrase: string; timeout?: number }; result: WalletKeyJson }
  wallet_lock: { params: { name: string }; result: true }
  /** `amount` and `fee` are decimal strings of base units; `fee` defaults to 1000. */
  wallet_send: {
    params: { from: string; to: string; amount: string; fee?: string; memo?: string }
    result: SubmitTxJson
  }
  /** A validator node only. `amount` and `fee` are decimal strings of base units; `fee` defaults to 1000. */
  validator_stake: { params: { amount: string; fee?: string }; result: ValidatorTxJson }
  /** As validator_stake: starts unbonding `amount` of the validator's stake. */
  validator_unstake: { params: { amount: string; fee?: string }; result: ValidatorTxJson }
  /** Proof of stake only: the validator set of `height` (1 … head + 1; default head + 1). */
  pos_validators: { params: { height?: number } | undefined; result: PosValidatorsJson }
  /** A full node: an account's Merkle proof at a main-chain block of the last 1,024 (default the head); null past them. */
  light_accountProof: {
    params: { address: string; hash?: string } | { address: string; height?: number }
    result: AccountProofJson | null
  }
  /** A full node: a main-chain tx's inclusion proof; null for a tx not on the main chain. */
  light_txProof: { params: { hash: string }; result: TxProofJson | null }
  /** A node with the file store: imports a path on the node, or base64 `data` (with an optional `name`). */
  files_add: { params: { path: string } | { data: string; name?: string }; result: FileAddedJson }
  /** Starts (or joins) the download of a root; answers its state at once. */
  files_get: { params: { cid: string }; result: FileDownloadJson }
  /** A download's state, read only (never starts one); null when the node knows no download of the root. */
  files_progress: { params: { cid: string }; result: FileDownloadJson | null }
  files_stat: { params: { cid: string }; result: FileStatJson }
  files_list: { params: NoParams; result: FileRootJson[] }
  files_pins: { params: NoParams; result: FileRootJson[] }
  files_pin: { params: { cid: string }; result: FileRootJson }
  files_unpin: { params: { cid: string }; result: FileRootJson }
  files_gc: { params: NoParams; result: FileGcJson }
  files_export: { params: { cid: string; path: string }; result: FileExportJson }
  subscribe: { params: { topic: Topic }; result: string }
  unsubscribe: { params: { subscription: string }; result: boolean }
}

export type RpcMethodName = keyof RpcSchema
export type RpcParamsOf<M extends RpcMethodName> = RpcSchema[M]['params']
export type RpcResultOf<M extends RpcMethodName> = RpcSchema[M]['result']

/** The params argument: optional when the method can be called without any. */
export type RpcParamsArg<M extends RpcMethodName> =
  undefined extends RpcParamsOf<M> ? [params?: RpcParamsOf<M>] : [params: RpcParamsOf<M>]

/** Parameters by name, as any method takes them. */
export type RpcParams = Record<string, unknown>
