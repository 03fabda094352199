/**
 * The JSON-RPC API of a light node: the same NodeApi the server calls on a
 * full node, answered from the header chain and from proofs. `chain_head`
 * and `node_status` read the header tip; `chain_getAccount` is proven by two
 * full peers of different network groups (`verified: true`, `provenAt`);
 * `tx_submit` publishes to full peers; `tx_get` proves inclusion against a
 * header of our chain; `mempool_list` lists the node's own unproven txs (what
 * `peerchain tx send` needs to step nonces). Everything else (blocks,
 * mining, the node wallet, validators) is RpcCode.UNAVAILABLE with
 * `data.code` "NOT_ON_LIGHT_NODE".
 */
import { RpcCode, RpcError } from '../api/errors.js'
import {
  type AccountJson,
  accountToJson,
  addrmanToJson,
  decimal,
  headToJson,
  type MempoolTxJson,
  type NodeInfoJson,
  type NodeStatusJson,
  peerToJson,
  type SubmitTxJson,
  type TxLookupJson,
  txToJson,
} from '../api/json.js'
import type { NodeApi, Unsubscribe } from '../api/node-api.js'
import { formatAddress } from '../ledger/address.js'
import type { ChainLimits } from '../ledger/limits.js'
import { checkTxSignature, checkTxStateless } from '../ledger/rules/tx.js'
import type { Tx } from '../ledger/tx.js'
import { txKindName } from '../ledger/tx-kind.js'
import type { Network } from '../net/network.js'
import type { SyncStatus } from '../sync/meter.js'
import { fromHex } from '../util/bytes.js'
import type { LightHeaderStore } from './header-store.js'
import type { LightQueries } from './queries.js'
import type { LightTx, LightTxs } from './txs.js'

const VERSION = '0.1.0'

/** `data.code` of a method a light node cannot serve. */
export const NOT_ON_LIGHT_NODE = 'NOT_ON_LIGHT_NODE'

export interface LightApiParts {
  chainId: string
  /** The chain's engine: under proof of stake every header the store holds has a verified commit, so its tip is final. */
  consensus: 'pow' | 'pos'
  genesisId: string
  limits: ChainLimits
  store: Pick<LightHeaderStore, 'tip' | 'onTipChange' | 'onMain'>
  queries: Pick<LightQueries, 'account' | 'tx'>
  txs: LightTxs
  network: Pick<Network, 'peerId' | 'peers' | 'addrman' | 'dial' | 'ban' | 'unban' | 'listenAddresses'>
  syncStatus(): SyncStatus
  log?(level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>): void
}

const notOnLight = (method: string): RpcError =>
  new RpcError(RpcCode.UNAVAILABLE, `${method} is not served by a light node (it keeps headers only)`, {
    code: NOT_ON_LIGHT_NODE,
    role: 'light',
  })

export class LightNodeApi implements NodeApi {
  constructor(private readonly n: LightApiParts) {}

  info(): NodeInfoJson {
    const tip = this.n.store.tip
    return {
      peerId: this.n.network.peerId,
      chainId: this.n.chainId,
      genesisHash: this.n.genesisId,
      listenAddresses: this.n.network.listenAddresses(),
      role: 'light',
      mining: false,
      head: { hash: tip.id, height: tip.height },
      peers: this.n.network.peers().length,
      version: VERSION,
    }
  }

