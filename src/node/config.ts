/** The node's configuration, resolved from flags by the CLI (a config file and env come with the operator issue). */
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { addressFromPublicKey } from '../ledger/address.js'
import { keyPairFromSeed } from '../ledger/crypto.js'
import type { Genesis } from '../ledger/genesis.js'
import type { DandelionSettings } from './dandelion-wiring.js'

/** `light` is started by light/start.ts (headers and proofs), the others by start.ts. */
export type NodeRole = 'full' | 'miner' | 'validator' | 'light'

export interface NodeConfig {
  dataDir: string
  genesis: Genesis
  /** libp2p listen multiaddrs. */
  listen: string[]
  /** Multiaddrs (with /p2p/<id>) dialed at start. */
  bootstrap: string[]
  rpcHost: string
  /** 0 = any free port. */
  rpcPort: number
  /** The RPC server's connection cap (HTTP and WebSocket); default RPC_DEFAULTS.connectionsMax. */
  rpcMaxConnections?: number
  /** Calls per second per remote address; default RPC_DEFAULTS.clientCallsPerSec. */
  rpcRequestsPerSec?: number
  role: NodeRole
  /** Start mining at once (a miner can also be started over RPC). */
  mine: boolean
  mineThreads: number
  /** Address paid for mined blocks; default: a key kept in the data directory. */
  minerAddress?: Uint8Array
  mdns: boolean
  /** Loopback devnets and tests: relax per-IP limits that assume one node per IP. */
  localCluster: boolean
  /** The network lab: 127.A.B.C routable, grouped by 127.A.B (config net.lab). */
  lab?: boolean
  /** An AS map file: mapped peers are grouped by AS (config net.asmap). */
  asmapFile?: string
  /** The lab's links file: every TCP byte shaped by region (config net.lab_links; needs lab). */
  labLinksFile?: string
  /** The pubsub router (config net.gossip); unset: gossipsub. */
  gossip?: 'gossipsub' | 'floodsub'
  /** Compact blocks (config net.compact_blocks); unset: on. */
  compactBlocks?: boolean
  /** Inbound connections from one IP, at most (config net.max_inbound_per_ip); unset: the network's default. */
  inboundPerIpMax?: number
  /** Inbound connections from one network group, at most (config net.max_inbound_per_group). */
  inboundPerGroupMax?: number
  /** A peer without a completed status exchange this long after connecting is cut (config net.status_deadline_ms). */
  statusDeadlineMs?: number
  /** MiB of historical blocks served per 24 h; 0 (or unset) = unlimited. */
  maxUploadMib?: number
  /** Deepest reorg followed (config chain.max_reorg_depth); unset: the chain's default. */
  maxReorgDepth?: number
  /** The event trace's file (config node.trace); unset: no trace. */
  traceFile?: string
  /** Dandelion++ (config section dandelion); unset: off (the simulator and in-process tests). */
  dandelion?: DandelionSettings
  /** Built-in devnet accounts the node holds unlocked in its wallet (devnets only). */
  devAccounts?: number[]
}

export const DEFAULT_LISTEN = ['/ip4/0.0.0.0/tcp/9333', '/ip4/0.0.0.0/tcp/9334/ws']
export const DEFAULT_RPC_PORT = 8645

/** The miner's payout address: a key created once in the data directory (mode 0600). */
export async function minerAddressOf(dataDir: string): Promise<Uint8Array> {
  const path = join(dataDir, 'miner.key')
  let seed: Uint8Array
  try {
    seed = new Uint8Array(Buffer.from((await readFile(path, 'utf8')).trim(), 'hex'))
    if (seed.byteLength !== 32) throw new Error(`${path} does not hold a 32-byte hex seed`)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    seed = new Uint8Array(randomBytes(32))
    await mkdir(dataDir, { recursive: true })
    await writeFile(`${path}.tmp`, Buffer.from(seed).toString('hex'), { mode: 0o600 })
    await rename(`${path}.tmp`, path)
  }
  return addressFromPublicKey(keyPairFromSeed(seed).publicKey)
}
