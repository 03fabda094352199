/**
 * A validator's own txs: the operator's stake and unstake (`validator_stake`,
 * `validator_unstake`), and the evidence txs the validator service sends when
 * it sees another validator sign twice. The node signs them with its validator key, since a
 * validator's consensus key is its account key (the stake bonds to the
 * address of the key that signs its votes). Like a wallet send
 * (wallet.ts), a tx takes the key's next free nonce, past its txs already
 * pending, and sends run one at a time so two in a row take consecutive
 * nonces.
 */
import { addressFromPublicKey } from '../ledger/address.js'
import type { KeyPair } from '../ledger/crypto.js'
import { isVerifyError } from '../ledger/errors.js'
import { Tx } from '../ledger/tx.js'
import { TX_KIND } from '../ledger/tx-kind.js'
import { toHex } from '../util/bytes.js'
import type { SendContext } from './wallet.js'

export type BondRequest =
  | {
      kind: 'stake' | 'unstake'
      /** Base units to bond (stake) or start unbonding (unstake). */
      amount: bigint
      fee: bigint
    }
  | {
      kind: 'evidence'
      /** The encoded DuplicateVoteEvidence. */
      payload: Uint8Array
      fee: bigint
    }

export class ValidatorTxSigner {
  readonly address: Uint8Array
  private sending: Promise<unknown> = Promise.resolve()

  constructor(private readonly key: KeyPair) {
    this.address = addressFromPublicKey(key.publicKey)
  }

  /** Signs `request` at the key's next free nonce and submits it through `ctx` (the mempool, like any local tx). */
  send<R>(request: BondRequest, ctx: SendContext<R>): Promise<R> {
    const run = this.sending.then(() => this.signAndSubmit(request, ctx))
    this.sending = run.catch(() => undefined)
    return run
  }

  /** The tx `request` becomes at `nonce`: to the validator's own address, as the stateless rules require. */
  build(request: BondRequest, chainId: string, nonce: bigint): Tx {
    const common = { chainId, recipient: this.address, fee: request.fee, nonce }
    if (request.kind === 'evidence') {
      return Tx.create({ ...common, amount: 0n, kind: TX_KIND.evidence, payload: request.payload }, this.key)
    }
    const kind = request.kind === 'stake' ? TX_KIND.stake : TX_KIND.unstake
    return Tx.create({ ...common, amount: request.amount, kind }, this.key)
  }

  private async signAndSubmit<R>(request: BondRequest, ctx: SendContext<R>): Promise<R> {
    try {
      return await this.signAndSubmitOnce(request, ctx)
    } catch (err) {
      // A block with this key's last tx may have landed between reading the account and the pool: once more.
      if (isVerifyError(err) && err.code === 'TX_NONCE_TOO_LOW') return this.signAndSubmitOnce(request, ctx)
      throw err
    }
  }

  private async signAndSubmitOnce<R>(request: BondRequest, ctx: SendContext<R>): Promise<R> {
    const accountNonce = await ctx.accountNonce(this.address)
    const nonce = ctx.nextNonce(toHex(this.address), accountNonce)
    return ctx.submit(this.build(request, ctx.chainId, nonce))
  }
}