  status(): NodeStatusJson {
    const tip = this.n.store.tip
    const peers = this.n.network.peers()
    const inbound = peers.filter((p) => p.direction === 'inbound').length
    return {
      role: 'light',
      peerId: this.n.network.peerId,
      chainId: this.n.chainId,
      version: VERSION,
      head: { hash: tip.id, height: tip.height, timestamp: tip.header.timestampMs },
      peers: { inbound, outbound: peers.length - inbound },
      sync: this.n.syncStatus(),
      mempool: { size: this.n.txs.size, bytes: this.n.txs.bytes },
      mining: { active: false, threads: 0, address: '' },
      consensus: this.n.consensus,
      finalized: this.n.consensus === 'pos' ? { height: tip.height, hash: tip.id } : null,
      validator: null,
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
    const tip = this.n.store.tip
    return headToJson(tip, this.n.consensus === 'pos' ? tip : undefined)
  }

  async blockByHash(): Promise<never> {
    throw notOnLight('chain_getBlock')
  }

  async blockAtHeight(): Promise<never> {
    throw notOnLight('chain_getBlock')
  }

  async account(address: Uint8Array): Promise<AccountJson> {
    const r = await this.n.queries.account(address)
    if (r.kind === 'verified') {
      return {
        ...accountToJson(address, r.account ?? { balance: 0n, nonce: 0n }),
        verified: true,
        provenAt: { height: r.at.height, hash: r.at.id },
      }
    }
    if (r.kind === 'disagreement') {
      const answers = r.answers.map((a) => ({
        peer: a.peer,
        balance: decimal(a.value.account?.balance ?? 0n),
        nonce: decimal(a.value.account?.nonce ?? 0n),
      }))
      const provenAt = { height: r.at.height, hash: r.at.id }
      this.n.log?.('warn', 'light: peers proved different accounts at one header', {
        address: formatAddress(address),
        provenAt,
        answers,
      })
      throw new RpcError(RpcCode.UNAVAILABLE, 'full peers proved different accounts at one header: not answered', {
        code: 'PEERS_DISAGREE',
        provenAt,
        answers,
      })
    }
    throw new RpcError(RpcCode.UNAVAILABLE, `the account could not be proven: ${r.reason}`, {
      code: 'NOT_PROVEN',
      failures: r.failures.map((f) => ({ peer: f.peer, kind: f.kind, code: f.code })),
    })
  }

  async submitTx(tx: Tx): Promise<SubmitTxJson> {
    // What can be checked without the state, before it goes out under our name.
    checkTxStateless(tx, { chainId: this.n.chainId, limits: this.n.limits, staking: false })
    checkTxSignature(tx)
    const sentTo = await this.n.txs.submit(tx)
    if (sentTo === 0)
      this.n.log?.('info', 'light: tx not yet received by a full peer; publishing it again', { tx: tx.id })
    return { hash: tx.id, status: 'ready' }
  }

  async txByHash(hash: string): Promise<TxLookupJson> {
    const r = await this.n.queries.tx(fromHex(hash))
    if (r.kind === 'included') {
      this.n.txs.forget(hash)
      return {
        status: 'included',
        blockHash: r.at.id,
        height: r.at.height,
        index: r.index,
        tx: txToJson(r.tx),
        verified: true,
      }
    }
    if (r.kind === 'disagreement') {
      this.n.log?.('warn', 'light: peers proved a tx in different blocks of our chain', {
        tx: hash,
        answers: r.answers,
      })
      throw new RpcError(RpcCode.UNAVAILABLE, 'full peers proved the tx in different blocks: not answered', {
        code: 'PEERS_DISAGREE',
        answers: r.answers,
      })
    }
    const own = this.n.txs.get(hash)
    return own ? { status: 'pending', tx: txToJson(own.tx) } : { status: 'unknown' }
  }

  mempool(limit: number) {
    return { size: this.n.txs.size, txs: this.n.txs.list().slice(0, limit).map(ownTxToJson) }
  }

  async startMining(): Promise<never> {
    throw notOnLight('miner_start')
  }

  async stopMining(): Promise<never> {
    throw notOnLight('miner_stop')
  }

  async generateBlocks(): Promise<never> {
    throw notOnLight('miner_generate')
  }

  async walletList(): Promise<never> {
    throw notOnLight('wallet_list')
  }

  async walletUnlock(): Promise<never> {
    throw notOnLight('wallet_unlock')
  }

  async walletLock(): Promise<never> {
    throw notOnLight('wallet_lock')
  }

  async walletSend(): Promise<never> {
    throw notOnLight('wallet_send')
  }

  async validatorBond(): Promise<never> {
    throw notOnLight('validator_stake')
  }

  async posValidators(): Promise<never> {
    throw notOnLight('pos_validators')
  }

  onNewHead(listener: Parameters<NodeApi['onNewHead']>[0]): Unsubscribe {
    return this.n.store.onTipChange((tip) => listener(headToJson(tip, undefined)))
  }

  onPendingTx(listener: Parameters<NodeApi['onPendingTx']>[0]): Unsubscribe {
    return this.n.txs.onSubmit((t) => listener(ownTxToJson(t)))
  }
}

function ownTxToJson(t: LightTx): MempoolTxJson {
  return {
    hash: t.tx.id,
    sender: formatAddress(t.tx.sender),
    nonce: decimal(t.tx.fields.nonce),
    fee: decimal(t.tx.fields.fee),
    status: 'ready',
    kind: txKindName(t.tx.kind),
  }
}

/** As the full node's: net/ refuses a bad ban target or one past its cap with a RangeError. */
function banParamsError(err: unknown): never {
  if (err instanceof RangeError) throw new RpcError(RpcCode.INVALID_PARAMS, `invalid params: ${err.message}`)
  throw err
}
