/**
 * The lab's nodes, by name: a `Fleet` starts, kills (SIGKILL or SIGTERM)
 * and restarts them and reaches each over JSON-RPC. `ProcessFleet` (here)
 * runs each as a real `peerchain start` on its own 127.A.B.C in lab mode,
 * with its link shaper (`--lab-links`), its trace (`--trace`) and the run's
 * gossip protocol, using the token its node wrote to `<datadir>/rpc.cookie`;
 * `KubernetesFleet` (kubernetes-fleet.ts) drives pods on a cluster.
 */
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { RpcClient } from '../api/client.js'
import { type DevnetNode, loopbackNodeArgs, spawnNode, stopNodes } from './node-process.js'
import type { Gossip } from './run-format.js'

export interface FleetNodeSpec {
  name: string
  ip: string
  role: 'full' | 'miner'
}

export interface FleetOptions {
  /** The run directory: node data in `nodes/<name>/`, traces in `traces/<name>.jsonl`, logs in `logs/<name>.log`. */
  dir: string
  genesisPath: string
  gossip: Gossip
  logLevel: string
}

export interface FleetNode {
  peerId: string
  /** Its TCP listen address, with /p2p/<id>. */
  addr: string
  /** The IP its peers see, what `lab_partition` names. */
  ip: string
  rpc: RpcClient
}

export interface Fleet {
  /** Every node's peer id (a node keeps its key across restarts). */
  readonly peerIds: ReadonlyMap<string, string>
  /** Nodes that exited without being asked to (a crash is a finding, not a lab failure). */
  readonly crashed: ReadonlyArray<{ name: string; code: number | null; signal: string | null }>
  isUp(name: string): boolean
  upNames(): string[]
  node(name: string): FleetNode
  /** Starts (or restarts: same data, same key) one node, bootstrapping from the given addresses. */
  start(spec: FleetNodeSpec, bootstrap: string[]): Promise<FleetNode>
  /** SIGTERM waits for a clean stop; SIGKILL is a crash. */
  kill(name: string, signal: 'SIGKILL' | 'SIGTERM'): Promise<void>
  stopAll(): Promise<void>
  /** The node's trace file, relative to the run directory. */
  traceOf(name: string): string
}

interface ProcessNode extends FleetNode {
  process: DevnetNode['process']
}

/**
 * A lab of dozens of nodes on two cores runs its CPU at the limit, above all
 * while they start: a node's answer may take seconds, and that is a figure
 * of the run, not a failure of the lab.
 */
export const READY_MS = 180_000
export const RPC_TIMEOUT_MS = 60_000

/** A node that did not start, or a call to a node that is down. */
export class FleetError extends Error {
  override name = 'FleetError'
}

/** The bookkeeping every fleet shares: which nodes are up, by name. */
export abstract class FleetRoster<N extends FleetNode> {
  protected readonly up = new Map<string, N>()

  isUp(name: string): boolean {
    return this.up.has(name)
  }

  upNames(): string[] {
    return [...this.up.keys()]
  }

  node(name: string): N {
    const node = this.up.get(name)
    if (!node) throw new FleetError(`lab node ${name} is not running`)
    return node
  }
}

export class ProcessFleet extends FleetRoster<ProcessNode> implements Fleet {
  /** Every peer id a node has used (a node keeps its key across restarts: one entry). */
  readonly peerIds = new Map<string, string>()
  /** Nodes that exited without being asked to (a crash is a finding, not a lab failure). */
  readonly crashed: Array<{ name: string; code: number | null; signal: string | null }> = []
  private readonly stopping = new Set<string>()

  constructor(private readonly options: FleetOptions) {
    super()
  }

  traceOf(name: string): string {
    return `traces/${name}.jsonl`
  }

  /** Starts (or restarts: same data directory, same key) one node, bootstrapping from the given addresses. */
  async start(spec: FleetNodeSpec, bootstrap: string[]): Promise<FleetNode> {
    const { dir, genesisPath, gossip, logLevel } = this.options
    const dataDir = join(dir, 'nodes', spec.name)
    await mkdir(join(dir, 'traces'), { recursive: true })
    await mkdir(join(dir, 'logs'), { recursive: true })
    const args = [
      ...loopbackNodeArgs({
        dataDir,
        genesisPath,
        logLevel,
        host: spec.ip,
        lab: true,
        role: spec.role,
        bootstrap,
      }),
      '--lab-links',
      join(dir, 'links', `${spec.name}.json`),
      '--trace',
      join(dir, this.traceOf(spec.name)),
      '--gossip',
      gossip,
      // The lab times relay from each tx's sender (its trace's `local` first sight); Dandelion++'s
      // stem would move that sight to wherever the stem ends. Its figures are the simulator's
      // (bench relay-dandelion).
      '--no-dandelion',
    ]
    let started: Awaited<ReturnType<typeof spawnNode>>
    try {
      started = await spawnNode(args, join(dir, 'logs', `${spec.name}.log`), READY_MS)
    } catch (err) {
      throw new FleetError(`lab node ${spec.name} (${spec.ip}) did not start: ${(err as Error).message}`)
    }
    const token = (await readFile(join(dataDir, 'rpc.cookie'), 'utf8')).trim()
    const addr = started.listen.find((a) => a.startsWith(`/ip4/${spec.ip}/tcp/`)) ?? started.listen[0]
    if (!addr) throw new FleetError(`lab node ${spec.name} listens nowhere`)
    const node: ProcessNode = {
      peerId: started.peerId,
      addr,
      ip: spec.ip,
      rpc: new RpcClient(started.rpc, { token, timeoutMs: RPC_TIMEOUT_MS }),
      process: started.process,
    }
    this.up.set(spec.name, node)
    this.peerIds.set(spec.name, started.peerId)
    started.process.once('exit', (code, signal) => {
      if (this.up.get(spec.name) === node) this.up.delete(spec.name)
      if (!this.stopping.has(spec.name)) this.crashed.push({ name: spec.name, code, signal })
    })
    return node
  }

  /** Stops one node: SIGTERM waits for its clean stop (SIGKILL after 10 s), SIGKILL is a crash. */
  async kill(name: string, signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    const node = this.up.get(name)
    if (!node) return
    this.stopping.add(name)
    try {
      if (signal === 'SIGTERM') await stopNodes([node])
      else
        await new Promise<void>((resolve) => {
          node.process.once('exit', () => resolve())
          node.process.kill('SIGKILL')
        })
    } finally {
      this.up.delete(name)
      this.stopping.delete(name)
    }
  }

  async stopAll(): Promise<void> {
    const nodes = [...this.up.entries()]
    for (const [name] of nodes) this.stopping.add(name)
    await stopNodes(nodes.map(([, n]) => n))
    this.up.clear()
  }
}
