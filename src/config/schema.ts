/**
 * The node configuration: one zod schema for the file `peerchain.toml`, the
 * PEERCHAIN_<SECTION>_<KEY> environment variables and the `start` flags. Every
 * default lives here, and so does each key's documentation (the `keyDocs`
 * registry), which the commented template, the errors and docs/CONFIG.md use.
 */
import { isIP } from 'node:net'
import { z } from 'zod'
import { RPC_DEFAULTS } from '../api/server-options.js'
import { parseAddress } from '../ledger/address.js'
import { bootstrapProblem, multiaddrProblem } from '../net/multiaddr-check.js'
import { GOSSIP_ROUTERS, NETWORK_DEFAULTS } from '../net/options.js'
import { DEFAULT_LISTEN, DEFAULT_RPC_PORT } from '../node/config.js'
import { EMBARGO_MEAN_MS } from '../relay/dandelion/embargo.js'
import { LOG_FORMAT_SETTINGS, LOG_LEVELS } from '../util/log.js'

export interface KeyDoc {
  /** What the key does. */
  doc: string
  /** What is accepted, read after "expected" in an error. */
  allowed: string
  /** The `peerchain start` flag that sets it. */
  flag: `--${string}`
  /** For a key without a default: an example value, shown (commented) in the template. */
  example?: string
  /** A file path: relative values are resolved against the config file's directory (env, flags: the cwd). */
  isPath?: boolean
}

export const keyDocs = z.registry<KeyDoc>()

const oneOf = (values: readonly string[]): string => `one of ${values.map((v) => `"${v}"`).join(', ')}`

/** Marks a custom issue whose message says why (the errors show it beside what is allowed). */
export const DETAIL_PARAM = 'peerchainDetail'

/** A string `problem` accepts (returns undefined) or explains. */
const checkedString = (problem: (text: string) => string | undefined) =>
  z.string().check((ctx) => {
    const why = problem(ctx.value)
    if (why !== undefined) {
      ctx.issues.push({ code: 'custom', message: why, input: ctx.value, params: { [DETAIL_PARAM]: true } })
    }
  })

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/

function addressProblem(text: string): string | undefined {
  try {
    parseAddress(text)
    return undefined
  } catch (err) {
    return (err as Error).message
  }
}

/** What node.role accepts; `validator` only with a proof-of-stake genesis, `miner` and `light` only with a proof-of-work one (role-rules.ts). */
export const NODE_ROLES = ['full', 'miner', 'validator', 'light'] as const

const node = z.strictObject({
  role: z
    .enum(NODE_ROLES)
    .default('full')
    .register(keyDocs, {
      doc: 'What the node does: "full" validates, stores and relays the chain; "miner" also mines (proof of work); "validator" takes part in BFT rounds with the key in <datadir>/validator.key (proof of stake: needs a PoS genesis); "light" keeps block headers only and verifies balances and txs with Merkle proofs from full peers (proof of work only).',
      allowed: oneOf(NODE_ROLES),
      flag: '--role',
    }),
  log_level: z
    .enum(LOG_LEVELS)
    .default('info')
    .register(keyDocs, {
      doc: 'The least severe log records written to stderr.',
      allowed: oneOf(LOG_LEVELS),
      flag: '--log-level',
    }),
  log_format: z
    .enum(LOG_FORMAT_SETTINGS)
    .default('auto')
    .register(keyDocs, {
      doc: 'Log format: "pretty" lines for a person, "json" lines for a machine; "auto" is pretty on a terminal, JSON otherwise.',
      allowed: oneOf(LOG_FORMAT_SETTINGS),
      flag: '--log-format',
    }),
  trace: z.string().min(1).optional().register(keyDocs, {
    doc: 'Write the event trace (JSON lines: first-seen txs and blocks with their sender, copies per message, bytes per protocol, peers, head, reorgs, cuts, CPU and RSS; src/trace/format.ts) to this file, appending. The network lab reads it. Unset: no trace.',
    allowed: 'a path to a file',
    flag: '--trace',
    example: 'trace.jsonl',
    isPath: true,
  }),
})

