/**
 * A NodeApi for the API tests: chain and mempool calls go to a real LedgerNode
 * on a memory store (so blocks, txs and VerifyErrors are real); the network
 * and the miner are in-memory fakes the tests steer.
 */

import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RpcCode, RpcError } from '../../../src/api/errors.js'
import {
  type AddrManJson,
  accountToJson,
  blockToJson,
  type HeadJson,
  headToJson,
  type MempoolJson,
  type MempoolTxJson,
  mempoolTxToJson,
  type NodeInfoJson,
  type NodeStatusJson,
  type PeerJson,
  type PosValidatorsJson,
  type SubmitTxJson,
  submitResultToJson,
  type TxLookupJson,
  txToJson,
  type ValidatorTxJson,
  type WalletKeyJson,
} from '../../../src/api/json.js'
import type { NodeApi, Unsubscribe, ValidatorBondParams, WalletSendParams } from '../../../src/api/node-api.js'
import { formatAddress } from '../../../src/ledger/address.js'
import type { Block } from '../../../src/ledger/block.js'
import type { KeyPair } from '../../../src/ledger/crypto.js'
import type { Tx } from '../../../src/ledger/tx.js'
import type { LedgerNode } from '../../../src/node/ledger-node.js'
import { ledgerSendContext, notAValidator, notProofOfStake, walletCall } from '../../../src/node/node-api.js'
import { ValidatorTxSigner } from '../../../src/node/validator-tx.js'
import { devAccountKeys, NodeWallet } from '../../../src/node/wallet.js'
import { SimScheduler } from '../../../src/sim/scheduler.js'
import { fromHex } from '../../../src/util/bytes.js'
import { ManualClock } from '../../../src/util/clock.js'
import { minerAddress, openLedgerNode, testGenesis } from '../../helpers/chain.js'

export const FAKE_PEER_ID = '12D3KooWFakeFakeFakeFakeFakeFakeFakeFakeFakeFake'

export class FakeNode implements NodeApi {
  role: 'full' | 'miner' = 'miner'
  mining = false
  peerList: PeerJson[] = [
    {
      id: '12D3KooWPeerOne',
      addresses: ['/ip4/127.0.0.1/tcp/4002'],
      direction: 'outbound',
      group: 'local',
      connectionType: 'full-relay',
      score: 0,
    },
  ]
  addrmanStats: AddrManJson = {
    new: 3,
    tried: 1,
    groups: [
      { group: 'ip4:10.1', new: 2, tried: 1 },
      { group: 'ip4:10.2', new: 1, tried: 0 },
    ],
  }
  readonly bans = new Map<string, string>()
  /** When set, peers() throws it: an internal error the server must not leak. */
  fault?: Error
  /** When set, mempool() ignores its limit and returns this many entries. */
  mempoolOverflow?: number
  /** Resolves connect() calls; tests hold it to keep requests in flight. */
  connectGate: Promise<void> = Promise.resolve()
  readonly headListeners = new Set<(head: HeadJson) => void>()
  readonly txListeners = new Set<(tx: MempoolTxJson) => void>()
  /** The key validator_stake / validator_unstake sign with; unset, the node is no validator. */
  validatorKey?: KeyPair
  /** Every validatorBond call, as the method handed it over. */
  readonly bondCalls: ValidatorBondParams[] = []

  private constructor(
    readonly ledger: LedgerNode,
    readonly clock: ManualClock,
    /** The data directory of `wallet` (its keystore is `<dataDir>/wallet`). */
    readonly dataDir: string,
    /** The wallet's clock and timers (auto-lock, wrong-passphrase rate): tests move it on by hand. */
    readonly walletTime = new SimScheduler(),
    /** A real node wallet holding devnet account 0 unlocked as "devnet-0". */
    readonly wallet = new NodeWallet(dataDir, devAccountKeys([0]), { clock: walletTime, timers: walletTime }),
  ) {
    ledger.chain.onHeadChange((change) => {
      const head = headToJson(change.head, ledger.chain.finalized)
      for (const listener of this.headListeners) listener(head)
    })
  }

  static async open(): Promise<FakeNode> {
    const genesis = testGenesis()
    const clock = new ManualClock(genesis.timestampMs + 1000)
    const dataDir = await mkdtemp(join(tmpdir(), 'peerchain-fake-node-'))
    return new FakeNode(await openLedgerNode({ genesis, clock }), clock, dataDir)
  }

  async close(): Promise<void> {
    this.wallet.close()
    await this.ledger.close()
    await rm(this.dataDir, { recursive: true, force: true })
  }

  /** Mines the mempool's txs into a block on the head. */
  async mine(): Promise<Block> {
    this.clock.advance(1000)
    const block = await this.ledger.mineBlock(minerAddress(100))
    if (!block) throw new Error('mining was cancelled')
    await this.ledger.settled()
    return block
  }

  emitHead(head: HeadJson): void {
    for (const listener of this.headListeners) listener(head)
  }

  // ---- NodeApi ---------------------------------------------------------------

  info(): NodeInfoJson {
    const { chain } = this.ledger
    return {
      peerId: FAKE_PEER_ID,
      chainId: chain.chainId,
      genesisHash: chain.genesisBlock.id,
      listenAddresses: [`/ip4/127.0.0.1/tcp/4001/p2p/${FAKE_PEER_ID}`],
      role: this.role,
      mining: this.mining,
      head: { hash: chain.head.id, height: chain.head.height },
      peers: this.peerList.length,
      version: '0.1.0',
    }
  }

