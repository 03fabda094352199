/**
 * Transaction load: a Poisson process of transfers at the scenario's rate,
 * each signed by a random funded sender with its next nonce and submitted to
 * a random node (as a wallet would submit to its own node). The generator
 * keeps each sender's next nonce itself, like a wallet.
 */
import { addressFromPublicKey } from '../ledger/address.js'
import type { KeyPair } from '../ledger/crypto.js'
import { isVerifyError } from '../ledger/errors.js'
import { Tx } from '../ledger/tx.js'
import { exponential, type Rng } from '../util/rng.js'
import type { Timers } from '../util/timers.js'

export interface LoadDeps {
  rng: Rng
  timers: Timers
  chainId: string
  senders: readonly KeyPair[]
  /** How many nodes may take a submission. */
  nodeCount: number
  /** Submits to node `index`; rejects with the mempool's VerifyError. */
  submit(index: number, tx: Tx): Promise<unknown>
  /** Every submission's outcome: "accepted", the rule code, or "INTERNAL: …" for our own bug. */
  onOutcome(index: number, tx: Tx, outcome: string): void
}

export class TxLoad {
  private readonly nonces: bigint[]
  private readonly recipients: Uint8Array[]
  private timer: unknown
  private stopped = false
  submittedCount = 0

  constructor(
    private readonly deps: LoadDeps,
    private readonly ratePerSec: number,
  ) {
    this.nonces = deps.senders.map(() => 0n)
    this.recipients = deps.senders.map((key) => addressFromPublicKey(key.publicKey))
  }

  start(): void {
    if (this.ratePerSec > 0) this.scheduleNext()
  }

  stop(): void {
    this.stopped = true
    if (this.timer !== undefined) this.deps.timers.clearTimeout(this.timer)
  }

  private scheduleNext(): void {
    const gapMs = exponential(this.deps.rng, 1000 / this.ratePerSec)
    this.timer = this.deps.timers.setTimeout(() => {
      if (this.stopped) return
      this.sendOne()
      this.scheduleNext()
    }, gapMs)
  }

  private sendOne(): void {
    const { rng, senders, chainId, nodeCount } = this.deps
    const from = rng.int(senders.length)
    const nonce = this.nonces[from] as bigint
    this.nonces[from] = nonce + 1n
    const tx = Tx.create(
      {
        chainId,
        recipient: this.recipients[rng.int(this.recipients.length)] as Uint8Array,
        amount: 1_000n + BigInt(rng.int(1_000)),
        fee: 10n + BigInt(rng.int(90)),
        nonce,
      },
      senders[from] as KeyPair,
    )
    const node = rng.int(nodeCount)
    this.submittedCount++
    this.deps.submit(node, tx).then(
      () => this.deps.onOutcome(node, tx, 'accepted'),
      (err: unknown) => {
        // A refused tx leaves its nonce free for the sender's next one.
        if (this.nonces[from] === nonce + 1n) this.nonces[from] = nonce
        // Anything but a rule's verdict is our bug: the world reports it as a failure.
        this.deps.onOutcome(node, tx, isVerifyError(err) ? err.code : `INTERNAL: ${String(err)}`)
      },
    )
  }
}
