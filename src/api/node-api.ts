/**
 * What the RPC server needs from a node: one small table of calls that return
 * JSON-ready values (see json.ts). The node's composition root implements it;
 * tests pass a fake. The server validates every parameter before calling in,
 * so an implementation receives well-formed arguments only.
 *
 * Errors: `submitTx` throws the mempool's VerifyError (the server turns it
 * into TX_REJECTED with the rule code). For other expected failures throw an
 * `RpcError` (errors.ts), e.g. `RpcCode.NETWORK_ERROR` when a dial fails or
 * `RpcCode.UNAVAILABLE` for `startMining` on a node that cannot mine; it is
 * passed through verbatim. Anything else is answered as an internal error.
 */
import type { Tx } from '../ledger/tx.js'
import type {
  AccountJson,
  AccountProofJson,
  AddrManJson,
  BlockJson,
  HeadJson,
  MempoolJson,
  MempoolTxJson,
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

export type Awaitable<T> = T | Promise<T>

/** Stops the events a hook delivers. */
export type Unsubscribe = () => void

/** A transfer signed by a key the node holds unlocked. */
export interface WalletSendParams {
  /** Key name. */
  from: string
  to: Uint8Array
  amount: bigint
  fee: bigint
  memo: Uint8Array
}

/** A stake or unstake of the node's own validator, signed with its validator key. */
export interface ValidatorBondParams {
  kind: 'stake' | 'unstake'
  /** Base units, at least 1. */
  amount: bigint
  fee: bigint
}

export interface NodeApi {
  info(): Awaitable<NodeInfoJson>
  /** Head, peers, sync progress, mempool, mining, and under proof of stake finality and the validator, at a glance. */
  status(): Awaitable<NodeStatusJson>

  peers(): Awaitable<PeerJson[]>
  /** The address manager's new/tried counts, in total and by network group. */
  addrman(): Awaitable<AddrManJson>
  /** Dials a multiaddr ending in /p2p/<peerId>; resolves with the peer id once connected. */
  connect(multiaddr: string): Promise<{ peerId: string }>
  /** Disconnects and refuses the peer from now on. */
  ban(peerId: string, reason: string): Promise<void>
  unban(peerId: string): Promise<void>

  /** The head, with the last final block (null under proof of work). */
  head(): Awaitable<HeadJson>
  /** `hash` is 64 lower-case hex digits; null when no stored block has it. */
  blockByHash(hash: string): Promise<BlockJson | null>
  /** The main-chain block at `height`; null above the head. */
  blockAtHeight(height: number): Promise<BlockJson | null>
  /** The account at the head; an unknown address reads as balance 0, nonce 0. */
  account(address: Uint8Array): Promise<AccountJson>

  /** Admits a decoded tx to the mempool (and relays it); throws VerifyError on rejection. */
  submitTx(tx: Tx): Promise<SubmitTxJson>
  /** `hash` is 64 lower-case hex digits. */
  txByHash(hash: string): Promise<TxLookupJson>
  /** The pool's size and its oldest `limit` txs. */
  mempool(limit: number): Awaitable<MempoolJson>

  startMining(): Promise<void>
  stopMining(): Promise<void>
  /** Mines `count` blocks on the head, one after another, now (as bitcoind's `generate`): the lab's miners, tests. */
  generateBlocks(count: number): Promise<Array<{ hash: string; height: number }>>

  /**
   * The node's wallet. Wallet failures (wrong passphrase, unknown or locked
   * key) are thrown as `RpcError` with `RpcCode.WALLET_ERROR` and the reason
   * in `data.code`; `walletSend` throws VerifyError like `submitTx`.
   */
  walletList(): Promise<WalletKeyJson[]>
  /** Unlocked for `timeoutSec` (1 to UNLOCK_TIMEOUT_SEC_MAX), then the key locks itself. */
  walletUnlock(name: string, passphrase: string, timeoutSec: number): Promise<WalletKeyJson>
  walletLock(name: string): Promise<void>
  walletSend(params: WalletSendParams): Promise<SubmitTxJson>

  /**
   * Signs a stake or unstake with the node's validator key (its account key
   * too) at its next free nonce and submits it like `submitTx`, which it
   * throws VerifyError as. A node that is not a validator throws `RpcError`
   * `RpcCode.UNAVAILABLE` with `data: {code: 'NOT_A_VALIDATOR', role}`.
   */
  validatorBond(params: ValidatorBondParams): Promise<ValidatorTxJson>

  /**
   * Proof of stake: the validator set of `height` (default: the one above
   * the head), with each validator's stake, jail and missed votes. A height
   * outside 1 … head + 1 throws `RpcError` INVALID_PARAMS; a proof-of-work
   * node throws `RpcError` `RpcCode.UNAVAILABLE` with
   * `data: {code: 'NOT_PROOF_OF_STAKE', consensus: 'pow'}`.
   */
  posValidators(height: number | undefined): Promise<PosValidatorsJson>

  /**
   * A full node: the raw proof of an account at a main-chain block (by hash
   * or height; the head without either) within the light protocol's state
   * window; null for a block unknown, off the main chain or past the window.
   * Optional: a node without it answers -32030 `{code: "NOT_SERVED"}`.
   */
  accountProof?(address: Uint8Array, at: { hash?: string; height?: number }): Promise<AccountProofJson | null>
  /** A full node: the inclusion proof of a main-chain tx (`hash` 64 hex digits); null when there is none. Optional as accountProof. */
  txProof?(hash: string): Promise<TxProofJson | null>

  /** Calls `listener` after every head change (once per change, with the new head and the finalized block as `head()`). */
  onNewHead(listener: (head: HeadJson) => void): Unsubscribe
  /** Calls `listener` for every tx admitted to the mempool. */
  onPendingTx(listener: (tx: MempoolTxJson) => void): Unsubscribe
}