  status(): NodeStatusJson {
    const { chain, mempool } = this.ledger
    const inbound = this.peerList.filter((p) => p.direction === 'inbound').length
    return {
      peerId: FAKE_PEER_ID,
      chainId: chain.chainId,
      version: '0.1.0',
      head: { hash: chain.head.id, height: chain.head.height, timestamp: chain.head.header.timestampMs },
      peers: { inbound, outbound: this.peerList.length - inbound },
      sync: {
        state: 'idle',
        doneHeight: chain.head.height,
        targetHeight: chain.head.height,
        blocksPerSecond: 0,
        etaSeconds: null,
        peer: null,
      },
      mempool: { size: mempool.size, bytes: mempool.bytes },
      mining: { active: this.mining, threads: 1, address: formatAddress(minerAddress(100)) },
      consensus: 'pow',
      finalized: null,
      validator: null,
    }
  }

  peers(): PeerJson[] {
    if (this.fault) throw this.fault
    return this.peerList
  }

  addrman(): AddrManJson {
    return this.addrmanStats
  }

  async connect(multiaddr: string): Promise<{ peerId: string }> {
    await this.connectGate
    const peerId = multiaddr.split('/p2p/')[1]
    if (!peerId) throw new RpcError(RpcCode.INVALID_PARAMS, 'invalid params: "multiaddr" must end in /p2p/<peerId>')
    if (multiaddr.includes('/tcp/9/')) throw new RpcError(RpcCode.NETWORK_ERROR, `dial failed: ${multiaddr}`)
    return { peerId }
  }

  async ban(peerId: string, reason: string): Promise<void> {
    this.bans.set(peerId, reason)
  }

  async unban(peerId: string): Promise<void> {
    this.bans.delete(peerId)
  }

  head(): HeadJson {
    return headToJson(this.ledger.chain.head, this.ledger.chain.finalized)
  }

  async blockByHash(hash: string) {
    const block = await this.ledger.chain.getBlock(hash)
    return block ? blockToJson(block) : null
  }

  async blockAtHeight(height: number) {
    const block = await this.ledger.chain.getBlockAt(height)
    return block ? blockToJson(block) : null
  }

  async account(address: Uint8Array) {
    return accountToJson(address, await this.ledger.chain.getAccount(address))
  }

  async submitTx(tx: Tx): Promise<SubmitTxJson> {
    const result = await this.ledger.submitTx(tx)
    const info = this.ledger.mempool.list().find((e) => e.id === result.id)
    if (info) for (const listener of this.txListeners) listener(mempoolTxToJson(info))
    return submitResultToJson(result)
  }

  async txByHash(hash: string): Promise<TxLookupJson> {
    const pending = this.ledger.mempool.get(hash)
    if (pending) return { status: 'pending', tx: txToJson(pending) }
    const location = await this.ledger.chain.getTxLocation(fromHex(hash))
    const block = location && (await this.ledger.chain.getBlock(location.blockId))
    const tx = location && block?.txs[location.index]
    if (!location || !block || !tx) return { status: 'unknown' }
    return { status: 'included', blockHash: block.id, height: block.height, index: location.index, tx: txToJson(tx) }
  }

  mempool(limit: number): MempoolJson {
    const list = this.ledger.mempool.list()
    if (this.mempoolOverflow !== undefined) {
      const one = list[0]
      if (!one) throw new Error('mempoolOverflow needs one pending tx')
      return {
        size: this.mempoolOverflow,
        txs: Array.from({ length: this.mempoolOverflow }, () => mempoolTxToJson(one)),
      }
    }
    return { size: list.length, txs: list.slice(0, limit).map(mempoolTxToJson) }
  }

  async startMining(): Promise<void> {
    if (this.role !== 'miner') throw new RpcError(RpcCode.UNAVAILABLE, 'this node is not a miner')
    this.mining = true
  }

  async stopMining(): Promise<void> {
    this.mining = false
  }

  async generateBlocks(count: number): Promise<Array<{ hash: string; height: number }>> {
    const mined: Array<{ hash: string; height: number }> = []
    for (let i = 0; i < count; i++) {
      const block = await this.mine()
      mined.push({ hash: block.id, height: block.height })
    }
    return mined
  }

  walletList(): Promise<WalletKeyJson[]> {
    return walletCall(() => this.wallet.list())
  }

  walletUnlock(name: string, passphrase: string, timeoutSec: number): Promise<WalletKeyJson> {
    return walletCall(() => this.wallet.unlock(name, passphrase, timeoutSec))
  }

  async walletLock(name: string): Promise<void> {
    await walletCall(async () => this.wallet.lock(name))
  }

  walletSend(params: WalletSendParams): Promise<SubmitTxJson> {
    return walletCall(() =>
      this.wallet.send(
        params,
        ledgerSendContext(this.ledger, (tx) => this.submitTx(tx)),
      ),
    )
  }

  validatorBond(params: ValidatorBondParams): Promise<ValidatorTxJson> {
    this.bondCalls.push(params)
    if (!this.validatorKey) return Promise.reject(notAValidator(params.kind, this.role))
    const submit = async (tx: Tx) => {
      const { hash, status } = await this.submitTx(tx)
      return { txId: hash, status }
    }
    return new ValidatorTxSigner(this.validatorKey).send(params, ledgerSendContext(this.ledger, submit))
  }

  /** A proof-of-work node: pos_validators is unavailable. Every call's height, as the method handed it over. */
  readonly posValidatorsCalls: Array<number | undefined> = []

  posValidators(height: number | undefined): Promise<PosValidatorsJson> {
    this.posValidatorsCalls.push(height)
    return Promise.reject(notProofOfStake())
  }

  onNewHead(listener: (head: HeadJson) => void): Unsubscribe {
    this.headListeners.add(listener)
    return () => this.headListeners.delete(listener)
  }

  onPendingTx(listener: (tx: MempoolTxJson) => void): Unsubscribe {
    this.txListeners.add(listener)
    return () => this.txListeners.delete(listener)
  }
}
