/**
 * Test doubles for the files exchange: an in-memory block store, UnixFS DAGs
 * made by the real importer, and a fake network of providers under the
 * simulator's virtual time. Each provider serves with the real handler and
 * sends its answers one after another at its own rate (bytes/s) after a
 * fixed latency, so throughput, queues and stalls are exact and repeatable.
 */
import { importBytes } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'
import type { CID } from 'multiformats/cid'
import { createFilesHandler } from '../../../../src/files/exchange/handler.js'
import type { ExchangeStore } from '../../../../src/files/exchange/store.js'
import {
  type PeerIdString,
  RequestError,
  type RequestHandler,
  type RequestLimits,
} from '../../../../src/net/network.js'
import { SimScheduler } from '../../../../src/sim/scheduler.js'

export class MapStore implements ExchangeStore {
  readonly blocks = new Map<string, Uint8Array>()
  puts = 0

  async has(cid: CID): Promise<boolean> {
    return this.blocks.has(cid.toString())
  }
  async get(cid: CID): Promise<Uint8Array | undefined> {
    return this.blocks.get(cid.toString())
  }
  async put(cid: CID, bytes: Uint8Array): Promise<void> {
    this.puts++
    this.blocks.set(cid.toString(), bytes)
  }
  /** The importer's writer. */
  readonly writer = {
    put: (cid: CID, bytes: Uint8Array): CID => {
      this.blocks.set(cid.toString(), bytes)
      return cid
    },
  }
  /** A copy holding only the blocks `keep` accepts. */
  copy(keep: (key: string) => boolean = () => true): MapStore {
    const out = new MapStore()
    for (const [k, v] of this.blocks) if (keep(k)) out.blocks.set(k, v)
    return out
  }
  /** A copy whose listed blocks have their last byte flipped (a liar's store). */
  lyingCopy(keys: Iterable<string>): MapStore {
    const out = this.copy()
    for (const key of keys) {
      const bytes = out.blocks.get(key)
      if (!bytes) continue
      const bad = bytes.slice()
      bad[bad.byteLength - 1] = (bad[bad.byteLength - 1] as number) ^ 0xff
      out.blocks.set(key, bad)
    }
    return out
  }
}

