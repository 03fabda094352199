/**
 * The node's side of the JSON-RPC API: thin calls into the subsystems, JSON
 * shapes from api/json.ts. It is given a table of the parts it calls
 * (`NodeApiParts`), never the node itself.
 */
import { RpcCode, RpcError } from '../api/errors.js'
import {
  accountToJson,
  addrmanToJson,
  blockToJson,
  type HeadJson,
  headToJson,
  type MempoolTxJson,
  mempoolTxToJson,
  type NodeStatusJson,
  type PosValidatorsJson,
  peerToJson,
  submitResultToJson,
  txToJson,
  type ValidatorJson,
  type WalletKeyJson,
} from '../api/json.js'
import type { NodeApi, Unsubscribe, ValidatorBondParams, WalletSendParams } from '../api/node-api.js'
import type { Chain } from '../chain/chain.js'
import { epochOf, firstHeightOf } from '../consensus/pos/epoch.js'
import type { ValidatorSchedule } from '../consensus/pos/schedule.js'
import { isJailed, JAILED_FOREVER } from '../consensus/pos/stake-record.js'
import { formatAddress } from '../ledger/address.js'
import type { Block } from '../ledger/block.js'
import type { Tx } from '../ledger/tx.js'
import type { LightRpcProofs } from '../light/rpc-proofs.js'
import type { AddResult, Mempool } from '../mempool/index.js'
import type { Network } from '../net/network.js'
import type { SyncStatus } from '../sync/meter.js'
import { fromHex, toHex } from '../util/bytes.js'
import { WalletError } from '../wallet/errors.js'
import type { NodeRole } from './config.js'
import type { MinerLoop } from './miner.js'
import type { ValidatorService } from './validator.js'
import type { ValidatorStats } from './validator-stats.js'
import type { ValidatorTxSigner } from './validator-tx.js'
import type { NodeWallet, SendContext } from './wallet.js'

const VERSION = '0.1.0'
/** How many lost races for the head `generateBlocks` tolerates beyond the blocks asked for. */
const GENERATE_RETRIES = 10

/** What the API calls into. */
export interface NodeApiParts {
  chain: Chain
  mempool: Mempool
  network: Pick<Network, 'peerId' | 'peers' | 'addrman' | 'dial' | 'ban' | 'unban' | 'listenAddresses'>
  miner: Pick<MinerLoop, 'active' | 'start' | 'stop'>
  /** Mines one block on the head now; null when another head arrived first. */
  mineBlock(): Promise<Block | null>
  wallet: NodeWallet
  /** Admits a local tx and gossips it; throws VerifyError. */
  submitTx(tx: Tx): Promise<AddResult>
  syncStatus(): SyncStatus
  role: NodeRole
  mineThreads: number
  minerAddress: Uint8Array
  /** Proof of stake with a validator key: the key's address and the service running its BFT rounds. */
  validator?: ValidatorParts
  /** Proof of stake: the schedule of validator sets and the missed-vote tracker (`pos_validators`). */
  pos?: PosParts
  /** The light protocol's proofs, in JSON (`light_accountProof`, `light_txProof`; light/rpc-proofs.ts). */
  proofs?: Pick<LightRpcProofs, 'account' | 'tx'>
}

export interface PosParts {
  schedule: Pick<ValidatorSchedule, 'setAt'>
  /** Blocks per epoch; absent on a chain without stake in its state (the genesis set signs every height). */
  epochLength?: number
  stats: Pick<ValidatorStats, 'missed' | 'coveredHeights'>
}

export interface ValidatorParts {
  address: Uint8Array
  /**
   * The node's one signer of its validator key's txs (PeerchainNode.validatorTxs): the same queue
   * sends the service's evidence txs, so a stake and an evidence tx never race for one nonce.
   */
  signer: Pick<ValidatorTxSigner, 'send'>
  /** Where the service's rounds stand, and the double-sign evidence it kept (the API only counts it). */
  service: { readonly state: ValidatorService['state']; readonly evidenceSeen: ArrayLike<unknown> }
}

export class NodeApiImpl implements NodeApi {
  constructor(private readonly n: NodeApiParts) {}

  info() {
    const { chain } = this.n
    return {
      peerId: this.n.network.peerId,
      chainId: chain.chainId,
      genesisHash: chain.genesisBlock.id,
      listenAddresses: this.n.network.listenAddresses(),
      role: this.n.role,
      mining: this.n.miner.active,
      head: { hash: chain.head.id, height: chain.head.height },
      peers: this.n.network.peers().length,
      version: VERSION,
    }
  }

