/** Fakes for sync tests: a source chain mined in-process, and peers that answer through the real codecs. */
import { Block, Header } from '../../../src/ledger/block.js'
import {
  decodeSyncRequest,
  decodeSyncResponse,
  encodeSyncResponse,
  type SyncRequestFields,
  type SyncResponseFields,
} from '../../../src/ledger/codec/wire-codec.js'
import type { Tx } from '../../../src/ledger/tx.js'
import type { PeerIdString } from '../../../src/net/network.js'
import type { SimScheduler } from '../../../src/sim/scheduler.js'
import { createSyncClient } from '../../../src/sync/client.js'
import { createSyncHandler } from '../../../src/sync/handler.js'
import { SYNC_REQUEST_ITEMS_MAX, SYNC_RESPONSE_BYTES_MAX } from '../../../src/sync/limits.js'
import { buildLocator } from '../../../src/sync/locator.js'
import type { SyncFns } from '../../../src/sync/types.js'
import { bytesToBigint } from '../../../src/util/bytes.js'
import { ManualClock } from '../../../src/util/clock.js'
import { sleep, type Timers } from '../../../src/util/timers.js'
import { minerAddress, openTestChain, type TestChain, transfer } from '../../helpers/chain.js'

/** Like helpers/chain.ts mineBlock, but seals in-process (the test target is met by one hash in two). */
export async function mineFast(t: TestChain, txs: Tx[] = []): Promise<Block> {
  t.clock.advance(1000)
  const { fields, txs: included } = await t.chain.buildBlock({ miner: minerAddress(), txs })
  for (let nonce = 0n; ; nonce++) {
    const header = Header.fromFields({ ...fields, nonce })
    if (bytesToBigint(header.hash) <= header.target) return new Block(header, included)
  }
}

/** A chain of `count` blocks on the test genesis; every 10th block carries a transfer. */
export async function sourceChain(count: number): Promise<{ source: TestChain; blocks: Block[] }> {
  const source = await openTestChain()
  const blocks: Block[] = []
  for (let i = 0; i < count; i++) {
    const txs = i % 10 === 0 ? [transfer(0, 1, BigInt(i / 10))] : []
    const block = await mineFast(source, txs)
    const result = await source.chain.importBlock(block, 'rpc')
    if (result.status !== 'head') throw new Error(`block ${i} did not become the head`)
    blocks.push(block)
  }
  return { source, blocks }
}

/** A chain holding the first `count` of `blocks`, clocked like `source`. */
export async function copyChain(source: TestChain, blocks: Block[], count = blocks.length): Promise<TestChain> {
  const copy = await openTestChain({ clock: new ManualClock(source.clock.nowMs()) })
  for (const block of blocks.slice(0, count)) await copy.chain.importBlock(Block.fromBytes(block.bytes), 'rpc')
  return copy
}

export type Answer = (request: Uint8Array) => Promise<Uint8Array>

/** What the fakes use of a test chain: proof of work (helpers/chain.ts) or proof of stake (helpers/pos-chain.ts). */
export type ServedChain = Pick<TestChain, 'chain' | 'genesis'>

export interface FakePeer {
  id: PeerIdString
  chain: ServedChain
  /** Stands between the request and the real handler: tamper, stall or throw. */
  intercept?: (
    request: SyncRequestFields,
    answer: () => Promise<SyncResponseFields>,
    signal?: AbortSignal,
  ) => Promise<Uint8Array>
  /** Milliseconds of (virtual) latency per answer. */
  latencyMs?: () => number
}

export interface Recorded {
  reports: Array<{ peer: PeerIdString; penalty: number; reason: string }>
  requests: Array<{ peer: PeerIdString; kind: 'headers' | 'blocks'; count: number; topHeight?: number }>
  imports: number[]
}

/**
 * SyncFns of `local` over fake peers; requests and responses go through the
 * real encoders and strict decoders, and each answer waits its peer's latency
 * on `timers` (the test's SimScheduler).
 */
export function fakeFns(local: ServedChain, peers: FakePeer[], timers: Timers): SyncFns & Recorded {
  const byId = new Map(peers.map((p) => [p.id, p]))
  const handlers = new Map(peers.map((p) => [p.id, createSyncHandler(p.chain.chain)]))
  const recorded: Recorded = { reports: [], requests: [], imports: [] }
  const client = createSyncClient(
    async (peerId, bytes, signal) => {
      const peer = byId.get(peerId)
      const handler = handlers.get(peerId)
      if (!peer || !handler) throw new Error(`no peer ${peerId}`)
      const request = decodeSyncRequest(bytes, SYNC_REQUEST_ITEMS_MAX)
      const blocks = request.blockHashes.length > 0
      const top = blocks
        ? peer.chain.chain.index.get(Buffer.from(request.blockHashes.at(-1) as Uint8Array).toString('hex'))?.height
        : undefined
      recorded.requests.push({
        peer: peerId,
        kind: blocks ? 'blocks' : 'headers',
        count: blocks ? request.blockHashes.length : request.max,
        ...(top === undefined ? {} : { topHeight: top }),
      })
      await sleep(timers, peer.latencyMs?.() ?? 0)
      const answer = async () => decodeSyncResponse(await handler(bytes, 'local'), SYNC_RESPONSE_BYTES_MAX, 2000)
      if (peer.intercept) return peer.intercept(request, answer, signal)
      return handler(bytes, 'local')
    },
    { blockLimits: local.genesis.limits, withCommits: local.chain.hasFinality },
  )
  return {
    ...recorded,
    peers: () => peers.map((p) => p.id),
    peerHead: (id) => {
      const head = byId.get(id)?.chain.chain.head
      return head && { height: head.height, totalWork: head.totalWork }
    },
    requestHeaders: client.requestHeaders,
    requestBlocks: client.requestBlocks,
    importBlock: async (block) => {
      recorded.imports.push(block.height)
      return local.chain.importBlock(block, 'sync', block.commit)
    },
    reportPeer: (peer, penalty, reason) => recorded.reports.push({ peer, penalty, reason }),
    localHead: () => {
      const { height, totalWork, id } = local.chain.head
      return { height, totalWork, id }
    },
    locator: () => buildLocator(local.chain),
  }
}

/** Re-encodes a (tampered) response. */
export const encode = (r: SyncResponseFields): Uint8Array => encodeSyncResponse(r)

/** A promise that settles only when `signal` fires (or never): a peer that stalls. */
export function stall(signal?: AbortSignal): Promise<never> {
  return new Promise((_, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted'))))
}

/**
 * Runs the simulation until `promise` settles, and returns it. Fails instead
 * of hanging when nothing is left to run and it is still pending.
 */
export async function drive<T>(s: SimScheduler, promise: Promise<T>): Promise<T> {
  let settled = false
  promise.then(
    () => {
      settled = true
    },
    () => {
      settled = true
    },
  )
  await s.run({ until: () => settled })
  if (!settled) throw new Error(`still pending when the simulation ran out of events at ${s.nowMs()}`)
  return promise
}