const net = z.strictObject({
  listen: z
    .array(checkedString(multiaddrProblem))
    .min(1)
    .default([...DEFAULT_LISTEN])
    .register(keyDocs, {
      doc: 'libp2p listen addresses (TCP, and WebSocket with /ws).',
      allowed: 'a list of one or more multiaddrs, such as "/ip4/0.0.0.0/tcp/9333"',
      flag: '--listen',
    }),
  bootstrap: z.array(checkedString(bootstrapProblem)).default([]).register(keyDocs, {
    doc: 'Peers dialed at start. Known peers are remembered, so they are needed only for the first start.',
    allowed: 'a list of multiaddrs ending in /p2p/<peer id>, such as "/ip4/203.0.113.7/tcp/9333/p2p/12D3KooW…"',
    flag: '--bootstrap',
  }),
  mdns: z.boolean().default(false).register(keyDocs, {
    doc: 'Find peers on the local network with mDNS.',
    allowed: 'true or false',
    flag: '--mdns',
  }),
  local_cluster: z.boolean().default(false).register(keyDocs, {
    doc: 'Relax the per-IP limits that assume one node per machine (devnets and tests on 127.0.0.1 only).',
    allowed: 'true or false',
    flag: '--local-cluster',
  }),
  max_upload_mib: z
    .int()
    .min(0)
    .max(1 << 30)
    .default(0)
    .register(keyDocs, {
      doc: "Upload cap, as bitcoind's -maxuploadtarget: MiB of historical blocks served to peers per 24 h (0: unlimited). Once reached, only headers and the blocks within 288 of the tip are served.",
      allowed: 'an integer 0-1073741824 (0: unlimited)',
      flag: '--max-upload-mib',
    }),
  lab: z.boolean().default(false).register(keyDocs, {
    doc: 'The network lab: 127.A.B.C addresses count as routable, each 127.A.B its own network group, and a node listening on one such address dials from it. Lets one machine model many networks (tests, devnets); never in production.',
    allowed: 'true or false',
    flag: '--lab',
  }),
  lab_links: z.string().min(1).optional().register(keyDocs, {
    doc: 'Lab only, with net.lab: a links file (JSON: hosts to regions, region latencies, jitter, uplink bandwidth, partition) by which every outgoing TCP byte is delayed and paced; adds the lab_partition admin method. Never in production.',
    allowed: 'a path to a lab links JSON file (needs net.lab = true)',
    flag: '--lab-links',
    example: 'links.json',
    isPath: true,
  }),
  gossip: z
    .enum(GOSSIP_ROUTERS)
    .default('gossipsub')
    .register(keyDocs, {
      doc: 'Pubsub router: "gossipsub", or "floodsub" as a baseline for the network lab (no peer scoring or mesh; messages signed). Every node of a network must use the same one.',
      allowed: oneOf(GOSSIP_ROUTERS),
      flag: '--gossip',
    }),
  compact_blocks: z.boolean().default(true).register(keyDocs, {
    doc: "Compact blocks (BIP152's scheme): new blocks go to peers that speak the protocol as a header, 6-byte short tx ids and the few txs they lack, rebuilt from their mempools; peers that do not speak it get full blocks by gossip. false (`--no-compact-blocks`): this node neither serves nor sends them, and relays full blocks only (a baseline for the lab).",
    allowed: 'true or false',
    flag: '--compact-blocks',
  }),
  asmap: z.string().min(1).optional().register(keyDocs, {
    doc: 'AS map file, as bitcoind\'s -asmap: one "<CIDR> <ASN>" per line; a mapped peer is grouped by its AS number instead of its /16 (IPv4) or /32 (IPv6). Unset: groups by prefix only.',
    allowed: 'a path to an AS map text file',
    flag: '--asmap',
    example: 'asmap.txt',
    isPath: true,
  }),
  max_inbound_per_ip: z.int().min(1).max(1024).default(NETWORK_DEFAULTS.inboundPerIpMax).register(keyDocs, {
    doc: 'Inbound connections accepted from one IP address; more are refused as they arrive.',
    allowed: 'an integer 1-1024',
    flag: '--max-inbound-per-ip',
  }),
  max_inbound_per_group: z.int().min(1).max(1024).default(NETWORK_DEFAULTS.inboundPerGroupMax).register(keyDocs, {
    doc: 'Inbound connections accepted from one network group (an IPv4 /16, an IPv6 /32 or an AS); more are refused as they arrive.',
    allowed: 'an integer 1-1024',
    flag: '--max-inbound-per-group',
  }),
  status_deadline_ms: z.int().min(100).max(600_000).default(NETWORK_DEFAULTS.statusDeadlineMs).register(keyDocs, {
    doc: 'A peer that has not completed the status exchange this many milliseconds after connecting is disconnected.',
    allowed: 'an integer 100-600000 (milliseconds)',
    flag: '--status-deadline-ms',
  }),
})

