/**
 * What one simulation runs: the network (nodes, regions, links, gossip
 * model), the consensus (proof of work with miners, or proof of stake with
 * validators and their BFT timeouts), the load (blocks, tx rate) and a
 * timeline of partitions. Every field
 * has a default, so `peerchain sim` runs with flags alone; a scenario file
 * (TOML) overrides the defaults and flags override the file. One seed and one
 * scenario give one exact run.
 */
import { z } from 'zod'

const partitionSchema = z
  .object({
    /** Virtual seconds from the start when the network splits. */
    at_s: z.number().nonnegative(),
    /** Virtual seconds from the start when it heals. */
    heal_s: z.number().positive(),
    /** Share of the nodes on the first side (the rest are on the second), 0 < f < 1. */
    fraction: z.number().gt(0).lt(1).default(0.5),
    /** Share of the hash power on the first side; default: as the miners fall. */
    hash_fraction: z.number().gt(0).lt(1).optional(),
    /**
     * Connections across the cut close at the split (as keepalives fail in a
     * long partition) and are dialed again at the heal, so the sides greet
     * each other anew (status handshake, then sync). Default: they stay open
     * and lose every packet until the heal.
     */
    redial: z.boolean().default(false),
  })
  .strict()
  .refine((p) => p.heal_s > p.at_s, { message: 'heal_s must be after at_s' })

/** One BFT step's timeout: min(base + round·delta, max) (consensus/bft/timeouts.ts). */
const timeoutSchema = z
  .object({
    base_ms: z.number().int().positive(),
    delta_ms: z.number().int().nonnegative(),
    max_ms: z.number().int().positive(),
  })
  .strict()
  .refine((t) => t.max_ms >= t.base_ms, { message: 'max_ms must be at least base_ms' })

/**
 * Defaults suited to a WAN (one-way 20–140 ms, a block of a few hundred kB):
 * a proposal gets 3 s, a vote step 1 s, each growing 0.5 s a round, capped so
 * a run of offline proposers costs each at most 20 s.
 */
const timeoutsSchema = z
  .object({
    propose: timeoutSchema.default({ base_ms: 3000, delta_ms: 500, max_ms: 10_000 }),
    prevote: timeoutSchema.default({ base_ms: 1000, delta_ms: 500, max_ms: 5000 }),
    precommit: timeoutSchema.default({ base_ms: 1000, delta_ms: 500, max_ms: 5000 }),
  })
  .strict()

/**
 * A validator driven to misbehave (node/validator.ts ValidatorFault):
 * `equivocate` sends a conflicting vote beside each of its votes, `silent`
 * never votes nor proposes, `late` sends each vote `late_ms` after casting it.
 */
const byzantineSchema = z
  .object({
    /** The validator's node index (0 … validators − 1, not an offline one). */
    validator: z.number().int().nonnegative(),
    fault: z.enum(['equivocate', 'silent', 'late']),
    /** Only with fault = "late": how long each vote is held back. */
    late_ms: z.number().int().positive().optional(),
  })
  .strict()
  .refine((b) => (b.fault === 'late') === (b.late_ms !== undefined), {
    message: 'late_ms is required with fault = "late" and allowed with it only',
    path: ['late_ms'],
  })

