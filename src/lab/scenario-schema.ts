/**
 * The shape of a lab scenario file (TOML), as a zod schema: every key, its
 * type, its range and its default. Keys are snake_case as in the file, and the
 * parsed `Scenario` keeps them. Unknown keys are refused, so a typo is an
 * error rather than a silently ignored setting. What no single key can say
 * (times inside the run, split groups naming known regions and nodes, a heal
 * after a split…) is checked afterwards in scenario-checks.ts.
 *
 *   name = "smoke"                    # names the run and its Kubernetes objects
 *   duration_s = 30                   # wall seconds the timeline runs
 *   seed = 1                          # one seed, one timeline (load, churn picks)
 *   gossip = ["gossipsub"]            # one run per entry: ["gossipsub", "floodsub"] runs both
 *
 *   [network]                         # default: the 6-region WAN table (src/sim/regions.ts)
 *   regions = ["europe", "na-east"]   # a subset of the default table needs no latency_ms
 *   latency_ms = [[20, 45], [45, 20]] # one-way, latency_ms[from][to], 0-10000 ms
 *   jitter_ms = 5
 *   bandwidth_mbit = 100              # each node's uplink unless its group says otherwise
 *
 *   [[nodes]]                         # a group of honest nodes
 *   count = 2
 *   region = "europe"                 # or regions = [...], assigned round-robin
 *   role = "miner"                    # "full" (default) or "miner"
 *   hash_share = 1                    # each miner's share, normalised over all miners
 *   bandwidth_mbit = 50
 *   join_at_s = 0                     # > 0: starts late
 *
 *   [mining]
 *   block_interval_s = 10             # target over all miners
 *
 *   [[load]]                          # txs per second from `senders` funded accounts
 *   tx_rate = 2
 *   senders = 10
 *   from_s = 0
 *   until_s = 30                      # default: the end of the run
 *
 *   [[events]]                        # kind = split | heal | kill | churn
 *   kind = "split"
 *   at_s = 10
 *   groups = [["europe"], ["n3", "n4"]]  # regions or node names; nodes named nowhere form one more group
 *
 *   [[attackers]]                     # kind = junk-gossip | unfunded-flood | sybil-inbound | addr-flood | sync-staller
 *   kind = "sybil-inbound"
 *   count = 1
 *   ip_group = "127.9.9"              # all of them in one /24 (default: each its own 127.<100+k>.0.1)
 *   rate = 10                         # floods: messages per second; sybil-inbound, addr-flood:
 *                                     # identities each attacker keeps up at once (at most 16); not sync-staller
 */
import { z } from 'zod'

/** Honest nodes in one scenario: each needs its own 127.0.<i+1>.1. */
export const NODES_MAX = 250
/** Attackers without an ip_group get 127.<100+k>.0.1. */
export const AUTO_ATTACKERS_MAX = 155
export const DURATION_S_MAX = 86_400
export const LATENCY_MS_MAX = 10_000

export const GOSSIPS = ['gossipsub', 'floodsub'] as const
export const EVENT_KINDS = ['split', 'heal', 'kill', 'churn'] as const
export const ATTACK_KINDS = ['junk-gossip', 'unfunded-flood', 'sybil-inbound', 'addr-flood', 'sync-staller'] as const
export const SIGNALS = ['SIGKILL', 'SIGTERM'] as const

/**
 * Region names also name Kubernetes objects (`<gossip>-<region>`) and DNS
 * labels, and must not read as node names (n3) or attacker names (a0).
 */
const regionName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, {
    error: 'a region name: a lowercase letter, then up to 39 lowercase letters, digits or "-"',
    abort: true,
  })
  .refine((s) => !/^[na]\d+$/.test(s), { error: 'a region name must not look like a node name (n3) or attacker (a0)' })

const seconds = z.number().nonnegative().max(DURATION_S_MAX)
const bandwidthMbit = z.number().positive().max(100_000)
const signal = z.enum(SIGNALS)

