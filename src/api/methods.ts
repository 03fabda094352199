/**
 * The method table: each handler validates its parameters (params.ts), then
 * makes one NodeApi call. No business logic lives here.
 */
import { isVerifyError, type VerifyError } from '../ledger/errors.js'
import { Tx } from '../ledger/tx.js'
import { UNLOCK_TIMEOUT_SEC_DEFAULT, UNLOCK_TIMEOUT_SEC_MAX } from '../wallet/unlock-limits.js'
import { RpcCode, RpcError } from './errors.js'
import type { MempoolJson } from './json.js'
import type { NodeApi } from './node-api.js'
import type { Params } from './params.js'
import * as check from './params.js'
import { type SubscriptionHost, TOPICS } from './subscriptions.js'

export interface CallContext {
  api: NodeApi
  /** The WebSocket connection the call came on; undefined over HTTP. */
  subscriptions: SubscriptionHost | undefined
}

export type RpcHandler = (params: Params, ctx: CallContext) => unknown

export type MethodTable = ReadonlyMap<string, RpcHandler>

/** `miner_generate` mines at most this many blocks per call. */
export const GENERATE_BLOCKS_MAX = 100
/** `mempool_list` returns at most this many txs. */
export const MEMPOOL_LIST_MAX = 1000
export const BAN_REASON_CHARS_MAX = 256
const SUBSCRIPTION_ID_CHARS_MAX = 64
const PASSPHRASE_CHARS_MAX = 1024
/** `wallet_send`'s fee when none is given, in base units (as `peerchain tx send`). */
export const WALLET_FEE_DEFAULT = 1000n
/** `validator_stake`'s and `validator_unstake`'s fee when none is given, in base units. */
export const VALIDATOR_FEE_DEFAULT = 1000n

function noParams(params: Params): void {
  params.end()
}

/** What `tx_submit` answers when admission (or decoding) fails: the stable rule code is in `data.code`. */
export function txRejected(err: VerifyError): RpcError {
  const reason = err.message.startsWith(`${err.code}: `) ? err.message.slice(err.code.length + 2) : err.message
  return new RpcError(RpcCode.TX_REJECTED, 'transaction rejected', { code: err.code, reason })
}

function requireWebSocket(ctx: CallContext): SubscriptionHost {
  if (!ctx.subscriptions) {
    throw new RpcError(RpcCode.WEBSOCKET_REQUIRED, 'subscriptions need a WebSocket connection')
  }
  return ctx.subscriptions
}