  status(): NodeStatusJson {
    const { chain, mempool } = this.n
    const head = chain.head
    const peers = this.n.network.peers()
    const inbound = peers.filter((p) => p.direction === 'inbound').length
    return {
      peerId: this.n.network.peerId,
      chainId: chain.chainId,
      version: VERSION,
      head: { hash: head.id, height: head.height, timestamp: head.header.timestampMs },
      peers: { inbound, outbound: peers.length - inbound },
      sync: this.n.syncStatus(),
      mempool: { size: mempool.size, bytes: mempool.bytes },
      mining: {
        active: this.n.miner.active,
        threads: this.n.mineThreads,
        address: formatAddress(this.n.minerAddress),
      },
      // Proof of stake is the engine with BFT finality: the chain knows which one it runs.
      consensus: chain.hasFinality ? 'pos' : 'pow',
      finalized: chain.finalized ? { height: chain.finalized.height, hash: chain.finalized.id } : null,
      validator: this.n.validator ? validatorToJson(this.n.validator, head.height) : null,
    }
  }

  peers() {
    return this.n.network.peers().map(peerToJson)
  }

  addrman() {
    return addrmanToJson(this.n.network.addrman())
  }

  async connect(multiaddr: string) {
    try {
      return { peerId: await this.n.network.dial(multiaddr) }
    } catch (err) {
      throw new RpcError(RpcCode.NETWORK_ERROR, `could not connect to ${multiaddr}: ${(err as Error).message}`)
    }
  }

  async ban(target: string, reason: string) {
    await this.n.network.ban(target, reason).catch(banParamsError)
  }

  async unban(target: string) {
    await this.n.network.unban(target).catch(banParamsError)
  }

  head() {
    const { chain } = this.n
    return headToJson(chain.head, chain.finalized)
  }

  async blockByHash(hash: string) {
    const { chain } = this.n
    // A block that failed validation is kept only to refuse it again: it is not served.
    if (chain.index.get(hash)?.status === 'invalid') return null
    const block = await chain.getBlock(hash)
    return block ? blockToJson(block) : null
  }

  async blockAtHeight(height: number) {
    const block = await this.n.chain.getBlockAt(height)
    return block ? blockToJson(block) : null
  }

  async account(address: Uint8Array) {
    return accountToJson(address, await this.n.chain.getAccount(address))
  }

  async accountProof(address: Uint8Array, at: { hash?: string; height?: number }) {
    return (await this.proofs('light_accountProof').account(address, at)) ?? null
  }

  async txProof(hash: string) {
    return (await this.proofs('light_txProof').tx(hash)) ?? null
  }

  private proofs(method: string): NonNullable<NodeApiParts['proofs']> {
    if (!this.n.proofs) {
      throw new RpcError(RpcCode.UNAVAILABLE, `${method} is not served by this node`, { code: 'NOT_SERVED' })
    }
    return this.n.proofs
  }

  async submitTx(tx: Tx) {
    return submitResultToJson(await this.n.submitTx(tx))
  }

  async txByHash(hash: string) {
    const { chain, mempool } = this.n
    const pending = mempool.get(hash)
    if (pending) return { status: 'pending' as const, tx: txToJson(pending) }
    const at = await chain.getTxLocation(fromHex(hash))
    if (!at) return { status: 'unknown' as const }
    const block = await chain.getBlock(at.blockId)
    const tx = block?.txs[at.index]
    if (!block || !tx) return { status: 'unknown' as const }
    return { status: 'included' as const, blockHash: block.id, height: block.height, index: at.index, tx: txToJson(tx) }
  }

  mempool(limit: number) {
    const { mempool } = this.n
    return { size: mempool.size, txs: mempool.list().slice(0, limit).map(mempoolTxToJson) }
  }

  async startMining() {
    this.n.miner.start()
  }

  async stopMining() {
    await this.n.miner.stop()
  }

  async generateBlocks(count: number) {
    const mined: Array<{ hash: string; height: number }> = []
    // A block from elsewhere can win the race for the head (mineBlock then gives null): try again on the new head.
    for (let attempts = 0; mined.length < count && attempts < count + GENERATE_RETRIES; attempts++) {
      const block = await this.n.mineBlock()
      if (block) mined.push({ hash: block.id, height: block.height })
    }
    if (mined.length < count) {
      throw new RpcError(
        RpcCode.UNAVAILABLE,
        `mined ${mined.length} of ${count} blocks: other blocks kept taking the head`,
        {
          mined,
        },
      )
    }
    return mined
  }

  walletList(): Promise<WalletKeyJson[]> {
    return walletCall(() => this.n.wallet.list())
  }

  walletUnlock(name: string, passphrase: string, timeoutSec: number): Promise<WalletKeyJson> {
    return walletCall(() => this.n.wallet.unlock(name, passphrase, timeoutSec))
  }

  async walletLock(name: string): Promise<void> {
    await walletCall(async () => this.n.wallet.lock(name))
  }

  walletSend(params: WalletSendParams) {
    const submit = async (tx: Tx) => submitResultToJson(await this.n.submitTx(tx))
    return walletCall(() => this.n.wallet.send(params, ledgerSendContext(this.n, submit)))
  }