const rpc = z.strictObject({
  host: z
    .string()
    .refine((v) => isIP(v) !== 0 || HOSTNAME.test(v))
    .default('127.0.0.1')
    .register(keyDocs, {
      doc: 'Address the JSON-RPC server (HTTP and WebSocket) binds to. Anything but loopback exposes the node.',
      allowed: 'an IP address or a host name',
      flag: '--rpc-host',
    }),
  port: z.int().min(0).max(65535).default(DEFAULT_RPC_PORT).register(keyDocs, {
    doc: 'JSON-RPC port; 0 picks any free port (the ready line on stdout says which).',
    allowed: 'an integer 0-65535',
    flag: '--rpc-port',
  }),
  max_connections: z.int().min(4).max(65_536).default(RPC_DEFAULTS.connectionsMax).register(keyDocs, {
    doc: 'Open connections to the JSON-RPC server, HTTP and WebSocket together; one remote address may hold a quarter of them. More are closed at once.',
    allowed: 'an integer 4-65536',
    flag: '--rpc-max-connections',
  }),
  requests_per_sec: z.int().min(1).max(1_000_000).default(RPC_DEFAULTS.clientCallsPerSec).register(keyDocs, {
    doc: 'JSON-RPC calls per second one remote address may make (each call of a batch counts; bursts of 2 s). More are answered HTTP 429.',
    allowed: 'an integer 1-1000000',
    flag: '--rpc-requests-per-sec',
  }),
})

const mining = z.strictObject({
  enabled: z.boolean().default(false).register(keyDocs, {
    doc: 'Mine from the start (this makes the node a miner whatever node.role says).',
    allowed: 'true or false',
    flag: '--mine',
  }),
  threads: z.int().min(1).max(64).default(1).register(keyDocs, {
    doc: 'Mining worker threads.',
    allowed: 'an integer 1-64',
    flag: '--mine-threads',
  }),
  address: checkedString(addressProblem).optional().register(keyDocs, {
    doc: 'Address paid for mined blocks. Unset: a key the node keeps in <datadir>/miner.key.',
    allowed: 'a pc1… address (bech32m)',
    flag: '--miner-address',
    example: 'pc1…',
  }),
})

const chain = z.strictObject({
  genesis: z.string().min(1).optional().register(keyDocs, {
    doc: "Genesis file of the chain to join, relative to this file's directory. Unset: the built-in devnet.",
    allowed: 'a path to a genesis JSON file',
    flag: '--genesis',
    example: 'genesis.json',
    isPath: true,
  }),
  // The chain's DEFAULT_MAX_REORG_DEPTH (a test holds them equal: the schema loads no chain code).
  max_reorg_depth: z.int().min(1).max(1_000_000_000).default(10_000).register(keyDocs, {
    doc: 'Deepest reorg the node follows: a fork further below the head is refused and logged. Raise it to follow a longer partition; a reorg of any depth runs one block at a time.',
    allowed: 'an integer 1-1000000000 (blocks)',
    flag: '--max-reorg-depth',
  }),
})