export const RPC_METHODS: MethodTable = new Map<string, RpcHandler>([
  [
    'node_info',
    (p, { api }) => {
      noParams(p)
      return api.info()
    },
  ],
  [
    'node_status',
    (p, { api }) => {
      noParams(p)
      return api.status()
    },
  ],
  [
    'net_peers',
    (p, { api }) => {
      noParams(p)
      return api.peers()
    },
  ],
  [
    'net_addrman',
    (p, { api }) => {
      noParams(p)
      return api.addrman()
    },
  ],
  [
    'net_connect',
    (p, { api }) => {
      const multiaddr = p.required('multiaddr', check.multiaddr)
      p.end()
      return api.connect(multiaddr)
    },
  ],
  [
    'net_ban',
    async (p, { api }) => {
      const target = banTarget(p)
      const reason = p.optional('reason', check.text(BAN_REASON_CHARS_MAX)) ?? 'banned over RPC'
      p.end()
      await api.ban(target, reason)
      return true
    },
  ],
  [
    'net_unban',
    async (p, { api }) => {
      const target = banTarget(p)
      p.end()
      await api.unban(target)
      return true
    },
  ],
  [
    'chain_head',
    (p, { api }) => {
      noParams(p)
      return api.head()
    },
  ],
  [
    'chain_getBlock',
    (p, { api }) => {
      const hash = p.optional('hash', check.hash)
      const height = p.optional('height', check.height)
      p.end()
      if (hash !== undefined && height !== undefined) {
        throw new RpcError(RpcCode.INVALID_PARAMS, 'invalid params: give either "hash" or "height", not both', {
          param: 'height',
          expected: 'absent when "hash" is given',
        })
      }
      if (hash !== undefined) return api.blockByHash(hash)
      if (height !== undefined) return api.blockAtHeight(height)
      throw new RpcError(RpcCode.INVALID_PARAMS, 'invalid params: "hash" or "height" is required', {
        param: 'hash',
        expected: 'a block hash (64 lower-case hex digits), or "height" instead',
      })
    },
  ],
  [
    'chain_getAccount',
    (p, { api }) => {
      const address = p.required('address', check.address)
      p.end()
      return api.account(address)
    },
  ],
  [
    'tx_submit',
    async (p, { api }) => {
      const bytes = p.required('tx', check.txBytes)
      p.end()
      try {
        return await api.submitTx(Tx.fromBytes(bytes))
      } catch (err) {
        if (isVerifyError(err)) throw txRejected(err)
        throw err
      }
    },
  ],
  [
    'tx_get',
    (p, { api }) => {
      const hash = p.required('hash', check.hash)
      p.end()
      return api.txByHash(hash)
    },
  ],
  [
    'mempool_list',
    async (p, { api }): Promise<MempoolJson> => {
      const limit = p.optional('limit', check.integer(1, MEMPOOL_LIST_MAX)) ?? MEMPOOL_LIST_MAX
      p.end()
      const pool = await api.mempool(limit)
      // The bound is the API's promise to clients; hold it whatever the node returns.
      return pool.txs.length > limit ? { size: pool.size, txs: pool.txs.slice(0, limit) } : pool
    },
  ],
  [
    'miner_start',
    async (p, { api }) => {
      noParams(p)
      await api.startMining()
      return true
    },
  ],
  [
    'miner_generate',
    (p, { api }) => {
      const blocks = p.optional('blocks', check.integer(1, GENERATE_BLOCKS_MAX)) ?? 1
      p.end()
      return api.generateBlocks(blocks)
    },
  ],
  [
    'miner_stop',
    async (p, { api }) => {
      noParams(p)
      await api.stopMining()
      return true
    },
  ],
  [
    'wallet_list',
    (p, { api }) => {
      noParams(p)
      return api.walletList()
    },
  ],
  [
    'wallet_unlock',
    (p, { api }) => {
      const name = p.required('name', check.keyName)
      const passphrase = p.required('passphrase', check.text(PASSPHRASE_CHARS_MAX))
      const timeout = p.optional('timeout', check.integer(1, UNLOCK_TIMEOUT_SEC_MAX)) ?? UNLOCK_TIMEOUT_SEC_DEFAULT
      p.end()
      return api.walletUnlock(name, passphrase, timeout)
    },
  ],
  [
    'wallet_lock',
    async (p, { api }) => {
      const name = p.required('name', check.keyName)
      p.end()
      await api.walletLock(name)
      return true
    },
  ],
  [
    'wallet_send',
    async (p, { api }) => {
      const from = p.required('from', check.keyName)
      const to = p.required('to', check.address)
      const amount = p.required('amount', check.baseUnits(1n))
      const fee = p.optional('fee', check.baseUnits(0n)) ?? WALLET_FEE_DEFAULT
      const memo = p.optional('memo', check.memo) ?? new Uint8Array(0)
      p.end()
      try {
        return await api.walletSend({ from, to, amount, fee, memo })
      } catch (err) {
        if (isVerifyError(err)) throw txRejected(err)
        throw err
      }
    },
  ],
  ['validator_stake', (p, { api }) => validatorBond('stake', p, api)],
  ['validator_unstake', (p, { api }) => validatorBond('unstake', p, api)],
  [
    'pos_validators',
    (p, { api }) => {
      const height = p.optional('height', check.height)
      p.end()
      return api.posValidators(height)
    },
  ],
  [
    'light_accountProof',
    (p, { api }) => {
      const address = p.required('address', check.address)
      const hash = p.optional('hash', check.hash)
      const height = p.optional('height', check.height)
      p.end()
      if (hash !== undefined && height !== undefined) {
        throw new RpcError(RpcCode.INVALID_PARAMS, 'invalid params: give "hash" or "height", not both', {
          param: 'height',
          expected: 'absent when "hash" is given',
        })
      }
      if (!api.accountProof) throw notServed('light_accountProof')
      return api.accountProof(address, { hash, height })
    },
  ],
  [
    'light_txProof',
    (p, { api }) => {
      const hash = p.required('hash', check.hash)
      p.end()
      if (!api.txProof) throw notServed('light_txProof')
      return api.txProof(hash)
    },
  ],
  [
    'subscribe',
    (p, ctx) => {
      const topic = p.required('topic', check.oneOf(TOPICS))
      p.end()
      return requireWebSocket(ctx).subscribe(topic)
    },
  ],
  [
    'unsubscribe',
    (p, ctx) => {
      const id = p.required('subscription', check.text(SUBSCRIPTION_ID_CHARS_MAX))
      p.end()
      return requireWebSocket(ctx).unsubscribe(id)
    },
  ],
])

/** A proof method on a node that does not serve proofs (a light node: it holds no state or bodies). */
function notServed(method: string): RpcError {
  return new RpcError(RpcCode.UNAVAILABLE, `${method} is not served by this node (it holds no state to prove from)`, {
    code: 'NOT_SERVED',
  })
}

/** validator_stake / validator_unstake: `{amount, fee?}`, the node signs with its validator key. */
async function validatorBond(kind: 'stake' | 'unstake', p: Params, api: NodeApi) {
  const amount = p.required('amount', check.baseUnits(1n))
  const fee = p.optional('fee', check.baseUnits(0n)) ?? VALIDATOR_FEE_DEFAULT
  p.end()
  try {
    return await api.validatorBond({ kind, amount, fee })
  } catch (err) {
    if (isVerifyError(err)) throw txRejected(err)
    throw err
  }
}

/** net_ban / net_unban name exactly one of `peerId` and `subnet` (an IPv4 or IPv6 CIDR; net/ parses it for real). */
function banTarget(p: Params): string {
  const peerId = p.optional('peerId', check.peerId)
  const subnet = p.optional('subnet', check.text(64))
  if ((peerId === undefined) === (subnet === undefined)) {
    throw new RpcError(RpcCode.INVALID_PARAMS, 'invalid params: give exactly one of "peerId" and "subnet"', {
      param: 'peerId',
      expected: 'a peer id, or "subnet": an IP subnet such as 10.1.0.0/16 or 2001:db8::/32',
    })
  }
  return (peerId ?? subnet) as string
}
