/**
 * The lab's nodes as pods on a Kubernetes cluster, for `peerchain lab drive
 * --kubernetes` (the contract is in kubernetes.ts's header). A node pod waits
 * until the driver creates `<run>/up/<pod>` on the shared volume, then starts
 * its node; the driver reaches it over JSON-RPC at `http://<pod host>:8545`
 * with the token the node wrote to `/traces/data/<pod>/rpc.cookie`. A kill
 * removes the `up` file and deletes the pod (grace 0 for SIGKILL); the
 * StatefulSet makes the pod again, and it waits for its next `up`.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { RpcClient } from '../api/client.js'
import { type Fleet, type FleetNode, type FleetNodeSpec, FleetRoster, RPC_TIMEOUT_MS } from './fleet.js'
import type { KubeApi } from './kube-api.js'
import type { KubernetesNode } from './kubernetes.js'

export interface KubernetesFleetOptions {
  /** The run's directory on the shared volume (`/traces/<gossip>`). */
  dir: string
  /** Where the nodes keep their data (`/traces/data`). */
  dataRoot: string
  nodes: readonly KubernetesNode[]
  api: KubeApi
  /** How long a node may take from `up` to answering over RPC. Default 180 s. */
  startTimeoutMs?: number
}

/** A started node whose pod never answered, or a name the map does not hold. */
export class KubernetesFleetError extends Error {
  override name = 'KubernetesFleetError'
}

const POLL_MS = 500

export class KubernetesFleet extends FleetRoster<FleetNode> implements Fleet {
  readonly peerIds = new Map<string, string>()
  readonly crashed: Array<{ name: string; code: number | null; signal: string | null }> = []
  private readonly pods: ReadonlyMap<string, KubernetesNode>

  constructor(private readonly options: KubernetesFleetOptions) {
    super()
    this.pods = new Map(options.nodes.map((n) => [n.name, n]))
  }

  traceOf(name: string): string {
    return this.pod(name).trace
  }

  async start(spec: FleetNodeSpec, bootstrap: string[]): Promise<FleetNode> {
    const pod = this.pod(spec.name)
    const { dir, dataRoot } = this.options
    const cookiePath = join(dataRoot, pod.pod, 'rpc.cookie')
    // The node writes a new cookie at its start: an old one would answer nothing, so it goes first.
    await rm(cookiePath, { force: true })
    await mkdir(join(dir, 'up'), { recursive: true })
    // bootstrap.txt is shared by the run's pods and read once at their start: it names nodes up now.
    await writeFile(join(dir, 'bootstrap.txt'), `${bootstrap.join(' ')}\n`)
    await writeFile(join(dir, 'up', pod.pod), '')
    const deadline = Date.now() + (this.options.startTimeoutMs ?? 180_000)
    for (;;) {
      const token = await readFile(cookiePath, 'utf8').then(
        (t) => t.trim(),
        () => undefined,
      )
      if (token) {
        const rpc = new RpcClient(pod.rpc, { token, timeoutMs: RPC_TIMEOUT_MS })
        const info = await rpc.call('node_info').catch(() => undefined)
        const addr = info?.listenAddresses.find((a) => a.startsWith('/ip4/') || a.startsWith('/ip6/'))
        if (info && addr) {
          const node: FleetNode = { peerId: info.peerId, addr, ip: addr.split('/')[2] as string, rpc }
          this.up.set(spec.name, node)
          this.peerIds.set(spec.name, info.peerId)
          return node
        }
      }
      if (Date.now() > deadline) {
        throw new KubernetesFleetError(`pod ${pod.pod} (${spec.name}) did not answer at ${pod.rpc} in time`)
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    }
  }

  async kill(name: string, signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    const pod = this.pod(name)
    this.up.delete(name)
    await rm(join(this.options.dir, 'up', pod.pod), { force: true })
    // SIGTERM: the pod's default grace, in which the node stops cleanly; SIGKILL: none.
    await this.options.api.deletePod(pod.pod, signal === 'SIGKILL' ? 0 : undefined)
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.upNames().map((name) => this.kill(name, 'SIGTERM')))
  }

  private pod(name: string): KubernetesNode {
    const pod = this.pods.get(name)
    if (!pod) throw new KubernetesFleetError(`no pod for lab node ${name} in the map`)
    return pod
  }
}