  validatorBond(params: ValidatorBondParams) {
    const signer = this.n.validator?.signer
    if (!signer) throw notAValidator(params.kind, this.n.role)
    const submit = async (tx: Tx) => {
      const result = await this.n.submitTx(tx)
      return { txId: result.id, status: result.status }
    }
    return signer.send(params, ledgerSendContext(this.n, submit))
  }

  async posValidators(height: number | undefined): Promise<PosValidatorsJson> {
    const { chain, pos } = this.n
    if (!pos) throw notProofOfStake()
    const next = chain.head.height + 1
    const at = height ?? next
    if (at < 1 || at > next) {
      throw new RpcError(RpcCode.INVALID_PARAMS, `invalid params: "height" must be 1 … ${next} (the head + 1)`, {
        param: 'height',
        expected: `an integer from 1 to ${next}`,
      })
    }
    const set = pos.schedule.setAt(at)
    const proposer = set.proposer(0)
    const head = chain.head.height
    const validators = await Promise.all(
      Array.from({ length: set.size }, async (_, i) => {
        const v = set.validator(i)
        const stake = (await chain.getAccount(v.address)).stake
        return {
          address: formatAddress(v.address),
          publicKey: toHex(v.publicKey),
          power: v.power.toString(10),
          stake: (stake?.bonded ?? 0n).toString(10),
          jailed: stake ? isJailed(stake, head + 1) : false,
          tombstoned: stake?.jailedUntil === JAILED_FOREVER,
          proposer: i === proposer,
          missed: pos.stats.missed(v.address),
        }
      }),
    )
    const epochLength = pos.epochLength
    const epoch = epochLength === undefined ? 0 : epochOf(at, epochLength)
    return {
      height: at,
      epoch,
      nextEpochHeight: epochLength === undefined ? null : firstHeightOf(epoch + 1, epochLength),
      totalPower: set.totalPower.toString(10),
      missedWindow: pos.stats.coveredHeights,
      validators,
    }
  }

  onNewHead(listener: (head: HeadJson) => void): Unsubscribe {
    const { chain } = this.n
    const off = chain.onHeadChange((change) => listener(headToJson(change.head, chain.finalized)))
    return () => void off()
  }

  onPendingTx(listener: (tx: MempoolTxJson) => void): Unsubscribe {
    const off = this.n.mempool.onAdded((tx, status) =>
      listener(mempoolTxToJson({ id: tx.id, tx, nonce: tx.fields.nonce, fee: tx.fields.fee, status })),
    )
    return () => void off()
  }
}

/**
 * Where the validator's rounds stand. Before the service starts its first
 * height it has no round state: it is then about to decide the height above
 * the head, at round 0.
 */
export function validatorToJson(validator: ValidatorParts, headHeight: number): ValidatorJson {
  const { address, service } = validator
  const state = service.state
  return {
    address: formatAddress(address),
    height: state ? Number(state.height) : headHeight + 1,
    round: state ? state.round : 0,
    step: state ? state.step : 'starting',
    evidenceSeen: service.evidenceSeen.length,
  }
}

/** What a wallet send needs from the ledger: the chain id, the account nonce at the head, the pool's next nonce. */
export function ledgerSendContext<R>(
  ledger: { chain: Chain; mempool: Mempool },
  submit: (tx: Tx) => Promise<R>,
): SendContext<R> {
  const { chain, mempool } = ledger
  return {
    chainId: chain.chainId,
    accountNonce: async (address) => (await chain.getAccount(address)).nonce,
    nextNonce: (senderHex, accountNonce) => mempool.nextNonce(senderHex, accountNonce),
    submit,
  }
}

/** Wallet failures reach RPC callers as WALLET_ERROR with the reason's code. */
export async function walletCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    if (err instanceof WalletError) throw new RpcError(RpcCode.WALLET_ERROR, err.message, { code: err.code })
    throw err
  }
}

/** What `validator_stake` / `validator_unstake` answer on a node without a validator key. */
export function notAValidator(kind: 'stake' | 'unstake', role: NodeRole): RpcError {
  return new RpcError(
    RpcCode.UNAVAILABLE,
    `not a validator: this node's role is "${role}"; a ${kind} is signed with the validator key of a node started with --role validator`,
    { code: 'NOT_A_VALIDATOR', role },
  )
}

/** What `pos_validators` answers on a proof-of-work node. */
export function notProofOfStake(): RpcError {
  return new RpcError(
    RpcCode.UNAVAILABLE,
    'not a proof-of-stake chain: this node runs proof of work, which has no validators',
    { code: 'NOT_PROOF_OF_STAKE', consensus: 'pow' },
  )
}

/** net/ refuses a ban target that is no peer id or subnet, or a ban beyond its cap, with a RangeError: the caller's params. */
function banParamsError(err: unknown): never {
  if (err instanceof RangeError) throw new RpcError(RpcCode.INVALID_PARAMS, `invalid params: ${err.message}`)
  throw err
}
