/**
 * The lab's chain and its tx load. The lab's genesis funds one account per
 * tx sender (the well-known devnet keys, so nothing here is secret) and sets
 * the proof-of-work target so easy that a block seals in a few hashes: block
 * times come from the lab's seeded schedule (`miner_generate` at the drawn
 * instants), not from CPU luck on a shared machine. Txs are signed here, by
 * the lab, so their ids and send times are known before any node sees them.
 */
import { addressFromPublicKey } from '../ledger/address.js'
import { COIN, devnetGenesis, devnetKey, type Genesis } from '../ledger/genesis.js'
import { Tx } from '../ledger/tx.js'
import type { Scenario } from './scenario.js'

/** Each sender's starting balance. */
const SENDER_BALANCE = 1_000_000n * COIN
/** What every lab tx pays: the wallet's default fee. */
export const LAB_TX_FEE = 1000n

export function labGenesis(opts: { senders: number; blockIntervalMs: number; chainId?: string }): Genesis {
  const base = devnetGenesis(
    {
      blockTimeMs: opts.blockIntervalMs,
      // About one hash in two meets the target: sealing costs nothing, the schedule sets block times.
      initialTarget: 1n << 255n,
      powLimit: (1n << 256n) - 1n,
    },
    opts.chainId ?? 'peerchain-lab',
  )
  return {
    ...base,
    alloc: Array.from({ length: Math.max(1, opts.senders) }, (_, i) => ({
      address: addressFromPublicKey(devnetKey(i).publicKey),
      balance: SENDER_BALANCE,
    })),
  }
}

/** A scenario's genesis: every load's senders funded, the block time its mining interval. */
export function scenarioGenesis(scenario: Pick<Scenario, 'load' | 'mining'>): Genesis {
  return labGenesis({
    senders: scenarioSenders(scenario),
    blockIntervalMs: Math.max(1, scenario.mining?.block_interval_s ?? 0) * 1000,
  })
}

/** How many accounts send the scenario's load (at least one). */
export const scenarioSenders = (scenario: Pick<Scenario, 'load'>): number =>
  Math.max(1, ...scenario.load.map((l) => l.senders))

/**
 * Signs the load's txs: sender after sender in turn, each with its next
 * nonce, paying 1 base unit to the next sender. A tx that no node took is
 * given back (`returnTx`) and its nonce is sent again next, so one failed
 * submission never strands a sender's later txs behind a nonce gap.
 */
export class TxLoad {
  private readonly keys
  private readonly nonces: bigint[]
  private readonly retry: Tx[] = []
  private turn = 0

  constructor(
    private readonly chainId: string,
    senders: number,
  ) {
    this.keys = Array.from({ length: Math.max(1, senders) }, (_, i) => devnetKey(i))
    this.nonces = this.keys.map(() => 0n)
  }

  next(): Tx {
    const again = this.retry.shift()
    if (again) return again
    const from = this.turn
    this.turn = (this.turn + 1) % this.keys.length
    const to = this.keys[(from + 1) % this.keys.length]
    const key = this.keys[from]
    if (!key || !to) throw new Error('unreachable: a sender out of range')
    const nonce = this.nonces[from] ?? 0n
    this.nonces[from] = nonce + 1n
    return Tx.create(
      { chainId: this.chainId, recipient: addressFromPublicKey(to.publicKey), amount: 1n, fee: LAB_TX_FEE, nonce },
      key,
    )
  }

  /** A tx no node accepted: it goes out again before any new one. */
  returnTx(tx: Tx): void {
    this.retry.push(tx)
  }
}