const dandelion = z.strictObject({
  stem: z.boolean().default(true).register(keyDocs, {
    doc: 'Dandelion++ tx privacy: txs sent from this node (and stem txs peers relay to it) first travel a stem of single hops to random peers, then spread by gossip, so the first node to gossip a tx is most likely not its sender. false (`--no-dandelion`): local txs go straight to gossip, as miners measuring latency may want.',
    allowed: 'true or false',
    flag: '--dandelion',
  }),
  fluff_percent: z.int().min(0).max(100).default(10).register(keyDocs, {
    doc: "Dandelion++'s fluff probability: the chance, drawn once per 10-minute epoch, that this node fluffs (gossips) the stem txs relayed to it instead of passing them on. The stem's mean length is 100 / this many hops.",
    allowed: 'an integer 0-100 (percent)',
    flag: '--fluff-percent',
  }),
  embargo_mean_ms: z.int().min(100).max(3_600_000).default(EMBARGO_MEAN_MS).register(keyDocs, {
    doc: 'Mean of the exponential embargo timer each stem tx gets on each node: if the tx has not come back in gossip when it fires, the node gossips it itself (a dropped stem still reaches the network). Tests shorten it; in production a short embargo exposes senders.',
    allowed: 'an integer 100-3600000 (milliseconds)',
    flag: '--embargo-mean-ms',
  }),
})

const SECTIONS = { node, net, rpc, mining, chain, dandelion }

/** `prefault({})`: an absent section is parsed as an empty one, so its keys get their defaults. */
export const configSchema = z.strictObject({
  node: node.prefault({}),
  net: net.prefault({}),
  rpc: rpc.prefault({}),
  mining: mining.prefault({}),
  chain: chain.prefault({}),
  dandelion: dandelion.prefault({}),
})

export type ConfigValues = z.output<typeof configSchema>
export type SectionName = keyof typeof SECTIONS
export const SECTION_NAMES = Object.keys(SECTIONS) as SectionName[]

/** How a string from the environment or a flag is read for this key. */
export type KeyKind = 'string' | 'integer' | 'boolean' | 'list'

export interface ConfigKey extends KeyDoc {
  section: SectionName
  name: string
  /** 'rpc.port' */
  path: string
  /** 'PEERCHAIN_RPC_PORT' */
  env: string
  kind: KeyKind
  /** Undefined for a key that is unset by default. */
  defaultValue: unknown
}

export const CONFIG_DEFAULTS: ConfigValues = configSchema.parse({})

function kindOf(schema: z.core.$ZodType): KeyKind {
  const def = schema._zod.def
  if ('innerType' in def) return kindOf(def.innerType as z.core.$ZodType)
  if (def.type === 'number') return 'integer'
  if (def.type === 'boolean') return 'boolean'
  if (def.type === 'array') return 'list'
  return 'string'
}

/** Every key, in file order, with its documentation. */
export const CONFIG_KEYS: readonly ConfigKey[] = SECTION_NAMES.flatMap((section) =>
  Object.entries(SECTIONS[section].shape).map(([name, schema]): ConfigKey => {
    const doc = keyDocs.get(schema)
    if (!doc) throw new Error(`config key ${section}.${name} has no documentation`)
    return {
      ...doc,
      section,
      name,
      path: `${section}.${name}`,
      env: `PEERCHAIN_${section}_${name}`.toUpperCase(),
      kind: kindOf(schema),
      defaultValue: (CONFIG_DEFAULTS[section] as Record<string, unknown>)[name],
    }
  }),
)

export const configKey = (path: string): ConfigKey | undefined => CONFIG_KEYS.find((k) => k.path === path)