/** Deterministic pseudo-random content. */
export function content(bytes: number, seed = 1): Uint8Array {
  const out = new Uint8Array(bytes)
  let x = seed >>> 0 || 1
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

export interface TestFile {
  root: CID
  data: Uint8Array
  /** Every block of the DAG. */
  store: MapStore
  /** Keys of the raw leaves, in file order. */
  leaves: string[]
}

/** A UnixFS file as `files add` makes it (CIDv1, raw leaves, fixed chunks), with small chunks for speed. */
export async function makeFile(
  bytes: number,
  chunkBytes = 1024,
  maxChildrenPerNode = 1024,
  seed = 1,
): Promise<TestFile> {
  const store = new MapStore()
  const data = content(bytes, seed)
  const { cid } = await importBytes(data, store.writer as never, {
    cidVersion: 1,
    rawLeaves: true,
    chunker: fixedSize({ chunkSize: chunkBytes }),
    layout: balanced({ maxChildrenPerNode }),
  })
  const leaves = [...store.blocks.keys()].filter((k) => k.startsWith('bafkrei'))
  return { root: cid, data, store, leaves }
}

export type Behaviour =
  | { kind: 'honest' }
  /** Its process dies `afterMs` after the network was made: requests in flight then and later fail. */
  | { kind: 'vanish'; afterMs: number }
  /** Answers this many requests, then never answers again. */
  | { kind: 'stall'; afterRequests: number }

export interface FakeProvider {
  id: PeerIdString
  store: ExchangeStore
  /** Upload rate, bytes per virtual second. */
  rateBytesPerSec: number
  latencyMs: number
  behaviour: Behaviour
  /** Requests answered and block bytes sent (answers the requester abandoned included). */
  requests: number
  wantRequests: number
  /** When its upload link is free again. */
  busyUntilMs: number
  handler: RequestHandler
}

/** The fake network: providers by id, one requester, virtual time. */
export class FakeFilesNet {
  readonly sim = new SimScheduler({ seed: 7 })
  readonly startMs = this.sim.nowMs()
  readonly providers = new Map<PeerIdString, FakeProvider>()
  readonly reports: Array<{ peer: PeerIdString; penalty: number; reason: string }> = []
  /** Every request sent, in order: to whom, HAVE or WANT, how many CIDs, when. */
  readonly log: Array<{ peer: PeerIdString; kind: 'have' | 'want'; count: number; atMs: number }> = []
  /** Block requests (WANT) in flight now, and the most at once. */
  wantsInFlight = 0
  wantsInFlightMax = 0

  addProvider(
    id: PeerIdString,
    store: ExchangeStore,
    opts: Partial<Pick<FakeProvider, 'rateBytesPerSec' | 'latencyMs' | 'behaviour'>> = {},
  ): FakeProvider {
    const p: FakeProvider = {
      id,
      store,
      rateBytesPerSec: opts.rateBytesPerSec ?? 10 * 1024 * 1024,
      latencyMs: opts.latencyMs ?? 5,
      behaviour: opts.behaviour ?? { kind: 'honest' },
      requests: 0,
      wantRequests: 0,
      busyUntilMs: 0,
      handler: createFilesHandler(store),
    }
    this.providers.set(id, p)
    return p
  }

  readonly network = {
    reportPeer: (peer: PeerIdString, penalty: number, reason: string): void => {
      this.reports.push({ peer, penalty, reason })
    },
    request: (
      peer: PeerIdString,
      _protocol: string,
      request: Uint8Array,
      limits: RequestLimits,
      signal?: AbortSignal,
    ): Promise<Uint8Array> => this.request(peer, request, limits, signal),
  }

  private async request(
    peer: PeerIdString,
    request: Uint8Array,
    limits: RequestLimits,
    signal?: AbortSignal,
  ): Promise<Uint8Array> {
    const isWant = request[0] === 2
    this.log.push({ peer, kind: isWant ? 'want' : 'have', count: request[1] as number, atMs: this.sim.nowMs() })
    const p = this.providers.get(peer)
    if (!p) throw new RequestError('DIAL_FAILED', `no provider ${peer}`)
    if (isWant) {
      this.wantsInFlight++
      this.wantsInFlightMax = Math.max(this.wantsInFlightMax, this.wantsInFlight)
    }
    try {
      const n = p.requests++
      const diesAtMs = p.behaviour.kind === 'vanish' ? this.startMs + p.behaviour.afterMs : Number.POSITIVE_INFINITY
      if (this.sim.nowMs() >= diesAtMs) {
        await this.delay(1, signal)
        throw new RequestError('DIAL_FAILED', 'connection refused')
      }
      if (p.behaviour.kind === 'stall' && n >= p.behaviour.afterRequests) {
        await this.delay(Number.POSITIVE_INFINITY, signal)
      }
      if (isWant) p.wantRequests++
      const answer = await p.handler(request, 'requester')
      if (answer.byteLength > limits.responseBytesMax) throw new RequestError('TOO_LARGE', 'answer too large')
      // the provider's link sends answers one after another at its rate
      const now = this.sim.nowMs()
      const start = Math.max(now, p.busyUntilMs)
      p.busyUntilMs = start + (answer.byteLength * 1000) / p.rateBytesPerSec
      const arrivesAtMs = p.busyUntilMs + p.latencyMs
      if (arrivesAtMs > diesAtMs) {
        await this.delay(diesAtMs - now, signal)
        throw new RequestError('RESET', 'connection closed')
      }
      await this.delay(arrivesAtMs - now, signal)
      return answer
    } finally {
      if (isWant) this.wantsInFlight--
    }
  }

  private delay(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const fail = (): void => {
        if (handle !== undefined) this.sim.clearTimeout(handle)
        reject(signal?.reason instanceof RequestError ? signal.reason : new RequestError('RESET', 'abandoned'))
      }
      if (signal?.aborted) return fail()
      const handle = Number.isFinite(ms)
        ? this.sim.setTimeout(() => {
            signal?.removeEventListener('abort', fail)
            resolve()
          }, ms)
        : undefined
      signal?.addEventListener('abort', fail, { once: true })
    })
  }
}

/** A provider source that yields these ids at once and ends. */
export const fixedProviders =
  (...ids: PeerIdString[]) =>
  () =>
    ids
