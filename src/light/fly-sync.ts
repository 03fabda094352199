/**
 * A fresh light node on a version 2 chain starts from FlyClient proofs
 * instead of every header (issue 14, point 5):
 *
 * 1. it asks each of a few full peers (two at least when it has them) for
 *    its sampling proof (FlyProofRequest) and verifies each (client.ts
 *    flyProof: the sampled headers' proof of work, their inclusion in the
 *    tip's MMR with the work claimed, our genesis); a peer whose proof fails
 *    is charged by the client;
 * 2. it takes the verified tip of most work (the first on equal work);
 * 3. it downloads only the last `window` headers up to that tip (one
 *    HeadersRequest to a peer that proved it): the last one must be the
 *    proven tip, each earlier one its ancestor by parent hash (so the hash
 *    chain from the proven tip fixes every one of them, and their heights:
 *    leaf positions in the tip's MMR), with their own proof of work and the
 *    retargets and median times whose inputs the window holds
 *    (verifyHeaderChain bounds a retarget whose first block is below it);
 * 4. it stores them as the chain (header-store.ts adoptProven), each with the
 *    total work the proof showed less the work above it, so fork choice and
 *    the status handshake compare the proven work.
 *
 * Header sync then follows the chain past the proven tip as usual. A tip
 * within `window` of the genesis is plain header sync from the genesis (the
 * whole chain is the window), checked against the proven work.
 */
import { headerVersionOf } from '../ledger/genesis.js'
import type { PeerIdString } from '../net/network.js'
import { equalBytes } from '../util/bytes.js'
import type { LightClient } from './client.js'
import type { FlyVerified } from './flyclient.js'
import type { LightHeaderStore } from './header-store.js'
import { LIGHT_FLY_SAMPLES, LIGHT_FLY_WINDOW, LIGHT_HEADERS_MAX } from './limits.js'
import { LightProofError } from './verify.js'

export interface FlySyncDeps {
  store: LightHeaderStore
  client: Pick<LightClient, 'flyProof' | 'headers'>
  report(peer: PeerIdString, penalty: number, reason: string): void
  log?(msg: string, fields?: Record<string, unknown>): void
}

export interface FlySyncOptions {
  /** Sample points asked of each peer (at most the protocol's 128). */
  samples: number
  /** Headers downloaded below the proven tip, the tip included (at most the protocol's 2,000 per request). */
  window: number
  /** Peers asked for a proof at once, at most. */
  peersMax: number
  /** What headers that do not match a verified proof cost the peer. */
  badProofPenalty: number
}

export const DEFAULT_FLY_SYNC_OPTIONS: FlySyncOptions = {
  samples: LIGHT_FLY_SAMPLES,
  window: LIGHT_FLY_WINDOW,
  peersMax: 4,
  badProofPenalty: 100,
}

export type FlySyncOutcome =
  /** The chain now starts from the proven tip: `headers` downloaded, of `peers` asked. */
  | { kind: 'adopted'; tip: FlyVerified; peer: PeerIdString; headers: number; asked: number; verified: number }
  /** No verified proof of more work than ours (every failure is in `failures`; liars were charged). */
  | { kind: 'none'; asked: number; verified: number; failures: Array<{ peer: PeerIdString; code: string }> }

/** Whether a store should start from a proof: a version 2 chain whose tip is still the genesis. */
export function wantsFlySync(store: LightHeaderStore): boolean {
  return headerVersionOf(store.params) >= 2 && store.tip.height === 0
}

/** Runs steps 1–4 with `peers`; never throws for a peer's fault. */
export async function flySync(
  deps: FlySyncDeps,
  peers: readonly PeerIdString[],
  options: Partial<FlySyncOptions> = {},
): Promise<FlySyncOutcome> {
  const opts = { ...DEFAULT_FLY_SYNC_OPTIONS, ...options }
  const { store, client } = deps
  const asked = [...new Set(peers)].slice(0, opts.peersMax)
  const answers = await Promise.all(
    asked.map((peer) => client.flyProof(peer, opts.samples, store.params, store.genesis.header.hash)),
  )
  const failures: Array<{ peer: PeerIdString; code: string }> = []
  const proven: Array<{ peer: PeerIdString; value: FlyVerified }> = []
  for (const a of answers) {
    if (a.ok) proven.push({ peer: a.peer, value: a.value })
    else failures.push({ peer: a.peer, code: a.code })
  }
  // Most work first; on equal work the first answer stays first (a stable sort).
  const candidates = proven
    .filter((p) => p.value.totalWork > store.tip.totalWork)
    .sort((a, b) => (b.value.totalWork > a.value.totalWork ? 1 : b.value.totalWork < a.value.totalWork ? -1 : 0))
  const best = candidates[0]
  if (!best) return { kind: 'none', asked: asked.length, verified: proven.length, failures }
  // Any peer that proved the same tip can serve its window; the one that proved it first.
  const servers = candidates.filter((c) => equalBytes(c.value.tip.hash, best.value.tip.hash))
  const tip = best.value.tip
  const from = Math.max(1, tip.height - Math.min(opts.window, LIGHT_HEADERS_MAX) + 1)
  const count = tip.height - from + 1
  for (const { peer } of servers) {
    const answer = await client.headers(peer, from, count, store.params)
    if (!answer.ok) {
      failures.push({ peer, code: answer.code })
      continue
    }
    const headers = answer.value.headers
    const last = headers[headers.length - 1]
    if (headers.length !== count || !last || !equalBytes(last.hash, tip.hash)) {
      // Its chain moved since its proof (a reorganisation), or it holds back: not proven false, not charged.
      failures.push({ peer, code: 'FLY_TIP_MOVED' })
      continue
    }
    try {
      if (from === 1) {
        await store.add(headers)
        if (store.tip.totalWork !== best.value.totalWork) {
          throw new LightProofError(
            'HEADERS_LOW_WORK',
            `its headers carry work ${store.tip.totalWork}, its proof ${best.value.totalWork}`,
          )
        }
      } else await store.adoptProven(headers, best.value.totalWork)
    } catch (err) {
      if (!(err instanceof LightProofError)) throw err
      deps.report(peer, opts.badProofPenalty, `light fly sync: ${err.message}`)
      failures.push({ peer, code: err.code })
      continue
    }
    deps.log?.('light: chain started from a sampling proof', {
      height: tip.height,
      hash: tip.id,
      work: best.value.totalWork.toString(),
      sampled: best.value.sampled,
      headers: headers.length,
      peers: asked.length,
    })
    return {
      kind: 'adopted',
      tip: best.value,
      peer,
      headers: headers.length,
      asked: asked.length,
      verified: proven.length,
    }
  }
  return { kind: 'none', asked: asked.length, verified: proven.length, failures }
}