export const scenarioSchema = z
  .object({
    seed: z.number().int().nonnegative().max(0xffffffff).default(1),
    nodes: z.number().int().min(2).max(100_000).default(100),
    /** The run ends once the best chain holds this many blocks (and a drain period passes). */
    blocks: z.number().int().min(1).max(1_000_000).default(20),
    block_interval_s: z.number().positive().default(10),
    /** Txs per virtual second over the whole network (a Poisson process). */
    tx_rate: z.number().nonnegative().default(1),
    /** Funded accounts the load signs from. */
    senders: z.number().int().min(1).max(100_000).default(200),
    /** Proof of work (miners, modelled hashing) or proof of stake (validators, BFT rounds, final blocks). */
    consensus: z.enum(['pow', 'pos']).default('pow'),
    /** Proof of work: nodes that mine; their hash shares are drawn at random and sum to 1. */
    miners: z.number().int().min(1).default(10),
    /** Proof of stake: nodes 0 … validators − 1 validate, with equal power; the rest are full nodes. Default: every node. */
    validators: z.number().int().min(1).optional(),
    /** Proof of stake: the last this many validators are never started (their power is offline for the whole run). */
    offline_validators: z.number().int().nonnegative().default(0),
    /** Proof of stake: blocks per epoch (the validator set changes, by the stake in the state, at epoch boundaries). */
    epoch_length: z.number().int().min(1).max(1_000_000).default(20),
    /** Proof of stake: validators driven to a fault (each at most once). */
    byzantine: z.array(byzantineSchema).default([]),
    /**
     * Proof of stake: every running validator also dials every other one (as
     * validators keep each other as persistent peers). Full nodes do not relay
     * votes and proposals (only validators subscribe to those topics), so
     * validators that reach each other only through full nodes cannot commit.
     */
    connect_validators: z.boolean().default(false),
    /** Proof of stake: each BFT step's timeout. */
    timeouts: timeoutsSchema.prefault({}),
    outbound_peers: z.number().int().min(1).max(64).default(8),
    gossip: z.enum(['gossipsub', 'flood']).default('gossipsub'),
    /** Link speed of each node, drawn uniformly from this range (Mbit/s). */
    bandwidth_mbps_min: z.number().positive().default(10),
    bandwidth_mbps_max: z.number().positive().default(100),
    jitter_ms: z.number().nonnegative().default(5),
    /** Probability that a gossip message is lost on a link. */
    loss: z.number().min(0).max(0.5).default(0),
    /**
     * Virtual seconds from the start when loss stops (the global stabilisation
     * time); default: loss lasts the whole run. Proof of stake owes no
     * liveness while messages are lost (a lost vote is sent again only by a
     * later round or with a re-proposal),
     * and a height must commit after loss stops.
     */
    loss_until_s: z.number().positive().optional(),
    /** Virtual seconds after the last block for propagation to finish. */
    drain_s: z.number().nonnegative().default(30),
    partitions: z.array(partitionSchema).default([]),
  })
  .strict()
  .refine((s) => s.consensus === 'pos' || s.miners <= s.nodes, {
    message: 'miners must not exceed nodes',
    path: ['miners'],
  })
  .refine((s) => (s.validators ?? s.nodes) <= s.nodes, {
    message: 'validators must not exceed nodes',
    path: ['validators'],
  })
  .refine((s) => s.offline_validators < (s.validators ?? s.nodes), {
    message: 'offline_validators must leave at least one validator running',
    path: ['offline_validators'],
  })
  .refine((s) => s.consensus === 'pos' || (s.validators === undefined && s.offline_validators === 0), {
    message: 'validators and offline_validators need consensus = "pos"',
    path: ['consensus'],
  })
  .refine((s) => s.consensus === 'pos' || !s.connect_validators, {
    message: 'connect_validators needs consensus = "pos"',
    path: ['connect_validators'],
  })
  .refine((s) => s.consensus === 'pos' || s.byzantine.length === 0, {
    message: 'byzantine validators need consensus = "pos"',
    path: ['byzantine'],
  })
  .superRefine((s, ctx) => {
    const validators = s.validators ?? s.nodes
    const seen = new Set<number>()
    s.byzantine.forEach((b, i) => {
      const path = ['byzantine', i, 'validator']
      if (b.validator >= validators) {
        ctx.addIssue({ code: 'custom', path, message: `must name a validator, 0 … ${validators - 1}` })
      } else if (b.validator >= validators - s.offline_validators) {
        ctx.addIssue({ code: 'custom', path, message: `validator ${b.validator} is offline (never started)` })
      }
      if (seen.has(b.validator))
        ctx.addIssue({ code: 'custom', path, message: `validator ${b.validator} is listed twice` })
      seen.add(b.validator)
    })
  })
  .refine((s) => s.bandwidth_mbps_max >= s.bandwidth_mbps_min, {
    message: 'bandwidth_mbps_max must be at least bandwidth_mbps_min',
    path: ['bandwidth_mbps_max'],
  })

export type Scenario = z.output<typeof scenarioSchema>
export type PartitionEvent = Scenario['partitions'][number]
export type ScenarioTimeouts = Scenario['timeouts']
export type ByzantineValidator = Scenario['byzantine'][number]

/** How many nodes validate (proof of stake; 0 under proof of work). */
export function validatorCount(scenario: Scenario): number {
  return scenario.consensus === 'pos' ? (scenario.validators ?? scenario.nodes) : 0
}

/** Whether node `index` runs: every node does, except the offline validators (the last `offline_validators` of them). */
export function isRunning(scenario: Scenario, index: number): boolean {
  const validators = validatorCount(scenario)
  return index < validators - scenario.offline_validators || index >= validators
}

/** The fault scenario `byzantine` drives validator `index` to, if any. */
export function faultOf(scenario: Scenario, index: number): ByzantineValidator | undefined {
  return scenario.byzantine.find((b) => b.validator === index)
}

/** Validators that propose and vote as the protocol says (running, not byzantine). */
export function honestValidatorCount(scenario: Scenario): number {
  return validatorCount(scenario) - scenario.offline_validators - scenario.byzantine.length
}

export class ScenarioError extends Error {
  override readonly name = 'ScenarioError'
}

/** Validates a scenario (from a TOML file, flags, or both merged); every problem is named with its key. */
export function parseScenario(value: unknown): Scenario {
  const result = scenarioSchema.safeParse(value)
  if (result.success) return result.data
  const lines = result.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : 'scenario'}: ${i.message}`)
  throw new ScenarioError(lines.join('\n'))
}
