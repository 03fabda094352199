/**
 * The consensus side of a simulated node, by the scenario's `consensus`:
 * proof of work gives a few nodes a hash share and the modelled miner
 * (engine.ts); proof of stake gives every node its own PosEngine over the
 * genesis validators, and the validators their key and the scenario's BFT
 * timeouts. The rest of a node (store, network, chain, relay, sync) is built
 * the same way under both.
 */
import type { TimeoutConfig } from '../consensus/bft/timeouts.js'
import type { ConsensusEngine } from '../consensus/engine.js'
import { genesisValidators, posEngineOf } from '../consensus/pos/genesis-set.js'
import { addressFromPublicKey } from '../ledger/address.js'
import type { KeyPair } from '../ledger/crypto.js'
import type { Genesis } from '../ledger/genesis.js'
import type { NodeInit } from '../node/node.js'
import type { ValidatorFault } from '../node/validator.js'
import { toHex } from '../util/bytes.js'
import { exponential } from '../util/rng.js'
import { SimPowEngine } from './engine.js'
import { simGenesis, simMinerAddress, simPosGenesis, simValidatorKey } from './genesis.js'
import {
  type ByzantineValidator,
  faultOf,
  isRunning,
  type Scenario,
  type ScenarioTimeouts,
  validatorCount,
} from './scenario.js'
import type { SimScheduler } from './scheduler.js'

/** What createNode needs that depends on the consensus. */
export interface SimNodeConsensus {
  engine: ConsensusEngine
  init: Pick<NodeInit, 'role' | 'mine' | 'minerAddress' | 'validator'>
  /** Share of the network's hash power (0 for a node that does not mine; 0 under proof of stake). */
  hashShare: number
  /** Voting power (0 for a node that does not validate; 0 under proof of work). */
  power: bigint
  /** False for an offline validator: built, never started. */
  running: boolean
  /** Proof of stake: the fault this validator is driven to (absent: honest). */
  fault?: ValidatorFault
}

export interface SimConsensus {
  nodeConsensus(index: number): SimNodeConsensus
}

/** The run's genesis: proof of work's, or proof of stake's fixed target. */
export function simGenesisOf(scenario: Scenario, senders: readonly KeyPair[]): Genesis {
  const blockIntervalMs = scenario.block_interval_s * 1000
  if (scenario.consensus === 'pow') return simGenesis(senders, blockIntervalMs)
  const keys = Array.from({ length: validatorCount(scenario) }, (_, i) => simValidatorKey(i))
  return simPosGenesis(senders, blockIntervalMs, keys, bftTimeouts(scenario.timeouts), scenario.epoch_length)
}

/**
 * Builds the run's consensus. Under proof of work it draws the hash shares
 * from the scheduler's RNG at once, so it must be called where the world
 * always drew them (before the nodes' regions and links): a seed's trace
 * stays the same.
 */
export function simConsensus(scenario: Scenario, genesis: Genesis, scheduler: SimScheduler): SimConsensus {
  return scenario.consensus === 'pos' ? posConsensus(scenario, genesis) : powConsensus(scenario, genesis, scheduler)
}

function powConsensus(scenario: Scenario, genesis: Genesis, scheduler: SimScheduler): SimConsensus {
  const blockIntervalMs = scenario.block_interval_s * 1000
  const shares = drawHashShares(scenario, scheduler.rng)
  return {
    nodeConsensus(index) {
      const hashShare = shares.get(index) ?? 0
      const engine = new SimPowEngine(
        { clock: scheduler, timers: scheduler, rng: scheduler.rng },
        { params: genesis.params, hashShare, blockIntervalMs },
      )
      const mine = hashShare > 0
      return {
        engine,
        init: { role: mine ? 'miner' : 'full', mine, minerAddress: simMinerAddress(index) },
        hashShare,
        power: 0n,
        running: true,
      }
    },
  }
}

function posConsensus(scenario: Scenario, genesis: Genesis): SimConsensus {
  const keys = Array.from({ length: validatorCount(scenario) }, (_, i) => simValidatorKey(i))
  // The genesis set's power by address: what the epoch rules give each genesis stake.
  const powers = new Map(genesisValidators(genesis).map((v) => [toHex(v.address), v.power]))
  const timeouts = bftTimeouts(scenario.timeouts)
  return {
    nodeConsensus(index) {
      // Each node its own engine, as each process has: the validator schedule is per node.
      const engine = posEngineOf(genesis)
      const key = keys[index]
      const running = isRunning(scenario, index)
      if (!key) {
        return {
          engine,
          init: { role: 'full', mine: false, minerAddress: simMinerAddress(index) },
          hashShare: 0,
          power: 0n,
          running,
        }
      }
      const address = addressFromPublicKey(key.publicKey)
      const byzantine = faultOf(scenario, index)
      const fault = byzantine && validatorFault(byzantine)
      return {
        engine,
        init: {
          role: 'full',
          mine: false,
          minerAddress: address,
          validator: fault ? { key, timeouts, fault } : { key, timeouts },
        },
        hashShare: 0,
        power: powers.get(toHex(address)) ?? 0n,
        running,
        ...(fault && { fault }),
      }
    },
  }
}

/** A scenario's `byzantine` entry as the validator service takes it. */
export function validatorFault(b: ByzantineValidator): ValidatorFault {
  if (b.fault === 'late') return { kind: 'late', lateMs: b.late_ms ?? 0 }
  return { kind: b.fault }
}

/** The scenario's timeouts (snake_case, from TOML) as the round machine takes them. */
export function bftTimeouts(t: ScenarioTimeouts): TimeoutConfig {
  const step = (s: ScenarioTimeouts['propose']) => ({ baseMs: s.base_ms, deltaMs: s.delta_ms, maxMs: s.max_ms })
  return { propose: step(t.propose), prevote: step(t.prevote), precommit: step(t.precommit) }
}

/** The longest one round can wait on its timeouts (every step at its cap). */
export function roundMsMax(t: ScenarioTimeouts): number {
  return t.propose.max_ms + t.prevote.max_ms + t.precommit.max_ms
}

/**
 * Which nodes mine and with what share: `miners` distinct nodes, with shares
 * drawn as exponentials and normalised, so a few large miners and a tail of
 * small ones, like mining pools.
 */
function drawHashShares(scenario: Scenario, rng: SimScheduler['rng']): Map<number, number> {
  const chosen = new Set<number>()
  while (chosen.size < scenario.miners) chosen.add(rng.int(scenario.nodes))
  const weights = [...chosen].sort((a, b) => a - b).map((index) => ({ index, w: exponential(rng, 1) }))
  const total = weights.reduce((sum, x) => sum + x.w, 0)
  return new Map(weights.map(({ index, w }) => [index, w / total]))
}
