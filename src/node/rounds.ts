/**
 * The BFT rounds of a proof-of-stake node (ValidatorService): voting, with
 * the validator key, or following without one. A full node follows: it
 * checks and relays votes and proposals (validators behind full nodes,
 * sentry-style, reach each other through it) and imports each block as soon
 * as it sees it decided. A validator also reports double signing in
 * evidence txs, signed by the one ValidatorTxSigner of its key. Either way,
 * a peer whose consensus messages show it ahead of us is synced from.
 */
import type { Chain } from '../chain/chain.js'
import { decodeEvidence } from '../consensus/bft/evidence.js'
import type { TimeoutConfig } from '../consensus/bft/timeouts.js'
import type { ConsensusEngine } from '../consensus/engine.js'
import { PosEngine } from '../consensus/pos/engine.js'
import type { KeyPair } from '../ledger/crypto.js'
import type { Genesis } from '../ledger/genesis.js'
import type { Tx } from '../ledger/tx.js'
import type { Network } from '../net/network.js'
import type { Synchronizer } from '../sync/synchronizer.js'
import type { Clock } from '../util/clock.js'
import type { Logger } from '../util/log.js'
import type { Timers } from '../util/timers.js'
import { TokenBucket } from '../util/token-bucket.js'
import type { LedgerNode } from './ledger-node.js'
import { type ValidatorFault, ValidatorService } from './validator.js'
import { ValidatorTxSigner } from './validator-tx.js'

export interface RoundsDeps {
  engine: ConsensusEngine
  chain: Chain
  ledger: LedgerNode
  network: Network
  timers: Timers
  clock: Clock
  log: Logger
  genesis: Genesis
  /** The validator key: vote with it. Absent: follow (proof of stake) or nothing (proof of work). */
  key?: { key: KeyPair; timeouts?: TimeoutConfig; fault?: ValidatorFault }
  sync: Pick<Synchronizer, 'sync' | 'progress'>
  /** Admits a local tx to the mempool and gossips it. */
  submitTx(tx: Tx): Promise<unknown>
}

/** The rounds service (none under proof of work) and, for a validator, the signer of its own txs. */
export function createRounds(deps: RoundsDeps): { validator?: ValidatorService; signer?: ValidatorTxSigner } {
  const { engine, chain, ledger, network, timers, clock, log, genesis, key, sync } = deps
  if (!(engine instanceof PosEngine)) {
    if (key) throw new Error('a validator needs the proof-of-stake engine')
    return {}
  }
  // A peer whose consensus messages show it ahead of us is synced from: at most one start every 2 s.
  const aheadSyncs = new TokenBucket({ capacity: 1, ratePerSec: 0.5 }, clock)
  const common = {
    chain,
    engine,
    mempool: ledger.mempool,
    net: network,
    timers,
    commitPauseMs: genesis.params.blockTimeMs,
    onAhead: (peer: string): void => {
      if (sync.progress().state === 'idle' && aheadSyncs.tryTake()) void sync.sync(peer)
    },
  }
  if (!key) {
    const validator = new ValidatorService({
      ...common,
      log: log.child({ module: 'rounds' }),
      timeouts: genesis.pos?.timeouts,
    })
    return { validator }
  }
  // Signs the evidence txs the service sends and the API's stakes, one at a time so each takes the next nonce.
  const signer = new ValidatorTxSigner(key.key)
  const validator = new ValidatorService({
    ...common,
    log: log.child({ module: 'validator' }),
    key: key.key,
    timeouts: key.timeouts,
    fault: key.fault,
    submitEvidence: async (payload) => {
      // A block takes evidence of heights below its own only (EVIDENCE_FROM_FUTURE): double signing seen at
      // the height being decided is sent once that height's block is on our chain.
      await headReaches(chain, evidenceHeight(payload))
      const request = { kind: 'evidence' as const, payload, fee: genesis.limits.minFee }
      return signer.send(request, {
        chainId: chain.chainId,
        accountNonce: async (address) => (await chain.getAccount(address)).nonce,
        nextNonce: (senderHex, accountNonce) => ledger.mempool.nextNonce(senderHex, accountNonce),
        submit: (tx) => deps.submitTx(tx),
      })
    },
  })
  return { validator, signer }
}

/** The height evidence names; 0 for a payload that does not decode (the tx rules refuse it, as ever). */
function evidenceHeight(payload: Uint8Array): number {
  try {
    return Number(decodeEvidence(payload).voteA.height)
  } catch {
    return 0
  }
}

/** Resolves once `chain`'s head is at `height` or above. */
function headReaches(chain: Chain, height: number): Promise<void> {
  if (chain.head.height >= height) return Promise.resolve()
  return new Promise((resolve) => {
    const off = chain.onHeadChange((change) => {
      if (change.head.height < height) return
      off()
      resolve()
    })
  })
}