const networkSchema = z.strictObject({
  regions: z.array(regionName).min(1).max(64).optional(),
  latency_ms: z.array(z.array(z.number().min(0).max(LATENCY_MS_MAX))).optional(),
  jitter_ms: z.number().min(0).max(1_000).default(5),
  bandwidth_mbit: bandwidthMbit.default(100),
})

const nodeGroupSchema = z.strictObject({
  count: z.int().min(1).max(NODES_MAX),
  region: regionName.optional(),
  regions: z.array(regionName).min(1).optional(),
  role: z.enum(['full', 'miner']).default('full'),
  /** Each miner's weight; the hash power is split over all miners in proportion. Miners only. */
  hash_share: z.number().positive().max(1_000_000).optional(),
  bandwidth_mbit: bandwidthMbit.optional(),
  join_at_s: seconds.default(0),
})

const miningSchema = z.strictObject({
  block_interval_s: z.number().min(0.5).max(3_600).default(10),
})

const loadSchema = z.strictObject({
  tx_rate: z.number().positive().max(10_000),
  senders: z.int().min(1).max(10_000).default(10),
  from_s: seconds.default(0),
  until_s: seconds.optional(),
})

const splitSchema = z.strictObject({
  kind: z.literal('split'),
  at_s: seconds,
  groups: z.array(z.array(z.string()).min(1)).min(1),
})

const healSchema = z.strictObject({
  kind: z.literal('heal'),
  at_s: seconds,
})

const killSchema = z.strictObject({
  kind: z.literal('kill'),
  at_s: seconds,
  nodes: z.array(z.string()).min(1),
  signal: signal.default('SIGKILL'),
  /** Unset: the nodes stay down. */
  restart_after_s: z.number().positive().max(DURATION_S_MAX).optional(),
})

const churnSchema = z.strictObject({
  kind: z.literal('churn'),
  from_s: seconds.default(0),
  until_s: seconds.optional(),
  /** Kills per minute over the whole network, each of a random running node. */
  kills_per_min: z.number().positive().max(600),
  signal: signal.default('SIGKILL'),
  /** How long a killed node stays down before it restarts. */
  down_s: z.number().positive().max(DURATION_S_MAX).default(10),
})

const eventSchema = z.discriminatedUnion('kind', [splitSchema, healSchema, killSchema, churnSchema])

const attackerSchema = z.strictObject({
  kind: z.enum(ATTACK_KINDS),
  count: z.int().min(1).max(254).default(1),
  region: regionName.optional(),
  from_s: seconds.default(0),
  until_s: seconds.optional(),
  /** Per second: junk messages, unfunded txs, inbound connections or addresses. Not for sync-staller. */
  rate: z.number().positive().max(100_000).optional(),
  /** "127.A.B": the attackers are 127.A.B.1, 127.A.B.2, … (A ≥ 1: 127.0.* is the honest nodes'). */
  ip_group: z
    .string()
    .regex(/^127\.(25[0-5]|2[0-4]\d|1?\d?\d)\.(25[0-5]|2[0-4]\d|1?\d?\d)$/, {
      error: 'a /24 on loopback written "127.A.B", e.g. "127.9.9"',
      abort: true,
    })
    .refine((s) => s.split('.')[1] !== '0', { error: '127.0.* is where the honest nodes live: use 127.A.B with A ≥ 1' })
    .optional(),
})

export const scenarioFileSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, { error: 'lowercase letters, digits and "-", at most 40' })
    .optional(),
  duration_s: z.number().positive().max(DURATION_S_MAX),
  seed: z.int().min(0).max(0xffffffff).default(1),
  gossip: z.array(z.enum(GOSSIPS)).min(1).max(2).default(['gossipsub']),
  network: networkSchema.default({ jitter_ms: 5, bandwidth_mbit: 100 }),
  nodes: z.array(nodeGroupSchema).min(1),
  mining: miningSchema.optional(),
  load: z.array(loadSchema).default([]),
  events: z.array(eventSchema).default([]),
  attackers: z.array(attackerSchema).default([]),
})

/** What zod gives before the cross-checks fill in the rest (regions, until_s…). */
export type ScenarioFile = z.output<typeof scenarioFileSchema>
