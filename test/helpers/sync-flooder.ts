/**
 * A sync flooder: a peer on the real libp2p network (createNetwork) that
 * passes the status handshake honestly (our genesis, a head at genesis), then
 * keeps the most streams the server allows open, each asking for the largest
 * block batch (BLOCKS_MAX hashes) of the given heights, again and again. It
 * counts what it gets: answers, blocks and bytes of blocks, and refusals. The
 * sync-flood test runs it in its own process; bench/flood-sync.ts runs it as
 * a child process (see `main` below).
 */
import '../../src/util/shims.js'
import { Header } from '../../src/ledger/block.js'
import { decodeSyncResponse, encodeStatus, encodeSyncRequest } from '../../src/ledger/codec/wire-codec.js'
import { createNetwork } from '../../src/net/libp2p-network.js'
import type { Network } from '../../src/net/network.js'
import { STREAMS_PER_PROTOCOL_MAX } from '../../src/net/request.js'
import { STATUS_LIMITS } from '../../src/relay/status.js'
import { statusProtocol, syncProtocol } from '../../src/relay/topics.js'
import { BLOCKS_MAX, HEADERS_MAX, SYNC_REQUEST_LIMITS, SYNC_RESPONSE_BYTES_MAX } from '../../src/sync/limits.js'
import { DEFAULT_SERVE_QUOTA } from '../../src/sync/serve-quota.js'
import { bigintToBytes, fromHex } from '../../src/util/bytes.js'

export interface FloodCounts {
  /** Block requests sent. */
  requests: number
  /** Requests answered (with any number of blocks). */
  answered: number
  /** Requests that failed: refused (stream reset), timed out, or the connection was gone. */
  failed: number
  blocks: number
  /** Bytes of the blocks received (their encodings, as the server's upload cap counts them, less framing). */
  blockBytes: number
  /** Answers that held none of the blocks asked for (e.g. past the upload cap). */
  empty: number
}

export interface SyncFlooderInit {
  chainId: string
  genesisHash: Uint8Array
  /** The server's multiaddr, with /p2p/<id>. */
  server: string
  /** Streams kept open at once (default: the most the server allows per protocol). */
  streams?: number
}

export class SyncFlooder {
  readonly counts: FloodCounts = { requests: 0, answered: 0, failed: 0, blocks: 0, blockBytes: 0, empty: 0 }
  private running = false
  private workers: Promise<void>[] = []

  private constructor(
    readonly network: Network,
    readonly serverId: string,
    private readonly init: SyncFlooderInit,
  ) {}

  /** Connects to the server and waits until it has our status (we passed the handshake). */
  static async connect(init: SyncFlooderInit): Promise<SyncFlooder> {
    const network = await createNetwork({
      listen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: [init.server],
      chainId: init.chainId,
      localCluster: true,
    })
    const status = encodeStatus({
      chainId: init.chainId,
      genesisHash: init.genesisHash,
      headHash: init.genesisHash,
      headHeight: 0n,
      totalWork: bigintToBytes(1n),
      role: 'full',
    })
    let greeted = false
    await network.handle(
      statusProtocol(init.chainId),
      async () => {
        greeted = true
        return status
      },
      STATUS_LIMITS,
    )
    await network.start()
    const serverId = init.server.split('/p2p/')[1] as string
    const deadline = Date.now() + 15_000
    while (!greeted || !network.peers().some((p) => p.id === serverId)) {
      if (Date.now() > deadline) {
        await network.stop()
        throw new Error('the server never greeted the flooder')
      }
      await new Promise((r) => setTimeout(r, 50))
    }
    return new SyncFlooder(network, serverId, init)
  }

  /** Hashes of the server's main-chain blocks from height 1 (at most HEADERS_MAX), from a headers request. */
  async blockHashes(): Promise<Uint8Array[]> {
    const request = encodeSyncRequest({ locator: [this.init.genesisHash], max: HEADERS_MAX, blockHashes: [] })
    const bytes = await this.network.request(
      this.serverId,
      syncProtocol(this.init.chainId),
      request,
      SYNC_REQUEST_LIMITS,
    )
    return decodeSyncResponse(bytes, SYNC_RESPONSE_BYTES_MAX, HEADERS_MAX).headers.map((h) => Header.fromBytes(h).hash)
  }

  /** Starts the flood: every stream asks for `hashes` (at most BLOCKS_MAX of them) over and over. */
  start(hashes: Uint8Array[]): void {
    if (this.running) return
    this.running = true
    const request = encodeSyncRequest({ locator: [], max: 0, blockHashes: hashes.slice(0, BLOCKS_MAX) })
    const streams = this.init.streams ?? STREAMS_PER_PROTOCOL_MAX
    this.workers = Array.from({ length: streams }, () => this.worker(request))
  }

  async stop(): Promise<void> {
    this.running = false
    await Promise.allSettled(this.workers)
    await this.network.stop()
  }

