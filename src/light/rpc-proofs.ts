/**
 * The JSON-RPC face of the light protocol's answers, on a full node:
 * `light_accountProof` and `light_txProof` give a web page (the dashboard,
 * which checks them in the page with verify-browser.ts) the same proofs a
 * light peer gets over `/peerchain/<chainId>/light/1`, built by the same
 * functions (handler.ts answerAccount, answerTx) and in hex. Nothing here is
 * trusted by the one who asks: the header comes with every answer, and the
 * client holds it to a block it knows.
 */
import type { AccountProofJson, TxProofJson } from '../api/json.js'
import { formatAddress } from '../ledger/address.js'
import { Header } from '../ledger/block.js'
import { fromHex, toHex } from '../util/bytes.js'
import { answerAccount, answerTx, type LightSource, type StateProver } from './handler.js'
import { DEFAULT_LIGHT_SERVE_LIMITS, type LightServeLimits } from './limits.js'

export class LightRpcProofs {
  private readonly serve: LightServeLimits

  constructor(
    private readonly chain: LightSource,
    private readonly prover: StateProver,
    limits: Partial<LightServeLimits> = {},
  ) {
    this.serve = { ...DEFAULT_LIGHT_SERVE_LIMITS, ...limits }
  }

  /** At the main-chain block `hash` or `height`, the head without either; null when it cannot be proven there. */
  async account(address: Uint8Array, at: { hash?: string; height?: number } = {}): Promise<AccountProofJson | null> {
    const entry =
      at.hash !== undefined
        ? this.chain.index.get(at.hash)
        : at.height !== undefined
          ? this.chain.index.mainAt(at.height)
          : this.chain.head
    if (!entry) return null
    const r = await answerAccount(this.chain, this.prover, { blockHash: entry.header.hash, address }, this.serve)
    if (r.header.byteLength === 0) return null
    return {
      address: formatAddress(address),
      blockHash: entry.header.id,
      height: entry.header.height,
      header: toHex(r.header),
      proof: r.proof.map(toHex),
      account: toHex(r.account),
    }
  }

  /** `hash`: 64 hex digits. Null for a tx not on the main chain. */
  async tx(hash: string): Promise<TxProofJson | null> {
    const r = await answerTx(this.chain, fromHex(hash))
    if (r.tx.byteLength === 0) return null
    return {
      hash,
      blockHash: toHex(r.blockHash),
      height: Header.fromBytes(r.header).height,
      header: toHex(r.header),
      tx: toHex(r.tx),
      index: r.index,
      txCount: r.txCount,
      path: r.path.map(toHex),
    }
  }
}