  /** True while the server keeps us connected (it drops and bans a peer it has charged enough). */
  connected(): boolean {
    return this.network.peers().some((p) => p.id === this.serverId)
  }

  private async worker(request: Uint8Array): Promise<void> {
    const protocol = syncProtocol(this.init.chainId)
    while (this.running) {
      this.counts.requests++
      try {
        const bytes = await this.network.request(this.serverId, protocol, request, SYNC_REQUEST_LIMITS)
        const { blocks } = decodeSyncResponse(bytes, SYNC_RESPONSE_BYTES_MAX, BLOCKS_MAX)
        this.counts.answered++
        this.counts.blocks += blocks.length
        for (const b of blocks) this.counts.blockBytes += b.byteLength
        if (blocks.length === 0) this.counts.empty++
      } catch {
        this.counts.failed++
        // Refused or cut off: ask again at once (a failure can come back without any I/O, so
        // yield to the event loop first), but do not spin on a dead connection.
        await new Promise((r) => (this.connected() ? setImmediate(r) : setTimeout(r, 50)))
      }
    }
  }
}

/** A flooder's final counts, and the cuts of an aggressive one, as the child process prints them. */
export interface FloodReport extends FloodCounts {
  identities: number
  /** Identities that could not connect or pass the handshake. */
  connectFailures: number
  /** Ms from each identity's first request to the server dropping it. */
  cutsMs: number[]
}

export type FloodMode = 'aggressive' | 'polite'

/**
 * Floods until `signal` fires. 'aggressive': every stream the server allows,
 * coming back under a new peer id each time the server drops it (a Sybil).
 * 'polite': as many streams as the server queues (1 + queueMax), never
 * refused, draining its whole quota. `heights` picks the blocks asked for
 * (default: the first BLOCKS_MAX).
 */
export async function flood(
  init: SyncFlooderInit,
  mode: FloodMode,
  signal: AbortSignal,
  pick: (hashes: Uint8Array[]) => Uint8Array[] = (h) => h.slice(0, BLOCKS_MAX),
  /** Called once, when the first identity starts flooding. */
  onFlooding: () => void = () => {},
): Promise<FloodReport> {
  const report: FloodReport = {
    requests: 0,
    answered: 0,
    failed: 0,
    blocks: 0,
    blockBytes: 0,
    empty: 0,
    identities: 0,
    connectFailures: 0,
    cutsMs: [],
  }
  const add = (c: FloodCounts) => {
    for (const k of ['requests', 'answered', 'failed', 'blocks', 'blockBytes', 'empty'] as const) report[k] += c[k]
  }
  const streams = mode === 'polite' ? 1 + DEFAULT_SERVE_QUOTA.queueMax : STREAMS_PER_PROTOCOL_MAX
  let hashes: Uint8Array[] | undefined
  while (!signal.aborted) {
    const f = await SyncFlooder.connect({ ...init, streams }).catch((err: unknown) => {
      if (report.connectFailures++ === 0) process.stderr.write(`flooder: cannot connect: ${String(err)}\n`)
      return undefined
    })
    if (!f) {
      await new Promise((r) => setTimeout(r, 100))
      continue
    }
    report.identities++
    hashes ??= pick(await f.blockHashes())
    const started = performance.now()
    f.start(hashes)
    if (report.identities === 1) onFlooding()
    while (!signal.aborted && f.connected()) await new Promise((r) => setTimeout(r, 10))
    if (!signal.aborted) report.cutsMs.push(performance.now() - started)
    await f.stop()
    add(f.counts)
  }
  return report
}

/**
 * As a child process (bench/flood-sync.ts runs it under `nice`, so on a
 * small machine the attacker's own CPU does not count against the server):
 * `tsx test/helpers/sync-flooder.ts '<json: chainId, genesisHash hex, server, mode>'`.
 * Prints `{"flooding":true}` once it floods; floods until SIGTERM, then prints
 * its FloodReport as one JSON line.
 */
async function main(): Promise<void> {
  const arg = JSON.parse(process.argv[2] ?? '{}') as {
    chainId: string
    genesisHash: string
    server: string
    mode: FloodMode
    historicalBelow?: number
  }
  const stop = new AbortController()
  process.once('SIGTERM', () => stop.abort())
  const pick =
    arg.historicalBelow === undefined
      ? undefined
      : (h: Uint8Array[]) => h.slice(0, Math.min(BLOCKS_MAX, arg.historicalBelow as number))
  const report = await flood(
    { chainId: arg.chainId, genesisHash: fromHex(arg.genesisHash), server: arg.server },
    arg.mode,
    stop.signal,
    pick,
    () => process.stdout.write('{"flooding":true}\n'),
  )
  process.stdout.write(`${JSON.stringify(report)}\n`)
  process.exit(0)
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))) await main()
